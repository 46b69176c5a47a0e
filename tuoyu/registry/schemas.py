"""Request and response schemas of the registry API (``/api/v1/``).

Dates are ISO 8601 (``YYYY-MM-DD``); money is whole yuan (CNY) per month. Codes are the
short strings stored in the database; each comes with its Chinese label (``*_label``).
Staff ID numbers appear only masked (``3310**********123X``), never in plain text.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from tuoyu.registry.models import (
    CareClass,
    Certificate,
    ClassType,
    Fee,
    FilingStatus,
    Form,
    Institution,
    Ownership,
    PuhuiDesignation,
    StaffRole,
    TownshipKind,
)

# Errors -------------------------------------------------------------------------------


class ErrorOut(Schema):
    """An error without field details (401, 403, 404)."""

    detail: str = Field(description="错误说明 / what went wrong")


class FieldErrorOut(Schema):
    field: str | None = Field(description="出错的字段或参数名 / the field or parameter at fault")
    message: str = Field(description="错误说明 / what is wrong with it")


class ValidationErrorOut(Schema):
    """Invalid input (422): one entry per field at fault; nothing was saved."""

    detail: list[FieldErrorOut] = Field(description="各字段的错误 / errors by field")


# Townships ----------------------------------------------------------------------------


class TownshipRef(Schema):
    code: str = Field(description="区划代码 / statistical division code")
    name: str = Field(description="名称 / name")


class TownshipOut(Schema):
    code: str = Field(description="区划代码（12 位）/ 12-digit statistical division code")
    name: str = Field(description="名称 / name")
    kind: TownshipKind = Field(description="类型：街道或镇 / subdistrict or town")
    kind_label: str = Field(description="类型名称 / kind, in words")
    latitude: float | None = Field(description="纬度 (WGS 84) / latitude")
    longitude: float | None = Field(description="经度 (WGS 84) / longitude")
    children_under_3: int | None = Field(
        description="最近年份的 3 岁以下婴幼儿数 / children under 3 in the latest year with figures"
    )
    children_year: int | None = Field(description="婴幼儿数的年份 / year of that figure")


# Institutions -------------------------------------------------------------------------


class InstitutionListItem(Schema):
    id: int
    credit_code: str = Field(description="统一社会信用代码 / unified social credit code")
    name: str = Field(description="机构名称 / name")
    ownership: Ownership = Field(description="性质：公办或民办 / public or private")
    ownership_label: str = Field(description="性质名称 / ownership, in words")
    form: Form = Field(description="服务形式 / form of provision")
    form_label: str = Field(description="服务形式名称 / form, in words")
    township: TownshipRef = Field(description="所在镇（街道）/ township")
    filing_status: FilingStatus = Field(description="备案状态 / filing status")
    filed_on: dt.date | None = Field(description="备案日期 / date filed")
    filing_revoked_on: dt.date | None = Field(
        description="备案注销日期（自该日起不计为已备案）/ first day the filing no longer holds"
    )
    opened_on: dt.date | None = Field(description="开办日期 / opening date")
    closed_on: dt.date | None = Field(description="停办日期（首个不再运营的日期）/ first day closed")
    puhui: bool = Field(description="在查询日是否普惠 / 普惠 (affordable) on the as-of date")

    @staticmethod
    def resolve_ownership_label(obj: Institution) -> str:
        return str(obj.get_ownership_display())

    @staticmethod
    def resolve_form_label(obj: Institution) -> str:
        return str(obj.get_form_display())


class InstitutionPage(Schema):
    as_of: dt.date = Field(description="普惠判断所依据的日期 / the date 普惠 status is judged on")
    count: int = Field(description="符合条件的机构总数 / total number of matching institutions")
    limit: int = Field(description="每页条数 / page size")
    offset: int = Field(description="起始位置 / offset of the first item")
    items: list[InstitutionListItem] = Field(description="本页机构 / institutions on this page")


class DesignationOut(Schema):
    valid_from: dt.date = Field(description="认定起始日 / first day valid")
    valid_to: dt.date | None = Field(description="认定截止日（含）/ last day valid, inclusive")
    document: str = Field(description="认定文号 / designation document number")


class ClassOut(Schema):
    id: int
    institution_id: int = Field(description="所属机构 / institution id")
    name: str = Field(description="班级名称 / class name")
    class_type: ClassType = Field(description="班型 / class type")
    class_type_label: str = Field(description="班型名称 / class type, in words")
    approved_slots: int = Field(description="核定托位 / approved slots")
    enrolled: int = Field(description="在托人数 / children enrolled")
    caregivers: int = Field(description="配备保育人员 / caregivers assigned")
    opened_on: dt.date | None = Field(description="开班日期 / opening date")
    closed_on: dt.date | None = Field(description="撤班日期（首个不再开班的日期）/ first day closed")

    @staticmethod
    def resolve_class_type_label(obj: CareClass) -> str:
        return str(obj.get_class_type_display())


class FeeOut(Schema):
    id: int
    institution_id: int = Field(description="所属机构 / institution id")
    class_type: ClassType = Field(description="班型 / class type")
    full_day_monthly: int = Field(description="全日托月收费（元）/ full-day fee, CNY per month")
    half_day_monthly: int | None = Field(description="半日托月收费（元）/ half-day fee, CNY per month")
    effective_from: dt.date = Field(description="执行起始日 / first day in force")
    effective_to: dt.date | None = Field(description="执行截止日（含）/ last day in force, inclusive")


class InstitutionDetail(InstitutionListItem):
    address: str = Field(description="地址 / address")
    latitude: float | None = Field(description="纬度 / latitude")
    longitude: float | None = Field(description="经度 / longitude")
    is_demonstration: bool = Field(description="示范机构 / demonstration institution")
    is_service_centre: bool = Field(description="托育综合服务中心 / childcare service centre")
    filing_status_label: str = Field(description="备案状态名称 / filing status, in words")
    designations: list[DesignationOut] = Field(description="普惠认定 / 普惠 designations")
    classes: list[ClassOut] = Field(description="班级 / classes")
    fees: list[FeeOut] = Field(description="收费标准 / fees")

    @staticmethod
    def resolve_filing_status_label(obj: Institution) -> str:
        return str(obj.get_filing_status_display())

    @staticmethod
    def resolve_designations(obj: Institution) -> list[PuhuiDesignation]:
        return list(obj.designations.all())

    @staticmethod
    def resolve_classes(obj: Institution) -> list[CareClass]:
        return list(obj.classes.all())

    @staticmethod
    def resolve_fees(obj: Institution) -> list[Fee]:
        return list(obj.fees.all())


# Staff --------------------------------------------------------------------------------


class CertificateOut(Schema):
    cert_type: str = Field(description="证书类型 / certificate type")
    cert_type_label: str = Field(description="证书类型名称 / certificate type, in words")
    number: str = Field(description="证书编号 / certificate number")
    issued_on: dt.date = Field(description="发证日期 / date issued")
    expires_on: dt.date | None = Field(description="有效期至（含）/ valid until, inclusive")
    valid: bool = Field(description="在查询日是否有效 / valid on the reference date")

    @staticmethod
    def from_certificate(certificate: Certificate, day: dt.date) -> CertificateOut:
        return CertificateOut(
            cert_type=certificate.cert_type,
            cert_type_label=str(certificate.get_cert_type_display()),
            number=certificate.number,
            issued_on=certificate.issued_on,
            expires_on=certificate.expires_on,
            valid=certificate.is_valid_on(day),
        )


class StaffOut(Schema):
    employment_id: int = Field(description="任职记录编号 / employment id")
    name: str = Field(description="姓名 / name")
    id_number_masked: str = Field(
        description="脱敏的居民身份证号码 / masked resident ID number (first 4 and last 4 only)"
    )
    role: StaffRole = Field(description="岗位 / role")
    role_label: str = Field(description="岗位名称 / role, in words")
    start: dt.date = Field(description="入职日期 / first day employed")
    end: dt.date | None = Field(description="离职日期（含）/ last day employed, inclusive")
    employed: bool = Field(description="在查询日是否在职 / employed on the reference date")
    certificates: list[CertificateOut] = Field(description="证书 / certificates")


class StaffList(Schema):
    reference_date: dt.date = Field(
        description="判断在职与证书有效性的日期 / date employment and certificate validity are judged on"
    )
    items: list[StaffOut] = Field(description="从业人员 / staff")


# Writes -------------------------------------------------------------------------------


class ClassIn(Schema):
    """A new class. Counts must be ≥ 0 and enrolled ≤ approved slots (checked by the service)."""

    name: str = Field(description="班级名称 / class name", max_length=100)
    class_type: ClassType = Field(description="班型 / class type")
    approved_slots: int = Field(description="核定托位（≥ 0）/ approved slots (≥ 0)")
    enrolled: int = Field(0, description="在托人数（≤ 核定托位）/ children enrolled (≤ approved slots)")
    caregivers: int = Field(0, description="配备保育人员 / caregivers assigned")
    opened_on: dt.date | None = Field(None, description="开班日期 / opening date")
    closed_on: dt.date | None = Field(None, description="撤班日期（首个不再开班的日期）/ first day closed")


class ClassPatch(Schema):
    """Fields to change; fields left out keep their value."""

    name: str | None = Field(None, description="班级名称 / class name", max_length=100)
    class_type: ClassType | None = Field(None, description="班型 / class type")
    approved_slots: int | None = Field(None, description="核定托位（≥ 0）/ approved slots (≥ 0)")
    enrolled: int | None = Field(None, description="在托人数（≤ 核定托位）/ children enrolled")
    caregivers: int | None = Field(None, description="配备保育人员 / caregivers assigned")
    opened_on: dt.date | None = Field(None, description="开班日期 / opening date")
    closed_on: dt.date | None = Field(None, description="撤班日期 / first day closed")


class FeeIn(Schema):
    """A fee of one class type for a period; periods of one class type may not overlap."""

    class_type: ClassType = Field(description="班型 / class type")
    full_day_monthly: int = Field(description="全日托月收费（元，≥ 0）/ full-day fee, CNY per month")
    half_day_monthly: int | None = Field(None, description="半日托月收费（元）/ half-day fee, CNY per month")
    effective_from: dt.date = Field(description="执行起始日 / first day in force")
    effective_to: dt.date | None = Field(None, description="执行截止日（含）/ last day in force, inclusive")
