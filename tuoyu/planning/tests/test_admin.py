"""Planning data in the back office: for the bureau only, with the service's rules."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tuoyu.planning.models import ExpansionOption
from tuoyu.planning.tests.conftest import PlanningData

PAGES = [
    "admin:planning_demandzone_changelist",
    "admin:planning_candidatesite_changelist",
    "admin:planning_expansionoption_changelist",
    "admin:planning_scenario_changelist",
    "admin:planning_planrun_changelist",
]


@pytest.mark.parametrize("page", PAGES)
def test_the_back_office_planning_pages_are_for_the_bureau_only(
    page: str, planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    assert role_clients["admin"].get(reverse(page)).status_code == 200
    assert role_clients["township"].get(reverse(page)).status_code == 302  # to the admin login


def test_a_kindergarten_class_option_at_a_nursery_is_refused_on_the_form(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    response = role_clients["admin"].post(
        reverse("admin:planning_expansionoption_add"),
        {
            "institution": planning.nursery_option.institution_id,
            "kind": "kindergarten_class",
            "class_type": "toddler",
            "max_classes": 1,
            "slots_per_class": 30,
            "cost_factor": "1",
            "note": "",
        },
    )
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"kind", "slots_per_class"}
    assert ExpansionOption.objects.count() == 2


def test_scenarios_are_browse_only_in_the_back_office(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    assert role_clients["admin"].get(reverse("admin:planning_scenario_add")).status_code == 403
