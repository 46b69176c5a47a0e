"""The registry's services: who may change what, every validation rule, and the audit log.

A rejected change, whether refused or invalid, must leave every registry table and the
audit log exactly as they were; ``_rejected`` and ``_refused`` compare the whole database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Model

from tuoyu.accounts.models import User
from tuoyu.common import crypto
from tuoyu.conftest import SmallRegistry, credit_code, resident_id
from tuoyu.registry import services
from tuoyu.registry.models import (
    CareClass,
    Certificate,
    Employment,
    Fee,
    Institution,
    PuhuiDesignation,
    Staff,
    Township,
)

TABLES: tuple[type[Model], ...] = (
    Township,
    Institution,
    PuhuiDesignation,
    CareClass,
    Fee,
    Staff,
    Employment,
    Certificate,
    LogEntry,
)

D = dt.date


def _database() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables the services write, the audit log included."""
    return {
        model.__name__: [
            tuple(bytes(value) if isinstance(value, memoryview) else value for value in row)
            for row in model._default_manager.order_by("pk").values_list()
        ]
        for model in TABLES
    }


@contextmanager
def _rejected(field: str) -> Iterator[None]:
    """The block raises a ValidationError naming ``field`` and changes nothing."""
    before = _database()
    with pytest.raises(ValidationError) as caught:
        yield
    assert field in caught.value.message_dict, caught.value
    assert _database() == before


@contextmanager
def _refused() -> Iterator[None]:
    """The block raises PermissionDenied and changes nothing."""
    before = _database()
    with pytest.raises(PermissionDenied):
        yield
    assert _database() == before


@contextmanager
def _audited(actor: User) -> Iterator[list[tuple[str, int]]]:
    """Collects (model, action) of the log entries written in the block; each names ``actor``."""
    last = LogEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    written: list[tuple[str, int]] = []
    yield written
    entries = list(LogEntry.objects.filter(pk__gt=last).select_related("content_type").order_by("pk"))
    assert entries, "a successful change writes the audit log"
    assert {entry.actor_id for entry in entries} == {actor.pk}
    written.extend((entry.content_type.model, entry.action) for entry in entries)


CREATE, UPDATE, DELETE = LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE


def _log_entries(instance: Model) -> list[LogEntry]:
    content_type = ContentType.objects.get_for_model(type(instance))
    return list(LogEntry.objects.filter(content_type=content_type, object_pk=str(instance.pk)).order_by("pk"))


def _caregiver_certificate(registry: SmallRegistry) -> Certificate:
    return Certificate.objects.get(staff=registry.caregiver)


def _family_employment(registry: SmallRegistry) -> Employment:
    """The other person of the fixture, employed at ``family_b``."""
    return Employment.objects.get(institution=registry.family_b)


# Who may call what --------------------------------------------------------------------------------

Call = Callable[[SmallRegistry, User], object]

#: Every service that changes one institution, called on ``nursery_a`` with valid input.
INSTITUTION_SERVICES: dict[str, Call] = {
    "institution_update": lambda r, actor: services.institution_update(
        actor=actor, institution=r.nursery_a, name="示例托育园（新址）"
    ),
    "care_class_create": lambda r, actor: services.care_class_create(
        actor=actor, institution=r.nursery_a, name="乳儿一班", class_type="infant", approved_slots=9
    ),
    "care_class_update": lambda r, actor: services.care_class_update(
        actor=actor, care_class=r.nursery_class, enrolled=15
    ),
    "care_class_delete": lambda r, actor: services.care_class_delete(actor=actor, care_class=r.nursery_class),
    "fee_create": lambda r, actor: services.fee_create(
        actor=actor,
        institution=r.nursery_a,
        class_type="infant",
        full_day_monthly=2200,
        effective_from=D(2025, 1, 1),
    ),
    "fee_update": lambda r, actor: services.fee_update(actor=actor, fee=r.nursery_fee, full_day_monthly=1900),
    "fee_delete": lambda r, actor: services.fee_delete(actor=actor, fee=r.nursery_fee),
    "staff_hire": lambda r, actor: services.staff_hire(
        actor=actor,
        institution=r.nursery_a,
        name="张某",
        id_number=resident_id(50),
        role="teacher",
        start=D(2025, 9, 1),
    ),
    "employment_end": lambda r, actor: services.employment_end(
        actor=actor, employment=r.caregiver_employment, end=D(2025, 6, 30)
    ),
    "staff_update": lambda r, actor: services.staff_update(
        actor=actor, employment=r.caregiver_employment, name="王某", phone="13800000000", role="caregiver"
    ),
    "certificate_add": lambda r, actor: services.certificate_add(
        actor=actor,
        employment=r.caregiver_employment,
        cert_type="health",
        number="JK-1",
        issued_on=D(2025, 1, 1),
        expires_on=D(2025, 12, 31),
    ),
    "certificate_delete": lambda r, actor: services.certificate_delete(
        actor=actor, employment=r.caregiver_employment, certificate=_caregiver_certificate(r)
    ),
}

