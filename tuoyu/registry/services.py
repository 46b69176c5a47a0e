"""Every change to the registry.

Each service checks that the actor may make the change, validates the whole change, then
saves it, all in one transaction, with the audit log recording who did it. Invalid input
raises ``ValidationError`` with a message per field; a refused actor raises
``PermissionDenied``. Views, the API, the admin and management commands all call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from tuoyu.accounts.models import User
from tuoyu.common import crypto
from tuoyu.common.audit import audited_change
from tuoyu.common.identifiers import (
    IdentifierError,
    credit_code_normalize,
    resident_id_normalize,
)
from tuoyu.registry import boundaries
from tuoyu.registry.models import (
    CareClass,
    Certificate,
    Employment,
    Fee,
    FilingStatus,
    Institution,
    Ownership,
    PuhuiDesignation,
    Staff,
    Township,
)
from tuoyu.registry.selectors import institution_editable_by


def _require_editor(actor: User | None, institution: Institution) -> None:
    if actor is None or not institution_editable_by(actor, institution):
        raise PermissionDenied(_("您无权修改该机构的信息。"))


def _require_bureau_admin(actor: User | None) -> None:
    if actor is None or not actor.is_bureau_admin:
        raise PermissionDenied(_("仅市卫健局管理员可执行此操作。"))


def _save(instance: Model) -> None:
    instance.full_clean()
    instance.save()


def _check_dates(start: dt.date | None, end: dt.date | None, *, end_field: str, inclusive: bool) -> None:
    if start is None or end is None:
        return
    if end < start or (not inclusive and end == start):
        raise ValidationError({end_field: _("结束日期不能早于开始日期。")})


def _apply(instance: Model, fields: dict[str, Any], *, fixed: tuple[str, ...] = ()) -> None:
    """Set model fields by name. The primary key and the ``fixed`` fields (a class's or a
    fee's institution, which the permission check was made against) are not settable."""
    settable = {
        name
        for field in instance._meta.concrete_fields
        if not field.primary_key
        for name in (field.name, field.attname)
    }
    for name, value in fields.items():
        if name not in settable or name in fixed:
            raise ValidationError({name: _("未知字段。")})
        setattr(instance, name, value)


_FIXED_INSTITUTION = ("institution", "institution_id")


# Institutions -----------------------------------------------------------------------


def institution_validate(institution: Institution) -> None:
    try:
        institution.credit_code = credit_code_normalize(institution.credit_code or "")
    except IdentifierError as error:
        raise ValidationError({"credit_code": str(error)}) from None
    ever_filed = institution.filing_status in (FilingStatus.FILED, FilingStatus.REVOKED)
    if ever_filed and institution.filed_on is None:
        raise ValidationError({"filed_on": _("已备案或已注销备案的机构须填写备案日期。")})
    if institution.filing_status == FilingStatus.REVOKED:
        if institution.filing_revoked_on is None:
            raise ValidationError({"filing_revoked_on": _("已注销备案的机构须填写注销日期。")})
        _check_dates(
            institution.filed_on,
            institution.filing_revoked_on,
            end_field="filing_revoked_on",
            inclusive=False,
        )
    elif institution.filing_revoked_on is not None:
        raise ValidationError({"filing_revoked_on": _("只有已注销备案的机构才有注销日期。")})
    _check_dates(institution.opened_on, institution.closed_on, end_field="closed_on", inclusive=False)


def institution_create(*, actor: User, **fields: Any) -> Institution:
    """Register an institution (bureau admin only)."""
    _require_bureau_admin(actor)
    institution = Institution()
    _apply(institution, fields)
    institution_validate(institution)
    with audited_change(actor):
        _save(institution)
    return institution


def institution_update(*, actor: User, institution: Institution, **fields: Any) -> Institution:
    """Change an institution's own record. Operators may not change filing or ownership."""
    _require_editor(actor, institution)
    bureau_only = {
        "credit_code",
        "ownership",
        "filing_status",
        "filed_on",
        "filing_revoked_on",
        "township",
        "township_id",
        "is_demonstration",
        "is_service_centre",
    }
    if not actor.is_bureau_admin and bureau_only & fields.keys():
        field = sorted(bureau_only & fields.keys())[0]
        raise ValidationError({field: _("该字段由市卫健局维护。")})
    _apply(institution, fields)
    institution_validate(institution)
    with audited_change(actor):
        _save(institution)
    return institution


def designation_add(
    *,
    actor: User,
    institution: Institution,
    valid_from: dt.date,
    valid_to: dt.date | None,
    document: str = "",
) -> PuhuiDesignation:
    """Designate a 民办 institution 普惠 for a period (bureau admin only)."""
    _require_bureau_admin(actor)
    if institution.ownership == Ownership.PUBLIC:
        raise ValidationError({"institution": _("公办机构本身即为普惠，无需认定。")})
    _check_dates(valid_from, valid_to, end_field="valid_to", inclusive=True)
    designation = PuhuiDesignation(
        institution=institution, valid_from=valid_from, valid_to=valid_to, document=document
    )
    overlapping = institution.designations.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    if overlapping.exists():
        raise ValidationError({"valid_from": _("与已有普惠认定期间重叠。")})
    with audited_change(actor):
        _save(designation)
    return designation


# Classes ----------------------------------------------------------------------------


def care_class_validate(care_class: CareClass) -> None:
    if care_class.approved_slots is not None and care_class.approved_slots < 0:
        raise ValidationError({"approved_slots": _("核定托位不能为负数。")})
    if (
        care_class.enrolled is not None
        and care_class.approved_slots is not None
        and care_class.enrolled > care_class.approved_slots
    ):
        raise ValidationError({"enrolled": _("在托人数不能超过核定托位。")})
    _check_dates(care_class.opened_on, care_class.closed_on, end_field="closed_on", inclusive=False)


def care_class_create(*, actor: User, institution: Institution, **fields: Any) -> CareClass:
    _require_editor(actor, institution)
    care_class = CareClass(institution=institution)
    _apply(care_class, fields, fixed=_FIXED_INSTITUTION)
    care_class_validate(care_class)
    with audited_change(actor):
        _save(care_class)
    return care_class


def care_class_update(*, actor: User, care_class: CareClass, **fields: Any) -> CareClass:
    _require_editor(actor, care_class.institution)
    fields.pop("institution", None)
    _apply(care_class, fields, fixed=_FIXED_INSTITUTION)
    care_class_validate(care_class)
    with audited_change(actor):
        _save(care_class)
    return care_class


def care_class_delete(*, actor: User, care_class: CareClass) -> None:
    _require_editor(actor, care_class.institution)
    with audited_change(actor):
        care_class.delete()


# Fees -------------------------------------------------------------------------------


def fee_validate(fee: Fee) -> None:
    for name in ("full_day_monthly", "half_day_monthly"):
        amount = getattr(fee, name)
        if amount is not None and Decimal(amount) < 0:
            raise ValidationError({name: _("收费不能为负数。")})
    _check_dates(fee.effective_from, fee.effective_to, end_field="effective_to", inclusive=True)
    if fee.effective_from is None:
        return
    others = Fee.objects.filter(institution=fee.institution, class_type=fee.class_type).exclude(pk=fee.pk)
    others = others.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=fee.effective_from))
    if fee.effective_to is not None:
        others = others.filter(effective_from__lte=fee.effective_to)
    clash = others.first()
    if clash is not None:
        raise ValidationError(
            {
                "effective_from": _("与 %(start)s 起执行的同班型收费期间重叠。")
                % {"start": clash.effective_from.isoformat()}
            }
        )


