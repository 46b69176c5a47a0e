"""Tests for p-median and maximal covering siting (``tuoyu.engine.siting``).

Small instances are checked against hand arithmetic and against brute force over every
choice of ``p`` sites; medium ones, where the relaxation has a gap and the reduction
matters, against the classic assignment formulation solved directly with HiGHS.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import numpy.typing as npt
import pytest
import scipy.optimize
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuoyu.engine.siting import SitingResult, max_covering, p_median

FloatArray = npt.NDArray[np.float64]

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INF = math.inf

# Five demand points and five candidate sites at the same places on a line: 0, 1, 2, 10, 11.
LINE = np.array([0.0, 1.0, 2.0, 10.0, 11.0])
LINE_COST = np.abs(LINE[:, None] - LINE[None, :])
LINE_WEIGHTS = np.array([1.0, 1.0, 1.0, 2.0, 3.0])


# --------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------


def brute_p_median(cost: FloatArray, weights: FloatArray, p: int) -> float | None:
    """The least total weighted cost over every choice of p sites; None when none serves all."""
    best: float | None = None
    for sites in itertools.combinations(range(cost.shape[1]), p):
        nearest = cost[:, list(sites)].min(axis=1)
        if not np.all(np.isfinite(nearest)):
            continue
        total = float(np.dot(weights, nearest))
        best = total if best is None else min(best, total)
    return best


def brute_max_covering(cost: FloatArray, weights: FloatArray, p: int, radius: float) -> float:
    covers = cost <= radius
    return max(
        float(weights[covers[:, list(sites)].any(axis=1)].sum())
        for sites in itertools.combinations(range(cost.shape[1]), p)
    )


def classic_p_median(cost: FloatArray, weights: FloatArray, p: int) -> float:
    """The assignment formulation (x_ij <= y_j, Σ_j x_ij = 1, Σ y = p) solved by HiGHS as is."""
    n, m = cost.shape
    x = np.arange(n * m).reshape(n, m) + m
    rows = [
        sp.csr_array((np.ones(n * m), (np.repeat(np.arange(n), m), x.ravel())), shape=(n, m + n * m)),
        sp.csr_array(
            (
                np.concatenate([np.ones(n * m), -np.ones(n * m)]),
                (np.tile(np.arange(n * m), 2), np.concatenate([x.ravel(), np.tile(np.arange(m), n)])),
            ),
            shape=(n * m, m + n * m),
        ),
        sp.csr_array((np.ones(m), (np.zeros(m, dtype=np.int64), np.arange(m))), shape=(1, m + n * m)),
    ]
    result = scipy.optimize.milp(
        np.concatenate([np.zeros(m), (weights[:, None] * cost).ravel()]),
        integrality=np.concatenate([np.ones(m), np.zeros(n * m)]),
        bounds=scipy.optimize.Bounds(0, 1),
        constraints=scipy.optimize.LinearConstraint(
            sp.vstack(rows),
            np.concatenate([np.ones(n), np.full(n * m, -np.inf), [p]]),
            np.concatenate([np.ones(n), np.zeros(n * m), [p]]),
        ),
        options={"mip_rel_gap": 0.0},
    )
    assert result.status == 0
    return float(result.fun)


def same(first: SitingResult, second: SitingResult) -> bool:
    """Field by field, arrays compared by value."""
    return (
        np.array_equal(first.facilities, second.facilities)
        and (first.objective, first.status, first.mip_gap)
        == (second.objective, second.status, second.mip_gap)
        and (
            first.assignment is second.assignment is None
            or (
                first.assignment is not None
                and second.assignment is not None
                and np.array_equal(first.assignment, second.assignment)
            )
        )
    )


def check_p_median_result(result: SitingResult, cost: FloatArray, weights: FloatArray, p: int) -> None:
    """Sites ascending and distinct, each row served by its cheapest chosen site, objective adding up."""
    facilities = result.facilities.tolist()
    assert facilities == sorted(set(facilities)) and len(facilities) == p
    assert result.status == "optimal"
    assert result.assignment is not None
    nearest = cost[:, facilities].min(axis=1)
    assert np.all(np.isin(result.assignment, facilities))
    assert np.array_equal(cost[np.arange(cost.shape[0]), result.assignment], nearest)
    assert result.objective == pytest.approx(float(np.dot(weights, nearest)), rel=1e-12, abs=1e-12)


def random_points(seed: int, n: int, m: int) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 100, (n, 2))
    sites = rng.uniform(0, 100, (m, 2))
    cost = np.hypot(demand[:, None, 0] - sites[None, :, 0], demand[:, None, 1] - sites[None, :, 1])
    return cost, rng.integers(1, 50, n).astype(np.float64)


# --------------------------------------------------------------------------------------
# Hand-computed instances
# --------------------------------------------------------------------------------------


def test_p_median_on_a_line_opens_the_middle_of_the_left_group_and_the_heavy_right_point() -> None:
    result = p_median(LINE_COST, LINE_WEIGHTS, p=2)
    # Sites 1 (at 1) and 4 (at 11): the left points pay 1 + 0 + 1, the point at 10 pays 1 × 2,
    # the one at 11 pays 0 — total 4. The runners-up cost 5: {1, 3} (the point at 11 pays 1 × 3),
    # {0, 4} and {2, 4} (0 + 1 + 2 on the left, plus 2).
    assert result.facilities.tolist() == [1, 4]
    assert result.objective == 4.0
    assert result.assignment is not None
    assert result.assignment.tolist() == [1, 1, 1, 4, 4]
    assert result.status == "optimal"
    assert result.mip_gap == pytest.approx(0.0, abs=1e-9)


def test_p_median_with_one_site_picks_the_weighted_median() -> None:
    # One site at 10: 10 + 9 + 8 + 0 + 1 × 3 = 30; at 11: 11 + 10 + 9 + 2 + 0 = 32;
    # at 2: 2 + 1 + 0 + 16 + 27 = 46.
    result = p_median(LINE_COST, LINE_WEIGHTS, p=1)
    assert result.facilities.tolist() == [3]
    assert result.objective == 30.0


def test_p_median_respects_pairs_that_are_not_allowed() -> None:
    cost = np.array([[1.0, 4.0, INF], [INF, 2.0, 3.0], [5.0, INF, 1.0]])
    weights = np.array([2.0, 1.0, 3.0])
    # {0, 1}: 1 × 2 + 2 × 1 + 5 × 3 = 19; {0, 2}: 1 × 2 + 3 × 1 + 1 × 3 = 8;
    # {1, 2}: 4 × 2 + 2 × 1 + 1 × 3 = 13.
    result = p_median(cost, weights, p=2)
    assert result.facilities.tolist() == [0, 2]
    assert result.objective == 8.0
    assert result.assignment is not None
    assert result.assignment.tolist() == [0, 2, 2]


def test_max_covering_on_a_line_covers_everything_with_two_sites() -> None:
    # Radius 1: site 1 covers the points at 0, 1, 2 (weight 3); sites 3 and 4 each cover the
    # points at 10 and 11 (weight 5). Two sites: 3 + 5 = 8, all of it.
    result = max_covering(LINE_COST, LINE_WEIGHTS, p=2, radius=1.0)
    assert result.objective == 8.0
    assert result.facilities.tolist() in ([1, 3], [1, 4])
    assert result.assignment is None
    assert result.status == "optimal"


def test_max_covering_with_one_site_takes_the_heavier_group() -> None:
    result = max_covering(LINE_COST, LINE_WEIGHTS, p=1, radius=1.0)
    assert result.objective == 5.0
    assert result.facilities.tolist() in ([3], [4])


def test_max_covering_radius_is_inclusive_and_missing_pairs_never_cover() -> None:
    cost = np.array([[1.0, INF], [2.0, 0.5], [2.5, INF]])
    weights = np.array([4.0, 1.0, 2.0])
    # Site 0 covers rows 0 and 1 within radius 2 (2 <= 2): 4 + 1 = 5; site 1 only row 1: 1.
    result = max_covering(cost, weights, p=1, radius=2.0)
    assert (result.facilities.tolist(), result.objective) == ([0], 5.0)
    # Radius 0: nothing is covered, any site will do.
    assert max_covering(cost, weights, p=1, radius=0.0).objective == 0.0


def test_opening_every_site_serves_each_row_from_its_cheapest() -> None:
    cost = np.array([[3.0, 1.0, INF], [2.0, 5.0, 4.0]])
    weights = np.array([2.0, 3.0])
    result = p_median(cost, weights, p=3)
    # 1 × 2 + 2 × 3 = 8.
    assert (result.facilities.tolist(), result.objective) == ([0, 1, 2], 8.0)
    assert result.assignment is not None
    assert result.assignment.tolist() == [1, 0]
    covering = max_covering(cost, weights, p=3, radius=3.0)
    assert (covering.facilities.tolist(), covering.objective) == ([0, 1, 2], 5.0)


def test_zero_weights_still_have_to_be_served() -> None:
    # Row 1 weighs nothing but only site 1 may serve it, so site 1 must be open: p = 1 gives
    # site 1 and 5 × 1 = 5 although site 0 would serve row 0 for 1.
    cost = np.array([[1.0, 5.0], [INF, 7.0]])
    result = p_median(cost, np.array([1.0, 0.0]), p=1)
    assert (result.facilities.tolist(), result.objective) == ([1], 5.0)


def test_sparse_input_lists_the_allowed_pairs_and_gives_the_dense_answer() -> None:
    cost = np.array([[1.0, 4.0, INF], [INF, 0.0, 3.0], [5.0, INF, 1.0]])
    weights = np.array([2.0, 1.0, 3.0])
    rows, cols = np.nonzero(np.isfinite(cost))
    sparse = sp.coo_array((cost[rows, cols], (rows, cols)), shape=cost.shape)  # keeps the stored 0
    dense = p_median(cost, weights, p=2)
    assert same(p_median(sparse, weights, p=2), dense)
    assert same(p_median(sp.csr_matrix(sparse), weights, p=2), dense)
    assert same(max_covering(sparse, weights, p=1, radius=1.0), max_covering(cost, weights, p=1, radius=1.0))


def test_the_same_input_gives_the_same_sites() -> None:
    cost, weights = random_points(7, 120, 30)
    first = p_median(cost, weights, p=4)
    assert same(p_median(cost, weights, p=4), first)
    assert same(max_covering(cost, weights, p=4, radius=15.0), max_covering(cost, weights, p=4, radius=15.0))


def test_a_generous_time_limit_still_proves_optimality() -> None:
    result = p_median(LINE_COST, LINE_WEIGHTS, p=2, time_limit=60.0)
    assert (result.facilities.tolist(), result.objective, result.status) == ([1, 4], 4.0, "optimal")
    covering = max_covering(LINE_COST, LINE_WEIGHTS, p=2, radius=1.0, time_limit=60.0)
    assert (covering.objective, covering.status) == (8.0, "optimal")


# --------------------------------------------------------------------------------------
# Infeasible and malformed input
# --------------------------------------------------------------------------------------


def test_p_median_without_a_choice_serving_every_row_is_infeasible() -> None:
    cost = np.array([[1.0, 4.0, INF], [INF, 2.0, 3.0], [5.0, INF, 1.0]])
    # Each single site leaves one row without an allowed site.
    with pytest.raises(ValueError, match="infeasible"):
        p_median(cost, np.array([2.0, 1.0, 3.0]), p=1)


def test_p_median_row_without_any_allowed_site_is_named() -> None:
    cost = np.array([[1.0, 2.0], [INF, INF]])
    with pytest.raises(ValueError, match="demand row 1 has no allowed site"):
        p_median(cost, np.array([1.0, 1.0]), p=1)


@pytest.mark.parametrize("p", [0, -1, 3, 10])
def test_p_out_of_range_is_rejected(p: int) -> None:
    with pytest.raises(ValueError, match=r"^p must be between 1 and the number of candidate sites \(2\)"):
        p_median(np.ones((3, 2)), np.ones(3), p=p)
    with pytest.raises(ValueError, match=r"^p must be between 1"):
        max_covering(np.ones((3, 2)), np.ones(3), p=p, radius=1.0)


@pytest.mark.parametrize("p", [True, 1.5, "2"])
def test_p_must_be_a_whole_number(p: object) -> None:
    with pytest.raises(ValueError, match=r"^p must be a whole number"):
        p_median(np.ones((3, 2)), np.ones(3), p=p)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cost", "weights", "message"),
    [
        (np.ones(3), np.ones(3), "^cost must be a 2-D array"),
        (np.ones((3, 2)), np.ones(2), r"^weights must have one value per demand row \(3\)"),
        (np.ones((3, 2)), np.ones((3, 1)), "^weights must have one value per demand row"),
        (np.array([[1.0, -1.0]]), np.ones(1), "^cost must not be negative"),
        (np.array([[1.0, -INF]]), np.ones(1), "^cost must not be negative"),
        (np.array([[1.0, math.nan]]), np.ones(1), "^cost must not contain NaN"),
        (np.ones((2, 2)), np.array([1.0, -2.0]), "^weights must not be negative"),
        (np.ones((2, 2)), np.array([1.0, INF]), "^weights must be finite"),
        (np.ones((2, 2)), np.array([1.0, math.nan]), "^weights must be finite"),
        (np.array([["a", "b"]]), np.ones(1), "^cost must be a 2-D array of numbers"),
    ],
)
def test_malformed_input_is_rejected_naming_the_argument(
    cost: FloatArray, weights: FloatArray, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        p_median(cost, weights, p=1)
    with pytest.raises(ValueError, match=message):
        max_covering(cost, weights, p=1, radius=1.0)


def test_sparse_cost_with_a_repeated_pair_or_a_negative_entry_is_rejected() -> None:
    repeated = sp.coo_array((np.array([1.0, 2.0]), (np.array([0, 0]), np.array([1, 1]))), shape=(1, 2))
    with pytest.raises(ValueError, match=r"^cost has a repeated"):
        p_median(repeated, np.ones(1), p=1)
    negative = sp.coo_array((np.array([-1.0]), (np.array([0]), np.array([1]))), shape=(1, 2))
    with pytest.raises(ValueError, match=r"^cost must not be negative"):
        max_covering(negative, np.ones(1), p=1, radius=1.0)


@pytest.mark.parametrize("radius", [-1.0, math.nan, "far"])
def test_max_covering_radius_must_be_a_number_not_below_zero(radius: object) -> None:
    with pytest.raises(ValueError, match=r"^radius must"):
        max_covering(LINE_COST, LINE_WEIGHTS, p=1, radius=radius)  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", [0.0, -1.0, math.nan])
def test_time_limit_must_be_positive(limit: float) -> None:
    with pytest.raises(ValueError, match=r"^time_limit must be positive"):
        p_median(LINE_COST, LINE_WEIGHTS, p=1, time_limit=limit)
    with pytest.raises(ValueError, match=r"^time_limit must be positive"):
        max_covering(LINE_COST, LINE_WEIGHTS, p=1, radius=1.0, time_limit=limit)


# --------------------------------------------------------------------------------------
# Against brute force and the classic formulation
# --------------------------------------------------------------------------------------


@st.composite
def instances(draw: st.DrawFn, *, allow_missing: bool) -> tuple[FloatArray, FloatArray, int]:
    n = draw(st.integers(1, 8))
    m = draw(st.integers(1, 6))
    p = draw(st.integers(1, m))
    values = st.one_of(st.integers(0, 20).map(float), st.floats(0, 50, allow_nan=False))
    cells = st.one_of(values, st.just(INF)) if allow_missing else values
    cost = np.array(draw(st.lists(st.lists(cells, min_size=m, max_size=m), min_size=n, max_size=n)))
    weights = np.array(draw(st.lists(st.integers(0, 10).map(float), min_size=n, max_size=n)))
    return cost, weights, p


@PROPERTY_SETTINGS
@given(instances(allow_missing=False))
def test_p_median_matches_brute_force(case: tuple[FloatArray, FloatArray, int]) -> None:
    cost, weights, p = case
    result = p_median(cost, weights, p=p)
    check_p_median_result(result, cost, weights, p)
    expected = brute_p_median(cost, weights, p)
    assert expected is not None
    assert result.objective == pytest.approx(expected, rel=1e-9, abs=1e-9)


@PROPERTY_SETTINGS
@given(instances(allow_missing=True))
def test_p_median_with_missing_pairs_matches_brute_force_or_is_infeasible(
    case: tuple[FloatArray, FloatArray, int],
) -> None:
    cost, weights, p = case
    expected = brute_p_median(cost, weights, p)
    if expected is None:
        with pytest.raises(ValueError, match=r"no allowed site|infeasible"):
            p_median(cost, weights, p=p)
        return
    result = p_median(cost, weights, p=p)
    check_p_median_result(result, cost, weights, p)
    assert result.objective == pytest.approx(expected, rel=1e-9, abs=1e-9)


@PROPERTY_SETTINGS
@given(instances(allow_missing=True), st.floats(0, 30, allow_nan=False))
def test_max_covering_matches_brute_force(case: tuple[FloatArray, FloatArray, int], radius: float) -> None:
    cost, weights, p = case
    result = max_covering(cost, weights, p=p, radius=radius)
    facilities = result.facilities.tolist()
    assert facilities == sorted(set(facilities)) and len(facilities) == p
    assert result.status == "optimal"
    covered = (cost[:, facilities] <= radius).any(axis=1)
    assert result.objective == float(weights[covered].sum())
    assert result.objective == brute_max_covering(cost, weights, p, radius)


@pytest.mark.parametrize(("seed", "n", "m", "p"), [(1, 60, 12, 3), (2, 80, 10, 4), (3, 40, 9, 5)])
def test_p_median_on_random_points_matches_brute_force(seed: int, n: int, m: int, p: int) -> None:
    cost, weights = random_points(seed, n, m)
    result = p_median(cost, weights, p=p)
    check_p_median_result(result, cost, weights, p)
    assert result.objective == pytest.approx(brute_p_median(cost, weights, p), rel=1e-9)


@pytest.mark.parametrize(("seed", "p"), [(11, 4), (12, 7), (13, 10), (14, 15)])
def test_p_median_on_larger_random_points_matches_the_classic_formulation(seed: int, p: int) -> None:
    cost, weights = random_points(seed, 150, 40)
    result = p_median(cost, weights, p=p)
    check_p_median_result(result, cost, weights, p)
    assert result.objective == pytest.approx(classic_p_median(cost, weights, p), rel=1e-7)


@pytest.mark.parametrize(("seed", "p", "radius"), [(21, 3, 12.0), (22, 6, 10.0), (23, 10, 8.0)])
def test_max_covering_on_random_points_matches_brute_force(seed: int, p: int, radius: float) -> None:
    cost, weights = random_points(seed, 150, 14)
    result = max_covering(cost, weights, p=p, radius=radius)
    assert result.objective == brute_max_covering(cost, weights, p, radius)


def test_a_tiny_time_limit_still_gives_p_sites_and_a_gap_that_bounds_the_optimum() -> None:
    cost, weights = random_points(31, 300, 40)
    optimum = p_median(cost, weights, p=8).objective
    result = p_median(cost, weights, p=8, time_limit=1e-6)
    assert result.status in ("optimal", "time_limit") and len(result.facilities) == 8
    check_p_median_result(dataclasses.replace(result, status="optimal"), cost, weights, 8)
    assert result.objective >= optimum * (1 - 1e-12)
    if result.status == "time_limit":
        assert result.mip_gap is not None and result.mip_gap >= 0
        assert result.objective * (1 - result.mip_gap) <= optimum * (1 + 1e-9)

    best = max_covering(cost, weights, p=8, radius=12.0).objective
    covering = max_covering(cost, weights, p=8, radius=12.0, time_limit=1e-6)
    assert covering.status in ("optimal", "time_limit") and len(covering.facilities) == 8
    assert covering.objective <= best
    if covering.status == "time_limit" and covering.mip_gap is not None:
        assert covering.objective * (1 + covering.mip_gap) >= best * (1 - 1e-9)
