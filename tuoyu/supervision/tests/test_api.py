"""The supervision API: who gets what from each endpoint, and what the answers contain.

``API_MATRIX`` lists every endpoint of the router with the status each role gets; the rows
run here, with their bodies, on the world of :func:`world`:

* ``{recorded}`` is the published complaint inspection of 托育园 №2 (township A, operator
  ``operator``) by two inspectors of township B, with two rectification orders:
  ``{nursery_order}`` (open) and ``{nursery_submitted}`` (answered by the operator);
* ``{family_done}`` is a published inspection of 家庭托育点 №3 (township B) by ``inspector``
  and a city-level inspector, whose one order ``{family_submitted}`` its operator answered;
  ``{family_open}`` another inspection there, assigned to the same two, not yet recorded;
* ``{to_review}`` is a submitted inspection of 幼儿园 №1, waiting for the lead;
* ``{draft}``, ``{published}`` and ``{drawn}`` are sampling plans in those states;
* ``{nursery}`` and ``{family}`` are 托育园 №2 and 家庭托育点 №3.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tuoyu.accounts.models import Role, User
from tuoyu.conftest import PASSWORD, ROLES
from tuoyu.supervision import services
from tuoyu.supervision.models import (
    Complaint,
    IncidentReport,
    Inspection,
    OrderStatus,
    PlanStatus,
    RectificationOrder,
    SamplingPlan,
)
from tuoyu.supervision.tests.conftest import Supervision, item_id
from tuoyu.supervision.tests.test_views_public import make_plan

Statuses = dict[str, int]
ALL_200: Statuses = dict.fromkeys(ROLES, 200)
ALL_201: Statuses = dict.fromkeys(ROLES, 201)
ALL_404: Statuses = dict.fromkeys(ROLES, 404)
PHONE = "13800000001"


def _supervisors(status: int) -> Statuses:
    return {
        "admin": status,
        "township": 403,
        "operator": 403,
        "lead": status,
        "inspector": 403,
        "public": 403,
        "anonymous": 401,
    }


def _staff(*, admin: int, lead: int, township: int, operator: int, inspector: int) -> Statuses:
    """Supervision staff each get their own answer; parents 403, anonymous callers 401."""
    return {
        "admin": admin,
        "township": township,
        "operator": operator,
        "lead": lead,
        "inspector": inspector,
        "public": 403,
        "anonymous": 401,
    }


STAFF_200 = _staff(admin=200, lead=200, township=200, operator=200, inspector=200)

API_MATRIX: list[tuple[str, str, Statuses]] = [
    # Public: the published draws, and complaints from anyone.
    ("get", "/api/v1/supervision/draws", ALL_200),
    ("get", "/api/v1/supervision/draws/{drawn}", ALL_200),
    ("get", "/api/v1/supervision/draws/{published}", ALL_200),
    ("get", "/api/v1/supervision/draws/{draft}", ALL_404),
    ("get", "/api/v1/supervision/draws/99999", ALL_404),
    ("post", "/api/v1/supervision/complaints", ALL_201),
    # Supervisors.
    ("get", "/api/v1/supervision/plans", _supervisors(200)),
    ("post", "/api/v1/supervision/plans", _supervisors(201)),
    ("post", "/api/v1/supervision/plans/{draft}/publish", _supervisors(200)),
    ("post", "/api/v1/supervision/plans/{published}/publish", _supervisors(422)),
    ("post", "/api/v1/supervision/plans/99999/publish", _supervisors(404)),
    ("post", "/api/v1/supervision/plans/{published}/draw", _supervisors(200)),
    ("post", "/api/v1/supervision/plans/{drawn}/draw", _supervisors(422)),
    ("post", "/api/v1/supervision/plans/99999/draw", _supervisors(404)),
    ("get", "/api/v1/supervision/complaints", _supervisors(200)),
    ("post", "/api/v1/supervision/inspections/{to_review}/publish", _supervisors(200)),
    ("post", "/api/v1/supervision/inspections/{recorded}/publish", _supervisors(422)),
    ("post", "/api/v1/supervision/inspections/99999/publish", _supervisors(404)),
    # Inspections, each role its scope.
    ("get", "/api/v1/supervision/inspections", STAFF_200),
    (
        "get",
        "/api/v1/supervision/inspections/{recorded}",
        _staff(admin=200, lead=200, township=200, operator=200, inspector=404),
    ),
    (
        "get",
        "/api/v1/supervision/inspections/{family_open}",
        _staff(admin=200, lead=200, township=404, operator=404, inspector=200),
    ),
    (
        "get",
        "/api/v1/supervision/inspections/{to_review}",
        _staff(admin=200, lead=200, township=404, operator=404, inspector=404),
    ),
    (
        "put",
        "/api/v1/supervision/inspections/{family_open}/findings",
        _staff(admin=403, lead=403, township=404, operator=404, inspector=200),
    ),
    (
        "put",
        "/api/v1/supervision/inspections/{recorded}/findings",
        _staff(admin=403, lead=403, township=403, operator=403, inspector=404),
    ),
    # Rectification and incidents.
    ("get", "/api/v1/supervision/orders", STAFF_200),
    (
        "post",
        "/api/v1/supervision/orders/{nursery_order}/submit",
        _staff(admin=200, lead=403, township=403, operator=200, inspector=404),
    ),
    (
        "post",
        "/api/v1/supervision/orders/{family_submitted}/submit",
        _staff(admin=422, lead=403, township=404, operator=404, inspector=403),
    ),
    (
        "post",
        "/api/v1/supervision/orders/{nursery_submitted}/verify",
        _staff(admin=200, lead=200, township=403, operator=403, inspector=404),
    ),
    (
        "post",
        "/api/v1/supervision/orders/{family_submitted}/verify",
        _staff(admin=200, lead=200, township=404, operator=404, inspector=200),
    ),
    (
        "post",
        "/api/v1/supervision/orders/{nursery_order}/verify",
        _staff(admin=422, lead=422, township=403, operator=403, inspector=404),
    ),
    (
        "post",
        "/api/v1/supervision/incidents",
        _staff(admin=201, lead=403, township=403, operator=201, inspector=403),
    ),
    # Credit archives.
    (
        "get",
        "/api/v1/supervision/credit/{nursery}",
        _staff(admin=200, lead=200, township=200, operator=200, inspector=404),
    ),
    (
        "get",
        "/api/v1/supervision/credit/{family}",
        _staff(admin=200, lead=200, township=404, operator=404, inspector=404),
    ),
    (
        "get",
        "/api/v1/supervision/credit/99999",
        _staff(admin=404, lead=404, township=404, operator=404, inspector=404),
    ),
]


@dataclass
class World:
    supervision: Supervision
    city_inspector: User
    family_done: Inspection
    family_open: Inspection
    to_review: Inspection
    nursery_order: RectificationOrder
    nursery_submitted: RectificationOrder
    family_submitted: RectificationOrder
    draft: SamplingPlan
    published: SamplingPlan
    drawn: SamplingPlan


def _all_compliant(supervision: Supervision, **violations: str) -> dict[int, tuple[str, str]]:
    results = {item_id(supervision.checklist, code): ("compliant", "") for code in ("F1", "H1", "C1", "P1")}
    for code, note in violations.items():
        results[item_id(supervision.checklist, code)] = ("violation", note)
    return results


@pytest.fixture
def world(
    recorded: Supervision,
    admin_user: User,
    operator_user: User,
    other_operator_user: User,
    inspector_user: User,
    role_clients: dict[str, Client],
) -> World:
    registry = recorded.registry
    today = timezone.localdate()
    city = User.objects.create_user(username="inspector-city", password=PASSWORD, role=Role.INSPECTOR)

    def create(institution: Any, kind: str, inspectors: list[User]) -> Inspection:
        return services.inspection_create(
            actor=admin_user,
            institution=institution,
            kind=kind,
            checklist=recorded.checklist,
            due_on=today + dt.timedelta(days=14),
            inspectors=inspectors,
        )

    family_done = create(registry.family_b, "complaint", [inspector_user, city])
    services.inspection_record(
        actor=inspector_user,
        inspection=family_done,
        inspected_on=today,
        results=_all_compliant(recorded, H1="晨检记录缺失"),
        submit=True,
    )
    services.inspection_publish(actor=admin_user, inspection=family_done)
    family_submitted = RectificationOrder.objects.get(finding__inspection=family_done)
    services.order_submit(actor=other_operator_user, order=family_submitted, evidence="已补齐晨检记录")
    family_open = create(registry.family_b, "follow_up", [inspector_user, city])
    to_review = create(registry.kindergarten_a, "complaint", [recorded.inspector_b1, recorded.inspector_b2])
    services.inspection_record(
        actor=recorded.inspector_b1,
        inspection=to_review,
        inspected_on=today,
        results=_all_compliant(recorded),
        submit=True,
    )
    orders = RectificationOrder.objects.filter(finding__inspection=recorded.inspection)
    nursery_order = orders.get(finding__item__code="H1")
    nursery_submitted = orders.get(finding__item__code="C1")
    services.order_submit(actor=operator_user, order=nursery_submitted, evidence="午睡室已加装监控")
    services.complaint_submit(
        actor=None,
        institution=registry.nursery_a,
        category="food",
        description="午餐饭菜发凉，多次反映未改进",
        contact=PHONE,
    )
    return World(
        supervision=recorded,
        city_inspector=city,
        family_done=family_done,
        family_open=family_open,
        to_review=to_review,
        nursery_order=nursery_order,
        nursery_submitted=nursery_submitted,
        family_submitted=family_submitted,
        draft=make_plan(registry, PlanStatus.DRAFT, name="草稿计划"),
        published=make_plan(registry, PlanStatus.PUBLISHED, name="已公布承诺值的计划"),
        drawn=make_plan(registry, PlanStatus.DRAWN, name="已抽取的计划"),
    )


def _url(template: str, world: World) -> str:
    registry = world.supervision.registry
    return template.format(
        recorded=world.supervision.inspection.pk,
        family_done=world.family_done.pk,
        family_open=world.family_open.pk,
        to_review=world.to_review.pk,
        nursery_order=world.nursery_order.pk,
        nursery_submitted=world.nursery_submitted.pk,
        family_submitted=world.family_submitted.pk,
        draft=world.draft.pk,
        published=world.published.pk,
        drawn=world.drawn.pk,
        nursery=registry.nursery_a.pk,
        family=registry.family_b.pk,
    )


def _complaint_body(world: World) -> dict[str, Any]:
    return {
        "institution_id": world.supervision.registry.nursery_a.pk,
        "category": "health",
        "description": "午睡室长时间无人看护，孩子哭闹无人理会",
        "contact": "+86 139-0000-0002",
    }


def _plan_body(world: World) -> dict[str, Any]:
    pool = User.objects.filter(role=Role.INSPECTOR).order_by("pk")
    return {
        "name": "2027 年第一季度双随机抽查",
        "checklist_id": world.supervision.checklist.pk,
        "inspector_ids": list(pool.values_list("pk", flat=True)),
        "township_ids": [world.supervision.registry.township_a.pk],
        "forms": ["standalone", "kindergarten"],
        "ratios": {"A": 0.1, "B": 0.2, "C": 0.5, "D": 1.0},
        "due_on": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
    }


def _findings_body(world: World) -> dict[str, Any]:
    return {
        "inspected_on": timezone.localdate().isoformat(),
        "results": [{"item_id": item_id(world.supervision.checklist, "F1"), "result": "compliant"}],
    }


def _incident_body(world: World) -> dict[str, Any]:
    return {
        "institution_id": world.supervision.registry.nursery_a.pk,
        "occurred_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "severity": "minor",
        "description": "幼儿午睡起床时磕伤额头，已处理并告知家长",
        "children_affected": 1,
    }


def _body(method: str, template: str, world: World) -> dict[str, Any] | None:
    if method == "get":
        return None
    if template == "/api/v1/supervision/complaints":
        return _complaint_body(world)
    if template == "/api/v1/supervision/plans":
        return _plan_body(world)
    if template == "/api/v1/supervision/incidents":
        return _incident_body(world)
    if template.endswith("/findings"):
        return _findings_body(world)
    if template.endswith("/submit"):
        return {"evidence": "已完成整改并组织全员培训"}
    if template.endswith("/verify"):
        return {"accepted": True}
    return {}


def _call(client: Client, method: str, url: str, body: dict[str, Any] | None) -> Any:
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "template", "expected"), API_MATRIX, ids=[f"{m} {t}" for m, t, _e in API_MATRIX]
)
def test_each_role_gets_the_expected_status(
    role: str,
    method: str,
    template: str,
    expected: Statuses,
    world: World,
    role_clients: dict[str, Client],
) -> None:
    response = _call(role_clients[role], method, _url(template, world), _body(method, template, world))
    assert response.status_code == expected[role], response.content[:500]
    if expected[role] >= 400:
        assert "detail" in response.json()


def test_every_matrix_row_names_every_role() -> None:
    for _method, _template, statuses in API_MATRIX:
        assert set(statuses) == set(ROLES)


@pytest.mark.django_db
def test_every_supervision_endpoint_has_a_row_and_typed_responses(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    normalise = re.compile(r"\{[^}]*\}").sub
    in_schema = {
        (method, normalise("{}", path))
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/supervision/")
        for method in operations
    }
    in_matrix = {(method, normalise("{}", template)) for method, template, _s in API_MATRIX}
    in_matrix = {(method, re.sub(r"/\d+(/|$)", r"/{}\1", path)) for method, path in in_matrix}
    assert len(in_schema) == 17
    assert in_schema - in_matrix == set()
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/supervision/"):
            continue
        for operation in operations.values():
            success = next(code for code in operation["responses"] if code.startswith("2"))
            content = operation["responses"][success]["content"]["application/json"]["schema"]
            assert "$ref" in content or "items" in content, (path, content)


# Behaviour -----------------------------------------------------------------------------------


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content[:500]
    return response.json()


def _fields(response: Any) -> list[str | None]:
    assert response.status_code == 422, response.content[:500]
    return [error["field"] for error in response.json()["detail"]]


@pytest.mark.django_db
def test_a_complaint_is_accepted_from_anyone_and_the_contact_is_never_echoed(
    world: World, role_clients: dict[str, Client]
) -> None:
    response = _call(
        role_clients["anonymous"], "post", "/api/v1/supervision/complaints", _complaint_body(world)
    )
    receipt = _json(response, 201)
    assert receipt["institution_name"] == world.supervision.registry.nursery_a.name
    assert receipt["category_label"] == "卫生保健" and receipt["status"] == "received"
    content = response.content.decode()
    assert "13900000002" not in content and "contact" not in content
    assert Complaint.objects.get(pk=receipt["id"]).contact == "13900000002"
    listed = role_clients["lead"].get("/api/v1/supervision/complaints")
    rows = _json(listed)
    assert {row["contact_masked"] for row in rows} == {"139****0002", "138****0001"}
    assert "13900000002" not in listed.content.decode() and PHONE not in listed.content.decode()


@pytest.mark.django_db
def test_a_complaint_with_a_bad_phone_a_short_text_or_an_unknown_institution_names_the_field(
    world: World, role_clients: dict[str, Client]
) -> None:
    client = role_clients["anonymous"]
    url = "/api/v1/supervision/complaints"
    assert _fields(_call(client, "post", url, _complaint_body(world) | {"contact": "12345"})) == ["contact"]
    assert _fields(_call(client, "post", url, _complaint_body(world) | {"description": "太差"})) == [
        "description"
    ]
    assert _fields(_call(client, "post", url, _complaint_body(world) | {"institution_id": 99999})) == [
        "institution_id"
    ]
    assert _fields(_call(client, "post", url, _complaint_body(world) | {"category": "noise"})) == ["category"]
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_a_plan_with_an_unknown_checklist_a_bad_ratio_or_a_non_inspector_names_the_field(
    world: World, role_clients: dict[str, Client], operator_user: User
) -> None:
    client = role_clients["lead"]
    url = "/api/v1/supervision/plans"
    assert _fields(_call(client, "post", url, _plan_body(world) | {"checklist_id": 99999})) == [
        "checklist_id"
    ]
    bad_ratio = _plan_body(world) | {"ratios": {"A": 1.5, "B": 0.2, "C": 0.5, "D": 1.0}}
    assert _fields(_call(client, "post", url, bad_ratio)) == ["ratios.A"]
    not_inspector = _plan_body(world)
    not_inspector["inspector_ids"] = [*not_inspector["inspector_ids"], operator_user.pk]
    assert _fields(_call(client, "post", url, not_inspector)) == ["inspector_ids"]
    unknown = _plan_body(world) | {"township_ids": [99999]}
    assert _fields(_call(client, "post", url, unknown)) == ["township_ids.0"]
    assert _fields(_call(client, "post", url, _plan_body(world) | {"due_on": "2026-02-30"})) == ["due_on"]


@pytest.mark.django_db
def test_a_plan_is_created_published_and_drawn_through_the_api(
    world: World, role_clients: dict[str, Client]
) -> None:
    client = role_clients["lead"]
    plan = _json(_call(client, "post", "/api/v1/supervision/plans", _plan_body(world)), 201)
    assert plan["status"] == "draft" and plan["seed"] == "" and len(plan["commitment"]) == 64
    assert plan["forms"] == ["standalone", "kindergarten"]
    assert _json(role_clients["anonymous"].get(f"/api/v1/supervision/draws/{plan['id']}"), 404)
    _json(client.post(f"/api/v1/supervision/plans/{plan['id']}/publish"))
    before = _json(role_clients["anonymous"].get(f"/api/v1/supervision/draws/{plan['id']}"))
    assert before == {"plan": plan["id"], "name": plan["name"], "commitment": plan["commitment"]}
    drawn = _json(client.post(f"/api/v1/supervision/plans/{plan['id']}/draw"))
    assert drawn["status"] == "drawn" and drawn["algorithm"] == "tuoyu-draw-1"
    # Township A's two institutions in scope, ratios applied to their grade B (0.2 of 2).
    assert drawn["tasks"] + drawn["unstaffed"] == SamplingPlan.objects.get(pk=plan["id"]).inspections.count()


@pytest.mark.django_db
def test_a_drawn_plans_json_verifies_with_the_standalone_tool_and_fails_when_tampered(
    world: World, role_clients: dict[str, Client], tmp_path: Path
) -> None:
    noted = _json(role_clients["anonymous"].get(f"/api/v1/supervision/draws/{world.published.pk}"))[
        "commitment"
    ]
    _json(role_clients["admin"].post(f"/api/v1/supervision/plans/{world.published.pk}/draw"))
    published = _json(role_clients["anonymous"].get(f"/api/v1/supervision/draws/{world.published.pk}"))
    world.published.refresh_from_db()
    assert published == world.published.published
    assert len(published["tasks"]) == 3
    path = tmp_path / "draw.json"
    tool = Path(settings.BASE_DIR) / "tools" / "verify_draw.py"

    def verify(data: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return subprocess.run(
            [sys.executable, str(tool), str(path), "--commitment", noted],
            capture_output=True,
            text=True,
            check=False,
        )

    result = verify(published)
    assert result.returncode == 0, result.stderr
    assert published["tasks"][0]["institution"] in result.stdout
    first = published["tasks"][0]
    swapped = {"institution": first["institution"], "inspectors": list(reversed(first["inspectors"]))}
    tampered = published | {"tasks": [swapped, *published["tasks"][1:]]}
    assert verify(tampered).returncode == 1
    spared = published | {"tasks": published["tasks"][1:]}
    assert verify(spared).returncode == 1


@pytest.mark.django_db
def test_each_role_lists_the_inspections_of_its_scope(world: World, role_clients: dict[str, Client]) -> None:
    def ids(role: str) -> set[int]:
        return {row["id"] for row in _json(role_clients[role].get("/api/v1/supervision/inspections"))}

    recorded = world.supervision.inspection.pk
    assert ids("operator") == {recorded}
    assert ids("township") == {recorded}
    inspector = ids("inspector")
    assert {world.family_done.pk, world.family_open.pk} <= inspector
    assert recorded not in inspector and world.to_review.pk not in inspector
    assert ids("lead") == set(Inspection.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_an_inspector_records_findings_and_an_error_names_the_result_row(
    world: World, role_clients: dict[str, Client]
) -> None:
    client = role_clients["inspector"]
    checklist = world.supervision.checklist
    url = f"/api/v1/supervision/inspections/{world.family_open.pk}/findings"
    body: dict[str, Any] = {
        "inspected_on": timezone.localdate().isoformat(),
        "results": [
            {"item_id": item_id(checklist, "F1"), "result": "compliant"},
            {"item_id": item_id(checklist, "H1"), "result": "violation", "note": ""},
        ],
        "submit": True,
    }
    assert set(_fields(_call(client, "put", url, body))) == {"results.1", "results"}
    body["results"] = [
        {"item_id": item_id(checklist, code), "result": "compliant"} for code in ("F1", "H1", "C1", "P1")
    ]
    future = body | {"inspected_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}
    assert _fields(_call(client, "put", url, future)) == ["inspected_on"]
    twice = body | {"results": [*body["results"], body["results"][0]]}
    assert _fields(_call(client, "put", url, twice)) == ["results.4"]
    detail = _json(_call(client, "put", url, body))
    assert detail["status"] == "submitted" and detail["conclusion"] == "pass"
    assert [row["result"] for row in detail["findings"]] == ["compliant"] * 4


@pytest.mark.django_db
def test_the_inspection_detail_lists_every_item_with_its_finding(
    world: World, role_clients: dict[str, Client]
) -> None:
    detail = _json(
        role_clients["operator"].get(f"/api/v1/supervision/inspections/{world.supervision.inspection.pk}")
    )
    assert detail["conclusion"] == "rectify" and detail["conclusion_label"] == "责令整改"
    assert [(row["code"], row["result"]) for row in detail["findings"]] == [
        ("F1", "compliant"),
        ("H1", "violation"),
        ("C1", "violation"),
        ("P1", "not_applicable"),
    ]


@pytest.mark.django_db
def test_sending_a_rectification_back_needs_a_note_and_takes_a_new_deadline(
    world: World, role_clients: dict[str, Client]
) -> None:
    client = role_clients["inspector"]
    url = f"/api/v1/supervision/orders/{world.family_submitted.pk}/verify"
    assert _fields(_call(client, "post", url, {"accepted": False})) == ["note"]
    later = timezone.localdate() + dt.timedelta(days=10)
    order = _json(
        _call(client, "post", url, {"accepted": False, "note": "记录不完整", "new_deadline": str(later)})
    )
    assert (order["status"], order["deadline"], order["review_note"]) == (
        "reopened",
        str(later),
        "记录不完整",
    )
    assert RectificationOrder.objects.get(pk=world.family_submitted.pk).status == OrderStatus.REOPENED


@pytest.mark.django_db
def test_an_operator_reports_an_incident_of_their_own_institution_without_naming_it(
    world: World, role_clients: dict[str, Client]
) -> None:
    body = _incident_body(world)
    del body["institution_id"]
    incident = _json(_call(role_clients["operator"], "post", "/api/v1/supervision/incidents", body), 201)
    assert incident["institution_id"] == world.supervision.registry.nursery_a.pk and not incident["late"]
    late = body | {"severity": "serious", "occurred_at": (timezone.now() - dt.timedelta(hours=5)).isoformat()}
    assert _json(_call(role_clients["operator"], "post", "/api/v1/supervision/incidents", late), 201)["late"]
    future = body | {"occurred_at": (timezone.now() + dt.timedelta(hours=5)).isoformat()}
    assert _fields(_call(role_clients["operator"], "post", "/api/v1/supervision/incidents", future)) == [
        "occurred_at"
    ]
    assert _fields(_call(role_clients["admin"], "post", "/api/v1/supervision/incidents", body)) == [
        "institution_id"
    ]
    assert IncidentReport.objects.count() == 2


@pytest.mark.django_db
def test_the_credit_archive_shows_the_grade_its_history_and_the_events(
    world: World, role_clients: dict[str, Client]
) -> None:
    archive = _json(
        role_clients["operator"].get(f"/api/v1/supervision/credit/{world.supervision.registry.nursery_a.pk}")
    )
    assert archive["grade"] == "B"
    assert [(row["grade"], row["score"]) for row in archive["history"]] == [("B", 90.0)]
    assert {(event["kind_label"], event["count"]) for event in archive["events"]} == {
        ("检查责令整改", 1),
        ("一般问题", 2),
    }
