"""Planning data on top of the small registry (``tuoyu/conftest.py``).

Township A (500 children under 3 in 2025, 35 slots) and B (250 children, 5 slots) are far
below 280 per 1,000. The planning fixture adds a demand zone per township, room for two
托班 classes at kindergarten №1, one 托小班 expansion at 托育园 №2, a candidate site in each
township and a scenario for the end of 2026 with the 2025 target values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tuoyu.accounts.models import User
from tuoyu.conftest import SmallRegistry
from tuoyu.planning.models import CandidateSite, DemandZone, ExpansionOption, PlanRun, Scenario


def plan_of(run: PlanRun) -> dict[str, Any]:
    """The engine's plan stored on a finished run."""
    assert run.result is not None, run.error
    plan: dict[str, Any] = run.result["plan"]
    return plan


@dataclass
class PlanningData:
    zone_a: DemandZone
    zone_b: DemandZone
    kindergarten_option: ExpansionOption
    nursery_option: ExpansionOption
    site_a: CandidateSite
    site_b: CandidateSite
    scenario: Scenario


@pytest.fixture
def planning(registry: SmallRegistry, admin_user: User) -> PlanningData:
    zone_a = DemandZone.objects.create(
        code="A-01",
        name="示例社区甲一",
        township=registry.township_a,
        latitude=28.861,
        longitude=121.121,
        year=2025,
        children_under_3=500,
        children_under_2=400,
    )
    zone_b = DemandZone.objects.create(
        code="B-01",
        name="示例村乙一",
        township=registry.township_b,
        latitude=28.991,
        longitude=120.921,
        year=2025,
        children_under_3=250,
        children_under_2=200,
    )
    kindergarten_option = ExpansionOption.objects.create(
        institution=registry.kindergarten_a,
        kind="kindergarten_class",
        class_type="older",
        max_classes=2,
        slots_per_class=20,
    )
    nursery_option = ExpansionOption.objects.create(
        institution=registry.nursery_a, kind="expand", class_type="toddler", max_classes=1, slots_per_class=15
    )
    site_a = CandidateSite.objects.create(
        code="A-S1",
        name="示例候选点甲",
        township=registry.township_a,
        latitude=28.862,
        longitude=121.122,
        max_classes=4,
    )
    site_b = CandidateSite.objects.create(
        code="B-S1",
        name="示例候选点乙",
        township=registry.township_b,
        latitude=28.992,
        longitude=120.922,
        max_classes=4,
    )
    scenario = Scenario.objects.create(name="示例情景", plan_year=2026, created_by=admin_user)
    return PlanningData(zone_a, zone_b, kindergarten_option, nursery_option, site_a, site_b, scenario)