#: The services only the bureau admin may call.
BUREAU_SERVICES: dict[str, Call] = {
    "institution_create": lambda r, actor: services.institution_create(
        actor=actor,
        credit_code=credit_code(10),
        name="新办托育园",
        ownership="private",
        form="community",
        township=r.township_b,
    ),
    "designation_add": lambda r, actor: services.designation_add(
        actor=actor, institution=r.family_b, valid_from=D(2025, 1, 1), valid_to=None
    ),
}

ALL_SERVICES = {**INSTITUTION_SERVICES, **BUREAU_SERVICES}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["township_user", "public_user", "other_operator_user"])
@pytest.mark.parametrize("call", ALL_SERVICES.values(), ids=ALL_SERVICES.keys())
def test_a_township_official_a_public_user_and_another_institutions_operator_may_change_nothing(
    request: pytest.FixtureRequest, registry: SmallRegistry, role: str, call: Call
) -> None:
    actor = request.getfixturevalue(role)
    with _refused():
        call(registry, actor)


@pytest.mark.django_db
@pytest.mark.parametrize("call", BUREAU_SERVICES.values(), ids=BUREAU_SERVICES.keys())
def test_an_operator_may_neither_register_institutions_nor_designate_puhui(
    registry: SmallRegistry, operator_user: User, call: Call
) -> None:
    with _refused():
        call(registry, operator_user)


@pytest.mark.django_db
@pytest.mark.parametrize("call", ALL_SERVICES.values(), ids=ALL_SERVICES.keys())
def test_an_inactive_bureau_admin_may_change_nothing(
    registry: SmallRegistry, admin_user: User, call: Call
) -> None:
    admin_user.is_active = False
    admin_user.save()
    with _refused():
        call(registry, admin_user)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["operator_user", "admin_user"])
@pytest.mark.parametrize("call", INSTITUTION_SERVICES.values(), ids=INSTITUTION_SERVICES.keys())
def test_the_institutions_operator_and_the_bureau_admin_may_change_it_and_the_audit_log_names_them(
    request: pytest.FixtureRequest, registry: SmallRegistry, role: str, call: Call
) -> None:
    actor = request.getfixturevalue(role)
    with _audited(actor):
        call(registry, actor)


@pytest.mark.django_db
@pytest.mark.parametrize("call", BUREAU_SERVICES.values(), ids=BUREAU_SERVICES.keys())
def test_the_bureau_admin_may_register_institutions_and_designate_puhui_and_the_audit_log_names_them(
    registry: SmallRegistry, admin_user: User, call: Call
) -> None:
    with _audited(admin_user):
        call(registry, admin_user)


# Institutions ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_bureau_admin_registers_an_institution_with_its_credit_code_upper_cased(
    registry: SmallRegistry, admin_user: User
) -> None:
    code = credit_code(10)
    with _audited(admin_user) as written:
        created = services.institution_create(
            actor=admin_user,
            credit_code=f" {code.lower()} ",
            name="新办托育园",
            ownership="private",
            form="community",
            township=registry.township_b,
            filing_status="filed",
            filed_on=D(2025, 3, 1),
            opened_on=D(2025, 3, 1),
        )
    saved = Institution.objects.get(pk=created.pk)
    assert (saved.credit_code, saved.name, saved.ownership, saved.form) == (
        code,
        "新办托育园",
        "private",
        "community",
    )
    assert (saved.township, saved.filing_status, saved.filed_on) == (
        registry.township_b,
        "filed",
        D(2025, 3, 1),
    )
    assert written == [("institution", CREATE)]


@pytest.mark.django_db
def test_an_operator_changes_the_name_address_and_dates_of_their_institution(
    registry: SmallRegistry, operator_user: User
) -> None:
    with _audited(operator_user) as written:
        services.institution_update(
            actor=operator_user,
            institution=registry.nursery_a,
            name="示例托育园（新址）",
            address="示例路 1 号",
            closed_on=D(2026, 1, 1),
        )
    saved = Institution.objects.get(pk=registry.nursery_a.pk)
    assert (saved.name, saved.address, saved.closed_on) == (
        "示例托育园（新址）",
        "示例路 1 号",
        D(2026, 1, 1),
    )
    assert saved.credit_code == credit_code(2)
    assert written == [("institution", UPDATE)]


@pytest.mark.django_db
def test_the_bureau_admin_changes_the_bureau_only_fields(registry: SmallRegistry, admin_user: User) -> None:
    services.institution_update(
        actor=admin_user,
        institution=registry.nursery_a,
        credit_code=credit_code(20),
        ownership="public",
        filing_status="revoked",
        filing_revoked_on=D(2025, 3, 1),
        township=registry.township_b,
    )
    saved = Institution.objects.get(pk=registry.nursery_a.pk)
    assert (saved.credit_code, saved.ownership, saved.filing_status, saved.township) == (
        credit_code(20),
        "public",
        "revoked",
        registry.township_b,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("credit_code", lambda r: credit_code(20)),
        ("ownership", lambda r: "public"),
        ("filing_status", lambda r: "revoked"),
        ("filed_on", lambda r: D(2020, 1, 1)),
        ("township", lambda r: r.township_b),
        ("township_id", lambda r: r.township_b.pk),
        ("is_demonstration", lambda r: True),
        ("is_service_centre", lambda r: True),
    ],
)
def test_an_operator_may_not_change_a_bureau_only_field(
    registry: SmallRegistry, operator_user: User, field: str, value: Callable[[SmallRegistry], Any]
) -> None:
    with _rejected(field):
        services.institution_update(
            actor=operator_user, institution=registry.nursery_a, name="改名", **{field: value(registry)}
        )


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["52331082MA00000100", "52331082MA000001", "52331082MI0000010"])
def test_an_institution_with_a_wrong_credit_code_is_not_registered(
    registry: SmallRegistry, admin_user: User, code: str
) -> None:
    with _rejected("credit_code"):
        services.institution_create(
            actor=admin_user,
            credit_code=code,
            name="新办托育园",
            ownership="private",
            form="community",
            township=registry.township_b,
        )


