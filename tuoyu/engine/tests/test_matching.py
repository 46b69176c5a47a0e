"""Tests for child-proposing deferred acceptance in ``tuoyu.engine.matching``."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuoyu.engine.matching import IntArray, MatchResult, deferred_acceptance, explain, validate

# --------------------------------------------------------------------------------------
# Helpers: a plain reference implementation and random small instances
# --------------------------------------------------------------------------------------


def reference_da(lists: list[list[int]], rank: dict[tuple[int, int], int], capacity: list[int]) -> list[int]:
    """Textbook child-proposing deferred acceptance, one proposal at a time."""
    place_of = [-1] * len(lists)
    next_choice = [0] * len(lists)
    holds: list[list[int]] = [[] for _ in capacity]
    free = [c for c in range(len(lists)) if lists[c]]
    while free:
        child = free.pop()
        place = lists[child][next_choice[child]]
        next_choice[child] += 1
        holds[place].append(child)
        holds[place].sort(key=lambda c: rank[(place, c)])
        place_of[child] = place
        for loser in holds[place][capacity[place] :]:
            place_of[loser] = -1
            if next_choice[loser] < len(lists[loser]):
                free.append(loser)
        del holds[place][capacity[place] :]
    return place_of


def arrays(lists: list[list[int]], rank: dict[tuple[int, int], int]) -> tuple[IntArray, IntArray]:
    """Padded preference and priority arrays of the lists."""
    k = max((len(ranked) for ranked in lists), default=0)
    preferences = np.full((len(lists), k), -1, dtype=np.int64)
    priority = np.zeros((len(lists), k), dtype=np.int64)
    for child, ranked in enumerate(lists):
        for choice, place in enumerate(ranked):
            preferences[child, choice] = place
            priority[child, choice] = rank[(place, child)]
    return preferences, priority


def match(lists: list[list[int]], rank: dict[tuple[int, int], int], capacity: list[int]) -> list[int]:
    preferences, priority = arrays(lists, rank)
    result = deferred_acceptance(preferences, priority, np.array(capacity, dtype=np.int64))
    return [int(p) for p in result.place_of]


@st.composite
def instances(
    draw: st.DrawFn, max_children: int = 7, max_places: int = 4
) -> tuple[list[list[int]], dict[tuple[int, int], int], list[int]]:
    """Lists, a strict priority order per place (over every child) and capacities."""
    n_children = draw(st.integers(0, max_children))
    n_places = draw(st.integers(1, max_places))
    lists = [
        draw(st.lists(st.integers(0, n_places - 1), unique=True, max_size=n_places))
        for _ in range(n_children)
    ]
    rank: dict[tuple[int, int], int] = {}
    for place in range(n_places):
        order = draw(st.permutations(range(n_children)))
        for position, child in enumerate(order):
            rank[(place, child)] = position + 1
    capacity = draw(st.lists(st.integers(0, 3), min_size=n_places, max_size=n_places))
    return lists, rank, capacity


def blocking_pairs(
    lists: list[list[int]], rank: dict[tuple[int, int], int], capacity: list[int], place_of: list[int]
) -> list[tuple[int, int]]:
    """Pairs (child, place) where both would rather be matched to each other."""
    pairs = []
    for child, ranked in enumerate(lists):
        held = place_of[child]
        better = ranked if held == -1 else ranked[: ranked.index(held)]
        for place in better:
            holders = [c for c, p in enumerate(place_of) if p == place]
            if len(holders) < capacity[place] or any(
                rank[(place, c)] > rank[(place, child)] for c in holders
            ):
                pairs.append((child, place))
    return pairs


# --------------------------------------------------------------------------------------
# Hand-computed instances
# --------------------------------------------------------------------------------------


def test_children_with_the_highest_priority_displace_earlier_holders() -> None:
    # Places A=0 (1 seat), B=1 (1 seat). Lists: c0: A,B; c1: A; c2: A,B; c3: B.
    # Priorities at A: c2 (1) > c0 (2) > c1 (3); at B: c0 (1) > c2 (2) > c3 (3).
    # Round 1: A gets c0, c1, c2 and keeps c2; B gets c3 and keeps it.
    # Round 2: c0 proposes to B, which holds c3 (3) and keeps c0 (1); c1 has no choice left.
    # Round 3: c3 has no choice left. Result: c0 at B, c2 at A, c1 and c3 unplaced.
    rank = {(0, 2): 1, (0, 0): 2, (0, 1): 3, (0, 3): 4, (1, 0): 1, (1, 2): 2, (1, 3): 3, (1, 1): 4}
    lists = [[0, 1], [0], [0, 1], [1]]
    preferences, priority = arrays(lists, rank)
    result = deferred_acceptance(preferences, priority, np.array([1, 1]))
    assert result.place_of.tolist() == [1, -1, 0, -1]
    assert result.rounds == 2


def test_a_chain_of_rejections_takes_one_round_per_link() -> None:
    # One seat each at A=0, B=1, C=2; every child lists A, B, C; priority c0 > c1 > c2 everywhere.
    # Round 1: A keeps c0 of three. Round 2: B keeps c1 of c1, c2. Round 3: c2 gets C.
    rank = {(p, c): c + 1 for p in range(3) for c in range(3)}
    preferences, priority = arrays([[0, 1, 2]] * 3, rank)
    result = deferred_acceptance(preferences, priority, np.array([1, 1, 1]))
    assert result.place_of.tolist() == [0, 1, 2]
    assert result.rounds == 3


def test_a_place_with_no_seats_rejects_everyone() -> None:
    preferences = np.array([[0, 1], [0, -1]])
    priority = np.array([[1, 1], [2, 0]])
    assert deferred_acceptance(preferences, priority, np.array([0, 5])).place_of.tolist() == [1, -1]


def test_empty_inputs_give_an_empty_assignment_in_no_rounds() -> None:
    result = deferred_acceptance(
        np.zeros((0, 3), dtype=np.int64), np.zeros((0, 3), dtype=np.int64), np.array([2])
    )
    assert result.place_of.tolist() == []
    assert result.rounds == 0
    nobody_listed = deferred_acceptance(np.full((2, 2), -1), np.zeros((2, 2), dtype=np.int64), np.array([1]))
    assert nobody_listed.place_of.tolist() == [-1, -1]


def test_explain_counts_applicants_and_placed_children_ahead_at_each_passed_over_choice() -> None:
    # Place A=0 has 2 seats; applicants c0..c4 with priorities 5, 1, 2, 3, 4 there.
    # A keeps c1 and c2. c0 (priority 5) and c4 (priority 4) fall back to B=1 (1 seat,
    # c0 priority 1 beats c4 priority 2); c3 (priority 3) listed only A.
    # c0 at A: 4 applicants ahead (priorities 1..4), 2 placed ahead, 2 seats.
    # c3 at A: 2 applicants ahead, 2 placed, 2 seats. c4 at A: 3 ahead; at B: 1 ahead, 1 placed, 1 seat.
    preferences = np.array([[0, 1], [0, -1], [0, -1], [0, -1], [0, 1]])
    priority = np.array([[5, 1], [1, 0], [2, 0], [3, 0], [4, 2]])
    capacity = np.array([2, 1])
    result = deferred_acceptance(preferences, priority, capacity)
    assert result.place_of.tolist() == [1, 0, 0, -1, -1]
    why = explain(result, preferences, priority, capacity)
    assert why.passed_over.tolist() == [
        [True, False],
        [False, False],
        [False, False],
        [True, False],
        [True, True],
    ]
    assert why.applicants_ahead.tolist() == [[4, -1], [-1, -1], [-1, -1], [2, -1], [3, 1]]
    assert why.placed_ahead.tolist() == [[2, -1], [-1, -1], [-1, -1], [2, -1], [2, 1]]
    assert why.seats.tolist() == [[2, -1], [-1, -1], [-1, -1], [2, -1], [2, 1]]


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preferences", "priority", "capacity", "message"),
    [
        (
            [[0, 1], [1, 0]],
            [[1, 1], [1, 2]],
            [1, 1],
            "priority tie at place 1: children 0 and 1 both have priority 1",
        ),
        ([[0, 0]], [[1, 2]], [1], "child 0 lists place 0 twice"),
        ([[-1, 0]], [[1, 2]], [1], "child 0: choice 2 follows an empty choice 1"),
        ([[3]], [[1]], [1], "place 3 is not in 0..0"),
        ([[0]], [[1]], [-1], "place 0 has a negative capacity -1"),
        ([[0]], [[1, 2]], [1], "priority has shape"),
        ([0], [0], [1], "preferences must be a (children, choices) array"),
        ([[0]], [[1]], [[1]], "capacity must be a (places,) array"),
    ],
)
def test_invalid_inputs_are_rejected_with_a_message_naming_the_problem(
    preferences: list[list[int]], priority: list[list[int]], capacity: list[int], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        deferred_acceptance(np.array(preferences), np.array(priority), np.array(capacity))
    with pytest.raises(ValueError):
        validate(np.array(preferences), np.array(priority), np.array(capacity))


def test_huge_priority_numbers_are_ordered_like_small_ones() -> None:
    # The combined sort key would overflow; the lexsort path gives the same order.
    big = 2**62
    preferences = np.array([[0], [0], [0]])
    priority = np.array([[big], [-big], [0]])
    assert deferred_acceptance(preferences, priority, np.array([2])).place_of.tolist() == [-1, 0, 0]
    with pytest.raises(ValueError, match="priority tie at place 0: children 0 and 2"):
        deferred_acceptance(preferences, np.array([[big], [-big], [big]]), np.array([2]))


# --------------------------------------------------------------------------------------
# Properties on small random instances
# --------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(instances())
def test_the_assignment_is_stable_within_capacity_and_on_each_list(
    instance: tuple[list[list[int]], dict[tuple[int, int], int], list[int]],
) -> None:
    lists, rank, capacity = instance
    place_of = match(lists, rank, capacity)
    for child, place in enumerate(place_of):
        assert place == -1 or place in lists[child]
    for place, seats in enumerate(capacity):
        assert place_of.count(place) <= seats
    assert blocking_pairs(lists, rank, capacity, place_of) == []


@settings(max_examples=300, deadline=None)
@given(instances())
def test_the_assignment_agrees_with_the_one_proposal_at_a_time_reference(
    instance: tuple[list[list[int]], dict[tuple[int, int], int], list[int]],
) -> None:
    lists, rank, capacity = instance
    assert match(lists, rank, capacity) == reference_da(lists, rank, capacity)


@settings(max_examples=200, deadline=None)
@given(instances())
def test_explanations_show_every_passed_over_place_full_of_higher_priority_children(
    instance: tuple[list[list[int]], dict[tuple[int, int], int], list[int]],
) -> None:
    lists, rank, capacity = instance
    preferences, priority = arrays(lists, rank)
    seats = np.array(capacity, dtype=np.int64)
    result = deferred_acceptance(preferences, priority, seats)
    why = explain(result, preferences, priority, seats)
    for child, ranked in enumerate(lists):
        for choice, place in enumerate(ranked):
            if not why.passed_over[child, choice]:
                continue
            mine = rank[(place, child)]
            applicants = sum(1 for c, other in enumerate(lists) if place in other and rank[(place, c)] < mine)
            placed = sum(
                1 for c, p in enumerate(result.place_of.tolist()) if p == place and rank[(place, c)] < mine
            )
            assert why.applicants_ahead[child, choice] == applicants
            assert why.placed_ahead[child, choice] == placed == capacity[place]
            assert why.seats[child, choice] == capacity[place]


def candidate_lists(n_places: int) -> list[list[int]]:
    """Every ordered list of distinct places, the empty list included."""
    return [list(p) for size in range(n_places + 1) for p in itertools.permutations(range(n_places), size)]


@settings(max_examples=40, deadline=None)
@given(instances(max_children=4, max_places=3), st.data())
def test_no_child_gets_a_better_place_by_misreporting_its_list(
    instance: tuple[list[list[int]], dict[tuple[int, int], int], list[int]], data: st.DataObject
) -> None:
    lists, rank, capacity = instance
    if not lists:
        return
    child = data.draw(st.integers(0, len(lists) - 1))
    truth = lists[child]
    honest = match(lists, rank, capacity)[child]
    honest_position = truth.index(honest) if honest != -1 else len(truth)
    for report in candidate_lists(len(capacity)):
        got = match([*lists[:child], report, *lists[child + 1 :]], rank, capacity)[child]
        position = truth.index(got) if got in truth else len(truth)
        assert position >= honest_position, (report, got, honest)


def test_the_result_is_deterministic_and_exposes_the_round_count() -> None:
    rng = np.random.default_rng(7)
    n_children, n_places, k = 2_000, 50, 4
    preferences = np.argsort(rng.random((n_children, n_places)), axis=1)[:, :k]
    priority = np.repeat(rng.permutation(n_children)[:, None], k, axis=1)
    capacity = rng.integers(0, 40, n_places)
    first = deferred_acceptance(preferences, priority, capacity)
    second = deferred_acceptance(preferences.copy(), priority.copy(), capacity.copy())
    assert isinstance(first, MatchResult)
    assert np.array_equal(first.place_of, second.place_of)
    assert first.rounds == second.rounds >= 1
    lists = [[int(p) for p in row] for row in preferences]
    rank = {(int(p), c): int(priority[c, 0]) for c in range(n_children) for p in preferences[c]}
    assert first.place_of.tolist() == reference_da(lists, rank, capacity.tolist())
