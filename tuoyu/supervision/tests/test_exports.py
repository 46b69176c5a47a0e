"""The workbook of published inspections: results, problems and a README."""

from __future__ import annotations

import pytest

from tuoyu.common.excel import SYNTHETIC_NOTICE_EN, SYNTHETIC_NOTICE_ZH
from tuoyu.supervision import exports
from tuoyu.supervision.models import Inspection
from tuoyu.supervision.tests.conftest import Supervision


def _rows(sheet: object) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_results_sheet_has_bilingual_headers_and_counts_violations_by_severity(
    recorded: Supervision,
) -> None:
    inspections = exports.published_inspections(Inspection.objects.all())
    workbook = exports.inspections_workbook(inspections, scope="全市", synthetic=False)
    assert workbook.sheetnames == ["检查结果", "问题清单", "说明"]
    header, english, *rows = _rows(workbook["检查结果"])
    assert header[:3] == ("机构", "统一社会信用代码", "镇（街道）")
    assert english[0] == "Institution"
    institution = recorded.registry.nursery_a
    assert rows == [
        (
            institution.name,
            institution.credit_code,
            institution.township.name,
            "投诉核查",
            rows[0][4],
            "责令整改",
            0,
            2,
            0,
            rows[0][9],
        )
    ]
    assert rows[0][4] is not None  # the inspection date, a date cell
    assert isinstance(rows[0][9], str) and len(rows[0][9]) == len("2026-01-01 09:30")


@pytest.mark.django_db
def test_the_problems_sheet_lists_each_violation_with_its_order(recorded: Supervision) -> None:
    inspections = exports.published_inspections(Inspection.objects.all())
    workbook = exports.inspections_workbook(inspections, scope="全市", synthetic=False)
    _header, _english, *rows = _rows(workbook["问题清单"])
    assert [(row[2], row[3], row[4], row[5], row[6]) for row in rows] == [
        ("H1", "卫生保健", "一般", "缺少 11 月消毒记录", "待整改"),
        ("C1", "视频监控", "一般", "午睡室无监控", "待整改"),
    ]
    assert all(row[7] is not None for row in rows)


@pytest.mark.django_db
def test_the_readme_says_what_each_sheet_holds_and_flags_synthetic_data(recorded: Supervision) -> None:
    inspections = exports.published_inspections(Inspection.objects.all())
    synthetic = exports.inspections_workbook(inspections, scope="示例街道甲", synthetic=True)
    lines = [row[0] for row in _rows(synthetic["说明"])]
    text = "\n".join(str(line) for line in lines)
    assert "示例街道甲" in text
    assert SYNTHETIC_NOTICE_ZH in lines and SYNTHETIC_NOTICE_EN in lines
    assert "“检查结果”" in text and "“问题清单”" in text
    real = exports.inspections_workbook(inspections, scope="全市", synthetic=False)
    assert SYNTHETIC_NOTICE_ZH not in [row[0] for row in _rows(real["说明"])]


@pytest.mark.django_db
def test_the_workbook_names_no_inspector(recorded: Supervision) -> None:
    inspections = exports.published_inspections(Inspection.objects.all())
    workbook = exports.inspections_workbook(inspections, scope="全市", synthetic=False)
    text = " ".join(str(value) for sheet in workbook for row in _rows(sheet) for value in row if value)
    assert recorded.inspector_b1.username not in text
    assert recorded.inspector_b2.username not in text


@pytest.mark.django_db
def test_unpublished_inspections_are_left_out(assigned: Supervision) -> None:
    inspections = exports.published_inspections(Inspection.objects.all())
    assert list(inspections) == []
    workbook = exports.inspections_workbook(inspections, scope="全市", synthetic=False)
    assert len(_rows(workbook["检查结果"])) == 2
