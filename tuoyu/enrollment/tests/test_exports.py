"""The workbook of an allocated round: places, choices by pseudonym, README."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from tuoyu.accounts.models import User
from tuoyu.common.excel import SYNTHETIC_NOTICE_ZH, XLSX_CONTENT_TYPE
from tuoyu.enrollment import exports, services
from tuoyu.enrollment.allocation import round_allocate
from tuoyu.enrollment.models import Child, Offer, Round
from tuoyu.enrollment.tests.conftest import Enrollment
from tuoyu.registry.models import Dataset

SEPTEMBER = dt.date(2026, 9, 1)


@pytest.fixture
def allocated(
    open_round: Enrollment,
    admin_user: User,
    parent_user: User,
    other_parent: User,
    child: Child,
    other_child: Child,
) -> Round:
    """One seat at nursery_a for two toddlers: the child of township A (``resident``) is
    placed and accepts; the other, of township B, is on the waiting list."""
    open_round.nursery_toddler.capacity = 1
    open_round.nursery_toddler.save()
    for parent, applicant in ((parent_user, child), (other_parent, other_child)):
        services.application_submit(
            actor=parent,
            round_=open_round.round,
            child=applicant,
            start_month=SEPTEMBER,
            places=[open_round.nursery_toddler],
        )
    services.round_close(actor=admin_user, round_=open_round.round)
    round_allocate(actor=admin_user, round_=open_round.round)
    services.offer_respond(actor=parent_user, offer=Offer.objects.get(), accept=True)
    open_round.round.refresh_from_db()
    return open_round.round


def _rows(workbook: Workbook, sheet: str) -> list[tuple[object, ...]]:
    return list(workbook[sheet].iter_rows(values_only=True))


def _text(workbook: Workbook) -> str:
    return "\n".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


@pytest.mark.django_db
def test_the_workbook_has_the_places_the_choices_and_a_readme(allocated: Round) -> None:
    workbook = exports.round_workbook(allocated, synthetic=False)
    assert workbook.sheetnames == ["名额", "志愿", "说明"]


@pytest.mark.django_db
def test_the_places_sheet_counts_the_offers_by_what_became_of_them(allocated: Round) -> None:
    rows = _rows(exports.round_workbook(allocated, synthetic=False), "名额")
    assert rows[0][:4] == ("机构", "镇（街道）", "班型", "名额")
    assert rows[1][0] == "Institution"
    by_place = {(row[0], row[2]): row for row in rows[2:]}
    assert by_place[("示例托育园 №2", "托小班")][3:] == (1, 1, 1, 0, 0)
    assert by_place[("示例幼儿园 №1", "托大班")][3:] == (2, 0, 0, 0, 0)


@pytest.mark.django_db
def test_the_choices_sheet_explains_each_choice_by_its_reference(allocated: Round, child: Child) -> None:
    rows = _rows(exports.round_workbook(allocated, synthetic=False), "志愿")
    assert rows[0][0] == "报名编号"
    by_reference = {row[0]: row for row in rows[2:]}
    placed = by_reference[child.applications.get().reference]
    passed = next(row for reference, row in by_reference.items() if reference != placed[0])
    assert placed[2:8] == ("2026-09", 1, "示例托育园 №2", "托小班", "录取", "居住在机构所在镇（街道）")
    assert passed[6] == "未录取（候补）"
    assert passed[7] in ("", None)
    assert passed[8:] == (1, 1, 1)  # one applicant ahead, one seat, first on the waiting list
    assert {placed[1], passed[1]} == {1, 2}  # the lottery ranks


@pytest.mark.django_db
def test_the_workbook_holds_no_child_name_id_number_or_guardian(
    allocated: Round, child: Child, other_child: Child, parent_user: User
) -> None:
    text = _text(exports.round_workbook(allocated, synthetic=False))
    for someone in (child, other_child):
        assert someone.name not in text
        assert someone.name_masked not in text
        assert someone.id_number not in text
        assert someone.birth_date.isoformat() not in text
    assert parent_user.username not in text.split()


@pytest.mark.django_db
def test_the_readme_gives_the_published_lottery_data(allocated: Round) -> None:
    readme = _text(exports.round_workbook(allocated, synthetic=False))
    assert allocated.seed in readme
    assert allocated.commitment in readme
    assert allocated.roster_hash in readme
    assert "名额" in readme and "志愿" in readme
    assert SYNTHETIC_NOTICE_ZH not in readme


@pytest.mark.django_db
def test_the_readme_says_when_the_data_are_synthetic(allocated: Round) -> None:
    assert SYNTHETIC_NOTICE_ZH in _text(exports.round_workbook(allocated, synthetic=True))


@pytest.mark.django_db
def test_the_response_is_an_xlsx_attachment_named_after_the_round(allocated: Round) -> None:
    response = exports.round_xlsx(allocated)
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="enrollment-round-{allocated.pk}.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["名额", "志愿", "说明"]


@pytest.mark.django_db
def test_a_synthetic_platform_marks_the_file_name_and_the_readme(allocated: Round) -> None:
    Dataset.objects.create(name="示例", synthetic=True)
    response = exports.round_xlsx(allocated)
    assert response["Content-Disposition"].startswith('attachment; filename="synthetic-enrollment-round-')
    assert SYNTHETIC_NOTICE_ZH in _text(load_workbook(io.BytesIO(response.content)))
