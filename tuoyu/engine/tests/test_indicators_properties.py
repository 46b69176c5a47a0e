"""Properties of ``compute_indicators`` on random small registries (hypothesis).

Besides the invariants (shares in [0, 1], townships adding up to the city, counted records
among the considered ones, row order not mattering, more 普惠 slots never lowering the
普惠 share) the figures are checked against a slow, loop-per-record reference written
straight from the definitions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuoyu.engine import codes
from tuoyu.engine.indicators import (
    ALL_CODES,
    MET_TOLERANCE,
    CertificationRules,
    Figure,
    IndicatorReport,
    RegistrySnapshot,
    Targets,
    compute_indicators,
)
from tuoyu.engine.tests import Cert, Cls, Desig, Emp, FeeRow, Inst, Town, build_snapshot, permute_rows

PROPERTY_SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SHARES = ("kindergarten_share", "puhui_share", "certified_share", "young_infant_share", "catalog_published")
ADDITIVE = ("slots_per_1000", "kindergarten_share", "puhui_share", "certified_share", "young_infant_share")
UNKNOWN_TOWN = 99
UNKNOWN_INST = 999

AS_OF_DATES = st.dates(dt.date(2024, 1, 1), dt.date(2025, 12, 31))
OFFSETS: dict[str, st.SearchStrategy[int]] = {
    "near": st.integers(-2, 2),  # the day before, the day itself, the day after
    "before": st.integers(-600, -1),
    "after": st.integers(1, 600),
}
# Mostly dates that let a record count, with the boundaries hit often.
START_KINDS = ["none", "none", "before", "before", "near", "after"]
END_KINDS = ["none", "none", "after", "after", "near", "before"]
FILED_KINDS = ["before", "before", "before", "near", "none", "after"]


def dates_around(as_of: dt.date, kinds: list[str]) -> st.SearchStrategy[dt.date | None]:
    """``None`` or ``as_of`` plus some days, the kind of date drawn from ``kinds``."""

    def draw_kind(kind: str) -> st.SearchStrategy[dt.date | None]:
        if kind == "none":
            return st.none()
        return OFFSETS[kind].map(lambda days: as_of + dt.timedelta(days=days))

    return st.sampled_from(kinds).flatmap(draw_kind)


@dataclass(frozen=True)
class City:
    towns: list[Town]
    institutions: list[Inst]
    classes: list[Cls]
    designations: list[Desig]
    fees: list[FeeRow]
    employments: list[Emp]
    certificates: list[Cert]
    income: float | None
    catalog_items: int
    as_of: dt.date

    def snapshot(self) -> RegistrySnapshot:
        return build_snapshot(
            self.towns,
            self.institutions,
            self.classes,
            self.designations,
            self.fees,
            self.employments,
            self.certificates,
            income=self.income,
            catalog_items=self.catalog_items,
        )


@st.composite
def cities(draw: st.DrawFn) -> City:
    as_of = draw(AS_OF_DATES)
    starts = dates_around(as_of, START_KINDS)
    ends = dates_around(as_of, END_KINDS)
    filed = dates_around(as_of, FILED_KINDS)
    town_ids = draw(st.lists(st.integers(1, 6), min_size=1, max_size=4, unique=True))
    counts = st.sampled_from([0.0, 40.0, 100.0, 333.0])
    towns = [Town(t, draw(counts), draw(counts), draw(counts) * 70) for t in town_ids]

    inst_ids = draw(st.lists(st.integers(1, 30), max_size=8, unique=True))
    institutions = [
        Inst(
            i,
            draw(st.sampled_from([*town_ids * 3, UNKNOWN_TOWN])),
            form=draw(st.sampled_from(codes.FORMS)),
            public=draw(st.booleans()),
            filed=draw(filed),
            opened=draw(starts),
            closed=draw(ends),
            filing_ended=draw(ends),
        )
        for i in inst_ids
    ]
    some_inst = st.sampled_from([*inst_ids * 3, UNKNOWN_INST])
    class_types = st.sampled_from(codes.CLASS_TYPES)

    class_ids = draw(st.lists(st.integers(1, 200), max_size=16, unique=True))
    classes = [
        Cls(c, draw(some_inst), draw(class_types), draw(st.integers(0, 30)), draw(starts), draw(ends))
        for c in class_ids
    ]
    designations = draw(st.lists(st.builds(Desig, some_inst, starts, ends), max_size=6))
    fee_amounts = st.integers(0, 4000)
    # Fee rows for the classes drawn (0-2 each, possibly overlapping), then a few at random.
    fees = [
        FeeRow(c.inst, c.type, draw(fee_amounts), draw(starts), draw(ends))
        for c in classes
        for _ in range(draw(st.integers(0, 2)))
    ]
    fees += draw(st.lists(st.builds(FeeRow, some_inst, class_types, fee_amounts, starts, ends), max_size=4))
    staff = st.integers(1, 8)
    employment_ids = draw(st.lists(st.integers(1, 500), max_size=16, unique=True))
    employments = [
        Emp(
            e,
            draw(staff),
            draw(some_inst),
            draw(st.sampled_from(["caregiver", "caregiver", "teacher", "health", "director", "support"])),
            draw(starts),
            draw(ends),
        )
        for e in employment_ids
    ]
    cert_types = st.sampled_from(codes.CERTIFICATE_TYPES)
    # Certificates of the staff employed (0-2 each), then a few at random.
    certificates = [
        Cert(e.staff, draw(cert_types), draw(starts), draw(ends))
        for e in employments
        for _ in range(draw(st.integers(0, 2)))
    ]
    certificates += draw(st.lists(st.builds(Cert, staff, cert_types, starts, ends), max_size=4))
    return City(
        towns=towns,
        institutions=institutions,
        classes=classes,
        designations=designations,
        fees=fees,
        employments=employments,
        certificates=certificates,
        income=draw(st.sampled_from([None, 0.0, 48_000.0, 60_000.0, 60_000.0, 60_000.0])),
        catalog_items=draw(st.integers(0, 2)),
        as_of=as_of,
    )


def compute(city: City, snapshot: RegistrySnapshot | None = None) -> IndicatorReport:
    return compute_indicators(
        snapshot if snapshot is not None else city.snapshot(),
        as_of=city.as_of,
        targets=Targets(),
        certification=CertificationRules(),
    )


def areas(report: IndicatorReport) -> list[dict[str, Figure]]:
    return [report.city, *report.townships.values()]


# --------------------------------------------------------------------------------------
# A slow reference, one record at a time
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    numerator: float
    denominator: float
    value: float | None
    met: bool | None
    counted: list[int]
    considered: list[int]


def reference(city: City) -> dict[object, dict[str, Expected]]:
    """Expected figures per township id and for ``"city"``, straight from the definitions."""
    d = city.as_of
    targets = Targets()
    rules = CertificationRules().qualifying

    def started(start: object) -> bool:
        return start is None or start <= d  # type: ignore[operator]

    def not_ended(end: object) -> bool:
        return end is None or d <= end  # type: ignore[operator]

    def not_closed(closed: object) -> bool:
        return closed is None or d < closed  # type: ignore[operator]

    town_ids = {t.id for t in city.towns}
    counted = {
        i.id: i
        for i in city.institutions
        if i.town in town_ids
        and i.filed is not None
        and i.filed <= d  # type: ignore[operator]
        and started(i.opened)
        and not_closed(i.closed)
        and not_closed(i.filing_ended)
    }
    puhui = {
        i.id
        for i in counted.values()
        if i.public
        or any(x.inst == i.id and started(x.valid_from) and not_ended(x.valid_to) for x in city.designations)
    }
    active = [c for c in city.classes if c.inst in counted and started(c.opened) and not_closed(c.closed)]

    def fee_of(c: Cls) -> float | None:
        rows = [
            f
            for f in city.fees
            if f.inst == c.inst
            and f.type == c.type
            and started(f.effective_from)
            and not_ended(f.effective_to)
        ]
        if not rows:
            return None
        best = max(
            rows, key=lambda f: (f.effective_from or dt.date.min, f.effective_to or dt.date.max, f.full_day)
        )
        return best.full_day

    posts = [
        e
        for e in city.employments
        if e.inst in counted and e.role in rules and started(e.start) and not_ended(e.end)
    ]

    def certified(e: Emp) -> bool:
        return any(
            c.staff == e.staff and c.type in rules[e.role] and started(c.issued) and not_ended(c.expires)
            for c in city.certificates
        )

    def figure(
        num: float, den: float, scale: float, target: float | None, comparison: str
    ) -> tuple[float, float, float | None, bool | None]:
        value = None if den == 0 else num / den * scale
        if value is None or target is None:
            met = None
        elif comparison == "min":
            met = value >= target - MET_TOLERANCE
        else:
            met = value <= target + MET_TOLERANCE
        return num, den, value, met

    result: dict[object, dict[str, Expected]] = {}
    for area in [*town_ids, "city"]:
        towns = [t for t in city.towns if area in ("city", t.id)]
        in_area = {i for i, inst in counted.items() if area in ("city", inst.town)}
        classes = [c for c in active if c.inst in in_area]
        slots = sum(c.slots for c in classes)
        kindergarten = [c for c in classes if counted[c.inst].form == "kindergarten"]
        puhui_classes = [c for c in classes if c.inst in puhui]
        young = [c for c in classes if c.type in codes.YOUNG_INFANT_CLASS_TYPES]
        paid = [(c, fee) for c in puhui_classes if (fee := fee_of(c)) is not None]
        paid_slots = sum(c.slots for c, _ in paid)
        average_fee = sum(fee * c.slots for c, fee in paid) / paid_slots if paid_slots else 0.0
        monthly = 0.0 if city.income is None else city.income / 12
        area_posts = [e for e in posts if e.inst in in_area]
        ok_posts = [e for e in area_posts if certified(e)]
        all_ids = sorted(c.id for c in classes)

        def ids_of(records: list[Cls]) -> list[int]:
            return sorted(c.id for c in records)

        def expect(
            num: float,
            den: float,
            scale: float,
            target: float | None,
            counted_ids: list[int],
            considered_ids: list[int],
            comparison: str = "min",
        ) -> Expected:
            return Expected(*figure(num, den, scale, target, comparison), counted_ids, considered_ids)

        fee_num, fee_den, fee_value, fee_met = figure(average_fee, monthly, 1.0, targets.fee_ratio_max, "max")
        if not paid_slots:
            fee_value, fee_met = None, None
        catalog = 1.0 if city.catalog_items >= 1 else 0.0
        result[area] = {
            "fee_ratio": Expected(
                fee_num,
                fee_den,
                fee_value,
                fee_met,
                sorted({c.inst for c, _ in paid if c.slots > 0}),
                sorted(in_area & puhui),
            ),
            "slots_per_1000": expect(
                slots, sum(t.under_3 for t in towns), 1000, targets.slots_per_1000_min, all_ids, all_ids
            ),
            "kindergarten_share": expect(
                sum(c.slots for c in kindergarten),
                slots,
                1,
                targets.kindergarten_share_min,
                ids_of(kindergarten),
                all_ids,
            ),
            "puhui_share": expect(
                sum(c.slots for c in puhui_classes),
                slots,
                1,
                targets.puhui_share_min,
                ids_of(puhui_classes),
                all_ids,
            ),
            "certified_share": expect(
                len(ok_posts),
                len(area_posts),
                1,
                targets.certified_share_min,
                sorted(e.id for e in ok_posts),
                sorted(e.id for e in area_posts),
            ),
            "catalog_published": expect(catalog, 1, 1, 1.0, [], []),
            "young_infant_share": expect(sum(c.slots for c in young), slots, 1, None, ids_of(young), all_ids),
            "young_infant_slots_per_1000": expect(
                sum(c.slots for c in young), sum(t.under_2 for t in towns), 1000, None, ids_of(young), all_ids
            ),
            "slots_per_1000_population": expect(
                slots,
                sum(t.population for t in towns),
                1000,
                targets.slots_per_1000_population_min,
                all_ids,
                all_ids,
            ),
        }
    return result


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@PROPERTY_SETTINGS
@given(cities())
def test_figures_match_a_record_by_record_reference(city: City) -> None:
    report = compute(city)
    expected = reference(city)
    for area, figures in [("city", report.city), *report.townships.items()]:
        for code in ALL_CODES:
            got, want = figures[code], expected[area][code]
            context = f"{area} {code}: {got} != {want}"
            assert close(got.numerator, want.numerator), context
            assert close(got.denominator, want.denominator), context
            assert close(got.value, want.value), context
            assert got.met == want.met, context
            assert got.counted_ids.tolist() == want.counted, context
            assert got.considered_ids.tolist() == want.considered, context


# --------------------------------------------------------------------------------------
# Invariants
# --------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(cities())
def test_every_share_is_between_0_and_1(city: City) -> None:
    for figures in areas(compute(city)):
        for code in SHARES:
            value = figures[code].value
            assert value is None or 0.0 <= value <= 1.0, (code, value)


@PROPERTY_SETTINGS
@given(cities())
def test_township_numerators_denominators_and_ids_add_up_to_the_city(city: City) -> None:
    report = compute(city)
    for code in ADDITIVE:
        towns = [figures[code] for figures in report.townships.values()]
        city_figure = report.city[code]
        assert np.isclose(sum(f.numerator for f in towns), city_figure.numerator), code
        assert np.isclose(sum(f.denominator for f in towns), city_figure.denominator), code
        for attribute in ("counted_ids", "considered_ids"):
            parts = [getattr(f, attribute) for f in towns]
            assert np.array_equal(
                np.sort(np.concatenate([np.zeros(0, np.int64), *parts])), getattr(city_figure, attribute)
            )


@PROPERTY_SETTINGS
@given(cities())
def test_counted_ids_are_a_subset_of_considered_ids(city: City) -> None:
    for figures in areas(compute(city)):
        for figure in figures.values():
            assert np.isin(figure.counted_ids, figure.considered_ids).all(), figure.code
            assert np.all(np.diff(figure.considered_ids) > 0), figure.code  # sorted, no repeats


@PROPERTY_SETTINGS
@given(cities(), st.integers(0, 2**32 - 1))
def test_results_do_not_depend_on_the_row_order_of_the_inputs(city: City, seed: int) -> None:
    snapshot = city.snapshot()
    original = compute(city, snapshot)
    shuffled = compute(city, permute_rows(snapshot, np.random.default_rng(seed)))
    assert sorted(original.townships) == sorted(shuffled.townships)
    pairs = [(original.city, shuffled.city)] + [
        (original.townships[t], shuffled.townships[t]) for t in original.townships
    ]
    for a, b in pairs:
        for code in ALL_CODES:
            x, y = a[code], b[code]
            assert close(x.numerator, y.numerator) and close(x.denominator, y.denominator), code
            assert close(x.value, y.value) and x.met == y.met, code
            assert np.array_equal(x.counted_ids, y.counted_ids), code
            assert np.array_equal(x.considered_ids, y.considered_ids), code


def with_a_puhui_class(city: City, slots: int) -> City:
    """The city plus a 公办 institution filed on the as-of date, with one active class, so
    that there is always a counted 普惠 institution and an active 普惠 class to pick."""
    institution = Inst(31, city.towns[0].id, public=True, filed=city.as_of)
    return dataclasses.replace(
        city,
        institutions=[*city.institutions, institution],
        classes=[*city.classes, Cls(201, 31, slots=slots)],
    )


def assert_not_lower(before: Figure, after: Figure) -> None:
    if before.value is None:
        assert after.value == 1.0
    else:
        assert after.value is not None
        assert after.value >= before.value - 1e-12


@PROPERTY_SETTINGS
@given(cities(), st.data())
def test_a_new_class_in_a_counted_puhui_institution_never_lowers_the_puhui_share(
    city: City, data: st.DataObject
) -> None:
    city = with_a_puhui_class(city, data.draw(st.integers(0, 30)))
    before = compute(city)
    candidates = before.city["fee_ratio"].considered_ids.tolist()  # counted 普惠 institutions
    new_class = Cls(
        id=max(c.id for c in city.classes) + 1,
        inst=data.draw(st.sampled_from(candidates)),
        type=data.draw(st.sampled_from(codes.CLASS_TYPES)),
        slots=data.draw(st.integers(1, 30)),
    )
    after = compute(dataclasses.replace(city, classes=[*city.classes, new_class]))
    assert_not_lower(before.city["puhui_share"], after.city["puhui_share"])


@PROPERTY_SETTINGS
@given(cities(), st.data())
def test_more_approved_slots_in_a_puhui_class_never_lower_the_puhui_share(
    city: City, data: st.DataObject
) -> None:
    city = with_a_puhui_class(city, data.draw(st.integers(0, 30)))
    before = compute(city)
    candidates = before.city["puhui_share"].counted_ids.tolist()  # active classes of 普惠 institutions
    chosen = data.draw(st.sampled_from(candidates))
    extra = data.draw(st.integers(1, 30))
    classes = [dataclasses.replace(c, slots=c.slots + extra) if c.id == chosen else c for c in city.classes]
    after = compute(dataclasses.replace(city, classes=classes))
    assert_not_lower(before.city["puhui_share"], after.city["puhui_share"])
