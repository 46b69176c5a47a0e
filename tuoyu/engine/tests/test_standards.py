"""Hand-computed cases for the national class and family-point rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pytest

from tuoyu.engine import codes
from tuoyu.engine.standards import (
    ClassLoads,
    ClassRule,
    StandardsConfig,
    Violation,
    check_standards,
    violation_counts_by_institution,
)


@dataclass(frozen=True)
class Row:
    id: int
    inst: int
    type: str
    approved: int
    enrolled: int
    caregivers: int
    family: bool = False


def loads(rows: Sequence[Row]) -> ClassLoads:
    return ClassLoads(
        ids=np.array([r.id for r in rows], dtype=np.int64),
        institution_ids=np.array([r.inst for r in rows], dtype=np.int64),
        class_type=np.array([codes.code_index(codes.CLASS_TYPES, r.type) for r in rows], dtype=np.int8),
        approved_slots=np.array([r.approved for r in rows], dtype=np.int64),
        enrolled=np.array([r.enrolled for r in rows], dtype=np.int64),
        caregivers=np.array([r.caregivers for r in rows], dtype=np.int64),
        family_point=np.array([r.family for r in rows], dtype=np.bool_),
    )


def check(*rows: Row, config: StandardsConfig | None = None) -> list[Violation]:
    return check_standards(loads(rows), config) if config else check_standards(loads(rows))


def test_the_defaults_are_the_2019_national_values() -> None:
    config = StandardsConfig()
    assert config.class_rules == {
        "infant": ClassRule(10, 3),
        "toddler": ClassRule(15, 5),
        "older": ClassRule(20, 7),
        "mixed": ClassRule(18, 5),
    }
    assert (config.family_point_max_children, config.family_point_children_per_carer) == (5, 3)
    assert set(config.class_rules) == set(codes.CLASS_TYPES)


def test_no_classes_no_violations() -> None:
    assert check() == []


@pytest.mark.parametrize(
    ("row", "why"),
    [
        (Row(1, 1, "infant", 10, 10, 4), "10 <= 10 children, 10 <= 4 * 3 = 12"),
        (Row(1, 1, "infant", 9, 9, 3), "9 <= 3 * 3 = 9"),
        (Row(1, 1, "toddler", 15, 15, 3), "15 <= 15, 15 <= 3 * 5 = 15"),
        (Row(1, 1, "older", 20, 14, 2), "14 <= 2 * 7 = 14"),
        (Row(1, 1, "older", 20, 20, 3), "20 <= 20, 20 <= 3 * 7 = 21"),
        (Row(1, 1, "mixed", 18, 15, 3), "18 <= 18, 15 <= 3 * 5 = 15"),
        (Row(1, 1, "older", 20, 0, 0), "no children, no caregiver needed"),
    ],
)
def test_exactly_at_a_limit_is_allowed(row: Row, why: str) -> None:
    assert check(row) == [], why


def test_class_size_uses_the_larger_of_approved_slots_and_enrolled() -> None:
    violations = check(
        Row(1, 7, "infant", 11, 9, 4),  # 11 approved > 10
        Row(2, 7, "toddler", 12, 16, 4),  # 16 enrolled > 15; ratio 16 <= 4 * 5 = 20
        Row(3, 7, "older", 21, 0, 0),  # approved 21 > 20 even with nobody enrolled
    )
    assert violations == [
        Violation(7, 1, "class_size", "infant", 10, 11),
        Violation(7, 2, "class_size", "toddler", 15, 16),
        Violation(7, 3, "class_size", "older", 20, 21),
    ]


def test_a_ratio_breach_reports_the_capacity_of_the_caregivers_and_the_children_enrolled() -> None:
    # 托大班 1:7 with 2 caregivers: capacity 14; 15 enrolled breaches it.
    # 乳儿班 1:3 with 2 caregivers: capacity 6; 7 enrolled breaches it.
    violations = check(Row(1, 1, "older", 20, 15, 2), Row(2, 2, "infant", 10, 7, 2))
    assert violations == [
        Violation(1, 1, "ratio", "older", 14, 15),
        Violation(2, 2, "ratio", "infant", 6, 7),
    ]
    assert all(isinstance(v.limit, float) and isinstance(v.actual, float) for v in violations)


def test_children_without_any_caregiver_breach_the_ratio() -> None:
    assert check(Row(1, 1, "toddler", 10, 1, 0)) == [Violation(1, 1, "ratio", "toddler", 0, 1)]


def test_a_class_can_break_both_rules() -> None:
    # 混龄班: 19 > 18 children and 19 > 3 * 5 = 15
    assert check(Row(4, 2, "mixed", 18, 19, 3)) == [
        Violation(2, 4, "class_size", "mixed", 18, 19),
        Violation(2, 4, "ratio", "mixed", 15, 19),
    ]


def test_a_family_point_with_6_children_is_too_big() -> None:
    # Two classes of 3 children: 6 > 5. Carers 1 + 1 = 2, capacity 2 * 3 = 6: ratio fine.
    violations = check(Row(1, 9, "mixed", 3, 3, 1, family=True), Row(2, 9, "toddler", 3, 3, 1, family=True))
    assert violations == [Violation(9, None, "family_point_size", None, 5, 6)]


def test_a_family_point_is_too_big_on_approved_places_alone() -> None:
    # Approved 6 > 5 though only 4 children are enrolled (2 carers: 4 <= 6).
    assert check(Row(1, 9, "mixed", 6, 4, 2, family=True)) == [
        Violation(9, None, "family_point_size", None, 5, 6)
    ]


def test_a_family_point_with_5_children_and_one_carer_breaches_the_ratio() -> None:
    # 5 <= 5 children, but 5 > 1 * 3
    assert check(Row(1, 9, "mixed", 5, 5, 1, family=True)) == [
        Violation(9, None, "family_point_ratio", None, 3, 5)
    ]


def test_a_family_point_exactly_at_its_limits_is_allowed() -> None:
    # 5 children, 2 carers: 5 <= 5 and 5 <= 2 * 3 = 6
    assert check(Row(1, 9, "infant", 3, 3, 1, family=True), Row(2, 9, "older", 2, 2, 1, family=True)) == []


def test_family_point_classes_are_not_held_to_the_class_rules() -> None:
    # With loose family-point limits, an infant class of 12 children and 2 carers passes:
    # as an ordinary class it would break 12 > 10 and 12 > 2 * 3 = 6.
    config = StandardsConfig(family_point_max_children=30, family_point_children_per_carer=10)
    row = Row(1, 9, "infant", 12, 12, 2, family=True)
    assert check(row, config=config) == []
    assert [v.rule for v in check(Row(1, 9, "infant", 12, 12, 2))] == ["class_size", "ratio"]


def test_a_custom_config_changes_the_outcome() -> None:
    # 混龄班 of 18 children and 3 caregivers: 18 > 3 * 5 = 15 by default, 18 <= 3 * 6 with 1:6.
    row = Row(1, 1, "mixed", 18, 18, 3)
    assert check(row) == [Violation(1, 1, "ratio", "mixed", 15, 18)]
    rules = {**StandardsConfig().class_rules, "mixed": ClassRule(max_children=18, children_per_caregiver=6)}
    assert check(row, config=StandardsConfig(class_rules=rules)) == []
    # A stricter family point: 4 children at most.
    point = Row(2, 2, "mixed", 5, 5, 2, family=True)
    assert check(point) == []
    assert check(point, config=StandardsConfig(family_point_max_children=4)) == [
        Violation(2, None, "family_point_size", None, 4, 5)
    ]


def test_a_class_type_without_a_configured_rule_raises() -> None:
    config = StandardsConfig(class_rules={"older": ClassRule(20, 7)})
    with pytest.raises(ValueError, match="no class rule configured for class type"):
        check(Row(1, 1, "infant", 5, 5, 2), config=config)
    # Family points do not need class rules.
    assert check(Row(1, 1, "infant", 3, 3, 1, family=True), config=config) == []


def test_malformed_loads_raise() -> None:
    good = loads([Row(1, 1, "older", 10, 10, 2)])
    with pytest.raises(ValueError, match="unequal length"):
        check_standards(
            ClassLoads(
                good.ids,
                good.institution_ids,
                good.class_type,
                good.approved_slots,
                good.enrolled,
                good.caregivers,
                np.zeros(0, np.bool_),
            )
        )
    with pytest.raises(ValueError, match="class_type codes"):
        check_standards(
            ClassLoads(
                good.ids,
                good.institution_ids,
                np.array([7], np.int8),
                good.approved_slots,
                good.enrolled,
                good.caregivers,
                good.family_point,
            )
        )
    with pytest.raises(ValueError, match="must not be negative"):
        ClassRule(-1, 3)


def test_violations_are_ordered_by_institution_then_class_and_counted_per_institution() -> None:
    violations = check(
        Row(30, 3, "older", 25, 25, 1),  # size 25 > 20; ratio 25 > 7
        Row(10, 1, "infant", 10, 4, 1),  # ratio 4 > 3
        Row(21, 2, "mixed", 6, 6, 1, family=True),  # family point 2: 6 > 5, 6 > 3
        Row(5, 1, "toddler", 15, 15, 3),  # fine
        Row(20, 2, "mixed", 0, 0, 0, family=True),
    )
    assert [(v.institution_id, v.class_id, v.rule) for v in violations] == [
        (1, 10, "ratio"),
        (2, None, "family_point_size"),
        (2, None, "family_point_ratio"),
        (3, 30, "class_size"),
        (3, 30, "ratio"),
    ]
    assert violation_counts_by_institution(violations) == {1: 1, 2: 2, 3: 2}
    assert violation_counts_by_institution([]) == {}


def test_many_classes_are_checked_in_one_pass() -> None:
    # 10,000 托大班 of 21 children and 3 caregivers: every one breaks the size (21 > 20),
    # none the ratio (21 <= 21).
    n = 10_000
    many = ClassLoads(
        ids=np.arange(n, dtype=np.int64),
        institution_ids=np.arange(n, dtype=np.int64) // 4,
        class_type=np.full(n, codes.code_index(codes.CLASS_TYPES, "older"), dtype=np.int8),
        approved_slots=np.full(n, 20, dtype=np.int64),
        enrolled=np.full(n, 21, dtype=np.int64),
        caregivers=np.full(n, 3, dtype=np.int64),
        family_point=np.zeros(n, dtype=np.bool_),
    )
    violations = check_standards(many)
    assert len(violations) == n
    assert {v.rule for v in violations} == {"class_size"}
    assert violation_counts_by_institution(violations) == {i: 4 for i in range(n // 4)}
