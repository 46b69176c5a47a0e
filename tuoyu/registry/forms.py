"""Forms of the registry pages. They check the input's shape; the services check the rules.

A ``ValidationError`` raised by a service is attached to the form field it names
(:func:`tuoyu.common.views.add_service_error`), so the message shows next to the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tuoyu.common.identifiers import IdentifierError, resident_id_normalize
from tuoyu.indicators.forms import AsOfForm, DateInput, today
from tuoyu.registry import boundaries
from tuoyu.registry.models import (
    CareClass,
    CertificateType,
    ClassType,
    Employment,
    Fee,
    Form,
    StaffRole,
    Township,
)
from tuoyu.registry.selectors import InstitutionFilters


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, input_formats=["%Y-%m-%d"], widget=DateInput())


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=10_000)


class InstitutionFilterForm(AsOfForm):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    township = forms.ModelChoiceField(
        label=_("镇（街道）"), queryset=Township.objects.none(), required=False, empty_label=_("全部")
    )
    form = forms.ChoiceField(label=_("服务形式"), required=False, choices=[("", _("全部")), *Form.choices])
    puhui = forms.ChoiceField(
        label=_("普惠"), required=False, choices=[("", _("全部")), ("yes", _("普惠")), ("no", _("非普惠"))]
    )
    violations = forms.BooleanField(label=_("仅看不符合国家标准的机构"), required=False)

    def __init__(self, *args: Any, townships: QuerySet[Township], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        township_field = self.fields["township"]
        assert isinstance(township_field, forms.ModelChoiceField)
        township_field.queryset = townships

    def filters(self) -> InstitutionFilters:
        data = self.valid_data()
        township = data.get("township")
        puhui = data.get("puhui")
        return InstitutionFilters(
            township_id=township.pk if township is not None else None,
            form=data.get("form") or None,
            puhui={"yes": True, "no": False}.get(puhui or ""),
            with_violations=bool(data.get("violations")) or None,
            search=(data.get("q") or "").strip(),
        )


class CareClassForm(forms.Form):
    name = forms.CharField(label=_("班级名称"), max_length=100)
    class_type = forms.ChoiceField(label=_("班型"), choices=ClassType.choices)
    approved_slots = _count(_("核定托位"))
    enrolled = _count(_("在托人数"))
    caregivers = _count(_("配备保育人员"))
    opened_on = _date(_("开班日期"), required=False)
    closed_on = _date(_("撤班日期"), required=False)

    @staticmethod
    def initial_for(care_class: CareClass) -> dict[str, Any]:
        return {name: getattr(care_class, name) for name in CareClassForm.base_fields}


class FeeForm(forms.Form):
    class_type = forms.ChoiceField(label=_("班型"), choices=ClassType.choices)
    full_day_monthly = forms.DecimalField(
        label=_("全日托月收费（元）"), min_value=0, max_digits=8, decimal_places=0
    )
    half_day_monthly = forms.DecimalField(
        label=_("半日托月收费（元）"), min_value=0, max_digits=8, decimal_places=0, required=False
    )
    effective_from = _date(_("执行起始日"))
    effective_to = _date(_("执行截止日"), required=False)

    @staticmethod
    def initial_for(fee: Fee) -> dict[str, Any]:
        return {name: getattr(fee, name) for name in FeeForm.base_fields}


class NoEchoTextInput(forms.TextInput):
    """A text input that never writes the submitted value back into the page, so a full ID
    number is not echoed in the HTML when the form is shown again with errors."""

    def format_value(self, value: Any) -> str | None:
        return None


class IdNumberField(forms.CharField):
    """A resident ID number, checked by GB 11643-1999 (the message names what is wrong)."""

    widget = NoEchoTextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("min_length", 1)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false", "inputmode": "text"})

    def clean(self, value: Any) -> str:
        cleaned = super().clean(value)
        try:
            return resident_id_normalize(cleaned)
        except IdentifierError as error:
            raise ValidationError(str(error), code="invalid") from None


class StaffHireForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = IdNumberField(
        label=_("居民身份证号码"), help_text=_("18 位，末位可为 X；只加密保存，页面仅显示脱敏号码。")
    )
    role = forms.ChoiceField(label=_("岗位"), choices=StaffRole.choices)
    start = _date(_("入职日期"))
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class StaffUpdateForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("岗位"), choices=StaffRole.choices)

    @staticmethod
    def initial_for(employment: Employment) -> dict[str, Any]:
        return {"name": employment.staff.name, "phone": employment.staff.phone, "role": employment.role}


class EmploymentEndForm(forms.Form):
    end = _date(_("离职日期"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"end": today()})
        super().__init__(*args, **kwargs)


class CertificateForm(forms.Form):
    cert_type = forms.ChoiceField(label=_("证书类型"), choices=CertificateType.choices)
    number = forms.CharField(label=_("证书编号"), max_length=50, required=False)
    issued_on = _date(_("发证日期"))
    expires_on = _date(_("有效期至"), required=False)


class BoundaryImportForm(forms.Form):
    """A GeoJSON file of township boundaries and how its features name their townships."""

    file = forms.FileField(
        label=_("GeoJSON 文件"),
        help_text=_("UTF-8 编码的 GeoJSON FeatureCollection，每个镇（街道）一个要素，不超过 20 MB。"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".geojson,.json,application/geo+json,application/json"}
        ),
    )
    match = forms.ChoiceField(
        label=_("按什么匹配镇（街道）"),
        choices=[(boundaries.MATCH_CODE, _("12 位区划代码")), (boundaries.MATCH_NAME, _("名称"))],
        initial=boundaries.MATCH_CODE,
    )
    property_name = forms.CharField(
        label=_("要素属性名"),
        required=False,
        max_length=100,
        help_text=_("保存区划代码或名称的要素属性；留空时按区划代码匹配用 code，按名称匹配用 name。"),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        problem = boundaries.too_large(upload.size)
        if problem is not None:
            raise ValidationError(str(problem), code="too_large")
        return upload
