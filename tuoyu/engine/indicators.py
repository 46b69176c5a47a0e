"""The 2025 childcare targets, computed for the city and every township.

Pure Python + numpy: no Django. The Django side (``tuoyu.indicators.loader``) turns the
registry into a :class:`RegistrySnapshot` with one query per table; this module does
every date check and every sum, vectorised, so the definitions live in one place.

Date conventions (all arrays are ``datetime64[D]``; ``NaT`` means "open-ended"):

* a start date (``filed_on``, ``opened_on``, ``valid_from``, ``effective_from``,
  ``start``, ``issued_on``) is the first day something holds; ``NaT`` in ``filed_on``
  means never filed, elsewhere it means "since always";
* ``closed_on`` is the first day an institution or class no longer operates, and
  ``filing_ended_on`` the first day an institution's filing no longer holds;
* every other end date (``valid_to``, ``effective_to``, ``end``, ``expires_on``) is the
  last day something still holds (inclusive).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

import numpy as np
import numpy.typing as npt

from tuoyu.engine import codes

IntArray = npt.NDArray[np.int64]
SmallIntArray = npt.NDArray[np.int8]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
DateArray = npt.NDArray[np.datetime64]


@dataclass(frozen=True)
class Townships:
    """Township ids with the population figures for the year of the as-of date."""

    ids: IntArray
    children_under_3: FloatArray
    children_under_2: FloatArray
    population: FloatArray


@dataclass(frozen=True)
class Institutions:
    ids: IntArray
    township_ids: IntArray
    form: SmallIntArray  # index into codes.FORMS
    public: BoolArray  # 公办 institutions are 普惠 by definition
    filed_on: DateArray  # NaT: never filed
    opened_on: DateArray
    closed_on: DateArray
    # First day the filing no longer holds (revoked); NaT, or None for the whole table,
    # when it still holds. A revoked filing still counts on the days it covered.
    filing_ended_on: DateArray | None = None


@dataclass(frozen=True)
class Designations:
    """普惠 designations of 民办 institutions."""

    institution_ids: IntArray
    valid_from: DateArray
    valid_to: DateArray


@dataclass(frozen=True)
class Classes:
    ids: IntArray
    institution_ids: IntArray
    class_type: SmallIntArray  # index into codes.CLASS_TYPES
    approved_slots: FloatArray
    opened_on: DateArray
    closed_on: DateArray


@dataclass(frozen=True)
class Fees:
    institution_ids: IntArray
    class_type: SmallIntArray
    full_day: FloatArray  # CNY per month
    effective_from: DateArray
    effective_to: DateArray


@dataclass(frozen=True)
class Employments:
    ids: IntArray
    staff_ids: IntArray
    institution_ids: IntArray
    role: SmallIntArray  # index into codes.STAFF_ROLES
    start: DateArray
    end: DateArray


@dataclass(frozen=True)
class Certificates:
    staff_ids: IntArray
    cert_type: SmallIntArray  # index into codes.CERTIFICATE_TYPES
    issued_on: DateArray
    expires_on: DateArray


@dataclass(frozen=True)
class Targets:
    """One year's target set. Defaults are the 2025 values of the Linhai draft plan."""

    fee_ratio_max: float = 0.30
    slots_per_1000_min: float = 280.0
    kindergarten_share_min: float = 0.65
    puhui_share_min: float = 0.90
    certified_share_min: float = 0.90
    catalog_required: bool = True
    slots_per_1000_population_min: float = 4.5  # national figure, shown as context


@dataclass(frozen=True)
class CertificationRules:
    """Which roles count as childcare staff, and which certificates qualify each."""

    qualifying: dict[str, frozenset[str]] = field(
        default_factory=lambda: {
            "caregiver": frozenset({"baoyushi", "yuyingyuan", "childcare_1x", "teacher_qualification"}),
            "teacher": frozenset({"baoyushi", "yuyingyuan", "childcare_1x", "teacher_qualification"}),
            "health": frozenset({"health_care_training"}),
        }
    )


