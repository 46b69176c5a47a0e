"""Spatial accessibility of childcare slots: 2SFCA, E2SFCA and childcare deserts.

The two-step floating catchment area method (2SFCA, Luo & Wang 2003) measures, for each
demand zone, the childcare slots per child it can reach, taking into account that the
same slots are also reached by the children of neighbouring zones:

1. for each supply point ``j``, the ratio ``R_j = S_j / sum_i(D_i * w(c_ij))`` of its
   slots ``S_j`` to the (weighted) children ``D_i`` of every zone ``i`` that reaches it;
2. for each demand zone ``i``, the access ``A_i = sum_j(R_j * w(c_ij))`` over the supply
   points it reaches.

Plain 2SFCA weighs every pair with cost ``c_ij <= max_cost`` by 1. The enhanced method
(E2SFCA, Luo & Qi 2009) replaces that single step by a few distance-decay steps, e.g.
``1000:1,2000:0.68,3000:0.22``; the weights apply in both steps.

The results equal those of PySAL ``access`` 1.1 (``Access.two_stage_fca`` and
``Access.enhanced_two_stage_fca`` with ``weights.step_fn``, not normalised), with the
same conventions:

* a pair is within reach when ``cost <= max_cost`` (``access/fca.py``,
  ``weighted_catchment``: ``temp[cost] <= max_cost``);
* a step ``upper:weight`` covers the costs ``<= upper`` and above the previous step's
  upper bound; costs above the last step weigh 0 (``access/weights.py``, ``step_fn``:
  ``key_to_test <= k``);
* every listed pair counts, so a pair listed twice counts twice;
* a supply point whose catchment holds no weighted demand has ratio
  ``S_j / 0``: PySAL gets ``inf`` when ``S_j > 0`` and ``NaN`` (skipped by its sums, so
  contributing 0) when ``S_j == 0``; a pair of weight 0 contributes ``inf * 0 = NaN``,
  skipped as well. Here no division by zero happens, but the values are the same: such a
  supply point gives ``inf`` to the zones that reach it with a positive weight, which
  necessarily have zero demand, and nothing to the others. Zones with demand never get
  ``inf``.

The one deliberate difference: PySAL leaves ``NaN`` for a demand zone without any pair
within reach; here its access is 0.

Pure Python + numpy + scipy: no Django. Every function works on whole arrays (no loop over
pairs), gives the same result for the same input, and raises :class:`ValueError` naming
the argument for inputs of the wrong shape, negative or non-finite values and indices out
of range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ScalarT = TypeVar("ScalarT", bound=np.generic)

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), in metres, for great-circle distances."""

DEFAULT_CIRCUITY = 1.3
"""Typical ratio of road distance to straight-line distance in a Chinese county."""

# Slack on the k-d tree search radius, so that the exact haversine test decides every
# pair near the limit (the chord and the haversine formula round differently).
_SEARCH_SLACK = 1e-9

# Up to this many steps, step weights are found by comparisons rather than a binary search.
_FEW_STEPS = 8


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Steps:
    """Distance-decay steps: a cost ``<= upper[i]`` and ``> upper[i - 1]`` weighs ``weights[i]``.

    ``upper`` is strictly ascending and positive (``inf`` allowed as the last bound);
    ``weights`` are in [0, 1]. Costs above ``upper[-1]`` weigh 0. Arrays are converted to
    float64 and validated on construction.
    """

    upper: FloatArray
    weights: FloatArray

    def __post_init__(self) -> None:
        upper = np.array(self.upper, dtype=np.float64)
        weights = np.array(self.weights, dtype=np.float64)
        if upper.ndim != 1 or upper.size == 0:
            raise ValueError(f"steps: upper must be a non-empty 1-D array, got shape {upper.shape}")
        if weights.shape != upper.shape:
            raise ValueError(
                f"steps: weights must match upper in length, got {weights.shape} and {upper.shape}"
            )
        if np.isnan(upper).any() or not np.all(upper > 0):
            raise ValueError("steps: every upper bound must be a number greater than 0")
        if upper.size > 1 and not np.all(np.diff(upper) > 0):
            raise ValueError("steps: upper bounds must be strictly ascending")
        if not np.all((weights >= 0) & (weights <= 1)):
            raise ValueError("steps: every weight must be between 0 and 1")
        upper.flags.writeable = False
        weights.flags.writeable = False
        object.__setattr__(self, "upper", upper)
        object.__setattr__(self, "weights", weights)

    @property
    def max_cost(self) -> float:
        """The last upper bound: costs above it weigh 0."""
        return float(self.upper[-1])

    def weight_of(self, cost: FloatArray) -> FloatArray:
        """The weight of each cost (0 above the last step); costs must not be NaN."""
        cost_a = np.asarray(cost, dtype=np.float64)
        if self.upper.size > _FEW_STEPS:
            index = np.searchsorted(self.upper, cost_a, side="left")
        else:
            # Count the bounds each cost is above: a few comparisons beat a binary search.
            index = np.zeros(cost_a.shape, dtype=np.intp)
            for bound in self.upper:
                index += cost_a > bound
        return np.append(self.weights, 0.0).take(index)


