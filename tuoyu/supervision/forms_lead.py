"""Forms of the supervision lead's pages.

They check the input's shape; :mod:`tuoyu.supervision.services` checks the rules, and a
``ValidationError`` it raises is attached to the field it names
(:func:`tuoyu.common.views.add_service_error`). Selects list their choices in a stable
order (townships by code, institutions by township and name, inspectors by township and
user name). Dates are typed as ``date`` inputs (``YYYY-MM-DD``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms import BoundField
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tuoyu.accounts.models import Role, User
from tuoyu.engine import draw as engine_draw
from tuoyu.indicators.forms import DateInput
from tuoyu.registry.forms import IdNumberField
from tuoyu.registry.models import Form, Institution, Township
from tuoyu.registry.selectors import counted_on
from tuoyu.supervision.models import (
    CaseStatus,
    Category,
    Checklist,
    InspectionKind,
    Severity,
)

LINE_SEPARATOR = "|"
GRADES = ("A", "B", "C", "D")


def _date(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        error_messages={"invalid": _("请输入有效日期，格式为 YYYY-MM-DD。")},
    )


def active_inspectors() -> QuerySet[User]:
    return (
        User.objects.filter(role=Role.INSPECTOR, is_active=True)
        .select_related("township")
        .order_by("township__code", "username")
    )


def filed_institutions(day: dt.date) -> QuerySet[Institution]:
    return (
        Institution.objects.filter(counted_on(day))
        .select_related("township")
        .order_by("township__code", "name", "pk")
    )


class InspectorChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        township = obj.township.name if obj.township else gettext("市级")
        return f"{obj.username}（{township}）"


class InspectorField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return InspectorChoiceField.label_from_instance(self, obj)  # type: ignore[arg-type]


class InstitutionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.township.name}）"


# Checklists ---------------------------------------------------------------------------------


def _choice_of(value: str, choices: type[Category] | type[Severity]) -> str | None:
    """A category or severity typed as its code (``fire``) or its label (``消防安全``)."""
    value = value.strip()
    for code, label in choices.choices:
        if value.lower() == code or value == str(label):
            return str(code)
    return None


class ChecklistCreateForm(forms.Form):
    """A checklist's name and its items, one a line: ``编号|类别|严重程度|检查内容``."""

    name = forms.CharField(label=_("检查表名称"), max_length=100)
    items = forms.CharField(
        label=_("检查项（每行一项）"),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=_(
            "每行格式：编号|类别|严重程度|检查内容，例如 F1|fire|critical|消防通道畅通。"
            "类别：fire 消防安全、food 食品安全、health 卫生保健、cctv 视频监控、staffing 人员配备、"
            "premises 场地设施、other 其他；严重程度：critical 严重、major 一般、minor 轻微"
            "（也可直接写中文名称）。空行忽略。"
        ),
    )

    def clean_items(self) -> list[dict[str, Any]]:
        text: str = self.cleaned_data["items"]
        items: list[dict[str, Any]] = []
        errors: list[str] = []
        codes: dict[str, int] = {}
        self.lines: list[int] = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line:
                continue
            parts = [part.strip() for part in line.split(LINE_SEPARATOR, 3)]
            if len(parts) != 4:
                errors.append(
                    gettext("第 %(line)d 行应为“编号|类别|严重程度|检查内容”四段。") % {"line": number}
                )
                continue
            code, category_text, severity_text, content = parts
            category = _choice_of(category_text, Category)
            severity = _choice_of(severity_text, Severity)
            problems = []
            if not code:
                problems.append(gettext("缺少编号"))
            elif len(code) > 20:
                problems.append(gettext("编号不能超过 20 个字符"))
            elif code in codes:
                problems.append(
                    gettext("编号 %(code)s 与第 %(other)d 行重复") % {"code": code, "other": codes[code]}
                )
            if category is None:
                problems.append(gettext("类别“%(value)s”无效") % {"value": category_text})
            if severity is None:
                problems.append(gettext("严重程度“%(value)s”无效") % {"value": severity_text})
            if not content:
                problems.append(gettext("缺少检查内容"))
            elif len(content) > 300:
                problems.append(gettext("检查内容不能超过 300 个字"))
            if problems:
                errors.append(
                    gettext("第 %(line)d 行：%(problems)s。")
                    % {"line": number, "problems": "；".join(problems)}
                )
                continue
            codes[code] = number
            self.lines.append(number)
            items.append({"code": code, "category": category, "severity": severity, "text": content})
        if errors:
            raise forms.ValidationError(errors)
        if not items:
            raise forms.ValidationError(gettext("检查表至少需要一个检查项。"))
        return items