@dataclass(frozen=True)
class RegistrySnapshot:
    townships: Townships
    institutions: Institutions
    designations: Designations
    classes: Classes
    fees: Fees
    employments: Employments
    certificates: Certificates
    annual_income_previous_year: float | None  # 全体城乡居民人均可支配收入, CNY per year
    catalog_items_published: int  # items of the catalog published on the as-of date


@dataclass(frozen=True)
class Figure:
    """One indicator for one area on one date.

    ``value`` is ``None`` when the denominator is zero (e.g. a township with no children);
    ``met`` is ``None`` when there is no value or no target.
    ``record_kind`` names what ``counted_ids`` and ``considered_ids`` hold: ``"class"``,
    ``"institution"``, ``"employment"`` or ``"catalog"``. ``considered_ids`` are the
    records in the denominator (or, where the denominator is not a count of records, the
    records the figure looked at); ``counted_ids`` those in the numerator.
    """

    code: str
    numerator: float
    denominator: float
    value: float | None
    target: float | None
    comparison: str  # "max" (value <= target), "min" (value >= target)
    met: bool | None
    record_kind: str
    counted_ids: IntArray
    considered_ids: IntArray


@dataclass(frozen=True)
class IndicatorReport:
    as_of: dt.date
    city: dict[str, Figure]
    townships: dict[int, dict[str, Figure]]  # township id -> code -> figure


# --------------------------------------------------------------------------------------
# Computation
# --------------------------------------------------------------------------------------

ALL_CODES: tuple[str, ...] = codes.INDICATOR_CODES + codes.MONITORED_CODES
"""Every code :func:`compute_indicators` returns, in dashboard order."""

MET_TOLERANCE = 1e-12
"""Slack allowed when comparing a value with its target (floating-point noise only)."""

_N_CLASS_TYPES = len(codes.CLASS_TYPES)
_KINDERGARTEN = codes.code_index(codes.FORMS, "kindergarten")
_YOUNG_INFANT = np.array([codes.code_index(codes.CLASS_TYPES, t) for t in codes.YOUNG_INFANT_CLASS_TYPES])
_INT64_MAX = np.iinfo(np.int64).max


