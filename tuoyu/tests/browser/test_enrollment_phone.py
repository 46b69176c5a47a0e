"""A parent on a phone (375 px wide) finds care by the baby's birth date, registers the
baby, applies to three places, and after the round is drawn reads the result with its
explanation; no page scrolls sideways."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tuoyu.accounts.models import Role, User
from tuoyu.conftest import resident_id
from tuoyu.enrollment import services
from tuoyu.enrollment.allocation import round_allocate
from tuoyu.enrollment.models import Application, Round
from tuoyu.registry.demo import build_linhai

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
PARENT_PHONE = "13800000001"
PASSWORD = "a-parent-password-1"


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"{page.url} is {width} px wide"


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _open_round(admin: User) -> Round:
    now = timezone.now()
    start = _next_month(timezone.localdate())
    round_ = services.round_create(
        actor=admin,
        name="示例统一报名",
        first_start_month=start,
        last_start_month=_next_month(_next_month(start)),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=7),
        priority_rules=["hardship", "sibling", "resident"],
    )
    return services.round_open(actor=admin, round_=round_)


def test_a_parent_applies_on_a_phone_and_reads_the_result(
    phone: Any, live_server: Any, transactional_db: None
) -> None:
    build_linhai(seed=331082)
    admin = User.objects.create_user(username="bureau", password=PASSWORD, role=Role.BUREAU_ADMIN)
    User.objects.create_user(username=PARENT_PHONE, password=PASSWORD, role=Role.PUBLIC)
    round_ = _open_round(admin)
    # 14 months old next month: a 托小班 (12–24 months).
    birth = timezone.localdate() - dt.timedelta(days=400)
    page = phone

    # Find care by the baby's birth date, without logging in.
    page.goto(f"{live_server.url}/portal/")
    page.fill("#id_birth_date", birth.isoformat())
    page.click("#portal-search button[type=submit]")
    page.wait_for_selector("#fitting-types")
    assert "托小班" in page.locator("#fitting-types").inner_text()
    assert page.locator("#portal-results [data-institution]").count() > 0
    _no_horizontal_scroll(page)

    # Log in; a parent lands on the enrollment page.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", PARENT_PHONE)
    page.fill("#id_password", PASSWORD)
    page.click("#main form button[type=submit]")
    page.wait_for_url("**/enrollment/")
    _no_horizontal_scroll(page)

    # Register the baby, with consent.
    page.click("#child-add")
    page.fill("#id_name", "示例宝宝")
    page.fill("#id_birth_date", birth.isoformat())
    page.fill("#id_id_number", resident_id(777, birth.strftime("%Y%m%d")))
    page.select_option("#id_township", label="古城街道")
    page.check("#id_consent")
    _no_horizontal_scroll(page)
    page.click("#main form button[type=submit]")
    page.wait_for_url("**/enrollment/")
    assert "示例宝宝" in page.locator("#children").inner_text()

    # Apply with three ranked choices.
    page.locator(f'[data-round="{round_.pk}"] a').first.click()
    page.wait_for_selector("#apply-form")
    _no_horizontal_scroll(page)
    for rank in (1, 2, 3):
        page.select_option(f"#id_choice_{rank}", index=rank)
    page.click("#apply-form button[type=submit]")
    page.wait_for_url("**/enrollment/applications/*/")
    application = Application.objects.get(round=round_)
    assert list(application.choices.values_list("rank", flat=True)) == [1, 2, 3]

    # The bureau closes the round and runs the draw and the allocation.
    services.round_close(actor=admin, round_=round_)
    round_allocate(actor=admin, round_=round_)

    page.reload()
    status = page.locator("#application-status").inner_text()
    assert "录取于" in status
    choices = page.locator("#choices").inner_text()
    assert "已录取" in choices
    assert "抽签序号" in choices
    assert page.locator("#offer-accept").is_visible()
    _no_horizontal_scroll(page)

    page.click("#offer-accept")
    page.wait_for_selector("#offer-status")
    assert "已接受" in page.locator("#offer-status").inner_text()
