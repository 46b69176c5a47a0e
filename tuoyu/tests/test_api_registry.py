"""The registry API: payloads, scoping, filters, pagination and the operators' writes.

Objects are those of the small registry (``tuoyu/conftest.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.conf import settings as django_settings
from django.test import Client

from tuoyu.accounts.models import User
from tuoyu.conftest import SmallRegistry, resident_id
from tuoyu.registry.models import CareClass, Certificate, ChildPopulation, Fee

V1 = "/api/v1"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _json(client: Client, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.json()


def _ids(page: dict[str, Any]) -> set[int]:
    return {item["id"] for item in page["items"]}


# Townships ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_townships_payload(role_clients: dict[str, Client]) -> None:
    townships = _json(role_clients["admin"], f"{V1}/townships")
    assert townships == [
        {
            "code": "331082001000",
            "name": "示例街道甲",
            "kind": "subdistrict",
            "kind_label": "街道",
            "latitude": 28.86,
            "longitude": 121.12,
            "children_under_3": 500,  # 5 age bands × 100
            "children_year": 2025,
        },
        {
            "code": "331082100000",
            "name": "示例镇乙",
            "kind": "town",
            "kind_label": "镇",
            "latitude": 28.99,
            "longitude": 120.92,
            "children_under_3": 250,  # 5 age bands × 50
            "children_year": 2025,
        },
    ]


@pytest.mark.django_db
def test_townships_children_of_the_latest_year(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    ChildPopulation.objects.create(township=registry.township_a, year=2026, age_band="m0_6", children=7)
    townships = {t["code"]: t for t in _json(role_clients["admin"], f"{V1}/townships")}
    assert townships["331082001000"]["children_under_3"] == 7
    assert townships["331082001000"]["children_year"] == 2026
    assert townships["331082100000"]["children_year"] == 2025


@pytest.mark.django_db
def test_townships_are_scoped(role_clients: dict[str, Client]) -> None:
    assert [t["code"] for t in _json(role_clients["township"], f"{V1}/townships")] == ["331082001000"]
    assert [t["code"] for t in _json(role_clients["operator"], f"{V1}/townships")] == ["331082001000"]
    assert _json(role_clients["public"], f"{V1}/townships") == []


# Institution list ---------------------------------------------------------------------


@pytest.mark.django_db
def test_institution_list_is_scoped(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    everything = {registry.kindergarten_a.pk, registry.nursery_a.pk, registry.family_b.pk}
    admin_page = _json(role_clients["admin"], f"{V1}/institutions")
    assert admin_page["count"] == 3
    assert _ids(admin_page) == everything
    township_page = _json(role_clients["township"], f"{V1}/institutions")
    assert township_page["count"] == 2
    assert _ids(township_page) == {registry.kindergarten_a.pk, registry.nursery_a.pk}
    operator_page = _json(role_clients["operator"], f"{V1}/institutions")
    assert _ids(operator_page) == {registry.nursery_a.pk}
    assert operator_page["count"] == 1
    public_page = _json(role_clients["public"], f"{V1}/institutions")
    assert public_page["count"] == 0
    assert public_page["items"] == []


@pytest.mark.django_db
def test_institution_list_item(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    page = _json(role_clients["operator"], f"{V1}/institutions?as_of=2025-12-31")
    assert page["as_of"] == "2025-12-31"
    assert page["items"] == [
        {
            "id": registry.nursery_a.pk,
            "credit_code": registry.nursery_a.credit_code,
            "name": "示例托育园 №2",
            "ownership": "private",
            "ownership_label": "民办",
            "form": "standalone",
            "form_label": "独立托育机构",
            "township": {"code": "331082001000", "name": "示例街道甲"},
            "filing_status": "filed",
            "filed_on": "2023-01-01",
            "filing_revoked_on": None,
            "opened_on": "2023-01-01",
            "closed_on": None,
            "puhui": True,
        }
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("township=331082100000", {"family_b"}),
        ("township=331082001000", {"kindergarten_a", "nursery_a"}),
        ("township=999999999999", set()),
        ("form=family", {"family_b"}),
        ("form=kindergarten", {"kindergarten_a"}),
        ("puhui=true&as_of=2025-12-31", {"kindergarten_a", "nursery_a"}),
        ("puhui=false&as_of=2025-12-31", {"family_b"}),
        # 托育园 №2 is 普惠 only from 2024-01-01.
        ("puhui=true&as_of=2023-06-01", {"kindergarten_a"}),
        ("puhui=false&as_of=2023-06-01", {"nursery_a", "family_b"}),
        ("township=331082001000&puhui=true&form=standalone&as_of=2025-12-31", {"nursery_a"}),
    ],
)
def test_institution_filters(
    role_clients: dict[str, Client], registry: SmallRegistry, query: str, expected: set[str]
) -> None:
    page = _json(role_clients["admin"], f"{V1}/institutions?{query}")
    assert _ids(page) == {getattr(registry, name).pk for name in expected}
    assert page["count"] == len(expected)


@pytest.mark.django_db
def test_filters_do_not_widen_the_scope(role_clients: dict[str, Client]) -> None:
    page = _json(role_clients["township"], f"{V1}/institutions?township=331082100000")
    assert page["count"] == 0
    assert page["items"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("form=school", "form"),
        ("puhui=maybe", "puhui"),
        ("as_of=2025-13-01", "as_of"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("offset=-1", "offset"),
    ],
)
def test_bad_list_parameters_are_422(role_clients: dict[str, Client], query: str, field: str) -> None:
    body = _json(role_clients["admin"], f"{V1}/institutions?{query}", status=422)
    assert [error["field"] for error in body["detail"]] == [field]


@pytest.mark.django_db
def test_pagination(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    client = role_clients["admin"]
    first = _json(client, f"{V1}/institutions?limit=2")
    second = _json(client, f"{V1}/institutions?limit=2&offset=2")
    beyond = _json(client, f"{V1}/institutions?limit=2&offset=10")
    assert (first["count"], first["limit"], first["offset"], len(first["items"])) == (3, 2, 0, 2)
    assert (second["count"], second["offset"], len(second["items"])) == (3, 2, 1)
    assert beyond["count"] == 3
    assert beyond["items"] == []
    assert _ids(first).isdisjoint(_ids(second))
    assert _ids(first) | _ids(second) == {
        registry.kindergarten_a.pk,
        registry.nursery_a.pk,
        registry.family_b.pk,
    }
    # Township A (331082001000) sorts before B.
    assert registry.family_b.pk in _ids(second)


# Institution detail -------------------------------------------------------------------


@pytest.mark.django_db
def test_institution_detail_payload(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    detail = _json(role_clients["operator"], f"{V1}/institutions/{registry.nursery_a.pk}?as_of=2025-12-31")
    assert detail["name"] == "示例托育园 №2"
    assert detail["credit_code"] == registry.nursery_a.credit_code
    assert detail["filing_status"] == "filed"
    assert detail["filing_status_label"] == "已备案"
    assert detail["filed_on"] == "2023-01-01"
    assert detail["puhui"] is True
    assert detail["township"] == {"code": "331082001000", "name": "示例街道甲"}
    assert detail["designations"] == [{"valid_from": "2024-01-01", "valid_to": None, "document": ""}]
    assert detail["classes"] == [
        {
            "id": registry.nursery_class.pk,
            "institution_id": registry.nursery_a.pk,
            "name": "托小一班",
            "class_type": "toddler",
            "class_type_label": "托小班",
            "approved_slots": 15,
            "enrolled": 12,
            "caregivers": 3,
            "opened_on": None,
            "closed_on": None,
        }
    ]
    assert detail["fees"] == [
        {
            "id": registry.nursery_fee.pk,
            "institution_id": registry.nursery_a.pk,
            "class_type": "toddler",
            "full_day_monthly": 1800,
            "half_day_monthly": 1000,
            "effective_from": "2024-01-01",
            "effective_to": None,
        }
    ]
    before = _json(role_clients["operator"], f"{V1}/institutions/{registry.nursery_a.pk}?as_of=2023-06-01")
    assert before["puhui"] is False


@pytest.mark.django_db
def test_institution_detail_is_scoped(
    role_clients: dict[str, Client], registry: SmallRegistry, other_operator_user: User
) -> None:
    kindergarten, nursery, family = registry.kindergarten_a.pk, registry.nursery_a.pk, registry.family_b.pk
    _json(role_clients["township"], f"{V1}/institutions/{kindergarten}")
    _json(role_clients["township"], f"{V1}/institutions/{nursery}")
    _json(role_clients["township"], f"{V1}/institutions/{family}", status=404)
    _json(role_clients["operator"], f"{V1}/institutions/{kindergarten}", status=404)
    _json(role_clients["public"], f"{V1}/institutions/{nursery}", status=404)
    _json(_client(other_operator_user), f"{V1}/institutions/{family}")
    _json(_client(other_operator_user), f"{V1}/institutions/{nursery}", status=404)
    _json(role_clients["admin"], f"{V1}/institutions/999999", status=404)


# Staff --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_payload(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    Certificate.objects.create(
        staff=registry.caregiver,
        cert_type="health",
        number="JK001",
        issued_on=dt.date(2024, 1, 1),
        expires_on=dt.date(2024, 12, 31),
    )
    body = _json(
        role_clients["operator"], f"{V1}/institutions/{registry.nursery_a.pk}/staff?as_of=2025-12-31"
    )
    assert body["reference_date"] == "2025-12-31"
    plain = resident_id(1)
    assert body["items"] == [
        {
            "employment_id": registry.caregiver_employment.pk,
            "name": "王某 001",
            "id_number_masked": plain[:4] + "*" * 10 + plain[-4:],
            "role": "caregiver",
            "role_label": "保育人员",
            "start": "2024-01-01",
            "end": None,
            "employed": True,
            "certificates": [
                {
                    "cert_type": "baoyushi",
                    "cert_type_label": "保育师",
                    "number": "BY001",
                    "issued_on": "2022-01-01",
                    "expires_on": None,
                    "valid": True,
                },
                {
                    "cert_type": "health",
                    "cert_type_label": "健康证",
                    "number": "JK001",
                    "issued_on": "2024-01-01",
                    "expires_on": "2024-12-31",
                    "valid": False,  # expired before the reference date
                },
            ],
        }
    ]
    # Employed from 2024-01-01: nobody on 2023-06-01.
    early = _json(
        role_clients["operator"], f"{V1}/institutions/{registry.nursery_a.pk}/staff?as_of=2023-06-01"
    )
    assert early["items"] == []


@pytest.mark.django_db
def test_staff_is_scoped(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    family_staff = f"{V1}/institutions/{registry.family_b.pk}/staff"
    assert [s["name"] for s in _json(role_clients["admin"], family_staff)["items"]] == ["李某 002"]
    _json(role_clients["township"], family_staff, status=404)
    _json(role_clients["operator"], family_staff, status=404)
    _json(role_clients["public"], f"{V1}/institutions/{registry.nursery_a.pk}/staff", status=404)
    _json(role_clients["township"], f"{V1}/institutions/{registry.nursery_a.pk}/staff")


@pytest.mark.django_db
def test_plain_id_number_never_appears(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    """Neither the plain ID nor the ciphertext nor the blind index, in any response, for any role."""
    urls = [
        f"{V1}/indicators",
        f"{V1}/townships",
        f"{V1}/institutions",
        *(
            f"{V1}/institutions/{institution.pk}{suffix}"
            for institution in (registry.kindergarten_a, registry.nursery_a, registry.family_b)
            for suffix in ("", "/staff", "/staff?as_of=2025-12-31")
        ),
    ]
    secrets = [resident_id(1), resident_id(2), registry.caregiver.id_number_index]
    ciphertext = bytes(registry.caregiver.id_number_ciphertext)
    seen_masked = False
    for client in role_clients.values():
        for url in urls:
            response = client.get(url)
            raw = response.content
            text = json.dumps(response.json(), ensure_ascii=False) if response.content else ""
            for secret in secrets:
                assert secret not in text, url
                assert secret.encode() not in raw, url
            assert ciphertext not in raw
            assert "id_number_ciphertext" not in text
            assert "id_number_index" not in text
            seen_masked = seen_masked or "**********" in text
    assert seen_masked


# Writes -------------------------------------------------------------------------------

NEW_CLASS = {"name": "乳儿一班", "class_type": "infant", "approved_slots": 6, "enrolled": 3, "caregivers": 2}


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


@pytest.mark.django_db
def test_create_class_saves_it_and_logs_the_actor(
    role_clients: dict[str, Client], registry: SmallRegistry, operator_user: User
) -> None:
    response = _post(
        role_clients["operator"], f"{V1}/institutions/{registry.nursery_a.pk}/classes", NEW_CLASS
    )
    assert response.status_code == 201, response.content
    body = response.json()
    care_class = CareClass.objects.get(pk=body["id"])
    assert care_class.institution_id == registry.nursery_a.pk
    assert (care_class.name, care_class.class_type, care_class.approved_slots) == ("乳儿一班", "infant", 6)
    assert body["approved_slots"] == 6
    assert body["class_type_label"] == "乳儿班"
    entry = LogEntry.objects.get_for_object(care_class).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == operator_user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"enrolled": 7}, "enrolled"),  # 7 > 6 approved slots
        ({"approved_slots": -1, "enrolled": 0}, "approved_slots"),
        ({"caregivers": -2}, "caregivers"),
        ({"class_type": "nursery"}, "class_type"),
        ({"opened_on": "2025-09-01", "closed_on": "2025-08-01"}, "closed_on"),
        ({"opened_on": "2025-02-30"}, "opened_on"),
    ],
)
def test_create_class_rejects_bad_input(
    role_clients: dict[str, Client], registry: SmallRegistry, change: dict[str, Any], field: str
) -> None:
    classes, entries = CareClass.objects.count(), LogEntry.objects.count()
    response = _post(
        role_clients["operator"],
        f"{V1}/institutions/{registry.nursery_a.pk}/classes",
        {**NEW_CLASS, **change},
    )
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert field in [error["field"] for error in detail]
    assert all(error["message"] for error in detail)
    assert CareClass.objects.count() == classes
    assert LogEntry.objects.count() == entries


@pytest.mark.django_db
def test_create_class_refuses_other_institutions(
    role_clients: dict[str, Client], registry: SmallRegistry, other_operator_user: User
) -> None:
    classes = CareClass.objects.count()
    url = f"{V1}/institutions/{registry.nursery_a.pk}/classes"
    assert _post(role_clients["township"], url, NEW_CLASS).status_code == 403
    assert _post(_client(other_operator_user), url, NEW_CLASS).status_code == 404
    assert _post(role_clients["public"], url, NEW_CLASS).status_code == 403
    assert _post(role_clients["anonymous"], url, NEW_CLASS).status_code == 401
    assert CareClass.objects.count() == classes


@pytest.mark.django_db
def test_update_class_changes_only_the_fields_given(
    role_clients: dict[str, Client], registry: SmallRegistry, operator_user: User
) -> None:
    url = f"{V1}/classes/{registry.nursery_class.pk}"
    response = role_clients["operator"].patch(
        url, {"enrolled": 10, "caregivers": 2}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    registry.nursery_class.refresh_from_db()
    assert (registry.nursery_class.enrolled, registry.nursery_class.caregivers) == (10, 2)
    assert (registry.nursery_class.name, registry.nursery_class.approved_slots) == ("托小一班", 15)
    assert response.json()["enrolled"] == 10
    entry = (
        LogEntry.objects.get_for_object(registry.nursery_class).filter(action=LogEntry.Action.UPDATE).get()
    )
    assert entry.actor == operator_user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"enrolled": 16}, "enrolled"),  # > 15 approved slots
        ({"approved_slots": 10}, "enrolled"),  # 12 enrolled > 10
        ({"approved_slots": -5}, "approved_slots"),
        ({"name": None}, "name"),
    ],
)
def test_update_class_rejects_bad_input(
    role_clients: dict[str, Client], registry: SmallRegistry, change: dict[str, Any], field: str
) -> None:
    url = f"{V1}/classes/{registry.nursery_class.pk}"
    response = role_clients["operator"].patch(url, change, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["detail"]]
    registry.nursery_class.refresh_from_db()
    assert (registry.nursery_class.enrolled, registry.nursery_class.approved_slots) == (12, 15)
    assert registry.nursery_class.name == "托小一班"


@pytest.mark.django_db
def test_create_fee(role_clients: dict[str, Client], registry: SmallRegistry, admin_user: User) -> None:
    body = {
        "class_type": "infant",
        "full_day_monthly": 2100,
        "half_day_monthly": 1200,
        "effective_from": "2025-09-01",
    }
    response = _post(role_clients["admin"], f"{V1}/institutions/{registry.family_b.pk}/fees", body)
    assert response.status_code == 201, response.content
    fee = Fee.objects.get(pk=response.json()["id"])
    assert (fee.institution_id, fee.class_type, fee.full_day_monthly) == (
        registry.family_b.pk,
        "infant",
        2100,
    )
    assert response.json()["effective_to"] is None
    assert LogEntry.objects.get_for_object(fee).get().actor == admin_user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        # The 托小班 fee from 2024-01-01 is open-ended: a new one from 2025 overlaps it.
        (
            {"class_type": "toddler", "full_day_monthly": 1900, "effective_from": "2025-01-01"},
            "effective_from",
        ),
        (
            {"class_type": "infant", "full_day_monthly": -1, "effective_from": "2025-01-01"},
            "full_day_monthly",
        ),
        (
            {
                "class_type": "infant",
                "full_day_monthly": 1,
                "effective_from": "2025-01-01",
                "effective_to": "2024-01-01",
            },
            "effective_to",
        ),
        ({"class_type": "infant", "full_day_monthly": 1}, "effective_from"),
        (
            {"class_type": "infant", "full_day_monthly": 99.5, "effective_from": "2025-01-01"},
            "full_day_monthly",
        ),
    ],
)
def test_create_fee_rejects_bad_input(
    role_clients: dict[str, Client], registry: SmallRegistry, body: dict[str, Any], field: str
) -> None:
    fees, entries = Fee.objects.count(), LogEntry.objects.count()
    response = _post(role_clients["operator"], f"{V1}/institutions/{registry.nursery_a.pk}/fees", body)
    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["detail"]] == [field]
    assert Fee.objects.count() == fees
    assert LogEntry.objects.count() == entries


@pytest.mark.django_db
def test_writes_need_the_csrf_token(admin_user: User, registry: SmallRegistry) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    url = f"{V1}/institutions/{registry.nursery_a.pk}/classes"
    refused = client.post(url, NEW_CLASS, content_type="application/json")
    assert refused.status_code == 403
    assert not CareClass.objects.filter(name="乳儿一班").exists()
    token = "tuoyu" * 6 + "ok"  # any 32 letters/digits: the cookie and the header must match
    client.cookies[django_settings.CSRF_COOKIE_NAME] = token
    accepted = client.post(url, NEW_CLASS, content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.content
