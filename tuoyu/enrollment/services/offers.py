"""Offers: the parent's answer by the deadline, lapsing, and the institution's
confirmation of enrollment into the registry."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import User
from tuoyu.common.audit import audited_change
from tuoyu.enrollment.models import (
    Offer,
    OfferStatus,
    Round,
)
from tuoyu.enrollment.services.common import _require_guardian
from tuoyu.registry import services as registry_services
from tuoyu.registry.models import CareClass


def offer_respond(*, actor: User, offer: Offer, accept: bool, now: dt.datetime | None = None) -> Offer:
    """The parent accepts or declines the offered place before the deadline."""
    _require_guardian(actor, offer.application.child)
    now = now or timezone.now()
    if offer.status != OfferStatus.OFFERED:
        raise ValidationError(_("该录取通知已答复或已失效。"))
    if now >= offer.deadline:
        raise ValidationError(_("已超过答复期限。"))
    with audited_change(actor):
        offer.status = OfferStatus.ACCEPTED if accept else OfferStatus.DECLINED
        offer.responded_at = now
        offer.save(update_fields=["status", "responded_at"])
    return offer


def offers_expire(*, actor: User | None = None, now: dt.datetime | None = None) -> int:
    """Offers not answered by their deadline lapse and free their seats; returns how many."""
    now = now or timezone.now()
    with audited_change(actor):
        lapsed = list(Offer.objects.select_for_update().filter(status=OfferStatus.OFFERED, deadline__lte=now))
        for offer in lapsed:
            offer.status = OfferStatus.EXPIRED
            offer.save(update_fields=["status"])
    return len(lapsed)


def offer_enroll(*, actor: User, offer: Offer, care_class: CareClass) -> Offer:
    """The institution confirms that the child has started: the class's enrolled count
    grows by one through the registry's own service (and its checks and audit)."""
    institution = offer.place.institution
    allowed = actor.is_bureau_admin or (
        actor.is_institution_operator and actor.institution_id == institution.pk
    )
    if not allowed:
        raise PermissionDenied(_("您无权确认该机构的入托。"))
    if offer.status != OfferStatus.ACCEPTED:
        raise ValidationError(_("只有家长已接受的录取可以确认入托。"))
    if care_class.institution_id != institution.pk or care_class.class_type != offer.place.class_type:
        raise ValidationError(
            {"care_class": _("请选择本机构%(type)s的班级。") % {"type": offer.place.get_class_type_display()}}
        )
    if care_class.closed_on is not None and care_class.closed_on <= timezone.localdate():
        raise ValidationError({"care_class": _("该班级已撤班。")})
    if care_class.enrolled >= care_class.approved_slots:
        raise ValidationError(
            {"care_class": _("该班级已满（核定 %(slots)d 人）。") % {"slots": care_class.approved_slots}}
        )
    with audited_change(actor):
        registry_services.care_class_update(
            actor=actor, care_class=care_class, enrolled=care_class.enrolled + 1
        )
        offer.status = OfferStatus.ENROLLED
        offer.care_class = care_class
        offer.enrolled_at = timezone.now()
        offer.save(update_fields=["status", "care_class", "enrolled_at"])
    return offer


def offer_counts_by_place(round_: Round) -> dict[int, dict[str, int]]:
    """Offers per place and status, for the round's overview."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in Offer.objects.filter(place__round=round_).values("place_id", "status").annotate(n=Count("id")):
        counts[row["place_id"]][row["status"]] = int(row["n"])
    return counts
