"""The enrollment commands: allocate a round, lapse unanswered offers, write the lottery."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tuoyu.accounts.models import User
from tuoyu.engine import lottery
from tuoyu.enrollment import selectors, services
from tuoyu.enrollment.models import Child, Offer, OfferStatus, Round, RoundStatus
from tuoyu.enrollment.tests.conftest import Enrollment

SEPTEMBER = dt.date(2026, 9, 1)


def _run(name: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _apply(enrollment: Enrollment, parent: User, child: Child) -> None:
    services.application_submit(
        actor=parent,
        round_=enrollment.round,
        child=child,
        start_month=SEPTEMBER,
        places=[enrollment.nursery_toddler],
    )


def _status(round_: Round) -> str:
    return Round.objects.get(pk=round_.pk).status


def _allocated(enrollment: Enrollment, parent: User, child: Child) -> Round:
    _apply(enrollment, parent, child)
    _run("enrollment_allocate", "--round", str(enrollment.round.pk), "--as", "admin", "--close")
    return Round.objects.get(pk=enrollment.round.pk)


# enrollment_allocate ------------------------------------------------------------------------


@pytest.mark.django_db
def test_allocate_draws_a_closed_round_and_prints_the_figures(
    open_round: Enrollment, admin_user: User, parent_user: User, child: Child
) -> None:
    _apply(open_round, parent_user, child)
    services.round_close(actor=admin_user, round_=open_round.round)
    out, _err = _run("enrollment_allocate", "--round", str(open_round.round.pk), "--as", "admin")
    assert "1 applications, 1 placed, 0 not placed, 5 seats" in out
    assert _status(open_round.round) == RoundStatus.ALLOCATED
    assert Offer.objects.get().application.child == child


@pytest.mark.django_db
def test_allocate_refuses_an_open_round_unless_told_to_close_it(open_round: Enrollment) -> None:
    with pytest.raises(CommandError, match="--close"):
        _run("enrollment_allocate", "--round", str(open_round.round.pk), "--as", "admin")
    assert _status(open_round.round) == RoundStatus.OPEN


@pytest.mark.django_db
def test_allocate_with_close_closes_an_open_round_first(
    open_round: Enrollment, parent_user: User, child: Child
) -> None:
    _apply(open_round, parent_user, child)
    out, _err = _run("enrollment_allocate", "--round", str(open_round.round.pk), "--as", "admin", "--close")
    assert f"round #{open_round.round.pk} closed" in out
    assert "1 placed" in out
    round_ = Round.objects.get(pk=open_round.round.pk)
    assert round_.status == RoundStatus.ALLOCATED
    assert round_.closes_at <= timezone.now()


@pytest.mark.django_db
def test_allocate_refuses_a_round_that_is_already_allocated(
    open_round: Enrollment, parent_user: User, child: Child
) -> None:
    round_ = _allocated(open_round, parent_user, child)
    with pytest.raises(CommandError, match="已分配"):
        _run("enrollment_allocate", "--round", str(round_.pk), "--as", "admin", "--close")
    assert Offer.objects.count() == 1


@pytest.mark.django_db
def test_allocate_refuses_someone_other_than_the_bureau_and_leaves_the_round_open(
    open_round: Enrollment, operator_user: User
) -> None:
    with pytest.raises(CommandError, match="仅市卫健局管理员"):
        _run("enrollment_allocate", "--round", str(open_round.round.pk), "--as", "operator", "--close")
    assert _status(open_round.round) == RoundStatus.OPEN


@pytest.mark.django_db
def test_allocate_names_an_unknown_user_or_round(open_round: Enrollment) -> None:
    with pytest.raises(CommandError, match="no user 'nobody'"):
        _run("enrollment_allocate", "--round", str(open_round.round.pk), "--as", "nobody")
    with pytest.raises(CommandError, match="no round 99999"):
        _run("enrollment_allocate", "--round", "99999", "--as", "admin")


# enrollment_expire_offers -------------------------------------------------------------------


@pytest.mark.django_db
def test_expire_offers_lapses_the_offers_past_their_deadline_and_prints_how_many(
    open_round: Enrollment, parent_user: User, child: Child, admin_user: User
) -> None:
    _allocated(open_round, parent_user, child)
    out, _err = _run("enrollment_expire_offers")
    assert out.strip() == "0 offer(s) lapsed"
    Offer.objects.update(deadline=timezone.now() - dt.timedelta(minutes=1))
    out, _err = _run("enrollment_expire_offers", "--as", "admin")
    assert out.strip() == "1 offer(s) lapsed"
    offer = Offer.objects.get()
    assert offer.status == OfferStatus.EXPIRED
    entry = LogEntry.objects.get_for_object(offer).order_by("-timestamp", "-pk").first()
    assert entry is not None and entry.actor == admin_user


@pytest.mark.django_db
def test_expire_offers_names_an_unknown_user(registry: object) -> None:
    with pytest.raises(CommandError, match="no user 'nobody'"):
        _run("enrollment_expire_offers", "--as", "nobody")


# enrollment_lottery -------------------------------------------------------------------------


@pytest.mark.django_db
def test_lottery_writes_the_published_json_to_standard_output(
    open_round: Enrollment, parent_user: User, child: Child
) -> None:
    round_ = _allocated(open_round, parent_user, child)
    out, err = _run("enrollment_lottery", "--round", str(round_.pk))
    data = json.loads(out)
    assert data == selectors.round_lottery_published(round_)
    assert lottery.lottery_verify(data, noted_commitment=round_.commitment) == []
    assert err == ""


@pytest.mark.django_db
def test_lottery_writes_a_file_with_output(
    open_round: Enrollment, parent_user: User, child: Child, tmp_path: Path
) -> None:
    round_ = _allocated(open_round, parent_user, child)
    target = tmp_path / "lottery.json"
    out, _err = _run("enrollment_lottery", "--round", str(round_.pk), "--output", str(target))
    assert out.strip() == f"wrote {target}"
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["seed"] == round_.seed and data["references"] == [round_.applications.get().reference]


@pytest.mark.django_db
def test_lottery_before_the_draw_writes_the_commitment_and_says_so(open_round: Enrollment) -> None:
    out, err = _run("enrollment_lottery", "--round", str(open_round.round.pk))
    assert json.loads(out) == {
        "round": open_round.round.pk,
        "name": open_round.round.name,
        "commitment": open_round.round.commitment,
    }
    assert "commitment only" in err


@pytest.mark.django_db
def test_lottery_refuses_a_draft_or_an_unknown_round(admin_user: User, open_round: Enrollment) -> None:
    draft = services.round_create(
        actor=admin_user,
        name="草稿",
        first_start_month=SEPTEMBER,
        last_start_month=SEPTEMBER,
        opens_at=timezone.now(),
        closes_at=timezone.now() + dt.timedelta(days=1),
        priority_rules=[],
    )
    for pk in (draft.pk, 99999):
        with pytest.raises(CommandError, match=f"no published round {pk}"):
            _run("enrollment_lottery", "--round", str(pk))


@pytest.mark.django_db
def test_lottery_reports_a_file_it_cannot_write(open_round: Enrollment, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot write"):
        _run(
            "enrollment_lottery", "--round", str(open_round.round.pk), "--output", str(tmp_path / "no" / "x")
        )
