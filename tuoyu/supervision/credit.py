"""Institution credit on the platform: events in, grades out, every change kept with why.

The rules are :class:`tuoyu.engine.credit.CreditRules` (configurable through the
``TUOYU_CREDIT_RULES`` setting: any field of the dataclass). :func:`credit_recompute`
grades institutions from all their events and writes a :class:`CreditGrade` row only
when a grade changes, with the events that decided it in its reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuoyu.engine import credit as engine
from tuoyu.registry.models import Institution
from tuoyu.supervision.models import CreditEvent, CreditGrade

KIND_LABELS: dict[str, Any] = {
    "inspection_pass": gettext_lazy("检查合格"),
    "inspection_rectify": gettext_lazy("检查责令整改"),
    "inspection_fail": gettext_lazy("检查不合格"),
    "finding_critical": gettext_lazy("严重问题"),
    "finding_major": gettext_lazy("一般问题"),
    "finding_minor": gettext_lazy("轻微问题"),
    "rectification_overdue": gettext_lazy("逾期未整改"),
    "complaint_substantiated": gettext_lazy("投诉属实"),
    "incident_late_report": gettext_lazy("事故迟报"),
    "incident_serious": gettext_lazy("重大安全事故"),
    "award": gettext_lazy("表彰"),
    "demonstration": gettext_lazy("示范托育机构"),
}
"""Labels of the engine's event kinds (the keys must match its default rules)."""


@cache
def _rules(config: tuple[tuple[str, Any], ...]) -> engine.CreditRules:
    return engine.CreditRules(**dict(config))


def credit_rules() -> engine.CreditRules:
    """The configured rules (``TUOYU_CREDIT_RULES`` overrides the engine's defaults)."""
    config = getattr(settings, "TUOYU_CREDIT_RULES", {}) or {}
    return _rules(tuple(sorted((key, _freeze(value)) for key, value in config.items())))


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    if isinstance(value, list):
        return tuple(value)
    return value


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def _recorded(institution_ids: Iterable[int] | None) -> dict[int, str | None]:
    """The last recorded grade of each institution (``None`` when never graded)."""
    rows = CreditGrade.objects.filter(institution=OuterRef("pk")).order_by("-as_of", "-id")
    institutions = Institution.objects.all()
    if institution_ids is not None:
        institutions = institutions.filter(pk__in=list(institution_ids))
    return dict(institutions.annotate(grade=Subquery(rows.values("grade")[:1])).values_list("pk", "grade"))


def grades_on(institution_ids: Iterable[int] | None = None) -> dict[int, str]:
    """The current grade of each institution; institutions never graded get the rules'
    grade for institutions without evidence."""
    default = credit_rules().new_institution_grade
    return {pk: grade or default for pk, grade in _recorded(institution_ids).items()}


def _reason(result: engine.CreditResult, row: int) -> str:
    explanation = result.explain(institution_id=int(result.institution_ids[row]))
    parts = [
        f"{event.date:%Y-%m-%d} {kind_label(event.kind)}×{event.count}（{event.points:+g}）"
        for event in explanation.events
    ]
    text = _("信用分 %(score)g：") % {"score": explanation.score}
    text += "；".join(parts) if parts else _("评定期内无信用事件")
    capped = str(result.capped_by[row])
    if capped == engine.NO_PASSED_INSPECTION:
        text += _("；评定期内尚无检查合格记录，最高为 %(grade)s 级") % {"grade": explanation.grade}
    elif capped:
        text += _("；因%(kind)s，最高为 %(grade)s 级") % {
            "kind": kind_label(capped),
            "grade": explanation.grade,
        }
    return text[:500]


def credit_recompute(*, institution_ids: Iterable[int] | None = None, as_of: dt.date | None = None) -> int:
    """Grade the institutions on ``as_of`` (today) and record the grades that changed;
    returns how many changed. Call inside the transaction that recorded the events."""
    as_of = as_of or timezone.localdate()
    institutions = Institution.objects.all()
    if institution_ids is not None:
        institutions = institutions.filter(pk__in=list(institution_ids))
    ids = np.fromiter(institutions.values_list("pk", flat=True), dtype=np.int64)
    if ids.size == 0:
        return 0
    events = list(
        CreditEvent.objects.filter(institution_id__in=ids.tolist()).values_list(
            "institution_id", "kind", "occurred_on", "count"
        )
    )
    result = engine.credit_scores(
        institution_ids=ids,
        event_institution=np.array([e[0] for e in events], dtype=np.int64),
        event_kind=[e[1] for e in events],
        event_date=np.array([e[2] for e in events], dtype="datetime64[D]"),
        event_count=np.array([e[3] for e in events], dtype=np.int64),
        as_of=as_of,
        rules=credit_rules(),
    )
    recorded = {pk: grade for pk, grade in _recorded(ids.tolist()).items() if grade}
    changes = engine.grade_changes(previous=recorded, current=result)
    row_of = {institution_id: row for row, institution_id in enumerate(result.institution_ids.tolist())}
    for institution_id, (old, new) in changes.items():  # one by one: each change is audited
        CreditGrade.objects.create(
            institution_id=institution_id,
            grade=new,
            previous=old,
            score=float(result.score[row_of[institution_id]]),
            as_of=as_of,
            reason=_reason(result, row_of[institution_id]),
        )
    return len(changes)