def parse_steps(text: str) -> Steps:
    """Steps written as ``"1000:1,2000:0.68,3000:0.22"`` (``upper:weight``, ascending).

    Spaces around the parts are ignored. Raises :class:`ValueError` naming the part that
    is not ``number:number``, has a bound that is not positive or not above the previous
    one, or a weight outside [0, 1].
    """
    if not text.strip():
        raise ValueError("steps: empty; expected upper:weight parts such as 1000:1,2000:0.68")
    upper: list[float] = []
    weights: list[float] = []
    for raw in text.split(","):
        part = raw.strip()
        pieces = part.split(":")
        if len(pieces) != 2:
            raise ValueError(f"steps: {part!r} is not upper:weight")
        try:
            bound, weight = float(pieces[0]), float(pieces[1])
        except ValueError:
            raise ValueError(f"steps: {part!r} is not upper:weight with two numbers") from None
        if not (math.isfinite(bound) and bound > 0):
            raise ValueError(f"steps: {part!r} needs an upper bound greater than 0")
        if upper and bound <= upper[-1]:
            raise ValueError(f"steps: {part!r} must have an upper bound above the previous {upper[-1]:g}")
        if not (0 <= weight <= 1):
            raise ValueError(f"steps: {part!r} needs a weight between 0 and 1")
        upper.append(bound)
        weights.append(weight)
    return Steps(np.array(upper), np.array(weights))


def single_step(max_cost: float) -> Steps:
    """The one step of plain 2SFCA: weight 1 up to ``max_cost`` (> 0) inclusive."""
    return Steps(np.array([max_cost], dtype=np.float64), np.array([1.0]))


@dataclass(frozen=True, eq=False)
class CostPairs:
    """Sparse origin -> destination costs; only the pairs listed are reachable.

    ``origin`` indexes the demand array, ``dest`` the supply array; ``cost`` is in
    metres or minutes, finite and ``>= 0``. Arrays are converted (int64 / float64) and
    costs checked on construction; the indices are checked by the functions that use
    them, on the pairs they use (those in reach): a pass over millions of pairs that are
    out of reach anyway would cost more than the accessibility itself.
    """

    origin: IntArray
    dest: IntArray
    cost: FloatArray
    # Largest cost, found by the check.
    cost_max: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        origin = _index_array(self.origin, "pairs.origin")
        dest = _index_array(self.dest, "pairs.dest")
        cost = np.asarray(self.cost, dtype=np.float64)
        if cost.ndim != 1:
            raise ValueError(f"pairs.cost must be a 1-D array, got shape {cost.shape}")
        if not origin.size == dest.size == cost.size:
            raise ValueError(
                "pairs.origin, pairs.dest and pairs.cost must have the same length, "
                f"got {origin.size}, {dest.size} and {cost.size}"
            )
        object.__setattr__(self, "origin", origin)
        object.__setattr__(self, "dest", dest)
        object.__setattr__(self, "cost", cost)
        object.__setattr__(self, "cost_max", _largest_amount(cost, "pairs.cost"))

    def __len__(self) -> int:
        return int(self.cost.size)


