"""Spreadsheet responses shared by every export: .xlsx (openpyxl) and .csv (UTF-8 with BOM).

Headers are bilingual: in .xlsx a Chinese header row with the English one below it; in
.csv one header row "中文 / English". A 'README' sheet says what the file holds and, when
the platform holds synthetic demo data, that the numbers are not real.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")

SYNTHETIC_NOTICE_ZH = "示例数据（合成）— 本文件中的数据是合成的示例数据，不代表临海市真实情况。"
SYNTHETIC_NOTICE_EN = (
    "Synthetic demo data — the figures in this file are invented and do not describe Linhai."
)


@dataclass(frozen=True)
class Column:
    """A column with its Chinese and English header."""

    zh: str
    en: str
    width: int = 14


Cell = str | int | float | Decimal | dt.date | bool | None


def _cell(value: Cell) -> str | int | float | dt.date | None:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return "是 / yes" if value else "否 / no"
    return value


def _csv_cell(value: Cell) -> str:
    value = _cell(value)
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def write_table(sheet: Worksheet, columns: Sequence[Column], rows: Iterable[Sequence[Cell]]) -> None:
    """The two header rows (Chinese, English), the rows, column widths and frozen headers."""
    sheet.append([column.zh for column in columns])
    sheet.append([column.en for column in columns])
    header_fill = PatternFill("solid", fgColor="E8EEF6")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="555555")
        cell.fill = header_fill
    for row in rows:
        sheet.append([_cell(value) for value in row])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A3"
    for row_cells in sheet.iter_rows(min_row=3):
        for cell in row_cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"


def xlsx_response(
    *,
    filename: str,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Cell]],
    synthetic: bool,
    notes: Sequence[str] = (),
) -> HttpResponse:
    """A workbook with the data sheet (two header rows) and a README sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "data"
    write_table(sheet, columns, rows)

    readme = workbook.create_sheet("README")
    lines: list[str] = [title, f"生成时间 / generated: {timezone.localtime():%Y-%m-%d %H:%M}"]
    if synthetic:
        lines += [SYNTHETIC_NOTICE_ZH, SYNTHETIC_NOTICE_EN]
    lines += list(notes)
    lines += ["第 1 行为中文表头，第 2 行为英文表头。 / Row 1: Chinese headers; row 2: English headers."]
    for line in lines:
        readme.append([line])
    readme.column_dimensions["A"].width = 110
    readme["A1"].font = Font(bold=True, size=13)
    for row_cells in readme.iter_rows():
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True)
    if synthetic:
        readme["A3"].font = Font(bold=True, color="B02A37")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE), filename)


def csv_response(*, filename: str, columns: Sequence[Column], rows: Iterable[Sequence[Cell]]) -> HttpResponse:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"{column.zh} / {column.en}" for column in columns])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    content = "\ufeff" + buffer.getvalue()
    return _attachment(HttpResponse(content.encode("utf-8"), content_type=CSV_CONTENT_TYPE), filename)


def table_response(
    fmt: str,
    *,
    basename: str,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Cell]],
    synthetic: bool,
    notes: Sequence[str] = (),
) -> HttpResponse:
    """The table as .xlsx or .csv; a synthetic export's file name starts with 'synthetic-'."""
    prefix = "synthetic-" if synthetic else ""
    if fmt == "xlsx":
        return xlsx_response(
            filename=f"{prefix}{basename}.xlsx",
            title=title,
            columns=columns,
            rows=rows,
            synthetic=synthetic,
            notes=notes,
        )
    if fmt == "csv":
        return csv_response(filename=f"{prefix}{basename}.csv", columns=columns, rows=rows)
    raise ValueError(f"unknown export format {fmt!r}")
