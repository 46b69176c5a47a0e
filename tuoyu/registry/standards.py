"""National class-size and ratio rules applied to the registry's classes.

The rules live in :mod:`tuoyu.engine.standards` (pure Python); the numbers come from
``settings.TUOYU_STANDARDS``. This module turns the classes of a queryset of institutions
into the engine's :class:`ClassLoads` with one query, and words each violation plainly.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.common.revision_cache import RevisionCache
from tuoyu.common.sqlarrays import CodeIndex, as_codes, as_ints, fetch_numeric
from tuoyu.engine import codes
from tuoyu.engine.standards import (
    ClassLoads,
    ClassRule,
    StandardsConfig,
    Violation,
    check_standards,
    violation_counts_by_institution,
)
from tuoyu.registry.models import CareClass, ClassType, Form, Institution
from tuoyu.registry.selectors import registry_revision


def standards_config() -> StandardsConfig:
    """The engine's configuration from ``settings.TUOYU_STANDARDS``."""
    conf: dict[str, Any] = settings.TUOYU_STANDARDS
    return StandardsConfig(
        class_rules={
            class_type: ClassRule(
                max_children=int(rule["max_children"]),
                children_per_caregiver=int(rule["children_per_caregiver"]),
            )
            for class_type, rule in conf["class_rules"].items()
        },
        family_point_max_children=int(conf["family_point_max_children"]),
        family_point_children_per_carer=int(conf["family_point_children_per_carer"]),
    )


def _active_classes(institutions: QuerySet[Institution], as_of: dt.date) -> QuerySet[CareClass]:
    """Classes running on ``as_of`` at institutions operating on it."""
    return (
        CareClass.objects.filter(institution__in=institutions.values("pk"))
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=as_of))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
        .filter(Q(institution__opened_on__isnull=True) | Q(institution__opened_on__lte=as_of))
        .filter(Q(institution__closed_on__isnull=True) | Q(institution__closed_on__gt=as_of))
    )


def class_loads(institutions: QuerySet[Institution], *, as_of: dt.date) -> tuple[ClassLoads, dict[int, int]]:
    """The loads of the classes running on ``as_of`` (one query), and each institution's
    township id."""
    rows = fetch_numeric(
        _active_classes(institutions, as_of),
        id="pk",
        institution="institution_id",
        class_type=CodeIndex("class_type", codes.CLASS_TYPES),
        slots="approved_slots",
        enrolled="enrolled",
        caregivers="caregivers",
        family=Case(
            When(institution__form=Form.FAMILY, then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
        township="institution__township_id",
    )
    institution_ids = as_ints(rows[:, 1])
    loads = ClassLoads(
        ids=as_ints(rows[:, 0]),
        institution_ids=institution_ids,
        class_type=as_codes(rows[:, 2], codes.CLASS_TYPES, "class type"),
        approved_slots=as_ints(rows[:, 3]),
        enrolled=as_ints(rows[:, 4]),
        caregivers=as_ints(rows[:, 5]),
        family_point=rows[:, 6] == 1,
    )
    township_ids = as_ints(rows[:, 7])
    return loads, dict(zip(institution_ids.tolist(), township_ids.tolist(), strict=True))


def _today() -> dt.date:
    return timezone.localdate()


def violations_for(
    institutions: QuerySet[Institution], *, as_of: dt.date | None = None
) -> dict[int, list[Violation]]:
    """Institution id -> its violations of the national rules, for the classes running on
    ``as_of`` (default today). One query whatever the number of institutions."""
    loads, _townships = class_loads(institutions, as_of=as_of or _today())
    found: dict[int, list[Violation]] = defaultdict(list)
    for violation in check_standards(loads, standards_config()):
        found[violation.institution_id].append(violation)
    return dict(found)


_township_counts: RevisionCache[dict[int, int]] = RevisionCache(size=16)


def violation_counts_by_township(*, as_of: dt.date) -> dict[int, int]:
    """Township id -> number of institutions with at least one violation.

    One query, and none more while the registry revision and the rules stay the same.
    """
    config = standards_config()
    key = (as_of, registry_revision(), repr(config))
    cached = _township_counts.get(key)
    if cached is not None:
        return cached
    loads, townships = class_loads(Institution.objects.all(), as_of=as_of)
    counts: dict[int, int] = defaultdict(int)
    for institution_id in violation_counts_by_institution(check_standards(loads, config)):
        counts[townships[int(institution_id)]] += 1
    _township_counts.put(key, dict(counts))
    return dict(counts)


def _number(value: float) -> str:
    return f"{value:g}"


def explain(
    violation: Violation, care_class: CareClass | None = None, config: StandardsConfig | None = None
) -> str:
    """One violation in plain words, e.g. 托小班「托小一班」在托 17 人，超过国家标准上限 15 人。

    ``care_class`` is the class the violation is about (None for the family-point rules,
    which concern the whole institution); its enrolment and caregivers make the sentence
    precise.
    """
    config = config or standards_config()
    type_labels = dict(ClassType.choices)
    params: dict[str, Any] = {
        "type": type_labels.get(violation.class_type or "", violation.class_type or ""),
        "name": care_class.name if care_class is not None else "",
        "limit": _number(violation.limit),
        "actual": _number(violation.actual),
        "family_per_carer": config.family_point_children_per_carer,
    }
    if care_class is not None:
        rule = config.class_rules.get(care_class.class_type)
        params.update(
            enrolled=care_class.enrolled,
            slots=care_class.approved_slots,
            caregivers=care_class.caregivers,
            per_caregiver=rule.children_per_caregiver if rule else "?",
        )
    if violation.rule == "class_size" and care_class is not None:
        if care_class.enrolled > violation.limit and care_class.approved_slots > violation.limit:
            return (
                _(
                    "%(type)s「%(name)s」在托 %(enrolled)s 人，超过国家标准上限 %(limit)s 人；"
                    "核定托位 %(slots)s 个，也超过上限。"
                )
                % params
            )
        if care_class.enrolled > violation.limit:
            return _("%(type)s「%(name)s」在托 %(enrolled)s 人，超过国家标准上限 %(limit)s 人。") % params
        return _("%(type)s「%(name)s」核定托位 %(slots)s 个，超过国家标准每班上限 %(limit)s 人。") % params
    if violation.rule == "ratio" and care_class is not None:
        if not care_class.caregivers:
            return _("%(type)s「%(name)s」在托 %(enrolled)s 人，未配备保育人员。") % params
        return (
            _(
                "%(type)s「%(name)s」在托 %(enrolled)s 人，只配备 %(caregivers)s 名保育人员；"
                "按国家标准 1 : %(per_caregiver)s，最多可照护 %(limit)s 人。"
            )
            % params
        )
    if violation.rule == "family_point_size":
        return (
            _("家庭托育点共收托 %(actual)s 人（在托人数与核定托位取较大者），超过上限 %(limit)s 人。")
            % params
        )
    if violation.rule == "family_point_ratio":
        return (
            _(
                "家庭托育点在托 %(actual)s 人，按每名照护人员不超过 %(family_per_carer)s 人，"
                "最多可照护 %(limit)s 人。"
            )
            % params
        )
    return _("不符合国家标准（%(rule)s）：实际 %(actual)s，上限 %(limit)s。") % {
        **params,
        "rule": violation.rule,
    }
