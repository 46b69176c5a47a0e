"""Every change to central enrollment: children, rounds, applications, offers.

Each service checks that the actor may make the change, validates the whole change, then
saves it in one transaction with the audit log attributing it to the actor. Invalid
input raises ``ValidationError`` naming the field; a refused actor ``PermissionDenied``.
Pages, the API and the management commands all call these. The allocation itself is in
:mod:`tuoyu.enrollment.allocation`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import Role, User
from tuoyu.common import crypto
from tuoyu.common.identifiers import IdentifierError, resident_id_normalize
from tuoyu.engine import lottery
from tuoyu.enrollment.models import (
    CONSENT_VERSION,
    MAX_CHOICES,
    Application,
    Child,
    Choice,
    Offer,
    OfferStatus,
    PriorityRule,
    Round,
    RoundPlace,
    RoundStatus,
)
from tuoyu.portal.selectors import age_in_months, class_types_for_age
from tuoyu.registry import services as registry_services
from tuoyu.registry.models import CareClass, Institution, Township
from tuoyu.registry.selectors import classes_open_on, counted_on

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@contextmanager
def _change(actor: User | None) -> Iterator[None]:
    with transaction.atomic(), set_actor(actor):
        yield


def _require_bureau_admin(actor: User | None) -> None:
    if actor is None or not actor.is_bureau_admin:
        raise PermissionDenied(_("仅市卫健局管理员可执行此操作。"))


def _require_parent(actor: User | None) -> User:
    if actor is None or not actor.is_active or actor.role != Role.PUBLIC:
        raise PermissionDenied(_("请使用家长账户办理报名。"))
    return actor


def _require_guardian(actor: User | None, child: Child) -> User:
    parent = _require_parent(actor)
    if child.guardian_id != parent.pk:
        raise PermissionDenied(_("您不是该婴幼儿的登记监护人。"))
    return parent


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


# Children ---------------------------------------------------------------------------


def child_register(
    *,
    actor: User,
    name: str,
    birth_date: dt.date,
    id_number: str,
    township: Township,
    consent: bool,
    sibling_institution: Institution | None = None,
    parent_employer: Institution | None = None,
    hardship_claimed: bool = False,
    today: dt.date | None = None,
) -> Child:
    """A guardian registers a child under 3, with consent to process the child's data.

    The ID number is checked (format, check digit, and the birth date it contains) and
    stored encrypted; its blind index keeps one child from being registered twice.
    """
    guardian = _require_parent(actor)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not consent:
        errors["consent"] = _("须同意《婴幼儿信息处理告知书》后才能登记。")
    if not name.strip():
        errors["name"] = _("请填写婴幼儿姓名。")
    normalized = ""
    try:
        normalized = resident_id_normalize(id_number)
    except IdentifierError as error:
        errors["id_number"] = str(error)
    if birth_date > today:
        errors["birth_date"] = _("出生日期不能晚于今天。")
    elif age_in_months(birth_date=birth_date, on=today) >= 36:
        errors["birth_date"] = _("孩子已满 3 周岁，不属于本平台的托育服务范围。")
    if normalized and "birth_date" not in errors and normalized[6:14] != birth_date.strftime("%Y%m%d"):
        errors["birth_date"] = _("出生日期与身份证号中的出生日期不一致。")
    if errors:
        raise ValidationError(errors)
    index = crypto.blind_index(normalized, purpose=Child.ID_PURPOSE)
    if Child.objects.filter(id_number_index=index).exists():
        raise ValidationError({"id_number": _("该婴幼儿已由监护人登记，请勿重复登记。")})
    child = Child(
        guardian=guardian,
        name=name.strip(),
        birth_date=birth_date,
        id_number_ciphertext=crypto.encrypt(normalized, purpose=Child.ID_PURPOSE),
        id_number_index=index,
        township=township,
        sibling_institution=sibling_institution,
        parent_employer=parent_employer,
        hardship_claimed=hardship_claimed,
        consent_version=CONSENT_VERSION,
        consent_at=timezone.now(),
    )
    with _change(actor):
        child.full_clean()
        try:
            with transaction.atomic():
                child.save()
        except IntegrityError:
            raise ValidationError({"id_number": _("该婴幼儿已由监护人登记，请勿重复登记。")}) from None
    return child


def child_hardship_review(*, actor: User, child: Child, verified: bool) -> Child:
    """The bureau, or the official of the child's township, confirms a 困境 claim."""
    allowed = actor.is_bureau_admin or (actor.is_township_official and actor.township_id == child.township_id)
    if not allowed:
        raise PermissionDenied(_("您无权认定该婴幼儿的困境情况。"))
    if verified and not child.hardship_claimed:
        raise ValidationError({"hardship_verified": _("监护人未申报困境婴幼儿，无需认定。")})
    with _change(actor):
        child.hardship_verified = verified
        child.save(update_fields=["hardship_verified"])
    return child


# Rounds ------------------------------------------------------------------------------


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
    with _change(actor):
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
    with _change(actor):
        round_.save()
    return round_


