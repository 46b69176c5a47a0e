"""Reads for central enrollment, scoped by who asks, and the outcome in plain words.

* a parent sees their own children and applications;
* an operator sees the applications naming their institution (children's names masked
  until a placement is accepted) and the offers there;
* a township official sees the rounds and their figures, and the 困境 claims of children
  living in the township;
* the bureau sees everything.

Everyone sees the rounds that are not drafts, with their published lottery data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import Role, User
from tuoyu.engine import lottery
from tuoyu.enrollment.models import (
    Application,
    Child,
    Choice,
    Offer,
    OfferStatus,
    Outcome,
    PriorityRule,
    Round,
    RoundPlace,
    RoundStatus,
)
from tuoyu.enrollment.services import place_fits
from tuoyu.portal.selectors import age_in_months
from tuoyu.registry.models import Institution

AnyUser = User | object


def _user(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_active else None


def is_parent(user: AnyUser) -> bool:
    account = _user(user)
    return account is not None and account.role == Role.PUBLIC and not account.is_superuser


def rounds_public() -> QuerySet[Round]:
    return Round.objects.exclude(status=RoundStatus.DRAFT)


def rounds_visible_to(user: AnyUser) -> QuerySet[Round]:
    account = _user(user)
    if account is not None and account.is_bureau_admin:
        return Round.objects.all()
    return rounds_public()


def rounds_open_for_applications() -> QuerySet[Round]:
    """Open rounds whose application window contains now."""
    now = timezone.now()
    return Round.objects.filter(status=RoundStatus.OPEN, opens_at__lte=now, closes_at__gt=now).order_by(
        "closes_at"
    )


def children_of(user: AnyUser) -> QuerySet[Child]:
    account = _user(user)
    if account is None or not is_parent(account):
        return Child.objects.none()
    return Child.objects.filter(guardian=account).select_related("township")


def applications_of(user: AnyUser) -> QuerySet[Application]:
    return (
        Application.objects.filter(child__in=children_of(user))
        .select_related("round", "child", "offer__place__institution")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.select_related("place__institution")))
        .order_by("-round__opens_at", "child__birth_date")
    )


def hardship_claims_visible_to(user: AnyUser) -> QuerySet[Child]:
    account = _user(user)
    claims = Child.objects.filter(hardship_claimed=True).select_related("township")
    if account is None:
        return Child.objects.none()
    if account.is_bureau_admin:
        return claims
    if account.is_township_official and account.township_id is not None:
        return claims.filter(township_id=account.township_id)
    return Child.objects.none()


def institution_of_operator(user: AnyUser) -> Institution | None:
    account = _user(user)
    if account is None or not account.is_institution_operator:
        return None
    return account.institution


def applicants_at(*, institution: Institution, round_: Round) -> QuerySet[Choice]:
    """Every choice naming the institution in the round: by class type, then placed
    children, those waiting, those placed at a choice they preferred, each by lottery rank."""
    outcome_order = Case(
        When(outcome=Outcome.PLACED, then=Value(0)),
        When(outcome=Outcome.PASSED_OVER, then=Value(1)),
        When(outcome=Outcome.NOT_REACHED, then=Value(2)),
        default=Value(3),
    )
    return (
        Choice.objects.filter(
            place__institution=institution, place__round=round_, application__withdrawn_at__isnull=True
        )
        .select_related("application__child", "place", "application__offer")
        .order_by(
            "place__class_type",
            outcome_order,
            "waitlist_position",
            "application__lottery_rank",
            "application__reference",
        )
    )


def offers_at(*, institution: Institution) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(place__institution=institution)
        .select_related("application__child__guardian", "application__round", "place", "care_class")
        .order_by("-application__round__opens_at", "status", "application__reference")
    )


def places_for_child(*, round_: Round, child: Child, start_month: dt.date) -> list[RoundPlace]:
    """The round's places with seats whose class type fits the child at the start month."""
    places = round_.places.filter(capacity__gt=0).select_related("institution__township")
    return [place for place in places if place_fits(place=place, child=child, start_month=start_month)]


