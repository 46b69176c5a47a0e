"""Enrollment services: registering children, applying, the draw, offers, enrollment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tuoyu.accounts.models import User
from tuoyu.conftest import SmallRegistry, resident_id
from tuoyu.engine import lottery
from tuoyu.enrollment import services
from tuoyu.enrollment.allocation import round_allocate
from tuoyu.enrollment.models import Child, Offer, OfferStatus, Outcome, RoundStatus
from tuoyu.enrollment.tests.conftest import TODAY, Enrollment, make_child
from tuoyu.registry.models import CareClass

SEPTEMBER = dt.date(2026, 9, 1)


def _close_and_allocate(admin: User, enrollment: Enrollment) -> None:
    services.round_close(actor=admin, round_=enrollment.round)
    round_allocate(actor=admin, round_=enrollment.round)
    enrollment.round.refresh_from_db()


@pytest.mark.django_db
def test_a_child_is_registered_with_an_encrypted_id_number(child: Child) -> None:
    stored = Child.objects.get(pk=child.pk)
    assert resident_id(501, "20250310").encode() not in bytes(stored.id_number_ciphertext)
    assert stored.id_number == resident_id(501, "20250310")
    assert stored.name_masked == "张**"
    assert stored.consent_version


@pytest.mark.django_db
def test_registration_without_consent_is_refused_naming_the_field(
    parent_user: User, registry: object
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.child_register(
            actor=parent_user,
            name="王小",
            birth_date=dt.date(2025, 1, 1),
            id_number=resident_id(503, "20250101"),
            township=registry.township_a,  # type: ignore[attr-defined]
            consent=False,
            today=TODAY,
        )
    assert "consent" in caught.value.message_dict


@pytest.mark.django_db
def test_a_birth_date_that_contradicts_the_id_number_is_refused(parent_user: User, registry: object) -> None:
    with pytest.raises(ValidationError) as caught:
        services.child_register(
            actor=parent_user,
            name="王小",
            birth_date=dt.date(2025, 1, 2),
            id_number=resident_id(503, "20250101"),
            township=registry.township_a,  # type: ignore[attr-defined]
            consent=True,
            today=TODAY,
        )
    assert "birth_date" in caught.value.message_dict


@pytest.mark.django_db
def test_the_same_child_cannot_be_registered_twice(child: Child, other_parent: User) -> None:
    with pytest.raises(ValidationError) as caught:
        make_child(
            guardian=other_parent,
            name="张小宝",
            birth=dt.date(2025, 3, 10),
            serial=501,
            township_id=child.township_id,
        )
    assert "id_number" in caught.value.message_dict


@pytest.mark.django_db
def test_staff_cannot_register_children(operator_user: User, registry: SmallRegistry) -> None:
    with pytest.raises(PermissionDenied):
        make_child(
            guardian=operator_user,
            name="王",
            birth=dt.date(2025, 1, 1),
            serial=504,
            township_id=registry.township_a.pk,
        )


@pytest.mark.django_db
def test_the_round_takes_its_places_from_the_registry_vacancies(open_round: Enrollment) -> None:
    assert open_round.nursery_toddler.capacity == 3
    assert open_round.kindergarten_older.capacity == 2
    assert open_round.round.places.count() == 2
    assert open_round.round.commitment == lottery.commitment_of(services.round_seed(open_round.round))


@pytest.mark.django_db
def test_a_place_that_does_not_fit_the_age_is_refused_naming_the_choice(
    open_round: Enrollment, parent_user: User, child: Child
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.application_submit(
            actor=parent_user,
            round_=open_round.round,
            child=child,
            start_month=SEPTEMBER,
            places=[open_round.nursery_toddler, open_round.kindergarten_older],
        )
    assert set(caught.value.message_dict) == {"choice_2"}


@pytest.mark.django_db
def test_a_parent_cannot_apply_for_another_parents_child(
    open_round: Enrollment, parent_user: User, other_child: Child
) -> None:
    with pytest.raises(PermissionDenied):
        services.application_submit(
            actor=parent_user,
            round_=open_round.round,
            child=other_child,
            start_month=SEPTEMBER,
            places=[open_round.nursery_toddler],
        )


@pytest.mark.django_db
def test_allocation_places_by_priority_then_lottery_and_explains_the_rest(
    open_round: Enrollment,
    admin_user: User,
    parent_user: User,
    child: Child,
    other_child: Child,
    other_parent: User,
) -> None:
    open_round.nursery_toddler.capacity = 1
    open_round.nursery_toddler.save()
    services.application_submit(
        actor=parent_user,
        round_=open_round.round,
        child=child,
        start_month=SEPTEMBER,
        places=[open_round.nursery_toddler],
    )
    services.application_submit(
        actor=other_parent,
        round_=open_round.round,
        child=other_child,
        start_month=SEPTEMBER,
        places=[open_round.nursery_toddler],
    )
    _close_and_allocate(admin_user, open_round)
    assert open_round.round.status == RoundStatus.ALLOCATED
    # The child living in township A meets "resident"; the other lives in B.
    placed = child.applications.get().choices.get()
    passed = other_child.applications.get().choices.get()
    assert placed.outcome == Outcome.PLACED
    assert placed.priority_reasons == ["resident"]
    assert passed.outcome == Outcome.PASSED_OVER
    assert (passed.applicants_ahead, passed.seats, passed.waitlist_position) == (1, 1, 1)
    offer = Offer.objects.get()
    assert offer.application.child == child
    assert offer.deadline > timezone.now()
    data = lottery.lottery_publish(
        seed=open_round.round.seed, references=[a.reference for a in open_round.round.applications.all()]
    )
    assert lottery.lottery_verify(data.to_json()) == []
    assert open_round.round.roster_hash == data.roster_hash


@pytest.mark.django_db
def test_an_accepted_offer_is_enrolled_into_the_registry(
    open_round: Enrollment, admin_user: User, operator_user: User, parent_user: User, child: Child
) -> None:
    services.application_submit(
        actor=parent_user,
        round_=open_round.round,
        child=child,
        start_month=SEPTEMBER,
        places=[open_round.nursery_toddler],
    )
    _close_and_allocate(admin_user, open_round)
    offer = Offer.objects.get()
    services.offer_respond(actor=parent_user, offer=offer, accept=True)
    care_class = open_round.registry.nursery_class
    before = care_class.enrolled
    services.offer_enroll(actor=operator_user, offer=offer, care_class=care_class)
    assert CareClass.objects.get(pk=care_class.pk).enrolled == before + 1
    assert Offer.objects.get().status == OfferStatus.ENROLLED


@pytest.mark.django_db
def test_an_application_and_its_choices_are_in_the_audit_log(
    open_round: Enrollment, parent_user: User, child: Child
) -> None:
    from auditlog.models import LogEntry

    application = services.application_submit(
        actor=parent_user,
        round_=open_round.round,
        child=child,
        start_month=SEPTEMBER,
        places=[open_round.nursery_toddler],
    )
    entries = LogEntry.objects.filter(actor=parent_user)
    models = {entry.content_type.model for entry in entries}
    assert {"application", "choice"} <= models
    child_entry = LogEntry.objects.get(content_type__model="child", object_pk=str(child.pk))
    assert resident_id(501, "20250310") not in str(child_entry.changes)
    assert "张小宝" not in str(child_entry.changes)
    assert application.reference in str(entries.get(content_type__model="application").changes)
