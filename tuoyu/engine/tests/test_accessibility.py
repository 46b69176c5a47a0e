"""Tests for 2SFCA / E2SFCA accessibility, straight-line costs and childcare deserts.

The small networks are computed by hand in the tests; random networks check properties
(more slots never lower anyone's access, demand-weighted access adds up to the slots,
scaling demand scales access) and, when PySAL ``access`` is installed (a benchmark-only
dependency), agreement with it.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuoyu.engine.accessibility import (
    EARTH_RADIUS_M,
    CostPairs,
    DesertRule,
    Steps,
    enhanced_two_step_fca,
    find_deserts,
    haversine_m,
    parse_steps,
    single_step,
    straight_line_pairs,
    supply_in_reach,
    two_step_fca,
)

FloatArray = npt.NDArray[np.float64]

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
E2SFCA_STEPS = "1000:1,2000:0.68,3000:0.22"


def pairs_of(*rows: tuple[int, int, float]) -> CostPairs:
    """Pairs from ``(origin, dest, cost)`` rows."""
    if not rows:
        return CostPairs(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    origin, dest, cost = zip(*rows, strict=True)
    return CostPairs(np.array(origin), np.array(dest), np.array(cost, dtype=np.float64))


def starts_with(text: str) -> str:
    """A ``match=`` pattern for a message that begins with ``text``."""
    return "^" + re.escape(text)


@contextmanager
def no_warnings() -> Iterator[None]:
    """Fail on any floating-point problem (division by zero, inf * 0) or warning."""
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --------------------------------------------------------------------------------------
# A small network, by hand
# --------------------------------------------------------------------------------------

# Zones A, B, C, D with 60, 40, 15 and 30 children; centres S1, S2, S3 with 20, 30, 10 slots.
A, B, C, D = 0, 1, 2, 3
S1, S2, S3 = 0, 1, 2
CHILDREN = np.array([60.0, 40.0, 15.0, 30.0])
SLOTS = np.array([20.0, 30.0, 10.0])
NETWORK = pairs_of(
    (A, S1, 800.0),
    (A, S2, 1500.0),
    (B, S1, 1200.0),
    (B, S2, 2500.0),
    (C, S3, 500.0),
    (D, S2, 3200.0),
)


def test_two_step_fca_matches_the_hand_computation() -> None:
    # Within 2000 m: S1 is reached by A and B, S2 by A only, S3 by C; D reaches nothing.
    r1 = 20 / (60 + 40)  # 0.2 slots per child at S1
    r2 = 30 / 60  # 0.5 at S2
    r3 = 10 / 15
    access = two_step_fca(CHILDREN, SLOTS, NETWORK, max_cost=2000)
    assert access.tolist() == pytest.approx([r1 + r2, r1, r3, 0.0], rel=1e-12)
    assert access.tolist() == pytest.approx([0.7, 0.2, 2 / 3, 0.0], rel=1e-12)


def test_enhanced_two_step_fca_weighs_both_steps_by_the_distance_steps() -> None:
    # Weights: A-S1 800 m -> 1, A-S2 1500 m -> 0.68, B-S1 1200 m -> 0.68,
    # B-S2 2500 m -> 0.22, C-S3 500 m -> 1, D-S2 3200 m -> 0 (beyond the last step).
    r1 = 20 / (60 * 1 + 40 * 0.68)  # 20 / 87.2
    r2 = 30 / (60 * 0.68 + 40 * 0.22)  # 30 / 49.6
    r3 = 10 / (15 * 1)
    expected = [1 * r1 + 0.68 * r2, 0.68 * r1 + 0.22 * r2, 1 * r3, 0.0]
    access = enhanced_two_step_fca(CHILDREN, SLOTS, NETWORK, steps=parse_steps(E2SFCA_STEPS))
    assert access.tolist() == pytest.approx(expected, rel=1e-12)
    assert access[A] == pytest.approx(0.229358 + 0.411290, abs=1e-6)


def test_enhanced_two_step_fca_leaves_out_costs_above_max_cost() -> None:
    # With max_cost 2000 the 0.22 step (B-S2 at 2500 m) is out: S2 is reached by A alone.
    r1 = 20 / (60 * 1 + 40 * 0.68)
    r2 = 30 / (60 * 0.68)
    expected = [r1 + 0.68 * r2, 0.68 * r1, 10 / 15, 0.0]
    access = enhanced_two_step_fca(CHILDREN, SLOTS, NETWORK, steps=parse_steps(E2SFCA_STEPS), max_cost=2000)
    assert access.tolist() == pytest.approx(expected, rel=1e-12)


def test_supply_in_reach_adds_the_slots_within_max_cost_without_competition() -> None:
    reach = supply_in_reach(SLOTS, NETWORK, 4, max_cost=2000)
    assert reach.tolist() == [20 + 30, 20, 10, 0]


def test_one_step_of_weight_one_is_plain_two_step_fca() -> None:
    steps = single_step(2000)
    plain = two_step_fca(CHILDREN, SLOTS, NETWORK, max_cost=2000)
    enhanced = enhanced_two_step_fca(CHILDREN, SLOTS, NETWORK, steps=steps)
    assert enhanced.tolist() == plain.tolist()


# --------------------------------------------------------------------------------------
# Boundaries
# --------------------------------------------------------------------------------------


def test_a_cost_exactly_on_a_step_takes_that_steps_weight() -> None:
    steps = parse_steps("1000:1,2000:0.5")
    costs = np.array([0.0, 1000.0, np.nextafter(1000.0, np.inf), 2000.0, np.nextafter(2000.0, np.inf)])
    assert steps.weight_of(costs).tolist() == [1.0, 1.0, 0.5, 0.5, 0.0]


def test_a_zone_exactly_at_the_step_bound_counts_fully_and_just_beyond_it_by_the_next_weight() -> None:
    # One centre of 30 slots; zone X (10 children) and zone Y (20 children, 500 m away).
    steps = parse_steps("1000:1,2000:0.5")
    children, slots = np.array([10.0, 20.0]), np.array([30.0])
    # X at exactly 1000 m weighs 1: 30 / (10 + 20) = 1 slot per child for both.
    on_bound = enhanced_two_step_fca(children, slots, pairs_of((0, 0, 1000.0), (1, 0, 500.0)), steps=steps)
    assert on_bound.tolist() == pytest.approx([1.0, 1.0], rel=1e-12)
    # X just beyond weighs 0.5: R = 30 / (0.5 * 10 + 20) = 1.2; X gets 0.5 * 1.2, Y 1.2.
    beyond = np.nextafter(1000.0, np.inf)
    past = enhanced_two_step_fca(children, slots, pairs_of((0, 0, beyond), (1, 0, 500.0)), steps=steps)
    assert past.tolist() == pytest.approx([0.6, 1.2], rel=1e-12)


def test_a_cost_equal_to_max_cost_is_in_reach_and_one_just_above_is_not() -> None:
    children, slots = np.array([10.0, 20.0]), np.array([30.0])
    pairs = pairs_of((0, 0, 1500.0), (1, 0, np.nextafter(1500.0, np.inf)))
    # Only zone 0 is in reach: 30 / 10 = 3 slots per child.
    assert two_step_fca(children, slots, pairs, max_cost=1500).tolist() == [3.0, 0.0]
    assert enhanced_two_step_fca(children, slots, pairs, steps=single_step(1500)).tolist() == [3.0, 0.0]
    assert supply_in_reach(slots, pairs, 2, max_cost=1500).tolist() == [30.0, 0.0]


def test_many_steps_weigh_like_the_step_rule() -> None:
    upper = np.arange(1, 21, dtype=np.float64) * 150.0
    weights = np.linspace(1.0, 0.05, 20)
    steps = Steps(upper, weights)
    costs = np.concatenate([upper, upper + 0.5, upper - 0.5, [0.0, 5000.0]])

    def rule(cost: float) -> float:
        for bound, weight in zip(upper.tolist(), weights.tolist(), strict=True):
            if cost <= bound:
                return weight
        return 0.0

    assert steps.weight_of(costs).tolist() == [rule(c) for c in costs.tolist()]


# --------------------------------------------------------------------------------------
# Unreachable supply and zero demand
# --------------------------------------------------------------------------------------


def test_zones_and_centres_without_pairs_in_reach_get_and_give_nothing() -> None:
    # Zone 1 has no pair; zone 2 only a pair beyond max_cost; centre 1 is reached by nobody.
    children, slots = np.array([10.0, 20.0, 30.0]), np.array([5.0, 100.0])
    pairs = pairs_of((0, 0, 100.0), (2, 0, 5000.0))
    with no_warnings():
        access = two_step_fca(children, slots, pairs, max_cost=1000)
        enhanced = enhanced_two_step_fca(children, slots, pairs, steps=parse_steps("500:1,1000:0.5"))
    assert access.tolist() == [0.5, 0.0, 0.0]  # 5 / 10
    assert enhanced.tolist() == [0.5, 0.0, 0.0]


def test_no_pairs_at_all_gives_zero_access_everywhere() -> None:
    children, slots = np.array([10.0, 20.0]), np.array([5.0])
    assert two_step_fca(children, slots, pairs_of(), max_cost=1000).tolist() == [0.0, 0.0]
    assert enhanced_two_step_fca(children, slots, pairs_of(), steps=single_step(10)).tolist() == [0.0, 0.0]


def test_a_centre_reached_only_by_zones_without_children_gives_them_infinite_access_as_pysal() -> None:
    # Centre 0 (8 slots) is reached only by zone 0, which has no children: 8 / 0 -> inf.
    # Zone 1 has children and reaches centre 1 (4 slots) alone: 4 / 5.
    children, slots = np.array([0.0, 5.0]), np.array([8.0, 4.0])
    pairs = pairs_of((0, 0, 100.0), (1, 1, 100.0))
    with no_warnings():
        access = two_step_fca(children, slots, pairs, max_cost=1000)
    assert access.tolist() == [math.inf, 0.8]


def test_a_centre_without_slots_and_without_children_in_reach_adds_nothing() -> None:
    # 0 slots / 0 children is NaN in PySAL, which its sums skip: access 0, not NaN.
    children, slots = np.array([0.0, 5.0]), np.array([0.0, 4.0])
    pairs = pairs_of((0, 0, 100.0), (0, 1, 100.0), (1, 1, 100.0))
    with no_warnings():
        access = two_step_fca(children, slots, pairs, max_cost=1000)
    # Zone 0 shares centre 1 with zone 1: R = 4 / (0 + 5) = 0.8 for both.
    assert access.tolist() == [0.8, 0.8]


def test_a_zone_without_children_sharing_a_centre_gets_the_centres_ratio() -> None:
    children, slots = np.array([0.0, 20.0]), np.array([10.0])
    pairs = pairs_of((0, 0, 100.0), (1, 0, 100.0))
    assert two_step_fca(children, slots, pairs, max_cost=1000).tolist() == [0.5, 0.5]


def test_a_pair_of_weight_zero_gives_nothing_even_from_a_centre_without_children() -> None:
    # Zone 0 reaches centre 0 in a step of weight 0: PySAL's inf * 0 is NaN, skipped -> 0.
    steps = parse_steps("1000:1,2000:0")
    children, slots = np.array([0.0, 0.0]), np.array([8.0])
    pairs = pairs_of((0, 0, 1500.0), (1, 0, 500.0))
    with no_warnings():
        access = enhanced_two_step_fca(children, slots, pairs, steps=steps)
    assert access.tolist() == [0.0, math.inf]


def test_a_pair_listed_twice_counts_twice_as_in_pysal() -> None:
    children, slots = np.array([10.0]), np.array([30.0])
    # R = 30 / (10 + 10) = 1.5, summed twice: 3 = 30 / 10.
    twice = pairs_of((0, 0, 100.0), (0, 0, 100.0))
    assert two_step_fca(children, slots, twice, max_cost=1000).tolist() == [3.0]
    assert supply_in_reach(slots, twice, 1, max_cost=1000).tolist() == [60.0]


# --------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("demand", "supply", "pairs", "max_cost", "named"),
    [
        ([-1.0, 2.0], [1.0], pairs_of((0, 0, 1.0)), 10.0, "demand"),
        ([np.nan, 2.0], [1.0], pairs_of((0, 0, 1.0)), 10.0, "demand"),
        ([[1.0, 2.0]], [1.0], pairs_of((0, 0, 1.0)), 10.0, "demand"),
        ([1.0, 2.0], [np.inf], pairs_of((0, 0, 1.0)), 10.0, "supply"),
        ([1.0, 2.0], [-3.0], pairs_of((0, 0, 1.0)), 10.0, "supply"),
        ([1.0, 2.0], [1.0], pairs_of((2, 0, 1.0)), 10.0, "pairs.origin"),
        ([1.0, 2.0], [1.0], pairs_of((1, 1, 1.0)), 10.0, "pairs.dest"),
        ([1.0, 2.0], [1.0], pairs_of((0, 0, 1.0)), -1.0, "max_cost"),
        ([1.0, 2.0], [1.0], pairs_of((0, 0, 1.0)), math.nan, "max_cost"),
    ],
)
def test_bad_inputs_raise_value_errors_naming_the_argument(
    demand: Any, supply: Any, pairs: CostPairs, max_cost: float, named: str
) -> None:
    with pytest.raises(ValueError, match=starts_with(f"{named} ")):
        two_step_fca(np.asarray(demand), np.asarray(supply), pairs, max_cost=max_cost)
    if named != "max_cost":
        with pytest.raises(ValueError, match=starts_with(f"{named} ")):
            enhanced_two_step_fca(np.asarray(demand), np.asarray(supply), pairs, steps=single_step(10))


@pytest.mark.parametrize(
    ("origin", "dest", "cost", "named"),
    [
        ([0, 1], [0], [1.0], "pairs.origin, pairs.dest and pairs.cost"),
        ([0], [0], [1.0, 2.0], "pairs.origin, pairs.dest and pairs.cost"),
        ([0.0], [0], [1.0], "pairs.origin"),
        ([0], [0], [-1.0], "pairs.cost"),
        ([0], [0], [np.nan], "pairs.cost"),
        ([0], [0], [np.inf], "pairs.cost"),
        ([[0]], [0], [1.0], "pairs.origin"),
    ],
)
def test_cost_pairs_reject_bad_arrays_naming_them(origin: Any, dest: Any, cost: Any, named: str) -> None:
    with pytest.raises(ValueError, match=starts_with(f"{named} ")):
        CostPairs(np.asarray(origin), np.asarray(dest), np.asarray(cost))


def test_cost_pairs_accept_other_integer_types_and_negative_zero() -> None:
    pairs = CostPairs(
        np.array([1, 0], dtype=np.uint16), np.array([0, 2], dtype=np.int32), np.array([-0.0, 5.0])
    )
    assert pairs.origin.dtype == np.int64 and pairs.dest.dtype == np.int64
    assert (pairs.cost_max, len(pairs)) == (5.0, 2)
    assert two_step_fca(np.array([1.0, 1.0]), np.array([2.0, 0.0, 0.0]), pairs, max_cost=0).tolist() == [
        0.0,
        2.0,
    ]


def test_supply_in_reach_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match=starts_with("n_demand ")):
        supply_in_reach(SLOTS, NETWORK, -1, max_cost=1)
    with pytest.raises(ValueError, match=starts_with("pairs.origin ")):
        supply_in_reach(SLOTS, NETWORK, 3, max_cost=5000)


@pytest.mark.parametrize(
    ("origin", "dest", "named"),
    [
        ([-1], [0], "pairs.origin"),
        ([0], [-2], "pairs.dest"),
        (np.array([0], dtype=np.int32) - 1, [0], "pairs.origin"),
        ([5], [0], "pairs.origin"),
        ([0], [3], "pairs.dest"),
    ],
)
def test_an_index_in_reach_that_points_nowhere_is_refused_naming_it(
    origin: Any, dest: Any, named: str
) -> None:
    pairs = CostPairs(np.asarray(origin), np.asarray(dest), np.array([100.0]))
    demand, supply = np.ones(2), np.ones(3)
    for compute in (
        lambda: two_step_fca(demand, supply, pairs, max_cost=1000),
        lambda: enhanced_two_step_fca(demand, supply, pairs, steps=single_step(1000)),
        lambda: supply_in_reach(supply, pairs, 2, max_cost=1000),
    ):
        with pytest.raises(ValueError, match=starts_with(f"{named} ")):
            compute()


def test_pairs_out_of_reach_are_not_looked_at() -> None:
    # The second pair points nowhere but lies beyond the catchment: it changes nothing.
    pairs = CostPairs(np.array([0, 7]), np.array([0, 9]), np.array([100.0, 5000.0]))
    assert two_step_fca(np.ones(1), np.full(1, 4.0), pairs, max_cost=1000).tolist() == [4.0]


# --------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------


def test_parse_steps_reads_upper_bounds_and_weights() -> None:
    steps = parse_steps(" 1000:1, 2000:0.68 ,3000:0.22")
    assert steps.upper.tolist() == [1000.0, 2000.0, 3000.0]
    assert steps.weights.tolist() == [1.0, 0.68, 0.22]
    assert steps.max_cost == 3000.0


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("1000", "'1000'"),
        ("1000:1,2000", "'2000'"),
        ("1000:1:2", "'1000:1:2'"),
        ("1000:x", "'1000:x'"),
        ("near:1", "'near:1'"),
        ("0:1", "'0:1'"),
        ("-5:1", "'-5:1'"),
        ("inf:1", "'inf:1'"),
        ("1000:1,1000:0.5", "'1000:0.5'"),
        ("2000:1,1000:0.5", "'1000:0.5'"),
        ("1000:1.5", "'1000:1.5'"),
        ("1000:-0.1", "'1000:-0.1'"),
        ("1000:nan", "'1000:nan'"),
        ("1000:1,,2000:0.5", "''"),
    ],
)
def test_parse_steps_names_the_bad_part(text: str, part: str) -> None:
    with pytest.raises(ValueError, match=starts_with(f"steps: {part} ")):
        parse_steps(text)


def test_parse_steps_rejects_empty_text() -> None:
    with pytest.raises(ValueError, match=starts_with("steps: empty")):
        parse_steps("  ")


@pytest.mark.parametrize(
    ("upper", "weights"),
    [([], []), ([1000.0], [1.0, 0.5]), ([1000.0, 1000.0], [1.0, 0.5]), ([0.0], [1.0]), ([10.0], [2.0])],
)
def test_steps_check_their_arrays(upper: list[float], weights: list[float]) -> None:
    with pytest.raises(ValueError, match=starts_with("steps: ")):
        Steps(np.array(upper), np.array(weights))


def test_single_step_is_one_step_of_weight_one() -> None:
    steps = single_step(1500)
    assert (steps.upper.tolist(), steps.weights.tolist()) == ([1500.0], [1.0])
    with pytest.raises(ValueError, match=starts_with("steps: ")):
        single_step(0)


# --------------------------------------------------------------------------------------
# Properties on random networks
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Network:
    children: FloatArray
    slots: FloatArray
    pairs: CostPairs


# Costs on a 250 m grid, so that many pairs sit exactly on a step or on max_cost.
COSTS = st.integers(0, 16).map(lambda k: 250.0 * k)
MAX_COST = 3000.0


@st.composite
def networks(draw: st.DrawFn, *, children_min: int = 0, every_centre_reached: bool = False) -> Network:
    n_zones = draw(st.integers(1, 7))
    n_centres = draw(st.integers(1, 5))
    children = draw(st.lists(st.integers(children_min, 200), min_size=n_zones, max_size=n_zones))
    slots = draw(st.lists(st.integers(0, 80), min_size=n_centres, max_size=n_centres))
    listed = draw(
        st.dictionaries(
            st.tuples(st.integers(0, n_zones - 1), st.integers(0, n_centres - 1)), COSTS, max_size=20
        )
    )
    if every_centre_reached:
        for centre in range(n_centres):
            zone = draw(st.integers(0, n_zones - 1))
            listed[(zone, centre)] = draw(st.integers(0, int(MAX_COST // 250)).map(lambda k: 250.0 * k))
    rows = sorted(listed.items())
    pairs = CostPairs(
        np.array([zone for (zone, _), _ in rows], dtype=np.int64),
        np.array([centre for (_, centre), _ in rows], dtype=np.int64),
        np.array([cost for _, cost in rows], dtype=np.float64),
    )
    return Network(np.array(children, dtype=np.float64), np.array(slots, dtype=np.float64), pairs)


def both_methods(network: Network, slots: FloatArray | None = None) -> list[FloatArray]:
    supply = network.slots if slots is None else slots
    return [
        two_step_fca(network.children, supply, network.pairs, max_cost=MAX_COST),
        enhanced_two_step_fca(network.children, supply, network.pairs, steps=parse_steps(E2SFCA_STEPS)),
    ]


@PROPERTY_SETTINGS
@given(networks(), st.data())
def test_adding_supply_never_lowers_anyones_access(network: Network, data: st.DataObject) -> None:
    extra = np.array(
        data.draw(st.lists(st.integers(0, 50), min_size=network.slots.size, max_size=network.slots.size))
    )
    with no_warnings():
        before = both_methods(network)
        after = both_methods(network, network.slots + extra)
    for old, new in zip(before, after, strict=True):
        assert np.all(new >= old * (1 - 1e-12))


@PROPERTY_SETTINGS
@given(networks(children_min=1, every_centre_reached=True))
def test_demand_weighted_access_adds_up_to_the_slots_when_every_centre_is_reached(network: Network) -> None:
    # sum_i D_i A_i = sum_j R_j * sum_i D_i w_ij = sum_j S_j, as long as each W_j > 0.
    for access in both_methods(network):
        assert float(network.children @ access) == pytest.approx(float(network.slots.sum()), rel=1e-9)


@PROPERTY_SETTINGS
@given(networks(), st.sampled_from([0.25, 0.5, 2.0, 3.0, 10.0]))
def test_scaling_demand_by_k_scales_access_by_one_over_k(network: Network, k: float) -> None:
    scaled = Network(network.children * k, network.slots, network.pairs)
    for access, access_k in zip(both_methods(network), both_methods(scaled), strict=True):
        np.testing.assert_allclose(access_k, access / k, rtol=1e-12, atol=0)


@PROPERTY_SETTINGS
@given(networks(), st.randoms(use_true_random=False))
def test_the_order_of_the_pairs_does_not_matter(network: Network, random: Any) -> None:
    order = list(range(len(network.pairs)))
    random.shuffle(order)
    p = network.pairs
    shuffled = Network(
        network.children, network.slots, CostPairs(p.origin[order], p.dest[order], p.cost[order])
    )
    for access, access_shuffled in zip(both_methods(network), both_methods(shuffled), strict=True):
        np.testing.assert_allclose(access_shuffled, access, rtol=1e-12, atol=1e-15)


@PROPERTY_SETTINGS
@given(networks())
def test_access_is_finite_wherever_there_are_children(network: Network) -> None:
    for access in both_methods(network):
        assert np.all(access >= 0)
        assert np.all(np.isfinite(access[network.children > 0]))


# --------------------------------------------------------------------------------------
# Agreement with PySAL access
# --------------------------------------------------------------------------------------


def random_network(seed: int) -> Network:
    """Zones with and without children, centres with and without slots, costs on steps."""
    rng = np.random.default_rng(seed)
    n_zones, n_centres = int(rng.integers(5, 30)), int(rng.integers(2, 12))
    children = rng.integers(0, 120, size=n_zones).astype(np.float64)
    children[rng.random(n_zones) < 0.2] = 0.0
    slots = rng.integers(0, 60, size=n_centres).astype(np.float64)
    everything = np.array([(i, j) for i in range(n_zones) for j in range(n_centres)])
    listed = everything[rng.random(len(everything)) < 0.5]
    cost = rng.uniform(0, 4000, size=len(listed))
    on_step = rng.random(len(listed)) < 0.3
    cost[on_step] = rng.choice([1000.0, 2000.0, 2500.0, 3000.0], size=int(on_step.sum()))
    return Network(children, slots, CostPairs(listed[:, 0], listed[:, 1], cost))


def pysal_access(network: Network, method: str, max_cost: float, steps: str | None) -> FloatArray:
    """PySAL's access for every zone, NaN (no centre in reach) read as 0."""
    access_module = pytest.importorskip("access")
    pd = pytest.importorskip("pandas")
    zones = [f"z{i}" for i in range(network.children.size)]
    centres = [f"s{j}" for j in range(network.slots.size)]
    model = access_module.Access(
        demand_df=pd.DataFrame({"children": network.children}, index=pd.Index(zones, name="geoid")),
        demand_value="children",
        supply_df=pd.DataFrame({"slots": network.slots}, index=pd.Index(centres, name="geoid")),
        supply_value="slots",
        cost_df=pd.DataFrame(
            {
                "origin": [zones[i] for i in network.pairs.origin.tolist()],
                "dest": [centres[j] for j in network.pairs.dest.tolist()],
                "cost": network.pairs.cost,
            }
        ),
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    if method == "2sfca":
        table = model.two_stage_fca(name="a", max_cost=max_cost)
    else:
        parsed = parse_steps(steps or "")
        weight_fn = access_module.weights.step_fn(
            dict(zip(parsed.upper.tolist(), parsed.weights.tolist(), strict=True))
        )
        table = model.enhanced_two_stage_fca(name="a", max_cost=max_cost, weight_fn=weight_fn)
    return np.asarray(table["a_slots"].reindex(zones).fillna(0.0).to_numpy(), dtype=np.float64)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("max_cost", [2000.0, 3500.0])
def test_two_step_fca_agrees_with_pysal_access(seed: int, max_cost: float) -> None:
    network = random_network(seed)
    ours = two_step_fca(network.children, network.slots, network.pairs, max_cost=max_cost)
    np.testing.assert_allclose(ours, pysal_access(network, "2sfca", max_cost, None), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("steps", "max_cost"), [(E2SFCA_STEPS, 3000.0), ("1000:1,2500:0.5,3000:0", 2200.0)])
def test_enhanced_two_step_fca_agrees_with_pysal_access(seed: int, steps: str, max_cost: float) -> None:
    network = random_network(seed)
    ours = enhanced_two_step_fca(
        network.children, network.slots, network.pairs, steps=parse_steps(steps), max_cost=max_cost
    )
    expected = pysal_access(network, "e2sfca", max_cost, steps)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)


