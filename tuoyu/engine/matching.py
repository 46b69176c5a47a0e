"""Central enrollment: child-proposing deferred acceptance (Gale-Shapley), vectorised.

Families rank childcare places; every place ranks its applicants by a strict priority
(siblings, distance, a lottery, ...). Child-proposing deferred acceptance gives the
stable assignment that every child likes at least as well as any other stable one, and
no family can get a better place by misreporting its list, which is why central
enrollment schemes use it.

Inputs are arrays so that a million children are matched in seconds:

* ``preferences``: ``(n_children, k)`` place indices, first choice first, padded at the
  end with ``-1`` for children who list fewer than ``k`` places;
* ``priority``: ``(n_children, k)`` the child's priority at the place of the same cell,
  a lower number meaning a higher priority; at each place the priorities must be strict;
* ``capacity``: ``(n_places,)`` seats per place.

Each round every child without a place and with choices left proposes to its next
choice; each place that received proposals sorts its current holds and the new
proposals by priority (one sort for all places, by place then priority) and keeps the
first ``capacity``. The loop runs over rounds only, never over children or places.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

UNPLACED = -1
_KEY_LIMIT = 2**62


@dataclass(frozen=True)
class MatchResult:
    """The stable assignment: ``place_of[c]`` is the place child ``c`` holds, or ``-1``."""

    place_of: IntArray
    rounds: int


@dataclass(frozen=True)
class Explanation:
    """Why each child did not get the choices it ranked above the place it holds.

    All arrays are ``(n_children, k)`` like the preferences. ``passed_over`` marks the
    choices above the child's place (every listed choice for an unplaced child); the
    other arrays hold ``-1`` outside it. For a passed-over choice, ``applicants_ahead``
    counts every child who listed that place with a higher priority, ``placed_ahead``
    those of them who were placed there and ``seats`` is the capacity of the place. In
    a stable assignment ``placed_ahead == seats``: the place is full of children with a
    higher priority, so a parent can read "not placed at X: 12 applicants had a higher
    priority for 10 seats".
    """

    passed_over: BoolArray
    applicants_ahead: IntArray
    placed_ahead: IntArray
    seats: IntArray


def _order_by_place_then_priority(place: IntArray, priority: IntArray) -> IntArray:
    """Indices sorting the pairs by place, then priority.

    A single ``argsort`` of ``place * span + priority`` when that fits in 63 bits (always,
    for priorities below a few billion), ``np.lexsort`` otherwise; both give the same order
    because priorities are strict at each place, and ties only occur while validating.
    """
    if place.size == 0:
        return np.zeros(0, dtype=np.int64)
    low = int(priority.min())
    span = int(priority.max()) - low + 1
    if span * (int(place.max()) + 1) < _KEY_LIMIT:
        key = place * span + (priority - low)
        return np.argsort(key, kind="stable").astype(np.int64, copy=False)
    return np.lexsort((priority, place)).astype(np.int64, copy=False)


def _rank_in_group(sorted_group: IntArray) -> IntArray:
    """Position of each element within its run of equal values in ``sorted_group``."""
    size = sorted_group.size
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.empty(size, dtype=bool)
    starts[0] = True
    np.not_equal(sorted_group[1:], sorted_group[:-1], out=starts[1:])
    first = np.flatnonzero(starts)
    group = np.cumsum(starts) - 1
    return np.arange(size, dtype=np.int64) - first[group]


def validate(preferences: IntArray, priority: IntArray, capacity: IntArray) -> None:
    """Raise ``ValueError`` unless the three arrays describe a matching problem.

    Checked: shapes, place indices in range, ``-1`` padding only at the end of a list, no
    place listed twice by a child, no negative capacity, and strict priorities at each
    place: two children with the same priority at a place would make the outcome depend
    on an arbitrary tie-break, so the tie is reported with the place and both children.
    """
    if preferences.ndim != 2:
        raise ValueError(f"preferences must be a (children, choices) array, not shape {preferences.shape}")
    if priority.shape != preferences.shape:
        raise ValueError(
            f"priority has shape {priority.shape} but preferences have shape {preferences.shape}"
        )
    if capacity.ndim != 1:
        raise ValueError(f"capacity must be a (places,) array, not shape {capacity.shape}")
    n_places = capacity.size
    negative = np.flatnonzero(capacity < 0)
    if negative.size:
        place = int(negative[0])
        raise ValueError(f"place {place} has a negative capacity {int(capacity[place])}")
    if preferences.size == 0:
        return
    bad = np.argwhere((preferences < UNPLACED) | (preferences >= n_places))
    if bad.size:
        child, choice = (int(x) for x in bad[0])
        raise ValueError(
            f"child {child}, choice {choice + 1}: place {int(preferences[child, choice])} "
            f"is not in 0..{n_places - 1} (or -1 for no choice)"
        )
    listed = preferences >= 0
    gap = np.argwhere(listed[:, 1:] & ~listed[:, :-1])
    if gap.size:
        child, choice = (int(x) for x in gap[0])
        raise ValueError(f"child {child}: choice {choice + 2} follows an empty choice {choice + 1}")
    ordered = np.sort(preferences, axis=1)
    twice = np.argwhere((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0))
    if twice.size:
        child, position = (int(x) for x in twice[0])
        raise ValueError(f"child {child} lists place {int(ordered[child, position])} twice")
    children, _ = np.nonzero(listed)
    places = preferences[listed]
    priorities = priority[listed]
    order = _order_by_place_then_priority(places, priorities)
    sorted_places = places[order]
    sorted_priorities = priorities[order]
    ties = np.flatnonzero(
        (sorted_places[1:] == sorted_places[:-1]) & (sorted_priorities[1:] == sorted_priorities[:-1])
    )
    if ties.size:
        at = int(ties[0])
        first, second = sorted(int(children[order[at]]) for at in (at, at + 1))
        raise ValueError(
            f"priority tie at place {int(sorted_places[at])}: children {first} and {second} "
            f"both have priority {int(sorted_priorities[at])}"
        )


def deferred_acceptance(
    preferences: IntArray, priority: IntArray, capacity: IntArray, *, check: bool = True
) -> MatchResult:
    """Child-proposing deferred acceptance; see the module docstring for the inputs.

    Deterministic: strict priorities leave nothing to chance. ``check=False`` skips
    :func:`validate` for callers that have already validated the same arrays (invalid
    input then gives an unspecified result).
    """
    preferences = np.asarray(preferences, dtype=np.int64)
    priority = np.asarray(priority, dtype=np.int64)
    capacity = np.asarray(capacity, dtype=np.int64)
    if check:
        validate(preferences, priority, capacity)
    n_children, k = preferences.shape if preferences.ndim == 2 else (0, 0)
    n_places = capacity.size
    place_of = np.full(n_children, UNPLACED, dtype=np.int64)
    if n_children == 0 or k == 0:
        return MatchResult(place_of=place_of, rounds=0)
    held_priority = np.zeros(n_children, dtype=np.int64)
    next_choice = np.zeros(n_children, dtype=np.int64)
    # touched[-1] stays False so that unplaced children (place -1) never count as holders.
    touched = np.zeros(n_places + 1, dtype=bool)
    proposers = np.flatnonzero(preferences[:, 0] >= 0)
    rounds = 0
    while proposers.size:
        rounds += 1
        choice = next_choice[proposers]
        places = preferences[proposers, choice]
        priorities = priority[proposers, choice]
        next_choice[proposers] = choice + 1
        touched[places] = True
        holders = np.flatnonzero(touched[place_of])
        touched[places] = False
        candidates = np.concatenate((holders, proposers))
        candidate_places = np.concatenate((place_of[holders], places))
        candidate_priorities = np.concatenate((held_priority[holders], priorities))
        order = _order_by_place_then_priority(candidate_places, candidate_priorities)
        sorted_places = candidate_places[order]
        keep = _rank_in_group(sorted_places) < capacity[sorted_places]
        sorted_candidates = candidates[order]
        kept = sorted_candidates[keep]
        place_of[kept] = sorted_places[keep]
        held_priority[kept] = candidate_priorities[order][keep]
        rejected = sorted_candidates[~keep]
        place_of[rejected] = UNPLACED
        left = rejected[next_choice[rejected] < k]
        proposers = left[preferences[left, next_choice[left]] >= 0]
    return MatchResult(place_of=place_of, rounds=rounds)


def explain(
    result: MatchResult, preferences: IntArray, priority: IntArray, capacity: IntArray
) -> Explanation:
    """For every choice a child ranked above its place, who was ahead and for how many seats.

    Counting is vectorised like the matching: applicants ahead are a child's rank among
    all applicants of the place; placed children ahead come from one sort of the placed
    children and the questions together, by place, then priority, placed children first.
    """
    preferences = np.asarray(preferences, dtype=np.int64)
    priority = np.asarray(priority, dtype=np.int64)
    capacity = np.asarray(capacity, dtype=np.int64)
    place_of = result.place_of
    n_children, k = preferences.shape
    listed = preferences >= 0
    held = (preferences == place_of[:, None]) & listed
    # A choice is passed over when it is listed and comes before the held one (if any).
    passed_over = listed & (np.cumsum(held, axis=1) == 0)
    applicants_ahead = np.full((n_children, k), -1, dtype=np.int64)
    placed_ahead = np.full((n_children, k), -1, dtype=np.int64)
    seats = np.full((n_children, k), -1, dtype=np.int64)
    if not passed_over.any():
        return Explanation(passed_over, applicants_ahead, placed_ahead, seats)

    places = preferences[listed]
    priorities = priority[listed]
    order = _order_by_place_then_priority(places, priorities)
    rank = np.empty(places.size, dtype=np.int64)
    rank[order] = _rank_in_group(places[order])
    applicants_ahead[listed] = rank

    # Placed children (marker 0) sort before a question (marker 1) with the same place and
    # priority; priorities are strict, so only the child itself can share one.
    placed_places = places[held[listed]]
    placed_priorities = priorities[held[listed]]
    question_places = preferences[passed_over]
    question_priorities = priority[passed_over]
    all_places = np.concatenate((placed_places, question_places))
    all_priorities = np.concatenate((placed_priorities, question_priorities))
    marker = np.concatenate(
        (np.zeros(placed_places.size, dtype=np.int64), np.ones(question_places.size, dtype=np.int64))
    )
    order = np.lexsort((marker, all_priorities, all_places))
    sorted_places = all_places[order]
    placed_before = np.cumsum(marker[order] == 0) - (marker[order] == 0)
    group_start = np.empty(order.size, dtype=bool)
    group_start[0] = True
    np.not_equal(sorted_places[1:], sorted_places[:-1], out=group_start[1:])
    start_count = placed_before[np.flatnonzero(group_start)][np.cumsum(group_start) - 1]
    counts = np.empty(order.size, dtype=np.int64)
    counts[order] = placed_before - start_count
    placed_ahead[passed_over] = counts[placed_places.size :]
    seats[passed_over] = capacity[question_places]
    applicants_ahead[~passed_over] = -1
    return Explanation(passed_over, applicants_ahead, placed_ahead, seats)


def waitlist_positions(result: MatchResult, preferences: IntArray, priority: IntArray) -> IntArray:
    """Each child's 1-based position on the waiting list of every place it was passed over at.

    The waiting list of a place holds the children who would rather have it than what
    they hold (``explain``'s ``passed_over`` choices: every choice above the held place,
    every listed choice of an unplaced child), in priority order; position 1 is offered
    the place first when a seat frees. Returns an ``(n_children, k)`` array like the
    preferences, ``-1`` outside the passed-over choices. Children placed at a choice or
    who ranked it below their place are not on its list: they would not take the seat.

    One lexsort of the passed-over choices by place, then priority, puts every waiting
    list in a run; a child's position is its index within its run plus one. Priorities
    are strict at each place (:func:`validate`), so positions are ``1..m`` at each place.
    """
    preferences = np.asarray(preferences, dtype=np.int64)
    priority = np.asarray(priority, dtype=np.int64)
    listed = preferences >= 0
    held = (preferences == result.place_of[:, None]) & listed
    passed_over = listed & (np.cumsum(held, axis=1) == 0)
    positions = np.full(preferences.shape, -1, dtype=np.int64)
    waiting_places = preferences[passed_over]
    order = np.lexsort((priority[passed_over], waiting_places))
    position = np.empty(order.size, dtype=np.int64)
    position[order] = _rank_in_group(waiting_places[order]) + 1
    positions[passed_over] = position
    return positions
