"""The registry API: scoped reads and the operators' writes.

Every read goes through ``tuoyu.registry.selectors`` and every write through
``tuoyu.registry.services``, so the API sees exactly what the HTML views see and shares
their validation and audit log. Session authentication with CSRF (set on the NinjaAPI in
``tuoyu.api``): anonymous callers get 401. A role that sees no registry data gets empty
lists and 404 for details; objects outside the caller's scope are 404, never 403, so the
API does not reveal what exists. Writes by a role that may not write at all are 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.errors import AuthenticationError

from tuoyu.accounts.models import User
from tuoyu.registry import services
from tuoyu.registry.models import CareClass, Fee, Form, Institution, Ownership, Township, TownshipKind
from tuoyu.registry.schemas import (
    CertificateOut,
    ClassIn,
    ClassOut,
    ClassPatch,
    ErrorOut,
    FeeIn,
    FeeOut,
    InstitutionDetail,
    InstitutionPage,
    StaffList,
    StaffOut,
    TownshipOut,
    ValidationErrorOut,
)
from tuoyu.registry.selectors import (
    InstitutionFilters,
    classes_visible_to,
    institution_detail,
    institution_list,
    institution_staff,
    institutions_visible_to,
    puhui_on,
    township_children_under_3,
    townships_visible_to,
)

router = Router(tags=["registry"])

AsOf = Annotated[
    dt.date | None,
    Query(
        description="查询日期 YYYY-MM-DD，默认为今天（北京时间）/ as-of date, default today in Asia/Shanghai"
    ),
]
InstitutionId = Annotated[int, Path(description="机构编号 / institution id")]

READ_ERRORS: dict[int, type] = {401: ErrorOut, 422: ValidationErrorOut}
DETAIL_ERRORS: dict[int, type] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, type] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def today() -> dt.date:
    """Today in Linhai (settings.TIME_ZONE is Asia/Shanghai), whatever the server's zone."""
    return timezone.localdate()


