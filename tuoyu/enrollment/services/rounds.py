"""Rounds: creation with the seed commitment and places from the registry, opening,
closing, and later rounds of the same intake."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import User
from tuoyu.common import crypto
from tuoyu.common.audit import audited_change
from tuoyu.engine import lottery
from tuoyu.enrollment.models import (
    Application,
    Choice,
    Offer,
    OfferStatus,
    PriorityRule,
    Round,
    RoundPlace,
    RoundStatus,
)
from tuoyu.enrollment.services.common import _reference_new, _require_bureau_admin
from tuoyu.registry.models import CareClass, Institution
from tuoyu.registry.selectors import classes_open_on, counted_on


def _validate_round(round_: Round) -> None:
    errors: dict[str, str] = {}
    if round_.first_start_month.day != 1 or round_.last_start_month.day != 1:
        errors["first_start_month"] = _("入托月份应为某月 1 日。")
    elif round_.last_start_month < round_.first_start_month:
        errors["last_start_month"] = _("最晚入托月份不能早于最早入托月份。")
    elif len(round_.start_months()) > 12:
        errors["last_start_month"] = _("一轮报名的入托月份最多跨 12 个月。")
    if round_.closes_at <= round_.opens_at:
        errors["closes_at"] = _("报名截止时间应晚于开始时间。")
    rules = round_.priority_rules
    known = set(PriorityRule.values)
    if not isinstance(rules, list) or any(rule not in known for rule in rules):
        errors["priority_rules"] = _("优先规则只能从以下选择：%(rules)s。") % {
            "rules": "、".join(sorted(known))
        }
    elif len(set(rules)) != len(rules):
        errors["priority_rules"] = _("同一优先规则不能重复。")
    if errors:
        raise ValidationError(errors)
    round_.full_clean(exclude=["commitment", "seed_ciphertext", "created_by"])


def _places_available(*, on: dt.date) -> dict[tuple[int, str], int]:
    """Vacancies of open classes of operating, filed institutions, less the seats held by
    offers not yet enrolled (they will fill those vacancies)."""
    vacancies = (
        CareClass.objects.filter(classes_open_on(on))
        .filter(institution__in=Institution.objects.filter(counted_on(on)))
        .values("institution_id", "class_type")
        .annotate(free=Sum(F("approved_slots") - F("enrolled")))
    )
    free: dict[tuple[int, str], int] = {
        (row["institution_id"], row["class_type"]): max(0, int(row["free"] or 0)) for row in vacancies
    }
    held = (
        Offer.objects.filter(status__in=[OfferStatus.OFFERED, OfferStatus.ACCEPTED])
        .values("place__institution_id", "place__class_type")
        .annotate(seats=Count("id"))
    )
    for row in held:
        key = (row["place__institution_id"], row["place__class_type"])
        if key in free:
            free[key] = max(0, free[key] - int(row["seats"]))
    return free


def _places_create(round_: Round, *, on: dt.date) -> None:
    # One by one, not in bulk, so that each place has its own audit entry.
    for (institution_id, class_type), capacity in sorted(_places_available(on=on).items()):
        if capacity > 0:
            RoundPlace.objects.create(
                round=round_, institution_id=institution_id, class_type=class_type, capacity=capacity
            )


def round_create(
    *,
    actor: User,
    name: str,
    first_start_month: dt.date,
    last_start_month: dt.date,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    priority_rules: Sequence[str],
    offer_days: int = 7,
    previous: Round | None = None,
) -> Round:
    """A draft round with its secret seed and the commitment to it, and its places taken
    from the registry's vacancies today (the bureau may adjust them until the draw)."""
    _require_bureau_admin(actor)
    seed = lottery.seed_new()
    round_ = Round(
        name=name.strip(),
        previous=previous,
        first_start_month=first_start_month,
        last_start_month=last_start_month,
        opens_at=opens_at,
        closes_at=closes_at,
        offer_days=offer_days,
        priority_rules=list(priority_rules),
        commitment=lottery.commitment_of(seed),
        seed_ciphertext=b"",
        created_by=actor,
    )
    if not round_.name:
        raise ValidationError({"name": _("请填写轮次名称。")})
    _validate_round(round_)
    with audited_change(actor):
        round_.save()
        # The seed is bound to the round's primary key, which exists only now.
        round_.seed_ciphertext = crypto.encrypt(seed, purpose=_seed_purpose(round_))
        round_.save(update_fields=["seed_ciphertext"])
        _places_create(round_, on=timezone.localdate())
    return round_


def _seed_purpose(round_: Round) -> str:
    return f"enrollment.round.seed:{round_.pk}"


def round_seed(round_: Round) -> str:
    """The round's secret seed (for the draw only)."""
    return crypto.decrypt(round_.seed_ciphertext, purpose=_seed_purpose(round_))


