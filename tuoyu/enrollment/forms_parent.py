"""Forms of the parents' enrollment pages. They check the input's shape; the services
check the rules, and a service's ``ValidationError`` is attached to the field it names
(:func:`tuoyu.common.views.add_service_error`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoyu.enrollment.models import MAX_CHOICES, RoundPlace
from tuoyu.indicators.forms import DateInput
from tuoyu.registry.forms import IdNumberField
from tuoyu.registry.models import Form, Institution, Township
from tuoyu.registry.selectors import counted_on

CHOICE_FIELDS = tuple(f"choice_{rank}" for rank in range(1, MAX_CHOICES + 1))


def month_value(month: dt.date) -> str:
    """A start month as the pages send it: ``YYYY-MM``."""
    return month.strftime("%Y-%m")


def month_parse(text: str | None) -> dt.date | None:
    """``YYYY-MM`` to the first day of that month; None when it is not such a month."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return None


class InstitutionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.township.name}）"


class ChildForm(forms.Form):
    name = forms.CharField(label=_("婴幼儿姓名"), max_length=50)
    birth_date = forms.DateField(label=_("出生日期"), input_formats=["%Y-%m-%d"], widget=DateInput())
    id_number = IdNumberField(
        label=_("婴幼儿居民身份证号码"),
        help_text=_("18 位，末位可为 X；加密保存，页面只显示脱敏号码。"),
    )
    township = forms.ModelChoiceField(
        label=_("居住镇（街道）"),
        queryset=Township.objects.order_by("code"),
        empty_label=_("请选择"),
        help_text=_("孩子实际居住的镇（街道），用于“居住在机构所在镇（街道）”优先条件。"),
    )
    sibling_institution = InstitutionChoiceField(
        label=_("兄弟姐妹在托的机构（如有）"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label=_("无"),
    )
    parent_employer = InstitutionChoiceField(
        label=_("父母所在单位举办的托育点（如有）"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label=_("无"),
        help_text=_("仅限用人单位办托；机构会在入托时核对工作证明。"),
    )
    hardship_claimed = forms.BooleanField(
        label=_("申报困境婴幼儿"),
        required=False,
        help_text=_(
            "如孩子属于低保、特困、孤儿或事实无人抚养等困境婴幼儿，请勾选。"
            "由居住地镇（街道）工作人员核实认定后，才作为优先条件。"
        ),
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意上述《婴幼儿信息处理告知书》"),
        error_messages={"required": _("须同意《婴幼儿信息处理告知书》后才能登记。")},
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sibling = self.fields["sibling_institution"]
        employer = self.fields["parent_employer"]
        assert isinstance(sibling, forms.ModelChoiceField)
        assert isinstance(employer, forms.ModelChoiceField)
        sibling.queryset = (
            Institution.objects.filter(counted_on(today)).select_related("township").order_by("name")
        )
        employer.queryset = (
            Institution.objects.filter(form=Form.EMPLOYER).select_related("township").order_by("name")
        )


def place_label(place: RoundPlace) -> str:
    return str(
        _("%(name)s · %(type)s · %(township)s · %(seats)d 个名额")
        % {
            "name": place.institution.name,
            "type": place.get_class_type_display(),
            "township": place.institution.township.name,
            "seats": place.capacity,
        }
    )


class ApplicationForm(forms.Form):
    """The start month and up to five ranked places among those that fit the child then.

    Empty ranks are closed up: choosing the 1st and 3rd gives ranks 1 and 2.
    """

    start_month = forms.ChoiceField(label=_("计划入托月份"))

    def __init__(
        self,
        *args: Any,
        months: list[dt.date],
        places: list[RoundPlace],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        start = self.fields["start_month"]
        assert isinstance(start, forms.ChoiceField)
        start.choices = [(month_value(month), month_value(month)) for month in months]
        self.months = {month_value(month): month for month in months}
        self.places = {str(place.pk): place for place in places}
        options = [("", _("不填"))] + [(key, place_label(place)) for key, place in self.places.items()]
        for rank, name in enumerate(CHOICE_FIELDS, 1):
            self.fields[name] = forms.ChoiceField(
                label=_("第 %(rank)d 志愿") % {"rank": rank},
                choices=options,
                required=False,
                error_messages={
                    "invalid_choice": _("该志愿不适合孩子在所选入托月份的月龄，或已没有名额；请重新选择。")
                },
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen: set[str] = set()
        for name in CHOICE_FIELDS:
            value = data.get(name)
            if not value:
                continue
            if value in seen:
                self.add_error(name, _("与前面的志愿重复。"))
            seen.add(value)
        if not seen and not any(self.has_error(name) for name in CHOICE_FIELDS):
            self.add_error("choice_1", _("请至少选择 1 个志愿。"))
        return data

    def month(self) -> dt.date:
        return self.months[self.cleaned_data["start_month"]]

    def chosen(self) -> list[tuple[str, RoundPlace]]:
        """(field name, place) of every filled rank, in rank order, gaps closed up."""
        return [
            (name, self.places[self.cleaned_data[name]])
            for name in CHOICE_FIELDS
            if self.cleaned_data.get(name)
        ]


class OfferResponseForm(forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("1", _("接受")), ("0", _("放弃"))],
        coerce=lambda value: value == "1",
        error_messages={
            "required": _("请选择接受或放弃该录取。"),
            "invalid_choice": _("请选择接受或放弃该录取。"),
        },
    )
