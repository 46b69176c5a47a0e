"""The expansion planner's problem and result types.

:mod:`tuoyu.engine.expansion` is the entry point and re-exports the public names here.
:func:`tuoyu.engine.expansion_prepare.prepare` validates a :class:`PlanProblem` and turns
it into the arrays the optimisation model is built from (:class:`PreparedProblem`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from tuoyu.engine import codes
from tuoyu.engine.indicators import (
    BoolArray,
    CertificationRules,
    FloatArray,
    IndicatorReport,
    IntArray,
    RegistrySnapshot,
    SmallIntArray,
    Targets,
)

ACTION_KINDS: tuple[str, ...] = ("kindergarten_class", "expand", "site_class", "designate")
"""Kinds of candidate action; ``Candidates.kind`` holds positions in this tuple."""

KINDERGARTEN_CLASS, EXPAND, SITE_CLASS, DESIGNATE = range(len(ACTION_KINDS))

OPEN_SITE = "open_site"
"""Kind of the :class:`PlannedAction` that opens a new community-embedded site."""

PLAN_CODES: tuple[str, ...] = ("slots_per_1000", "kindergarten_share", "puhui_share", "young_infant_share")
"""Indicator codes the planner can enforce, in the order reasons and shortfalls list them."""

SITE_FORM = codes.code_index(codes.FORMS, "community")
"""Form of the institution an opened site becomes (社区嵌入式)."""


def national_class_caps() -> dict[str, int]:
    """Children per class allowed by the 2019 national standard, per class type."""
    return {"infant": 10, "toddler": 15, "older": 20, "mixed": 18}


@dataclass(frozen=True)
class NewSites:
    """Candidate places for new institutions in the registry: community-embedded sites
    (社区嵌入式), or kindergartens that do not yet take children under 3 and could open
    托班 (托幼一体化)."""

    ids: IntArray
    township_ids: IntArray
    fixed_cost: FloatArray  # CNY to open the site
    puhui: BoolArray  # opens as 普惠 (公办, or designated from the start)
    monthly_fee: FloatArray  # full-day fee, CNY per month, for all its classes
    latitude: FloatArray
    longitude: FloatArray
    form: SmallIntArray | None = None  # index into codes.FORMS; None: every site is "community"
    max_units: IntArray | None = None  # classes the site holds in all; negative or None: no such limit

    def form_codes(self) -> IntArray:
        """The form of each site as an index into ``codes.FORMS``."""
        if self.form is None:
            return np.full(np.asarray(self.ids).size, SITE_FORM, dtype=np.int64)
        return np.asarray(self.form, dtype=np.int64)


@dataclass(frozen=True)
class Candidates:
    """One row per candidate action."""

    ids: IntArray
    kind: SmallIntArray  # index into ACTION_KINDS
    institution_ids: IntArray  # existing institution; -1 for site_class
    site_ids: IntArray  # NewSites id for site_class; -1 otherwise
    class_type: SmallIntArray  # index into codes.CLASS_TYPES; -1 for designate
    slots_per_unit: FloatArray  # children per class; 0 for designate
    max_units: IntArray  # classes that can open; 1 for designate
    unit_cost: FloatArray  # CNY per class; for designate the whole subsidy


@dataclass(frozen=True)
class PlanTargets:
    """The thresholds a plan must meet in every township; ``None`` leaves one out."""

    slots_per_1000_min: float = 280.0
    kindergarten_share_min: float = 0.65
    puhui_share_min: float = 0.90
    young_infant_share_min: float | None = None
    class_caps: Mapping[str, int] = field(default_factory=national_class_caps)


@dataclass(frozen=True)
class Coverage:
    """Demand zones for the budget form: which candidates reach the children of which zone."""

    zone_ids: IntArray
    weights: FloatArray  # children to reach in each zone
    zone_rows: IntArray  # pairs (zone row, candidate row): the candidate is within the zone's catchment
    candidate_rows: IntArray


@dataclass(frozen=True)
class PlanProblem:
    """Everything a plan is computed from.

    ``snapshot`` is the registry as planned for, its townships carrying the plan year's
    children; planned classes, sites and designations start on ``as_of``. With ``budget``
    set the budget form is solved (``coverage`` is used only then).
    """

    snapshot: RegistrySnapshot
    as_of: dt.date
    targets: PlanTargets
    candidates: Candidates
    sites: NewSites
    budget: float | None = None
    coverage: Coverage | None = None
    time_limit_seconds: float = 60.0
    mip_rel_gap: float = 0.0  # 0 = prove optimality
    certification: CertificationRules = field(default_factory=CertificationRules)


@dataclass(frozen=True)
class Reason:
    """Why a planned action is in the plan.

    ``code`` is a :data:`PLAN_CODES` indicator, ``"coverage"`` (budget form: a zone would
    no longer be reached without it) or ``"cost_mix"`` (no single target fails without it;
    the cheapest combination needs it). ``slots_missing_without`` is how many more slots
    that target would lack if the action were dropped (0 for ``coverage``/``cost_mix``):
    slots for ``slots_per_1000``, slots of the counted kind for a share. ``coverage`` and
    ``cost_mix`` reasons carry the action's own township. An action's reasons list the
    codes in :data:`PLAN_CODES` order, each township before the city, then ``coverage``.
    """

    code: str
    township_id: int | None  # None = citywide
    slots_missing_without: float


@dataclass(frozen=True)
class PlannedAction:
    """One chosen action: a candidate with its units, or the opening of a site.

    ``open_site`` has ``units`` 1, ``slots`` 0 (its classes carry the slots) and the
    site's fixed cost; dropping it (for its reasons) drops its classes too. Site actions
    have ``institution_id`` ``None``: the institution exists only in the planned registry.
    """

    kind: str  # one of ACTION_KINDS, or "open_site"
    candidate_id: int | None  # None for open_site
    township_id: int
    institution_id: int | None
    site_id: int | None
    class_type: str | None
    units: int
    slots: float  # slots added; for designate the existing and planned slots that become 普惠
    cost: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Shortfall:
    """A target not met after the plan, in the indicator's unit and in slots."""

    code: str
    township_id: int | None
    required: float
    achieved: float
    missing_slots: float