@pytest.mark.django_db
def test_a_credit_code_already_registered_is_an_error_on_credit_code(
    registry: SmallRegistry, admin_user: User
) -> None:
    with _rejected("credit_code"):
        services.institution_create(
            actor=admin_user,
            credit_code=credit_code(2),
            name="重复登记",
            ownership="private",
            form="community",
            township=registry.township_b,
        )


@pytest.mark.django_db
def test_a_filed_institution_needs_a_filing_date(registry: SmallRegistry, admin_user: User) -> None:
    with _rejected("filed_on"):
        services.institution_create(
            actor=admin_user,
            credit_code=credit_code(10),
            name="新办托育园",
            ownership="private",
            form="community",
            township=registry.township_b,
            filing_status="filed",
        )
    with _rejected("filed_on"):
        services.institution_update(actor=admin_user, institution=registry.nursery_a, filed_on=None)


@pytest.mark.django_db
@pytest.mark.parametrize("closed_on", [D(2022, 12, 31), D(2023, 1, 1)])
def test_an_institution_cannot_close_before_or_on_the_day_it_opened(
    registry: SmallRegistry, operator_user: User, closed_on: dt.date
) -> None:
    with _rejected("closed_on"):
        services.institution_update(actor=operator_user, institution=registry.nursery_a, closed_on=closed_on)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["no_such_field", "pk", "id", "designations"])
def test_a_name_that_is_not_a_settable_field_is_an_error_on_that_name(
    registry: SmallRegistry, admin_user: User, field: str
) -> None:
    with _rejected(field):
        services.institution_update(
            actor=admin_user, institution=registry.nursery_a, **{field: registry.family_b.pk}
        )


# 普惠 designations ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_bureau_admin_designates_a_private_institution_puhui(
    registry: SmallRegistry, admin_user: User
) -> None:
    with _audited(admin_user) as written:
        services.designation_add(
            actor=admin_user,
            institution=registry.family_b,
            valid_from=D(2025, 1, 1),
            valid_to=D(2027, 12, 31),
            document="临卫〔2025〕1 号",
        )
    saved = PuhuiDesignation.objects.get(institution=registry.family_b)
    assert (saved.valid_from, saved.valid_to, saved.document) == (
        D(2025, 1, 1),
        D(2027, 12, 31),
        "临卫〔2025〕1 号",
    )
    assert written == [("puhuidesignation", CREATE)]


@pytest.mark.django_db
def test_a_public_institution_cannot_be_designated(registry: SmallRegistry, admin_user: User) -> None:
    with _rejected("institution"):
        services.designation_add(
            actor=admin_user, institution=registry.kindergarten_a, valid_from=D(2025, 1, 1), valid_to=None
        )


@pytest.mark.django_db
def test_a_designation_cannot_end_before_it_starts_but_may_last_one_day(
    registry: SmallRegistry, admin_user: User
) -> None:
    with _rejected("valid_to"):
        services.designation_add(
            actor=admin_user, institution=registry.family_b, valid_from=D(2025, 1, 2), valid_to=D(2025, 1, 1)
        )
    services.designation_add(
        actor=admin_user, institution=registry.family_b, valid_from=D(2025, 1, 1), valid_to=D(2025, 1, 1)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (D(2025, 1, 1), None),  # both open-ended
        (D(2020, 1, 1), None),  # a new open-ended period running into the existing one
        (D(2025, 1, 1), D(2025, 6, 30)),  # inside the existing open-ended period
        (D(2020, 1, 1), D(2024, 1, 1)),  # ends on the first day of the existing one
    ],
)
def test_a_designation_overlapping_an_open_ended_one_is_refused(
    registry: SmallRegistry, admin_user: User, valid_from: dt.date, valid_to: dt.date | None
) -> None:
    # nursery_a is 普惠 from 2024-01-01, open-ended.
    with _rejected("valid_from"):
        services.designation_add(
            actor=admin_user, institution=registry.nursery_a, valid_from=valid_from, valid_to=valid_to
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (D(2024, 12, 31), None),
        (D(2023, 1, 1), D(2024, 1, 1)),
        (D(2024, 3, 1), D(2024, 3, 31)),
        (D(2023, 1, 1), D(2025, 12, 31)),
    ],
)
def test_a_designation_overlapping_a_closed_one_is_refused(
    registry: SmallRegistry, admin_user: User, valid_from: dt.date, valid_to: dt.date | None
) -> None:
    services.designation_add(
        actor=admin_user, institution=registry.family_b, valid_from=D(2024, 1, 1), valid_to=D(2024, 12, 31)
    )
    with _rejected("valid_from"):
        services.designation_add(
            actor=admin_user, institution=registry.family_b, valid_from=valid_from, valid_to=valid_to
        )