def round_place_update(*, actor: User, place: RoundPlace, capacity: int) -> RoundPlace:
    _require_bureau_admin(actor)
    if place.round.status not in {RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED}:
        raise ValidationError(_("已分配的轮次不能修改名额。"))
    if capacity < 0:
        raise ValidationError({"capacity": _("名额不能为负数。")})
    with _change(actor):
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
    with _change(actor):
        round_.status = RoundStatus.OPEN
        round_.save(update_fields=["status"])
    return round_


def round_close(*, actor: User, round_: Round) -> Round:
    _require_bureau_admin(actor)
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(_("只有报名中的轮次可以截止。"))
    with _change(actor):
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
    with _change(actor):
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


# Applications ------------------------------------------------------------------------


def _reference_new(round_: Round) -> str:
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(6))
        reference = f"R{round_.pk}-{code}"
        if not Application.objects.filter(reference=reference).exists():
            return reference


def place_fits(*, place: RoundPlace, child: Child, start_month: dt.date) -> bool:
    """A place fits when its class type admits the child's age in completed months on the
    first day of the start month."""
    months = age_in_months(birth_date=child.birth_date, on=start_month)
    return place.class_type in class_types_for_age(months)


def application_submit(
    *,
    actor: User,
    round_: Round,
    child: Child,
    start_month: dt.date,
    places: Sequence[RoundPlace],
    now: dt.datetime | None = None,
) -> Application:
    """Apply, or change the application, while the round is open: 1 to 5 distinct places
    of the round, each with a class type that fits the child's age at the start month."""
    _require_guardian(actor, child)
    if not round_.accepts_applications(now):
        raise ValidationError(_("该轮次当前不接受报名。"))
    errors: dict[str, str] = {}
    start_month = _first_of_month(start_month)
    if start_month not in round_.start_months():
        errors["start_month"] = _("入托月份应在 %(first)s 至 %(last)s 之间。") % {
            "first": round_.first_start_month.strftime("%Y-%m"),
            "last": round_.last_start_month.strftime("%Y-%m"),
        }
    if not places:
        errors["choices"] = _("请至少选择 1 个志愿。")
    elif len(places) > MAX_CHOICES:
        errors["choices"] = _("最多填报 %(count)d 个志愿。") % {"count": MAX_CHOICES}
    if errors:
        raise ValidationError(errors)
    months = age_in_months(birth_date=child.birth_date, on=start_month)
    if not class_types_for_age(months):
        raise ValidationError(
            {
                "start_month": _(
                    "孩子在该月为 %(months)d 月龄，没有适合的班型（乳儿班自 6 月龄起，托育至 36 月龄）。"
                )
                % {"months": months}
            }
        )
    seen: set[int] = set()
    for rank, place in enumerate(places, 1):
        field = f"choice_{rank}"
        if place.round_id != round_.pk:
            errors[field] = _("第 %(rank)d 志愿不属于本轮次。") % {"rank": rank}
        elif place.pk in seen:
            errors[field] = _("第 %(rank)d 志愿与前面的志愿重复。") % {"rank": rank}
        elif not place_fits(place=place, child=child, start_month=start_month):
            errors[field] = _("第 %(rank)d 志愿的%(type)s不招收 %(months)d 月龄的孩子。") % {
                "rank": rank,
                "type": place.get_class_type_display(),
                "months": months,
            }
        seen.add(place.pk)
    if errors:
        raise ValidationError(errors)
    with _change(actor):
        application = Application.objects.select_for_update().filter(round=round_, child=child).first()
        if application is None:
            application = Application.objects.create(
                round=round_, child=child, reference=_reference_new(round_), start_month=start_month
            )
        else:
            application.start_month = start_month
            application.withdrawn_at = None
            application.save(update_fields=["start_month", "withdrawn_at", "updated_at"])
            application.choices.all().delete()
        for rank, place in enumerate(places, 1):
            Choice.objects.create(application=application, rank=rank, place=place)
    return application


def application_withdraw(
    *, actor: User, application: Application, now: dt.datetime | None = None
) -> Application:
    _require_guardian(actor, application.child)
    if not application.round.accepts_applications(now):
        raise ValidationError(_("报名截止后不能撤回。"))
    with _change(actor):
        application.withdrawn_at = timezone.now()
        application.save(update_fields=["withdrawn_at", "updated_at"])
    return application


# Offers ------------------------------------------------------------------------------


def offer_respond(*, actor: User, offer: Offer, accept: bool, now: dt.datetime | None = None) -> Offer:
    """The parent accepts or declines the offered place before the deadline."""
    _require_guardian(actor, offer.application.child)
    now = now or timezone.now()
    if offer.status != OfferStatus.OFFERED:
        raise ValidationError(_("该录取通知已答复或已失效。"))
    if now >= offer.deadline:
        raise ValidationError(_("已超过答复期限。"))
    with _change(actor):
        offer.status = OfferStatus.ACCEPTED if accept else OfferStatus.DECLINED
        offer.responded_at = now
        offer.save(update_fields=["status", "responded_at"])
    return offer


def offers_expire(*, actor: User | None = None, now: dt.datetime | None = None) -> int:
    """Offers not answered by their deadline lapse and free their seats; returns how many."""
    now = now or timezone.now()
    with _change(actor):
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
    with _change(actor):
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
