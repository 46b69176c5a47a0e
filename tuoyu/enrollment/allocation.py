"""The draw and the allocation of a closed round, in one transaction.

1. The seed the round committed to is revealed; the lottery ranks every application by
   ``HMAC-SHA256(seed, reference)`` (:mod:`tuoyu.engine.lottery`), and the roster hash
   fixes who took part. Anyone can re-run this with ``tools/verify_lottery.py``.
2. Each child's priority at a place is its round's rules in order (a rule met puts the
   child ahead of every child who does not meet it, whatever the later rules say), then
   the lottery rank. Priorities are strict because lottery ranks are.
3. Child-proposing deferred acceptance (:func:`tuoyu.engine.matching.deferred_acceptance`)
   over the places' capacities: the result is stable and no parent can gain by ranking
   places other than in their true order of preference.
4. Every choice records its outcome, the rules the child met there, the applicants with a
   higher priority, the seats, and the child's waiting-list position; every placed child
   gets an offer with an answer deadline.

Age eligibility holds by construction: a choice is accepted only for a class type that
fits the child's age at the start month (:func:`tuoyu.enrollment.services.place_fits`),
and it is checked again here, so a choice that no longer fits is never offered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import User
from tuoyu.common.audit import audited_change
from tuoyu.engine import lottery
from tuoyu.engine.matching import UNPLACED, deferred_acceptance, explain, waitlist_positions
from tuoyu.enrollment import services
from tuoyu.enrollment.models import (
    MAX_CHOICES,
    Application,
    Child,
    Choice,
    Offer,
    Outcome,
    PriorityRule,
    Round,
    RoundPlace,
    RoundStatus,
)
from tuoyu.enrollment.services.common import _require_bureau_admin


@dataclass(frozen=True)
class AllocationSummary:
    applications: int
    placed: int
    unplaced: int
    seats: int


def rules_met(*, rules: list[str], child: Child, place: RoundPlace) -> list[str]:
    """The round's rules this child meets at this place, in the round's order."""
    institution = place.institution
    met = {
        PriorityRule.HARDSHIP: child.hardship_claimed and child.hardship_verified,
        PriorityRule.SIBLING: child.sibling_institution_id == institution.pk,
        PriorityRule.EMPLOYER: child.parent_employer_id == institution.pk and institution.form == "employer",
        PriorityRule.RESIDENT: child.township_id == institution.township_id,
    }
    return [rule for rule in rules if met.get(PriorityRule(rule), False)]


def priority_key(*, rules: list[str], met: list[str], lottery_rank: int, applicants: int) -> int:
    """Lower is better: one bit per rule (0 when met), most important rule highest, then the
    lottery rank. ``2**len(rules) * (applicants + 1)`` stays far below int64 for any round."""
    bits = 0
    for position, rule in enumerate(rules):
        if rule not in met:
            bits |= 1 << (len(rules) - 1 - position)
    return bits * (applicants + 1) + lottery_rank


def round_allocate(*, actor: User, round_: Round, now: dt.datetime | None = None) -> AllocationSummary:
    """Draw the lottery and allocate a closed round (see the module docstring)."""
    _require_bureau_admin(actor)
    now = now or timezone.now()
    if round_.status != RoundStatus.CLOSED:
        raise ValidationError(_("只有已截止的轮次可以分配。"))
    caller_round = round_
    with audited_change(actor):
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        if round_.status != RoundStatus.CLOSED:
            raise ValidationError(_("只有已截止的轮次可以分配。"))
        applications = list(
            Application.objects.filter(round=round_, withdrawn_at__isnull=True)
            .select_related("child")
            .prefetch_related("choices__place__institution")
            .order_by("reference")
        )
        seed = services.round_seed(round_)
        published = lottery.lottery_publish(seed=seed, references=[a.reference for a in applications])
        places = list(round_.places.select_related("institution").order_by("pk"))
        column = {place.pk: index for index, place in enumerate(places)}
        n = len(applications)
        preferences = np.full((n, MAX_CHOICES), -1, dtype=np.int64)
        priority = np.full((n, MAX_CHOICES), -1, dtype=np.int64)
        reasons: dict[int, list[str]] = {}
        choices_of: list[list[Choice]] = []
        for row, application in enumerate(applications):
            application.lottery_number = lottery.lottery_number(seed, application.reference)
            application.lottery_rank = published.ranks[application.reference]
            eligible = [
                choice
                for choice in sorted(application.choices.all(), key=lambda c: c.rank)
                if services.place_fits(
                    place=choice.place, child=application.child, start_month=application.start_month
                )
            ]
            choices_of.append(eligible)
            for position, choice in enumerate(eligible):
                met = rules_met(rules=round_.priority_rules, child=application.child, place=choice.place)
                reasons[choice.pk] = met
                preferences[row, position] = column[choice.place_id]
                priority[row, position] = priority_key(
                    rules=round_.priority_rules, met=met, lottery_rank=application.lottery_rank, applicants=n
                )
        capacity = np.array([place.capacity for place in places], dtype=np.int64)
        result = deferred_acceptance(preferences, priority, capacity)
        explanation = explain(result, preferences, priority, capacity)
        positions = waitlist_positions(result, preferences, priority)

        deadline = now + dt.timedelta(days=round_.offer_days)
        offers: list[Offer] = []
        changed: list[Choice] = []
        for row, application in enumerate(applications):
            held = int(result.place_of[row])
            for position, choice in enumerate(choices_of[row]):
                choice.priority_reasons = reasons[choice.pk]
                if held != UNPLACED and column[choice.place_id] == held:
                    choice.outcome = Outcome.PLACED
                    offers.append(Offer(application=application, place=choice.place, deadline=deadline))
                elif explanation.passed_over[row, position]:
                    choice.outcome = Outcome.PASSED_OVER
                    choice.applicants_ahead = int(explanation.applicants_ahead[row, position])
                    choice.seats = int(explanation.seats[row, position])
                    choice.waitlist_position = int(positions[row, position])
                else:
                    choice.outcome = Outcome.NOT_REACHED
                changed.append(choice)
        Choice.objects.bulk_update(
            changed, ["outcome", "priority_reasons", "applicants_ahead", "seats", "waitlist_position"]
        )
        Application.objects.bulk_update(applications, ["lottery_number", "lottery_rank"])
        # Offers one by one, so that each has its own audit entry; outcomes and lottery
        # numbers are derived data that the published seed reproduces.
        for offer in offers:
            offer.save()
        round_.seed = seed
        round_.roster_hash = published.roster_hash
        round_.algorithm = published.algorithm
        round_.allocated_at = now
        round_.status = RoundStatus.ALLOCATED
        round_.save(update_fields=["seed", "roster_hash", "algorithm", "allocated_at", "status"])
    caller_round.refresh_from_db()
    placed = len(offers)
    return AllocationSummary(applications=n, placed=placed, unplaced=n - placed, seats=int(capacity.sum()))