def _actor(request: HttpRequest) -> User:
    """The logged-in user; SessionAuth has already refused anonymous callers."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise AuthenticationError()
    return user


def _may_write(user: User) -> bool:
    """Whether the role writes registry data at all; the services decide per institution."""
    return user.is_bureau_admin or user.is_institution_operator


def _writable_institution(user: User, institution_id: int) -> Institution:
    institution = institutions_visible_to(user).filter(pk=institution_id).first()
    if institution is None:
        if not _may_write(user):
            raise PermissionDenied(_("您无权修改该机构的信息。"))
        raise Http404
    return institution


# Townships ----------------------------------------------------------------------------


@router.get(
    "/townships",
    operation_id="list_townships",
    response={200: list[TownshipOut], 401: ErrorOut},
    summary="镇（街道）列表 / townships",
)
def township_list(request: HttpRequest) -> list[TownshipOut]:
    """Townships the caller may see, with children under 3 of the latest year with figures."""
    user = _actor(request)
    children = township_children_under_3(user=user)
    townships = townships_visible_to(user).order_by("code").distinct()
    result = []
    for township in townships:
        year, count = children.get(township.pk, (None, None))
        result.append(
            TownshipOut(
                code=township.code,
                name=township.name,
                kind=TownshipKind(township.kind),
                kind_label=str(township.get_kind_display()),
                latitude=township.latitude,
                longitude=township.longitude,
                children_under_3=count,
                children_year=year,
            )
        )
    return result


# Institutions -------------------------------------------------------------------------


@router.get(
    "/institutions",
    operation_id="list_institutions",
    response={200: InstitutionPage, **READ_ERRORS},
    summary="托育机构列表 / institutions",
)
def institution_list_api(
    request: HttpRequest,
    township: Annotated[str | None, Query(description="镇（街道）区划代码 / township code")] = None,
    form: Annotated[Form | None, Query(description="服务形式 / form of provision")] = None,
    puhui: Annotated[
        bool | None, Query(description="在查询日是否普惠 true/false / 普惠 on the as-of date")
    ] = None,
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=500, description="每页条数 / page size (1–500)")] = 50,
    offset: Annotated[int, Query(ge=0, description="起始位置 / offset")] = 0,
) -> InstitutionPage:
    """Institutions the caller may see, filtered and paginated, with the total count."""
    user = _actor(request)
    day = as_of or today()
    empty = InstitutionPage(as_of=day, count=0, limit=limit, offset=offset, items=[])
    township_id: int | None = None
    if township:
        township_id = Township.objects.filter(code=township).values_list("pk", flat=True).first()
        if township_id is None:
            return empty
    filters = InstitutionFilters(township_id=township_id, form=form, puhui=puhui)
    institutions = institution_list(user=user, filters=filters, as_of=day).annotate(
        puhui=ExpressionWrapper(puhui_on(day), output_field=BooleanField())
    )
    count = institutions.count()
    items = list(institutions[offset : offset + limit])
    return InstitutionPage.model_validate(
        {"as_of": day, "count": count, "limit": limit, "offset": offset, "items": items}
    )


@router.get(
    "/institutions/{institution_id}",
    operation_id="get_institution",
    response={200: InstitutionDetail, **DETAIL_ERRORS},
    summary="托育机构详情 / institution detail",
)
def institution_detail_api(
    request: HttpRequest, institution_id: InstitutionId, as_of: AsOf = None
) -> Institution:
    """Identity, filing, 普惠 designations, classes and fees of one institution."""
    user = _actor(request)
    institution = institution_detail(user=user, institution_id=institution_id)
    if institution is None:
        raise Http404
    day = as_of or today()
    institution.puhui = institution.ownership == Ownership.PUBLIC or any(  # type: ignore[attr-defined]
        designation.covers(day) for designation in institution.designations.all()
    )
    return institution


@router.get(
    "/institutions/{institution_id}/staff",
    operation_id="list_institution_staff",
    response={200: StaffList, **DETAIL_ERRORS},
    summary="从业人员 / staff of an institution",
)
def institution_staff_api(
    request: HttpRequest,
    institution_id: InstitutionId,
    as_of: Annotated[
        dt.date | None,
        Query(
            description="只列出该日在职人员；默认列出全部任职记录并按今天判断证书有效性 / "
            "only staff employed on this date; default: every employment, validity judged today"
        ),
    ] = None,
) -> StaffList:
    """Staff with masked ID numbers, roles, dates and certificates; never the plain ID."""
    user = _actor(request)
    institution = institutions_visible_to(user).filter(pk=institution_id).first()
    if institution is None:
        raise Http404
    day = as_of or today()
    items = []
    for row in institution_staff(institution=institution, as_of=as_of):
        employment = row["employment"]
        items.append(
            StaffOut(
                employment_id=employment.pk,
                name=row["staff"].name,
                id_number_masked=row["id_number_masked"],
                role=employment.role,
                role_label=str(employment.get_role_display()),
                start=employment.start,
                end=employment.end,
                employed=employment.is_active_on(day),
                certificates=[CertificateOut.from_certificate(cert, day) for cert in row["certificates"]],
            )
        )
    return StaffList(reference_date=day, items=items)


# Writes -------------------------------------------------------------------------------


@router.post(
    "/institutions/{institution_id}/classes",
    operation_id="create_class",
    response={201: ClassOut, **WRITE_ERRORS},
    summary="新增班级 / add a class",
)
def class_create_api(
    request: HttpRequest, institution_id: InstitutionId, payload: ClassIn
) -> Status[CareClass]:
    """Add a class to an institution (its operator or the bureau admin)."""
    user = _actor(request)
    institution = _writable_institution(user, institution_id)
    care_class = services.care_class_create(actor=user, institution=institution, **payload.model_dump())
    return Status(201, care_class)


@router.patch(
    "/classes/{class_id}",
    operation_id="update_class",
    response={200: ClassOut, **WRITE_ERRORS},
    summary="修改班级 / change a class",
)
def class_update_api(
    request: HttpRequest,
    class_id: Annotated[int, Path(description="班级编号 / class id")],
    payload: ClassPatch,
) -> CareClass:
    """Change the fields given; the others keep their value."""
    user = _actor(request)
    care_class = classes_visible_to(user).select_related("institution").filter(pk=class_id).first()
    if care_class is None:
        if not _may_write(user):
            raise PermissionDenied(_("您无权修改该机构的信息。"))
        raise Http404
    return services.care_class_update(
        actor=user, care_class=care_class, **payload.model_dump(exclude_unset=True)
    )


@router.post(
    "/institutions/{institution_id}/fees",
    operation_id="create_fee",
    response={201: FeeOut, **WRITE_ERRORS},
    summary="新增收费标准 / add a fee",
)
def fee_create_api(request: HttpRequest, institution_id: InstitutionId, payload: FeeIn) -> Status[Fee]:
    """Add a fee of one class type for a period that overlaps no other of that type."""
    user = _actor(request)
    institution = _writable_institution(user, institution_id)
    fee = services.fee_create(actor=user, institution=institution, **payload.model_dump())
    return Status(201, fee)