@pytest.mark.django_db
def test_designations_may_follow_each_other_without_a_gap(registry: SmallRegistry, admin_user: User) -> None:
    services.designation_add(
        actor=admin_user, institution=registry.nursery_a, valid_from=D(2022, 1, 1), valid_to=D(2023, 12, 31)
    )
    services.designation_add(
        actor=admin_user, institution=registry.family_b, valid_from=D(2024, 1, 1), valid_to=D(2024, 12, 31)
    )
    services.designation_add(
        actor=admin_user, institution=registry.family_b, valid_from=D(2025, 1, 1), valid_to=None
    )
    assert PuhuiDesignation.objects.filter(institution=registry.nursery_a).count() == 2
    assert PuhuiDesignation.objects.filter(institution=registry.family_b).count() == 2


# Classes --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_operator_adds_a_class_to_their_institution(registry: SmallRegistry, operator_user: User) -> None:
    with _audited(operator_user) as written:
        created = services.care_class_create(
            actor=operator_user,
            institution=registry.nursery_a,
            name="乳儿一班",
            class_type="infant",
            approved_slots=9,
            enrolled=9,
            caregivers=3,
            opened_on=D(2025, 9, 1),
        )
    saved = CareClass.objects.get(pk=created.pk)
    assert (saved.institution, saved.name, saved.class_type) == (registry.nursery_a, "乳儿一班", "infant")
    assert (saved.approved_slots, saved.enrolled, saved.caregivers, saved.opened_on) == (
        9,
        9,
        3,
        D(2025, 9, 1),
    )
    assert written == [("careclass", CREATE)]


@pytest.mark.django_db
def test_an_operator_changes_a_class(registry: SmallRegistry, operator_user: User) -> None:
    with _audited(operator_user) as written:
        services.care_class_update(
            actor=operator_user, care_class=registry.nursery_class, approved_slots=12, enrolled=12
        )
    saved = CareClass.objects.get(pk=registry.nursery_class.pk)
    assert (saved.approved_slots, saved.enrolled, saved.name) == (12, 12, "托小一班")
    assert written == [("careclass", UPDATE)]


@pytest.mark.django_db
def test_an_operator_deletes_a_class(registry: SmallRegistry, operator_user: User) -> None:
    with _audited(operator_user) as written:
        services.care_class_delete(actor=operator_user, care_class=registry.nursery_class)
    assert not CareClass.objects.filter(institution=registry.nursery_a).exists()
    assert written == [("careclass", DELETE)]


@pytest.mark.django_db
def test_more_children_than_approved_slots_is_an_error_on_enrolled(
    registry: SmallRegistry, operator_user: User
) -> None:
    with _rejected("enrolled"):
        services.care_class_create(
            actor=operator_user,
            institution=registry.nursery_a,
            name="乳儿一班",
            class_type="infant",
            approved_slots=9,
            enrolled=10,
        )
    with _rejected("enrolled"):
        services.care_class_update(actor=operator_user, care_class=registry.nursery_class, approved_slots=11)


