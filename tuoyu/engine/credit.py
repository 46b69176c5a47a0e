"""Credit archives (信用档案) of childcare institutions: events -> score -> grade A–D.

The platform records what happened at an institution as events; this module turns the
events of the last few years into a score and a grade by rules that are configuration
(:class:`CreditRules`), so that every grade can be explained event by event and the
rules can change without touching code. Grades feed the 双随机 sampling ratios
(:data:`DEFAULT_SAMPLING_RATIOS`): the worse the grade, the more often inspected.

Default rules (points are per unit of the event's ``count``, e.g. per finding):

=========================  ====================  ======  ==========
kind                       中文                   points  caps grade
=========================  ====================  ======  ==========
inspection_pass            检查合格                 +2
inspection_rectify         检查责令整改              0
inspection_fail            检查不合格               −10     C
finding_critical           严重问题 (each)          −15     C
finding_major              一般问题 (each)           −5
finding_minor              轻微问题 (each)           −1
rectification_overdue      逾期未整改               −10     B
complaint_substantiated    投诉属实                 −5
incident_late_report       事故迟报                 −10     B
incident_serious           重大安全事故              −20     D
award                      表彰                     +5
demonstration              示范托育机构              +10
=========================  ====================  ======  ==========

=======================  =============================  ==========================
setting                  default                        why
=======================  =============================  ==========================
base_score               100                            every institution starts equal
window_years             3                              old events stop counting
max_bonus                10                             awards cannot hide violations
thresholds               A ≥ 90, B ≥ 75, C ≥ 60, else D
new_institution_grade    B                              no passed inspection yet
passed_inspection_kinds  inspection_pass
=======================  =============================  ==========================

How a grade is computed, for one institution on the evaluation date ``as_of``:

1. An event counts when it belongs to the institution, its ``count`` is at least 1 and
   ``window_start <= date <= as_of``. ``window_start`` is the same calendar day
   ``window_years`` years before ``as_of`` (29 February falls back to 28 February): an
   event dated exactly ``window_years`` before is ``window_years`` old, not older, so it
   still counts, and drops out the next day. Events after ``as_of`` are future-dated
   (entered ahead, or a wrong date) and never count.
2. ``penalty`` is the sum of the negative points, ``bonus`` the sum of the positive points
   limited to ``max_bonus``; ``score = base_score - penalty + bonus``. The score is not
   clipped: how far below the last threshold an institution is stays visible.
3. The score grade is the first threshold the score reaches (exactly at a threshold is
   enough); below the last threshold the grade is ``D``.
4. Ceilings: each kind in ``caps`` present among the counted events limits the grade to
   its level, and an institution without a counted event of ``passed_inspection_kinds``
   gets at most ``new_institution_grade``. The grade is the worse of the score grade and
   the strictest ceiling, whatever the score: a serious incident is a D.

Why ``new_institution_grade`` is a ceiling: an institution that is newly filed, or not
inspected within the window, has no evidence of compliance, so it must not get the
lowest sampling ratio of an A. Making it a ceiling rather than a fixed grade keeps the
rules monotone: recording a complaint against an uninspected institution can lower its
grade but never raise it from B to A (the score alone, 95, would be an A).

Pure Python + numpy, no Django; :func:`credit_scores` is vectorised over events and
institutions and loops only over the few event kinds and ceilings.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
DateArray = npt.NDArray[np.datetime64]
StrArray = npt.NDArray[np.str_]

GRADES: tuple[str, ...] = ("A", "B", "C", "D")
"""Credit grades, best first; ``D`` is what a score below every threshold gets."""

NO_PASSED_INSPECTION = "no_passed_inspection"
"""``capped_by`` when the grade is limited because no inspection was passed in the window."""

DEFAULT_SAMPLING_RATIOS: dict[str, float] = {"A": 0.10, "B": 0.20, "C": 0.50, "D": 1.00}
"""Share of the institutions of each grade drawn for a 双随机 inspection round."""


def _default_points() -> dict[str, float]:
    return {
        "inspection_pass": 2.0,
        "inspection_rectify": 0.0,
        "inspection_fail": -10.0,
        "finding_critical": -15.0,
        "finding_major": -5.0,
        "finding_minor": -1.0,
        "rectification_overdue": -10.0,
        "complaint_substantiated": -5.0,
        "incident_late_report": -10.0,
        "incident_serious": -20.0,
        "award": 5.0,
        "demonstration": 10.0,
    }


def _default_caps() -> dict[str, str]:
    return {
        "incident_serious": "D",
        "finding_critical": "C",
        "inspection_fail": "C",
        "rectification_overdue": "B",
        "incident_late_report": "B",
    }


@dataclass(frozen=True)
class CreditRules:
    """The scoring rules; defaults are the table in the module docstring.

    ``points`` also defines the known event kinds: an event of any other kind is an error,
    not silently worth nothing. The mappings are copied into read-only views, so a rules
    object cannot change after it was validated.
    """

    base_score: float = 100.0
    points: Mapping[str, float] = field(default_factory=_default_points)
    window_years: int = 3
    max_bonus: float = 10.0
    thresholds: tuple[tuple[str, float], ...] = (("A", 90.0), ("B", 75.0), ("C", 60.0))
    caps: Mapping[str, str] = field(default_factory=_default_caps)
    new_institution_grade: str = "B"
    passed_inspection_kinds: frozenset[str] = frozenset({"inspection_pass"})

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", MappingProxyType(dict(self.points)))
        object.__setattr__(self, "caps", MappingProxyType(dict(self.caps)))
        object.__setattr__(self, "thresholds", tuple((g, float(m)) for g, m in self.thresholds))
        object.__setattr__(self, "passed_inspection_kinds", frozenset(self.passed_inspection_kinds))
        if not math.isfinite(self.base_score):
            raise ValueError(f"base_score must be finite, got {self.base_score}")
        for kind, value in self.points.items():
            if not isinstance(kind, str) or not kind:
                raise ValueError(f"points: event kinds must be non-empty strings, got {kind!r}")
            if not math.isfinite(value):
                raise ValueError(f"points[{kind!r}] must be finite, got {value}")
        if isinstance(self.window_years, bool) or int(self.window_years) != self.window_years:
            raise ValueError(f"window_years must be a whole number of years, got {self.window_years!r}")
        if self.window_years < 1:
            raise ValueError(f"window_years must be at least 1, got {self.window_years}")
        if not (math.isfinite(self.max_bonus) and self.max_bonus >= 0):
            raise ValueError(f"max_bonus must be finite and not negative, got {self.max_bonus}")
        self._check_thresholds()
        for kind, grade in self.caps.items():
            if kind not in self.points:
                raise ValueError(f"caps: unknown event kind {kind!r} (not in points)")
            if grade not in GRADES:
                raise ValueError(f"caps[{kind!r}]: unknown grade {grade!r}, expected one of {GRADES}")
        if self.new_institution_grade not in GRADES:
            raise ValueError(
                f"new_institution_grade: unknown grade {self.new_institution_grade!r},"
                f" expected one of {GRADES}"
            )
        for kind in sorted(self.passed_inspection_kinds):
            if kind not in self.points:
                raise ValueError(f"passed_inspection_kinds: unknown event kind {kind!r} (not in points)")
            # Otherwise recording such an event could lift the ceiling while costing points,
            # and a negative event could improve a grade.
            if self.points[kind] < 0:
                raise ValueError(
                    f"passed_inspection_kinds: {kind!r} has negative points; a pass cannot be a penalty"
                )

    def _check_thresholds(self) -> None:
        """Thresholds must name grades best first, without ``D`` (the floor), with strictly
        decreasing minimum scores, so that "the first threshold reached" is well defined."""
        if not self.thresholds:
            raise ValueError("thresholds: at least one threshold is needed")
        previous_level, previous_minimum = -1, math.inf
        for grade, minimum in self.thresholds:
            if grade not in GRADES[:-1]:
                raise ValueError(f"thresholds: unknown grade {grade!r}, expected one of {GRADES[:-1]}")
            level = GRADES.index(grade)
            if level <= previous_level:
                raise ValueError(f"thresholds: grade {grade!r} is out of order (best grade first)")
            if not math.isfinite(minimum):
                raise ValueError(f"thresholds: minimum score of {grade!r} must be finite, got {minimum}")
            if minimum >= previous_minimum:
                raise ValueError(
                    f"thresholds: minimum scores must be strictly decreasing, {grade!r} has {minimum:g}"
                )
            previous_level, previous_minimum = level, minimum

    @property
    def kinds(self) -> tuple[str, ...]:
        """The known event kinds, in the order of ``points``."""
        return tuple(self.points)


@dataclass(frozen=True)
class CountedEvents:
    """The events that counted, sorted by institution, then date, then kind (in the order
    of ``rules.points``), then count, then input row; one row per event."""

    institution_index: IntArray  # position in CreditResult.institution_ids
    row: IntArray  # position in the input event arrays
    kind: StrArray
    date: DateArray
    count: IntArray
    points: FloatArray  # per-kind points × count, before the bonus cap


@dataclass(frozen=True)
class CountedEvent:
    """One event that counted towards a grade, as shown to the institution."""

    kind: str
    date: dt.date
    count: int
    points: float


@dataclass(frozen=True)
class CreditExplanation:
    """Why one institution has its grade: the counted events in date order and a summary."""

    institution_id: int
    grade: str
    score: float
    events: tuple[CountedEvent, ...]
    summary: str


@dataclass(frozen=True)
class CreditResult:
    """Scores and grades, one row per institution in the order they were given.

    ``penalty`` is the number of points deducted (not negative), ``bonus`` the points added
    after the ``max_bonus`` cap. ``capped_by`` is the event kind whose ceiling lowered the
    grade below the score grade, :data:`NO_PASSED_INSPECTION` when the new-institution
    ceiling did, and ``""`` when no ceiling changed the grade. ``evidence`` tells whether
    any event counted. Arrays are read-only.
    """

    institution_ids: IntArray
    score: FloatArray
    grade: StrArray
    penalty: FloatArray
    bonus: FloatArray
    capped_by: StrArray
    evidence: BoolArray
    counted: CountedEvents
    as_of: dt.date
    window_start: dt.date
    rules: CreditRules

    def explain(self, *, institution_id: int) -> CreditExplanation:
        """The counted events of one institution and a one-line summary, so the platform
        can show the reason for every grade. Unknown ids raise :class:`KeyError`."""
        matches = np.flatnonzero(self.institution_ids == institution_id)
        if matches.size == 0:
            raise KeyError(f"institution {institution_id} is not in this credit result")
        i = int(matches[0])
        first, last = np.searchsorted(self.counted.institution_index, [i, i + 1])
        events = tuple(
            CountedEvent(kind=kind, date=date, count=count, points=points)
            for kind, date, count, points in zip(
                self.counted.kind[first:last].tolist(),
                self.counted.date[first:last].tolist(),
                self.counted.count[first:last].tolist(),
                self.counted.points[first:last].tolist(),
                strict=True,
            )
        )
        grade, score = str(self.grade[i]), float(self.score[i])
        bonus_before_cap = sum(e.points for e in events if e.points > 0)
        bonus_text = f"{self.bonus[i]:g}"
        if bonus_before_cap > self.bonus[i]:
            bonus_text += f" (capped from {bonus_before_cap:g})"
        summary = (
            f"Grade {grade}: score {score:g} = base {self.rules.base_score:g} - penalty {self.penalty[i]:g}"
            f" + bonus {bonus_text}, from {len(events)} event(s) between {self.window_start.isoformat()}"
            f" and {self.as_of.isoformat()}"
        )
        capped_by = str(self.capped_by[i])
        if capped_by == NO_PASSED_INSPECTION:
            summary += f"; at most {grade} without a passed inspection in that period"
        elif capped_by:
            summary += f"; capped at {grade} by {capped_by}"
        return CreditExplanation(
            institution_id=institution_id, grade=grade, score=score, events=events, summary=summary
        )


def window_start(*, as_of: dt.date, window_years: int) -> dt.date:
    """The first day whose events still count: the same calendar day ``window_years``
    earlier, 28 February when ``as_of`` is 29 February and the earlier year is not a leap
    year (the longer of the two readings, so no event of the last day of February is lost)."""
    year = as_of.year - window_years
    try:
        return as_of.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def credit_scores(
    *,
    institution_ids: IntArray,
    event_institution: IntArray,
    event_kind: Sequence[str] | StrArray,
    event_date: DateArray,
    event_count: IntArray,
    as_of: dt.date,
    rules: CreditRules = CreditRules(),
) -> CreditResult:
    """Score and grade every institution of ``institution_ids`` on ``as_of``.

    The rules are those of the module docstring. Events of institutions not listed are
    ignored (the platform may grade a subset), as are events with count 0 and events
    outside ``[window_start, as_of]``. Arrays of unequal length, duplicate institution ids,
    an event kind not in ``rules.points``, a negative count or a missing date raise
    :class:`ValueError` naming the first bad row; every row is checked, counted or not.
    """
    ids = np.asarray(institution_ids, dtype=np.int64)
    inst = np.asarray(event_institution, dtype=np.int64)
    kind_text = np.asarray(event_kind, dtype=np.str_)
    dates = np.asarray(event_date, dtype="datetime64[D]")
    counts = np.asarray(event_count, dtype=np.int64)
    _check_inputs(ids=ids, inst=inst, kind_text=kind_text, dates=dates, counts=counts)

    kinds = rules.kinds
    kind_code = _kind_codes(kind_text, kinds)
    n_inst, n_kinds = ids.size, len(kinds)

    # Where each event's institution is, -1 when it is not listed.
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    position = np.minimum(np.searchsorted(sorted_ids, inst), max(n_inst - 1, 0))
    listed = (sorted_ids[position] == inst) if n_inst else np.zeros(inst.size, dtype=np.bool_)
    inst_index = np.where(listed, order[position] if n_inst else 0, -1)

    start = window_start(as_of=as_of, window_years=rules.window_years)
    day, first_day = np.datetime64(as_of, "D"), np.datetime64(start, "D")
    counted = listed & (counts > 0) & (dates >= first_day) & (dates <= day)
    rows = np.flatnonzero(counted)

    # Units per institution and kind: integer sums, so no result depends on event order.
    units = np.zeros((n_inst, n_kinds), dtype=np.int64)
    np.add.at(units, (inst_index[rows], kind_code[rows]), counts[rows])
    kind_points = np.array([rules.points[k] for k in kinds], dtype=np.float64)
    unit_totals = units.astype(np.float64)
    bonus_uncapped: FloatArray = unit_totals @ np.maximum(kind_points, 0.0)
    penalty: FloatArray = unit_totals @ np.maximum(-kind_points, 0.0)
    bonus: FloatArray = np.minimum(bonus_uncapped, rules.max_bonus)
    score: FloatArray = (rules.base_score - penalty + bonus).astype(np.float64)
    evidence = units.sum(axis=1) > 0

    minimums = np.array([minimum for _, minimum in rules.thresholds], dtype=np.float64)
    level_by_rank = np.array(
        [GRADES.index(grade) for grade, _ in rules.thresholds] + [len(GRADES) - 1], dtype=np.int64
    )
    score_level = level_by_rank[(score[:, None] < minimums[None, :]).sum(axis=1)]

    # Ceilings in order; a later one replaces an earlier only when strictly stricter.
    ceiling_names = [*rules.caps, NO_PASSED_INSPECTION]
    ceiling_levels = [GRADES.index(grade) for grade in rules.caps.values()]
    ceiling_levels.append(GRADES.index(rules.new_institution_grade))
    passed_columns = [kinds.index(k) for k in sorted(rules.passed_inspection_kinds)]
    applies = [units[:, kinds.index(kind)] > 0 for kind in rules.caps]
    applies.append(units[:, passed_columns].sum(axis=1) == 0)
    ceiling_level = np.zeros(n_inst, dtype=np.int64)
    ceiling_source = np.full(n_inst, len(ceiling_names), dtype=np.int64)  # the "" appended below
    for source, (level, present) in enumerate(zip(ceiling_levels, applies, strict=True)):
        stricter = present & (level > ceiling_level)
        ceiling_level[stricter] = level
        ceiling_source[stricter] = source
    lowered = ceiling_level > score_level
    names = np.array([*ceiling_names, ""], dtype=np.str_)
    capped_by = np.where(lowered, names[ceiling_source], "")
    grade = np.array(GRADES, dtype=np.str_)[np.maximum(score_level, ceiling_level)]

    by_institution = rows[np.lexsort((rows, counts[rows], kind_code[rows], dates[rows], inst_index[rows]))]
    counted_events = CountedEvents(
        institution_index=inst_index[by_institution],
        row=by_institution,
        kind=np.array(kinds, dtype=np.str_)[kind_code[by_institution]],
        date=dates[by_institution],
        count=counts[by_institution],
        points=kind_points[kind_code[by_institution]] * counts[by_institution],
    )
    for array in (*vars(counted_events).values(), ids, score, grade, penalty, bonus, capped_by, evidence):
        array.flags.writeable = False
    return CreditResult(
        institution_ids=ids,
        score=score,
        grade=grade,
        penalty=penalty,
        bonus=bonus,
        capped_by=capped_by,
        evidence=evidence,
        counted=counted_events,
        as_of=as_of,
        window_start=start,
        rules=rules,
    )


def grade_changes(*, previous: Mapping[int, str], current: CreditResult) -> dict[int, tuple[str, str]]:
    """``institution id -> (old grade, new grade)`` for every institution of ``current``
    whose grade differs from ``previous``, for the platform's grade history. An
    institution graded for the first time appears with old grade ``""``; institutions
    only in ``previous`` (not graded this time) are left out rather than reported as lost."""
    changes: dict[int, tuple[str, str]] = {}
    for institution_id, grade in zip(current.institution_ids.tolist(), current.grade.tolist(), strict=True):
        old = previous.get(institution_id, "")
        if old != grade:
            changes[institution_id] = (old, grade)
    return changes


def _check_inputs(
    *, ids: IntArray, inst: IntArray, kind_text: StrArray, dates: DateArray, counts: IntArray
) -> None:
    """Reject malformed input before any event is interpreted, naming the first bad row."""
    arrays = {"event_institution": inst, "event_kind": kind_text, "event_date": dates, "event_count": counts}
    arrays_with_ids = {"institution_ids": ids, **arrays}
    not_flat = [name for name, array in arrays_with_ids.items() if array.ndim != 1]
    if not_flat:
        raise ValueError(f"credit events: {', '.join(not_flat)} must be one-dimensional")
    lengths = {name: array.size for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"credit events: arrays of unequal length {lengths}")
    sorted_ids = np.sort(ids)
    duplicated = sorted_ids[1:][sorted_ids[1:] == sorted_ids[:-1]]
    if duplicated.size:
        raise ValueError(f"institution_ids: duplicate id {int(duplicated[0])}")
    negative = np.flatnonzero(counts < 0)
    if negative.size:
        row = int(negative[0])
        raise ValueError(f"event_count: negative count {int(counts[row])} in row {row}")
    missing = np.flatnonzero(np.isnat(dates))
    if missing.size:
        raise ValueError(f"event_date: missing date in row {int(missing[0])}")


def _kind_codes(kind_text: StrArray, kinds: tuple[str, ...]) -> IntArray:
    """Position of each event's kind in ``kinds``; an unknown kind is an error, because a
    misspelt kind silently worth nothing would make a grade wrong without anyone noticing."""
    unique, inverse = np.unique(kind_text, return_inverse=True)
    code_of_unique = np.empty(unique.size, dtype=np.int64)
    for u, kind in enumerate(unique.tolist()):
        if kind not in kinds:
            row = int(np.flatnonzero(inverse.ravel() == u)[0])
            raise ValueError(f"event_kind: unknown event kind {kind!r} in row {row}")
        code_of_unique[u] = kinds.index(kind)
    return code_of_unique[inverse.ravel()]
