"""Reads of planning data, scoped to the user.

Planning pages show aggregates (children, slots, costs), no personal data. The bureau
plans; township officials read every scenario, plan and analysis (their township sits
among its neighbours, whose slots their children also use); operators and the public do
not see planning work in progress.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tuoyu.accounts.models import User
from tuoyu.planning.models import PlanRun, Scenario
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
