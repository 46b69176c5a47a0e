"""Reads for safety supervision, scoped by who asks.

* supervision lead and bureau admin: everything;
* inspector: the inspections assigned to them, and their rectification orders;
* operator: their institution's published inspections, its orders, incidents and credit;
* township official: the published inspections, orders, incidents and credit of the
  institutions of their township, read only;
* everyone (the portal): an institution's current grade and its published inspections
  of the last five years, with findings counted by severity, and published draws.

Complaints carry a contact number: only supervisors see them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tuoyu.accounts.models import User
from tuoyu.engine.credit import window_start
from tuoyu.registry.models import Institution
from tuoyu.supervision import credit
from tuoyu.supervision.models import (
    CaseStatus,
    Complaint,
    CreditEvent,
    CreditGrade,
    FindingResult,
    IncidentReport,
    Inspection,
    InspectionStatus,
    OrderStatus,
    PlanStatus,
    RectificationOrder,
    SamplingPlan,
)
from tuoyu.supervision.services import is_supervisor

PUBLIC_YEARS = 5


def _account(user: object) -> User | None:
    return user if isinstance(user, User) and user.is_active else None


def sees_supervision(user: object) -> bool:
    """Who has supervision pages at all (parents and the public use the portal)."""
    account = _account(user)
    return account is not None and (
        is_supervisor(account)
        or account.is_inspector
        or account.is_institution_operator
        or account.is_township_official
    )


def inspections_visible_to(user: object) -> QuerySet[Inspection]:
    account = _account(user)
    inspections = Inspection.objects.select_related("institution__township", "plan", "checklist")
    if account is None:
        return inspections.none()
    if is_supervisor(account):
        return inspections
    if account.is_inspector:
        return inspections.filter(inspectors=account)
    published = inspections.filter(status=InspectionStatus.PUBLISHED)
    if account.is_institution_operator:
        return published.filter(institution_id=account.institution_id or -1)
    if account.is_township_official:
        return published.filter(institution__township_id=account.township_id or -1)
    return inspections.none()


def orders_visible_to(user: object) -> QuerySet[RectificationOrder]:
    account = _account(user)
    orders = RectificationOrder.objects.select_related("institution", "finding__item", "finding__inspection")
    if account is None:
        return orders.none()
    if is_supervisor(account):
        return orders
    if account.is_inspector:
        return orders.filter(finding__inspection__inspectors=account)
    if account.is_institution_operator:
        return orders.filter(institution_id=account.institution_id or -1)
    if account.is_township_official:
        return orders.filter(institution__township_id=account.township_id or -1)
    return orders.none()


def complaints_visible_to(user: object) -> QuerySet[Complaint]:
    account = _account(user)
    if account is None or not is_supervisor(account):
        return Complaint.objects.none()
    return Complaint.objects.select_related("institution__township")


def incidents_visible_to(user: object) -> QuerySet[IncidentReport]:
    account = _account(user)
    incidents = IncidentReport.objects.select_related("institution__township")
    if account is None:
        return incidents.none()
    if is_supervisor(account):
        return incidents
    if account.is_institution_operator:
        return incidents.filter(institution_id=account.institution_id or -1)
    if account.is_township_official:
        return incidents.filter(institution__township_id=account.township_id or -1)
    return incidents.none()


def credit_institutions_visible_to(user: object) -> QuerySet[Institution]:
    """Institutions whose credit archive (events, history, reasons) the user may read."""
    account = _account(user)
    institutions = Institution.objects.select_related("township")
    if account is None:
        return institutions.none()
    if is_supervisor(account):
        return institutions
    if account.is_institution_operator:
        return institutions.filter(pk=account.institution_id or -1)
    if account.is_township_official:
        return institutions.filter(township_id=account.township_id or -1)
    return institutions.none()


def plans_visible_to(user: object) -> QuerySet[SamplingPlan]:
    account = _account(user)
    if account is not None and is_supervisor(account):
        return SamplingPlan.objects.all()
    return plans_public()


def plans_public() -> QuerySet[SamplingPlan]:
    """Plans whose commitment (and, once drawn, seed and outcome) are public."""
    return SamplingPlan.objects.exclude(status=PlanStatus.DRAFT)


@dataclass(frozen=True)
class PublicInspection:
    """What the portal discloses about one inspection: no names, no notes."""

    inspected_on: dt.date
    kind: str
    conclusion: str
    critical: int
    major: int
    minor: int


def public_inspections(*, institution: Institution, today: dt.date | None = None) -> list[PublicInspection]:
    """Published inspections of the last five years with violations by severity."""
    today = today or timezone.localdate()
    since = window_start(as_of=today, window_years=PUBLIC_YEARS)
    violation = Q(findings__result=FindingResult.VIOLATION)
    rows = (
        Inspection.objects.filter(
            institution=institution, status=InspectionStatus.PUBLISHED, inspected_on__gte=since
        )
        .annotate(
            critical=Count("findings", filter=violation & Q(findings__item__severity="critical")),
            major=Count("findings", filter=violation & Q(findings__item__severity="major")),
            minor=Count("findings", filter=violation & Q(findings__item__severity="minor")),
        )
        .order_by("-inspected_on", "-id")
    )
    return [
        PublicInspection(
            inspected_on=row.inspected_on,  # type: ignore[arg-type]
            kind=row.get_kind_display(),
            conclusion=row.get_conclusion_display(),
            critical=row.critical,
            major=row.major,
            minor=row.minor,
        )
        for row in rows
    ]


def institution_grade(institution: Institution) -> str:
    return credit.grades_on([institution.pk])[institution.pk]


def credit_history(institution: Institution) -> QuerySet[CreditGrade]:
    return CreditGrade.objects.filter(institution=institution).order_by("-as_of", "-id")


def credit_events(institution: Institution) -> QuerySet[CreditEvent]:
    return CreditEvent.objects.filter(institution=institution).order_by("-occurred_on", "-id")


@dataclass(frozen=True)
class Workload:
    """The lead's to-do counts."""

    to_review: int
    overdue_publication: int
    overdue_orders: int
    open_complaints: int
    open_incidents: int


def lead_workload(*, today: dt.date | None = None) -> Workload:
    today = today or timezone.localdate()
    submitted = Inspection.objects.filter(status=InspectionStatus.SUBMITTED)
    overdue_publication = sum(
        1 for inspection in submitted.select_related("plan") if (inspection.publish_by() or today) < today
    )
    return Workload(
        to_review=submitted.count(),
        overdue_publication=overdue_publication,
        overdue_orders=RectificationOrder.objects.filter(
            status__in=[OrderStatus.OPEN, OrderStatus.REOPENED], deadline__lt=today
        ).count(),
        open_complaints=Complaint.objects.exclude(status=CaseStatus.CLOSED).count(),
        open_incidents=IncidentReport.objects.exclude(status=CaseStatus.CLOSED).count(),
    )