def compute_indicators(
    snapshot: RegistrySnapshot,
    *,
    as_of: dt.date,
    targets: Targets,
    certification: CertificationRules,
) -> IndicatorReport:
    """Every indicator of :data:`ALL_CODES` for the city and each township on ``as_of``.

    Each township in ``snapshot.townships.ids`` gets a full set of figures, also when it
    has no institution; the city's figures cover exactly those townships.

    Rows that cannot be placed are ignored: an institution whose township is not in
    ``snapshot.townships``, and a designation, class, fee or employment whose institution
    is not in ``snapshot.institutions``. So township numerators and denominators always
    add up to the city's. Duplicate township or institution ids, arrays of unequal length
    within one table, codes out of range and unknown role or certificate names in
    ``certification`` raise :class:`ValueError`.

    ``fee_ratio`` has numerator 0 when no 普惠 slot has a fee in force, and denominator 0
    when the income is unknown; its value is ``None`` in both cases. Id arrays in the
    figures are sorted ascending and read-only; figures may share them. ``townships`` keeps
    the order of ``snapshot.townships.ids``.
    """
    day = np.datetime64(as_of, "D")
    _check_snapshot(snapshot)

    tw = snapshot.townships
    town_ids = np.asarray(tw.ids, dtype=np.int64)
    n_towns = town_ids.size
    town_index = _IdIndex(town_ids, "township")

    # Institutions: where they are, which are counted on the day, which are 普惠.
    inst = snapshot.institutions
    inst_ids = np.asarray(inst.ids, dtype=np.int64)
    inst_index = _IdIndex(inst_ids, "institution")
    inst_town = town_index.find(np.asarray(inst.township_ids, dtype=np.int64))
    filed_on = _days(inst.filed_on)
    counted = (
        (inst_town >= 0)
        & ~np.isnat(filed_on)
        & (filed_on <= day)
        & _started(inst.opened_on, day)
        & _not_closed(inst.closed_on, day)
    )
    if inst.filing_ended_on is not None:
        counted &= _not_closed(inst.filing_ended_on, day)
    des = snapshot.designations
    des_inst = inst_index.find(np.asarray(des.institution_ids, dtype=np.int64))
    des_valid = (des_inst >= 0) & _started(des.valid_from, day) & _not_ended(des.valid_to, day)
    puhui = np.asarray(inst.public, dtype=np.bool_).copy()
    puhui[des_inst[des_valid]] = True
    counted_puhui = counted & puhui
    # One extra element at the end, so that row -1 (unknown institution) reads "not counted".
    counted_pad = np.append(counted, False)

    # Active classes and their slots.
    cls = snapshot.classes
    cls_inst = inst_index.find(np.asarray(cls.institution_ids, dtype=np.int64))
    active = counted_pad[cls_inst] & _started(cls.opened_on, day) & _not_closed(cls.closed_on, day)
    a_rows = np.flatnonzero(active)
    a_inst = cls_inst[a_rows]
    a_town = inst_town[a_inst]
    a_type = np.asarray(cls.class_type, dtype=np.int64)[a_rows]
    a_slots = np.asarray(cls.approved_slots, dtype=np.float64)[a_rows]
    a_kindergarten = np.asarray(inst.form, dtype=np.int64)[a_inst] == _KINDERGARTEN
    a_puhui = puhui[a_inst]
    a_young = np.isin(a_type, _YOUNG_INFANT)

    def town_sum(town: IntArray, weights: FloatArray | None = None) -> FloatArray:
        """Per-township sums with the city total appended (length n_towns + 1)."""
        sums = np.bincount(town, weights=weights, minlength=n_towns).astype(np.float64)
        return np.append(sums, sums.sum())

    slots = town_sum(a_town, a_slots)
    kindergarten_slots = town_sum(a_town, np.where(a_kindergarten, a_slots, 0.0))
    puhui_slots = town_sum(a_town, np.where(a_puhui, a_slots, 0.0))
    young_slots = town_sum(a_town, np.where(a_young, a_slots, 0.0))
    children_3 = _with_total(np.asarray(tw.children_under_3, dtype=np.float64))
    children_2 = _with_total(np.asarray(tw.children_under_2, dtype=np.float64))
    population = _with_total(np.asarray(tw.population, dtype=np.float64))

    classes = _Grouper(a_town, np.asarray(cls.ids, dtype=np.int64)[a_rows], n_towns)
    active_ids = classes.split()
    kindergarten_ids = classes.split(a_kindergarten)
    puhui_ids = classes.split(a_puhui)
    young_ids = classes.split(a_young)

    # Fees: slot-weighted full-day fee over the active classes of 普惠 institutions.
    class_fee, has_fee = _fees_in_force(snapshot.fees, inst_index, a_inst, a_type, day)
    fee_weight = np.where(a_puhui & has_fee, a_slots, 0.0)
    weighted_fee = town_sum(a_town, fee_weight * class_fee)
    fee_slots = town_sum(a_town, fee_weight)
    average_fee, fee_defined = _ratio(weighted_fee, fee_slots)
    income = snapshot.annual_income_previous_year
    monthly_income = np.full(n_towns + 1, 0.0 if income is None else float(income) / 12.0)
    fee_value, income_defined = _ratio(average_fee, monthly_income)
    contributed = np.zeros(inst_ids.size, dtype=np.bool_)
    contributed[a_inst[fee_weight > 0]] = True
    puhui_institutions = _Grouper(inst_town[counted_puhui], inst_ids[counted_puhui], n_towns)
    fee_considered_ids = puhui_institutions.split()
    fee_counted_ids = puhui_institutions.split(contributed[counted_puhui])

    # Staff certification, one unit per active post at a counted institution.
    emp = snapshot.employments
    role_counts, role_bits = _qualifying_bits(certification)
    emp_inst = inst_index.find(np.asarray(emp.institution_ids, dtype=np.int64))
    emp_role = np.asarray(emp.role, dtype=np.int64)
    posts = counted_pad[emp_inst] & role_counts[emp_role] & _started(emp.start, day)
    posts &= _not_ended(emp.end, day)
    p_rows = np.flatnonzero(posts)
    p_town = inst_town[emp_inst[p_rows]]
    p_certified = _certified(
        snapshot.certificates,
        np.asarray(emp.staff_ids, dtype=np.int64)[p_rows],
        role_bits[emp_role[p_rows]],
        day,
    )
    certified_posts = town_sum(p_town[p_certified])
    all_posts = town_sum(p_town)
    employments = _Grouper(p_town, np.asarray(emp.ids, dtype=np.int64)[p_rows], n_towns)
    post_ids = employments.split()
    certified_ids = employments.split(p_certified)

    # Catalog: one city-wide figure, repeated for every township.
    catalog = np.full(n_towns + 1, 1.0 if snapshot.catalog_items_published >= 1 else 0.0)
    one = np.ones(n_towns + 1)
    no_ids = [_EMPTY_IDS] * (n_towns + 1)

    def ratio_figures(
        code: str,
        numerator: FloatArray,
        denominator: FloatArray,
        scale: float,
        target: float | None,
        record_kind: str,
        counted_ids: list[IntArray],
        considered_ids: list[IntArray],
    ) -> list[Figure]:
        value, defined = _ratio(numerator, denominator, scale)
        return _figures(
            code,
            numerator,
            denominator,
            value,
            defined,
            target,
            "min",
            record_kind,
            counted_ids,
            considered_ids,
        )

    by_code: dict[str, list[Figure]] = {
        "fee_ratio": _figures(
            "fee_ratio",
            average_fee,
            monthly_income,
            fee_value,
            fee_defined & income_defined,
            targets.fee_ratio_max,
            "max",
            "institution",
            fee_counted_ids,
            fee_considered_ids,
        ),
        "slots_per_1000": ratio_figures(
            "slots_per_1000",
            slots,
            children_3,
            1000.0,
            targets.slots_per_1000_min,
            "class",
            active_ids,
            active_ids,
        ),
        "kindergarten_share": ratio_figures(
            "kindergarten_share",
            kindergarten_slots,
            slots,
            1.0,
            targets.kindergarten_share_min,
            "class",
            kindergarten_ids,
            active_ids,
        ),
        "puhui_share": ratio_figures(
            "puhui_share", puhui_slots, slots, 1.0, targets.puhui_share_min, "class", puhui_ids, active_ids
        ),
        "certified_share": ratio_figures(
            "certified_share",
            certified_posts,
            all_posts,
            1.0,
            targets.certified_share_min,
            "employment",
            certified_ids,
            post_ids,
        ),
        "catalog_published": _figures(
            "catalog_published",
            catalog,
            one,
            catalog,
            one > 0,
            1.0 if targets.catalog_required else None,
            "min",
            "catalog",
            no_ids,
            no_ids,
        ),
        "young_infant_share": ratio_figures(
            "young_infant_share", young_slots, slots, 1.0, None, "class", young_ids, active_ids
        ),
        "young_infant_slots_per_1000": ratio_figures(
            "young_infant_slots_per_1000",
            young_slots,
            children_2,
            1000.0,
            None,
            "class",
            young_ids,
            active_ids,
        ),
        "slots_per_1000_population": ratio_figures(
            "slots_per_1000_population",
            slots,
            population,
            1000.0,
            targets.slots_per_1000_population_min,
            "class",
            active_ids,
            active_ids,
        ),
    }
    city = {code: by_code[code][n_towns] for code in ALL_CODES}
    per_town = {
        town_id: {code: by_code[code][i] for code in ALL_CODES} for i, town_id in enumerate(town_ids.tolist())
    }
    as_of_date = as_of.date() if isinstance(as_of, dt.datetime) else as_of
    return IndicatorReport(as_of=as_of_date, city=city, townships=per_town)


