"""Hand-computed cases for every indicator, and one test per edge case.

The main fixture is a tiny city of three townships on 2025-06-30 (see ``small_city``);
every expected number is worked out in a comment next to its assertion.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from tuoyu.engine import codes
from tuoyu.engine.indicators import (
    ALL_CODES,
    CertificationRules,
    Figure,
    IndicatorReport,
    RegistrySnapshot,
    Targets,
    compute_indicators,
    date_array,
    empty_snapshot,
    figure_as_dict,
)
from tuoyu.engine.tests import Cert, Cls, Desig, Emp, FeeRow, Inst, Town, build_snapshot

AS_OF = dt.date(2025, 6, 30)


def compute(
    snapshot: RegistrySnapshot,
    as_of: dt.date = AS_OF,
    targets: Targets | None = None,
    certification: CertificationRules | None = None,
) -> IndicatorReport:
    return compute_indicators(
        snapshot,
        as_of=as_of,
        targets=targets or Targets(),
        certification=certification or CertificationRules(),
    )


def ids(figure: Figure) -> tuple[list[int], list[int]]:
    return figure.counted_ids.tolist(), figure.considered_ids.tolist()


# --------------------------------------------------------------------------------------
# The small city
# --------------------------------------------------------------------------------------
#
# Townships                         under 3   under 2   population
#   101                                 200       120       20,000
#   102                                 100        50        8,000
#   103 (no institutions)                50        30        5,000
#   city                                350       200       33,000
#
# Institutions (all filed 2024-01-01 unless said)
#   1  in 101  kindergarten  公办                       -> counted, 普惠
#   2  in 101  standalone    民办, 普惠 2024-01-01..2025-12-31 -> counted, 普惠
#   3  in 102  community     民办, no designation       -> counted, not 普惠
#   4  in 102  family        公办, filed 2025-03-01     -> counted, 普惠
#   5  in 102  standalone    filed 2025-07-01 (after the as-of date) -> not counted
#
# Classes (type, approved slots)
#   11 inst 1 older 20     12 inst 1 toddler 10
#   21 inst 2 infant 10    22 inst 2 older 15    23 inst 2 mixed 12, closed 2025-06-30 (not active)
#   31 inst 3 toddler 15   32 inst 3 older 20
#   41 inst 4 mixed 5
#   51 inst 5 older 20 (institution not counted)
#
# Active slots: 101 -> 20 + 10 + 10 + 15 = 55;  102 -> 15 + 20 + 5 = 40;  103 -> 0;  city 95.


def small_city(**overrides: object) -> RegistrySnapshot:
    towns = [
        Town(101, under_3=200, under_2=120, population=20_000),
        Town(102, under_3=100, under_2=50, population=8_000),
        Town(103, under_3=50, under_2=30, population=5_000),
    ]
    institutions = [
        Inst(1, 101, form="kindergarten", public=True),
        Inst(2, 101, form="standalone"),
        Inst(3, 102, form="community"),
        Inst(4, 102, form="family", public=True, filed="2025-03-01"),
        Inst(5, 102, form="standalone", public=True, filed="2025-07-01"),
    ]
    designations = [Desig(2, "2024-01-01", "2025-12-31")]
    classes = [
        Cls(11, 1, "older", 20),
        Cls(12, 1, "toddler", 10),
        Cls(21, 2, "infant", 10),
        Cls(22, 2, "older", 15),
        Cls(23, 2, "mixed", 12, closed="2025-06-30"),
        Cls(31, 3, "toddler", 15),
        Cls(32, 3, "older", 20),
        Cls(41, 4, "mixed", 5),
        Cls(51, 5, "older", 20),
    ]
    fees = [
        FeeRow(1, "older", 1200),
        FeeRow(1, "toddler", 1500),
        FeeRow(2, "infant", 2000, None, "2024-12-31"),
        FeeRow(2, "infant", 2200, "2025-01-01", None),
        FeeRow(2, "older", 1400),
        FeeRow(2, "mixed", 1600),  # its class is closed
        FeeRow(3, "toddler", 1800),  # not 普惠
        FeeRow(5, "older", 900),  # institution not counted
        # institution 4 (公办 family point) has no fee on file
    ]
    employments = [
        Emp(1001, staff=1, inst=1, role="caregiver"),
        Emp(1002, staff=2, inst=1, role="teacher"),
        Emp(1003, staff=3, inst=1, role="health"),
        Emp(1004, staff=4, inst=2, role="caregiver"),
        Emp(1005, staff=5, inst=2, role="director"),
        Emp(1006, staff=1, inst=2, role="caregiver", start="2025-01-01"),
        Emp(1007, staff=6, inst=3, role="caregiver", end="2025-05-31"),
        Emp(1008, staff=7, inst=3, role="health"),
        Emp(1009, staff=8, inst=5, role="caregiver"),
        Emp(1010, staff=9, inst=4, role="caregiver"),
    ]
    certificates = [
        Cert(1, "baoyushi", "2020-05-01", None),
        Cert(2, "teacher_qualification"),
        Cert(3, "health"),  # 健康证 does not qualify anyone
        Cert(4, "yuyingyuan", "2022-06-30", "2025-06-29"),  # expired the day before
        Cert(5, "baoyushi"),  # director: not a counted role
        Cert(6, "baoyushi"),
        Cert(7, "health_care_training"),
        Cert(8, "baoyushi"),
    ]
    args: dict[str, object] = {
        "towns": towns,
        "institutions": institutions,
        "classes": classes,
        "designations": designations,
        "fees": fees,
        "employments": employments,
        "certificates": certificates,
        "income": 60_000.0,
        "catalog_items": 2,
    }
    args.update(overrides)
    return build_snapshot(**args)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def report() -> IndicatorReport:
    return compute(small_city())


def test_every_area_gets_every_code_including_a_township_without_institutions(
    report: IndicatorReport,
) -> None:
    assert report.as_of == AS_OF
    assert list(report.city) == list(codes.INDICATOR_CODES + codes.MONITORED_CODES) == list(ALL_CODES)
    assert sorted(report.townships) == [101, 102, 103]
    for figures in report.townships.values():
        assert list(figures) == list(ALL_CODES)
    for code, figure in report.city.items():
        assert figure.code == code


def test_slots_per_1000(report: IndicatorReport) -> None:
    # 101: 55 / 200 * 1000 = 275 (< 280, not met);  102: 40 / 100 * 1000 = 400 (met)
    # 103: 0 / 50 * 1000 = 0 (not met);  city: 95 / 350 * 1000 = 271.428... (not met)
    t101, t102, t103 = (report.townships[t]["slots_per_1000"] for t in (101, 102, 103))
    city = report.city["slots_per_1000"]
    assert (t101.numerator, t101.denominator, t101.value, t101.met) == (55, 200, 275, False)
    assert (t102.numerator, t102.denominator, t102.value, t102.met) == (40, 100, 400, True)
    assert (t103.numerator, t103.denominator, t103.value, t103.met) == (0, 50, 0, False)
    assert (city.numerator, city.denominator, city.met) == (95, 350, False)
    assert city.value == pytest.approx(95 / 350 * 1000)
    assert city.target == 280 and city.comparison == "min" and city.record_kind == "class"
    assert ids(t101) == ([11, 12, 21, 22], [11, 12, 21, 22])
    assert ids(t102) == ([31, 32, 41], [31, 32, 41])
    assert ids(t103) == ([], [])
    assert ids(city) == ([11, 12, 21, 22, 31, 32, 41], [11, 12, 21, 22, 31, 32, 41])


def test_kindergarten_share(report: IndicatorReport) -> None:
    # Only institution 1 is a kindergarten: classes 11 (20) + 12 (10) = 30 slots.
    # 101: 30 / 55 = 0.5454 (< 0.65);  102: 0 / 40 = 0;  103: no slots -> None;  city: 30 / 95
    t101, t102, t103 = (report.townships[t]["kindergarten_share"] for t in (101, 102, 103))
    city = report.city["kindergarten_share"]
    assert (t101.numerator, t101.denominator, t101.met) == (30, 55, False)
    assert t101.value == pytest.approx(30 / 55)
    assert (t102.numerator, t102.denominator, t102.value, t102.met) == (0, 40, 0, False)
    assert (t103.numerator, t103.denominator, t103.value, t103.met) == (0, 0, None, None)
    assert city.value == pytest.approx(30 / 95)
    assert city.target == 0.65
    assert ids(t101) == ([11, 12], [11, 12, 21, 22])
    assert ids(city) == ([11, 12], [11, 12, 21, 22, 31, 32, 41])


def test_puhui_share(report: IndicatorReport) -> None:
    # 普惠: institution 1 (公办, 30 slots), 2 (designated, 25 slots), 4 (公办, 5 slots).
    # 101: (30 + 25) / 55 = 1.0 (met);  102: 5 / 40 = 0.125;  city: 60 / 95 = 0.6316
    t101, t102 = report.townships[101]["puhui_share"], report.townships[102]["puhui_share"]
    city = report.city["puhui_share"]
    assert (t101.numerator, t101.denominator, t101.value, t101.met) == (55, 55, 1.0, True)
    assert (t102.numerator, t102.denominator, t102.value, t102.met) == (5, 40, 0.125, False)
    assert (city.numerator, city.denominator, city.met) == (60, 95, False)
    assert city.value == pytest.approx(60 / 95)
    assert ids(t102) == ([41], [31, 32, 41])
    assert ids(city)[0] == [11, 12, 21, 22, 41]


def test_fee_ratio(report: IndicatorReport) -> None:
    # Institution 1: (1200 * 20 + 1500 * 10) / 30 = 39000 / 30 = 1300
    # Institution 2: infant fee in force is the 2025 one, 2200; mixed class is closed:
    #                (2200 * 10 + 1400 * 15) / 25 = 43000 / 25 = 1720
    # 101 and city:  (1300 * 30 + 1720 * 25) / 55 = 82000 / 55 = 1490.909 CNY/month
    # limit base:    60000 / 12 = 5000;  ratio 1490.909 / 5000 = 0.29818 <= 0.30 (met)
    # 102: institution 4 is 普惠 but has no fee, 3 is not 普惠 -> None
    t101, t102, t103 = (report.townships[t]["fee_ratio"] for t in (101, 102, 103))
    city = report.city["fee_ratio"]
    for figure in (t101, city):
        assert figure.numerator == pytest.approx(82000 / 55)
        assert figure.denominator == 5000
        assert figure.value == pytest.approx(82000 / 55 / 5000)
        assert figure.met is True
        assert figure.target == 0.30 and figure.comparison == "max"
        assert figure.record_kind == "institution"
    assert ids(t101) == ([1, 2], [1, 2])
    assert ids(city) == ([1, 2], [1, 2, 4])
    assert (t102.numerator, t102.denominator, t102.value, t102.met) == (0, 5000, None, None)
    assert ids(t102) == ([], [4])
    assert (t103.value, t103.met) == (None, None)


def test_certified_share(report: IndicatorReport) -> None:
    # Posts on 2025-06-30 (counted roles, active, at counted institutions):
    #   101: 1001 caregiver 保育师 ok, 1002 teacher 教师资格证 ok, 1003 health with only 健康证 no,
    #        1004 caregiver whose 育婴员 expired 2025-06-29 no, 1006 staff 1 again ok
    #        (1005 is a director: not counted)                           -> 3 / 5 = 0.6
    #   102: 1008 health with 卫生保健培训 ok, 1010 no certificate no
    #        (1007 ended 2025-05-31; 1009 at institution 5, not counted)   -> 1 / 2 = 0.5
    #   city: 4 / 7
    t101, t102, t103 = (report.townships[t]["certified_share"] for t in (101, 102, 103))
    city = report.city["certified_share"]
    assert (t101.numerator, t101.denominator, t101.value, t101.met) == (3, 5, 0.6, False)
    assert (t102.numerator, t102.denominator, t102.value, t102.met) == (1, 2, 0.5, False)
    assert (t103.numerator, t103.denominator, t103.value, t103.met) == (0, 0, None, None)
    assert (city.numerator, city.denominator) == (4, 7)
    assert city.value == pytest.approx(4 / 7)
    assert city.record_kind == "employment" and city.target == 0.90
    assert ids(t101) == ([1001, 1002, 1006], [1001, 1002, 1003, 1004, 1006])
    assert ids(city) == ([1001, 1002, 1006, 1008], [1001, 1002, 1003, 1004, 1006, 1008, 1010])


def test_catalog_published(report: IndicatorReport) -> None:
    # 2 published items >= 1 -> 1 / 1 = 1, target 1, met; the same in every township.
    for figure in [
        report.city["catalog_published"],
        *(f["catalog_published"] for f in report.townships.values()),
    ]:
        assert (figure.numerator, figure.denominator, figure.value, figure.target, figure.met) == (
            1,
            1,
            1,
            1,
            True,
        )
        assert figure.record_kind == "catalog"
        assert ids(figure) == ([], [])


def test_young_infant_share(report: IndicatorReport) -> None:
    # 小月龄 = infant + toddler classes. 101: 12 (10) + 21 (10) = 20 / 55;  102: 31 (15) / 40
    # city: 35 / 95. No target.
    t101, t102 = report.townships[101]["young_infant_share"], report.townships[102]["young_infant_share"]
    city = report.city["young_infant_share"]
    assert (t101.numerator, t101.denominator) == (20, 55)
    assert t101.value == pytest.approx(20 / 55)
    assert (t102.numerator, t102.denominator, t102.value) == (15, 40, 0.375)
    assert city.value == pytest.approx(35 / 95)
    assert (city.target, city.met) == (None, None)
    assert ids(t101) == ([12, 21], [11, 12, 21, 22])


def test_young_infant_slots_per_1000(report: IndicatorReport) -> None:
    # 101: 20 / 120 * 1000 = 166.67;  102: 15 / 50 * 1000 = 300;  103: 0 / 30 = 0;
    # city: 35 / 200 * 1000 = 175. No target.
    t101, t102, t103 = (report.townships[t]["young_infant_slots_per_1000"] for t in (101, 102, 103))
    city = report.city["young_infant_slots_per_1000"]
    assert t101.value == pytest.approx(20 / 120 * 1000)
    assert (t102.numerator, t102.denominator, t102.value) == (15, 50, 300)
    assert (t103.value, t103.met) == (0, None)
    assert (city.numerator, city.denominator, city.value, city.target, city.met) == (35, 200, 175, None, None)


def test_slots_per_1000_population(report: IndicatorReport) -> None:
    # 101: 55 / 20000 * 1000 = 2.75 (< 4.5);  102: 40 / 8000 * 1000 = 5.0 (met);
    # 103: 0 / 5000 = 0;  city: 95 / 33000 * 1000 = 2.879 (not met)
    t101, t102, t103 = (report.townships[t]["slots_per_1000_population"] for t in (101, 102, 103))
    city = report.city["slots_per_1000_population"]
    assert (t101.value, t101.met) == (pytest.approx(2.75), False)
    assert (t102.value, t102.met) == (pytest.approx(5.0), True)
    assert (t103.value, t103.met) == (0, False)
    assert (city.numerator, city.denominator, city.target) == (95, 33_000, 4.5)
    assert city.value == pytest.approx(95 / 33)
    assert ids(city)[1] == [11, 12, 21, 22, 31, 32, 41]


def test_figure_as_dict_returns_plain_python_values(report: IndicatorReport) -> None:
    as_dict = figure_as_dict(report.townships[101]["slots_per_1000"])
    assert as_dict == {"numerator": 55.0, "denominator": 200.0, "value": 275.0, "target": 280.0, "met": False}
    assert [type(v) for v in as_dict.values()] == [float, float, float, float, bool]
    empty = figure_as_dict(report.townships[103]["kindergarten_share"])
    assert empty == {"numerator": 0.0, "denominator": 0.0, "value": None, "target": 0.65, "met": None}
    assert figure_as_dict(report.city["young_infant_share"])["target"] is None


def test_id_arrays_are_read_only(report: IndicatorReport) -> None:
    figure = report.townships[101]["slots_per_1000"]
    with pytest.raises(ValueError):
        figure.counted_ids[0] = 99


# --------------------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------------------


def one_town(*institutions: Inst, under_3: float = 100) -> list[Town]:
    return [Town(1, under_3=under_3, under_2=under_3 / 2, population=under_3 * 100)]


def test_a_township_with_no_children_has_no_slots_per_1000_value() -> None:
    snapshot = build_snapshot(
        [Town(1, under_3=0, under_2=0, population=0), Town(2, under_3=100)],
        [Inst(1, 1), Inst(2, 2)],
        [Cls(1, 1, slots=10), Cls(2, 2, slots=30)],
    )
    report = compute(snapshot)
    empty = report.townships[1]["slots_per_1000"]
    assert (empty.numerator, empty.denominator, empty.value, empty.met) == (10, 0, None, None)
    assert report.townships[1]["young_infant_slots_per_1000"].value is None
    assert report.townships[1]["slots_per_1000_population"].met is None
    # The city still has children: (10 + 30) / 100 * 1000 = 400
    assert report.city["slots_per_1000"].value == 400


def test_a_township_absent_from_every_table_still_gets_zero_or_none_figures() -> None:
    report = compute(build_snapshot([Town(7, under_3=10, under_2=5, population=1000)]))
    figures = report.townships[7]
    assert figures["slots_per_1000"].value == 0
    assert figures["puhui_share"].value is None
    assert figures["fee_ratio"].value is None
    assert figures["certified_share"].value is None
    assert figures["catalog_published"].value == 1


def test_no_puhui_institution_gives_a_zero_puhui_share_and_no_fee_ratio() -> None:
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1, public=False)],
        [Cls(1, 1, slots=20)],
        fees=[FeeRow(1, "older", 1000)],
    )
    report = compute(snapshot)
    puhui = report.city["puhui_share"]
    assert (puhui.numerator, puhui.denominator, puhui.value, puhui.met) == (0, 20, 0, False)
    fee = report.city["fee_ratio"]
    assert (fee.value, fee.met) == (None, None)
    assert ids(fee) == ([], [])


def test_a_designation_counts_up_to_and_including_its_valid_to_day_and_not_after() -> None:
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1), Inst(2, 1, public=True)],
        [Cls(1, 1, slots=30), Cls(2, 2, slots=10)],
        designations=[Desig(1, "2024-09-01", "2025-06-30")],
    )
    # Up to 2025-06-30: 30 + 10 = 40 of 40 slots are 普惠; from 2025-07-01 only 10 of 40.
    assert compute(snapshot, dt.date(2024, 8, 31)).city["puhui_share"].value == 0.25
    assert compute(snapshot, dt.date(2024, 9, 1)).city["puhui_share"].value == 1.0
    assert compute(snapshot, dt.date(2025, 6, 30)).city["puhui_share"].value == 1.0
    assert compute(snapshot, dt.date(2025, 7, 1)).city["puhui_share"].value == 0.25
    assert compute(snapshot, dt.date(2025, 7, 1)).city["fee_ratio"].considered_ids.tolist() == [2]


def test_a_designation_of_an_unknown_institution_is_ignored() -> None:
    snapshot = build_snapshot(one_town(), [Inst(1, 1)], [Cls(1, 1)], designations=[Desig(99)])
    assert compute(snapshot).city["puhui_share"].value == 0


def test_a_certificate_qualifies_on_its_expiry_day_and_not_after() -> None:
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1, filed="2020-01-01")],
        employments=[Emp(1, staff=10, inst=1)],
        certificates=[Cert(10, "baoyushi", "2023-01-01", "2025-06-30")],
    )
    assert compute(snapshot, dt.date(2022, 12, 31)).city["certified_share"].value == 0
    assert compute(snapshot, dt.date(2023, 1, 1)).city["certified_share"].value == 1
    assert compute(snapshot, dt.date(2025, 6, 30)).city["certified_share"].value == 1
    after = compute(snapshot, dt.date(2025, 7, 1)).city["certified_share"]
    assert (after.numerator, after.denominator, after.value) == (0, 1, 0)


def test_a_certificate_of_a_type_that_does_not_qualify_for_the_role_does_not_count() -> None:
    # A caregiver with a 卫生保健培训 certificate and a 健康证; a health worker with a 保育师.
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1)],
        employments=[Emp(1, staff=10, inst=1, role="caregiver"), Emp(2, staff=20, inst=1, role="health")],
        certificates=[Cert(10, "health_care_training"), Cert(10, "health"), Cert(20, "baoyushi")],
    )
    figure = compute(snapshot).city["certified_share"]
    assert (figure.numerator, figure.denominator) == (0, 2)


def test_a_health_staff_member_is_certified_only_by_health_care_training() -> None:
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1)],
        employments=[
            Emp(1, staff=10, inst=1, role="health"),
            Emp(2, staff=20, inst=1, role="health"),
            Emp(3, staff=30, inst=1, role="health"),
        ],
        certificates=[
            Cert(10, "health_care_training"),
            Cert(20, "teacher_qualification"),
            Cert(20, "childcare_1x"),
            Cert(30, "health"),
        ],
    )
    figure = compute(snapshot).city["certified_share"]
    # Only staff 10: 1 / 3
    assert ids(figure) == ([1], [1, 2, 3])


def test_a_staff_member_working_in_two_townships_counts_once_in_each() -> None:
    snapshot = build_snapshot(
        [Town(1, 10), Town(2, 10)],
        [Inst(1, 1), Inst(2, 2)],
        employments=[Emp(1, staff=10, inst=1), Emp(2, staff=10, inst=2), Emp(3, staff=20, inst=2)],
        certificates=[Cert(10, "childcare_1x")],
    )
    report = compute(snapshot)
    assert (
        report.townships[1]["certified_share"].numerator,
        report.townships[1]["certified_share"].denominator,
    ) == (
        1,
        1,
    )
    assert report.townships[2]["certified_share"].value == 0.5
    assert (report.city["certified_share"].numerator, report.city["certified_share"].denominator) == (2, 3)


def test_posts_outside_their_dates_or_in_roles_not_counted_are_left_out() -> None:
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1)],
        employments=[
            Emp(1, staff=1, inst=1, start="2025-07-01"),  # starts after the date
            Emp(2, staff=2, inst=1, end="2025-06-29"),  # ended before
            Emp(3, staff=3, inst=1, end="2025-06-30"),  # last day: counted
            Emp(4, staff=4, inst=1, role="support"),
            Emp(5, staff=5, inst=1, role="director"),
        ],
    )
    assert ids(compute(snapshot).city["certified_share"]) == ([], [3])


def test_certification_rules_are_configuration() -> None:
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1)],
        employments=[Emp(1, staff=1, inst=1, role="director"), Emp(2, staff=2, inst=1, role="caregiver")],
        certificates=[Cert(1, "health"), Cert(2, "baoyushi")],
    )
    rules = CertificationRules(qualifying={"director": frozenset({"health"})})
    assert ids(compute(snapshot, certification=rules).city["certified_share"]) == ([1], [1])


def test_certification_rules_naming_an_unknown_role_or_certificate_raise() -> None:
    snapshot = build_snapshot(one_town())
    with pytest.raises(ValueError, match="unknown code 'janitor'"):
        compute(snapshot, certification=CertificationRules(qualifying={"janitor": frozenset()}))
    with pytest.raises(ValueError, match="unknown code 'diploma'"):
        compute(snapshot, certification=CertificationRules(qualifying={"caregiver": frozenset({"diploma"})}))


def test_an_institution_filed_after_the_as_of_date_is_not_counted_until_filed() -> None:
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1, filed="2025-07-01"), Inst(2, 1, filed=None)],
        [Cls(1, 1, slots=10), Cls(2, 2, slots=10)],
        employments=[Emp(1, 1, 1)],
    )
    before = compute(snapshot, dt.date(2025, 6, 30)).city
    assert (before["slots_per_1000"].numerator, before["certified_share"].denominator) == (0, 0)
    on_the_day = compute(snapshot, dt.date(2025, 7, 1)).city
    # Institution 2 was never filed: only institution 1's 10 slots, ever.
    assert (on_the_day["slots_per_1000"].numerator, on_the_day["certified_share"].denominator) == (10, 1)


def test_an_institution_not_yet_opened_is_not_counted() -> None:
    snapshot = build_snapshot(one_town(), [Inst(1, 1, opened="2025-09-01")], [Cls(1, 1, slots=10)])
    assert compute(snapshot, dt.date(2025, 8, 31)).city["slots_per_1000"].numerator == 0
    assert compute(snapshot, dt.date(2025, 9, 1)).city["slots_per_1000"].numerator == 10


def test_a_closed_institution_counts_until_the_day_before_its_closed_on_date() -> None:
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1, public=True, closed="2025-06-30")],
        [Cls(1, 1, slots=10)],
        fees=[FeeRow(1, "older", 1000)],
        employments=[Emp(1, 1, 1)],
    )
    last_day = compute(snapshot, dt.date(2025, 6, 29)).city
    assert last_day["slots_per_1000"].numerator == 10
    assert last_day["fee_ratio"].considered_ids.tolist() == [1]
    assert last_day["certified_share"].denominator == 1
    closed = compute(snapshot, dt.date(2025, 6, 30)).city
    assert closed["slots_per_1000"].numerator == 0
    assert closed["fee_ratio"].considered_ids.tolist() == []
    assert closed["certified_share"].denominator == 0


def test_a_revoked_filing_counts_on_the_days_it_covered_and_not_from_its_end() -> None:
    # Filed 2024-01-01, revoked from 2025-03-01: 10 slots on 2025-02-28, none on 2025-03-01.
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1, filed="2024-01-01", filing_ended="2025-03-01"), Inst(2, 1)],
        [Cls(1, 1, slots=10), Cls(2, 2, slots=4)],
        employments=[Emp(1, 1, 1), Emp(2, 2, 2)],
    )
    covered = compute(snapshot, dt.date(2025, 2, 28)).city
    assert (covered["slots_per_1000"].numerator, covered["certified_share"].denominator) == (14, 2)
    revoked = compute(snapshot, dt.date(2025, 3, 1)).city
    assert (revoked["slots_per_1000"].numerator, revoked["certified_share"].denominator) == (4, 1)


def test_a_closed_class_counts_until_the_day_before_its_closed_on_date_and_an_unopened_one_not_yet() -> None:
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1)],
        [Cls(1, 1, slots=10, closed="2025-06-30"), Cls(2, 1, slots=5, opened="2025-06-30")],
    )
    assert ids(compute(snapshot, dt.date(2025, 6, 29)).city["slots_per_1000"]) == ([1], [1])
    assert ids(compute(snapshot, dt.date(2025, 6, 30)).city["slots_per_1000"]) == ([2], [2])


def test_the_fee_row_in_force_on_the_date_is_used() -> None:
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1, public=True, filed="2020-01-01")],
        [Cls(1, 1, "older", 10)],
        fees=[
            FeeRow(1, "older", 1000, "2024-01-01", "2024-12-31"),
            FeeRow(1, "older", 1200, "2025-01-01", None),
            FeeRow(1, "toddler", 9999),  # another class type: never used
        ],
    )
    # income 60000 / 12 = 5000
    assert compute(snapshot, dt.date(2024, 12, 31)).city["fee_ratio"].value == pytest.approx(1000 / 5000)
    assert compute(snapshot, dt.date(2025, 1, 1)).city["fee_ratio"].value == pytest.approx(1200 / 5000)
    before = compute(snapshot, dt.date(2023, 12, 31)).city["fee_ratio"]
    assert (before.value, ids(before)) == (None, ([], [1]))


def test_of_two_overlapping_fee_rows_the_later_effective_from_wins_whatever_the_row_order() -> None:
    rows = [
        FeeRow(1, "older", 1500, "2025-03-01"),
        FeeRow(1, "older", 1000, None),
        FeeRow(1, "older", 1100, "2024-01-01"),
    ]
    for order in (rows, rows[::-1]):
        snapshot = build_snapshot(one_town(), [Inst(1, 1, public=True)], [Cls(1, 1, "older", 10)], fees=order)
        assert compute(snapshot).city["fee_ratio"].numerator == 1500


def test_an_institution_fee_is_slot_weighted_and_classes_without_fee_are_left_out() -> None:
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1, public=True), Inst(2, 1, public=True)],
        [Cls(1, 1, "infant", 6), Cls(2, 1, "older", 18), Cls(3, 1, "mixed", 10), Cls(4, 2, "older", 0)],
        fees=[FeeRow(1, "infant", 2400), FeeRow(1, "older", 1600), FeeRow(2, "older", 5000)],
    )
    # (2400 * 6 + 1600 * 18) / 24 = (14400 + 28800) / 24 = 1800; the mixed class has no fee;
    # institution 2's only class has 0 slots: it weighs nothing and contributes nothing.
    figure = compute(snapshot).city["fee_ratio"]
    assert figure.numerator == 1800
    assert figure.value == pytest.approx(1800 / 5000)
    assert ids(figure) == ([1], [1, 2])


def test_fee_ratio_without_income_has_no_value() -> None:
    snapshot = build_snapshot(
        one_town(), [Inst(1, 1, public=True)], [Cls(1, 1)], fees=[FeeRow(1, "older", 1000)], income=None
    )
    figure = compute(snapshot).city["fee_ratio"]
    assert (figure.numerator, figure.denominator, figure.value, figure.met) == (1000, 0, None, None)
    assert ids(figure) == ([1], [1])


def test_catalog_with_no_items_is_not_published_and_one_item_is() -> None:
    none = compute(build_snapshot(one_town(), catalog_items=0)).city["catalog_published"]
    assert (none.numerator, none.denominator, none.value, none.met) == (0, 1, 0, False)
    one = compute(build_snapshot(one_town(), catalog_items=1)).townships[1]["catalog_published"]
    assert (one.numerator, one.value, one.met) == (1, 1, True)


def test_catalog_without_a_requirement_has_no_target() -> None:
    figure = compute(
        build_snapshot(one_town(), catalog_items=0), targets=Targets(catalog_required=False)
    ).city["catalog_published"]
    assert (figure.value, figure.target, figure.met) == (0, None, None)


@pytest.mark.parametrize(
    ("slots", "met"),
    [(28, True), (27.9, False), (29, True)],
)
def test_slots_per_1000_is_met_exactly_at_the_target(slots: float, met: bool) -> None:
    # slots / 100 children * 1000: 28 -> 280 (met), 27.9 -> 279 (not met)
    snapshot = build_snapshot(one_town(under_3=100), [Inst(1, 1)], [Cls(1, 1, slots=slots)])
    assert compute(snapshot).city["slots_per_1000"].met is met


@pytest.mark.parametrize(
    ("puhui_slots", "met"),
    [(90, True), (89, False)],
)
def test_puhui_share_is_met_exactly_at_90_percent(puhui_slots: int, met: bool) -> None:
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1, public=True), Inst(2, 1)],
        [Cls(1, 1, slots=puhui_slots), Cls(2, 2, slots=100 - puhui_slots)],
    )
    assert compute(snapshot).city["puhui_share"].met is met


@pytest.mark.parametrize(
    ("fee", "met"),
    [(1500, True), (1499, True), (1501, False)],
)
def test_fee_ratio_is_met_at_exactly_30_percent_of_monthly_income(fee: float, met: bool) -> None:
    # 60000 / 12 = 5000; 1500 / 5000 = 0.30 exactly at the maximum
    snapshot = build_snapshot(
        one_town(), [Inst(1, 1, public=True)], [Cls(1, 1)], fees=[FeeRow(1, "older", fee)]
    )
    assert compute(snapshot).city["fee_ratio"].met is met


def test_targets_are_configuration() -> None:
    snapshot = build_snapshot(one_town(under_3=100), [Inst(1, 1)], [Cls(1, 1, slots=20)])
    # 20 / 100 * 1000 = 200: not met at 280, met at 200
    assert compute(snapshot).city["slots_per_1000"].met is False
    relaxed = compute(snapshot, targets=Targets(slots_per_1000_min=200)).city["slots_per_1000"]
    assert (relaxed.target, relaxed.met) == (200, True)


def test_rows_pointing_at_unknown_townships_or_institutions_are_ignored() -> None:
    snapshot = build_snapshot(
        one_town(),
        [Inst(1, 1, public=True), Inst(2, 999, public=True)],  # township 999 is not in the snapshot
        [Cls(1, 1, slots=10), Cls(2, 2, slots=10), Cls(3, 77, slots=10)],  # institution 77 unknown
        fees=[FeeRow(77, "older", 100), FeeRow(2, "older", 100), FeeRow(1, "older", 1000)],
        employments=[Emp(1, 1, 1), Emp(2, 2, 2), Emp(3, 3, 77)],
    )
    city = compute(snapshot).city
    assert ids(city["slots_per_1000"]) == ([1], [1])
    assert city["fee_ratio"].numerator == 1000
    assert ids(city["fee_ratio"]) == ([1], [1])
    assert ids(city["certified_share"]) == ([], [1])


def test_duplicate_township_or_institution_ids_raise() -> None:
    with pytest.raises(ValueError, match="duplicate township ids: \\[1\\]"):
        compute(build_snapshot([Town(1), Town(1)]))
    with pytest.raises(ValueError, match="duplicate institution ids: \\[5\\]"):
        compute(build_snapshot(one_town(), [Inst(5, 1), Inst(5, 1)]))
    # Large, sparse ids take the sorted path; duplicates are caught there too.
    with pytest.raises(ValueError, match="duplicate institution ids"):
        compute(build_snapshot(one_town(), [Inst(10**12, 1), Inst(10**12, 1), Inst(-3, 1)]))


def test_large_and_negative_ids_work() -> None:
    big = 10**15
    snapshot = build_snapshot(
        [Town(-5, under_3=100), Town(big, under_3=100)],
        [Inst(big, -5, public=True), Inst(-1, big)],
        [Cls(big + 1, big, slots=10), Cls(-7, -1, slots=30)],
        fees=[FeeRow(big, "older", 1000)],
    )
    report = compute(snapshot)
    assert ids(report.townships[-5]["puhui_share"]) == ([big + 1], [big + 1])
    assert report.townships[big]["puhui_share"].value == 0
    assert ids(report.city["slots_per_1000"]) == ([-7, big + 1], [-7, big + 1])
    assert report.city["fee_ratio"].numerator == 1000


def test_arrays_of_unequal_length_or_codes_out_of_range_raise() -> None:
    snapshot = build_snapshot(one_town(), [Inst(1, 1)], [Cls(1, 1)])
    short = dataclasses.replace(snapshot.classes, approved_slots=np.zeros(0))
    with pytest.raises(ValueError, match="classes: arrays of unequal length"):
        compute(dataclasses.replace(snapshot, classes=short))
    bad = dataclasses.replace(snapshot.classes, class_type=np.array([4], dtype=np.int8))
    with pytest.raises(ValueError, match=r"classes\.class_type: codes must be in 0\.\.3"):
        compute(dataclasses.replace(snapshot, classes=bad))


def test_empty_snapshot_and_date_array_build_valid_inputs() -> None:
    snapshot = empty_snapshot([1, 2], children_under_3=[10, 0], annual_income_previous_year=None)
    report = compute(snapshot)
    assert report.townships[1]["slots_per_1000"].value == 0
    assert report.townships[2]["slots_per_1000"].value is None
    assert report.city["catalog_published"].met is False
    assert date_array([dt.date(2025, 1, 2), "2025-01-03", None]).tolist() == [
        dt.date(2025, 1, 2),
        dt.date(2025, 1, 3),
        None,
    ]
    with pytest.raises(ValueError, match="expected 2 population figures"):
        empty_snapshot([1, 2], population=[1.0])


def test_no_townships_at_all_gives_city_figures_without_values() -> None:
    report = compute(empty_snapshot([]))
    assert report.townships == {}
    assert report.city["slots_per_1000"].value is None
    assert report.city["catalog_published"].value == 0