@pytest.mark.django_db
def test_negative_approved_slots_are_an_error_on_approved_slots(
    registry: SmallRegistry, operator_user: User
) -> None:
    with _rejected("approved_slots"):
        services.care_class_create(
            actor=operator_user,
            institution=registry.nursery_a,
            name="乳儿一班",
            class_type="infant",
            approved_slots=-1,
            enrolled=0,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("closed_on", [D(2025, 8, 31), D(2025, 9, 1)])
def test_a_class_cannot_close_before_or_on_the_day_it_opened(
    registry: SmallRegistry, operator_user: User, closed_on: dt.date
) -> None:
    with _rejected("closed_on"):
        services.care_class_update(
            actor=operator_user,
            care_class=registry.nursery_class,
            opened_on=D(2025, 9, 1),
            closed_on=closed_on,
        )


@pytest.mark.django_db
def test_a_class_stays_with_its_institution(registry: SmallRegistry, operator_user: User) -> None:
    with _rejected("institution_id"):
        services.care_class_create(
            actor=operator_user,
            institution=registry.nursery_a,
            institution_id=registry.family_b.pk,
            name="乳儿一班",
            class_type="infant",
            approved_slots=9,
        )
    with _rejected("institution_id"):
        services.care_class_update(
            actor=operator_user, care_class=registry.nursery_class, institution_id=registry.family_b.pk
        )
    with _rejected("pk"):
        services.care_class_update(
            actor=operator_user, care_class=registry.nursery_class, pk=registry.family_class.pk
        )
    services.care_class_update(
        actor=operator_user, care_class=registry.nursery_class, institution=registry.family_b, enrolled=0
    )
    assert CareClass.objects.get(pk=registry.nursery_class.pk).institution == registry.nursery_a


# Fees -----------------------------------------------------------------------------------------------


def _fee(
    registry: SmallRegistry, actor: User, start: dt.date, end: dt.date | None, class_type: str = "toddler"
) -> Fee:
    return services.fee_create(
        actor=actor,
        institution=registry.nursery_a,
        class_type=class_type,
        full_day_monthly=2000,
        effective_from=start,
        effective_to=end,
    )


@pytest.mark.django_db
def test_an_operator_adds_a_fee(registry: SmallRegistry, operator_user: User) -> None:
    with _audited(operator_user) as written:
        created = services.fee_create(
            actor=operator_user,
            institution=registry.nursery_a,
            class_type="infant",
            full_day_monthly=2200,
            half_day_monthly=1300,
            effective_from=D(2025, 1, 1),
            effective_to=D(2025, 12, 31),
        )
    saved = Fee.objects.get(pk=created.pk)
    assert (saved.institution, saved.class_type) == (registry.nursery_a, "infant")
    assert (saved.full_day_monthly, saved.half_day_monthly) == (Decimal(2200), Decimal(1300))
    assert (saved.effective_from, saved.effective_to) == (D(2025, 1, 1), D(2025, 12, 31))
    assert written == [("fee", CREATE)]


@pytest.mark.django_db
def test_a_fee_changed_in_place_does_not_overlap_itself(registry: SmallRegistry, operator_user: User) -> None:
    with _audited(operator_user) as written:
        services.fee_update(
            actor=operator_user, fee=registry.nursery_fee, full_day_monthly=1900, effective_from=D(2023, 9, 1)
        )
    saved = Fee.objects.get(pk=registry.nursery_fee.pk)
    assert (saved.full_day_monthly, saved.effective_from) == (Decimal(1900), D(2023, 9, 1))
    assert written == [("fee", UPDATE)]


@pytest.mark.django_db
def test_an_operator_deletes_a_fee(registry: SmallRegistry, operator_user: User) -> None:
    with _audited(operator_user) as written:
        services.fee_delete(actor=operator_user, fee=registry.nursery_fee)
    assert not Fee.objects.filter(pk=registry.nursery_fee.pk).exists()
    assert written == [("fee", DELETE)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2025, 1, 1), None),  # both open-ended
        (D(2020, 1, 1), None),  # a new open-ended period running into the existing one
        (D(2025, 1, 1), D(2025, 12, 31)),  # inside the existing open-ended period
        (D(2023, 1, 1), D(2024, 1, 1)),  # ends on the first day of the existing one
    ],
)
def test_a_fee_overlapping_an_open_ended_fee_of_the_same_class_type_is_refused(
    registry: SmallRegistry, operator_user: User, start: dt.date, end: dt.date | None
) -> None:
    # nursery_a's toddler fee runs from 2024-01-01, open-ended.
    with _rejected("effective_from"):
        _fee(registry, operator_user, start, end)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2024, 6, 30), None),
        (D(2024, 1, 1), D(2024, 1, 1)),
        (D(2023, 1, 1), D(2026, 1, 1)),
        (D(2023, 7, 1), D(2023, 7, 1)),
    ],
)
def test_a_fee_overlapping_a_closed_fee_of_the_same_class_type_is_refused(
    registry: SmallRegistry, operator_user: User, start: dt.date, end: dt.date | None
) -> None:
    services.fee_update(actor=operator_user, fee=registry.nursery_fee, effective_to=D(2024, 6, 30))
    _fee(registry, operator_user, D(2023, 7, 1), D(2023, 12, 31))
    with _rejected("effective_from"):
        _fee(registry, operator_user, start, end)


@pytest.mark.django_db
def test_a_fee_changed_into_another_class_types_period_is_refused(
    registry: SmallRegistry, operator_user: User
) -> None:
    infant = _fee(registry, operator_user, D(2025, 1, 1), None, class_type="infant")
    with _rejected("effective_from"):
        services.fee_update(actor=operator_user, fee=infant, class_type="toddler")


@pytest.mark.django_db
def test_fees_of_one_class_type_may_follow_each_other_and_other_class_types_are_independent(
    registry: SmallRegistry, operator_user: User, admin_user: User
) -> None:
    services.fee_update(actor=operator_user, fee=registry.nursery_fee, effective_to=D(2025, 8, 31))
    _fee(registry, operator_user, D(2025, 9, 1), None)
    _fee(registry, operator_user, D(2023, 1, 1), D(2023, 12, 31))
    _fee(registry, operator_user, D(2024, 1, 1), None, class_type="infant")
    services.fee_create(
        actor=admin_user,
        institution=registry.family_b,
        class_type="toddler",
        full_day_monthly=2500,
        effective_from=D(2024, 1, 1),
    )
    assert Fee.objects.filter(institution=registry.nursery_a, class_type="toddler").count() == 3