def figure_as_dict(figure: Figure) -> dict[str, float | bool | None]:
    """``numerator``, ``denominator``, ``value``, ``target`` and ``met`` of a figure as
    plain Python ``float``, ``bool`` or ``None``, ready for JSON."""
    return {
        "numerator": float(figure.numerator),
        "denominator": float(figure.denominator),
        "value": None if figure.value is None else float(figure.value),
        "target": None if figure.target is None else float(figure.target),
        "met": None if figure.met is None else bool(figure.met),
    }


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------


def date_array(values: Iterable[dt.date | str | None]) -> DateArray:
    """A ``datetime64[D]`` array from dates, ISO strings or ``None`` (``NaT``)."""
    return np.array(["NaT" if v is None else v for v in values], dtype="datetime64[D]")


def empty_snapshot(
    township_ids: Sequence[int] = (),
    *,
    children_under_3: Sequence[float] | None = None,
    children_under_2: Sequence[float] | None = None,
    population: Sequence[float] | None = None,
    annual_income_previous_year: float | None = None,
    catalog_items_published: int = 0,
) -> RegistrySnapshot:
    """A snapshot with the given townships and empty institution, designation, class, fee,
    employment and certificate tables of the right dtypes.

    Population figures default to zero. Fill in tables with :func:`dataclasses.replace`.
    """
    n = len(township_ids)

    def floats(values: Sequence[float] | None) -> FloatArray:
        array = np.zeros(n) if values is None else np.asarray(values, dtype=np.float64)
        if array.shape != (n,):
            raise ValueError(f"expected {n} population figures, got {array.shape}")
        return array

    ints = np.zeros(0, dtype=np.int64)
    small = np.zeros(0, dtype=np.int8)
    days = np.zeros(0, dtype="datetime64[D]")
    return RegistrySnapshot(
        townships=Townships(
            ids=np.asarray(township_ids, dtype=np.int64),
            children_under_3=floats(children_under_3),
            children_under_2=floats(children_under_2),
            population=floats(population),
        ),
        institutions=Institutions(ints, ints, small, np.zeros(0, dtype=np.bool_), days, days, days),
        designations=Designations(ints, days, days),
        classes=Classes(ints, ints, small, np.zeros(0), days, days),
        fees=Fees(ints, small, np.zeros(0), days, days),
        employments=Employments(ints, ints, ints, small, days, days),
        certificates=Certificates(ints, small, days, days),
        annual_income_previous_year=annual_income_previous_year,
        catalog_items_published=catalog_items_published,
    )


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------

