"""The public supervision pages: anyone complains; every draw is published and verifiable.

``MATRIX`` lists each page with the status every role gets. Its kwargs factories build what
they need with the bureau admin of ``role_clients``: :func:`make_plan` makes a sampling plan
over the whole city with every ratio at 1 and a pool of four inspectors (``inspector`` of
township A, two of township B and one at city level), as a draft, with its commitment
published, or drawn.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.accounts.models import Role, User
from tuoyu.common import crypto
from tuoyu.conftest import ROLES, SmallRegistry, credit_code
from tuoyu.engine import draw as engine_draw
from tuoyu.registry.models import Institution
from tuoyu.supervision import services
from tuoyu.supervision.models import Checklist, Complaint, PlanStatus, SamplingPlan
from tuoyu.supervision.tests.conftest import ITEMS

ALL_OK = dict.fromkeys(ROLES, 200)
ALL_REDIRECT = dict.fromkeys(ROLES, 302)
ALL_NOT_FOUND = dict.fromkeys(ROLES, 404)
CHECKLIST_NAME = "托育机构安全检查表（抽查）"
PLAN_NAME = "2026 年第四季度双随机抽查"
POOL_USERNAMES = ("pool-b1", "pool-b2", "pool-city")


def make_plan(registry: SmallRegistry, status: str = PlanStatus.DRAWN, name: str = PLAN_NAME) -> SamplingPlan:
    admin = User.objects.get(username="admin")
    checklist = Checklist.objects.filter(name=CHECKLIST_NAME).first() or services.checklist_create(
        actor=admin, name=CHECKLIST_NAME, items=ITEMS
    )
    townships = (registry.township_b, registry.township_b, None)
    pool = [
        User.objects.get_or_create(
            username=username, defaults={"role": Role.INSPECTOR, "township": township}
        )[0]
        for username, township in zip(POOL_USERNAMES, townships, strict=True)
    ]
    pool += list(User.objects.filter(username="inspector"))
    plan = services.plan_create(
        actor=admin,
        name=name,
        checklist=checklist,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        inspectors=pool,
        ratios={"A": 1.0, "B": 1.0, "C": 1.0, "D": 1.0},
    )
    if status != PlanStatus.DRAFT:
        services.plan_publish(actor=admin, plan=plan)
    if status == PlanStatus.DRAWN:
        services.plan_draw(actor=admin, plan=plan)
    plan.refresh_from_db()
    return plan


def _draft(registry: SmallRegistry) -> dict[str, Any]:
    return {"pk": make_plan(registry, PlanStatus.DRAFT).pk}


def _published(registry: SmallRegistry) -> dict[str, Any]:
    return {"pk": make_plan(registry, PlanStatus.PUBLISHED).pk}


def _drawn(registry: SmallRegistry) -> dict[str, Any]:
    return {"pk": make_plan(registry, PlanStatus.DRAWN).pk}


MATRIX: list[tuple[str, Callable[[SmallRegistry], dict[str, Any]], str, dict[str, int]]] = [
    ("supervision:complain", lambda r: {}, "get", ALL_OK),
    ("supervision:complain", lambda r: {}, "post", ALL_OK),  # empty form: shown again with errors
    ("supervision:draw", _published, "get", ALL_OK),
    ("supervision:draw", _drawn, "get", ALL_OK),
    ("supervision:draw", _draft, "get", ALL_NOT_FOUND),
    ("supervision:draw", lambda r: {"pk": 999_999}, "get", ALL_NOT_FOUND),
    ("supervision:draw_json", _published, "get", ALL_OK),
    ("supervision:draw_json", _drawn, "get", ALL_OK),
    ("supervision:draw_json", _draft, "get", ALL_NOT_FOUND),
    ("supervision:draw_json", lambda r: {"pk": 999_999}, "get", ALL_NOT_FOUND),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("url_name", "kwargs_factory", "method", "expected"),
    MATRIX,
    ids=[f"{name}-{method}-{index}" for index, (name, _k, method, _e) in enumerate(MATRIX)],
)
def test_each_role_gets_the_expected_status(
    role: str,
    url_name: str,
    kwargs_factory: Callable[[SmallRegistry], dict[str, Any]],
    method: str,
    expected: dict[str, int],
    registry: SmallRegistry,
    role_clients: dict[str, Client],
) -> None:
    response = getattr(role_clients[role], method)(reverse(url_name, kwargs=kwargs_factory(registry)))
    assert response.status_code == expected[role]


def test_every_matrix_row_names_every_role() -> None:
    for _name, _factory, _method, statuses in MATRIX:
        assert set(statuses) == set(ROLES)


# Complaints ---------------------------------------------------------------------------------


def _complaint(registry: SmallRegistry, **changes: str) -> dict[str, str]:
    return {
        "institution": str(registry.nursery_a.pk),
        "category": "food",
        "description": "午餐饭菜发凉，多次反映未改进",
        "contact": "138 0000 0001",
    } | changes


@pytest.mark.django_db
def test_the_institution_of_the_portal_link_is_preselected(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    url = reverse("supervision:complain") + f"?institution={registry.family_b.pk}"
    content = role_clients["anonymous"].get(url).content.decode()
    assert re.search(rf'<option value="{registry.family_b.pk}" selected>', content)
    assert "只用于答复本次投诉" in content
    assert 'name="viewport" content="width=device-width' in content


@pytest.mark.django_db
def test_an_anonymous_visitor_files_a_complaint_and_is_told_the_number_only_serves_the_reply(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    client = role_clients["anonymous"]
    response = client.post(reverse("supervision:complain"), _complaint(registry))
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:complain") + "?received=1"
    complaint = Complaint.objects.get()
    assert (complaint.institution, complaint.submitted_by, complaint.contact) == (
        registry.nursery_a,
        None,
        "13800000001",
    )
    content = client.get(response["Location"]).content.decode()
    assert "投诉已收到" in content
    assert "仅用于答复本次投诉" in content
    assert "13800000001" not in content


@pytest.mark.django_db
def test_a_signed_in_parent_is_recorded_as_the_complainant(
    registry: SmallRegistry, role_clients: dict[str, Client], public_user: User
) -> None:
    role_clients["public"].post(reverse("supervision:complain"), _complaint(registry))
    assert Complaint.objects.get().submitted_by == public_user


@pytest.mark.django_db
def test_a_complaint_with_a_bad_phone_or_too_short_is_shown_again_with_the_errors(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    response = role_clients["anonymous"].post(
        reverse("supervision:complain"), _complaint(registry, contact="12345", description="太差")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_contact_errors"' in content and 'id="id_description_errors"' in content
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_an_unfiled_institution_cannot_be_complained_about_here(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    unfiled = Institution.objects.create(
        credit_code=credit_code(92),
        name="未备案托育点",
        ownership="private",
        form="family",
        township=registry.township_b,
    )
    response = role_clients["anonymous"].post(
        reverse("supervision:complain"), _complaint(registry, institution=str(unfiled.pk))
    )
    assert response.status_code == 200
    assert 'id="id_institution_errors"' in response.content.decode()
    assert not Complaint.objects.exists()


# The published draw ---------------------------------------------------------------------------


def _page(client: Client, plan: SamplingPlan) -> str:
    response = client.get(reverse("supervision:draw", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_before_the_draw_the_page_publishes_the_scope_and_the_commitment_only(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    plan = make_plan(registry, PlanStatus.PUBLISHED)
    content = _page(role_clients["anonymous"], plan)
    assert PLAN_NAME in content
    assert 'id="plan-status">已公布承诺值<' in content
    assert 'id="plan-townships">全市<' in content and 'id="plan-forms">全部<' in content
    assert "A 级 100%" in content and "D 级 100%" in content
    assert 'id="plan-per-task">2 人<' in content
    assert plan.commitment in content
    assert 'id="not-drawn"' in content and 'id="seed"' not in content
    seed = crypto.decrypt(plan.seed_ciphertext, purpose=f"supervision.plan.seed:{plan.pk}")
    assert seed not in content


@pytest.mark.django_db
def test_after_the_draw_the_page_lists_the_tasks_with_pseudonymous_inspectors(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    plan = make_plan(registry)
    content = _page(role_clients["public"], plan)
    for value in (plan.commitment, plan.seed, plan.roster_hash, "tuoyu-draw-1"):
        assert value in content
    table = re.search(
        r'<div class="table-responsive">\s*<table [^>]*id="task-table">(.*?)</table>', content, re.S
    )
    assert table is not None, "the task table scrolls inside .table-responsive on a phone"
    assert plan.published is not None
    for task in plan.published["tasks"]:
        institution = Institution.objects.get(credit_code=task["institution"])
        assert institution.name in table.group(1) and institution.credit_code in table.group(1)
        for key in task["inspectors"]:
            assert f"检查人员 {key.removeprefix('inspector-')}" in table.group(1)
    for username in (*POOL_USERNAMES, ">inspector<"):
        assert username not in content


@pytest.mark.django_db
def test_an_unstaffed_institution_is_listed_as_such(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    plan = make_plan(registry)
    admin = User.objects.get(username="admin")
    other = make_plan(registry, PlanStatus.DRAFT, name="回避后人手不足")
    other.inspectors.set(User.objects.filter(username__in=["pool-b1", "pool-b2", "pool-city"]))
    services.plan_publish(actor=admin, plan=other)
    services.plan_draw(actor=admin, plan=other)
    other.refresh_from_db()
    assert other.published is not None and other.published["unstaffed"] == [registry.family_b.credit_code]
    content = _page(role_clients["anonymous"], other)
    unstaffed = re.search(r'<ul id="unstaffed-list">(.*?)</ul>', content, re.S)
    assert unstaffed is not None and registry.family_b.name in unstaffed.group(1)
    assert 'id="unstaffed-list"' not in _page(role_clients["anonymous"], plan)


@pytest.mark.django_db
def test_the_page_tells_how_to_verify_and_what_it_proves(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    plan = make_plan(registry)
    content = _page(role_clients["anonymous"], plan)
    assert "下载 JSON，运行" in content
    assert "python tools/verify_draw.py draw.json --commitment &lt;承诺值&gt;" in content
    assert "任何人都无法挑选被检查的机构或检查人员" in content
    assert f'href="{reverse("supervision:draw_json", kwargs={"pk": plan.pk})}"' in content


@pytest.mark.django_db
def test_before_the_draw_the_json_holds_the_commitment_only(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    plan = make_plan(registry, PlanStatus.PUBLISHED)
    response = role_clients["anonymous"].get(reverse("supervision:draw_json", kwargs={"pk": plan.pk}))
    assert json.loads(response.content) == {"plan": plan.pk, "name": PLAN_NAME, "commitment": plan.commitment}


@pytest.mark.django_db
def test_the_json_is_the_stored_publication_and_it_verifies(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    plan = make_plan(registry)
    response = role_clients["anonymous"].get(reverse("supervision:draw_json", kwargs={"pk": plan.pk}))
    assert response["Content-Type"] == "application/json"
    assert 'filename="draw.json"' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data == plan.published
    assert engine_draw.draw_verify(data, noted_commitment=plan.commitment) == []
    for username in POOL_USERNAMES:
        assert username not in response.content.decode()
