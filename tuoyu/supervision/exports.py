"""Published inspections as an Excel workbook: results, problems, README.

Only what the portal may disclose plus the problems found and their rectification: the
workbook names no inspector and holds nothing about complainants.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from tuoyu.common.excel import (
    SYNTHETIC_NOTICE_EN,
    SYNTHETIC_NOTICE_ZH,
    XLSX_CONTENT_TYPE,
    Cell,
    Column,
    write_table,
)
from tuoyu.registry.selectors import dataset_is_synthetic
from tuoyu.supervision.models import (
    Finding,
    FindingResult,
    Inspection,
    InspectionStatus,
    RectificationOrder,
    Severity,
)

RESULTS_SHEET = "检查结果"
PROBLEMS_SHEET = "问题清单"
README_SHEET = "说明"

RESULT_COLUMNS = [
    Column("机构", "Institution", 30),
    Column("统一社会信用代码", "Credit code", 22),
    Column("镇（街道）", "Township", 14),
    Column("检查类型", "Kind", 12),
    Column("检查日期", "Inspected on", 12),
    Column("结论", "Conclusion", 10),
    Column("严重问题", "Critical violations", 10),
    Column("一般问题", "Major violations", 10),
    Column("轻微问题", "Minor violations", 10),
    Column("公示时间", "Published at", 18),
]

PROBLEM_COLUMNS = [
    Column("机构", "Institution", 30),
    Column("检查日期", "Inspected on", 12),
    Column("检查项编号", "Item code", 10),
    Column("类别", "Category", 12),
    Column("严重程度", "Severity", 10),
    Column("问题说明", "Note", 40),
    Column("整改状态", "Order status", 12),
    Column("整改期限", "Deadline", 12),
]


def published_inspections(
    inspections: QuerySet[Inspection],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    township_id: int | None = None,
) -> QuerySet[Inspection]:
    """The published inspections among ``inspections`` (already scoped to the user)."""
    rows = inspections.filter(status=InspectionStatus.PUBLISHED)
    if date_from is not None:
        rows = rows.filter(inspected_on__gte=date_from)
    if date_to is not None:
        rows = rows.filter(inspected_on__lte=date_to)
    if township_id is not None:
        rows = rows.filter(institution__township_id=township_id)
    return rows.select_related("institution__township").order_by(
        "institution__township__code", "institution__name", "inspected_on", "pk"
    )


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _result_rows(inspections: QuerySet[Inspection]) -> list[tuple[Cell, ...]]:
    violation = Q(findings__result=FindingResult.VIOLATION)
    counted = inspections.annotate(
        n_critical=Count("findings", filter=violation & Q(findings__item__severity=Severity.CRITICAL)),
        n_major=Count("findings", filter=violation & Q(findings__item__severity=Severity.MAJOR)),
        n_minor=Count("findings", filter=violation & Q(findings__item__severity=Severity.MINOR)),
    )
    return [
        (
            inspection.institution.name,
            inspection.institution.credit_code,
            inspection.institution.township.name,
            inspection.get_kind_display(),
            inspection.inspected_on,
            inspection.get_conclusion_display(),
            inspection.n_critical,  # type: ignore[attr-defined]
            inspection.n_major,  # type: ignore[attr-defined]
            inspection.n_minor,  # type: ignore[attr-defined]
            _local(inspection.published_at),
        )
        for inspection in counted
    ]


def _problem_rows(inspections: QuerySet[Inspection]) -> list[tuple[Cell, ...]]:
    findings = (
        Finding.objects.filter(inspection__in=inspections, result=FindingResult.VIOLATION)
        .select_related("inspection__institution__township", "item")
        .order_by(
            "inspection__institution__township__code",
            "inspection__institution__name",
            "inspection__inspected_on",
            "inspection_id",
            "item__order",
            "item__code",
        )
    )
    orders = {
        order.finding_id: order
        for order in RectificationOrder.objects.filter(finding__in=[finding.pk for finding in findings])
    }
    rows: list[tuple[Cell, ...]] = []
    for finding in findings:
        order = orders.get(finding.pk)
        rows.append(
            (
                finding.inspection.institution.name,
                finding.inspection.inspected_on,
                finding.item.code,
                finding.item.get_category_display(),
                finding.item.get_severity_display(),
                finding.note,
                order.get_status_display() if order else "",
                order.deadline if order else None,
            )
        )
    return rows


def _readme_lines(*, scope: str, synthetic: bool, results: int, problems: int) -> list[str]:
    lines = [
        "托育机构安全检查结果 / Published childcare safety inspections",
        f"生成时间 / generated: {timezone.localtime():%Y-%m-%d %H:%M}",
        f"范围 / scope: {scope}",
    ]
    if synthetic:
        lines += [SYNTHETIC_NOTICE_ZH, SYNTHETIC_NOTICE_EN]
    lines += [
        f"“{RESULTS_SHEET}”：每次已公示检查一行（{results} 行）：机构、统一社会信用代码、镇（街道）、"
        "检查类型、检查日期、结论，以及严重、一般、轻微问题的项数和公示时间。"
        " / Results: one row per published inspection with its conclusion and violations by severity.",
        f"“{PROBLEMS_SHEET}”：每个不符合项一行（{problems} 行）：检查项编号、类别、严重程度、问题说明，"
        "以及整改通知的状态和期限。"
        " / Problems: one row per violation with its rectification order's status and deadline.",
        "结论规则：无不符合项为合格；有严重问题为不合格；其余为责令整改。"
        " / Conclusion: no violation passes; a critical violation fails; otherwise rectify.",
        "本文件只含已审核公示的检查，不含检查人员姓名和投诉人信息。"
        " / Only published inspections; no inspector names and no complainant data.",
        "各表第 1 行为中文表头，第 2 行为英文表头。 / Row 1: Chinese headers; row 2: English headers.",
    ]
    return lines


def inspections_workbook(inspections: QuerySet[Inspection], *, scope: str, synthetic: bool) -> Workbook:
    """The workbook of the given (published, scoped, filtered) inspections."""
    workbook = Workbook()
    results_sheet = workbook.active
    assert results_sheet is not None
    results_sheet.title = RESULTS_SHEET
    results = _result_rows(inspections)
    write_table(results_sheet, RESULT_COLUMNS, results)
    problems = _problem_rows(inspections)
    write_table(workbook.create_sheet(PROBLEMS_SHEET), PROBLEM_COLUMNS, problems)
    readme = workbook.create_sheet(README_SHEET)
    lines = _readme_lines(scope=scope, synthetic=synthetic, results=len(results), problems=len(problems))
    _write_lines(readme, lines)
    if synthetic:
        readme["A4"].font = Font(bold=True, color="B02A37")
    return workbook


def _write_lines(sheet: Worksheet, lines: Iterable[str]) -> None:
    for line in lines:
        sheet.append([line])
    sheet.column_dimensions["A"].width = 110
    sheet["A1"].font = Font(bold=True, size=13)
    for row_cells in sheet.iter_rows():
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True)


def inspections_xlsx(inspections: QuerySet[Inspection], *, scope: str) -> HttpResponse:
    synthetic = dataset_is_synthetic()
    buffer = io.BytesIO()
    inspections_workbook(inspections, scope=scope, synthetic=synthetic).save(buffer)
    prefix = "synthetic-" if synthetic else ""
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{prefix}inspections-{stamp}.xlsx"'
    return response