def _index_array(values: IntArray, name: str) -> IntArray:
    """``values`` as an int64 array of row indices (not yet checked against any table)."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {array.shape}")
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer row indices, got dtype {array.dtype}")
    if array.dtype.kind == "u" and array.dtype.itemsize == 8 and int(array.max()) > np.iinfo(np.int64).max:
        raise ValueError(f"{name} holds an index too large for int64")
    return np.asarray(array, dtype=np.int64)


# Bit patterns of float64 read as uint64: the non-negative finite numbers are exactly those
# below the pattern of +inf, in the same order as the numbers.
_INF_BITS = int(np.array(np.inf).view(np.uint64))


def _largest_amount(array: FloatArray, name: str) -> float:
    """The largest value of a float64 array that must be finite and ``>= 0`` (0 when empty)."""
    if array.size == 0:
        return 0.0
    bits = array.view(np.uint64).max()
    if int(bits) < _INF_BITS:
        return float(bits.view(np.float64))
    # Negative, infinite or NaN somewhere, or only a harmless -0.0: decide exactly.
    if not (array.min() >= 0 and array.max() < np.inf):
        raise ValueError(f"{name} must be finite and not negative")
    return float(array.max())


def _amounts(values: FloatArray, name: str) -> FloatArray:
    """A 1-D float64 array of finite values ``>= 0``."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {array.shape}")
    _largest_amount(array, name)
    return array


def _check_fits(origin: IntArray, dest: IntArray, n_demand: int, n_supply: int) -> None:
    """The indices of the pairs in use point at rows that exist."""
    for indices, n, name, what in (
        (origin, n_demand, "pairs.origin", "demand zones"),
        (dest, n_supply, "pairs.dest", "supply points"),
    ):
        if not indices.size:
            continue
        # One pass: read as unsigned, a negative index becomes larger than any valid one.
        largest = int(indices.view(np.uint64).max())
        if largest > np.iinfo(np.int64).max:
            raise ValueError(f"{name} must not hold negative indices")
        if largest >= n:
            raise ValueError(f"{name} holds index {largest}, but there are only {n} {what}")


def _limit(max_cost: float, name: str = "max_cost") -> float:
    limit = float(max_cost)
    if math.isnan(limit) or limit < 0:
        raise ValueError(f"{name} must be a number not below 0, got {max_cost!r}")
    return limit


def _in_reach(pairs: CostPairs, limit: float) -> IntArray | None:
    """Rows of the pairs with ``cost <= limit``; ``None`` when that is every row."""
    if pairs.cost_max <= limit:
        return None
    return np.flatnonzero(pairs.cost <= limit)


def _rows(values: npt.NDArray[ScalarT], rows: IntArray | None) -> npt.NDArray[ScalarT]:
    """The given ``rows`` of ``values`` (all of them for ``None``)."""
    return values if rows is None else values.take(rows)


# --------------------------------------------------------------------------------------
# Straight-line costs
# --------------------------------------------------------------------------------------


