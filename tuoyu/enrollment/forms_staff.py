"""Forms of the bureau's, townships' and institutions' enrollment pages.

They check the input's shape; :mod:`tuoyu.enrollment.services` checks the rules, and a
``ValidationError`` it raises is attached to the field it names
(:func:`tuoyu.common.views.add_service_error`).

Times are typed as ``datetime-local`` and read in the platform's time zone
(``settings.TIME_ZONE``, Asia/Shanghai), whatever zone the browser is in; start months are
typed as ``month`` and stored as the first day of that month.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu.enrollment.models import PriorityRule, Round
from tuoyu.registry.models import CareClass

RULE_SLOTS = len(PriorityRule.values)
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def platform_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m", **kwargs)


class MonthField(forms.DateField):
    """``YYYY-MM`` (a full date is accepted too), cleaned to the first day of the month."""

    widget = MonthInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m", "%Y-%m-%d"])
        kwargs.setdefault("error_messages", {"invalid": _("请输入有效月份，格式为 YYYY-MM。")})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day is not None else None


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"
    # Keep a disabled field's initial value exact (shown to the minute all the same).
    supports_microseconds = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_LOCAL_FORMAT, **kwargs)


class PlatformDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` value read as platform time (Asia/Shanghai), made time-zone aware."""

    widget = DateTimeLocalInput
    formats = (DATETIME_LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages", {"invalid": _("请输入有效的日期和时间，格式为 YYYY-MM-DD HH:MM。")}
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return value.astimezone(platform_zone()).replace(tzinfo=None)
        return value

    def to_python(self, value: Any) -> dt.datetime | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            moment = value
        else:
            text = str(value).strip()
            for fmt in self.formats:
                try:
                    moment = dt.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
            else:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, platform_zone())
        return moment


def _rule_choices() -> list[tuple[str, Any]]:
    return [("", _("（无）")), *PriorityRule.choices]


class RoundForm(forms.Form):
    """A round's settings; the priority rules are an ordered list of selects."""

    name = forms.CharField(label=_("轮次名称"), max_length=100)
    first_start_month = MonthField(label=_("最早入托月份"))
    last_start_month = MonthField(label=_("最晚入托月份"), help_text=_("一轮最多跨 12 个月。"))
    opens_at = PlatformDateTimeField(label=_("报名开始"), help_text=_("北京时间。"))
    closes_at = PlatformDateTimeField(label=_("报名截止"), help_text=_("北京时间。"))
    offer_days = forms.IntegerField(
        label=_("答复期限（天）"),
        min_value=1,
        max_value=60,
        initial=7,
        help_text=_("录取后家长须在此期限内接受或放弃，逾期视为放弃。"),
    )

    def __init__(self, *args: Any, only_closing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for position in range(1, RULE_SLOTS + 1):
            self.fields[f"rule_{position}"] = forms.ChoiceField(
                label=_("第 %(position)d 优先") % {"position": position},
                choices=_rule_choices(),
                required=False,
            )
        if only_closing:
            # Once the round is open only its closing time may move (later): the other
            # fields keep their current values whatever is posted.
            for name, field in self.fields.items():
                if name != "closes_at":
                    field.disabled = True

    @property
    def basic_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("rule_")]

    @property
    def rule_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("rule_")]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen: set[str] = set()
        for position in range(1, RULE_SLOTS + 1):
            rule = cleaned.get(f"rule_{position}") or ""
            if rule and rule in seen:
                self.add_error(f"rule_{position}", _("同一优先规则不能重复。"))
            seen.add(rule)
        return cleaned

    def priority_rules(self) -> list[str]:
        """The chosen rules in order, blanks left out."""
        rules = (self.cleaned_data.get(f"rule_{position}") or "" for position in range(1, RULE_SLOTS + 1))
        return [rule for rule in rules if rule]

    def values(self) -> dict[str, Any]:
        """The keyword arguments of ``services.round_create`` / ``round_update``."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "first_start_month": data["first_start_month"],
            "last_start_month": data["last_start_month"],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "offer_days": data["offer_days"],
            "priority_rules": self.priority_rules(),
        }

    @staticmethod
    def initial_for(round_: Round) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": round_.name,
            "first_start_month": round_.first_start_month,
            "last_start_month": round_.last_start_month,
            "opens_at": round_.opens_at,
            "closes_at": round_.closes_at,
            "offer_days": round_.offer_days,
        }
        for position, rule in enumerate(round_.priority_rules, 1):
            initial[f"rule_{position}"] = rule
        return initial


class FollowUpForm(forms.Form):
    name = forms.CharField(label=_("轮次名称"), max_length=100)
    opens_at = PlatformDateTimeField(label=_("报名开始"), help_text=_("北京时间。"))
    closes_at = PlatformDateTimeField(label=_("报名截止"), help_text=_("北京时间。"))


class PlaceCapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("名额"), min_value=0, max_value=10_000)


class CareClassChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _("%(name)s（在托 %(enrolled)d / 核定 %(slots)d）") % {
            "name": obj.name,
            "enrolled": obj.enrolled,
            "slots": obj.approved_slots,
        }


class EnrollForm(forms.Form):
    care_class = CareClassChoiceField(
        label=_("入托班级"), queryset=CareClass.objects.none(), empty_label=_("请选择班级")
    )

    def __init__(self, *args: Any, classes: QuerySet[CareClass], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["care_class"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = classes


class HardshipReviewForm(forms.Form):
    verified = forms.TypedChoiceField(
        label=_("认定结果"),
        choices=[("1", _("认定")), ("0", _("撤销认定"))],
        coerce=lambda value: value == "1",
    )