_EMPTY_IDS: IntArray = np.zeros(0, dtype=np.int64)
_EMPTY_IDS.flags.writeable = False


class _IdIndex:
    """Row position of each id: a direct table when ids are small non-negative integers
    (the usual database keys), otherwise one sort and a binary search."""

    def __init__(self, ids: IntArray, what: str) -> None:
        self._table: IntArray | None = None
        n = ids.size
        if n and ids.min() >= 0 and ids.max() < 4 * n + 65_536:
            table = np.full(int(ids.max()) + 1, -1, dtype=np.int64)
            table[ids] = np.arange(n)
            if np.count_nonzero(table >= 0) == n:
                self._table = table
                return
        self._order = np.argsort(ids, kind="stable")
        self._sorted = ids[self._order]
        duplicated = self._sorted[1:][self._sorted[1:] == self._sorted[:-1]]
        if duplicated.size:
            raise ValueError(f"duplicate {what} ids: {np.unique(duplicated)[:10].tolist()}")

    def find(self, keys: IntArray) -> IntArray:
        """Row position of each key, or -1 when the id is unknown."""
        if self._table is not None:
            inside = (keys >= 0) & (keys < self._table.size)
            return np.where(inside, self._table[np.where(inside, keys, 0)], -1)
        if self._sorted.size == 0:
            return np.full(keys.shape, -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._sorted, keys), self._sorted.size - 1)
        return np.where(self._sorted[pos] == keys, self._order[pos], -1)


class _Grouper:
    """Ids of one kind of record split by township index, each part sorted by id.

    Sorts once; :meth:`split` then takes any subset with a mask. Parts are read-only views.
    """

    def __init__(self, town: IntArray, ids: IntArray, n_towns: int) -> None:
        self._n_towns = n_towns
        self._by_id = np.argsort(ids, kind="stable")
        self._ids_by_id = _read_only(ids[self._by_id])
        # A stable sort on small integers is a radix sort.
        town_key = town[self._by_id].astype(np.int16 if n_towns < 2**15 else np.int64)
        self._order = self._by_id[np.argsort(town_key, kind="stable")]
        self._town = town[self._order]
        self._ids = _read_only(ids[self._order])

    def split(self, mask: BoolArray | None = None) -> list[IntArray]:
        """Per-township id arrays followed by all ids (the city): ``n_towns + 1`` arrays."""
        if mask is None:
            grouped, town, everything = self._ids, self._town, self._ids_by_id
        else:
            keep = mask[self._order]
            grouped, town = _read_only(self._ids[keep]), self._town[keep]
            everything = _read_only(self._ids_by_id[mask[self._by_id]])
        bounds = np.concatenate(([0], np.cumsum(np.bincount(town, minlength=self._n_towns)))).tolist()
        parts = [grouped[start:stop] for start, stop in itertools.pairwise(bounds)]
        parts.append(everything)
        return parts


