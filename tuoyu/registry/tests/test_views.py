"""Registry pages: who may open what, and what the pages show."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tuoyu.conftest import ROLES, SmallRegistry, resident_id
from tuoyu.registry.models import CareClass, Certificate, Fee, Institution

Expected = dict[str, int]

READ = {
    "admin": 200,
    "township": 200,
    "operator": 200,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
READ_OTHER_TOWNSHIP = {
    "admin": 200,
    "township": 404,
    "operator": 404,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
EDIT = {
    "admin": 200,
    "township": 403,
    "operator": 200,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
EDIT_DONE = {
    "admin": 302,
    "township": 403,
    "operator": 302,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
EDIT_OTHER_TOWNSHIP = {
    "admin": 200,
    "township": 404,
    "operator": 404,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
EDIT_OTHER_RECORD = {
    "admin": 404,
    "township": 403,
    "operator": 404,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
BUREAU_ONLY = {
    "admin": 200,
    "township": 403,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}


def _own(r: SmallRegistry, **extra: int) -> dict[str, int]:
    """kwargs for the operator's own institution (示例托育园 №2, township A)."""
    return {"pk": r.nursery_a.pk, **extra}


def _certificate(r: SmallRegistry) -> int:
    return Certificate.objects.get(staff=r.caregiver).pk


