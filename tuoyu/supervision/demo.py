"""Synthetic safety-supervision data for the demo (示例数据): no real inspection or person.

Built through the same services a real year uses, with dates moved back:

* a checklist of twelve items (fire, food, health care, CCTV kept 90 days, staffing,
  premises) and nine inspectors: the demo ``inspector`` and eight synthetic ones who
  cannot log in, spread over the townships;
* two past 双随机 plans (autumn 2024 and 2025), drawn on their day, recorded, published,
  most rectifications verified and a few escalated as overdue, so grades have history;
* this year's plan, published and drawn today: the demo inspector has tasks to record;
* a complaint check at the demo operator's institution, published five days ago, whose
  rectification orders wait for the operator's answer; an open complaint; an incident.
"""

from __future__ import annotations

import datetime as dt
import random

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils import timezone

from tuoyu.accounts.models import Role, User
from tuoyu.registry.models import Township
from tuoyu.supervision import credit, services
from tuoyu.supervision.models import (
    Attachment,
    BarredPerson,
    Checklist,
    Complaint,
    CreditEvent,
    CreditGrade,
    IncidentReport,
    Inspection,
    InspectorConflict,
    RectificationOrder,
    SamplingPlan,
    StaffCreditEvent,
)

DEMO_SEED = 33108204
INSPECTOR_PREFIX = "demo-inspector-"
VIOLATION_RATE = {"critical": 0.03, "major": 0.10, "minor": 0.15}

CHECKLIST = [
    ("F1", "fire", "消防通道、安全出口畅通，疏散标识完好", "critical"),
    ("F2", "fire", "灭火器、烟感等消防设施在有效期内并定期检查", "major"),
    ("D1", "food", "食品留样 48 小时以上，餐饮具消毒记录完整", "major"),
    ("D2", "food", "炊事人员持有效健康证明", "major"),
    ("H1", "health", "落实晨午检、全日健康观察并记录", "major"),
    ("H2", "health", "玩具、被褥等物品按规定清洁消毒并记录", "minor"),
    ("H3", "health", "药品由专人保管，喂药有家长委托记录", "critical"),
    ("C1", "cctv", "婴幼儿生活和活动区域视频监控全覆盖", "major"),
    ("C2", "cctv", "监控录像保存不少于 90 天", "major"),
    ("S1", "staffing", "班级规模和保育人员配比符合国家标准", "major"),
    ("S2", "staffing", "从业人员持证上岗并经背景审查", "critical"),
    ("P1", "premises", "室内外场地设施完好，无尖锐、易坠落等隐患", "minor"),
]


def supervision_demo_has_data() -> bool:
    return Checklist.objects.exists()


def supervision_demo_clear() -> None:
    with transaction.atomic(), disable_auditlog():
        for model in (
            Attachment,
            RectificationOrder,
            Inspection,
            SamplingPlan,
            InspectorConflict,
            Complaint,
            IncidentReport,
            CreditGrade,
            CreditEvent,
            StaffCreditEvent,
            BarredPerson,
            Checklist,
        ):
            model.objects.all().delete()
        User.objects.filter(username__startswith=INSPECTOR_PREFIX, role=Role.INSPECTOR).delete()


def _inspectors(rng: random.Random) -> list[User]:
    townships = list(Township.objects.order_by("code"))
    pool = list(User.objects.filter(username="inspector", role=Role.INSPECTOR))
    for index in range(1, 9):
        user = User(
            username=f"{INSPECTOR_PREFIX}{index:02d}",
            role=Role.INSPECTOR,
            township=townships[(index * 7) % len(townships)] if index % 4 else None,
        )
        user.set_unusable_password()
        user.save()
        pool.append(user)
    rng.shuffle(pool)
    return pool


def _record(
    *, rng: random.Random, inspection: Inspection, day: dt.date, violations: dict[str, float] | None = None
) -> None:
    rates = violations or VIOLATION_RATE
    results: dict[int, tuple[str, str]] = {}
    for item in inspection.checklist.items.all():
        if rng.random() < rates[item.severity]:
            results[item.pk] = ("violation", f"示例问题：{item.text[:12]}…未落实")
        else:
            results[item.pk] = ("compliant", "")
    inspector = inspection.inspectors.first()
    assert inspector is not None
    services.inspection_record(
        actor=inspector,
        inspection=inspection,
        inspected_on=day,
        results=results,
        summary="示例检查记录",
        submit=True,
    )


