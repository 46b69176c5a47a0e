"""信息公示 of supervision on the portal: the credit grade and five years of published
inspections, on the page and in the API, without inspectors' names or findings' notes.

Built through the supervision services: a checklist of four items, two inspectors of
township B, and three inspections of 托育园 №2 (township A): a recent published one with two
major violations, a published one more than five years old, and a submitted one not yet
published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.accounts.models import Role, User
from tuoyu.conftest import PASSWORD, ROLES, SmallRegistry
from tuoyu.supervision import selectors, services
from tuoyu.supervision.models import Checklist, Inspection

ITEMS = [
    {"code": "F1", "category": "fire", "text": "消防通道畅通", "severity": "critical"},
    {"code": "H1", "category": "health", "text": "落实晨午检和消毒记录", "severity": "major"},
    {"code": "C1", "category": "cctv", "text": "视频监控全覆盖", "severity": "major"},
    {"code": "P1", "category": "premises", "text": "场地设施完好", "severity": "minor"},
]
NOTES = ("缺少十一月消毒记录", "午睡室没有监控")
INSPECTORS = ("disclosure-inspector-1", "disclosure-inspector-2")


@dataclass
class Disclosed:
    recent: Inspection
    old: Inspection
    unpublished: Inspection


def _inspect(
    admin: User,
    registry: SmallRegistry,
    checklist: Checklist,
    inspectors: list[User],
    *,
    kind: str,
    on: dt.date,
) -> Inspection:
    inspection = services.inspection_create(
        actor=admin,
        institution=registry.nursery_a,
        kind=kind,
        checklist=checklist,
        due_on=on,
        inspectors=inspectors,
    )
    codes = {item.code: item.pk for item in checklist.items.all()}
    violations = dict(zip(("H1", "C1"), NOTES, strict=True)) if kind == "complaint" else {}
    services.inspection_record(
        actor=inspectors[0],
        inspection=inspection,
        inspected_on=on,
        results={
            pk: ("violation", violations[code]) if code in violations else ("compliant", "")
            for code, pk in codes.items()
        },
        summary="检查人员现场记录：" + "；".join(NOTES),
        submit=True,
    )
    return inspection


@pytest.fixture
def disclosed(registry: SmallRegistry, admin_user: User) -> Disclosed:
    inspectors = [
        User.objects.create_user(
            username=username, password=PASSWORD, role=Role.INSPECTOR, township=registry.township_b
        )
        for username in INSPECTORS
    ]
    checklist = services.checklist_create(actor=admin_user, name="安全检查表", items=ITEMS)
    today = timezone.localdate()
    old = _inspect(
        admin_user, registry, checklist, inspectors, kind="follow_up", on=dt.date(today.year - 6, 3, 10)
    )
    services.inspection_publish(actor=admin_user, inspection=old)
    recent = _inspect(
        admin_user, registry, checklist, inspectors, kind="complaint", on=today - dt.timedelta(days=3)
    )
    services.inspection_publish(actor=admin_user, inspection=recent)
    unpublished = _inspect(admin_user, registry, checklist, inspectors, kind="follow_up", on=today)
    return Disclosed(recent, old, unpublished)


def _page(client: Client, registry: SmallRegistry) -> str:
    response = client.get(reverse("portal:institution", kwargs={"pk": registry.nursery_a.pk}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_page_shows_the_grade_and_the_published_inspections_of_five_years(
    role: str, registry: SmallRegistry, disclosed: Disclosed, role_clients: dict[str, Client]
) -> None:
    content = _page(role_clients[role], registry)
    grade = selectors.institution_grade(registry.nursery_a)
    assert f'id="credit-grade">{grade}<' in content
    assert "信用等级与检查结果将在监管模块上线后公示" not in content
    table = content.split('id="inspection-table"')[1].split("</table>")[0]
    rows = table.split("<tbody>")[1].count("<tr>")
    assert rows == 1
    recent = disclosed.recent.inspected_on
    assert recent is not None
    assert (
        f'<td>{recent:%Y-%m-%d}</td><td>投诉核查</td><td>责令整改</td><td class="num">0</td>'
        '<td class="num">2</td><td class="num">0</td>'
    ) in table
    for absent in (disclosed.old.inspected_on, disclosed.unpublished.inspected_on):
        assert absent is not None and f"{absent:%Y-%m-%d}" not in table


@pytest.mark.django_db
def test_the_page_names_no_inspector_and_quotes_no_note(
    registry: SmallRegistry, disclosed: Disclosed, role_clients: dict[str, Client]
) -> None:
    content = _page(role_clients["anonymous"], registry)
    for secret in (*INSPECTORS, *NOTES, "检查人员现场记录"):
        assert secret not in content


@pytest.mark.django_db
def test_the_page_links_to_a_complaint_about_the_institution(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    content = _page(role_clients["anonymous"], registry)
    link = f'href="{reverse("supervision:complain")}?institution={registry.nursery_a.pk}"'
    assert link in content and "投诉" in content
    assert 'id="no-inspections"' in content
    assert 'id="credit-grade">B<' in content


@pytest.mark.django_db
def test_the_api_discloses_the_same_grade_and_inspections_and_nothing_personal(
    registry: SmallRegistry, disclosed: Disclosed, role_clients: dict[str, Client]
) -> None:
    response = role_clients["anonymous"].get(f"/api/v1/portal/institutions/{registry.nursery_a.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["credit_grade"] == selectors.institution_grade(registry.nursery_a)
    assert data["inspections"] == [
        {
            "inspected_on": f"{disclosed.recent.inspected_on:%Y-%m-%d}",
            "kind": "投诉核查",
            "conclusion": "责令整改",
            "critical": 0,
            "major": 2,
            "minor": 0,
        }
    ]
    text = response.content.decode()
    for secret in (*INSPECTORS, *NOTES, "检查人员现场记录"):
        assert secret not in text


@pytest.mark.django_db
def test_the_api_list_stays_without_supervision_fields(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    items = role_clients["anonymous"].get("/api/v1/portal/institutions").json()["items"]
    assert items and all("credit_grade" not in item for item in items)
    detail = role_clients["anonymous"].get(f"/api/v1/portal/institutions/{registry.family_b.pk}").json()
    assert (detail["credit_grade"], detail["inspections"]) == ("B", [])
