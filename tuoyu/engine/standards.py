"""National rules for childcare classes, checked against the registry.

Source: 托育机构设置标准(试行) and 托育机构管理规范(试行), 2019. The numbers are
configuration (:class:`StandardsConfig`) with the national values as defaults:

=========  ======  =======  ============  =================
type       中文     ages     max children  caregiver : child
=========  ======  =======  ============  =================
infant     乳儿班   6–12 m   10            1 : 3
toddler    托小班   12–24 m  15            1 : 5
older      托大班   24–36 m  20            1 : 7
mixed      混龄班   18–36 m  18            1 : 5 (by default)
=========  ======  =======  ============  =================

A 家庭托育点 (family childcare point) is judged as a whole instead: at most 5 children,
and 1 carer per 3 children or fewer.

Pure Python + numpy, no Django; detection is vectorised and only violating rows become
:class:`Violation` objects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

import numpy as np
import numpy.typing as npt

from tuoyu.engine import codes

IntArray = npt.NDArray[np.int64]
SmallIntArray = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]

RULES: tuple[str, ...] = ("class_size", "ratio", "family_point_size", "family_point_ratio")
"""Rule codes, in the order violations of one record are listed."""


@dataclass(frozen=True)
class ClassRule:
    """Limits for one class type."""

    max_children: int
    children_per_caregiver: int

    def __post_init__(self) -> None:
        if self.max_children < 0 or self.children_per_caregiver < 0:
            raise ValueError("class limits must not be negative")


def _national_class_rules() -> dict[str, ClassRule]:
    return {
        "infant": ClassRule(max_children=10, children_per_caregiver=3),
        "toddler": ClassRule(max_children=15, children_per_caregiver=5),
        "older": ClassRule(max_children=20, children_per_caregiver=7),
        "mixed": ClassRule(max_children=18, children_per_caregiver=5),
    }


@dataclass(frozen=True)
class StandardsConfig:
    """The limits checked; defaults are the 2019 national values."""

    class_rules: dict[str, ClassRule] = field(default_factory=_national_class_rules)
    family_point_max_children: int = 5
    family_point_children_per_carer: int = 3


@dataclass(frozen=True)
class ClassLoads:
    """One row per class: its size, its children and the caregivers assigned to it."""

    ids: IntArray
    institution_ids: IntArray
    class_type: SmallIntArray  # index into codes.CLASS_TYPES
    approved_slots: IntArray
    enrolled: IntArray
    caregivers: IntArray
    family_point: BoolArray  # the institution's form is 家庭托育点


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``class_id`` and ``class_type`` are ``None`` for the rules of a
    family point, which apply to the institution as a whole."""

    institution_id: int
    class_id: int | None
    rule: str  # one of RULES
    class_type: str | None
    limit: float
    actual: float


