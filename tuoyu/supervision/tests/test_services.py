"""Supervision services: checklists, the draw, recording and publishing, rectification,
complaints, incidents, credit and the 从业禁止 list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tuoyu.accounts.models import User
from tuoyu.conftest import SmallRegistry, resident_id
from tuoyu.engine import draw as engine_draw
from tuoyu.registry import services as registry_services
from tuoyu.supervision import credit, services
from tuoyu.supervision.models import (
    Checklist,
    CreditEvent,
    CreditGrade,
    InspectionStatus,
    OrderStatus,
    PlanStatus,
    RectificationOrder,
)
from tuoyu.supervision.tests.conftest import ITEMS, Supervision, item_id


@pytest.mark.django_db
def test_a_checklist_with_a_bad_row_is_refused_whole_naming_the_row(admin_user: User) -> None:
    items = [*ITEMS[:2], {**ITEMS[2], "severity": "huge"}]
    with pytest.raises(ValidationError) as caught:
        services.checklist_create(actor=admin_user, name="坏表", items=items)
    assert "items.3.severity" in caught.value.message_dict
    assert not Checklist.objects.filter(name="坏表").exists()


@pytest.mark.django_db
def test_an_inspector_cannot_be_sent_to_their_own_township(
    registry: SmallRegistry, admin_user: User, checklist: Checklist, inspector_user: User, inspector_b1: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.inspection_create(
            actor=admin_user,
            institution=registry.nursery_a,
            kind="complaint",
            checklist=checklist,
            due_on=timezone.localdate(),
            inspectors=[inspector_user, inspector_b1],
        )
    assert "inspectors" in caught.value.message_dict


@pytest.mark.django_db
def test_only_an_assigned_inspector_records_an_inspection(
    assigned: Supervision, inspector_user: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.inspection_record(
            actor=inspector_user,
            inspection=assigned.inspection,
            inspected_on=timezone.localdate(),
            results={},
        )


@pytest.mark.django_db
def test_submitting_needs_every_item_and_a_note_on_each_violation(assigned: Supervision) -> None:
    with pytest.raises(ValidationError) as caught:
        services.inspection_record(
            actor=assigned.inspector_b1,
            inspection=assigned.inspection,
            inspected_on=timezone.localdate(),
            results={item_id(assigned.checklist, "H1"): ("violation", "")},
            submit=True,
        )
    fields = set(caught.value.message_dict)
    assert f"item_{item_id(assigned.checklist, 'H1')}" in fields
    assert f"item_{item_id(assigned.checklist, 'F1')}" in fields


@pytest.mark.django_db
def test_publishing_orders_rectification_and_records_credit(recorded: Supervision) -> None:
    inspection = recorded.inspection
    assert inspection.status == InspectionStatus.PUBLISHED
    assert inspection.conclusion == "rectify"
    orders = RectificationOrder.objects.filter(finding__inspection=inspection)
    assert orders.count() == 2
    assert {order.deadline - inspection.inspected_on for order in orders} == {dt.timedelta(days=15)}  # type: ignore[operator]
    kinds = set(CreditEvent.objects.filter(institution=inspection.institution).values_list("kind", "count"))
    assert kinds == {("inspection_rectify", 1), ("finding_major", 2)}
    grade = CreditGrade.objects.get(institution=inspection.institution)
    # 100 - 2 x 5 = 90, but no passed inspection yet: at most B.
    assert (grade.grade, grade.score) == ("B", 90.0)
    assert "一般问题×2" in grade.reason


@pytest.mark.django_db
def test_an_operator_answers_and_an_inspector_verifies(recorded: Supervision, operator_user: User) -> None:
    order = RectificationOrder.objects.filter(finding__inspection=recorded.inspection).first()
    assert order is not None
    services.order_submit(actor=operator_user, order=order, evidence="已补齐消毒记录并培训")
    services.order_verify(actor=recorded.inspector_b2, order=order, accepted=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED


@pytest.mark.django_db
def test_another_operator_cannot_answer_the_order(recorded: Supervision, other_operator_user: User) -> None:
    order = RectificationOrder.objects.filter(finding__inspection=recorded.inspection).first()
    assert order is not None
    with pytest.raises(PermissionDenied):
        services.order_submit(actor=other_operator_user, order=order, evidence="x")


@pytest.mark.django_db
def test_overdue_orders_escalate_once_into_credit_events(recorded: Supervision) -> None:
    later = timezone.localdate() + dt.timedelta(days=16)
    assert services.orders_escalate_overdue(today=later) == 2
    assert services.orders_escalate_overdue(today=later) == 0
    assert CreditEvent.objects.filter(kind="rectification_overdue").count() == 2


@pytest.mark.django_db
def test_a_late_serious_incident_report_is_a_credit_event(
    registry: SmallRegistry, operator_user: User
) -> None:
    now = timezone.now()
    incident = services.incident_report(
        actor=operator_user,
        institution=registry.nursery_a,
        occurred_at=now - dt.timedelta(hours=5),
        severity="serious",
        description="幼儿摔伤送医",
        children_affected=1,
        now=now,
    )
    assert incident.late
    assert CreditEvent.objects.filter(kind="incident_late_report", institution=registry.nursery_a).exists()


@pytest.mark.django_db
def test_a_substantiated_complaint_lowers_the_score(
    registry: SmallRegistry, admin_user: User, public_user: User
) -> None:
    complaint = services.complaint_submit(
        actor=public_user,
        institution=registry.family_b,
        category="food",
        description="午餐饭菜发凉，多次反映未改进",
        contact="138 0000 0001",
    )
    assert complaint.contact_masked == "138****0001"
    assert b"13800000001" not in bytes(complaint.contact_ciphertext)
    services.complaint_handle(
        actor=admin_user, complaint=complaint, status="closed", response="已责令改进", substantiated=True
    )
    grade = CreditGrade.objects.get(institution=registry.family_b)
    assert grade.score == 95.0


@pytest.mark.django_db
def test_the_draw_commits_first_then_creates_inspections_that_respect_avoidance(
    registry: SmallRegistry,
    admin_user: User,
    checklist: Checklist,
    inspector_user: User,
    inspector_b1: User,
    inspector_b2: User,
) -> None:
    plan = services.plan_create(
        actor=admin_user,
        name="2026 年第四季度双随机抽查",
        checklist=checklist,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        inspectors=[inspector_user, inspector_b1, inspector_b2],
        ratios={"A": 1.0, "B": 1.0, "C": 1.0, "D": 1.0},
    )
    with pytest.raises(ValidationError):
        services.plan_draw(actor=admin_user, plan=plan)
    services.plan_publish(actor=admin_user, plan=plan)
    services.plan_draw(actor=admin_user, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN
    assert engine_draw.draw_verify(plan.published or {}, noted_commitment=plan.commitment) == []
    for inspection in plan.inspections.all():
        for inspector in inspection.inspectors.all():
            assert inspector.township_id != inspection.institution.township_id
    # Township B's family point can only get inspector_user (A): unstaffed with k = 2.
    assert plan.published is not None
    assert registry.family_b.credit_code in plan.published["unstaffed"]


@pytest.mark.django_db
def test_a_barred_person_cannot_be_hired_and_the_refusal_names_no_reason(
    registry: SmallRegistry, admin_user: User, operator_user: User
) -> None:
    number = resident_id(321)
    services.barred_add(
        actor=admin_user,
        name="赵某",
        id_number=number,
        reason="虐待儿童被判刑",
        decision="（2026）示例刑初 1 号",
        barred_from=dt.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        registry_services.staff_hire(
            actor=operator_user,
            institution=registry.nursery_a,
            name="赵某",
            id_number=number,
            role="caregiver",
            start=timezone.localdate(),
        )
    message = " ".join(caught.value.message_dict["id_number"])
    assert "从业禁止" in message
    assert "虐待" not in message


@pytest.mark.django_db
def test_grades_default_to_the_no_evidence_grade(registry: SmallRegistry) -> None:
    assert credit.grades_on([registry.nursery_a.pk]) == {registry.nursery_a.pk: "B"}


@pytest.mark.django_db
def test_an_unreviewed_result_is_published_at_its_deadline(assigned: Supervision) -> None:
    checklist = assigned.checklist
    services.inspection_record(
        actor=assigned.inspector_b1,
        inspection=assigned.inspection,
        inspected_on=timezone.localdate(),
        results={item.pk: ("compliant", "") for item in checklist.items.all()},
        submit=True,
    )
    deadline = assigned.inspection.publish_by()
    assert deadline is not None
    assert services.inspections_publish_due(today=deadline) == 0
    assert services.inspections_publish_due(today=deadline + dt.timedelta(days=1)) == 1
    assigned.inspection.refresh_from_db()
    assert assigned.inspection.status == InspectionStatus.PUBLISHED
    assert assigned.inspection.reviewed_by is None
    assert CreditEvent.objects.filter(
        kind="inspection_pass", institution=assigned.inspection.institution
    ).exists()


@pytest.mark.django_db
def test_the_publish_due_command_publishes_what_is_past_its_deadline(assigned: Supervision) -> None:
    from io import StringIO

    from django.core.management import call_command

    services.inspection_record(
        actor=assigned.inspector_b1,
        inspection=assigned.inspection,
        inspected_on=timezone.localdate(),
        results={item.pk: ("compliant", "") for item in assigned.checklist.items.all()},
        submit=True,
    )
    out = StringIO()
    call_command("supervision_publish_due", "--today", timezone.localdate().isoformat(), stdout=out)
    assert out.getvalue().startswith("0 inspection(s)")
    later = timezone.localdate() + dt.timedelta(days=60)
    call_command("supervision_publish_due", "--today", later.isoformat(), stdout=out)
    assert "1 inspection(s)" in out.getvalue()
    assigned.inspection.refresh_from_db()
    assert assigned.inspection.status == InspectionStatus.PUBLISHED
