"""The supervision commands: the draw, overdue rectifications, regrading and the export."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tuoyu.accounts.models import User
from tuoyu.conftest import SmallRegistry
from tuoyu.engine import draw as engine_draw
from tuoyu.supervision.models import CreditEvent, CreditGrade, PlanStatus
from tuoyu.supervision.tests.conftest import Supervision
from tuoyu.supervision.tests.test_views_public import make_plan


def _run(name: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# supervision_draw ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_draw_command_draws_a_published_plan_and_prints_the_tasks(
    registry: SmallRegistry, admin_user: User, inspector_user: User
) -> None:
    plan = make_plan(registry, PlanStatus.PUBLISHED)
    out, _err = _run("supervision_draw", "--plan", str(plan.pk), "--as", "admin")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN
    assert f"plan #{plan.pk}" in out and "3 tasks, 0 unstaffed" in out
    assert engine_draw.draw_verify(plan.published or {}, noted_commitment=plan.commitment) == []


@pytest.mark.django_db
def test_the_draw_command_refuses_a_draft_unless_asked_to_publish_it(
    registry: SmallRegistry, admin_user: User, inspector_user: User
) -> None:
    plan = make_plan(registry, PlanStatus.DRAFT)
    with pytest.raises(CommandError, match="--publish"):
        _run("supervision_draw", "--plan", str(plan.pk), "--as", "admin")
    out, _err = _run("supervision_draw", "--plan", str(plan.pk), "--as", "admin", "--publish")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN and plan.published_at is not None
    assert f"commitment published: {plan.commitment}" in out and "3 tasks" in out


@pytest.mark.django_db
def test_the_draw_command_refuses_an_unknown_user_plan_a_drawn_plan_and_a_non_supervisor(
    registry: SmallRegistry, admin_user: User, inspector_user: User, operator_user: User
) -> None:
    plan = make_plan(registry, PlanStatus.PUBLISHED)
    with pytest.raises(CommandError, match="no user"):
        _run("supervision_draw", "--plan", str(plan.pk), "--as", "nobody")
    with pytest.raises(CommandError, match="no plan 99999"):
        _run("supervision_draw", "--plan", "99999", "--as", "admin")
    with pytest.raises(CommandError, match="仅监管负责人"):
        _run("supervision_draw", "--plan", str(plan.pk), "--as", "operator")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    drawn = make_plan(registry, PlanStatus.DRAWN, name="已抽取")
    with pytest.raises(CommandError, match="already drawn"):
        _run("supervision_draw", "--plan", str(drawn.pk), "--as", "admin")


# supervision_escalate_overdue --------------------------------------------------------------------


@pytest.mark.django_db
def test_overdue_orders_escalate_once_and_the_command_prints_how_many(recorded: Supervision) -> None:
    later = (timezone.localdate() + dt.timedelta(days=16)).isoformat()
    assert _run("supervision_escalate_overdue", "--today", later)[0] == "2 overdue order(s) escalated\n"
    assert _run("supervision_escalate_overdue", "--today", later, "--as", "admin")[0].startswith("0 ")
    assert CreditEvent.objects.filter(kind="rectification_overdue").count() == 2


@pytest.mark.django_db
def test_nothing_is_overdue_today_just_after_the_inspection(recorded: Supervision) -> None:
    assert _run("supervision_escalate_overdue")[0] == "0 overdue order(s) escalated\n"


@pytest.mark.django_db
def test_the_escalation_command_refuses_a_bad_date_and_an_unknown_user(recorded: Supervision) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _run("supervision_escalate_overdue", "--today", "2026-02-30")
    with pytest.raises(CommandError, match="no user"):
        _run("supervision_escalate_overdue", "--as", "nobody")


# supervision_credit_recompute --------------------------------------------------------------------


@pytest.mark.django_db
def test_regrading_records_only_the_grades_that_changed(registry: SmallRegistry) -> None:
    assert _run("supervision_credit_recompute")[0] == "3 grade(s) changed\n"
    assert _run("supervision_credit_recompute", "--as-of", "2026-01-31")[0] == "0 grade(s) changed\n"
    assert CreditGrade.objects.count() == 3


@pytest.mark.django_db
def test_regrading_picks_up_events_recorded_without_a_regrade(recorded: Supervision) -> None:
    nursery = recorded.registry.nursery_a
    for days in (1, 2, 3):
        CreditEvent.objects.create(
            institution=nursery,
            kind="rectification_overdue",
            occurred_on=timezone.localdate() - dt.timedelta(days=days),
            reason="整改逾期（导入）",
        )
    # The nursery's grade drops; the two institutions never graded get their first grade.
    assert _run("supervision_credit_recompute")[0] == "3 grade(s) changed\n"
    assert CreditGrade.objects.filter(institution=nursery).count() == 2
    latest = CreditGrade.objects.filter(institution=nursery).order_by("-id").first()
    assert latest is not None and (latest.previous, latest.grade) != ("B", "B")
    assert "逾期未整改" in latest.reason


@pytest.mark.django_db
def test_regrading_refuses_a_bad_date(registry: SmallRegistry) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _run("supervision_credit_recompute", "--as-of", "tomorrow")


# supervision_draw_export -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_export_writes_the_published_draw(
    registry: SmallRegistry, admin_user: User, inspector_user: User, tmp_path: Path
) -> None:
    plan = make_plan(registry)
    out, err = _run("supervision_draw_export", "--plan", str(plan.pk))
    assert json.loads(out) == plan.published and err == ""
    path = tmp_path / "draw.json"
    out, _err = _run("supervision_draw_export", "--plan", str(plan.pk), "--output", str(path))
    assert out == f"wrote {path}\n"
    assert json.loads(path.read_text(encoding="utf-8")) == plan.published


@pytest.mark.django_db
def test_before_the_draw_the_export_holds_the_commitment_and_says_so(
    registry: SmallRegistry, admin_user: User, inspector_user: User
) -> None:
    plan = make_plan(registry, PlanStatus.PUBLISHED)
    out, err = _run("supervision_draw_export", "--plan", str(plan.pk))
    assert json.loads(out) == {"plan": plan.pk, "name": plan.name, "commitment": plan.commitment}
    assert "commitment only" in err


@pytest.mark.django_db
def test_the_export_refuses_a_draft_an_unknown_plan_and_an_unwritable_file(
    registry: SmallRegistry, admin_user: User, inspector_user: User, tmp_path: Path
) -> None:
    draft = make_plan(registry, PlanStatus.DRAFT)
    with pytest.raises(CommandError, match=f"no published plan {draft.pk}"):
        _run("supervision_draw_export", "--plan", str(draft.pk))
    with pytest.raises(CommandError, match="no published plan 99999"):
        _run("supervision_draw_export", "--plan", "99999")
    drawn = make_plan(registry, name="已抽取")
    with pytest.raises(CommandError, match="cannot write"):
        _run(
            "supervision_draw_export",
            "--plan",
            str(drawn.pk),
            "--output",
            str(tmp_path / "missing" / "x.json"),
        )