def check_standards(loads: ClassLoads, config: StandardsConfig = StandardsConfig()) -> list[Violation]:
    """Every violation of the class and family-point rules.

    For a class outside a family point:

    * ``class_size``: ``max(approved_slots, enrolled)`` exceeds the type's
      ``max_children`` (``actual`` is that maximum);
    * ``ratio``: ``enrolled`` exceeds ``caregivers * children_per_caregiver`` (``limit``);
      a class with children and no caregiver always violates.

    For a family point, summing its classes (``class_id`` ``None``):

    * ``family_point_size``: total enrolled, or total approved slots, exceeds
      ``family_point_max_children`` (``actual`` is the larger of the two);
    * ``family_point_ratio``: total enrolled exceeds total caregivers ×
      ``family_point_children_per_carer``.

    Exactly at a limit is allowed. Violations are ordered by institution id, then the
    family-point rules before the class rules, then class id, then rule as in
    :data:`RULES`. A class type used outside family points without a rule in
    ``config.class_rules``, arrays of unequal length or codes out of range raise
    :class:`ValueError`.
    """
    lengths = {f.name: len(getattr(loads, f.name)) for f in fields(loads)}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"class loads: arrays of unequal length {lengths}")
    ids = np.asarray(loads.ids, dtype=np.int64)
    institution_ids = np.asarray(loads.institution_ids, dtype=np.int64)
    class_type = np.asarray(loads.class_type, dtype=np.int64)
    approved = np.asarray(loads.approved_slots, dtype=np.int64)
    enrolled = np.asarray(loads.enrolled, dtype=np.int64)
    caregivers = np.asarray(loads.caregivers, dtype=np.int64)
    family = np.asarray(loads.family_point, dtype=np.bool_)
    if class_type.size and (class_type.min() < 0 or class_type.max() >= len(codes.CLASS_TYPES)):
        raise ValueError(f"class loads: class_type codes must be in 0..{len(codes.CLASS_TYPES) - 1}")

    violations: list[Violation] = []

    # Classes outside family points.
    regular = ~family
    unknown = [
        codes.CLASS_TYPES[t]
        for t in np.unique(class_type[regular])
        if codes.CLASS_TYPES[t] not in config.class_rules
    ]
    if unknown:
        raise ValueError(f"no class rule configured for class type(s) {', '.join(unknown)}")
    max_children = np.array(
        [_rule_value(config, t, "max_children") for t in codes.CLASS_TYPES], dtype=np.int64
    )
    per_caregiver = np.array(
        [_rule_value(config, t, "children_per_caregiver") for t in codes.CLASS_TYPES], dtype=np.int64
    )
    size = np.maximum(approved, enrolled)
    size_limit = max_children[class_type]
    ratio_limit = caregivers * per_caregiver[class_type]
    for rule, broken, limit, actual in (
        ("class_size", regular & (size > size_limit), size_limit, size),
        ("ratio", regular & (enrolled > ratio_limit), ratio_limit, enrolled),
    ):
        rows = np.flatnonzero(broken)
        violations.extend(
            Violation(
                institution_id=i,
                class_id=c,
                rule=rule,
                class_type=codes.CLASS_TYPES[t],
                limit=lim,
                actual=act,
            )
            for i, c, t, lim, act in zip(
                institution_ids[rows].tolist(),
                ids[rows].tolist(),
                class_type[rows].tolist(),
                limit[rows].astype(np.float64).tolist(),
                actual[rows].astype(np.float64).tolist(),
                strict=True,
            )
        )

    # Family points, as a whole.
    if family.any():
        points, which = np.unique(institution_ids[family], return_inverse=True)

        def total(values: IntArray) -> IntArray:
            return np.bincount(which, weights=values[family], minlength=points.size).astype(np.int64)

        point_enrolled = total(enrolled)
        point_size = np.maximum(total(approved), point_enrolled)
        point_limit = total(caregivers) * config.family_point_children_per_carer
        max_limit = np.full(points.size, config.family_point_max_children, dtype=np.int64)
        for rule, broken, limit, actual in (
            ("family_point_size", point_size > config.family_point_max_children, max_limit, point_size),
            ("family_point_ratio", point_enrolled > point_limit, point_limit, point_enrolled),
        ):
            rows = np.flatnonzero(broken)
            violations.extend(
                Violation(institution_id=i, class_id=None, rule=rule, class_type=None, limit=lim, actual=act)
                for i, lim, act in zip(
                    points[rows].tolist(),
                    limit[rows].astype(np.float64).tolist(),
                    actual[rows].astype(np.float64).tolist(),
                    strict=True,
                )
            )

    violations.sort(
        key=lambda v: (v.institution_id, v.class_id is not None, v.class_id or 0, RULES.index(v.rule))
    )
    return violations


def violation_counts_by_institution(violations: Iterable[Violation]) -> dict[int, int]:
    """Number of violations per institution id (institutions without any are absent)."""
    return dict(Counter(v.institution_id for v in violations))


def _rule_value(config: StandardsConfig, class_type: str, attribute: str) -> int:
    """A limit of the rule for ``class_type``; 0 when none is configured (such classes are
    rejected before the limit is used)."""
    rule = config.class_rules.get(class_type)
    return 0 if rule is None else int(getattr(rule, attribute))