def fee_create(*, actor: User, institution: Institution, **fields: Any) -> Fee:
    _require_editor(actor, institution)
    fee = Fee(institution=institution)
    _apply(fee, fields, fixed=_FIXED_INSTITUTION)
    fee_validate(fee)
    with audited_change(actor):
        _save(fee)
    return fee


def fee_update(*, actor: User, fee: Fee, **fields: Any) -> Fee:
    _require_editor(actor, fee.institution)
    fields.pop("institution", None)
    _apply(fee, fields, fixed=_FIXED_INSTITUTION)
    fee_validate(fee)
    with audited_change(actor):
        _save(fee)
    return fee


def fee_delete(*, actor: User, fee: Fee) -> None:
    _require_editor(actor, fee.institution)
    with audited_change(actor):
        fee.delete()


# Staff ------------------------------------------------------------------------------


def _normalized_id(id_number: str) -> str:
    try:
        return resident_id_normalize(id_number)
    except IdentifierError as error:
        raise ValidationError({"id_number": str(error)}) from None


StaffHireCheck = Callable[[str], "str | None"]
staff_hire_checks: list[StaffHireCheck] = []
"""Checks run on the ID number's blind index before anyone is hired; each returns a
refusal message or ``None``. The supervision app registers the 从业禁止 list here, so the
registry needs no knowledge of it."""