def _read_only(array: IntArray) -> IntArray:
    array.flags.writeable = False
    return array


def _days(values: DateArray) -> DateArray:
    return np.asarray(values, dtype="datetime64[D]")


def _started(start: DateArray, day: np.datetime64) -> BoolArray:
    """A start date (first day that holds) is NaT or on/before ``day``."""
    start = _days(start)
    return np.isnat(start) | (start <= day)


def _not_ended(end: DateArray, day: np.datetime64) -> BoolArray:
    """An inclusive end date (last day that holds) is NaT or on/after ``day``."""
    end = _days(end)
    return np.isnat(end) | (day <= end)


def _not_closed(closed: DateArray, day: np.datetime64) -> BoolArray:
    """An exclusive end date (first day that no longer holds) is NaT or after ``day``."""
    closed = _days(closed)
    return np.isnat(closed) | (day < closed)


def _with_total(values: FloatArray) -> FloatArray:
    return np.append(values, values.sum())


def _ratio(
    numerator: FloatArray, denominator: FloatArray, scale: float = 1.0
) -> tuple[FloatArray, BoolArray]:
    """``numerator / denominator * scale`` where the denominator is non-zero (else 0),
    and the mask of where it is defined."""
    defined = denominator != 0
    value = np.divide(numerator, denominator, out=np.zeros(numerator.shape), where=defined) * scale
    return value, defined


def _fees_in_force(
    fees: Fees, inst_index: _IdIndex, class_inst: IntArray, class_type: IntArray, day: np.datetime64
) -> tuple[FloatArray, BoolArray]:
    """The full-day fee in force on ``day`` for each class (institution row, class type),
    0 where there is none, and the mask of classes that have one.

    Among several rows in force for one (institution, class type), the one with the
    latest ``effective_from`` wins (``NaT`` counts as earliest); any remaining tie goes to
    the latest ``effective_to`` (``NaT`` latest), then to the highest fee, so the result
    never depends on row order.
    """
    fee_inst = inst_index.find(np.asarray(fees.institution_ids, dtype=np.int64))
    effective_from = _days(fees.effective_from)
    effective_to = _days(fees.effective_to)
    in_force = (fee_inst >= 0) & _started(effective_from, day) & _not_ended(effective_to, day)
    rows = np.flatnonzero(in_force)
    key = fee_inst[rows] * _N_CLASS_TYPES + np.asarray(fees.class_type, dtype=np.int64)[rows]
    from_key = effective_from[rows].view(np.int64)  # NaT is the smallest int64: earliest
    to_key = np.where(np.isnat(effective_to[rows]), _INT64_MAX, effective_to[rows].view(np.int64))
    amount = np.asarray(fees.full_day, dtype=np.float64)[rows]
    order = np.lexsort((amount, to_key, from_key, key))
    sorted_key = key[order]
    is_last = np.append(sorted_key[1:] != sorted_key[:-1], True) if sorted_key.size else sorted_key > 0
    last = order[is_last]

    n_keys = (int(fee_inst.max()) + 1 if fee_inst.size else 0) * _N_CLASS_TYPES
    table = np.full(n_keys, np.nan)
    table[key[last]] = amount[last]
    wanted = class_inst * _N_CLASS_TYPES + class_type
    inside = wanted < n_keys
    fee = np.full(wanted.shape, np.nan)
    fee[inside] = table[wanted[inside]]
    found = ~np.isnan(fee)
    return np.where(found, fee, 0.0), found


