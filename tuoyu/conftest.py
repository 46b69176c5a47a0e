"""Fixtures shared by every app's tests: a small registry and one user per role.

The registry: two townships (A with children, B with children), institutions

* ``kindergarten_a`` — public 幼儿园托班 in A, filed, one 托大班 of 20 slots;
* ``nursery_a`` — private 独立托育机构 in A, filed, 普惠 since 2024, one 托小班 of 15 slots;
* ``family_b`` — private 家庭托育点 in B, filed, not 普惠, one 混龄班 of 5 slots.

Users: ``admin_user`` (bureau admin), ``township_user`` (official of A),
``operator_user`` (operator of ``nursery_a``), ``other_operator_user`` (operator of
``family_b``), ``lead_user`` (supervision lead), ``inspector_user`` (inspector based in
A), ``public_user`` (a parent); plus the anonymous visitor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tuoyu.accounts.models import Role, User
from tuoyu.common import crypto
from tuoyu.common.identifiers import credit_code_check_char, resident_id_check_char
from tuoyu.common.revision_cache import revision_caches_clear
from tuoyu.indicators.models import CatalogItem, ServiceCatalog, TargetSet
from tuoyu.registry.models import (
    CareClass,
    Certificate,
    ChildPopulation,
    Employment,
    Fee,
    IncomeStat,
    Institution,
    PuhuiDesignation,
    Staff,
    Township,
    TownshipYear,
)

PASSWORD = "correct-horse-battery"
AS_OF = dt.date(2025, 12, 31)


def credit_code(serial: int) -> str:
    first17 = f"52331082MA{serial:07d}"
    return first17 + credit_code_check_char(first17)


def resident_id(serial: int, birth: str = "19900101") -> str:
    first17 = f"331082{birth}{serial:03d}"
    return first17 + resident_id_check_char(first17)


def make_staff(*, name: str, serial: int) -> Staff:
    number = resident_id(serial)
    return Staff.objects.create(
        name=name,
        id_number_ciphertext=crypto.encrypt(number, purpose=Staff.ID_PURPOSE),
        id_number_index=crypto.blind_index(number, purpose=Staff.ID_PURPOSE),
    )


@dataclass
class SmallRegistry:
    township_a: Township
    township_b: Township
    kindergarten_a: Institution
    nursery_a: Institution
    family_b: Institution
    kindergarten_class: CareClass
    nursery_class: CareClass
    family_class: CareClass
    nursery_fee: Fee
    caregiver: Staff
    caregiver_employment: Employment


@pytest.fixture
def registry(db: None) -> SmallRegistry:
    township_a = Township.objects.create(
        code="331082001000", name="示例街道甲", kind="subdistrict", latitude=28.86, longitude=121.12
    )
    township_b = Township.objects.create(
        code="331082100000", name="示例镇乙", kind="town", latitude=28.99, longitude=120.92
    )
    for township, children in ((township_a, 100), (township_b, 50)):
        for band in ("m0_6", "m6_12", "m12_18", "m18_24", "m24_36"):
            ChildPopulation.objects.create(township=township, year=2025, age_band=band, children=children)
        TownshipYear.objects.create(township=township, year=2025, births=children, population=children * 50)
    IncomeStat.objects.create(year=2024, scope="all", amount=60000)
    filed = {"filing_status": "filed", "filed_on": dt.date(2023, 1, 1), "opened_on": dt.date(2023, 1, 1)}
    kindergarten_a = Institution.objects.create(
        credit_code=credit_code(1),
        name="示例幼儿园 №1",
        ownership="public",
        form="kindergarten",
        township=township_a,
        **filed,
    )
    nursery_a = Institution.objects.create(
        credit_code=credit_code(2),
        name="示例托育园 №2",
        ownership="private",
        form="standalone",
        township=township_a,
        **filed,
    )
    family_b = Institution.objects.create(
        credit_code=credit_code(3),
        name="示例家庭托育点 №3",
        ownership="private",
        form="family",
        township=township_b,
        **filed,
    )
    PuhuiDesignation.objects.create(institution=nursery_a, valid_from=dt.date(2024, 1, 1))
    kindergarten_class = CareClass.objects.create(
        institution=kindergarten_a,
        name="托大一班",
        class_type="older",
        approved_slots=20,
        enrolled=18,
        caregivers=3,
    )
    nursery_class = CareClass.objects.create(
        institution=nursery_a,
        name="托小一班",
        class_type="toddler",
        approved_slots=15,
        enrolled=12,
        caregivers=3,
    )
    family_class = CareClass.objects.create(
        institution=family_b, name="混龄班", class_type="mixed", approved_slots=5, enrolled=5, caregivers=2
    )
    Fee.objects.create(
        institution=kindergarten_a,
        class_type="older",
        full_day_monthly=1200,
        effective_from=dt.date(2023, 1, 1),
    )
    nursery_fee = Fee.objects.create(
        institution=nursery_a,
        class_type="toddler",
        full_day_monthly=1800,
        half_day_monthly=1000,
        effective_from=dt.date(2024, 1, 1),
    )
    Fee.objects.create(
        institution=family_b, class_type="mixed", full_day_monthly=3000, effective_from=dt.date(2023, 1, 1)
    )
    caregiver = make_staff(name="王某 001", serial=1)
    caregiver_employment = Employment.objects.create(
        staff=caregiver, institution=nursery_a, role="caregiver", start=dt.date(2024, 1, 1)
    )
    Certificate.objects.create(
        staff=caregiver, cert_type="baoyushi", number="BY001", issued_on=dt.date(2022, 1, 1), expires_on=None
    )
    uncertified = make_staff(name="李某 002", serial=2)
    Employment.objects.create(
        staff=uncertified, institution=family_b, role="caregiver", start=dt.date(2024, 1, 1)
    )
    TargetSet.objects.create(year=2025)
    catalog = ServiceCatalog.objects.create(title="示例目录", published_on=dt.date(2025, 6, 30))
    CatalogItem.objects.create(
        catalog=catalog,
        service="普惠托育",
        eligibility="3 岁以下婴幼儿家庭",
        content="全日托",
        standard="按国家标准",
        department="市卫健局",
        funding="财政",
    )
    return SmallRegistry(
        township_a,
        township_b,
        kindergarten_a,
        nursery_a,
        family_b,
        kindergarten_class,
        nursery_class,
        family_class,
        nursery_fee,
        caregiver,
        caregiver_employment,
    )


@pytest.fixture(autouse=True)
def _fresh_indicator_reports() -> None:
    """Rolled-back tests can reuse audit-log ids on SQLite, so no report may outlive a test."""
    revision_caches_clear()


@pytest.fixture(autouse=True)
def _plans_computed_inline(settings: object) -> None:
    """A plan run computes within the request: a background thread would not see the test's
    uncommitted rows."""
    settings.TUOYU_PLAN_RUNS = "inline"  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A test that switches to English (a request with the language cookie, an export)
    must not leave the next test's messages in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """Creating a user per role with the production hasher would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