def round_update(
    *,
    actor: User,
    round_: Round,
    name: str,
    first_start_month: dt.date,
    last_start_month: dt.date,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    priority_rules: Sequence[str],
    offer_days: int,
) -> Round:
    """Change a round before it opens; while open, only its closing time may move later."""
    _require_bureau_admin(actor)
    if round_.status not in {RoundStatus.DRAFT, RoundStatus.OPEN}:
        raise ValidationError(_("报名已截止的轮次不能修改。"))
    if round_.status == RoundStatus.OPEN:
        unchanged = (
            name.strip() == round_.name
            and first_start_month == round_.first_start_month
            and last_start_month == round_.last_start_month
            and opens_at == round_.opens_at
            and list(priority_rules) == round_.priority_rules
            and offer_days == round_.offer_days
        )
        if not unchanged:
            raise ValidationError(_("报名开始后只能延长报名截止时间。"))
        if closes_at < round_.closes_at:
            raise ValidationError({"closes_at": _("报名开始后截止时间只能延后。")})
    round_.name = name.strip()
    round_.first_start_month = first_start_month
    round_.last_start_month = last_start_month
    round_.opens_at = opens_at
    round_.closes_at = closes_at
    round_.priority_rules = list(priority_rules)
    round_.offer_days = offer_days
    if not round_.name:
        raise ValidationError({"name": _("请填写轮次名称。")})
    _validate_round(round_)
    with audited_change(actor):
        round_.save()
    return round_


def round_place_update(*, actor: User, place: RoundPlace, capacity: int) -> RoundPlace:
    _require_bureau_admin(actor)
    if place.round.status not in {RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED}:
        raise ValidationError(_("已分配的轮次不能修改名额。"))
    if capacity < 0:
        raise ValidationError({"capacity": _("名额不能为负数。")})
    with audited_change(actor):
        place.capacity = capacity
        place.save(update_fields=["capacity"])
    return place


def round_open(*, actor: User, round_: Round) -> Round:
    """Publish the round: from now on its commitment is public and parents may apply."""
    _require_bureau_admin(actor)
    if round_.status != RoundStatus.DRAFT:
        raise ValidationError(_("只有草稿状态的轮次可以开放报名。"))
    if not round_.places.filter(capacity__gt=0).exists():
        raise ValidationError(_("该轮次没有任何名额，不能开放报名。"))
    with audited_change(actor):
        round_.status = RoundStatus.OPEN
        round_.save(update_fields=["status"])
    return round_


def round_close(*, actor: User, round_: Round) -> Round:
    _require_bureau_admin(actor)
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(_("只有报名中的轮次可以截止。"))
    with audited_change(actor):
        round_.status = RoundStatus.CLOSED
        if round_.closes_at > timezone.now():
            round_.closes_at = timezone.now()
        round_.save(update_fields=["status", "closes_at"])
    return round_


def round_follow_up_create(
    *, actor: User, previous: Round, name: str, opens_at: dt.datetime, closes_at: dt.datetime
) -> Round:
    """A later round of the same intake: places are today's vacancies (declined and lapsed
    offers have freed theirs), and every application without an accepted place is carried
    over with its choices that still exist, for the parent to review."""
    _require_bureau_admin(actor)
    if previous.status != RoundStatus.ALLOCATED:
        raise ValidationError(_("只能在已分配的轮次之后发起下一轮。"))
    pending = Offer.objects.filter(application__round=previous, status=OfferStatus.OFFERED)
    if pending.exists():
        raise ValidationError(
            _("上一轮仍有 %(count)d 个录取通知待答复，请在答复期限过后再发起下一轮。")
            % {"count": pending.count()}
        )
    with audited_change(actor):
        round_ = round_create(
            actor=actor,
            name=name,
            first_start_month=previous.first_start_month,
            last_start_month=previous.last_start_month,
            opens_at=opens_at,
            closes_at=closes_at,
            priority_rules=previous.priority_rules,
            offer_days=previous.offer_days,
            previous=previous,
        )
        places = {(p.institution_id, p.class_type): p for p in round_.places.all()}
        settled = {OfferStatus.ACCEPTED, OfferStatus.ENROLLED}
        carried = (
            previous.applications.filter(withdrawn_at__isnull=True)
            .exclude(offer__status__in=settled)
            .prefetch_related("choices__place")
        )
        for old in carried:
            kept = [
                places[(c.place.institution_id, c.place.class_type)]
                for c in old.choices.all()
                if (c.place.institution_id, c.place.class_type) in places
            ]
            if not kept:
                continue
            application = Application.objects.create(
                round=round_,
                child_id=old.child_id,
                reference=_reference_new(round_),
                start_month=old.start_month,
            )
            for rank, place in enumerate(kept, 1):
                Choice.objects.create(application=application, rank=rank, place=place)
        previous.status = RoundStatus.FINISHED
        previous.save(update_fields=["status"])
    return round_