def test_infinite_access_of_zones_without_children_agrees_with_pysal_access() -> None:
    network = Network(np.array([0.0, 5.0]), np.array([8.0, 4.0]), pairs_of((0, 0, 100.0), (1, 1, 100.0)))
    ours = two_step_fca(network.children, network.slots, network.pairs, max_cost=1000)
    assert pysal_access(network, "2sfca", 1000, None).tolist() == ours.tolist() == [math.inf, 0.8]


# --------------------------------------------------------------------------------------
# Straight-line costs
# --------------------------------------------------------------------------------------


def brute_force_pairs(
    o_lat: list[float],
    o_lon: list[float],
    d_lat: list[float],
    d_lon: list[float],
    max_cost: float,
    circuity: float,
) -> dict[tuple[int, int], float]:
    """Every pair's haversine cost, one pair at a time, kept when <= max_cost."""
    found: dict[tuple[int, int], float] = {}
    for i, (lat1, lon1) in enumerate(zip(o_lat, o_lon, strict=True)):
        for j, (lat2, lon2) in enumerate(zip(d_lat, d_lon, strict=True)):
            phi1, phi2 = math.radians(lat1), math.radians(lat2)
            a = (
                math.sin((phi2 - phi1) / 2) ** 2
                + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
            )
            cost = 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a)) * circuity
            if cost <= max_cost:
                found[(i, j)] = cost
    return found


