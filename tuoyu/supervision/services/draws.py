"""双随机 sampling plans: the commitment, the rosters, the draw and its publication."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import Role, User
from tuoyu.common import crypto
from tuoyu.common.audit import audited_change
from tuoyu.engine import draw as engine_draw
from tuoyu.engine import lottery
from tuoyu.registry.models import Form, Institution, Township
from tuoyu.registry.selectors import counted_on
from tuoyu.supervision import credit
from tuoyu.supervision.models import (
    Checklist,
    Inspection,
    InspectionKind,
    InspectorConflict,
    PlanStatus,
    SamplingPlan,
)
from tuoyu.supervision.services.common import CITY_LEVEL, _config, _require_supervisor


def _validate_plan(plan: SamplingPlan, *, inspectors: Sequence[User]) -> None:
    errors: dict[str, str] = {}
    ratios = plan.ratios
    grades = engine_draw.DEFAULT_RATIOS.keys()
    if not isinstance(ratios, dict) or set(ratios) != set(grades):
        errors["ratios"] = _("请为 A、B、C、D 四个信用等级各设一个抽查比例。")
    else:
        for grade in sorted(grades):
            value = ratios[grade]
            if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
                errors[f"ratios.{grade}"] = _("%(grade)s 级的抽查比例应在 0 到 1 之间。") % {"grade": grade}
    if any(form not in Form.values for form in plan.forms):
        errors["forms"] = _("服务形式无效。")
    if not plan.checklist.active:
        errors["checklist"] = _("该检查表已停用。")
    not_inspectors = [
        user.username for user in inspectors if user.role != Role.INSPECTOR or not user.is_active
    ]
    if not_inspectors:
        errors["inspectors"] = _("以下账户不是在岗检查人员：%(names)s。") % {
            "names": "、".join(not_inspectors)
        }
    elif len(inspectors) < plan.inspectors_per_task:
        errors["inspectors"] = _("检查人员库至少需要 %(count)d 人。") % {"count": plan.inspectors_per_task}
    if errors:
        raise ValidationError(errors)
    plan.full_clean(exclude=["commitment", "seed_ciphertext", "created_by", "checklist"])


def plan_create(
    *,
    actor: User,
    name: str,
    checklist: Checklist,
    due_on: dt.date,
    inspectors: Sequence[User],
    townships: Sequence[Township] = (),
    forms: Sequence[str] = (),
    ratios: Mapping[str, float] | None = None,
    inspectors_per_task: int = 2,
    publish_within_days: int | None = None,
) -> SamplingPlan:
    """A draft plan with its secret seed and the commitment to it."""
    _require_supervisor(actor)
    seed = lottery.seed_new()
    plan = SamplingPlan(
        name=name.strip(),
        checklist=checklist,
        due_on=due_on,
        forms=list(forms),
        ratios=dict(ratios if ratios is not None else engine_draw.DEFAULT_RATIOS),
        inspectors_per_task=inspectors_per_task,
        publish_within_days=publish_within_days or _config()["publish_within_days"],
        commitment=lottery.commitment_of(seed),
        seed_ciphertext=b"",
        created_by=actor,
    )
    if not plan.name:
        raise ValidationError({"name": _("请填写计划名称。")})
    _validate_plan(plan, inspectors=inspectors)
    with audited_change(actor):
        plan.save()
        plan.seed_ciphertext = crypto.encrypt(seed, purpose=_seed_purpose(plan))
        plan.save(update_fields=["seed_ciphertext"])
        plan.townships.set(townships)
        plan.inspectors.set(inspectors)
    return plan


def _seed_purpose(plan: SamplingPlan) -> str:
    return f"supervision.plan.seed:{plan.pk}"


def plan_publish(*, actor: User, plan: SamplingPlan) -> SamplingPlan:
    """Publish the commitment: from now on the seed can no longer be chosen."""
    _require_supervisor(actor)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("只有草稿状态的计划可以公布承诺值。"))
    with audited_change(actor):
        plan.status = PlanStatus.PUBLISHED
        plan.published_at = timezone.now()
        plan.save(update_fields=["status", "published_at"])
    return plan


def plan_rosters(
    plan: SamplingPlan, *, on: dt.date
) -> tuple[
    list[engine_draw.Institution],
    list[engine_draw.Inspector],
    list[tuple[str, str]],
    dict[str, Institution],
    dict[str, User],
]:
    """The draw's rosters on a day: filed, operating institutions in scope with their
    grades; the pool's active inspectors; their declared conflicts within the scope."""
    institutions = Institution.objects.filter(counted_on(on)).select_related("township")
    township_ids = list(plan.townships.values_list("pk", flat=True))
    if township_ids:
        institutions = institutions.filter(township_id__in=township_ids)
    if plan.forms:
        institutions = institutions.filter(form__in=plan.forms)
    by_code = {institution.credit_code: institution for institution in institutions}
    grades = credit.grades_on([i.pk for i in by_code.values()])
    roster = [
        engine_draw.Institution(id=code, township=i.township.code, grade=grades[i.pk])
        for code, i in by_code.items()
    ]
    pool = plan.inspectors.filter(is_active=True, role=Role.INSPECTOR).select_related("township")
    by_id = {f"inspector-{user.pk}": user for user in pool}
    inspectors = [
        engine_draw.Inspector(id=key, township=user.township.code if user.township else CITY_LEVEL)
        for key, user in by_id.items()
    ]
    codes = {i.pk: code for code, i in by_code.items()}
    conflicts = [
        (f"inspector-{inspector_id}", codes[institution_id])
        for inspector_id, institution_id in InspectorConflict.objects.filter(
            inspector__in=pool, institution_id__in=list(codes)
        ).values_list("inspector_id", "institution_id")
    ]
    return roster, inspectors, conflicts, by_code, by_id


def plan_draw(*, actor: User, plan: SamplingPlan, today: dt.date | None = None) -> SamplingPlan:
    """Reveal the seed, draw, publish the data anyone needs to re-run it, and create the
    inspections, in one transaction."""
    _require_supervisor(actor)
    if plan.status != PlanStatus.PUBLISHED:
        raise ValidationError(_("请先公布承诺值，再进行抽取。"))
    today = today or timezone.localdate()
    roster, inspectors, conflicts, by_code, by_id = plan_rosters(plan, on=today)
    if not roster:
        raise ValidationError(_("抽查范围内没有已备案、正在运营的机构。"))
    parameters = engine_draw.DrawParameters(
        ratios={grade: float(value) for grade, value in plan.ratios.items()},
        inspectors_per_task=plan.inspectors_per_task,
    )
    seed = crypto.decrypt(plan.seed_ciphertext, purpose=_seed_purpose(plan))
    result = engine_draw.draw_run(
        seed=seed, institutions=roster, inspectors=inspectors, conflicts=conflicts, parameters=parameters
    )
    published = engine_draw.draw_publish(
        result, institutions=roster, inspectors=inspectors, conflicts=conflicts, parameters=parameters
    )
    with audited_change(actor):
        for task in result.tasks:
            inspection = Inspection.objects.create(
                institution=by_code[task.institution],
                kind=InspectionKind.RANDOM,
                plan=plan,
                checklist=plan.checklist,
                due_on=plan.due_on,
            )
            inspection.inspectors.set([by_id[key] for key in task.inspectors])
        plan.seed = seed
        plan.roster_hash = result.roster_hash
        plan.algorithm = result.algorithm
        plan.published = published
        plan.drawn_at = timezone.now()
        plan.status = PlanStatus.DRAWN
        plan.save(update_fields=["seed", "roster_hash", "algorithm", "published", "drawn_at", "status"])
    return plan
