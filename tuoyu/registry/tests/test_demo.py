"""The synthetic datasets: Linhai demo (deterministic, tuned), demo accounts, commands, province."""

from __future__ import annotations

import datetime as dt
import itertools
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from tuoyu.accounts.models import Role, User
from tuoyu.common import crypto
from tuoyu.common.identifiers import credit_code_normalize, resident_id_normalize
from tuoyu.engine import codes
from tuoyu.enrollment import demo as enrollment_demo
from tuoyu.indicators.models import CatalogItem, ServiceCatalog, TargetSet
from tuoyu.indicators.selectors import indicator_report
from tuoyu.planning import demo as planning_demo
from tuoyu.registry import demo
from tuoyu.registry.models import (
    CareClass,
    Certificate,
    ChildPopulation,
    Dataset,
    Employment,
    Fee,
    FilingStatus,
    Form,
    IncomeScope,
    IncomeStat,
    Institution,
    PuhuiDesignation,
    Staff,
    Township,
    TownshipYear,
)
from tuoyu.supervision import demo as supervision_demo

pytestmark = pytest.mark.django_db

END_2025 = dt.date(2025, 12, 31)
TABLES = (
    Township,
    TownshipYear,
    ChildPopulation,
    IncomeStat,
    Institution,
    PuhuiDesignation,
    CareClass,
    Fee,
    Staff,
    Employment,
    Certificate,
    Dataset,
    TargetSet,
    ServiceCatalog,
    CatalogItem,
    User,
)


@pytest.fixture
def linhai() -> demo.DemoSummary:
    return demo.build_linhai()


def _counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in TABLES}


def _figures(day: dt.date) -> dict[str, Any]:
    report = indicator_report(as_of=day)
    names = dict(Township.objects.values_list("pk", "name"))
    city = {code: (f.numerator, f.denominator, f.value, f.met) for code, f in report.city.items()}
    towns = {
        names[pk]: {code: (f.numerator, f.denominator, f.value, f.met) for code, f in figures.items()}
        for pk, figures in report.townships.items()
    }
    return {"city": city, "townships": towns}


def _counted(day: dt.date) -> Any:
    return Institution.objects.filter(
        filing_status=FilingStatus.FILED, filed_on__lte=day, opened_on__lte=day
    ).exclude(closed_on__lte=day)


def test_same_seed_gives_the_same_dataset() -> None:
    demo.build_linhai()
    first_counts = _counts()
    first = [_figures(day) for day in (dt.date(2024, 12, 31), *demo.CHECK_DATES)]
    first_ids = sorted(Staff.objects.values_list("id_number_index", flat=True))
    first_codes = sorted(Institution.objects.values_list("credit_code", "name", "filed_on", "closed_on"))
    deleted = demo.registry_clear()
    assert deleted["registry.Institution"] == first_counts["registry.Institution"]
    assert not demo.registry_has_data()
    assert sum(_counts().values()) == 0

    demo.build_linhai()
    assert _counts() == first_counts
    assert [_figures(day) for day in (dt.date(2024, 12, 31), *demo.CHECK_DATES)] == first
    assert sorted(Staff.objects.values_list("id_number_index", flat=True)) == first_ids
    assert (
        sorted(Institution.objects.values_list("credit_code", "name", "filed_on", "closed_on")) == first_codes
    )


def test_another_seed_gives_another_dataset_with_the_same_mix(linhai: demo.DemoSummary) -> None:
    # The in-memory plan is what gets written; compare two seeds without touching the database.
    other = demo._LinhaiPlan(7)
    other.build()  # raises if a window is missed
    assert sorted(i.name for i in other.insts) != sorted(Institution.objects.values_list("name", flat=True))


