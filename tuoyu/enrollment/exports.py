"""An allocated round as an Excel workbook: places, choices, README.

The choices are identified by the application reference, the pseudonym the published
lottery uses; the workbook holds no child's name, ID number, birth date or guardian.
"""

from __future__ import annotations

import io
from collections import defaultdict

from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from tuoyu.common.excel import (
    SYNTHETIC_NOTICE_EN,
    SYNTHETIC_NOTICE_ZH,
    XLSX_CONTENT_TYPE,
    Cell,
    Column,
    write_table,
)
from tuoyu.enrollment.models import Choice, Offer, OfferStatus, Outcome, PriorityRule, Round
from tuoyu.registry.selectors import dataset_is_synthetic

PLACES_SHEET = "名额"
CHOICES_SHEET = "志愿"
README_SHEET = "说明"

PLACE_COLUMNS = [
    Column("机构", "Institution", 30),
    Column("镇（街道）", "Township", 14),
    Column("班型", "Class type", 10),
    Column("名额", "Seats", 8),
    Column("发出录取", "Offers made", 10),
    Column("已接受", "Accepted", 10),
    Column("已放弃或逾期", "Declined or lapsed", 12),
    Column("已入托", "Enrolled", 10),
]

CHOICE_COLUMNS = [
    Column("报名编号", "Application reference", 16),
    Column("抽签序号", "Lottery rank", 10),
    Column("入托月份", "Start month", 10),
    Column("志愿顺序", "Rank", 8),
    Column("机构", "Institution", 30),
    Column("班型", "Class type", 10),
    Column("结果", "Outcome", 16),
    Column("满足的优先规则", "Priority rules met", 30),
    Column("优先级更高的申请人", "Applicants ahead", 12),
    Column("名额", "Seats", 8),
    Column("候补位次", "Waiting-list position", 12),
]


def _place_rows(round_: Round) -> list[tuple[Cell, ...]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in Offer.objects.filter(place__round=round_).values("place_id", "status").annotate(n=Count("id")):
        counts[row["place_id"]][row["status"]] = int(row["n"])
    rows: list[tuple[Cell, ...]] = []
    for place in round_.places.select_related("institution__township").order_by(
        "institution__township__code", "institution__name", "class_type"
    ):
        found = counts.get(place.pk, {})
        rows.append(
            (
                place.institution.name,
                place.institution.township.name,
                place.get_class_type_display(),
                place.capacity,
                sum(found.values()),
                found.get(OfferStatus.ACCEPTED, 0),
                found.get(OfferStatus.DECLINED, 0) + found.get(OfferStatus.EXPIRED, 0),
                found.get(OfferStatus.ENROLLED, 0),
            )
        )
    return rows


def _choice_rows(round_: Round) -> list[tuple[Cell, ...]]:
    rules = dict(PriorityRule.choices)
    outcomes = dict(Outcome.choices)
    choices = (
        Choice.objects.filter(application__round=round_, application__withdrawn_at__isnull=True)
        .select_related("application", "place__institution")
        .order_by("application__reference", "rank")
    )
    return [
        (
            choice.application.reference,
            choice.application.lottery_rank,
            choice.application.start_month.strftime("%Y-%m"),
            choice.rank,
            choice.place.institution.name,
            choice.place.get_class_type_display(),
            str(outcomes.get(choice.outcome, choice.outcome)),
            "、".join(str(rules.get(code, code)) for code in choice.priority_reasons),
            choice.applicants_ahead,
            choice.seats,
            choice.waitlist_position,
        )
        for choice in choices
    ]


def _readme_lines(round_: Round, *, synthetic: bool) -> list[str]:
    rules = "、".join(round_.rule_labels()) or "无"
    lines = [
        f"{round_.name} · 统一报名结果 / central enrollment round #{round_.pk}",
        f"生成时间 / generated: {timezone.localtime():%Y-%m-%d %H:%M}",
        f"状态 / status: {round_.get_status_display()} ({round_.status})",
        f"入托月份 / start months: {round_.first_start_month:%Y-%m} — {round_.last_start_month:%Y-%m}",
        f"优先规则（按顺序，其后为抽签）/ priority rules in order, then the lottery: {rules}",
        f"种子承诺值 / commitment (SHA-256): {round_.commitment}",
        f"抽签种子 / seed: {round_.seed}",
        f"报名名单哈希 / roster hash: {round_.roster_hash}",
        f"抽签算法 / algorithm: {round_.algorithm}",
    ]
    if synthetic:
        lines += [SYNTHETIC_NOTICE_ZH, SYNTHETIC_NOTICE_EN]
    lines += [
        f"“{PLACES_SHEET}”：各机构各班型的名额，以及录取通知的去向（发出、接受、放弃或逾期、入托）。"
        " / Places: seats per institution and class type, and what became of the offers.",
        f"“{CHOICES_SHEET}”：每份报名的每个志愿及分配结果：满足的优先规则、优先级更高的申请人数、"
        "名额和候补位次。报名以报名编号（公开抽签中使用的化名）标识，不含婴幼儿姓名、身份证号等个人信息。"
        " / Choices: every ranked choice and its outcome, by application reference (the pseudonym"
        " of the published lottery); no names or ID numbers.",
        "用抽签种子和报名编号可复核抽签结果（tools/verify_lottery.py）。"
        " / The seed and the references reproduce the draw (tools/verify_lottery.py).",
        "各表第 1 行为中文表头，第 2 行为英文表头。 / Row 1: Chinese headers; row 2: English headers.",
    ]
    return lines


def round_workbook(round_: Round, *, synthetic: bool | None = None) -> Workbook:
    """The workbook of an allocated (or finished) round."""
    synthetic = dataset_is_synthetic() if synthetic is None else synthetic
    workbook = Workbook()
    places = workbook.active
    assert places is not None
    places.title = PLACES_SHEET
    write_table(places, PLACE_COLUMNS, _place_rows(round_))
    choices = workbook.create_sheet(CHOICES_SHEET)
    write_table(choices, CHOICE_COLUMNS, _choice_rows(round_))
    readme = workbook.create_sheet(README_SHEET)
    for line in _readme_lines(round_, synthetic=synthetic):
        readme.append([line])
    readme.column_dimensions["A"].width = 110
    readme["A1"].font = Font(bold=True, size=13)
    for row_cells in readme.iter_rows():
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True)
    return workbook


def round_xlsx(round_: Round) -> HttpResponse:
    synthetic = dataset_is_synthetic()
    buffer = io.BytesIO()
    round_workbook(round_, synthetic=synthetic).save(buffer)
    prefix = "synthetic-" if synthetic else ""
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{prefix}enrollment-round-{round_.pk}.xlsx"'
    return response
