"""The enrollment API: who gets what from each endpoint, and what the answers contain.

``API_MATRIX`` is read by ``tuoyu/tests/test_api_permissions.py``, whose check fails when
an endpoint of the OpenAPI schema has no row in any matrix; the rows run here, with their
bodies, on the world of :func:`world`:

* ``{round}`` is the open round of the enrollment fixtures, ``{draft}`` a draft,
  ``{closed}`` a closed round and ``{allocated}`` an allocated one;
* ``{child}`` is the ``public`` parent's child and ``{other_child}`` another parent's;
* in ``{allocated}``: ``{application}`` and ``{offer}`` (still to be answered) are the
  parent's; ``{other_application}`` and ``{nursery_offer}`` (accepted, at 托育园 №2,
  whose operator is ``operator``) the other parent's, as is ``{kindergarten_offer}``
  (accepted, at 幼儿园 №1, outside the operator's scope);
* ``{nursery}`` and ``{family}`` are 托育园 №2 and 家庭托育点 №3.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.accounts.models import User
from tuoyu.conftest import ROLES, SmallRegistry, resident_id
from tuoyu.enrollment import services
from tuoyu.enrollment.allocation import round_allocate
from tuoyu.enrollment.models import (
    Application,
    Child,
    Offer,
    OfferStatus,
    Round,
    RoundPlace,
)
from tuoyu.enrollment.tests.conftest import Enrollment, make_child

Statuses = dict[str, int]
SEPTEMBER = dt.date(2026, 9, 1)
ALL_200: Statuses = dict.fromkeys(ROLES, 200)
ALL_404: Statuses = dict.fromkeys(ROLES, 404)


def _parent_only(status: int) -> Statuses:
    return {
        "admin": 403,
        "township": 403,
        "operator": 403,
        "lead": 403,
        "inspector": 403,
        "public": status,
        "anonymous": 401,
    }


def _bureau_only(status: int) -> Statuses:
    return {
        "admin": status,
        "township": 403,
        "operator": 403,
        "lead": 403,
        "inspector": 403,
        "public": 403,
        "anonymous": 401,
    }


def _institution_staff(admin: int, operator: int) -> Statuses:
    return {
        "admin": admin,
        "township": 403,
        "operator": operator,
        "lead": 403,
        "inspector": 403,
        "public": 403,
        "anonymous": 401,
    }


API_MATRIX: list[tuple[str, str, Statuses]] = [
    # Public: the rounds that are not drafts.
    ("get", "/api/v1/enrollment/rounds", ALL_200),
    ("get", "/api/v1/enrollment/rounds/{round}", ALL_200),
    ("get", "/api/v1/enrollment/rounds/{draft}", ALL_404),
    ("get", "/api/v1/enrollment/rounds/99999", ALL_404),
    ("get", "/api/v1/enrollment/rounds/{allocated}/lottery", ALL_200),
    ("get", "/api/v1/enrollment/rounds/{round}/lottery", ALL_200),
    ("get", "/api/v1/enrollment/rounds/{draft}/lottery", ALL_404),
    ("get", "/api/v1/enrollment/rounds/{round}/places", ALL_200),
    ("get", "/api/v1/enrollment/rounds/{draft}/places", ALL_404),
    # Parents: their own children, applications and offers.
    ("get", "/api/v1/enrollment/children", _parent_only(200)),
    ("post", "/api/v1/enrollment/children", _parent_only(201)),
    ("get", "/api/v1/enrollment/applications", _parent_only(200)),
    ("get", "/api/v1/enrollment/applications/{application}", _parent_only(200)),
    ("get", "/api/v1/enrollment/applications/{other_application}", _parent_only(404)),
    ("put", "/api/v1/enrollment/rounds/{round}/applications/{child}", _parent_only(200)),
    ("put", "/api/v1/enrollment/rounds/{round}/applications/{other_child}", _parent_only(404)),
    ("put", "/api/v1/enrollment/rounds/{draft}/applications/{child}", _parent_only(404)),
    ("post", "/api/v1/enrollment/offers/{offer}/accept", _parent_only(200)),
    ("post", "/api/v1/enrollment/offers/{offer}/decline", _parent_only(200)),
    ("post", "/api/v1/enrollment/offers/{nursery_offer}/accept", _parent_only(404)),
    ("post", "/api/v1/enrollment/offers/{nursery_offer}/decline", _parent_only(404)),
    # The bureau.
    ("post", "/api/v1/enrollment/rounds", _bureau_only(201)),
    ("post", "/api/v1/enrollment/rounds/{draft}/open", _bureau_only(200)),
    ("post", "/api/v1/enrollment/rounds/{round}/open", _bureau_only(422)),
    ("post", "/api/v1/enrollment/rounds/99999/open", _bureau_only(404)),
    ("post", "/api/v1/enrollment/rounds/{round}/close", _bureau_only(200)),
    ("post", "/api/v1/enrollment/rounds/{closed}/allocate", _bureau_only(200)),
    ("post", "/api/v1/enrollment/rounds/{round}/allocate", _bureau_only(422)),
    # Institutions.
    ("get", "/api/v1/enrollment/institutions/{nursery}/applicants", _institution_staff(200, 200)),
    ("get", "/api/v1/enrollment/institutions/{family}/applicants", _institution_staff(200, 404)),
    ("get", "/api/v1/enrollment/institutions/99999/applicants", _institution_staff(404, 404)),
    ("post", "/api/v1/enrollment/offers/{nursery_offer}/enroll", _institution_staff(200, 200)),
    ("post", "/api/v1/enrollment/offers/{kindergarten_offer}/enroll", _institution_staff(200, 404)),
    ("post", "/api/v1/enrollment/offers/{offer}/enroll", _institution_staff(422, 422)),
]


@dataclass
class World:
    enrollment: Enrollment
    child: Child
    other_child: Child
    draft: Round
    closed: Round
    allocated: Round
    application: Application
    other_application: Application
    offer: Offer
    nursery_offer: Offer
    kindergarten_offer: Offer

    @property
    def registry(self) -> SmallRegistry:
        return self.enrollment.registry


def _round(admin: User, name: str) -> Round:
    now = timezone.now()
    return services.round_create(
        actor=admin,
        name=name,
        first_start_month=SEPTEMBER,
        last_start_month=dt.date(2027, 3, 1),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
        priority_rules=["hardship", "sibling", "resident"],
    )


def _place(round_: Round, institution_id: int, class_type: str) -> RoundPlace:
    return round_.places.get(institution_id=institution_id, class_type=class_type)


def _apply(parent: User, round_: Round, child: Child, *places: RoundPlace) -> Application:
    return services.application_submit(
        actor=parent, round_=round_, child=child, start_month=SEPTEMBER, places=list(places)
    )


@pytest.fixture
def world(
    open_round: Enrollment,
    admin_user: User,
    parent_user: User,
    other_parent: User,
    child: Child,
    other_child: Child,
) -> World:
    registry = open_round.registry
    older_child = make_child(
        guardian=other_parent,
        name="王大宝",
        birth=dt.date(2024, 7, 1),
        serial=503,
        township_id=registry.township_a.pk,
    )
    draft = _round(admin_user, "草稿轮次")
    closed = _round(admin_user, "已截止轮次")
    allocated = _round(admin_user, "已分配轮次")
    for round_ in (closed, allocated):
        services.round_open(actor=admin_user, round_=round_)
    nursery = registry.nursery_a.pk
    _apply(other_parent, closed, other_child, _place(closed, nursery, "toddler"))
    services.round_close(actor=admin_user, round_=closed)
    application = _apply(parent_user, allocated, child, _place(allocated, nursery, "toddler"))
    other_application = _apply(other_parent, allocated, other_child, _place(allocated, nursery, "toddler"))
    older = _apply(
        other_parent, allocated, older_child, _place(allocated, registry.kindergarten_a.pk, "older")
    )
    services.round_close(actor=admin_user, round_=allocated)
    round_allocate(actor=admin_user, round_=allocated)
    nursery_offer = Offer.objects.get(application=other_application)
    kindergarten_offer = Offer.objects.get(application=older)
    for accepted in (nursery_offer, kindergarten_offer):
        services.offer_respond(actor=other_parent, offer=accepted, accept=True)
    for round_ in (draft, closed, allocated):
        round_.refresh_from_db()
    return World(
        enrollment=open_round,
        child=child,
        other_child=other_child,
        draft=draft,
        closed=closed,
        allocated=allocated,
        application=application,
        other_application=other_application,
        offer=Offer.objects.get(application=application),
        nursery_offer=nursery_offer,
        kindergarten_offer=kindergarten_offer,
    )


def _url(template: str, world: World) -> str:
    return template.format(
        round=world.enrollment.round.pk,
        draft=world.draft.pk,
        closed=world.closed.pk,
        allocated=world.allocated.pk,
        child=world.child.pk,
        other_child=world.other_child.pk,
        application=world.application.pk,
        other_application=world.other_application.pk,
        offer=world.offer.pk,
        nursery_offer=world.nursery_offer.pk,
        kindergarten_offer=world.kindergarten_offer.pk,
        nursery=world.registry.nursery_a.pk,
        family=world.registry.family_b.pk,
    )


def _new_child_body(world: World, serial: int = 601) -> dict[str, Any]:
    birth = timezone.localdate() - dt.timedelta(days=400)
    return {
        "name": "赵小满",
        "birth_date": birth.isoformat(),
        "id_number": resident_id(serial, birth.strftime("%Y%m%d")),
        "township_id": world.registry.township_b.pk,
        "consent": True,
    }


def _new_round_body(world: World) -> dict[str, Any]:
    now = timezone.now()
    return {
        "name": "2027 春季统一报名",
        "first_start_month": "2027-01-01",
        "last_start_month": "2027-03-01",
        "opens_at": (now + dt.timedelta(days=1)).isoformat(),
        "closes_at": (now + dt.timedelta(days=8)).isoformat(),
        "priority_rules": ["resident"],
    }


def _enroll_body(template: str, world: World) -> dict[str, Any]:
    registry = world.registry
    care_class = registry.kindergarten_class if "kindergarten" in template else registry.nursery_class
    return {"care_class_id": care_class.pk}


def _application_body(world: World) -> dict[str, Any]:
    return {"start_month": "2026-09-01", "place_ids": [world.enrollment.nursery_toddler.pk]}


def _body(method: str, template: str, world: World) -> dict[str, Any] | None:
    if method == "get":
        return None
    bodies: dict[str, Callable[[], dict[str, Any]]] = {
        "/api/v1/enrollment/children": lambda: _new_child_body(world),
        "/api/v1/enrollment/rounds": lambda: _new_round_body(world),
    }
    if template in bodies:
        return bodies[template]()
    if template.endswith("/enroll"):
        return _enroll_body(template, world)
    if method == "put":
        return _application_body(world)
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
def test_every_enrollment_endpoint_has_a_row_and_typed_responses(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    normalise = re.compile(r"\{[^}]*\}").sub
    in_schema = {
        (method, normalise("{}", path))
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/enrollment/")
        for method in operations
    }
    in_matrix = {(method, normalise("{}", template)) for method, template, _s in API_MATRIX}
    assert len(in_schema) == 17
    assert in_schema - in_matrix == set()
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/enrollment/"):
            continue
        for operation in operations.values():
            success = next(code for code in operation["responses"] if code.startswith("2"))
            content = operation["responses"][success]["content"]["application/json"]["schema"]
            assert "$ref" in content or "items" in content, (path, content)


# Behaviour -----------------------------------------------------------------------------------


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content[:500]
    return response.json()


def _place_ids(application: dict[str, Any]) -> list[int]:
    return [choice["place_id"] for choice in application["choices"]]


def _fields(response: Any) -> list[str | None]:
    assert response.status_code == 422, response.content[:500]
    return [error["field"] for error in response.json()["detail"]]


@pytest.mark.django_db
def test_a_child_with_a_bad_id_number_is_a_422_naming_the_field(
    world: World, role_clients: dict[str, Client]
) -> None:
    body = _new_child_body(world) | {"id_number": "331082201501011234"}
    response = _call(role_clients["public"], "post", "/api/v1/enrollment/children", body)
    assert _fields(response) == ["id_number"]
    assert not Child.objects.filter(name="赵小满").exists()


@pytest.mark.django_db
def test_registering_a_child_without_consent_or_in_an_unknown_township_names_the_field(
    world: World, role_clients: dict[str, Client]
) -> None:
    client = role_clients["public"]
    no_consent = _new_child_body(world) | {"consent": False}
    assert _fields(_call(client, "post", "/api/v1/enrollment/children", no_consent)) == ["consent"]
    nowhere = _new_child_body(world) | {"township_id": 99999}
    assert _fields(_call(client, "post", "/api/v1/enrollment/children", nowhere)) == ["township_id"]
    bad_date = _new_child_body(world) | {"birth_date": "2025-02-30"}
    assert _fields(_call(client, "post", "/api/v1/enrollment/children", bad_date)) == ["birth_date"]


@pytest.mark.django_db
def test_a_place_that_does_not_fit_the_childs_age_is_a_422_naming_that_place(
    world: World, role_clients: dict[str, Client]
) -> None:
    enrollment = world.enrollment
    body = {
        "start_month": "2026-09-01",
        "place_ids": [enrollment.nursery_toddler.pk, enrollment.kindergarten_older.pk],
    }
    url = f"/api/v1/enrollment/rounds/{enrollment.round.pk}/applications/{world.child.pk}"
    response = _call(role_clients["public"], "put", url, body)
    assert _fields(response) == ["place_ids.1"]
    assert "托大班" in response.json()["detail"][0]["message"]
    assert not Application.objects.filter(round=enrollment.round, child=world.child).exists()


@pytest.mark.django_db
def test_a_place_of_another_round_or_no_place_at_all_is_a_422_naming_the_field(
    world: World, role_clients: dict[str, Client]
) -> None:
    enrollment = world.enrollment
    url = f"/api/v1/enrollment/rounds/{enrollment.round.pk}/applications/{world.child.pk}"
    elsewhere = _place(world.draft, world.registry.nursery_a.pk, "toddler")
    client = role_clients["public"]
    other_round = {"start_month": "2026-09-01", "place_ids": [enrollment.nursery_toddler.pk, elsewhere.pk]}
    assert _fields(_call(client, "put", url, other_round)) == ["place_ids.1"]
    nothing = {"start_month": "2026-09-01", "place_ids": []}
    assert _fields(_call(client, "put", url, nothing)) == ["place_ids"]
    too_many = {"start_month": "2026-09-01", "place_ids": [1, 2, 3, 4, 5, 6]}
    assert _fields(_call(client, "put", url, too_many)) == ["place_ids"]
    too_late = {"start_month": "2028-09-01", "place_ids": [enrollment.nursery_toddler.pk]}
    assert _fields(_call(client, "put", url, too_late)) == ["start_month"]


@pytest.mark.django_db
def test_applying_in_a_closed_round_is_a_422(world: World, role_clients: dict[str, Client]) -> None:
    place = _place(world.closed, world.registry.nursery_a.pk, "toddler")
    url = f"/api/v1/enrollment/rounds/{world.closed.pk}/applications/{world.child.pk}"
    body = {"start_month": "2026-09-01", "place_ids": [place.pk]}
    assert _fields(_call(role_clients["public"], "put", url, body)) == [None]


@pytest.mark.django_db
def test_a_parent_applies_changes_the_choices_and_reads_them_back(
    world: World, role_clients: dict[str, Client]
) -> None:
    client = role_clients["public"]
    enrollment = world.enrollment
    url = f"/api/v1/enrollment/rounds/{enrollment.round.pk}/applications/{world.child.pk}"
    first = _json(_call(client, "put", url, _application_body(world)))
    assert first["round_id"] == enrollment.round.pk
    assert first["summary"] == "已提交，等待分配。"
    assert [choice["place_id"] for choice in first["choices"]] == [enrollment.nursery_toddler.pk]
    assert first["choices"][0]["explanation"].endswith("等待分配。")
    again = _json(_call(client, "put", url, {"start_month": "2026-10-15", "place_ids": _place_ids(first)}))
    assert again["id"] == first["id"]
    assert again["start_month"] == "2026-10-01"
    listed = _json(client.get("/api/v1/enrollment/applications"))
    assert {item["id"] for item in listed} == {first["id"], world.application.pk}


@pytest.mark.django_db
def test_an_allocated_application_explains_each_choice_and_carries_its_offer(
    world: World, role_clients: dict[str, Client]
) -> None:
    body = _json(role_clients["public"].get(f"/api/v1/enrollment/applications/{world.application.pk}"))
    assert body["lottery_rank"] in {1, 2, 3}
    choice = body["choices"][0]
    assert choice["outcome"] == "placed" and choice["outcome_label"] == "录取"
    assert choice["explanation"].startswith("已录取：示例托育园 №2托小班")
    assert choice["priority_reasons"] == ["resident"]
    assert "抽签序号" in choice["priority_explanation"]
    assert body["offer"]["id"] == world.offer.pk and body["offer"]["status"] == "offered"
    assert body["summary"].startswith("录取于示例托育园 №2托小班")


@pytest.mark.django_db
def test_a_parent_accepts_an_offer_once(world: World, role_clients: dict[str, Client]) -> None:
    client = role_clients["public"]
    url = f"/api/v1/enrollment/offers/{world.offer.pk}/accept"
    accepted = _json(client.post(url, content_type="application/json"))
    assert accepted["status"] == "accepted" and accepted["responded_at"]
    assert _fields(client.post(url, content_type="application/json")) == [None]
    decline = f"/api/v1/enrollment/offers/{world.offer.pk}/decline"
    assert _fields(client.post(decline, content_type="application/json")) == [None]
    assert Offer.objects.get(pk=world.offer.pk).status == OfferStatus.ACCEPTED


@pytest.mark.django_db
def test_the_full_id_number_never_appears_in_any_api_response(
    world: World, role_clients: dict[str, Client]
) -> None:
    new_child = _new_child_body(world)
    secrets = [world.child.id_number, world.other_child.id_number, new_child["id_number"]]
    parent, operator, admin = role_clients["public"], role_clients["operator"], role_clients["admin"]
    round_url = f"/api/v1/enrollment/rounds/{world.enrollment.round.pk}"
    responses = [
        _call(parent, "post", "/api/v1/enrollment/children", new_child),
        parent.get("/api/v1/enrollment/children"),
        _call(parent, "put", f"{round_url}/applications/{world.child.pk}", _application_body(world)),
        parent.get("/api/v1/enrollment/applications"),
        parent.get(f"/api/v1/enrollment/applications/{world.application.pk}"),
        parent.post(f"/api/v1/enrollment/offers/{world.offer.pk}/accept"),
        operator.get(f"/api/v1/enrollment/institutions/{world.registry.nursery_a.pk}/applicants"),
        admin.get(f"/api/v1/enrollment/institutions/{world.registry.kindergarten_a.pk}/applicants"),
        admin.get("/api/v1/enrollment/rounds"),
        admin.get(f"/api/v1/enrollment/rounds/{world.allocated.pk}/lottery"),
    ]
    for response in responses:
        assert response.status_code in {200, 201}, response.content[:500]
        content = response.content.decode()
        for secret in secrets:
            assert secret not in content
            assert secret[:17] not in content
    children = parent.get("/api/v1/enrollment/children").json()
    masked = {child["id_number_masked"] for child in children}
    assert world.child.id_number_masked in masked
    assert all("*" in number for number in masked)


@pytest.mark.django_db
def test_a_parent_sees_only_their_own_children_and_applications(
    world: World, role_clients: dict[str, Client]
) -> None:
    client = role_clients["public"]
    assert [child["id"] for child in _json(client.get("/api/v1/enrollment/children"))] == [world.child.pk]
    applications = _json(client.get("/api/v1/enrollment/applications"))
    assert [application["id"] for application in applications] == [world.application.pk]
    created = _json(_call(client, "post", "/api/v1/enrollment/children", _new_child_body(world)), 201)
    assert created["name"] == "赵小满" and created["consent_version"]
    assert Child.objects.get(pk=created["id"]).guardian.username == "public"


@pytest.mark.django_db
def test_an_operator_sees_the_applicants_with_masked_names(
    world: World, role_clients: dict[str, Client]
) -> None:
    url = f"/api/v1/enrollment/institutions/{world.registry.nursery_a.pk}/applicants"
    applicants = _json(role_clients["operator"].get(url))
    assert {row["child_name"] for row in applicants} == {"张**", "李**"}
    assert "张小宝" not in json.dumps(applicants, ensure_ascii=False)
    offered = {row["reference"]: row for row in applicants if row["round_id"] == world.allocated.pk}
    assert offered[world.other_application.reference]["offer_status"] == "accepted"
    assert offered[world.application.reference]["offer_id"] == world.offer.pk
    only_closed = _json(role_clients["operator"].get(url, {"round_id": world.closed.pk}))
    assert [row["round_id"] for row in only_closed] == [world.closed.pk]


@pytest.mark.django_db
def test_an_institution_enrolls_an_accepted_offer_into_one_of_its_classes(
    world: World, role_clients: dict[str, Client]
) -> None:
    client = role_clients["operator"]
    url = f"/api/v1/enrollment/offers/{world.nursery_offer.pk}/enroll"
    wrong = {"care_class_id": world.registry.kindergarten_class.pk}
    assert _fields(_call(client, "post", url, wrong)) == ["care_class_id"]
    assert _fields(_call(client, "post", url, {"care_class_id": 99999})) == ["care_class_id"]
    before = world.registry.nursery_class.enrolled
    enrolled = _json(_call(client, "post", url, {"care_class_id": world.registry.nursery_class.pk}))
    assert enrolled["status"] == "enrolled" and enrolled["care_class_id"] == world.registry.nursery_class.pk
    world.registry.nursery_class.refresh_from_db()
    assert world.registry.nursery_class.enrolled == before + 1


@pytest.mark.django_db
def test_the_bureau_creates_opens_closes_and_allocates_a_round(
    world: World, role_clients: dict[str, Client]
) -> None:
    admin = role_clients["admin"]
    created = _json(_call(admin, "post", "/api/v1/enrollment/rounds", _new_round_body(world)), 201)
    assert created["status"] == "draft" and len(created["commitment"]) == 64 and created["seed"] == ""
    assert created["start_months"] == ["2027-01-01", "2027-02-01", "2027-03-01"]
    assert created["priority_rules"] == [{"code": "resident", "label": "居住在机构所在镇（街道）"}]
    _json(admin.get(f"/api/v1/enrollment/rounds/{created['id']}"), 404)
    opened = _json(admin.post(f"/api/v1/enrollment/rounds/{created['id']}/open"))
    assert opened["status"] == "open"
    closed = _json(admin.post(f"/api/v1/enrollment/rounds/{created['id']}/close"))
    assert closed["status"] == "closed"
    places = _json(admin.get(f"/api/v1/enrollment/rounds/{created['id']}/places"))
    figures = _json(admin.post(f"/api/v1/enrollment/rounds/{created['id']}/allocate"))
    seats = sum(place["capacity"] for place in places)
    assert figures == {
        "round_id": created["id"],
        "applications": 0,
        "placed": 0,
        "unplaced": 0,
        "seats": seats,
    }


@pytest.mark.django_db
def test_a_round_with_an_unknown_rule_or_upside_down_months_is_a_422_naming_the_field(
    world: World, role_clients: dict[str, Client]
) -> None:
    admin = role_clients["admin"]
    unknown = _new_round_body(world) | {"priority_rules": ["distance"]}
    assert _fields(_call(admin, "post", "/api/v1/enrollment/rounds", unknown)) == ["priority_rules.0"]
    upside_down = _new_round_body(world) | {"first_start_month": "2027-05-01"}
    assert _fields(_call(admin, "post", "/api/v1/enrollment/rounds", upside_down)) == ["last_start_month"]
    assert not Round.objects.filter(name="2027 春季统一报名").exists()


@pytest.mark.django_db
def test_public_rounds_leave_out_drafts_and_reveal_the_seed_only_after_the_draw(
    world: World, client: Client
) -> None:
    rounds = {item["id"]: item for item in _json(client.get("/api/v1/enrollment/rounds"))}
    assert world.draft.pk not in rounds
    assert set(rounds) == {world.enrollment.round.pk, world.closed.pk, world.allocated.pk}
    assert rounds[world.closed.pk]["seed"] == "" and rounds[world.closed.pk]["roster_hash"] == ""
    allocated = rounds[world.allocated.pk]
    assert allocated["status"] == "allocated" and allocated["algorithm"] == "tuoyu-lottery-1"
    assert len(allocated["seed"]) == 64
    before = _json(client.get(f"/api/v1/enrollment/rounds/{world.closed.pk}/lottery"))
    assert before == {
        "round": world.closed.pk,
        "name": world.closed.name,
        "commitment": world.closed.commitment,
    }
    places = _json(client.get(f"/api/v1/enrollment/rounds/{world.enrollment.round.pk}/places"))
    assert [(p["institution_name"], p["class_type"], p["capacity"]) for p in places] == [
        ("示例幼儿园 №1", "older", 2),
        ("示例托育园 №2", "toddler", 3),
    ]
    assert places[0]["township_name"] == "示例街道甲"


@pytest.mark.django_db
def test_the_published_lottery_verifies_with_the_standalone_tool(
    world: World, role_clients: dict[str, Client], tmp_path: Path
) -> None:
    admin = role_clients["admin"]
    enrollment = world.enrollment
    noted = _json(admin.get(f"/api/v1/enrollment/rounds/{enrollment.round.pk}"))["commitment"]
    url = f"/api/v1/enrollment/rounds/{enrollment.round.pk}/applications/{world.child.pk}"
    _json(_call(role_clients["public"], "put", url, _application_body(world)))
    _json(admin.post(f"/api/v1/enrollment/rounds/{enrollment.round.pk}/close"))
    _json(admin.post(f"/api/v1/enrollment/rounds/{enrollment.round.pk}/allocate"))
    published = _json(admin.get(f"/api/v1/enrollment/rounds/{enrollment.round.pk}/lottery"))
    assert published["references"] == [Application.objects.get(round=enrollment.round).reference]
    page_json = admin.get(reverse("enrollment:lottery_json", kwargs={"pk": enrollment.round.pk})).json()
    assert page_json == published
    path = tmp_path / "lottery.json"
    path.write_text(json.dumps(published), encoding="utf-8")
    tool = Path(settings.BASE_DIR) / "tools" / "verify_lottery.py"
    result = subprocess.run(
        [sys.executable, str(tool), str(path), "--commitment", noted],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert published["references"][0] in result.stdout
    tampered = published | {"ranks": [{"reference": published["references"][0], "rank": 2}]}
    path.write_text(json.dumps(tampered), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(tool), str(path), "--commitment", noted],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