def _user(username: str, role: str, **scope: object) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role, **scope)  # type: ignore[arg-type]


@pytest.fixture
def admin_user(registry: SmallRegistry) -> User:
    return _user("admin", Role.BUREAU_ADMIN, is_staff=True)


@pytest.fixture
def township_user(registry: SmallRegistry) -> User:
    return _user("township", Role.TOWNSHIP_OFFICIAL, township=registry.township_a)


@pytest.fixture
def operator_user(registry: SmallRegistry) -> User:
    return _user("operator", Role.INSTITUTION_OPERATOR, institution=registry.nursery_a)


@pytest.fixture
def other_operator_user(registry: SmallRegistry) -> User:
    return _user("other-operator", Role.INSTITUTION_OPERATOR, institution=registry.family_b)


@pytest.fixture
def public_user(registry: SmallRegistry) -> User:
    return _user("public", Role.PUBLIC)


@pytest.fixture
def lead_user(registry: SmallRegistry) -> User:
    return _user("lead", Role.SUPERVISION_LEAD)


@pytest.fixture
def inspector_user(registry: SmallRegistry) -> User:
    """An inspector based in township A (so never sent to inspect an institution there)."""
    return _user("inspector", Role.INSPECTOR, township=registry.township_a)


ROLES = ("admin", "township", "operator", "lead", "inspector", "public", "anonymous")


@pytest.fixture
def role_clients(
    admin_user: User,
    township_user: User,
    operator_user: User,
    lead_user: User,
    inspector_user: User,
    public_user: User,
) -> dict[str, Client]:
    """A logged-in test client per role, and an anonymous one."""
    clients: dict[str, Client] = {}
    for name, user in (
        ("admin", admin_user),
        ("township", township_user),
        ("operator", operator_user),
        ("lead", lead_user),
        ("inspector", inspector_user),
        ("public", public_user),
    ):
        client = Client()
        client.force_login(user)
        clients[name] = client
    clients["anonymous"] = Client()
    return clients


@pytest.fixture(autouse=True)
def _sms_kept_in_memory(settings: object) -> None:
    """Text messages go to ``tuoyu.common.sms.outbox``, emptied before each test."""
    from tuoyu.common import sms

    settings.TUOYU_SMS_BACKEND = sms.LOCMEM_BACKEND  # type: ignore[attr-defined]
    sms.outbox_clear()