def test_counts_are_in_the_stated_ranges(linhai: demo.DemoSummary) -> None:
    assert linhai.townships == 19
    assert Township.objects.filter(kind="subdistrict").count() == 5
    assert 120 <= linhai.institutions <= 165
    assert 800 <= linhai.staff <= 1100
    assert linhai.employments > linhai.staff  # some people changed jobs
    under_3 = {
        year: sum(ChildPopulation.objects.filter(year=year).values_list("children", flat=True))
        for year in range(2023, 2027)
    }
    assert 20_000 <= under_3[2025] <= 24_000
    assert under_3[2023] > under_3[2024] > under_3[2025] > under_3[2026]
    population = sum(TownshipYear.objects.filter(year=2025).values_list("population", flat=True))
    assert 1_050_000 <= population <= 1_180_000
    assert 0.017 <= under_3[2025] / population <= 0.023
    births = [
        sum(TownshipYear.objects.filter(year=y).values_list("births", flat=True)) for y in range(2021, 2027)
    ]
    assert all(later < earlier for earlier, later in itertools.pairwise(births))
    income = IncomeStat.objects.get(year=2024, scope=IncomeScope.ALL).amount
    assert 60_000 <= income <= 70_000
    assert IncomeStat.objects.filter(year__range=(2022, 2025)).count() == 12

    counted = _counted(END_2025)
    slots = sum(CareClass.objects.filter(institution__in=counted).values_list("approved_slots", flat=True))
    assert 5_400 <= slots <= 6_400
    forms = {form: counted.filter(form=form).count() for form in Form.values}
    assert all(forms.values()), forms
    assert forms[Form.KINDERGARTEN] == max(forms.values())
    statuses = set(Institution.objects.values_list("filing_status", flat=True))
    assert {FilingStatus.FILED, FilingStatus.PENDING, FilingStatus.NOT_FILED} <= statuses
    assert Institution.objects.filter(closed_on__isnull=False).count() >= 4
    filed_years = {
        day.year
        for day in Institution.objects.filter(filed_on__isnull=False).values_list("filed_on", flat=True)
        if day is not None
    }
    assert filed_years == {2023, 2024, 2025, 2026}
    assert Institution.objects.filter(is_service_centre=True).count() == 1
    assert Institution.objects.filter(is_demonstration=True).count() >= 3


def test_identifiers_are_valid_and_encrypted(linhai: demo.DemoSummary) -> None:
    for code in Institution.objects.values_list("credit_code", flat=True):
        assert credit_code_normalize(code) == code
        assert code[2:8] == "331082"
    for code in Township.objects.values_list("code", flat=True):
        assert len(code) == 12 and code.startswith("331082") and code.endswith("000")
    staff = list(Staff.objects.order_by("pk"))
    assert len({s.id_number_index for s in staff}) == len(staff)
    for person in staff[::25]:
        number = person.id_number
        assert resident_id_normalize(number) == number
        assert number.startswith("331082")
        assert 1965 <= int(number[6:10]) <= 2006
        assert crypto.blind_index(number, purpose=Staff.ID_PURPOSE) == person.id_number_index
        assert number.encode() not in bytes(person.id_number_ciphertext)
        assert "某" in person.name


def test_the_2025_target_mix(linhai: demo.DemoSummary) -> None:
    for day in demo.CHECK_DATES:
        city = indicator_report(as_of=day).city
        values = {code: figure.value for code, figure in city.items()}
        assert city["fee_ratio"].met is True
        assert city["slots_per_1000"].met is False
        assert 250 <= (values["slots_per_1000"] or 0) <= 275
        assert city["kindergarten_share"].met is True
        assert 0.65 <= (values["kindergarten_share"] or 0) <= 0.72
        assert city["puhui_share"].met is False
        assert 0.84 <= (values["puhui_share"] or 0) <= 0.89
        assert city["certified_share"].met is True
        assert 0.90 <= (values["certified_share"] or 0) <= 0.94
        assert city["catalog_published"].met is True