def _qualifying_bits(certification: CertificationRules) -> tuple[BoolArray, IntArray]:
    """Per role index: whether its posts count, and the bit mask of the qualifying
    certificate types (bit ``i`` is ``codes.CERTIFICATE_TYPES[i]``)."""
    counts = np.zeros(len(codes.STAFF_ROLES), dtype=np.bool_)
    bits = np.zeros(len(codes.STAFF_ROLES), dtype=np.int64)
    for role, cert_types in certification.qualifying.items():
        r = codes.code_index(codes.STAFF_ROLES, role)
        counts[r] = True
        for cert_type in cert_types:
            bits[r] |= 1 << codes.code_index(codes.CERTIFICATE_TYPES, cert_type)
    return counts, bits


def _certified(
    certificates: Certificates, staff_ids: IntArray, qualifying_bits: IntArray, day: np.datetime64
) -> BoolArray:
    """Whether each post's staff member holds, valid on ``day``, a certificate of a type
    in the post's qualifying bit mask. One membership test per certificate type."""
    valid = _started(certificates.issued_on, day) & _not_ended(certificates.expires_on, day)
    holders = np.asarray(certificates.staff_ids, dtype=np.int64)[valid]
    held_type = np.asarray(certificates.cert_type, dtype=np.int64)[valid]
    certified = np.zeros(staff_ids.shape, dtype=np.bool_)
    for t in range(len(codes.CERTIFICATE_TYPES)):
        rows = np.flatnonzero(((qualifying_bits >> t) & 1).astype(np.bool_) & ~certified)
        if rows.size:
            certified[rows] = np.isin(staff_ids[rows], holders[held_type == t])
    return certified


def _figures(
    code: str,
    numerator: FloatArray,
    denominator: FloatArray,
    value: FloatArray,
    defined: BoolArray,
    target: float | None,
    comparison: str,
    record_kind: str,
    counted_ids: list[IntArray],
    considered_ids: list[IntArray],
) -> list[Figure]:
    """One figure per area from per-area arrays; numbers become plain Python values."""
    ok = defined.tolist()
    values = [v if d else None for v, d in zip(value.tolist(), ok, strict=True)]
    met: list[bool | None]
    if target is None:
        met = [None] * len(values)
    else:
        target = float(target)
        if comparison == "min":
            hit = value >= target - MET_TOLERANCE
        elif comparison == "max":
            hit = value <= target + MET_TOLERANCE
        else:
            raise ValueError(f"unknown comparison {comparison!r}")
        met = [h if d else None for h, d in zip(hit.tolist(), ok, strict=True)]
    return [
        Figure(code, num, den, val, target, comparison, is_met, record_kind, counted, considered)
        for num, den, val, is_met, counted, considered in zip(
            numerator.tolist(), denominator.tolist(), values, met, counted_ids, considered_ids, strict=True
        )
    ]


def _check_snapshot(snapshot: RegistrySnapshot) -> None:
    """Equal lengths within each table and codes in range, else ``ValueError``."""
    tables: list[tuple[str, object, str | None, int]] = [
        ("townships", snapshot.townships, None, 0),
        ("institutions", snapshot.institutions, "form", len(codes.FORMS)),
        ("designations", snapshot.designations, None, 0),
        ("classes", snapshot.classes, "class_type", len(codes.CLASS_TYPES)),
        ("fees", snapshot.fees, "class_type", len(codes.CLASS_TYPES)),
        ("employments", snapshot.employments, "role", len(codes.STAFF_ROLES)),
        ("certificates", snapshot.certificates, "cert_type", len(codes.CERTIFICATE_TYPES)),
    ]
    for name, table, code_field, n_codes in tables:
        lengths = {
            f.name: len(getattr(table, f.name))
            for f in fields(table)  # type: ignore[arg-type]
            if getattr(table, f.name) is not None  # an optional column left out
        }
        if len(set(lengths.values())) > 1:
            raise ValueError(f"{name}: arrays of unequal length {lengths}")
        if code_field is not None:
            values = np.asarray(getattr(table, code_field))
            if values.size and (values.min() < 0 or values.max() >= n_codes):
                raise ValueError(f"{name}.{code_field}: codes must be in 0..{n_codes - 1}")
