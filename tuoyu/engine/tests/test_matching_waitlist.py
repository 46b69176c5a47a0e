"""Tests for the waiting-list positions of ``tuoyu.engine.matching.waitlist_positions``."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from tuoyu.engine.matching import deferred_acceptance, explain, waitlist_positions
from tuoyu.engine.tests.test_matching import arrays, instances

Instance = tuple[list[list[int]], dict[tuple[int, int], int], list[int]]


def reference_waitlist(
    lists: list[list[int]], rank: dict[tuple[int, int], int], place_of: list[int]
) -> list[list[int]]:
    """Positions one child and one choice at a time, straight from the definition."""
    k = max((len(ranked) for ranked in lists), default=0)

    def passed_over(child: int) -> list[int]:
        ranked = lists[child]
        held = place_of[child]
        return ranked if held == -1 else ranked[: ranked.index(held)]

    waiting = [passed_over(child) for child in range(len(lists))]
    positions = [[-1] * k for _ in lists]
    for child, ranked in enumerate(lists):
        for choice, place in enumerate(ranked):
            if place not in waiting[child]:
                continue
            ahead = sum(
                1
                for other in range(len(lists))
                if other != child and place in waiting[other] and rank[(place, other)] < rank[(place, child)]
            )
            positions[child][choice] = 1 + ahead
    return positions


def test_a_hand_computed_instance_gives_the_expected_waiting_lists() -> None:
    # Places A=0 and B=1, one seat each. Lists and priorities (lower is higher):
    #   c0: A (3), B (1)   c1: A (1)   c2: A (2), B (2)   c3: B (3), A (4)   c4: A (5)
    # Deferred acceptance: A keeps c1; B keeps c0 (priority 1) over c2 and c3; c3 then
    # tries A and is rejected. Result: c0 at B, c1 at A, c2, c3 and c4 unplaced.
    # Waiting list of A: everyone who would rather have A than what they hold, by
    # priority: c2 (2), c0 (3, prefers A to its B), c3 (4), c4 (5). c1 holds A.
    # Waiting list of B: c2 (2), c3 (3); c0 holds B.
    preferences = np.array([[0, 1], [0, -1], [0, 1], [1, 0], [0, -1]])
    priority = np.array([[3, 1], [1, 0], [2, 2], [3, 4], [5, 0]])
    result = deferred_acceptance(preferences, priority, np.array([1, 1]))
    assert result.place_of.tolist() == [1, 0, -1, -1, -1]
    expected = np.array(
        [
            [2, -1],  # c0: second at A behind c2; B is its own place
            [-1, -1],  # c1: holds its first choice
            [1, 1],  # c2: first at A and first at B
            [2, 3],  # c3: second at B behind c2, third at A behind c2 and c0
            [4, -1],  # c4: last at A; no second choice
        ]
    )
    positions = waitlist_positions(result, preferences, priority)
    assert positions.dtype == np.int64
    assert np.array_equal(positions, expected)


def test_nobody_waits_when_there_are_no_children() -> None:
    empty = np.zeros((0, 3), dtype=np.int64)
    result = deferred_acceptance(empty, empty, np.array([1]))
    assert waitlist_positions(result, empty, empty).shape == (0, 3)


@settings(max_examples=200, deadline=None)
@given(instances())
def test_positions_are_minus_one_exactly_outside_the_passed_over_choices(instance: Instance) -> None:
    lists, rank, capacity = instance
    preferences, priority = arrays(lists, rank)
    seats = np.array(capacity, dtype=np.int64)
    result = deferred_acceptance(preferences, priority, seats)
    positions = waitlist_positions(result, preferences, priority)
    passed_over = explain(result, preferences, priority, seats).passed_over
    assert positions.shape == preferences.shape
    assert np.array_equal(positions == -1, ~passed_over)
    assert (positions[passed_over] >= 1).all()


@settings(max_examples=200, deadline=None)
@given(instances())
def test_each_waiting_list_numbers_its_children_one_to_m_in_priority_order(instance: Instance) -> None:
    lists, rank, capacity = instance
    preferences, priority = arrays(lists, rank)
    result = deferred_acceptance(preferences, priority, np.array(capacity, dtype=np.int64))
    positions = waitlist_positions(result, preferences, priority)
    for place in range(len(capacity)):
        waiting = [
            (int(priority[child, choice]), int(positions[child, choice]))
            for child, choice in zip(*np.nonzero((preferences == place) & (positions > 0)), strict=True)
        ]
        waiting.sort()
        assert [position for _, position in waiting] == list(range(1, len(waiting) + 1))


@settings(max_examples=300, deadline=None)
@given(instances())
def test_positions_agree_with_the_one_child_at_a_time_reference(instance: Instance) -> None:
    lists, rank, capacity = instance
    preferences, priority = arrays(lists, rank)
    result = deferred_acceptance(preferences, priority, np.array(capacity, dtype=np.int64))
    positions = waitlist_positions(result, preferences, priority)
    assert positions.tolist() == reference_waitlist(lists, rank, result.place_of.tolist())


def test_positions_agree_with_the_reference_on_a_larger_random_round() -> None:
    rng = np.random.default_rng(11)
    n_children, n_places, k = 400, 12, 4
    preferences = np.argsort(rng.random((n_children, n_places)), axis=1)[:, :k]
    preferences[rng.random(n_children) < 0.2, 2:] = -1
    lottery = np.stack([rng.permutation(n_children) for _ in range(n_places)])
    priority = np.where(
        preferences >= 0, lottery[np.maximum(preferences, 0), np.arange(n_children)[:, None]], 0
    )
    capacity = rng.integers(0, 30, n_places)
    result = deferred_acceptance(preferences, priority, capacity)
    lists = [[int(p) for p in row if p >= 0] for row in preferences]
    rank = {(int(p), c): int(lottery[p, c]) for c in range(n_children) for p in lists[c]}
    positions = waitlist_positions(result, preferences, priority)
    assert positions.tolist() == reference_waitlist(lists, rank, result.place_of.tolist())