def linhai_points(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    return rng.uniform(28.70, 29.00, size=n), rng.uniform(120.85, 121.60, size=n)


@pytest.mark.parametrize(("max_cost", "circuity"), [(4000.0, 1.3), (12000.0, 1.0), (0.0, 1.3)])
def test_straight_line_pairs_match_a_brute_force_haversine(max_cost: float, circuity: float) -> None:
    rng = np.random.default_rng(7)
    o_lat, o_lon = linhai_points(rng, 60)
    d_lat, d_lon = linhai_points(rng, 25)
    pairs = straight_line_pairs(o_lat, o_lon, d_lat, d_lon, max_cost=max_cost, circuity=circuity)
    expected = brute_force_pairs(
        o_lat.tolist(), o_lon.tolist(), d_lat.tolist(), d_lon.tolist(), max_cost, circuity
    )
    assert expected or max_cost == 0
    keys = list(zip(pairs.origin.tolist(), pairs.dest.tolist(), strict=True))
    found = dict(zip(keys, pairs.cost.tolist(), strict=True))
    assert found.keys() == expected.keys()
    for key, cost in expected.items():
        assert found[key] == pytest.approx(cost, rel=1e-12, abs=1e-6)
    assert keys == sorted(keys)


def test_straight_line_pairs_keep_a_pair_exactly_at_max_cost() -> None:
    rng = np.random.default_rng(3)
    o_lat, o_lon = linhai_points(rng, 30)
    d_lat, d_lon = linhai_points(rng, 10)
    cost = haversine_m(o_lat[4:5], o_lon[4:5], d_lat[6:7], d_lon[6:7])[0] * 1.3
    pairs = straight_line_pairs(o_lat, o_lon, d_lat, d_lon, max_cost=float(cost))
    kept = set(zip(pairs.origin.tolist(), pairs.dest.tolist(), strict=True))
    assert (4, 6) in kept
    assert float(pairs.cost.max()) <= cost


def test_haversine_measures_one_degree_of_latitude() -> None:
    metres = haversine_m(np.array([28.0]), np.array([121.0]), np.array([29.0]), np.array([121.0]))
    assert metres[0] == pytest.approx(EARTH_RADIUS_M * math.pi / 180, rel=1e-12)


def test_straight_line_pairs_of_no_points_are_empty() -> None:
    pairs = straight_line_pairs(np.zeros(0), np.zeros(0), np.array([28.8]), np.array([121.1]), max_cost=1e6)
    assert len(pairs) == 0


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"origin_lat": np.array([91.0])}, "origin_lat"),
        ({"dest_lon": np.array([np.nan])}, "dest_lon"),
        ({"origin_lon": np.array([121.0, 121.1])}, "origin_lat and origin_lon"),
        ({"max_cost": -1.0}, "max_cost"),
        ({"max_cost": math.inf}, "max_cost"),
        ({"circuity": 0.9}, "circuity"),
    ],
)
def test_straight_line_pairs_check_their_arguments(arguments: dict[str, Any], named: str) -> None:
    given_arguments: dict[str, Any] = {
        "origin_lat": np.array([28.8]),
        "origin_lon": np.array([121.1]),
        "dest_lat": np.array([28.9]),
        "dest_lon": np.array([121.2]),
        "max_cost": 5000.0,
    }
    given_arguments.update(arguments)
    with pytest.raises(ValueError, match=starts_with(f"{named} ")):
        straight_line_pairs(**given_arguments)