def haversine_m(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> FloatArray:
    """Great-circle distance in metres between points given in degrees (element-wise)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = np.radians(np.asarray(lon2) - np.asarray(lon1)) / 2
    a = np.sin(half_dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64)


def _positions(lat: FloatArray, lon: FloatArray, what: str) -> tuple[FloatArray, FloatArray]:
    lat_a = np.asarray(lat, dtype=np.float64)
    lon_a = np.asarray(lon, dtype=np.float64)
    if lat_a.ndim != 1 or lon_a.shape != lat_a.shape:
        raise ValueError(
            f"{what}_lat and {what}_lon must be 1-D arrays of the same length, "
            f"got shapes {lat_a.shape} and {lon_a.shape}"
        )
    if not np.all(np.isfinite(lon_a)):
        raise ValueError(f"{what}_lon must be finite")
    if not np.all((lat_a >= -90) & (lat_a <= 90)):
        raise ValueError(f"{what}_lat must be between -90 and 90 degrees")
    return lat_a, lon_a


def _unit_vectors(lat: FloatArray, lon: FloatArray) -> FloatArray:
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))


def straight_line_pairs(
    origin_lat: FloatArray,
    origin_lon: FloatArray,
    dest_lat: FloatArray,
    dest_lon: FloatArray,
    *,
    max_cost: float,
    circuity: float = DEFAULT_CIRCUITY,
) -> CostPairs:
    """Pairs whose great-circle distance times ``circuity`` is at most ``max_cost`` metres.

    Positions are in degrees. The cost is the haversine distance (:func:`haversine_m`)
    multiplied by ``circuity`` (>= 1), an estimate of the road distance. Candidates come
    from k-d trees over unit vectors on the sphere (the chord length grows with the arc
    length), so only nearby pairs are ever computed. Pairs are sorted by origin, then
    destination.
    """
    o_lat, o_lon = _positions(origin_lat, origin_lon, "origin")
    d_lat, d_lon = _positions(dest_lat, dest_lon, "dest")
    limit = _limit(max_cost)
    if not math.isfinite(limit):
        raise ValueError(f"max_cost must be finite, got {max_cost!r}")
    detour = float(circuity)
    if not (math.isfinite(detour) and detour >= 1):
        raise ValueError(f"circuity must be a finite number of at least 1, got {circuity!r}")
    empty = CostPairs(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    if o_lat.size == 0 or d_lat.size == 0:
        return empty
    angle = limit / (detour * EARTH_RADIUS_M)
    chord = 2.0 if angle >= math.pi else 2 * math.sin(angle / 2)
    radius = chord * (1 + _SEARCH_SLACK) + _SEARCH_SLACK
    origin_tree = cKDTree(_unit_vectors(o_lat, o_lon))
    dest_tree = cKDTree(_unit_vectors(d_lat, d_lon))
    found = origin_tree.sparse_distance_matrix(dest_tree, radius, output_type="ndarray")
    origin = np.asarray(found["i"], dtype=np.int64)
    dest = np.asarray(found["j"], dtype=np.int64)
    cost = haversine_m(o_lat[origin], o_lon[origin], d_lat[dest], d_lon[dest]) * detour
    keep = cost <= limit
    origin, dest, cost = origin[keep], dest[keep], cost[keep]
    order = np.lexsort((dest, origin))
    return CostPairs(origin[order], dest[order], cost[order])


# --------------------------------------------------------------------------------------
# Floating catchments
# --------------------------------------------------------------------------------------


def two_step_fca(demand: FloatArray, supply: FloatArray, pairs: CostPairs, *, max_cost: float) -> FloatArray:
    """Plain 2SFCA: supply per unit of demand reachable from each demand zone.

    Every pair with ``cost <= max_cost`` weighs 1 in both steps. ``demand`` and
    ``supply`` are finite and ``>= 0``; ``pairs`` index them. Returns one value per demand
    zone: 0 where nothing is in reach, ``inf`` for a zone with zero demand that reaches a
    supply point no zone with demand reaches (as PySAL ``access``; see the module notes).
    """
    demand_a, supply_a = _amounts(demand, "demand"), _amounts(supply, "supply")
    rows = _in_reach(pairs, _limit(max_cost))
    origin, dest = _rows(pairs.origin, rows), _rows(pairs.dest, rows)
    _check_fits(origin, dest, demand_a.size, supply_a.size)
    return _floating_catchment(demand_a, supply_a, origin, dest, None)


def enhanced_two_step_fca(
    demand: FloatArray,
    supply: FloatArray,
    pairs: CostPairs,
    *,
    steps: Steps,
    max_cost: float | None = None,
) -> FloatArray:
    """E2SFCA: like :func:`two_step_fca`, each pair weighted by its step in both steps.

    Costs above ``steps.max_cost`` weigh 0; with ``max_cost``, costs above it are left
    out as well (PySAL's ``max_cost`` applied along with the weight function).
    """
    demand_a, supply_a = _amounts(demand, "demand"), _amounts(supply, "supply")
    limit = steps.max_cost if max_cost is None else min(_limit(max_cost), steps.max_cost)
    rows = _in_reach(pairs, limit)
    weight = steps.weight_of(_rows(pairs.cost, rows))
    # Every cost in reach falls in some step, so only a step of weight 0 can give one.
    if np.any(steps.weights <= 0) and not np.all(weight > 0):
        # Pairs of weight 0 add nothing to either step; leaving them out also avoids inf * 0.
        positive = np.flatnonzero(weight > 0)
        rows = positive if rows is None else rows.take(positive)
        weight = weight.take(positive)
    origin, dest = _rows(pairs.origin, rows), _rows(pairs.dest, rows)
    _check_fits(origin, dest, demand_a.size, supply_a.size)
    return _floating_catchment(demand_a, supply_a, origin, dest, weight)


def _floating_catchment(
    demand: FloatArray, supply: FloatArray, origin: IntArray, dest: IntArray, weight: FloatArray | None
) -> FloatArray:
    """Both steps over the pairs in reach, each of positive ``weight`` (``None``: all 1)."""
    pulled = demand.take(origin)
    if weight is not None:
        pulled *= weight
    catchment_demand = np.bincount(dest, weights=pulled, minlength=supply.size)
    ratio = np.zeros(supply.size)
    served = catchment_demand > 0
    np.divide(supply, catchment_demand, out=ratio, where=served)
    ratio[~served & (supply > 0)] = np.inf  # S / 0, as PySAL: only zero-demand zones reach it
    contribution = ratio.take(dest)
    if weight is not None:
        contribution *= weight
    return np.bincount(origin, weights=contribution, minlength=demand.size).astype(np.float64, copy=False)


def supply_in_reach(supply: FloatArray, pairs: CostPairs, n_demand: int, *, max_cost: float) -> FloatArray:
    """The plain sum of supply within ``max_cost`` of each demand zone (no competition)."""
    supply_a = _amounts(supply, "supply")
    if n_demand < 0:
        raise ValueError(f"n_demand must not be negative, got {n_demand}")
    rows = _in_reach(pairs, _limit(max_cost))
    origin, dest = _rows(pairs.origin, rows), _rows(pairs.dest, rows)
    _check_fits(origin, dest, n_demand, supply_a.size)
    reached = supply_a.take(dest)
    return np.bincount(origin, weights=reached, minlength=n_demand).astype(np.float64, copy=False)


# --------------------------------------------------------------------------------------
# Childcare deserts
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DesertRule:
    """When a zone counts as a childcare desert (see :func:`find_deserts`)."""

    min_children: float = 50.0
    max_children_per_slot: float = 3.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.min_children) and self.min_children >= 0):
            raise ValueError(f"min_children must be a finite number >= 0, got {self.min_children!r}")
        if not (math.isfinite(self.max_children_per_slot) and self.max_children_per_slot > 0):
            raise ValueError(
                f"max_children_per_slot must be a finite number > 0, got {self.max_children_per_slot!r}"
            )


def find_deserts(
    children: FloatArray, supply_in_reach: FloatArray, access: FloatArray, *, rule: DesertRule
) -> BoolArray:
    """Zones with at least ``rule.min_children`` children and too few slots in reach.

    A zone is a desert when it has ``children >= rule.min_children`` and either no slot
    within reach (``supply_in_reach == 0``, from :func:`supply_in_reach`) or fewer than
    ``1 / rule.max_children_per_slot`` slots per child once neighbouring zones' children
    are counted (``access``, from :func:`two_step_fca` or :func:`enhanced_two_step_fca`).
    """
    children_a = _amounts(children, "children")
    reach_a = _amounts(supply_in_reach, "supply_in_reach")
    access_a = np.asarray(access, dtype=np.float64)
    if access_a.ndim != 1:
        raise ValueError(f"access must be a 1-D array, got shape {access_a.shape}")
    if not np.all(access_a >= 0):
        raise ValueError("access must not be negative or NaN")
    if not children_a.size == reach_a.size == access_a.size:
        raise ValueError(
            "children, supply_in_reach and access must have the same length, "
            f"got {children_a.size}, {reach_a.size} and {access_a.size}"
        )
    short = (reach_a == 0) | (access_a < 1.0 / rule.max_children_per_slot)
    return np.asarray((children_a >= rule.min_children) & short, dtype=np.bool_)
