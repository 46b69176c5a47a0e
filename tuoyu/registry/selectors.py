"""Every read of the registry that depends on who is asking.

Views, exports, the API and the admin read through these functions; nothing else
filters by role. The rule, for each model:

* bureau admin: everything;
* township official: their own township, read only;
* institution operator: their own institution (and its township's name), read and write;
* everyone else: nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from tuoyu.accounts.models import User
from tuoyu.common import crypto
from tuoyu.common.identifiers import IdentifierError, resident_id_normalize
from tuoyu.registry.models import (
    CareClass,
    Certificate,
    ChildPopulation,
    Dataset,
    Employment,
    Fee,
    FilingStatus,
    Institution,
    PuhuiDesignation,
    Staff,
    Township,
)

AnyUser = User | AnonymousUser


def registry_revision() -> tuple[Any, ...]:
    """Changes whenever anything the figures depend on changes.

    Every write through the services, the admin or a model's ``save`` leaves an audit-log
    entry, and the audit log only grows; bulk loads (the demo and province generators)
    write a new ``Dataset`` row with its load time. Two index look-ups, whatever the
    size of the registry.
    """
    latest_entry = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    latest_load = Dataset.objects.order_by("-loaded_at").values_list("pk", "loaded_at").first()
    return (latest_entry, latest_load)


def dataset_is_synthetic() -> bool:
    return Dataset.objects.filter(synthetic=True).exists()


def _registry_user(user: AnyUser) -> User | None:
    if isinstance(user, User) and user.is_authenticated and user.sees_registry:
        return user
    return None


def _required(scope_id: int | None) -> int:
    # A scoped role without its scope sees nothing: -1 matches no row.
    return -1 if scope_id is None else scope_id


def townships_visible_to(user: AnyUser) -> QuerySet[Township]:
    registry_user = _registry_user(user)
    if registry_user is None:
        return Township.objects.none()
    if registry_user.is_bureau_admin:
        return Township.objects.all()
    if registry_user.is_township_official:
        return Township.objects.filter(pk=_required(registry_user.township_id))
    return Township.objects.filter(institutions__pk=_required(registry_user.institution_id))


def township_children_under_3(*, user: AnyUser) -> dict[int, tuple[int, int]]:
    """Children under 3 of each township the user may see, in the latest year with figures.

    Township id -> (year, children); one query whatever the number of townships.
    """
    rows = (
        ChildPopulation.objects.filter(township__in=townships_visible_to(user))
        .values_list("township_id", "year")
        .annotate(total=Sum("children"))
        .order_by("township_id", "year")
    )
    return {township_id: (year, total) for township_id, year, total in rows}


def institutions_visible_to(user: AnyUser) -> QuerySet[Institution]:
    registry_user = _registry_user(user)
    if registry_user is None:
        return Institution.objects.none()
    if registry_user.is_bureau_admin:
        return Institution.objects.all()
    if registry_user.is_township_official:
        return Institution.objects.filter(township_id=_required(registry_user.township_id))
    return Institution.objects.filter(pk=_required(registry_user.institution_id))


def institution_editable_by(user: AnyUser, institution: Institution) -> bool:
    registry_user = _registry_user(user)
    if registry_user is None:
        return False
    if registry_user.is_bureau_admin:
        return True
    return registry_user.is_institution_operator and registry_user.institution_id == institution.pk


def classes_visible_to(user: AnyUser) -> QuerySet[CareClass]:
    return CareClass.objects.filter(institution__in=institutions_visible_to(user))


def fees_visible_to(user: AnyUser) -> QuerySet[Fee]:
    return Fee.objects.filter(institution__in=institutions_visible_to(user))


def designations_visible_to(user: AnyUser) -> QuerySet[PuhuiDesignation]:
    return PuhuiDesignation.objects.filter(institution__in=institutions_visible_to(user))


def employments_visible_to(user: AnyUser) -> QuerySet[Employment]:
    return Employment.objects.filter(institution__in=institutions_visible_to(user))


def staff_visible_to(user: AnyUser) -> QuerySet[Staff]:
    """People who have worked at an institution the user may see."""
    registry_user = _registry_user(user)
    if registry_user is None:
        return Staff.objects.none()
    if registry_user.is_bureau_admin:
        return Staff.objects.all()
    employed_here = Employment.objects.filter(
        staff=OuterRef("pk"), institution__in=institutions_visible_to(registry_user)
    )
    return Staff.objects.filter(Exists(employed_here))


def certificates_visible_to(user: AnyUser) -> QuerySet[Certificate]:
    return Certificate.objects.filter(staff__in=staff_visible_to(user))


def staff_find_by_id_number(user: AnyUser, id_number: str) -> Staff | None:
    """Exact look-up through the blind index; None when malformed or not visible."""
    try:
        normalized = resident_id_normalize(id_number)
    except IdentifierError:
        return None
    index = crypto.blind_index(normalized, purpose=Staff.ID_PURPOSE)
    return staff_visible_to(user).filter(id_number_index=index).first()


@dataclass(frozen=True)
class InstitutionFilters:
    township_id: int | None = None
    form: str | None = None
    puhui: bool | None = None
    with_violations: bool | None = None
    search: str = ""


def counted_on(day: dt.date) -> Q:
    """Institutions whose slots count on ``day``: filed (a revoked filing until its end
    date) and operating. The indicator engine's rule, as a query, for reads that only
    need the institutions."""
    return (
        Q(filed_on__lte=day)
        & (
            Q(filing_status=FilingStatus.FILED)
            | Q(filing_status=FilingStatus.REVOKED, filing_revoked_on__gt=day)
        )
        & (Q(opened_on__isnull=True) | Q(opened_on__lte=day))
        & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    )


def classes_open_on(day: dt.date, *, prefix: str = "") -> Q:
    """Classes operating on ``day``; ``prefix`` (``"classes__"``) reads them from their
    institution."""
    return (Q(**{f"{prefix}opened_on__isnull": True}) | Q(**{f"{prefix}opened_on__lte": day})) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": day})
    )


def puhui_on(day: dt.date) -> Q:
    """Institutions that are 普惠 on ``day``: 公办, or a designation covering the day."""
    designated = PuhuiDesignation.objects.filter(institution=OuterRef("pk"), valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    return Q(ownership="public") | Q(Exists(designated))


def institution_list(*, user: AnyUser, filters: InstitutionFilters, as_of: dt.date) -> QuerySet[Institution]:
    """Institutions the user may see, filtered; violations are filtered by the caller's ids."""
    institutions = institutions_visible_to(user).select_related("township")
    if filters.township_id is not None:
        institutions = institutions.filter(township_id=filters.township_id)
    if filters.form:
        institutions = institutions.filter(form=filters.form)
    if filters.puhui is not None:
        condition = puhui_on(as_of)
        institutions = institutions.filter(condition if filters.puhui else ~condition)
    if filters.search:
        institutions = institutions.filter(
            Q(name__icontains=filters.search) | Q(credit_code__icontains=filters.search)
        )
    return institutions.order_by("township__code", "name")


def institution_detail(*, user: AnyUser, institution_id: int) -> Institution | None:
    return (
        institutions_visible_to(user)
        .select_related("township")
        .prefetch_related("classes", "fees", "designations")
        .filter(pk=institution_id)
        .first()
    )


def institution_staff(*, institution: Institution, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Employments at an institution with the person's masked ID and certificates."""
    employments = (
        Employment.objects.filter(institution=institution)
        .select_related("staff")
        .prefetch_related("staff__certificates")
        .order_by("end", "staff__name")
    )
    if as_of is not None:
        employments = employments.filter(start__lte=as_of).filter(Q(end__isnull=True) | Q(end__gte=as_of))
    return [
        {
            "employment": employment,
            "staff": employment.staff,
            "id_number_masked": employment.staff.id_number_masked,
            "certificates": list(employment.staff.certificates.all()),
        }
        for employment in employments
    ]