@pytest.mark.django_db
def test_a_fee_cannot_end_before_it_starts_but_may_last_one_day(
    registry: SmallRegistry, operator_user: User
) -> None:
    with _rejected("effective_to"):
        _fee(registry, operator_user, D(2025, 1, 2), D(2025, 1, 1), class_type="infant")
    with _rejected("effective_to"):
        services.fee_update(actor=operator_user, fee=registry.nursery_fee, effective_to=D(2023, 12, 31))
    _fee(registry, operator_user, D(2025, 1, 1), D(2025, 1, 1), class_type="infant")


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["full_day_monthly", "half_day_monthly"])
def test_a_negative_fee_is_an_error_on_its_field(
    registry: SmallRegistry, operator_user: User, field: str
) -> None:
    with _rejected(field):
        services.fee_update(actor=operator_user, fee=registry.nursery_fee, **{field: -1})


@pytest.mark.django_db
def test_a_fee_stays_with_its_institution(registry: SmallRegistry, operator_user: User) -> None:
    with _rejected("institution_id"):
        services.fee_update(
            actor=operator_user, fee=registry.nursery_fee, institution_id=registry.family_b.pk
        )
    with _rejected("institution_id"):
        services.fee_create(
            actor=operator_user,
            institution=registry.nursery_a,
            institution_id=registry.family_b.pk,
            class_type="infant",
            full_day_monthly=2200,
            effective_from=D(2025, 1, 1),
        )


# Staff ----------------------------------------------------------------------------------------------


def _field_values(staff: Staff) -> list[str | bytes]:
    values: list[str | bytes] = []
    for field in Staff._meta.concrete_fields:
        value = field.value_from_object(staff)
        values.append(bytes(value) if isinstance(value, memoryview | bytes) else str(value))
    return values


@pytest.mark.django_db
def test_hiring_a_new_person_stores_the_id_number_encrypted_and_indexed(
    registry: SmallRegistry, operator_user: User
) -> None:
    number = resident_id(50)
    with _audited(operator_user) as written:
        employment = services.staff_hire(
            actor=operator_user,
            institution=registry.nursery_a,
            name=" 张某 ",
            id_number=number,
            role="teacher",
            start=D(2025, 9, 1),
            phone="13800000000",
        )
    saved = Employment.objects.select_related("staff").get(pk=employment.pk)
    assert (saved.institution, saved.role, saved.start, saved.end) == (
        registry.nursery_a,
        "teacher",
        D(2025, 9, 1),
        None,
    )
    staff = saved.staff
    assert (staff.name, staff.phone) == ("张某", "13800000000")
    assert staff.id_number == number
    assert staff.id_number_index == crypto.blind_index(number, purpose=Staff.ID_PURPOSE)
    assert staff.id_number_masked == number[:4] + "*" * 10 + number[-4:]
    for value in _field_values(staff):
        assert (number.encode() not in value) if isinstance(value, bytes) else (number not in value)
    assert written == [("staff", CREATE), ("employment", CREATE)]


@pytest.mark.django_db
def test_an_id_number_with_a_lower_case_x_is_stored_upper_cased_and_finds_the_same_person(
    registry: SmallRegistry, operator_user: User, admin_user: User
) -> None:
    number = "11010519491231002X"
    first = services.staff_hire(
        actor=operator_user,
        institution=registry.nursery_a,
        name="赵某",
        id_number=number.lower(),
        role="caregiver",
        start=D(2025, 1, 1),
    )
    assert Staff.objects.get(pk=first.staff_id).id_number == number
    second = services.staff_hire(
        actor=admin_user,
        institution=registry.family_b,
        name="赵某",
        id_number=number,
        role="caregiver",
        start=D(2025, 1, 1),
    )
    assert second.staff_id == first.staff_id


@pytest.mark.django_db
def test_a_person_hired_at_a_second_institution_keeps_one_record_and_gains_an_employment(
    registry: SmallRegistry, other_operator_user: User
) -> None:
    staff_before = Staff.objects.count()
    employment = services.staff_hire(
        actor=other_operator_user,
        institution=registry.family_b,
        name="王某（重名不影响）",
        id_number=resident_id(1),
        role="caregiver",
        start=D(2025, 3, 1),
    )
    assert Staff.objects.count() == staff_before
    assert employment.staff_id == registry.caregiver.pk
    assert set(registry.caregiver.employments.values_list("institution", flat=True)) == {
        registry.nursery_a.pk,
        registry.family_b.pk,
    }
    assert Staff.objects.get(pk=registry.caregiver.pk).name == "王某 001"


@pytest.mark.django_db
def test_hiring_the_same_person_twice_while_employed_is_an_error_on_id_number(
    registry: SmallRegistry, operator_user: User
) -> None:
    with _rejected("id_number"):
        services.staff_hire(
            actor=operator_user,
            institution=registry.nursery_a,
            name="王某 001",
            id_number=resident_id(1),
            role="teacher",
            start=D(2025, 3, 1),
        )


