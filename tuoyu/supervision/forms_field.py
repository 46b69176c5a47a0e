"""Forms of the inspectors' and operators' supervision pages.

They check the input's shape; :mod:`tuoyu.supervision.services` checks the rules, and a
``ValidationError`` it raises is attached to the field it names
(:func:`tuoyu.common.views.add_service_error`): the recording form names its result
fields ``item_<id>`` exactly as the service names its errors, so a missing result or a
violation without a note shows on that item's card.

Times are typed as ``datetime-local`` and read in the platform's time zone (Asia/Shanghai).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu.enrollment.forms_staff import PlatformDateTimeField
from tuoyu.indicators.forms import DateInput
from tuoyu.supervision.models import (
    ChecklistItem,
    FindingResult,
    IncidentSeverity,
    Inspection,
    InspectionStatus,
)

SAVE = "save"
SUBMIT = "submit"


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        error_messages={"invalid": _("请输入有效日期，格式为 YYYY-MM-DD。")},
    )


class InspectionFilterForm(forms.Form):
    """The supervisors' filter of the inspection list (``?status=``)."""

    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *InspectionStatus.choices]
    )

    def status_value(self) -> str:
        return self.cleaned_data.get("status", "") if self.is_valid() else ""


class InspectionRecordForm(forms.Form):
    """The date, one result (radio) and note per checklist item, and a summary.

    Results left empty are not recorded (a draft may be partial); submitting needs them all,
    which the service checks.
    """

    inspected_on = _date(_("检查日期"))
    summary = forms.CharField(
        label=_("检查情况"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    action = forms.ChoiceField(choices=[(SAVE, _("保存")), (SUBMIT, _("提交审核"))], required=False)

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        self.items: list[ChecklistItem] = list(inspection.checklist.items.all())
        findings = {finding.item_id: finding for finding in inspection.findings.all()}
        initial: dict[str, Any] = {
            "inspected_on": inspection.inspected_on or timezone.localdate(),
            "summary": inspection.summary,
        }
        for item in self.items:
            finding = findings.get(item.pk)
            if finding is not None:
                initial[self.result_name(item)] = finding.result
                initial[self.note_name(item)] = finding.note
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        for item in self.items:
            self.fields[self.result_name(item)] = forms.ChoiceField(
                label=f"{item.code} {item.text}",
                required=False,
                choices=FindingResult.choices,
                widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
            )
            self.fields[self.note_name(item)] = forms.CharField(
                label=_("说明"),
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def result_name(item: ChecklistItem) -> str:
        return f"item_{item.pk}"

    @staticmethod
    def note_name(item: ChecklistItem) -> str:
        return f"note_{item.pk}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for item in self.items:
            if data.get(self.note_name(item), "").strip() and not data.get(self.result_name(item)):
                self.add_error(
                    self.result_name(item), _("%(code)s 已填写说明，请选择结果。") % {"code": item.code}
                )
        return data

    def rows(self) -> list[dict[str, Any]]:
        """One row per item for the template: the item, its result and its note field."""
        return [
            {"item": item, "result": self[self.result_name(item)], "note": self[self.note_name(item)]}
            for item in self.items
        ]

    def submit(self) -> bool:
        return self.cleaned_data.get("action") == SUBMIT

    def results(self) -> dict[int, tuple[str, str]]:
        """Item id -> (result, note), for the items given a result."""
        data = self.cleaned_data
        return {
            item.pk: (data[self.result_name(item)], data.get(self.note_name(item), ""))
            for item in self.items
            if data.get(self.result_name(item))
        }


class AttachmentForm(forms.Form):
    """A photo or document (the page posts the rectification order's id as ``order``
    when the file is evidence for one)."""

    file = forms.FileField(
        label=_("文件"),
        help_text=_("JPEG、PNG 图片或 PDF，不超过 10 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
        error_messages={"required": _("请选择要上传的文件。")},
    )


class OrderSubmitForm(forms.Form):
    evidence = forms.CharField(
        label=_("整改情况"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请说明整改情况。")},
    )
    file = forms.FileField(
        label=_("整改照片或材料（可选）"),
        required=False,
        help_text=_("JPEG、PNG 图片或 PDF，不超过 10 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


ACCEPT = "accept"
REOPEN = "reopen"


class OrderVerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("核验结论"),
        choices=[(ACCEPT, _("整改到位，予以通过")), (REOPEN, _("未整改到位，退回重改"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择核验结论。")},
    )
    note = forms.CharField(
        label=_("核验意见"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填。"),
    )
    new_deadline = _date(_("新的整改期限（退回时可选）"), required=False)

    def accepted(self) -> bool:
        return self.cleaned_data["decision"] == ACCEPT


class IncidentForm(forms.Form):
    occurred_at = PlatformDateTimeField(label=_("发生时间"))
    severity = forms.ChoiceField(
        label=_("严重程度"),
        choices=[("", "—"), *IncidentSeverity.choices],
        error_messages={"required": _("请选择严重程度。")},
    )
    description = forms.CharField(
        label=_("经过"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请描述事故经过。")},
    )
    children_affected = forms.IntegerField(label=_("涉及婴幼儿人数"), min_value=0, max_value=1000, initial=0)
