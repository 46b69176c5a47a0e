"""Applications: up to five ranked places that fit the child's age at the start month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import User
from tuoyu.common.audit import audited_change
from tuoyu.enrollment.models import (
    MAX_CHOICES,
    Application,
    Child,
    Choice,
    Round,
    RoundPlace,
)
from tuoyu.enrollment.services.common import _first_of_month, _reference_new, _require_guardian
from tuoyu.portal.selectors import age_in_months, class_types_for_age


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
    with audited_change(actor):
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
    with audited_change(actor):
        application.withdrawn_at = timezone.now()
        application.save(update_fields=["withdrawn_at", "updated_at"])
    return application