@pytest.mark.django_db
def test_a_person_whose_employment_ended_may_be_hired_again(
    registry: SmallRegistry, operator_user: User
) -> None:
    services.employment_end(
        actor=operator_user, employment=registry.caregiver_employment, end=D(2024, 12, 31)
    )
    services.staff_hire(
        actor=operator_user,
        institution=registry.nursery_a,
        name="王某 001",
        id_number=resident_id(1),
        role="teacher",
        start=D(2025, 3, 1),
    )
    assert registry.caregiver.employments.filter(institution=registry.nursery_a).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "id_number",
    [
        resident_id(50)[:17] + ("0" if resident_id(50)[17] != "0" else "1"),  # wrong check digit
        resident_id(50)[:17],  # too short
        "33108219900230" + "0010",  # 30 February
        "ABCDEFGHIJKLMNOPQR",
        "",
    ],
)
def test_a_malformed_id_number_is_an_error_on_id_number(
    registry: SmallRegistry, operator_user: User, id_number: str
) -> None:
    with _rejected("id_number"):
        services.staff_hire(
            actor=operator_user,
            institution=registry.nursery_a,
            name="张某",
            id_number=id_number,
            role="teacher",
            start=D(2025, 9, 1),
        )


@pytest.mark.django_db
def test_a_person_without_a_name_is_not_hired(registry: SmallRegistry, operator_user: User) -> None:
    with _rejected("name"):
        services.staff_hire(
            actor=operator_user,
            institution=registry.nursery_a,
            name="  ",
            id_number=resident_id(50),
            role="teacher",
            start=D(2025, 9, 1),
        )


@pytest.mark.django_db
def test_an_unknown_role_leaves_no_half_hired_person_and_no_log_entry(
    registry: SmallRegistry, operator_user: User
) -> None:
    # The Staff row is saved before the Employment is validated: the transaction undoes it.
    with _rejected("role"):
        services.staff_hire(
            actor=operator_user,
            institution=registry.nursery_a,
            name="张某",
            id_number=resident_id(50),
            role="astronaut",
            start=D(2025, 9, 1),
        )
    assert not Staff.objects.filter(
        id_number_index=crypto.blind_index(resident_id(50), purpose=Staff.ID_PURPOSE)
    ).exists()


@pytest.mark.django_db
def test_an_employment_ends_on_a_day_not_before_it_started(
    registry: SmallRegistry, operator_user: User
) -> None:
    with _rejected("end"):
        services.employment_end(
            actor=operator_user, employment=registry.caregiver_employment, end=D(2023, 12, 31)
        )
    with _audited(operator_user) as written:
        services.employment_end(
            actor=operator_user, employment=registry.caregiver_employment, end=D(2024, 1, 1)
        )
    assert Employment.objects.get(pk=registry.caregiver_employment.pk).end == D(2024, 1, 1)
    assert written == [("employment", UPDATE)]


@pytest.mark.django_db
def test_an_operator_corrects_a_persons_name_phone_and_role(
    registry: SmallRegistry, operator_user: User
) -> None:
    with _audited(operator_user) as written:
        services.staff_update(
            actor=operator_user,
            employment=registry.caregiver_employment,
            name=" 王某某 ",
            phone="13900000000",
            role="director",
        )
    staff = Staff.objects.get(pk=registry.caregiver.pk)
    assert (staff.name, staff.phone) == ("王某某", "13900000000")
    assert Employment.objects.get(pk=registry.caregiver_employment.pk).role == "director"
    assert staff.id_number == resident_id(1)
    assert written == [("staff", UPDATE), ("employment", UPDATE)]


@pytest.mark.django_db
def test_a_correction_with_a_blank_name_or_an_unknown_role_changes_nothing(
    registry: SmallRegistry, operator_user: User
) -> None:
    employment = registry.caregiver_employment
    with _rejected("name"):
        services.staff_update(actor=operator_user, employment=employment, name=" ", phone="", role="director")
    # The Staff row is saved before the role is validated: the transaction undoes it.
    with _rejected("role"):
        services.staff_update(
            actor=operator_user, employment=employment, name="新名", phone="", role="astronaut"
        )


# Certificates ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_operator_records_a_certificate_of_their_staff(
    registry: SmallRegistry, operator_user: User
) -> None:
    with _audited(operator_user) as written:
        created = services.certificate_add(
            actor=operator_user,
            employment=registry.caregiver_employment,
            cert_type="health",
            number="JK-1",
            issued_on=D(2025, 1, 1),
            expires_on=D(2025, 12, 31),
        )
    saved = Certificate.objects.get(pk=created.pk)
    assert (saved.staff, saved.cert_type, saved.number) == (registry.caregiver, "health", "JK-1")
    assert (saved.issued_on, saved.expires_on) == (D(2025, 1, 1), D(2025, 12, 31))
    assert written == [("certificate", CREATE)]


@pytest.mark.django_db
def test_a_certificate_cannot_expire_before_it_was_issued_but_may_expire_that_day(
    registry: SmallRegistry, operator_user: User
) -> None:
    arguments: dict[str, Any] = {
        "actor": operator_user,
        "employment": registry.caregiver_employment,
        "cert_type": "health",
        "number": "JK-1",
        "issued_on": D(2025, 1, 2),
    }
    with _rejected("expires_on"):
        services.certificate_add(**arguments, expires_on=D(2025, 1, 1))
    services.certificate_add(**arguments, expires_on=D(2025, 1, 2))