# --------------------------------------------------------------------------------------
# Childcare deserts
# --------------------------------------------------------------------------------------


def test_deserts_are_zones_with_enough_children_and_no_slot_or_too_few_slots_per_child() -> None:
    children = np.array([60.0, 60.0, 60.0, 49.0, 50.0, 60.0])
    in_reach = np.array([0.0, 10.0, 10.0, 0.0, 10.0, 10.0])
    access = np.array([0.0, 0.3, 1 / 3, 0.0, 0.2, math.inf])
    deserts = find_deserts(children, in_reach, access, rule=DesertRule())
    # no slot | 0.3 < 1/3 | exactly 1/3 is enough | 49 < 50 children | 50 counts | plenty
    assert deserts.tolist() == [True, True, False, False, True, False]


def test_a_stricter_rule_finds_more_deserts() -> None:
    children, in_reach, access = np.array([30.0, 80.0]), np.array([5.0, 40.0]), np.array([0.4, 0.45])
    assert find_deserts(children, in_reach, access, rule=DesertRule()).tolist() == [False, False]
    strict = DesertRule(min_children=20, max_children_per_slot=2)  # at least 0.5 slots per child
    assert find_deserts(children, in_reach, access, rule=strict).tolist() == [True, True]


def test_deserts_of_the_small_network() -> None:
    # 2SFCA within 2000 m: A 0.7, B 0.2, C 2/3, D 0 (nothing in reach).
    access = two_step_fca(CHILDREN, SLOTS, NETWORK, max_cost=2000)
    in_reach = supply_in_reach(SLOTS, NETWORK, 4, max_cost=2000)
    deserts = find_deserts(CHILDREN, in_reach, access, rule=DesertRule(min_children=20))
    assert deserts.tolist() == [False, True, False, True]  # B short of slots, D without any


@pytest.mark.parametrize(
    ("children", "in_reach", "access", "named"),
    [
        ([1.0, 2.0], [1.0], [1.0], "children, supply_in_reach and access"),
        ([-1.0], [1.0], [1.0], "children"),
        ([1.0], [np.nan], [1.0], "supply_in_reach"),
        ([1.0], [1.0], [np.nan], "access"),
        ([1.0], [1.0], [-0.5], "access"),
    ],
)
def test_find_deserts_checks_its_arrays(children: Any, in_reach: Any, access: Any, named: str) -> None:
    with pytest.raises(ValueError, match=starts_with(f"{named} ")):
        find_deserts(np.asarray(children), np.asarray(in_reach), np.asarray(access), rule=DesertRule())


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"min_children": -1.0}, "min_children"),
        ({"min_children": math.nan}, "min_children"),
        ({"max_children_per_slot": 0.0}, "max_children_per_slot"),
        ({"max_children_per_slot": math.inf}, "max_children_per_slot"),
    ],
)
def test_desert_rules_check_their_values(arguments: dict[str, float], named: str) -> None:
    with pytest.raises(ValueError, match=starts_with(f"{named} ")):
        DesertRule(**arguments)
