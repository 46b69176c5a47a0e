"""The parents' portal API: the same search and disclosure as the pages, without login.

Public (``auth=None``): it publishes only what an institution must disclose, no personal
data. The query parameters are typed by the schema, then checked together by the page's
form, so a cross-field error (a fee range upside down) is a 422 naming the field too.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema

from tuoyu.portal.forms import ParentSearchForm
from tuoyu.portal.selectors import (
    PAGE_SIZE,
    InstitutionCard,
    institution_cards,
    institution_disclosure,
    institutions_for_parents,
    supervision_disclosure,
)
from tuoyu.registry.api import today
from tuoyu.registry.models import ClassType, Form, Ownership
from tuoyu.registry.schemas import ErrorOut, ValidationErrorOut

router = Router(tags=["portal"])


class ParentQuery(Schema):
    birth_date: dt.date | None = Field(None, description="宝宝出生日期 YYYY-MM-DD / the child's birth date")
    start_month: str | None = Field(
        None,
        pattern=r"^\d{4}-\d{2}$",
        description="计划入托月份 YYYY-MM，默认为下个月 / start month, default next month",
    )
    form: Form | None = Field(None, description="服务形式 / form of service")
    puhui: bool = Field(False, description="只看普惠机构 / 普惠 institutions only")
    vacancies: bool = Field(False, description="只看有空余托位 / only with a vacancy in a fitting class")
    fee_min: int | None = Field(None, ge=0, description="全日托月收费下限（元）/ minimum full-day fee")
    fee_max: int | None = Field(None, ge=0, description="全日托月收费上限（元）/ maximum full-day fee")
    township: str | None = Field(
        None, description="以该镇（街道）中心计算距离（区划代码）/ township code whose centre is the point"
    )
    lat: float | None = Field(None, ge=-90, le=90, description="纬度 / latitude of the point")
    lon: float | None = Field(None, ge=-180, le=180, description="经度 / longitude of the point")
    max_distance_km: float | None = Field(None, gt=0, description="最远距离（公里）/ maximum distance, km")
    page: int = Field(1, ge=1, description="页码，每页 20 家 / page number, 20 a page")


class FeeLineOut(Schema):
    class_type: ClassType = Field(description="班型 / class type")
    label: str = Field(description="班型名称 / class type, in words")
    full_day_monthly: int = Field(description="全日托月收费（元）/ full-day fee, CNY per month")
    half_day_monthly: int | None = Field(description="半日托月收费（元）/ half-day fee, CNY per month")


class ClassLineOut(Schema):
    class_type: ClassType = Field(description="班型 / class type")
    label: str = Field(description="班型名称 / class type, in words")
    classes: int = Field(description="班级数 / number of classes")
    approved_slots: int = Field(description="核定托位 / approved slots")
    vacancies: int = Field(description="空余托位 / vacancies")


class PortalInstitutionOut(Schema):
    id: int
    name: str = Field(description="机构名称 / name")
    township_code: str = Field(description="镇（街道）区划代码 / township code")
    township_name: str = Field(description="镇（街道）/ township")
    address: str = Field(description="地址 / address")
    form: Form = Field(description="服务形式 / form of service")
    form_label: str = Field(description="服务形式名称 / form, in words")
    ownership: Ownership = Field(description="性质 / ownership")
    ownership_label: str = Field(description="性质名称 / ownership, in words")
    filed_on: dt.date | None = Field(description="备案日期 / filing date")
    puhui: bool = Field(description="今天是否普惠 / 普惠 today")
    puhui_from: dt.date | None = Field(description="普惠认定起始日 / designation start")
    puhui_to: dt.date | None = Field(description="普惠认定截止日（含）/ designation end, inclusive")
    is_demonstration: bool = Field(description="示范机构 / demonstration institution")
    is_service_centre: bool = Field(description="托育综合服务中心 / childcare service centre")
    latitude: float | None = Field(description="纬度 / latitude")
    longitude: float | None = Field(description="经度 / longitude")
    distance_km: float | None = Field(description="与所给位置的直线距离（公里）/ straight-line distance, km")
    fees: list[FeeLineOut] = Field(description="现行收费标准 / fees in force today")
    classes: list[ClassLineOut] = Field(description="按班型的托位与空余 / slots and vacancies by class type")


class PublicInspectionOut(Schema):
    inspected_on: dt.date = Field(description="检查日期 / inspected on")
    kind: str = Field(description="检查类型 / kind, in words")
    conclusion: str = Field(description="检查结论 / conclusion, in words")
    critical: int = Field(description="严重问题数 / critical violations")
    major: int = Field(description="一般问题数 / major violations")
    minor: int = Field(description="轻微问题数 / minor violations")


class PortalInstitutionDetailOut(PortalInstitutionOut):
    """The disclosure of one institution, with its credit grade and the published
    inspections of the last five years; no inspector names, no notes."""

    credit_grade: str = Field(description="信用等级 A–D / credit grade")
    inspections: list[PublicInspectionOut] = Field(
        description="近五年已公示的检查结果，最新在前 / published inspections of the last five years"
    )


class PortalPageOut(Schema):
    count: int = Field(description="符合条件的机构总数 / number of matching institutions")
    page: int = Field(description="页码 / page number")
    pages: int = Field(description="总页数 / number of pages")
    age_months: int | None = Field(description="入托时的月龄 / age in months at the start month")
    fitting_class_types: list[ClassType] | None = Field(
        description="适合的班型（空表示没有适合的班型）/ fitting class types (empty: none fits)"
    )
    items: list[PortalInstitutionOut]


def _out(card: InstitutionCard) -> PortalInstitutionOut:
    institution = card.institution
    designation = card.designation
    return PortalInstitutionOut(
        id=institution.pk,
        name=institution.name,
        township_code=institution.township.code,
        township_name=institution.township.name,
        address=institution.address,
        form=Form(institution.form),
        form_label=str(institution.get_form_display()),  # type: ignore[attr-defined]
        ownership=Ownership(institution.ownership),
        ownership_label=str(institution.get_ownership_display()),  # type: ignore[attr-defined]
        filed_on=institution.filed_on,
        puhui=card.puhui,
        puhui_from=None if designation is None else designation.valid_from,
        puhui_to=None if designation is None else designation.valid_to,
        is_demonstration=institution.is_demonstration,
        is_service_centre=institution.is_service_centre,
        latitude=institution.latitude,
        longitude=institution.longitude,
        distance_km=None if card.distance_km is None else round(card.distance_km, 2),
        fees=[FeeLineOut(**vars(line)) for line in card.fees],
        classes=[
            ClassLineOut(
                class_type=ClassType(line.class_type),
                label=line.label,
                classes=line.classes,
                approved_slots=line.approved_slots,
                vacancies=line.vacancies,
            )
            for line in card.classes
        ],
    )


@router.get(
    "/portal/institutions",
    operation_id="portal_list_institutions",
    auth=None,
    response={200: PortalPageOut, 422: ValidationErrorOut},
    summary="查找托育机构（公开）/ find childcare institutions (public)",
)
def list_institutions(request: HttpRequest, query: Query[ParentQuery]) -> PortalPageOut:
    """Filed, operating institutions matching a parent's search, nearest first when a point
    is given, 20 a page. The query count does not depend on the number of institutions."""
    day = today()
    form = ParentSearchForm(request.GET, today=day)
    if not form.is_valid():
        raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
    filters = form.filters()
    matches = institutions_for_parents(filters=filters, as_of=day)
    paginator = Paginator(matches, PAGE_SIZE)
    page = paginator.get_page(query.page)
    cards = institution_cards(matches=list(page.object_list), as_of=day, fitting=filters.class_types or ())
    return PortalPageOut(
        count=paginator.count,
        page=page.number,
        pages=paginator.num_pages,
        age_months=form.age_months(),
        fitting_class_types=None
        if filters.class_types is None
        else [ClassType(kind) for kind in filters.class_types],
        items=[_out(card) for card in cards],
    )


@router.get(
    "/portal/institutions/{institution_id}",
    operation_id="portal_get_institution",
    auth=None,
    response={200: PortalInstitutionDetailOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="托育机构信息公示（公开）/ an institution's public disclosure (public)",
)
def get_institution(
    request: HttpRequest,
    institution_id: Annotated[int, Path(description="机构编号 / institution id")],
) -> PortalInstitutionDetailOut:
    """What the institution discloses today, with its credit grade and published
    inspections; 404 when it is not filed or not operating."""
    day = today()
    card = institution_disclosure(institution_id=institution_id, as_of=day)
    if card is None:
        raise Http404("institution not found")
    disclosure = supervision_disclosure(institution=card.institution, as_of=day)
    return PortalInstitutionDetailOut(
        **_out(card).model_dump(),
        credit_grade=disclosure.grade,
        inspections=[PublicInspectionOut(**vars(row)) for row in disclosure.inspections],
    )