@dataclass(frozen=True)
class RoundFigures:
    places: int
    seats: int
    applications: int
    placed: int
    accepted: int
    declined: int
    enrolled: int


def round_figures(round_: Round) -> RoundFigures:
    seats = round_.places.aggregate(seats=Sum("capacity"), places=Count("id"))
    offers = Offer.objects.filter(application__round=round_).aggregate(
        placed=Count("id"),
        accepted=Count("id", filter=Q(status=OfferStatus.ACCEPTED)),
        declined=Count("id", filter=Q(status__in=[OfferStatus.DECLINED, OfferStatus.EXPIRED])),
        enrolled=Count("id", filter=Q(status=OfferStatus.ENROLLED)),
    )
    return RoundFigures(
        places=seats["places"] or 0,
        seats=seats["seats"] or 0,
        applications=round_.applications.filter(withdrawn_at__isnull=True).count(),
        placed=offers["placed"],
        accepted=offers["accepted"],
        declined=offers["declined"],
        enrolled=offers["enrolled"],
    )


def round_lottery_published(round_: Round) -> dict[str, object] | None:
    """The data anyone needs to re-run the draw: before the draw only the commitment."""
    if round_.status == RoundStatus.DRAFT:
        return None
    data: dict[str, object] = {"round": round_.pk, "name": round_.name, "commitment": round_.commitment}
    if round_.seed:
        references = list(
            round_.applications.filter(lottery_rank__isnull=False)
            .order_by("reference")
            .values_list("reference", flat=True)
        )
        data.update(lottery.lottery_publish(seed=round_.seed, references=references).to_json())
        data["round"] = round_.pk
        data["name"] = round_.name
    return data


# The outcome in plain words ---------------------------------------------------------------


def _rule_labels(codes: list[str]) -> str:
    labels = dict(PriorityRule.choices)
    return "、".join(str(labels.get(code, code)) for code in codes)


def choice_explanation(choice: Choice) -> str:
    """One sentence a parent can read: what happened at this choice, and why."""
    place = choice.place
    where = f"{place.institution.name}{place.get_class_type_display()}"
    if choice.outcome == Outcome.PLACED:
        return _("已录取：%(where)s（第 %(rank)d 志愿）。") % {"where": where, "rank": choice.rank}
    if choice.outcome == Outcome.NOT_REACHED:
        return _("%(where)s：已被更靠前的志愿录取，此志愿不再参与分配。") % {"where": where}
    if choice.outcome == Outcome.PASSED_OVER:
        if not choice.seats:
            return _("未录取于%(where)s：本轮没有名额。") % {"where": where}
        return _(
            "未录取于%(where)s：%(ahead)d 位申请人的优先级更高，而名额只有 %(seats)d 个；"
            "您在候补名单第 %(position)d 位。"
        ) % {
            "where": where,
            "ahead": choice.applicants_ahead or 0,
            "seats": choice.seats,
            "position": choice.waitlist_position or 0,
        }
    return _("%(where)s：等待分配。") % {"where": where}


def priority_explanation(choice: Choice) -> str:
    """Why the child stood where it did at this place: the rules met, then the lottery."""
    application = choice.application
    rank = application.lottery_rank
    if rank is None:
        return ""
    met = _rule_labels(choice.priority_reasons) if choice.priority_reasons else _("无")
    return _("满足的优先条件：%(met)s；抽签序号 %(rank)d。") % {"met": met, "rank": rank}


def application_summary(application: Application) -> str:
    offer = getattr(application, "offer", None)
    if application.withdrawn_at is not None:
        return _("已撤回。")
    if application.round.status in {RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED}:
        return _("已提交，等待分配。")
    if offer is None:
        return _("本轮未能录取。各志愿的原因见下；下一轮报名开放时可继续申请。")
    return _("录取于%(where)s，状态：%(status)s。") % {
        "where": f"{offer.place.institution.name}{offer.place.get_class_type_display()}",
        "status": offer.get_status_display(),
    }


def child_age_months(child: Child, *, on: dt.date) -> int:
    return age_in_months(birth_date=child.birth_date, on=on)
