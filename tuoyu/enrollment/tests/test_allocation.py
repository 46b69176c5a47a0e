"""The allocation on random rounds: age eligibility, capacities and stability always hold.

Each example builds a round through the services (children of several ages, places of
every class type, random choices, random priority facts), allocates it, and checks the
written outcome, not the engine's arrays: every offer fits the child's age at the start
month, no place has more offers than seats, and no child would rather have a place whose
seats went to a child with a lower priority there (no blocking pair).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuoyu.accounts.models import Role, User
from tuoyu.conftest import SmallRegistry, resident_id
from tuoyu.enrollment import services
from tuoyu.enrollment.allocation import priority_key, round_allocate
from tuoyu.enrollment.models import Application, Offer, Outcome, Round, RoundPlace
from tuoyu.portal.selectors import age_in_months, class_types_for_age
from tuoyu.registry.models import CareClass

START = dt.date(2027, 3, 1)
RULES = ["hardship", "sibling", "resident"]

child_specs = st.lists(
    st.tuples(
        st.integers(min_value=200, max_value=1000),  # age in days on 2027-03-01
        st.booleans(),  # lives in township A
        st.booleans(),  # verified hardship
        st.booleans(),  # sibling at the nursery
        st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=5, unique=True),
    ),
    min_size=1,
    max_size=10,
)
capacities = st.lists(st.integers(min_value=0, max_value=3), min_size=4, max_size=4).filter(any)


def _round(admin: User, registry: SmallRegistry, seats: list[int]) -> tuple[Round, list[RoundPlace]]:
    for institution, kinds in (
        (registry.nursery_a, ("infant", "toddler")),
        (registry.family_b, ("mixed", "older")),
    ):
        for kind in kinds:
            CareClass.objects.create(
                institution=institution, name=f"随机{kind}", class_type=kind, approved_slots=10, enrolled=0
            )
    now = timezone.now()
    round_ = services.round_create(
        actor=admin,
        name="随机轮次",
        first_start_month=START,
        last_start_month=START,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=1),
        priority_rules=RULES,
    )
    places = list(round_.places.select_related("institution").order_by("pk"))
    for place, capacity in zip(places, seats * 2, strict=False):
        place.capacity = capacity
        place.save()
    services.round_open(actor=admin, round_=round_)
    return round_, places


@pytest.mark.django_db(transaction=False)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=child_specs, seats=capacities)
def test_offers_fit_the_age_respect_capacity_and_leave_no_blocking_pair(
    registry: SmallRegistry,
    admin_user: User,
    specs: list[tuple[int, bool, bool, bool, list[int]]],
    seats: list[int],
) -> None:
    with transaction.atomic():
        round_, places = _round(admin_user, registry, seats)
        for serial, (age_days, in_a, hardship, sibling, picks) in enumerate(specs):
            parent = User.objects.create_user(username=f"1390000{serial:04d}", role=Role.PUBLIC)
            birth = START - dt.timedelta(days=age_days)
            child = services.child_register(
                actor=parent,
                name=f"随机{serial}",
                birth_date=birth,
                id_number=resident_id(600 + serial, birth.strftime("%Y%m%d")),
                township=registry.township_a if in_a else registry.township_b,
                consent=True,
                hardship_claimed=hardship,
                sibling_institution=registry.nursery_a if sibling else None,
                today=min(birth + dt.timedelta(days=30), dt.date.today()),
            )
            if hardship:
                services.child_hardship_review(actor=admin_user, child=child, verified=True)
            months = age_in_months(birth_date=birth, on=START)
            fitting = [p for p in places if p.class_type in class_types_for_age(months)]
            chosen = [fitting[i % len(fitting)] for i in picks] if fitting else []
            chosen = list(dict.fromkeys(chosen))
            if chosen:
                services.application_submit(
                    actor=parent, round_=round_, child=child, start_month=START, places=chosen
                )
        services.round_close(actor=admin_user, round_=round_)
        round_allocate(actor=admin_user, round_=round_)

        applications = list(
            Application.objects.filter(round=round_)
            .select_related("child", "offer__place")
            .prefetch_related("choices__place")
        )
        n = len(applications)
        offers = Offer.objects.filter(application__round=round_).select_related("place", "application__child")
        per_place = Counter(offer.place_id for offer in offers)
        for place in places:
            place.refresh_from_db()
            assert per_place[place.pk] <= place.capacity
        for offer in offers:
            months = age_in_months(
                birth_date=offer.application.child.birth_date, on=offer.application.start_month
            )
            assert offer.place.class_type in class_types_for_age(months)

        key: dict[tuple[int, int], int] = {}
        for application in applications:
            for choice in application.choices.all():
                key[(application.pk, choice.place_id)] = priority_key(
                    rules=RULES,
                    met=choice.priority_reasons,
                    lottery_rank=application.lottery_rank or 0,
                    applicants=n,
                )
        holders: dict[int, list[int]] = {}
        for offer in offers:
            holders.setdefault(offer.place_id, []).append(offer.application_id)
        for application in applications:
            for choice in application.choices.all():
                if choice.outcome != Outcome.PASSED_OVER:
                    continue
                taken = holders.get(choice.place_id, [])
                assert len(taken) == choice.place.capacity
                mine = key[(application.pk, choice.place_id)]
                assert all(key[(other, choice.place_id)] < mine for other in taken)
        transaction.set_rollback(True)
