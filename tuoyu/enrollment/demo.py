"""Synthetic central-enrollment data for the demo (示例数据): no real child or parent.

Two rounds are built through the same services a real intake uses, with ``now`` moved
back so that the first round has a full history:

* "2027 年上半年统一报名（第一轮·示例）": opened 70 days ago, closed 60 days ago, drawn
  and allocated; most parents accepted, some declined, the rest let the offer lapse;
* its second round, open now for a month: today's vacancies, with every application
  that did not end with an accepted place carried over.

The applicants are synthetic children of synthetic parent accounts that cannot log in
(unusable passwords; their names say 示例). The demo ``public`` account is a parent with
two children: one applied in the first round (its result and explanations are on the
parent's page), the other has not applied yet, so a visitor can apply in the open round.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils import timezone

from tuoyu.accounts.models import Role, User
from tuoyu.common.identifiers import resident_id_check_char
from tuoyu.enrollment import services
from tuoyu.enrollment.allocation import round_allocate
from tuoyu.enrollment.models import Application, Child, Choice, Offer, Round, RoundPlace
from tuoyu.portal.selectors import age_in_months, class_types_for_age
from tuoyu.registry.models import Township

DEMO_SEED = 20261129
APPLICANTS = 360
PARENT_PREFIX = "1990000"
"""Synthetic parents' usernames (phone-shaped, 1990000xxxx); they cannot log in."""
FIRST_START = dt.date(2026, 12, 1)
LAST_START = dt.date(2027, 6, 1)
RULES = ["hardship", "sibling", "employer", "resident"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑"


def enrollment_demo_has_data() -> bool:
    return Round.objects.exists()


def enrollment_demo_clear() -> None:
    """Delete every round, application and child, and the synthetic parents."""
    with transaction.atomic(), disable_auditlog():
        Offer.objects.all().delete()
        Application.objects.all().delete()
        Round.objects.filter(previous__isnull=False).delete()
        RoundPlace.objects.all().delete()
        Round.objects.all().delete()
        Child.objects.all().delete()
        User.objects.filter(username__startswith=PARENT_PREFIX, role=Role.PUBLIC).delete()


def _id_number(serial: int, birth: dt.date) -> str:
    first17 = f"331082{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def _birth_for(rng: random.Random, today: dt.date) -> dt.date:
    """A child of 3 to 26 months today: old enough for a class by the start months."""
    return today - dt.timedelta(days=rng.randint(95, 800))


def _parent(index: int) -> User:
    user = User(username=f"{PARENT_PREFIX}{index:04d}", role=Role.PUBLIC)
    user.set_unusable_password()
    user.save()
    return user


def _apply(
    *,
    rng: random.Random,
    round_: Round,
    child: Child,
    places: list[RoundPlace],
    now: dt.datetime,
    favourite: RoundPlace | None = None,
) -> Application | None:
    """Up to five fitting places, nearest township first, for the earliest fitting month."""
    for month in round_.start_months():
        months = age_in_months(birth_date=child.birth_date, on=month)
        fitting = [p for p in places if p.class_type in class_types_for_age(months)]
        if fitting:
            break
    else:
        return None
    local = [p for p in fitting if p.institution.township_id == child.township_id]
    others = [p for p in fitting if p.institution.township_id != child.township_id]
    rng.shuffle(local)
    rng.shuffle(others)
    chosen = (local[:3] + others)[: rng.randint(1, 5)]
    if favourite is not None and favourite in fitting:
        chosen = [favourite, *[p for p in chosen if p != favourite]][:5]
    return services.application_submit(
        actor=child.guardian, round_=round_, child=child, start_month=month, places=chosen, now=now
    )


def enrollment_demo_build(*, admin: User, parent: User | None, seed: int = DEMO_SEED) -> dict[str, int]:
    """Build the two rounds (see the module docstring); returns counts for the log."""
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    first_opened = now - dt.timedelta(days=70)
    townships = list(Township.objects.order_by("code"))
    with transaction.atomic():
        first = services.round_create(
            actor=admin,
            name="2027 年上半年统一报名（第一轮·示例）",
            first_start_month=FIRST_START,
            last_start_month=LAST_START,
            opens_at=first_opened,
            closes_at=now - dt.timedelta(days=60),
            priority_rules=RULES,
            offer_days=7,
        )
        services.round_open(actor=admin, round_=first)
        places = list(first.places.select_related("institution"))
        # Crowded places make the allocation interesting: the demo has few vacancies per
        # class, so a popular standalone nursery gets many first choices.
        popular = max(places, key=lambda p: (p.institution.form == "standalone", p.capacity, -p.pk))
        applied_at = first_opened + dt.timedelta(days=3)
        children: list[Child] = []
        for index in range(APPLICANTS):
            guardian = _parent(index)
            birth = _birth_for(rng, today)
            township = rng.choice(townships)
            child = services.child_register(
                actor=guardian,
                name=f"示例儿童{index + 1:03d}",
                birth_date=birth,
                id_number=_id_number(index, birth),
                township=township,
                consent=True,
                hardship_claimed=rng.random() < 0.03,
                today=today,
            )
            children.append(child)
            _apply(
                rng=rng,
                round_=first,
                child=child,
                places=places,
                now=applied_at,
                favourite=popular if rng.random() < 0.25 else None,
            )
        for child in children:
            if child.hardship_claimed and rng.random() < 0.7:
                services.child_hardship_review(actor=admin, child=child, verified=True)
        demo_children = _demo_parent_children(parent=parent, townships=townships, today=today)
        if demo_children:
            # The demo parent's first choice is the most oversubscribed place that fits, so
            # the parent's page shows a "not placed: N applicants had a higher priority".
            demand = Counter(
                Choice.objects.filter(application__round=first, rank=1).values_list("place_id", flat=True)
            )
            kinds = class_types_for_age(age_in_months(birth_date=demo_children[0].birth_date, on=FIRST_START))
            fitting = [p for p in places if p.class_type in kinds]
            crowded = max(fitting, key=lambda p: (demand[p.pk] - p.capacity, -p.pk))
            _apply(
                rng=rng,
                round_=first,
                child=demo_children[0],
                places=places,
                now=applied_at,
                favourite=crowded,
            )
        services.round_close(actor=admin, round_=first)
        allocated_at = now - dt.timedelta(days=59)
        round_allocate(actor=admin, round_=first, now=allocated_at)
        for offer in Offer.objects.filter(application__round=first).select_related(
            "application__child__guardian"
        ):
            if demo_children and offer.application.child_id == demo_children[0].pk:
                continue  # the demo parent's offer lapses: its child moves on to the second round
            draw = rng.random()
            if draw < 0.9:  # 75 % accept, 15 % decline, the rest let the offer lapse
                services.offer_respond(
                    actor=offer.application.child.guardian,
                    offer=offer,
                    accept=draw < 0.75,
                    now=allocated_at + dt.timedelta(days=rng.randint(0, 6)),
                )
        services.offers_expire(actor=admin, now=now)
        second = services.round_follow_up_create(
            actor=admin,
            previous=first,
            name="2027 年上半年统一报名（第二轮·示例）",
            opens_at=now - dt.timedelta(days=2),
            closes_at=now + dt.timedelta(days=28),
        )
        services.round_open(actor=admin, round_=second)
    return {
        "rounds": 2,
        "children": Child.objects.count(),
        "applications": Application.objects.filter(round=first).count(),
        "placed": Offer.objects.filter(application__round=first).count(),
        "carried_over": Application.objects.filter(round=second).count(),
        "second_round": second.pk,
    }


def _demo_parent_children(*, parent: User | None, townships: list[Township], today: dt.date) -> list[Child]:
    """The demo parent's two children: 16 and 9 months old today, living in 古城街道."""
    if parent is None or parent.role != Role.PUBLIC:
        return []
    home = next((t for t in townships if t.name == "古城街道"), townships[0])
    children = []
    for serial, days, name in ((901, 490, "示例宝宝甲"), (902, 280, "示例宝宝乙")):
        birth = today - dt.timedelta(days=days)
        children.append(
            services.child_register(
                actor=parent,
                name=name,
                birth_date=birth,
                id_number=_id_number(serial, birth),
                township=home,
                consent=True,
                today=today,
            )
        )
    return children