class ChecklistItemForm(forms.Form):
    code = forms.CharField(label=_("编号"), max_length=20)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    text = forms.CharField(label=_("检查内容"), max_length=300)


# Plans ------------------------------------------------------------------------------------

# The plan form has a field named ``forms`` (the service's keyword): these keep the
# module reachable below it in the class body.
_FormsField = forms.MultipleChoiceField
_SelectMultiple = forms.SelectMultiple
_IntegerField = forms.IntegerField


def _ratio(grade: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=_("%(grade)s 级抽查比例") % {"grade": grade},
        min_value=Decimal(0),
        max_value=Decimal(1),
        max_digits=5,
        decimal_places=4,
        initial=Decimal(str(engine_draw.DEFAULT_RATIOS[grade])),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
    )


class PlanForm(forms.Form):
    name = forms.CharField(label=_("计划名称"), max_length=100)
    checklist = forms.ModelChoiceField(
        label=_("检查表"), queryset=Checklist.objects.none(), empty_label=_("请选择检查表")
    )
    due_on = _date(_("检查完成期限"))
    townships = forms.ModelMultipleChoiceField(
        label=_("镇（街道）范围"),
        queryset=Township.objects.none(),
        required=False,
        help_text=_("不选即全市。"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    forms = _FormsField(
        label=_("服务形式范围"),
        choices=Form.choices,
        required=False,
        help_text=_("不选即全部服务形式。"),
        widget=_SelectMultiple(attrs={"size": 5}),
    )
    ratio_a = _ratio("A")
    ratio_b = _ratio("B")
    ratio_c = _ratio("C")
    ratio_d = _ratio("D")
    inspectors_per_task = _IntegerField(
        label=_("每家机构检查人员数"),
        min_value=1,
        max_value=5,
        initial=engine_draw.DEFAULT_INSPECTORS_PER_TASK,
    )
    inspectors = InspectorChoiceField(
        label=_("检查人员库"),
        queryset=User.objects.none(),
        help_text=_("在岗检查人员；抽取时不会派往本人所在镇（街道）或已申报回避的机构。"),
        widget=_SelectMultiple(attrs={"size": 8}),
    )
    publish_within_days = _IntegerField(label=_("结果公示期限（天）"), min_value=1, max_value=90, initial=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queryset("checklist", Checklist.objects.filter(active=True).order_by("name", "pk"))
        self._queryset("townships", Township.objects.order_by("code"))
        self._queryset("inspectors", active_inspectors())

    def _queryset(self, name: str, queryset: QuerySet[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    @property
    def ratio_fields(self) -> list[BoundField]:
        return [self[f"ratio_{grade.lower()}"] for grade in GRADES]

    @property
    def other_fields(self) -> list[BoundField]:
        return [self[name] for name in self.fields if not name.startswith("ratio_")]

    def values(self) -> dict[str, Any]:
        """The keyword arguments of ``services.plan_create``."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "checklist": data["checklist"],
            "due_on": data["due_on"],
            "townships": list(data["townships"]),
            "forms": list(data["forms"]),
            "ratios": {grade: float(data[f"ratio_{grade.lower()}"]) for grade in GRADES},
            "inspectors_per_task": data["inspectors_per_task"],
            "inspectors": list(data["inspectors"]),
            "publish_within_days": data["publish_within_days"],
        }


# Inspections ------------------------------------------------------------------------------


class InspectionCreateForm(forms.Form):
    institution = InstitutionChoiceField(
        label=_("机构"), queryset=Institution.objects.none(), empty_label=_("请选择机构")
    )
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[
            (InspectionKind.COMPLAINT, InspectionKind.COMPLAINT.label),
            (InspectionKind.FOLLOW_UP, InspectionKind.FOLLOW_UP.label),
        ],
    )
    checklist = forms.ModelChoiceField(
        label=_("检查表"), queryset=Checklist.objects.none(), empty_label=_("请选择检查表")
    )
    due_on = _date(_("检查期限"))
    inspectors = InspectorChoiceField(
        label=_("检查人员"),
        queryset=User.objects.none(),
        help_text=_("至少 2 人；不得与机构同属一个镇（街道），不得已申报回避。"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("institution", filed_institutions(today)),
            ("checklist", Checklist.objects.filter(active=True).order_by("name", "pk")),
            ("inspectors", active_inspectors()),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def clean_inspectors(self) -> list[User]:
        inspectors = list(self.cleaned_data["inspectors"])
        if len(inspectors) < 2:
            raise forms.ValidationError(gettext("每次检查至少安排 2 名检查人员。"))
        return inspectors


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("publish", _("审核通过并公示")), ("return", _("退回重新检查"))])
    note = forms.CharField(
        label=_("退回意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExportFilterForm(forms.Form):
    date_from = _date(_("检查日期自"), required=False)
    date_to = _date(_("检查日期至"), required=False)
    township = forms.ModelChoiceField(
        label=_("镇（街道）"), queryset=Township.objects.none(), required=False, empty_label=_("全部")
    )

    def __init__(self, *args: Any, townships: QuerySet[Township], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["township"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = townships

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", gettext("截止日期不能早于起始日期。"))
        return cleaned


# Complaints and incidents -------------------------------------------------------------------


def _yes_no(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


class ComplaintHandleForm(forms.Form):
    status = forms.ChoiceField(label=_("办理状态"), choices=CaseStatus.choices)
    substantiated = forms.TypedChoiceField(
        label=_("投诉是否属实"),
        choices=[("", _("尚未认定")), ("1", _("属实")), ("0", _("不属实"))],
        coerce=_yes_no,
        empty_value=None,
        required=False,
        help_text=_("办结时必须认定；属实的投诉计入机构信用。"),
    )
    response = forms.CharField(
        label=_("处理结果"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("办结时必填，将答复投诉人。"),
    )


class IncidentCloseForm(forms.Form):
    outcome = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 4}))
    serious_confirmed = forms.BooleanField(label=_("经认定为重大安全事故（计入机构信用）"), required=False)


# Credit ---------------------------------------------------------------------------------------


class CreditFilterForm(forms.Form):
    grade = forms.ChoiceField(
        label=_("信用等级"), choices=[("", _("全部")), *((g, g) for g in GRADES)], required=False
    )
    township = forms.ModelChoiceField(
        label=_("镇（街道）"), queryset=Township.objects.none(), required=False, empty_label=_("全部")
    )

    def __init__(self, *args: Any, townships: QuerySet[Township], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["township"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = townships


class CreditEventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("award", _("表彰")), ("demonstration", _("示范托育机构"))]
    )
    occurred_on = _date(_("日期"))
    reason = forms.CharField(label=_("事由"), max_length=300, help_text=_("如表彰文件的文号。"))


# Staff ----------------------------------------------------------------------------------------


class BarredForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = IdNumberField(label=_("居民身份证号码"), help_text=_("只加密保存，页面仅显示脱敏号码。"))
    reason = forms.CharField(label=_("原因"), max_length=300)
    decision = forms.CharField(label=_("决定文书"), max_length=100)
    barred_from = _date(_("禁止起始"))
    barred_until = _date(_("禁止截止"), required=False, help_text=_("终身禁止的不填。"))


class StaffLookupForm(forms.Form):
    id_number = IdNumberField(label=_("居民身份证号码"))


class StaffCreditForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=[("commendation", _("表彰")), ("violation", _("违规"))])
    occurred_on = _date(_("日期"))
    institution = InstitutionChoiceField(
        label=_("时任机构"), queryset=Institution.objects.none(), required=False, empty_label=_("（无）")
    )
    reason = forms.CharField(label=_("事由"), max_length=300)

    def __init__(self, *args: Any, institutions: QuerySet[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["institution"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = institutions


# Conflicts of interest -----------------------------------------------------------------------


class ConflictForm(forms.Form):
    """An inspector declares for themselves; the lead also names the inspector."""

    inspector = InspectorField(
        label=_("检查人员"), queryset=User.objects.none(), empty_label=_("请选择检查人员")
    )
    institution = InstitutionChoiceField(
        label=_("机构"), queryset=Institution.objects.none(), empty_label=_("请选择机构")
    )
    reason = forms.CharField(label=_("回避原因"), max_length=200)

    def __init__(self, *args: Any, for_lead: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if for_lead:
            inspector = self.fields["inspector"]
            assert isinstance(inspector, forms.ModelChoiceField)
            inspector.queryset = active_inspectors()
        else:
            del self.fields["inspector"]
        field = self.fields["institution"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Institution.objects.select_related("township").order_by(
            "township__code", "name", "pk"
        )