# (url name, kwargs from the small registry, method, expected status per role)
MATRIX: list[tuple[str, Callable[[SmallRegistry], dict[str, Any]], str, Expected]] = [
    ("registry:institution_list", lambda r: {}, "get", READ),
    ("registry:institution_export", lambda r: {"fmt": "xlsx"}, "get", READ),
    ("registry:institution_export", lambda r: {"fmt": "csv"}, "get", READ),
    (
        "registry:institution_export",
        lambda r: {"fmt": "pdf"},
        "get",
        {**READ, "admin": 404, "township": 404, "operator": 404},
    ),
    ("registry:institution_detail", lambda r: _own(r), "get", READ),
    ("registry:institution_detail", lambda r: {"pk": r.family_b.pk}, "get", READ_OTHER_TOWNSHIP),
    (
        "registry:institution_detail",
        lambda r: {"pk": 999_999},
        "get",
        {**READ, "admin": 404, "township": 404, "operator": 404},
    ),
    ("registry:class_create", lambda r: _own(r), "get", EDIT),
    ("registry:class_create", lambda r: _own(r), "post", EDIT),  # empty form: shown again with errors
    ("registry:class_create", lambda r: {"pk": r.family_b.pk}, "get", EDIT_OTHER_TOWNSHIP),
    ("registry:class_update", lambda r: _own(r, class_pk=r.nursery_class.pk), "get", EDIT),
    ("registry:class_update", lambda r: _own(r, class_pk=r.family_class.pk), "get", EDIT_OTHER_RECORD),
    ("registry:class_delete", lambda r: _own(r, class_pk=r.nursery_class.pk), "get", EDIT),
    ("registry:class_delete", lambda r: _own(r, class_pk=r.nursery_class.pk), "post", EDIT_DONE),
    ("registry:fee_create", lambda r: _own(r), "get", EDIT),
    ("registry:fee_update", lambda r: _own(r, fee_pk=r.nursery_fee.pk), "get", EDIT),
    ("registry:fee_delete", lambda r: _own(r, fee_pk=r.nursery_fee.pk), "get", EDIT),
    ("registry:fee_delete", lambda r: _own(r, fee_pk=r.nursery_fee.pk), "post", EDIT_DONE),
    ("registry:staff_hire", lambda r: _own(r), "get", EDIT),
    (
        "registry:staff_hire",
        lambda r: {"pk": r.kindergarten_a.pk},
        "get",
        {
            "admin": 200,
            "township": 403,
            "operator": 404,
            "lead": 403,
            "inspector": 403,
            "public": 403,
            "anonymous": 302,
        },
    ),
    ("registry:staff_update", lambda r: _own(r, employment_pk=r.caregiver_employment.pk), "get", EDIT),
    ("registry:employment_end", lambda r: _own(r, employment_pk=r.caregiver_employment.pk), "get", EDIT),
    ("registry:certificate_add", lambda r: _own(r, employment_pk=r.caregiver_employment.pk), "get", EDIT),
    (
        "registry:certificate_delete",
        lambda r: _own(r, employment_pk=r.caregiver_employment.pk, certificate_pk=_certificate(r)),
        "get",
        EDIT,
    ),
    (
        "registry:certificate_delete",
        lambda r: _own(r, employment_pk=r.caregiver_employment.pk, certificate_pk=_certificate(r)),
        "post",
        EDIT_DONE,
    ),
    ("registry:boundary_import", lambda r: {}, "get", BUREAU_ONLY),
    ("registry:boundary_import", lambda r: {}, "post", BUREAU_ONLY),  # no file: shown again with errors
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
    expected: Expected,
    registry: SmallRegistry,
    role_clients: dict[str, Client],
) -> None:
    url = reverse(url_name, kwargs=kwargs_factory(registry))
    response = getattr(role_clients[role], method)(url)
    assert response.status_code == expected[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


def _page(client: Client, url_name: str, query: dict[str, Any] | None = None, **kwargs: Any) -> str:
    response = client.get(reverse(url_name, kwargs=kwargs), query or {})
    assert response.status_code == 200
    return response.content.decode()


def _listed(content: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-institution="(\d+)"', content)}


# The list ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_each_role_its_own_scope(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    everything = {registry.kindergarten_a.pk, registry.nursery_a.pk, registry.family_b.pk}
    assert _listed(_page(role_clients["admin"], "registry:institution_list")) == everything
    township_a = {registry.kindergarten_a.pk, registry.nursery_a.pk}
    assert _listed(_page(role_clients["township"], "registry:institution_list")) == township_a
    assert _listed(_page(role_clients["operator"], "registry:institution_list")) == {registry.nursery_a.pk}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"form": "family"}, {"family_b"}),
        ({"puhui": "yes", "as_of": "2025-12-31"}, {"kindergarten_a", "nursery_a"}),
        ({"puhui": "yes", "as_of": "2023-06-30"}, {"kindergarten_a"}),  # designated from 2024
        ({"puhui": "no", "as_of": "2025-12-31"}, {"family_b"}),
        ({"q": "幼儿园"}, {"kindergarten_a"}),
        ({"q": "52331082MA0000003"}, {"family_b"}),
    ],
)
def test_the_list_filters(
    query: dict[str, str], expected: set[str], role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    content = _page(role_clients["admin"], "registry:institution_list", query)
    assert _listed(content) == {getattr(registry, name).pk for name in expected}


@pytest.mark.django_db
def test_the_list_filters_by_township(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    content = _page(role_clients["admin"], "registry:institution_list", {"township": registry.township_b.pk})
    assert _listed(content) == {registry.family_b.pk}


@pytest.mark.django_db
def test_the_list_filters_institutions_breaking_the_national_standards(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    assert _listed(_page(role_clients["admin"], "registry:institution_list", {"violations": "on"})) == set()
    CareClass.objects.create(
        institution=registry.family_b,
        name="第二班",
        class_type="mixed",
        approved_slots=4,
        enrolled=4,
        caregivers=1,
    )  # a family point of 9 children
    content = _page(role_clients["admin"], "registry:institution_list", {"violations": "on"})
    assert _listed(content) == {registry.family_b.pk}
    assert "badge-violation" in content


@pytest.mark.django_db
def test_the_list_pages_by_fifty(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    from tuoyu.conftest import credit_code
    from tuoyu.registry.models import Institution

    Institution.objects.bulk_create(
        Institution(
            credit_code=credit_code(200 + n),
            name=f"示例托育园 №{200 + n}",
            ownership="private",
            form="community",
            township=registry.township_a,
        )
        for n in range(55)
    )
    first = _page(role_clients["admin"], "registry:institution_list")
    second = _page(role_clients["admin"], "registry:institution_list", {"page": 2})
    assert len(_listed(first)) == 50
    assert len(_listed(second)) == 8


@pytest.mark.django_db
def test_an_invalid_filter_date_is_a_form_error(role_clients: dict[str, Client]) -> None:
    response = role_clients["admin"].get(reverse("registry:institution_list"), {"as_of": "2025-02-30"})
    assert response.status_code == 200
    assert response.context["form"].errors["as_of"]


# The detail page --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_detail_page_shows_classes_fees_staff_and_designations(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    content = _page(role_clients["township"], "registry:institution_detail", pk=registry.nursery_a.pk)
    assert registry.nursery_a.credit_code in content
    assert "托小一班" in content
    assert "1,800" in content and "1,000" in content
    assert "2024-01-01" in content  # designation and fee start
    assert "王某 001" in content and "保育师" in content
    assert registry.caregiver.id_number_masked in content
    assert "只读" in content
    assert reverse("registry:class_create", kwargs={"pk": registry.nursery_a.pk}) not in content


@pytest.mark.django_db
def test_the_operator_sees_the_edit_links_on_their_institution(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    content = _page(role_clients["operator"], "registry:institution_detail", pk=registry.nursery_a.pk)
    for url_name in ("class_create", "fee_create", "staff_hire"):
        assert reverse(f"registry:{url_name}", kwargs={"pk": registry.nursery_a.pk}) in content


@pytest.mark.django_db
def test_the_detail_page_explains_each_violation_in_plain_words(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    CareClass.objects.filter(pk=registry.nursery_class.pk).update(
        approved_slots=18, enrolled=17, caregivers=4
    )
    content = _page(role_clients["operator"], "registry:institution_detail", pk=registry.nursery_a.pk)
    assert "托小班「托小一班」在托 17 人，超过国家标准上限 15 人" in content
    assert 'id="violations"' in content


@pytest.mark.django_db
def test_the_detail_page_shows_expired_certificates_as_expired(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    Certificate.objects.filter(staff=registry.caregiver).update(expires_on=dt.date(2020, 1, 1))
    content = _page(role_clients["admin"], "registry:institution_detail", pk=registry.nursery_a.pk)
    assert "已过期或未生效" in content


@pytest.mark.django_db
def test_the_detail_page_separates_fees_in_force_from_history(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    Fee.objects.create(
        institution=registry.nursery_a,
        class_type="toddler",
        full_day_monthly=1500,
        effective_from=dt.date(2022, 1, 1),
        effective_to=dt.date(2023, 12, 31),
    )
    response = role_clients["admin"].get(
        reverse("registry:institution_detail", kwargs={"pk": registry.nursery_a.pk})
    )
    groups = {group["id"]: group["fees"] for group in response.context["fee_groups"]}
    assert [fee.full_day_monthly for fee in groups["fees-in-force"]] == [1800]
    assert [fee.full_day_monthly for fee in groups["fee-history"]] == [1500]


@pytest.mark.django_db
def test_no_registry_page_shows_a_full_id_number(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    full = resident_id(1)
    employment = registry.caregiver_employment.pk
    pages: list[tuple[str, dict[str, Any]]] = [
        ("registry:institution_list", {}),
        ("registry:institution_detail", {"pk": registry.nursery_a.pk}),
        ("registry:staff_update", {"pk": registry.nursery_a.pk, "employment_pk": employment}),
        ("registry:employment_end", {"pk": registry.nursery_a.pk, "employment_pk": employment}),
        ("registry:certificate_add", {"pk": registry.nursery_a.pk, "employment_pk": employment}),
        ("registry:institution_export", {"fmt": "csv"}),
    ]
    for role in ("admin", "township", "operator"):
        for url_name, kwargs in pages:
            response = role_clients[role].get(reverse(url_name, kwargs=kwargs))
            assert full.encode() not in response.content, (role, url_name)
    # A hire form shown again after an error does not echo the number back either.
    response = role_clients["operator"].post(
        reverse("registry:staff_hire", kwargs={"pk": registry.nursery_a.pk}),
        {"name": "王某 001", "id_number": full, "role": "caregiver", "start": "2025-01-01"},
    )
    assert response.status_code == 200  # already employed here
    assert full not in response.content.decode()


# The back office --------------------------------------------------------------------------


def _admin_request(user: Any) -> Any:
    from django.test import RequestFactory

    request = RequestFactory().post("/admin/")
    request.user = user
    return request


@pytest.mark.django_db
def test_the_back_office_is_for_the_bureau_only(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    from tuoyu.accounts.models import Role, User

    assert role_clients["admin"].get(reverse("admin:registry_institution_changelist")).status_code == 200
    assert role_clients["township"].get(reverse("admin:index")).status_code == 302  # not staff: log in
    clerk = User.objects.create_user(
        username="clerk",
        password="x" * 12,
        role=Role.TOWNSHIP_OFFICIAL,
        township=registry.township_a,
        is_staff=True,
    )
    client = Client()
    client.force_login(clerk)
    assert client.get(reverse("admin:registry_institution_changelist")).status_code == 403
    assert client.get(reverse("admin:indicators_targetset_changelist")).status_code == 403


@pytest.mark.django_db
def test_the_staff_admin_shows_the_masked_id_number_only(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    client = role_clients["admin"]
    pages = [
        client.get(reverse("admin:registry_staff_changelist")),
        client.get(reverse("admin:registry_staff_change", args=[registry.caregiver.pk])),
    ]
    for response in pages:
        content = response.content.decode()
        assert response.status_code == 200
        assert registry.caregiver.id_number_masked in content
        assert resident_id(1) not in content
        assert registry.caregiver.id_number_index not in content
        assert "id_number_ciphertext" not in content and "id_number_index" not in content


@pytest.mark.django_db
def test_the_admin_form_runs_the_service_validation(registry: SmallRegistry, admin_user: Any) -> None:
    from django.contrib import admin

    request = _admin_request(admin_user)
    form_class = admin.site._registry[Fee].get_form(request)
    form = form_class(
        {
            "institution": registry.nursery_a.pk,
            "class_type": "toddler",
            "full_day_monthly": "1900",
            "effective_from": "2025-01-01",
        }
    )
    assert not form.is_valid()
    assert "effective_from" in form.errors  # overlaps the fee in force since 2024
    institution_form = admin.site._registry[Institution].get_form(request, registry.nursery_a)
    data = {
        "credit_code": registry.nursery_a.credit_code[:17] + "0",
        "name": registry.nursery_a.name,
        "ownership": "private",
        "form": "standalone",
        "filing_status": "filed",
        "filed_on": "2023-01-01",
        "township": registry.township_a.pk,
    }
    if registry.nursery_a.credit_code.endswith("0"):
        data["credit_code"] = registry.nursery_a.credit_code[:17] + "1"
    assert "credit_code" in institution_form(data, instance=registry.nursery_a).errors


@pytest.mark.django_db
def test_saving_in_the_admin_goes_through_the_service_and_is_audited(
    registry: SmallRegistry, admin_user: Any
) -> None:
    from auditlog.models import LogEntry
    from django.contrib import admin

    model_admin = admin.site._registry[CareClass]
    request = _admin_request(admin_user)
    form = model_admin.get_form(request)(
        {
            "institution": registry.nursery_a.pk,
            "name": "乳儿一班",
            "class_type": "infant",
            "approved_slots": "9",
            "enrolled": "3",
            "caregivers": "1",
        }
    )
    assert form.is_valid(), form.errors
    care_class = form.save(commit=False)
    model_admin.save_model(request, care_class, form, change=False)
    saved = CareClass.objects.get(name="乳儿一班")
    assert care_class.pk == saved.pk
    entry = LogEntry.objects.get_for_object(saved).get()
    assert entry.actor == admin_user
    model_admin.delete_model(request, saved)
    assert not CareClass.objects.filter(pk=saved.pk).exists()
