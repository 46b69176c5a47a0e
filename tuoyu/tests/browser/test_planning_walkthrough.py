"""What a planner does in a browser: open the demo scenario, run it, watch the progress,
read the plan (figures after, actions with reasons, the map), and compare two plans."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from tuoyu.accounts.models import User
from tuoyu.planning.demo import DEMO_SCENARIO_NAME, planning_demo_build
from tuoyu.planning.models import PlanRun, RunStatus
from tuoyu.planning.tests.conftest import plan_of
from tuoyu.registry.demo import DATA_AS_OF, build_linhai, create_demo_accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def linhai(transactional_db: None) -> dict[str, str]:
    build_linhai(seed=331082)
    passwords = {account.username: account.password for account in create_demo_accounts()}
    planning_demo_build(as_of=DATA_AS_OF, admin=User.objects.get(username="admin"))
    return passwords


def _log_in(page: Any, live_server: Any, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click('form[action$="/accounts/login/"] button[type=submit]')
    page.wait_for_url("**/indicators/**")


@override_settings(TUOYU_PLAN_RUNS="thread")
def test_the_planner_runs_a_scenario_and_reads_the_plan(
    page: Any, live_server: Any, linhai: dict[str, str]
) -> None:
    _log_in(page, live_server, "admin", linhai["admin"])
    page.click("nav >> text=供需规划")
    page.wait_for_url("**/planning/")
    page.click(f"#scenario-table >> text={DEMO_SCENARIO_NAME}")
    page.wait_for_url("**/planning/scenarios/*/")

    page.click("#run-scenario")
    page.wait_for_url("**/planning/runs/*/")
    # The plan is computed in the background; the page shows the stage, then reloads.
    page.wait_for_selector("#plan-summary", timeout=60_000)
    run = PlanRun.objects.get()
    assert run.status == RunStatus.DONE
    plan = plan_of(run)
    status = page.locator("[data-plan-status]").get_attribute("data-plan-status")
    assert status == plan["status"]
    assert f"{plan['total_cost']:,.0f}" in page.locator("#plan-total-cost").inner_text()
    rows = page.locator("#plan-actions tbody tr")
    assert rows.count() == len(plan["actions"])
    assert "若不采取" in page.locator("#plan-actions").inner_text()
    page.wait_for_selector("#plan-map canvas")
    city_after = plan["after"]["city"]["slots_per_1000"]["value"]
    assert f"{city_after:,.1f}" in page.locator('#plan-city td[data-code="slots_per_1000"]').inner_text()

    # A variant without new sites, run and compared side by side.
    page.click("text=与其他方案比较")
    page.wait_for_url("**/planning/compare/**")
    assert page.locator("#compare-a").input_value() == str(run.pk)


def test_a_township_official_reads_the_plan_on_a_phone(
    page: Any, live_server: Any, linhai: dict[str, str]
) -> None:
    admin = User.objects.get(username="admin")
    from tuoyu.planning import services
    from tuoyu.planning.models import Scenario

    with override_settings(TUOYU_PLAN_RUNS="inline"):
        run = services.plan_run_start(actor=admin, scenario=Scenario.objects.get(name=DEMO_SCENARIO_NAME))
    page.set_viewport_size({"width": 375, "height": 800})
    _log_in(page, live_server, "township", linhai["township"])
    page.goto(f"{live_server.url}/planning/runs/{run.pk}/")
    assert page.locator("#plan-townships tbody tr").count() == 19
    assert page.locator("#run-scenario").count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, "the page must not scroll sideways on a phone"
