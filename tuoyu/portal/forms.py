"""The parents' search form: every filter validated, every error named by its field.

The page and the API validate through this one form, so a bad birth date gives the same
message on both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoyu.portal.selectors import ParentFilters, age_in_months, class_types_for_age
from tuoyu.registry.models import Form, Township

MAX_DISTANCE_KM = 200.0


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``: the default start, as places open monthly."""
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


class MonthField(forms.CharField):
    """A month as YYYY-MM (what ``<input type="month">`` sends), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            year, month = (int(part) for part in text.split("-"))
            return dt.date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("请按 YYYY-MM 填写月份。"), code="invalid") from None


class ParentSearchForm(forms.Form):
    birth_date = forms.DateField(
        label=_("宝宝出生日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("用于按入托时的月龄匹配班型。"),
    )
    start_month = MonthField(label=_("计划入托月份"), required=False, help_text=_("默认为下个月。"))
    form = forms.ChoiceField(label=_("服务形式"), required=False, choices=[("", _("全部")), *Form.choices])
    puhui = forms.BooleanField(label=_("只看普惠机构"), required=False)
    vacancies = forms.BooleanField(label=_("只看有空余托位"), required=False)
    fee_min = forms.IntegerField(label=_("月收费不低于（元）"), required=False, min_value=0)
    fee_max = forms.IntegerField(label=_("月收费不高于（元）"), required=False, min_value=0)
    township = forms.ModelChoiceField(
        label=_("离哪个镇（街道）近"),
        required=False,
        queryset=Township.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("不限"),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    max_distance_km = forms.FloatField(
        label=_("最远距离（公里）"), required=False, min_value=0.1, max_value=MAX_DISTANCE_KM
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["start_month"].widget.attrs["placeholder"] = next_month(today).strftime("%Y-%m")

    def clean_birth_date(self) -> dt.date | None:
        birth_date: dt.date | None = self.cleaned_data.get("birth_date")
        if birth_date is not None and birth_date > self.today:
            raise forms.ValidationError(_("出生日期不能晚于今天。"), code="future")
        return birth_date

    def clean_start_month(self) -> dt.date:
        start: dt.date | None = self.cleaned_data.get("start_month")
        if start is None:
            return next_month(self.today)
        if start < self.today.replace(day=1):
            raise forms.ValidationError(_("入托月份不能早于本月。"), code="past")
        return start

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fee_min, fee_max = data.get("fee_min"), data.get("fee_max")
        if fee_min is not None and fee_max is not None and fee_min > fee_max:
            self.add_error("fee_max", _("最高收费不能低于最低收费。"))
        if (data.get("lat") is None) != (data.get("lon") is None):
            self.add_error("lat", _("当前位置需要同时提供纬度和经度。"))
        township = data.get("township")
        if township is not None and (township.latitude is None or township.longitude is None):
            self.add_error("township", _("该镇（街道）暂无中心位置，无法计算距离。"))
        if data.get("max_distance_km") is not None and self.point() is None:
            self.add_error("max_distance_km", _("请先选择镇（街道）或使用当前位置。"))
        return data

    def point(self) -> tuple[float, float] | None:
        """The parent's point: the browser's location, else the chosen township's centre."""
        data = self.cleaned_data
        if data.get("lat") is not None and data.get("lon") is not None:
            return float(data["lat"]), float(data["lon"])
        township = data.get("township")
        if township is not None and township.latitude is not None and township.longitude is not None:
            return township.latitude, township.longitude
        return None

    def age_months(self) -> int | None:
        """The child's age in months at the start month; None without a birth date."""
        birth_date = self.cleaned_data.get("birth_date")
        if birth_date is None:
            return None
        return age_in_months(birth_date=birth_date, on=self.cleaned_data["start_month"])

    def filters(self) -> ParentFilters:
        """The search of a valid form; a child too young or too old fits no class type."""
        data = self.cleaned_data
        months = self.age_months()
        point = self.point()
        return ParentFilters(
            class_types=None if months is None else class_types_for_age(months),
            form=data.get("form") or None,
            puhui_only=bool(data.get("puhui")),
            fee_min=data.get("fee_min"),
            fee_max=data.get("fee_max"),
            vacancies_only=bool(data.get("vacancies")),
            latitude=None if point is None else point[0],
            longitude=None if point is None else point[1],
            max_distance_km=data.get("max_distance_km"),
        )
