"""Reads of planning data, scoped to the user.

Planning pages show aggregates (children, slots, costs), no personal data. The bureau
plans; township officials read every scenario, plan and analysis (their township sits
among its neighbours, whose slots their children also use); operators and the public do
not see planning work in progress.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from tuoyu.accounts.models import User
from tuoyu.planning.models import (
    CandidateSite,
    DemandZone,
    ExpansionKind,
    ExpansionOption,
    PlanRun,
    Scenario,
    SiteForm,
)
from tuoyu.registry.selectors import AnyUser


def sees_planning(user: AnyUser) -> bool:
    return isinstance(user, User) and (user.is_bureau_admin or user.is_township_official)


def plans_editable_by(user: AnyUser) -> bool:
    return isinstance(user, User) and user.is_bureau_admin


def scenarios_visible_to(user: AnyUser) -> QuerySet[Scenario]:
    if not sees_planning(user):
        return Scenario.objects.none()
    return Scenario.objects.select_related("created_by")


def plan_runs_visible_to(user: AnyUser) -> QuerySet[PlanRun]:
    if not sees_planning(user):
        return PlanRun.objects.none()
    return PlanRun.objects.select_related("scenario", "requested_by")


@dataclass(frozen=True)
class CandidateCounts:
    """What a plan can choose from, as the scenario page lists it."""

    kindergarten_rooms: int  # expansion options for 托班 in kindergartens
    expansions: int  # expansion options at other institutions
    community_sites: int
    kindergarten_sites: int  # kindergartens not yet in the registry
    zones: int


def candidate_counts() -> CandidateCounts:
    """Counts of the candidate actions' sources (one query per table)."""
    options = dict(
        ExpansionOption.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    sites = dict(CandidateSite.objects.values_list("form").annotate(n=Count("pk")).values_list("form", "n"))
    return CandidateCounts(
        kindergarten_rooms=options.get(ExpansionKind.KINDERGARTEN_CLASS, 0),
        expansions=options.get(ExpansionKind.EXPAND, 0),
        community_sites=sites.get(SiteForm.COMMUNITY, 0),
        kindergarten_sites=sites.get(SiteForm.KINDERGARTEN, 0),
        zones=DemandZone.objects.count(),
    )