@pytest.mark.django_db
def test_an_operator_deletes_a_certificate_of_their_staff(
    registry: SmallRegistry, operator_user: User
) -> None:
    certificate = _caregiver_certificate(registry)
    with _audited(operator_user) as written:
        services.certificate_delete(
            actor=operator_user, employment=registry.caregiver_employment, certificate=certificate
        )
    assert not Certificate.objects.filter(staff=registry.caregiver).exists()
    assert written == [("certificate", DELETE)]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["operator_user", "admin_user"])
def test_a_certificate_cannot_be_deleted_through_another_persons_employment(
    request: pytest.FixtureRequest, registry: SmallRegistry, role: str
) -> None:
    actor = request.getfixturevalue(role)
    other = _family_employment(registry)
    certificate = Certificate.objects.create(staff=other.staff, cert_type="health", issued_on=D(2025, 1, 1))
    with _rejected("certificate"):
        services.certificate_delete(
            actor=actor, employment=registry.caregiver_employment, certificate=certificate
        )


# The audit log --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_staff_log_entries_never_hold_the_id_number_or_its_ciphertext(
    registry: SmallRegistry, operator_user: User
) -> None:
    number = resident_id(50)
    employment = services.staff_hire(
        actor=operator_user,
        institution=registry.nursery_a,
        name="张某",
        id_number=number,
        role="teacher",
        start=D(2025, 9, 1),
    )
    services.staff_update(
        actor=operator_user, employment=employment, name="张某某", phone="1", role="teacher"
    )
    staff = Staff.objects.get(pk=employment.staff_id)
    ciphertext = bytes(staff.id_number_ciphertext)
    entries = _log_entries(staff)
    assert [entry.action for entry in entries] == [CREATE, UPDATE]
    for entry in entries:
        assert entry.actor == operator_user
        assert "id_number_ciphertext" not in (entry.changes or {})
        recorded = json.dumps(
            [
                entry.changes,
                entry.changes_text,
                entry.object_repr,
                entry.serialized_data,
                entry.additional_data,
            ],
            ensure_ascii=False,
        )
        for secret in (number, number.lower(), ciphertext.hex(), repr(ciphertext), staff.id_number_index):
            assert secret not in recorded
    assert entries[1].changes == {"name": ["张某", "张某某"], "phone": ["", "1"]}


@pytest.mark.django_db
def test_a_change_refused_for_permission_writes_no_log_entry(
    registry: SmallRegistry, other_operator_user: User
) -> None:
    entries_before = LogEntry.objects.count()
    with pytest.raises(PermissionDenied):
        services.staff_hire(
            actor=other_operator_user,
            institution=registry.nursery_a,
            name="张某",
            id_number=resident_id(50),
            role="teacher",
            start=D(2025, 9, 1),
        )
    assert LogEntry.objects.count() == entries_before


@pytest.mark.django_db
def test_a_rejected_change_writes_no_log_entry(registry: SmallRegistry, operator_user: User) -> None:
    entries_before = LogEntry.objects.count()
    with pytest.raises(ValidationError):
        services.care_class_update(actor=operator_user, care_class=registry.nursery_class, enrolled=99)
    assert LogEntry.objects.count() == entries_before


@pytest.mark.django_db
def test_the_bureau_admin_revokes_a_filing_from_a_date(registry: SmallRegistry, admin_user: User) -> None:
    services.institution_update(
        actor=admin_user,
        institution=registry.nursery_a,
        filing_status="revoked",
        filing_revoked_on=D(2025, 3, 1),
    )
    registry.nursery_a.refresh_from_db()
    assert registry.nursery_a.is_filed_on(D(2025, 2, 28))
    assert not registry.nursery_a.is_filed_on(D(2025, 3, 1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"filing_status": "revoked"}, "filing_revoked_on"),  # revoked needs its date
        ({"filing_status": "revoked", "filing_revoked_on": D(2022, 12, 31)}, "filing_revoked_on"),
        ({"filing_status": "revoked", "filing_revoked_on": D(2023, 1, 1)}, "filing_revoked_on"),
        ({"filing_revoked_on": D(2025, 3, 1)}, "filing_revoked_on"),  # still filed: no end date
        ({"filing_status": "revoked", "filed_on": None, "filing_revoked_on": D(2025, 3, 1)}, "filed_on"),
    ],
)
def test_a_revocation_date_must_follow_the_filing_and_belong_to_a_revoked_filing(
    registry: SmallRegistry, admin_user: User, changes: dict[str, Any], field: str
) -> None:
    # The nursery was filed on 2023-01-01.
    with _rejected(field):
        services.institution_update(actor=admin_user, institution=registry.nursery_a, **changes)


@pytest.mark.django_db
def test_an_operator_may_not_revoke_their_own_filing(registry: SmallRegistry, operator_user: User) -> None:
    with _rejected("filing_revoked_on"):
        services.institution_update(
            actor=operator_user, institution=registry.nursery_a, filing_revoked_on=D(2025, 3, 1)
        )