def staff_hire(
    *,
    actor: User,
    institution: Institution,
    name: str,
    id_number: str,
    role: str,
    start: dt.date,
    phone: str = "",
) -> Employment:
    """Add a person to an institution's staff.

    The person is found by ID number through the blind index, so someone who worked
    elsewhere keeps one record and their employment history follows them.
    """
    _require_editor(actor, institution)
    normalized = _normalized_id(id_number)
    if not name.strip():
        raise ValidationError({"name": _("请填写姓名。")})
    index = crypto.blind_index(normalized, purpose=Staff.ID_PURPOSE)
    for check in staff_hire_checks:
        refusal = check(index)
        if refusal:
            raise ValidationError({"id_number": refusal})
    with audited_change(actor):
        staff = Staff.objects.select_for_update().filter(id_number_index=index).first()
        if staff is None:
            staff = Staff(
                name=name.strip(),
                phone=phone,
                id_number_ciphertext=crypto.encrypt(normalized, purpose=Staff.ID_PURPOSE),
                id_number_index=index,
            )
            _save(staff)
        elif Employment.objects.filter(staff=staff, institution=institution, end__isnull=True).exists():
            raise ValidationError({"id_number": _("此人已在本机构任职。")})
        employment = Employment(staff=staff, institution=institution, role=role, start=start)
        _save(employment)
    return employment


def employment_end(*, actor: User, employment: Employment, end: dt.date) -> Employment:
    _require_editor(actor, employment.institution)
    _check_dates(employment.start, end, end_field="end", inclusive=True)
    employment.end = end
    with audited_change(actor):
        _save(employment)
    return employment


def staff_update(*, actor: User, employment: Employment, name: str, phone: str, role: str) -> Employment:
    """Correct a person's name and phone and their role at this institution."""
    _require_editor(actor, employment.institution)
    if not name.strip():
        raise ValidationError({"name": _("请填写姓名。")})
    staff = employment.staff
    staff.name, staff.phone = name.strip(), phone
    employment.role = role
    with audited_change(actor):
        _save(staff)
        _save(employment)
    return employment


def certificate_add(
    *,
    actor: User,
    employment: Employment,
    cert_type: str,
    number: str,
    issued_on: dt.date,
    expires_on: dt.date | None,
) -> Certificate:
    """Record a certificate of a person employed at an institution the actor edits."""
    _require_editor(actor, employment.institution)
    _check_dates(issued_on, expires_on, end_field="expires_on", inclusive=True)
    certificate = Certificate(
        staff=employment.staff, cert_type=cert_type, number=number, issued_on=issued_on, expires_on=expires_on
    )
    with audited_change(actor):
        _save(certificate)
    return certificate


def certificate_delete(*, actor: User, employment: Employment, certificate: Certificate) -> None:
    _require_editor(actor, employment.institution)
    if certificate.staff_id != employment.staff_id:
        raise ValidationError({"certificate": _("该证书不属于此任职人员。")})
    with audited_change(actor):
        certificate.delete()


# Township boundaries --------------------------------------------------------------------


def township_boundaries_import(
    *, actor: User, data: bytes, match: str = boundaries.MATCH_CODE, property_name: str = ""
) -> boundaries.BoundaryImportResult:
    """Replace township boundaries with surveyed ones from a GeoJSON FeatureCollection
    (bureau admin only).

    Each feature names its township by ``match`` (``code`` or ``name``), read from the
    property ``property_name`` (by default the same as ``match``). All or nothing: every
    feature is checked first, and any problem raises ``BoundaryImportError`` (a
    ``ValidationError``) listing them all, with nothing saved. Each matched township gets
    the feature's geometry as its boundary, no longer marked approximate. Townships the
    file leaves without an imported boundary are returned as a warning.
    """
    _require_bureau_admin(actor)
    if match not in boundaries.MATCHES:
        raise ValidationError({"match": _("匹配方式须为区划代码或名称。")})
    parsed = boundaries.parse_collection(data, match=match, property_name=property_name)
    with audited_change(actor):
        townships = {
            township.pk: township for township in Township.objects.select_for_update().order_by("code")
        }
        known = [boundaries.KnownTownship(t.pk, t.code, t.name) for t in townships.values()]
        matched, unmatched = boundaries.match_features(parsed.features, known, match=match)
        problems = boundaries.problems_in_order(parsed.problems, unmatched)
        if problems:
            raise boundaries.BoundaryImportError(problems)
        for pk, feature in matched.items():
            township = townships[pk]
            township.boundary = feature.geometry
            township.boundary_approximate = False
            _save(township)
    without = tuple(
        township
        for township in known
        if township.pk not in matched
        and (townships[township.pk].boundary is None or townships[township.pk].boundary_approximate)
    )
    return boundaries.BoundaryImportResult(updated=len(matched), without_boundary=without)
