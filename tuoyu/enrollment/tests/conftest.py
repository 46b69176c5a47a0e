"""Enrollment fixtures on top of the small registry.

* ``parent_user`` is the ``public`` role's user from ``role_clients`` (a parent), with
  ``child`` (born 2025-03-10, living in township A) registered and consented;
* ``other_parent`` has ``other_child``;
* ``open_round`` is open now, for start months 2026-09 to 2027-03, with places taken
  from the small registry's vacancies: nursery_a 托小班 3 seats, kindergarten_a 托大班
  2 seats (family_b is full).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tuoyu.accounts.models import Role, User
from tuoyu.conftest import PASSWORD, SmallRegistry, resident_id
from tuoyu.enrollment import services
from tuoyu.enrollment.models import Child, Round, RoundPlace
from tuoyu.registry.models import Township

TODAY = dt.date(2026, 6, 1)


def make_child(
    *, guardian: User, name: str, birth: dt.date, serial: int, township_id: int, **extra: object
) -> Child:
    return services.child_register(
        actor=guardian,
        name=name,
        birth_date=birth,
        id_number=resident_id(serial, birth.strftime("%Y%m%d")),
        township=Township.objects.get(pk=township_id),
        consent=True,
        today=TODAY,
        **extra,  # type: ignore[arg-type]
    )


@dataclass
class Enrollment:
    registry: SmallRegistry
    round: Round
    nursery_toddler: RoundPlace
    kindergarten_older: RoundPlace


@pytest.fixture
def parent_user(public_user: User) -> User:
    return public_user


@pytest.fixture
def other_parent(registry: SmallRegistry) -> User:
    return User.objects.create_user(username="13900000002", password=PASSWORD, role=Role.PUBLIC)


@pytest.fixture
def child(parent_user: User, registry: SmallRegistry) -> Child:
    return make_child(
        guardian=parent_user,
        name="张小宝",
        birth=dt.date(2025, 3, 10),
        serial=501,
        township_id=registry.township_a.pk,
    )


@pytest.fixture
def other_child(other_parent: User, registry: SmallRegistry) -> Child:
    return make_child(
        guardian=other_parent,
        name="李小贝",
        birth=dt.date(2025, 2, 1),
        serial=502,
        township_id=registry.township_b.pk,
    )


@pytest.fixture
def open_round(admin_user: User, registry: SmallRegistry) -> Enrollment:
    now = timezone.now()
    round_ = services.round_create(
        actor=admin_user,
        name="示例 2026 秋季统一报名",
        first_start_month=dt.date(2026, 9, 1),
        last_start_month=dt.date(2027, 3, 1),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
        priority_rules=["hardship", "sibling", "resident"],
    )
    services.round_open(actor=admin_user, round_=round_)
    places = {(p.institution_id, p.class_type): p for p in round_.places.all()}
    return Enrollment(
        registry=registry,
        round=round_,
        nursery_toddler=places[(registry.nursery_a.pk, "toddler")],
        kindergarten_older=places[(registry.kindergarten_a.pk, "older")],
    )