def test_townships_differ_and_some_have_nothing(linhai: demo.DemoSummary) -> None:
    figures = _figures(END_2025)["townships"]
    slots = {name: f["slots_per_1000"] for name, f in figures.items()}
    empty = {name for name, (numerator, *_rest) in slots.items() if numerator == 0}
    assert {"括苍镇", "河头镇"} <= empty
    far_off = [name for name, (_n, _d, value, _m) in slots.items() if value is not None and value < 140]
    assert len(far_off) >= 5
    assert sum(1 for f in slots.values() if f[3]) >= 3  # the dense 街道 meet it
    streets = {t.name for t in Township.objects.filter(kind="subdistrict")}
    kg_slots = {name: f["kindergarten_share"][0] for name, f in figures.items()}
    puhui_slots = {name: f["puhui_share"][0] for name, f in figures.items()}
    assert sum(kg_slots[n] for n in streets) > 0.5 * sum(kg_slots.values())
    assert sum(puhui_slots[n] for n in streets) > 0.5 * sum(puhui_slots.values())
    for mountain in ("汇溪镇", "括苍镇", "河头镇", "尤溪镇"):
        assert slots[mountain][0] <= 25
    # The trend moves: fewer slots at the end of 2023 than at the end of 2025.
    assert (
        _figures(dt.date(2023, 12, 31))["city"]["slots_per_1000"][0]
        < _figures(END_2025)["city"]["slots_per_1000"][0]
    )
    for township in Township.objects.all():
        boundary = township.boundary
        assert township.boundary_approximate and boundary is not None
        assert boundary["type"] == "Polygon"
        ring = boundary["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) >= 4


def test_rule_breakers_fees_and_designations(linhai: demo.DemoSummary) -> None:
    caps = {"infant": 10, "toddler": 15, "older": 20, "mixed": 18}
    per = {"infant": 3, "toddler": 5, "older": 7, "mixed": 5}
    classes = list(CareClass.objects.exclude(institution__form=Form.FAMILY))
    oversized = [c for c in classes if c.approved_slots > caps[c.class_type]]
    short = [c for c in classes if c.caregivers * per[c.class_type] < c.enrolled]
    assert 1 <= len(oversized) <= 8
    assert 1 <= len(short) <= 8
    assert len(oversized) + len(short) < 0.05 * len(classes)
    family = CareClass.objects.filter(institution__form=Form.FAMILY)
    assert family.filter(enrolled=6).count() == 1
    assert family.exclude(enrolled=6).filter(approved_slots__gt=5).count() == 0

    designations = PuhuiDesignation.objects.all()
    assert designations.count() >= 20
    assert not designations.filter(institution__ownership="public").exists()
    assert designations.filter(valid_to=dt.date(2025, 6, 30)).count() == 1
    assert designations.filter(valid_to__lt=demo.DATA_AS_OF).count() >= 3  # some expired

    for fee in Fee.objects.filter(effective_from__lte=END_2025).exclude(effective_to__lt=END_2025):
        assert 1_000 <= fee.full_day_monthly <= 5_000
    assert Fee.objects.filter(effective_to=dt.date(2025, 8, 31)).count() >= 50
    assert Fee.objects.filter(effective_from=dt.date(2025, 9, 1)).count() >= 50
    puhui_fees = Fee.objects.filter(institution__ownership="public", effective_from__lte=END_2025).exclude(
        effective_to__lt=END_2025
    )
    assert all(1_200 <= f.full_day_monthly <= 2_200 for f in puhui_fees)

    cert_types = set(Certificate.objects.values_list("cert_type", flat=True))
    assert cert_types == set(codes.CERTIFICATE_TYPES)
    assert Certificate.objects.filter(expires_on__lt=END_2025).exists()
    roles = set(Employment.objects.values_list("role", flat=True))
    assert {"caregiver", "teacher", "health", "director"} <= roles
    assert Employment.objects.filter(end__isnull=False).exists()


def test_dataset_targets_and_catalog(linhai: demo.DemoSummary) -> None:
    dataset = Dataset.objects.get()
    assert dataset.synthetic is True
    assert dataset.seed == demo.LINHAI_SEED
    assert "synthetic" in dataset.name and "合成" in dataset.name
    assert "synthetic" in dataset.description.lower() and "近似" in dataset.description
    assert sorted(TargetSet.objects.values_list("year", flat=True)) == [2025, 2026]
    catalog = ServiceCatalog.objects.get()
    assert catalog.published_on == dt.date(2025, 6, 30)
    assert "示例" in catalog.title
    assert 5 <= catalog.items.count() <= 8


def test_demo_accounts(linhai: demo.DemoSummary) -> None:
    accounts = {a.username: a for a in demo.create_demo_accounts()}
    assert set(accounts) == {"admin", "township", "operator", "lead", "inspector", "public"}
    for account in accounts.values():
        assert len(account.password) >= 10
        assert User.objects.get(username=account.username).check_password(account.password)
    admin = User.objects.get(username="admin")
    assert admin.role == Role.BUREAU_ADMIN and admin.is_staff and admin.is_superuser
    township = User.objects.get(username="township")
    assert township.role == Role.TOWNSHIP_OFFICIAL
    assert township.township is not None and township.township.name == "古城街道"
    assert not township.is_staff
    operator = User.objects.get(username="operator")
    institution = operator.institution
    assert operator.role == Role.INSTITUTION_OPERATOR and institution is not None
    assert institution.township.name == "大洋街道"
    assert institution.is_filed_on(demo.DATA_AS_OF)
    assert institution.is_operating_on(demo.DATA_AS_OF)
    assert institution.name in accounts["operator"].scope
    public = User.objects.get(username="public")
    assert public.role == Role.PUBLIC and public.township is None and public.institution is None
    assert User.objects.get(username="lead").role == Role.SUPERVISION_LEAD
    inspector = User.objects.get(username="inspector")
    assert inspector.role == Role.INSPECTOR and inspector.township == township.township
    # Updating is idempotent and repairs changed accounts.
    township.role = Role.PUBLIC
    township.set_password("something-else")
    township.save()
    demo.create_demo_accounts()
    township.refresh_from_db()
    assert township.role == Role.TOWNSHIP_OFFICIAL and township.check_password("tuoyu-demo-township")


def test_build_refuses_a_non_empty_registry(linhai: demo.DemoSummary) -> None:
    with pytest.raises(demo.RegistryNotEmptyError):
        demo.build_linhai()
    with pytest.raises(demo.RegistryNotEmptyError):
        demo.build_province(seed=1, townships=2, institutions=2, classes=2, staff=2)


def _state() -> tuple[dict[str, int], list[tuple[Any, ...]]]:
    users = list(
        User.objects.order_by("username").values_list(
            "pk", "username", "password", "role", "township_id", "institution_id", "is_staff", "is_superuser"
        )
    )
    return _counts(), users


def test_demo_command_is_idempotent() -> None:
    out = StringIO()
    call_command("demo_linhai", stdout=out)
    text = out.getvalue()
    assert "synthetic" in text
    for username, password in demo.DEMO_PASSWORDS.items():
        assert username in text and password in text
    before = _state()
    assert before[0]["registry.Institution"] > 0

    out = StringIO()
    call_command("demo_linhai", stdout=out)
    assert "--reset" in out.getvalue()
    assert "tuoyu-demo-admin" in out.getvalue()
    assert _state() == before

    out = StringIO()
    call_command("demo_linhai", "--reset", stdout=out)
    after = _state()
    assert after[0] == before[0]
    assert [(row[1], row[3]) for row in after[1]] == [(row[1], row[3]) for row in before[1]]


def test_reset_detaches_other_accounts() -> None:
    call_command("demo_linhai", stdout=StringIO())
    other = User.objects.create_user(
        "someone", password="x" * 12, role=Role.TOWNSHIP_OFFICIAL, township=Township.objects.first()
    )
    # As the command's --reset does: enrollment and planning rows first, they point here.
    supervision_demo.supervision_demo_clear()
    enrollment_demo.enrollment_demo_clear()
    planning_demo.planning_demo_clear()
    deleted = demo.registry_clear()
    assert deleted["detached accounts"] == 1
    assert deleted["demo accounts"] == 6
    other.refresh_from_db()
    assert other.township is None
    assert not demo.registry_has_data()


def test_small_province() -> None:
    messages: list[str] = []
    summary = demo.build_province(
        seed=5, townships=20, institutions=100, classes=300, staff=500, progress=messages.append
    )
    assert messages
    assert summary.townships == 20 and summary.institutions == 100 and summary.classes == 300
    assert summary.staff == 500 and summary.employments >= 500 and summary.certificates >= 500
    dataset = Dataset.objects.get()
    assert dataset.synthetic and dataset.seed == 5
    assert set(Institution.objects.values_list("form", flat=True)) == set(Form.values)
    assert ChildPopulation.objects.count() == 20 * 4 * 5
    for code in Institution.objects.values_list("credit_code", flat=True)[:50]:
        assert credit_code_normalize(code) == code
    person = Staff.objects.order_by("pk").first()
    assert person is not None and resident_id_normalize(person.id_number) == person.id_number
    report = indicator_report(as_of=END_2025)
    assert (report.city["slots_per_1000"].value or 0) > 0
    assert len(report.townships) == 20
    accounts = {a.username for a in demo.create_demo_accounts()}
    assert accounts == {"admin", "township", "operator", "lead", "inspector", "public"}


def test_province_command() -> None:
    out = StringIO()
    call_command(
        "generate_province",
        "--townships",
        "5",
        "--institutions",
        "10",
        "--classes",
        "20",
        "--staff",
        "30",
        stdout=out,
    )
    assert "s]" in out.getvalue() and "synthetic" in out.getvalue()
    assert Institution.objects.count() == 10
