"""What a bureau admin does in a browser: log in, read the targets, open a township,
drill into a figure, and switch to English."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tuoyu.indicators.selectors import indicator_report
from tuoyu.registry.demo import build_linhai, create_demo_accounts
from tuoyu.registry.models import Township

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AS_OF = dt.date(2025, 12, 31)


@pytest.fixture
def linhai(transactional_db: None) -> dict[str, str]:
    build_linhai(seed=331082)
    return {account.username: account.password for account in create_demo_accounts()}


def test_the_bureau_admin_reads_the_targets_drills_down_and_switches_to_english(
    page: Any, live_server: Any, linhai: dict[str, str]
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", linhai["admin"])
    page.click('form[action$="/accounts/login/"] button[type=submit]')
    page.wait_for_url("**/indicators/**")

    page.goto(f"{live_server.url}/indicators/?as_of={AS_OF.isoformat()}")
    cards = page.locator("#target-cards .figure-card")
    assert cards.count() == 6
    assert "示例数据" in page.locator("body").inner_text()
    report = indicator_report(as_of=AS_OF)
    slots_card = page.locator('#target-cards .figure-card[data-code="slots_per_1000"]')
    assert f"{report.city['slots_per_1000'].value:.1f}" in slots_card.inner_text()
    assert page.locator('#target-cards .figure-card.is-unmet[data-code="puhui_share"]').count() == 1
    # The charts are drawn by the vendored ECharts, served locally.
    page.wait_for_selector("#slots-chart canvas")
    page.wait_for_selector("#township-map canvas")

    township = Township.objects.get(name="大洋街道")
    page.click(f'#township-table tr[data-township="{township.code}"] th a')
    page.wait_for_url(f"**/indicators/township/{township.code}/**")
    assert page.locator("h1").inner_text().strip() == "大洋街道"

    expected = report.townships[township.pk]["slots_per_1000"]
    page.click('.figure-card[data-code="slots_per_1000"] a.figure-value')
    page.wait_for_url("**/indicators/figure/slots_per_1000/**")
    rows = page.locator("#records tbody tr")
    assert rows.count() == min(len(expected.counted_ids), 50)
    assert "大洋街道" in page.locator("#records").inner_text()

    page.click('button[name=language][value="en"]')
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Slots per 1,000" in page.locator("body").inner_text()