@dataclass(frozen=True)
class PlanResult:
    """The plan and the figures before and after it.

    ``status``: ``"optimal"`` (proven), ``"within_gap"`` (stopped at ``mip_rel_gap``),
    ``"time_limit"`` (feasible, not proven; a township without a plan found in time gets
    none), ``"shortfall"`` (the targets cannot all be met: the cheapest plan with the
    fewest missing slots), ``"budget"`` (budget form) or ``"nothing_needed"`` (every
    target already met; empty plan).

    ``objective`` is the primary objective of the form solved: the total cost (cost
    form), the total missing slots of the minimum-shortfall phase (``"shortfall"``), or
    the children reached (slots added without coverage data) in the budget form.
    ``mip_gap`` is the relative gap of the total cost (budget form: of the last phase).
    ``variables`` to ``nonzeros`` describe the whole model of the last phase (the cost
    form is handed to the solver township by township), ``solver_calls`` counts the calls
    to HiGHS, and ``proven_optimal`` is true when every call ended proven optimal.
    """

    status: str
    solver_message: str
    mip_gap: float | None
    total_cost: float
    objective: float
    units: IntArray  # aligned with candidates
    sites_opened: BoolArray  # aligned with sites
    actions: tuple[PlannedAction, ...]
    shortfalls: tuple[Shortfall, ...]
    before: IndicatorReport
    after: IndicatorReport
    children_reached: float | None
    solve_seconds: float
    variables: int = 0
    integer_variables: int = 0
    constraints: int = 0
    nonzeros: int = 0
    solver_calls: int = 0
    proven_optimal: bool = False


