"""A parent on a phone (375 px wide): find a 托大班 near home without logging in, open one
institution's disclosure, and never scroll sideways."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tuoyu.registry.demo import build_linhai

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page is {width} px wide"


def test_a_parent_finds_a_place_on_a_phone(phone: Any, live_server: Any, transactional_db: None) -> None:
    build_linhai(seed=331082)
    page = phone
    page.goto(f"{live_server.url}/portal/")
    page.wait_for_selector("#portal-results")
    _no_horizontal_scroll(page)

    # 30 months old at the start month (next month, the default): 托大班 or 混龄班.
    today = timezone.localdate()
    start = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    birth = dt.date(start.year - 3, start.month, 1) + dt.timedelta(days=190)
    page.fill("#id_birth_date", birth.isoformat())
    page.click("#portal-search button[type=submit]")
    page.wait_for_selector("#fitting-types")
    assert "托大班" in page.locator("#fitting-types").inner_text()
    cards = page.locator("#portal-results [data-institution]")
    assert cards.count() > 0
    page.wait_for_selector("#portal-map canvas")
    _no_horizontal_scroll(page)

    cards.first.locator("a").first.click()
    page.wait_for_url("**/portal/institutions/*/")
    assert page.locator("#institution-name").inner_text()
    assert page.locator("#institution-facts").is_visible()
    _no_horizontal_scroll(page)