def _past_plan(
    *,
    rng: random.Random,
    lead: User,
    admin: User,
    checklist: Checklist,
    pool: list[User],
    drawn_on: dt.date,
    name: str,
) -> None:
    plan = services.plan_create(
        actor=lead,
        name=name,
        checklist=checklist,
        due_on=drawn_on + dt.timedelta(days=45),
        inspectors=pool,
    )
    services.plan_publish(actor=lead, plan=plan)
    services.plan_draw(actor=lead, plan=plan, today=drawn_on)
    for inspection in plan.inspections.select_related("institution"):
        day = drawn_on + dt.timedelta(days=rng.randint(3, 40))
        _record(rng=rng, inspection=inspection, day=day)
        services.inspection_publish(actor=lead, inspection=inspection, today=day + dt.timedelta(days=5))
        for order in RectificationOrder.objects.filter(finding__inspection=inspection):
            if rng.random() < 0.85:
                operator_answer(order=order, admin=admin)
        services.orders_escalate_overdue(actor=lead, today=day + dt.timedelta(days=40))


def operator_answer(*, order: RectificationOrder, admin: User) -> None:
    """The institution's answer and its verification, recorded by the bureau admin for
    the demo's history (the synthetic institutions have no operator accounts)."""
    services.order_submit(actor=admin, order=order, evidence="示例整改：已落实并留存记录")
    services.order_verify(actor=admin, order=order, accepted=True)


def supervision_demo_build(*, seed: int = DEMO_SEED) -> dict[str, int]:
    rng = random.Random(seed)
    today = timezone.localdate()
    lead = User.objects.get(username="lead")
    admin = User.objects.get(username="admin")
    with transaction.atomic():
        checklist = services.checklist_create(
            actor=lead,
            name="托育机构安全检查表（示例）",
            items=[
                {"code": code, "category": category, "text": text, "severity": severity}
                for code, category, text, severity in CHECKLIST
            ],
        )
        pool = _inspectors(rng)
        for year in (2024, 2025):
            _past_plan(
                rng=rng,
                lead=lead,
                admin=admin,
                checklist=checklist,
                pool=pool,
                drawn_on=dt.date(year, 10, 8),
                name=f"{year} 年度双随机抽查（示例）",
            )
        current = services.plan_create(
            actor=lead,
            name=f"{today.year} 年度双随机抽查（示例）",
            checklist=checklist,
            due_on=today + dt.timedelta(days=30),
            inspectors=pool,
        )
        services.plan_publish(actor=lead, plan=current)
        services.plan_draw(actor=lead, plan=current, today=today)
        _operator_case(rng=rng, lead=lead, checklist=checklist, pool=pool, today=today)
        credit.credit_recompute(as_of=today)
    return {
        "inspections": Inspection.objects.count(),
        "published": Inspection.objects.filter(status="published").count(),
        "open_orders": RectificationOrder.objects.filter(status__in=["open", "reopened"]).count(),
        "current_tasks": current.inspections.count(),
    }


def _operator_case(
    *, rng: random.Random, lead: User, checklist: Checklist, pool: list[User], today: dt.date
) -> None:
    operator = User.objects.filter(username="operator", role=Role.INSTITUTION_OPERATOR).first()
    if operator is None or operator.institution is None:
        return
    institution = operator.institution
    complaint = services.complaint_submit(
        actor=None,
        institution=institution,
        category="health",
        description="示例投诉：午睡室消毒记录缺失，家长多次反映。",
        contact="13900000099",
    )
    services.complaint_handle(actor=lead, complaint=complaint, status="investigating", response="已安排核查")
    eligible = [u for u in pool if u.township_id != institution.township_id][:2]
    inspection = services.inspection_create(
        actor=lead,
        institution=institution,
        kind="complaint",
        checklist=checklist,
        due_on=today,
        inspectors=eligible,
    )
    _record(
        rng=rng,
        inspection=inspection,
        day=today - dt.timedelta(days=6),
        violations={"critical": 0.0, "major": 0.35, "minor": 0.6},
    )
    services.inspection_publish(actor=lead, inspection=inspection, today=today - dt.timedelta(days=5))
    services.incident_report(
        actor=operator,
        institution=institution,
        occurred_at=timezone.now() - dt.timedelta(days=20, hours=3),
        severity="minor",
        description="示例事故：幼儿户外活动时擦伤膝盖，已处理并告知家长。",
        children_affected=1,
        now=timezone.now() - dt.timedelta(days=20, hours=1),
    )