class PlanInputError(ValueError):
    """A problem that cannot be planned, located by record and field.

    ``path`` locates the value as in the JSON scenario (``"candidates[3].slots_per_unit"``),
    ``label`` names the record by its id (``"candidate 17"``).
    """

    def __init__(self, label: str, path: str, detail: str) -> None:
        self.label = label
        self.path = path
        self.detail = detail
        super().__init__(f"{label} ({path}): {detail}")


@dataclass(frozen=True)
class PreparedProblem:
    """A validated problem as arrays: rows are ``codes`` x townships.

    Candidate arrays are aligned with ``problem.candidates``. ``slots`` is 0 for
    designate; ``counts_puhui`` marks slots that are 普惠 whatever the plan designates;
    ``designator`` is the row of the designate candidate that would make the slots of an
    action at a 民办 non-普惠 institution 普惠 (-1 if none); ``existing`` is the counted
    slots a designation turns 普惠.
    """

    problem: PlanProblem
    as_of: dt.date
    before: IndicatorReport
    indicator_targets: Targets
    town_ids: IntArray
    children: FloatArray
    codes: tuple[str, ...]
    thresholds: FloatArray  # per code; the slots row's is per 1000 children
    baseline: FloatArray  # (codes, townships): numerator of each code before the plan
    slots_before: FloatArray  # per township
    kind: IntArray
    town: IntArray
    inst: IntArray  # institution row, -1 for site_class
    site: IntArray  # site row, -1 unless site_class
    slots: FloatArray
    max_units: IntArray
    cost: FloatArray
    kindergarten: BoolArray
    young: BoolArray
    counts_puhui: BoolArray
    designator: IntArray
    existing: FloatArray
    site_town: IntArray
    site_cost: FloatArray
    site_max_units: FloatArray  # classes each site holds in all (inf: no limit)

    def numerator_flags(self, code: str) -> BoolArray:
        """Candidates whose slots count in the numerator of ``code`` (without designation)."""
        if code == "slots_per_1000":
            return np.ones(self.kind.size, dtype=np.bool_)
        if code == "kindergarten_share":
            return self.kindergarten
        if code == "puhui_share":
            return self.counts_puhui
        return self.young

    def missing_scale(self, code: str) -> float:
        """Slots of the counted kind needed per slot of row deficit ``numerator - t * slots``."""
        if code == "slots_per_1000":
            return 1.0
        threshold = float(self.thresholds[self.codes.index(code)])
        return 1.0 - threshold if threshold < 1.0 else 1.0


def indicator_targets_for(targets: PlanTargets) -> Targets:
    """The indicator engine's targets with the planning thresholds in place."""
    return Targets(
        slots_per_1000_min=targets.slots_per_1000_min,
        kindergarten_share_min=targets.kindergarten_share_min,
        puhui_share_min=targets.puhui_share_min,
    )


def enforced_codes(targets: PlanTargets) -> tuple[tuple[str, ...], FloatArray]:
    """The codes a plan enforces and their thresholds."""
    pairs = [
        ("slots_per_1000", targets.slots_per_1000_min),
        ("kindergarten_share", targets.kindergarten_share_min),
        ("puhui_share", targets.puhui_share_min),
        ("young_infant_share", targets.young_infant_share_min),
    ]
    kept = [(code, float(value)) for code, value in pairs if value is not None]
    return tuple(code for code, _ in kept), np.array([value for _, value in kept], dtype=np.float64)


def find_rows(ids: IntArray, keys: IntArray) -> IntArray:
    """Row of each key in ``ids`` (unique), -1 where the key is not there."""
    ids = np.asarray(ids, dtype=np.int64)
    keys = np.asarray(keys, dtype=np.int64)
    if ids.size == 0:
        return np.full(keys.shape, -1, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    pos = np.minimum(np.searchsorted(ids[order], keys), ids.size - 1)
    return np.where(ids[order][pos] == keys, order[pos], -1).astype(np.int64)


def number(value: float) -> str:
    """A number as people write it: ``25`` rather than ``25.0``."""
    return f"{value:g}"
