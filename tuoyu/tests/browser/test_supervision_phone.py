"""On phones (375 px wide): an inspector records a finding item by item, the result is
published, and the institution's operator answers the rectification order with a photo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tuoyu.accounts.models import Role, User
from tuoyu.conftest import PASSWORD, SmallRegistry
from tuoyu.supervision import services
from tuoyu.supervision.models import OrderStatus, RectificationOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
ITEMS = [
    {"code": "F1", "category": "fire", "text": "消防通道畅通", "severity": "critical"},
    {"code": "H1", "category": "health", "text": "落实晨午检和消毒记录", "severity": "major"},
    {"code": "P1", "category": "premises", "text": "场地设施完好", "severity": "minor"},
]


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


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#main form button[type=submit]")
    page.wait_for_load_state()


def test_an_inspector_records_a_finding_and_the_operator_answers_it(
    phone: Any,
    live_server: Any,
    registry: SmallRegistry,
    admin_user: User,
    operator_user: User,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.VAR_DIR = tmp_path
    inspectors = [
        User.objects.create_user(
            username=f"inspector-b{n}", password=PASSWORD, role=Role.INSPECTOR, township=registry.township_b
        )
        for n in (1, 2)
    ]
    checklist = services.checklist_create(actor=admin_user, name="安全检查表", items=ITEMS)
    inspection = services.inspection_create(
        actor=admin_user,
        institution=registry.nursery_a,
        kind="complaint",
        checklist=checklist,
        due_on=timezone.localdate() + dt.timedelta(days=7),
        inspectors=inspectors,
    )
    item = {row.code: row.pk for row in checklist.items.all()}
    page = phone

    # The inspector finds the task on the phone and records it item by item.
    _log_in(page, live_server.url, "inspector-b1")
    page.goto(f"{live_server.url}/supervision/")
    page.wait_for_url("**/supervision/inspections/")
    _no_horizontal_scroll(page)
    page.locator(f'#inspection-list a[href*="/inspections/{inspection.pk}/"]').first.click()
    page.locator(f'a[href$="/inspections/{inspection.pk}/record/"]').first.click()
    page.wait_for_selector("#record-form")
    _no_horizontal_scroll(page)
    page.click(f'label[for="id_item_{item["F1"]}_0"]')
    page.click(f'label[for="id_item_{item["H1"]}_1"]')
    page.fill(f"#id_note_{item['H1']}", "午睡室消毒记录缺失")
    page.click(f'label[for="id_item_{item["P1"]}_2"]')
    page.click("#record-submit")
    page.wait_for_url(f"**/inspections/{inspection.pk}/")
    inspection.refresh_from_db()
    assert inspection.status == "submitted" and inspection.conclusion == "rectify"

    # The lead publishes it: the violation becomes an order with a deadline.
    services.inspection_publish(actor=admin_user, inspection=inspection)
    order = RectificationOrder.objects.get(finding__inspection=inspection)

    # The operator answers the order with a photo.
    page.context.clear_cookies()
    _log_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/supervision/orders/")
    _no_horizontal_scroll(page)
    page.locator(f'#order-list [data-order="{order.pk}"]').click()
    page.wait_for_selector("#submit-form")
    assert "午睡室消毒记录缺失" in page.locator("#finding-note").inner_text()
    page.fill("#submit-form textarea", "已补齐消毒记录，并对保育人员进行培训")
    page.set_input_files(
        "#submit-form input[type=file]", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": PNG}]
    )
    _no_horizontal_scroll(page)
    page.click("#submit-form button[type=submit]")
    page.wait_for_selector("#order-status")
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED
    assert order.attachments.count() == 1
    assert "待核验" in page.locator("#order-status").inner_text()
