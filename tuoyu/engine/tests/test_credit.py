"""Credit scores and grades: hand-computed cases for every rule, then properties checked
on random events against a plain-Python reference written straight from the rules."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuoyu.engine.credit import (
    DEFAULT_SAMPLING_RATIOS,
    GRADES,
    NO_PASSED_INSPECTION,
    CountedEvent,
    CreditResult,
    CreditRules,
    credit_scores,
    grade_changes,
    window_start,
)

AS_OF = dt.date(2025, 6, 30)
IN_WINDOW = dt.date(2025, 3, 1)
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Event:
    institution: int
    kind: str
    date: dt.date = IN_WINDOW
    count: int = 1


def grade_all(
    events: Sequence[Event],
    *,
    ids: Sequence[int] = (1,),
    as_of: dt.date = AS_OF,
    rules: CreditRules | None = None,
) -> CreditResult:
    return credit_scores(
        institution_ids=np.array(ids, dtype=np.int64),
        event_institution=np.array([e.institution for e in events], dtype=np.int64),
        event_kind=[e.kind for e in events],
        event_date=np.array([e.date for e in events], dtype="datetime64[D]"),
        event_count=np.array([e.count for e in events], dtype=np.int64),
        as_of=as_of,
        rules=rules or CreditRules(),
    )


def one(*events: Event, **kwargs: Any) -> dict[str, Any]:
    """The result for institution 1 as plain values."""
    result = grade_all(events, **kwargs)
    return {
        "score": float(result.score[0]),
        "grade": str(result.grade[0]),
        "penalty": float(result.penalty[0]),
        "bonus": float(result.bonus[0]),
        "capped_by": str(result.capped_by[0]),
        "evidence": bool(result.evidence[0]),
    }


def passed(**kwargs: Any) -> Event:
    return Event(1, "inspection_pass", **kwargs)


# --------------------------------------------------------------------------------------
# Defaults
# --------------------------------------------------------------------------------------


def test_the_defaults_are_the_documented_table() -> None:
    rules = CreditRules()
    assert dict(rules.points) == {
        "inspection_pass": 2,
        "inspection_rectify": 0,
        "inspection_fail": -10,
        "finding_critical": -15,
        "finding_major": -5,
        "finding_minor": -1,
        "rectification_overdue": -10,
        "complaint_substantiated": -5,
        "incident_late_report": -10,
        "incident_serious": -20,
        "award": 5,
        "demonstration": 10,
    }
    assert dict(rules.caps) == {
        "incident_serious": "D",
        "finding_critical": "C",
        "inspection_fail": "C",
        "rectification_overdue": "B",
        "incident_late_report": "B",
    }
    assert (rules.base_score, rules.window_years, rules.max_bonus) == (100, 3, 10)
    assert rules.thresholds == (("A", 90), ("B", 75), ("C", 60))
    assert (rules.new_institution_grade, rules.passed_inspection_kinds) == ("B", {"inspection_pass"})


def test_sampling_ratios_cover_every_grade_and_grow_as_the_grade_worsens() -> None:
    assert list(DEFAULT_SAMPLING_RATIOS) == list(GRADES)
    ratios = [DEFAULT_SAMPLING_RATIOS[g] for g in GRADES]
    assert ratios == sorted(ratios) and ratios[-1] == 1.0


def test_rules_cannot_be_changed_after_validation() -> None:
    points = {"inspection_pass": 2.0, "award": 5.0}
    rules = CreditRules(points=points, caps={})
    points["award"] = 50.0
    assert rules.points["award"] == 5.0
    with pytest.raises(TypeError):
        rules.points["award"] = 50.0  # type: ignore[index]


# --------------------------------------------------------------------------------------
# Hand-computed cases
# --------------------------------------------------------------------------------------


def test_a_passed_inspection_earns_two_points_and_an_a() -> None:
    assert one(passed()) == {
        "score": 102,
        "grade": "A",
        "penalty": 0,
        "bonus": 2,
        "capped_by": "",
        "evidence": True,
    }


def test_one_critical_finding_costs_fifteen_points_and_caps_the_grade_at_c() -> None:
    # 100 + 2 - 15 = 87 would be a B; the critical finding caps it at C.
    assert one(passed(), Event(1, "finding_critical")) == {
        "score": 87,
        "grade": "C",
        "penalty": 15,
        "bonus": 2,
        "capped_by": "finding_critical",
        "evidence": True,
    }


def test_a_cap_that_does_not_lower_the_grade_is_not_reported() -> None:
    # 100 + 2 - 2 × 15 = 72 is a C by score already.
    result = one(passed(), Event(1, "finding_critical", count=2))
    assert (result["score"], result["grade"], result["capped_by"]) == (72, "C", "")


def test_the_count_multiplies_the_points_of_an_event() -> None:
    result = one(passed(), Event(1, "finding_minor", count=3), Event(1, "finding_major", count=2))
    assert (result["score"], result["penalty"]) == (102 - 3 - 10, 13)


def test_an_event_with_count_zero_does_not_count_at_all() -> None:
    result = one(passed(), Event(1, "finding_critical", count=0))
    assert (result["score"], result["grade"], result["capped_by"]) == (102, "A", "")
    assert one(Event(1, "finding_critical", count=0))["evidence"] is False


def test_the_bonus_is_capped_in_total() -> None:
    # 2 + 2 × 5 + 10 = 22 positive points, of which 10 count.
    result = one(passed(), Event(1, "award", count=2), Event(1, "demonstration"))
    assert (result["score"], result["bonus"]) == (110, 10)


def test_awards_cannot_hide_a_critical_finding() -> None:
    # 100 - 15 + min(2 + 15, 10) = 95 would be an A.
    result = one(passed(), Event(1, "award", count=3), Event(1, "finding_critical"))
    assert (result["score"], result["grade"], result["capped_by"]) == (95, "C", "finding_critical")


def test_a_serious_incident_is_a_d_whatever_the_score() -> None:
    # 100 - 20 + min(2 + 5 + 10, 10) = 90 would be an A.
    result = one(passed(), Event(1, "award"), Event(1, "demonstration"), Event(1, "incident_serious"))
    assert (result["score"], result["grade"], result["capped_by"]) == (90, "D", "incident_serious")


def test_the_strictest_cap_wins_and_ties_go_to_the_first_in_the_rules() -> None:
    both = (passed(), Event(1, "finding_critical"), Event(1, "incident_serious"))
    assert one(*both)["capped_by"] == "incident_serious"
    rules = CreditRules(caps={"finding_major": "C", "finding_minor": "C"})
    events = (passed(), Event(1, "finding_minor"), Event(1, "finding_major"))
    assert one(*events, rules=rules)["capped_by"] == "finding_major"


@pytest.mark.parametrize("kind", ["rectification_overdue", "incident_late_report"])
def test_an_overdue_rectification_or_a_late_incident_report_rules_out_an_a(kind: str) -> None:
    result = one(passed(), Event(1, "award"), Event(1, kind))
    assert (result["score"], result["grade"], result["capped_by"]) == (97, "B", kind)


def test_a_failed_inspection_costs_ten_points_and_caps_at_c() -> None:
    result = one(passed(date=dt.date(2024, 1, 1)), Event(1, "inspection_fail"))
    assert (result["score"], result["grade"], result["capped_by"]) == (92, "C", "inspection_fail")


def test_an_institution_without_events_gets_the_new_institution_grade() -> None:
    assert one() == {
        "score": 100,
        "grade": "B",
        "penalty": 0,
        "bonus": 0,
        "capped_by": NO_PASSED_INSPECTION,
        "evidence": False,
    }
    assert one(rules=CreditRules(new_institution_grade="C"))["grade"] == "C"


def test_without_a_passed_inspection_an_award_does_not_make_an_a() -> None:
    result = one(Event(1, "award"))
    assert (result["score"], result["grade"], result["capped_by"]) == (105, "B", NO_PASSED_INSPECTION)
    assert one(Event(1, "inspection_rectify"))["grade"] == "B"


def test_a_complaint_against_an_uninspected_institution_never_improves_its_grade() -> None:
    assert one(Event(1, "complaint_substantiated"))["grade"] == one()["grade"] == "B"
    many = one(Event(1, "complaint_substantiated", count=6))  # 100 - 30 = 70
    assert (many["grade"], many["capped_by"]) == ("C", "")


@pytest.mark.parametrize(
    ("base_score", "grade"),
    [(88, "A"), (87, "B"), (73, "B"), (72, "C"), (58, "C"), (57, "D")],
)
def test_a_score_exactly_at_a_threshold_reaches_it(base_score: float, grade: str) -> None:
    # A passed inspection adds 2: scores 90, 89, 75, 74, 60, 59.
    result = one(passed(), rules=CreditRules(base_score=base_score))
    assert (result["score"], result["grade"]) == (base_score + 2, grade)


def test_an_event_dated_exactly_window_years_before_still_counts() -> None:
    assert window_start(as_of=AS_OF, window_years=3) == dt.date(2022, 6, 30)
    assert one(passed(date=dt.date(2022, 6, 30)))["grade"] == "A"
    assert one(passed(date=dt.date(2022, 6, 29))) == one()


def test_the_window_of_a_29_february_starts_on_28_february() -> None:
    leap_day = dt.date(2024, 2, 29)
    assert window_start(as_of=leap_day, window_years=3) == dt.date(2021, 2, 28)
    assert window_start(as_of=leap_day, window_years=4) == dt.date(2020, 2, 29)
    assert one(passed(date=dt.date(2021, 2, 28)), as_of=leap_day)["grade"] == "A"
    assert one(passed(date=dt.date(2021, 2, 27)), as_of=leap_day)["grade"] == "B"


def test_future_dated_events_are_ignored_and_the_evaluation_day_counts() -> None:
    future = Event(1, "incident_serious", date=AS_OF + dt.timedelta(days=1))
    result = one(passed(date=AS_OF), future)
    assert (result["score"], result["grade"]) == (102, "A")


def test_events_of_unlisted_institutions_are_ignored_and_the_input_order_is_kept() -> None:
    events = [Event(1, "incident_serious"), Event(3, "inspection_pass"), Event(7, "incident_serious")]
    result = grade_all(events, ids=[3, 1, 2])
    assert result.institution_ids.tolist() == [3, 1, 2]
    assert result.grade.tolist() == ["A", "D", "B"]
    assert result.evidence.tolist() == [True, True, False]


def test_no_institutions_and_no_events_give_an_empty_result() -> None:
    result = grade_all([], ids=[])
    assert result.score.size == result.grade.size == result.counted.row.size == 0


def test_result_arrays_are_read_only() -> None:
    result = grade_all([passed()])
    with pytest.raises(ValueError, match="read-only"):
        result.score[0] = 0.0


# --------------------------------------------------------------------------------------
# Explanations and history
# --------------------------------------------------------------------------------------


def test_explain_lists_exactly_the_counted_events_in_date_order() -> None:
    events = [
        Event(1, "finding_critical", dt.date(2025, 1, 10)),
        Event(1, "award", dt.date(2023, 5, 1), count=3),
        Event(1, "inspection_pass", dt.date(2024, 9, 2)),
        Event(1, "finding_minor", dt.date(2025, 1, 10), count=0),  # count 0
        Event(1, "incident_serious", dt.date(2022, 6, 29)),  # before the window
        Event(1, "incident_serious", dt.date(2025, 7, 1)),  # future
        Event(2, "incident_serious", dt.date(2025, 1, 1)),  # another institution
    ]
    explanation = grade_all(events, ids=[1, 2]).explain(institution_id=1)
    assert explanation.events == (
        CountedEvent(kind="award", date=dt.date(2023, 5, 1), count=3, points=15.0),
        CountedEvent(kind="inspection_pass", date=dt.date(2024, 9, 2), count=1, points=2.0),
        CountedEvent(kind="finding_critical", date=dt.date(2025, 1, 10), count=1, points=-15.0),
    )
    assert (explanation.grade, explanation.score) == ("C", 95.0)
    assert explanation.summary == (
        "Grade C: score 95 = base 100 - penalty 15 + bonus 10 (capped from 17), from 3 event(s)"
        " between 2022-06-30 and 2025-06-30; capped at C by finding_critical"
    )


def test_explain_says_why_an_institution_without_events_is_not_an_a() -> None:
    explanation = grade_all([]).explain(institution_id=1)
    assert explanation.events == ()
    assert explanation.summary == (
        "Grade B: score 100 = base 100 - penalty 0 + bonus 0, from 0 event(s) between 2022-06-30"
        " and 2025-06-30; at most B without a passed inspection in that period"
    )


def test_explain_of_an_unknown_institution_raises_key_error() -> None:
    with pytest.raises(KeyError, match="institution 9"):
        grade_all([]).explain(institution_id=9)


def test_grade_changes_reports_new_and_changed_grades_only() -> None:
    events = [passed(), Event(2, "inspection_pass"), Event(3, "incident_serious")]
    current = grade_all(events, ids=[1, 2, 3, 4])  # A, A, D, B
    previous = {1: "A", 2: "B", 3: "C", 5: "D"}
    assert grade_changes(previous=previous, current=current) == {2: ("B", "A"), 3: ("C", "D"), 4: ("", "B")}


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"thresholds": (("A", 90), ("B", 90))}, "strictly decreasing, 'B' has 90"),
        ({"thresholds": (("B", 75), ("A", 90))}, "grade 'A' is out of order"),
        ({"thresholds": (("E", 50),)}, "thresholds: unknown grade 'E'"),
        ({"thresholds": (("D", 10),)}, "thresholds: unknown grade 'D'"),
        ({"thresholds": ()}, "at least one threshold"),
        ({"window_years": 0}, "window_years must be at least 1"),
        ({"window_years": 1.5}, "window_years must be a whole number"),
        ({"caps": {"fire": "D"}}, "caps: unknown event kind 'fire'"),
        ({"caps": {"award": "E"}}, r"caps\['award'\]: unknown grade 'E'"),
        ({"new_institution_grade": "A+"}, "new_institution_grade: unknown grade 'A\\+'"),
        ({"passed_inspection_kinds": {"inspection_ok"}}, "passed_inspection_kinds: unknown event kind"),
        ({"passed_inspection_kinds": {"inspection_fail"}}, "'inspection_fail' has negative points"),
        ({"max_bonus": -1}, "max_bonus must be finite and not negative"),
        ({"points": {"award": math.nan}, "caps": {}}, r"points\['award'\] must be finite"),
        ({"base_score": math.inf}, "base_score must be finite"),
    ],
)
def test_invalid_rules_raise_value_error_naming_the_field(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CreditRules(**changes)


def test_an_unknown_event_kind_raises_naming_the_kind_and_its_row() -> None:
    with pytest.raises(ValueError, match="unknown event kind 'inspection_passed' in row 1"):
        grade_all([passed(), Event(1, "inspection_passed", dt.date(2000, 1, 1))])


def test_a_negative_count_raises_naming_its_row() -> None:
    with pytest.raises(ValueError, match="negative count -2 in row 2"):
        grade_all([passed(), passed(), Event(1, "finding_minor", count=-2)])


def test_a_missing_date_raises_naming_its_row() -> None:
    with pytest.raises(ValueError, match="missing date in row 0"):
        credit_scores(
            institution_ids=np.array([1]),
            event_institution=np.array([1]),
            event_kind=["award"],
            event_date=np.array(["NaT"], dtype="datetime64[D]"),
            event_count=np.array([1]),
            as_of=AS_OF,
        )


def test_arrays_of_unequal_length_raise() -> None:
    with pytest.raises(ValueError, match="unequal length"):
        credit_scores(
            institution_ids=np.array([1]),
            event_institution=np.array([1, 1]),
            event_kind=["award"],
            event_date=np.array([IN_WINDOW], dtype="datetime64[D]"),
            event_count=np.array([1]),
            as_of=AS_OF,
        )


def test_duplicate_institution_ids_raise_naming_the_id() -> None:
    with pytest.raises(ValueError, match="duplicate id 4"):
        grade_all([], ids=[4, 2, 4])


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

KINDS = CreditRules().kinds
UNLISTED = 99


@dataclass(frozen=True)
class Scenario:
    ids: list[int]
    events: list[Event]
    as_of: dt.date
    rules: CreditRules


@st.composite
def credit_rules(draw: st.DrawFn) -> CreditRules:
    """Valid random rules over the default kinds; half points keep every sum exact."""
    if draw(st.booleans()):
        return CreditRules()
    points = {kind: draw(st.integers(-40, 40)) / 2 for kind in KINDS}
    caps = draw(st.dictionaries(st.sampled_from(KINDS), st.sampled_from(GRADES), max_size=4))
    not_negative = [kind for kind in KINDS if points[kind] >= 0]
    passing = draw(st.frozensets(st.sampled_from(not_negative), max_size=2)) if not_negative else frozenset()
    grades = sorted(
        draw(st.lists(st.sampled_from(GRADES[:-1]), min_size=1, max_size=3, unique=True)), key=GRADES.index
    )
    minimums = draw(st.lists(st.integers(40, 110), min_size=len(grades), max_size=len(grades), unique=True))
    return CreditRules(
        base_score=draw(st.integers(60, 110)),
        points=points,
        window_years=draw(st.integers(1, 3)),
        max_bonus=draw(st.integers(0, 30)) / 2,
        thresholds=tuple(zip(grades, sorted(minimums, reverse=True), strict=True)),
        caps=caps,
        new_institution_grade=draw(st.sampled_from(GRADES)),
        passed_inspection_kinds=passing,
    )


def event_dates(as_of: dt.date, start: dt.date) -> st.SearchStrategy[dt.date]:
    """Dates in and around the window, with both of its edges hit often."""
    return st.one_of(
        st.integers(-2, 2).map(lambda days: start + dt.timedelta(days=days)),
        st.integers(-2, 2).map(lambda days: as_of + dt.timedelta(days=days)),
        st.dates(start - dt.timedelta(days=400), as_of + dt.timedelta(days=30)),
    )


@st.composite
def events_for(draw: st.DrawFn, ids: list[int], as_of: dt.date, rules: CreditRules) -> Event:
    start = window_start(as_of=as_of, window_years=rules.window_years)
    return Event(
        institution=draw(st.sampled_from([*ids, UNLISTED])),
        kind=draw(st.sampled_from(KINDS)),
        date=draw(event_dates(as_of, start)),
        count=draw(st.integers(0, 3)),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    rules = draw(credit_rules())
    leap_day = st.just(dt.date(2024, 2, 29))
    as_of = draw(st.one_of(leap_day, st.dates(dt.date(2022, 1, 1), dt.date(2026, 12, 31))))
    ids = draw(st.lists(st.integers(1, 40), min_size=1, max_size=6, unique=True))
    events = draw(st.lists(events_for(ids, as_of, rules), max_size=25))
    return Scenario(ids=ids, events=events, as_of=as_of, rules=rules)


def run(scenario: Scenario, events: Sequence[Event] | None = None) -> CreditResult:
    return grade_all(
        scenario.events if events is None else events,
        ids=scenario.ids,
        as_of=scenario.as_of,
        rules=scenario.rules,
    )


@dataclass(frozen=True)
class Expected:
    score: float
    grade: str
    penalty: float
    bonus: float
    capped_by: str
    evidence: bool
    events: tuple[CountedEvent, ...]


def reference(scenario: Scenario) -> dict[int, Expected]:
    """The rules of the module docstring, one institution and one event at a time."""
    rules, as_of = scenario.rules, scenario.as_of
    try:
        start = as_of.replace(year=as_of.year - rules.window_years)
    except ValueError:
        start = dt.date(as_of.year - rules.window_years, 2, 28)
    expected: dict[int, Expected] = {}
    for institution in scenario.ids:
        mine = [
            e
            for e in scenario.events
            if e.institution == institution and e.count > 0 and start <= e.date <= as_of
        ]
        points = [rules.points[e.kind] * e.count for e in mine]
        penalty = -sum(p for p in points if p < 0)
        bonus = min(sum(p for p in points if p > 0), rules.max_bonus)
        score = rules.base_score - penalty + bonus
        score_grade = GRADES[-1]
        for grade, minimum in rules.thresholds:
            if score >= minimum:
                score_grade = grade
                break
        ceilings = [(kind, grade) for kind, grade in rules.caps.items() if any(e.kind == kind for e in mine)]
        if not any(e.kind in rules.passed_inspection_kinds for e in mine):
            ceilings.append((NO_PASSED_INSPECTION, rules.new_institution_grade))
        strictest: tuple[str, str] | None = None
        for name, grade in ceilings:
            if strictest is None or GRADES.index(grade) > GRADES.index(strictest[1]):
                strictest = (name, grade)
        grade, capped_by = score_grade, ""
        if strictest is not None and GRADES.index(strictest[1]) > GRADES.index(score_grade):
            grade, capped_by = strictest[1], strictest[0]
        in_order = sorted(mine, key=lambda e: (e.date, KINDS.index(e.kind), e.count))
        expected[institution] = Expected(
            score=score,
            grade=grade,
            penalty=penalty,
            bonus=bonus,
            capped_by=capped_by,
            evidence=bool(mine),
            events=tuple(
                CountedEvent(kind=e.kind, date=e.date, count=e.count, points=rules.points[e.kind] * e.count)
                for e in in_order
            ),
        )
    return expected


def as_plain(result: CreditResult) -> dict[int, Expected]:
    return {
        institution: Expected(
            score=float(result.score[i]),
            grade=str(result.grade[i]),
            penalty=float(result.penalty[i]),
            bonus=float(result.bonus[i]),
            capped_by=str(result.capped_by[i]),
            evidence=bool(result.evidence[i]),
            events=result.explain(institution_id=institution).events,
        )
        for i, institution in enumerate(result.institution_ids.tolist())
    }


@PROPERTY_SETTINGS
@given(scenarios())
def test_the_vectorised_result_equals_the_plain_python_reference(scenario: Scenario) -> None:
    assert as_plain(run(scenario)) == reference(scenario)


@PROPERTY_SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_events(scenario: Scenario, random: Any) -> None:
    shuffled = list(scenario.events)
    random.shuffle(shuffled)
    assert as_plain(run(scenario, shuffled)) == as_plain(run(scenario))


def added_event(data: st.DataObject, scenario: Scenario, kinds: list[str]) -> Event:
    return replace(
        data.draw(events_for(scenario.ids, scenario.as_of, scenario.rules)),
        kind=data.draw(st.sampled_from(kinds)),
        count=data.draw(st.integers(1, 3)),
    )


@PROPERTY_SETTINGS
@given(scenarios(), st.data())
def test_adding_a_negative_event_never_raises_a_score_or_improves_a_grade(
    scenario: Scenario, data: st.DataObject
) -> None:
    negative = [kind for kind in KINDS if scenario.rules.points[kind] < 0]
    if not negative:
        return
    before = run(scenario)
    after = run(scenario, [*scenario.events, added_event(data, scenario, negative)])
    assert np.all(after.score <= before.score)
    level = np.vectorize(GRADES.index)
    assert np.all(level(after.grade) >= level(before.grade))


@PROPERTY_SETTINGS
@given(scenarios(), st.data())
def test_adding_a_positive_event_never_lowers_a_score(scenario: Scenario, data: st.DataObject) -> None:
    positive = [kind for kind in KINDS if scenario.rules.points[kind] > 0]
    if not positive:
        return
    before = run(scenario)
    after = run(scenario, [*scenario.events, added_event(data, scenario, positive)])
    assert np.all(after.score >= before.score)
