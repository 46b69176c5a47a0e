"""The operators' forms: input is checked, a service's error shows on its field, and
nothing is saved when anything is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tuoyu.conftest import SmallRegistry, resident_id
from tuoyu.registry.forms import CareClassForm, IdNumberField, StaffHireForm
from tuoyu.registry.models import CareClass, Certificate, Employment, Fee, Staff

CLASS = {
    "name": "乳儿一班",
    "class_type": "infant",
    "approved_slots": "9",
    "enrolled": "6",
    "caregivers": "2",
}
FEE = {"class_type": "infant", "full_day_monthly": "2000", "effective_from": "2025-01-01"}


def _post(client: Client, url_name: str, data: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(reverse(url_name, kwargs=kwargs), data)


def _errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200, "the form is shown again"
    return dict(response.context["form"].errors)


# Classes ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_class_is_saved_and_the_operator_is_sent_back_with_a_message(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    client = role_clients["operator"]
    response = _post(client, "registry:class_create", CLASS, pk=registry.nursery_a.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "registry:institution_detail", kwargs={"pk": registry.nursery_a.pk}
    ) + ("#classes")
    assert CareClass.objects.filter(
        institution=registry.nursery_a, name="乳儿一班", approved_slots=9
    ).exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已新增班级。"]


@pytest.mark.django_db
def test_more_children_than_slots_is_an_error_on_enrolled_and_nothing_is_saved(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    response = _post(
        role_clients["operator"],
        "registry:class_create",
        {**CLASS, "enrolled": "12"},
        pk=registry.nursery_a.pk,
    )
    assert list(_errors(response)) == ["enrolled"]
    assert "在托人数不能超过核定托位" in response.content.decode()
    assert not CareClass.objects.filter(name="乳儿一班").exists()


@pytest.mark.django_db
def test_negative_slots_are_an_error_on_approved_slots(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    response = _post(
        role_clients["operator"],
        "registry:class_create",
        {**CLASS, "approved_slots": "-3"},
        pk=registry.nursery_a.pk,
    )
    assert "approved_slots" in _errors(response)
    assert not CareClass.objects.filter(name="乳儿一班").exists()


@pytest.mark.django_db
def test_a_class_closed_before_it_opened_is_an_error_on_closed_on(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    data = {**CLASS, "opened_on": "2025-09-01", "closed_on": "2025-03-01"}
    response = _post(role_clients["operator"], "registry:class_create", data, pk=registry.nursery_a.pk)
    assert list(_errors(response)) == ["closed_on"]
    assert not CareClass.objects.filter(name="乳儿一班").exists()


@pytest.mark.django_db
def test_editing_a_class_keeps_the_old_values_on_error(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    data = {
        "name": "托小一班",
        "class_type": "toddler",
        "approved_slots": "10",
        "enrolled": "12",
        "caregivers": "3",
    }
    response = _post(
        role_clients["operator"],
        "registry:class_update",
        data,
        pk=registry.nursery_a.pk,
        class_pk=registry.nursery_class.pk,
    )
    assert list(_errors(response)) == ["enrolled"]
    registry.nursery_class.refresh_from_db()
    assert registry.nursery_class.approved_slots == 15


@pytest.mark.django_db
def test_the_edit_form_starts_with_the_current_values(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    response = role_clients["operator"].get(
        reverse(
            "registry:class_update",
            kwargs={"pk": registry.nursery_a.pk, "class_pk": registry.nursery_class.pk},
        )
    )
    assert response.context["form"].initial["approved_slots"] == 15
    assert 'value="托小一班"' in response.content.decode()


@pytest.mark.django_db
def test_deleting_a_class_removes_it(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    response = _post(
        role_clients["admin"],
        "registry:class_delete",
        {},
        pk=registry.nursery_a.pk,
        class_pk=registry.nursery_class.pk,
    )
    assert response.status_code == 302
    assert not CareClass.objects.filter(pk=registry.nursery_class.pk).exists()


# Fees -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_fee_is_saved(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    response = _post(role_clients["operator"], "registry:fee_create", FEE, pk=registry.nursery_a.pk)
    assert response.status_code == 302
    assert Fee.objects.filter(institution=registry.nursery_a, class_type="infant").exists()


@pytest.mark.django_db
def test_overlapping_fee_periods_are_an_error_on_effective_from(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    data = {**FEE, "class_type": "toddler", "effective_from": "2025-03-01"}  # 1800 runs from 2024, open-ended
    response = _post(role_clients["operator"], "registry:fee_create", data, pk=registry.nursery_a.pk)
    assert list(_errors(response)) == ["effective_from"]
    assert "2024-01-01" in response.content.decode()
    assert Fee.objects.filter(institution=registry.nursery_a).count() == 1


@pytest.mark.django_db
def test_a_fee_ending_before_it_starts_is_an_error_on_effective_to(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    data = {**FEE, "effective_from": "2025-06-01", "effective_to": "2025-01-31"}
    response = _post(role_clients["operator"], "registry:fee_create", data, pk=registry.nursery_a.pk)
    assert list(_errors(response)) == ["effective_to"]
    assert not Fee.objects.filter(class_type="infant").exists()


@pytest.mark.django_db
def test_a_negative_fee_is_an_error(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    response = _post(
        role_clients["operator"],
        "registry:fee_create",
        {**FEE, "full_day_monthly": "-1"},
        pk=registry.nursery_a.pk,
    )
    assert "full_day_monthly" in _errors(response)


@pytest.mark.django_db
def test_ending_a_fee_period_is_saved(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    data = {
        "class_type": "toddler",
        "full_day_monthly": "1800",
        "half_day_monthly": "1000",
        "effective_from": "2024-01-01",
        "effective_to": "2025-12-31",
    }
    response = _post(
        role_clients["operator"],
        "registry:fee_update",
        data,
        pk=registry.nursery_a.pk,
        fee_pk=registry.nursery_fee.pk,
    )
    assert response.status_code == 302
    registry.nursery_fee.refresh_from_db()
    assert registry.nursery_fee.effective_to == dt.date(2025, 12, 31)


# Staff ------------------------------------------------------------------------------------


def _hire(number: str) -> dict[str, str]:
    return {"name": "陈某 009", "id_number": number, "role": "caregiver", "start": "2025-03-01", "phone": ""}


@pytest.mark.django_db
def test_hiring_saves_the_person_encrypted_and_shows_only_the_masked_number(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    number = resident_id(9)
    client = role_clients["operator"]
    response = _post(client, "registry:staff_hire", _hire(number), pk=registry.nursery_a.pk)
    assert response.status_code == 302
    staff = Staff.objects.get(name="陈某 009")
    assert number.encode() not in bytes(staff.id_number_ciphertext)
    assert staff.id_number == number
    content = client.get(response["Location"]).content.decode()
    assert staff.id_number_masked in content
    assert number not in content


@pytest.mark.django_db
def test_a_wrong_check_digit_is_an_error_on_id_number_and_nothing_is_saved(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    number = resident_id(9)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    staff_before, employments_before = Staff.objects.count(), Employment.objects.count()
    response = _post(role_clients["operator"], "registry:staff_hire", _hire(wrong), pk=registry.nursery_a.pk)
    errors = _errors(response)
    assert list(errors) == ["id_number"]
    assert "校验位" in errors["id_number"][0] and "GB 11643" in errors["id_number"][0]
    assert (Staff.objects.count(), Employment.objects.count()) == (staff_before, employments_before)
    assert wrong not in response.content.decode()


@pytest.mark.django_db
def test_hiring_someone_already_employed_here_is_an_error_on_id_number(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    response = _post(
        role_clients["operator"], "registry:staff_hire", _hire(resident_id(1)), pk=registry.nursery_a.pk
    )
    assert "此人已在本机构任职" in _errors(response)["id_number"][0]
    assert Employment.objects.filter(staff=registry.caregiver).count() == 1


@pytest.mark.django_db
def test_editing_a_person_changes_name_phone_and_role(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    data = {"name": "王某某 001", "phone": "13800000000", "role": "teacher"}
    response = _post(
        role_clients["operator"],
        "registry:staff_update",
        data,
        pk=registry.nursery_a.pk,
        employment_pk=registry.caregiver_employment.pk,
    )
    assert response.status_code == 302
    registry.caregiver_employment.refresh_from_db()
    assert registry.caregiver_employment.role == "teacher"
    assert registry.caregiver_employment.staff.name == "王某某 001"


@pytest.mark.django_db
def test_an_employment_ending_before_it_started_is_an_error_on_end(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    response = _post(
        role_clients["operator"],
        "registry:employment_end",
        {"end": "2023-06-30"},
        pk=registry.nursery_a.pk,
        employment_pk=registry.caregiver_employment.pk,
    )
    assert list(_errors(response)) == ["end"]
    registry.caregiver_employment.refresh_from_db()
    assert registry.caregiver_employment.end is None


@pytest.mark.django_db
def test_ending_an_employment_is_saved(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    response = _post(
        role_clients["operator"],
        "registry:employment_end",
        {"end": "2025-06-30"},
        pk=registry.nursery_a.pk,
        employment_pk=registry.caregiver_employment.pk,
    )
    assert response.status_code == 302
    registry.caregiver_employment.refresh_from_db()
    assert registry.caregiver_employment.end == dt.date(2025, 6, 30)


@pytest.mark.django_db
def test_adding_and_deleting_a_certificate(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    client = role_clients["operator"]
    kwargs = {"pk": registry.nursery_a.pk, "employment_pk": registry.caregiver_employment.pk}
    data = {"cert_type": "health", "number": "JK-1", "issued_on": "2025-01-01", "expires_on": "2025-12-31"}
    assert _post(client, "registry:certificate_add", data, **kwargs).status_code == 302
    certificate = Certificate.objects.get(staff=registry.caregiver, cert_type="health")
    response = _post(client, "registry:certificate_delete", {}, certificate_pk=certificate.pk, **kwargs)
    assert response.status_code == 302
    assert not Certificate.objects.filter(pk=certificate.pk).exists()


@pytest.mark.django_db
def test_a_certificate_expiring_before_it_was_issued_is_an_error_on_expires_on(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    data = {"cert_type": "health", "number": "", "issued_on": "2025-01-01", "expires_on": "2024-01-01"}
    response = _post(
        role_clients["operator"],
        "registry:certificate_add",
        data,
        pk=registry.nursery_a.pk,
        employment_pk=registry.caregiver_employment.pk,
    )
    assert list(_errors(response)) == ["expires_on"]
    assert not Certificate.objects.filter(cert_type="health").exists()


# The forms on their own -------------------------------------------------------------------


def test_the_id_number_field_normalises_a_lower_case_x() -> None:
    first17 = "33108219900101002"
    from tuoyu.common.identifiers import resident_id_check_char

    number = first17 + resident_id_check_char(first17)
    assert IdNumberField().clean(number.lower()) == number.upper()


@pytest.mark.parametrize(
    ("value", "words"),
    [("12345", "18 位"), ("33108219901301001X", "出生日期"), ("3310821990010100AX", "数字")],
)
def test_the_id_number_field_says_what_is_wrong(value: str, words: str) -> None:
    form = StaffHireForm({"name": "某", "id_number": value, "role": "caregiver", "start": "2025-01-01"})
    assert not form.is_valid()
    assert words in form.errors["id_number"][0]


def test_the_id_number_is_never_written_back_into_the_form() -> None:
    form = StaffHireForm({"name": "某", "id_number": resident_id(5), "role": "caregiver", "start": "bad"})
    assert not form.is_valid()
    assert resident_id(5) not in str(form["id_number"])


def test_the_class_form_rejects_negative_counts() -> None:
    form = CareClassForm({**CLASS, "caregivers": "-1"})
    assert not form.is_valid()
    assert "caregivers" in form.errors
