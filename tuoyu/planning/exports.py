"""A plan as an Excel workbook: actions, townships before and after, shortfalls, README."""

from __future__ import annotations

import io

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from tuoyu.common.excel import (
    SYNTHETIC_NOTICE_EN,
    SYNTHETIC_NOTICE_ZH,
    XLSX_CONTENT_TYPE,
    Column,
    write_table,
)
from tuoyu.planning.presenters import PlanView
from tuoyu.registry.selectors import dataset_is_synthetic


def _ratio(value: float | None, percent: bool) -> float | None:
    if value is None:
        return None
    return round(value * 100, 2) if percent else round(value, 2)


def plan_xlsx(view: PlanView) -> HttpResponse:
    synthetic = dataset_is_synthetic()
    workbook = Workbook()
    actions = workbook.active
    assert actions is not None
    actions.title = "actions"
    write_table(
        actions,
        [
            Column("镇（街道）", "Township", 14),
            Column("措施", "Action", 20),
            Column("机构或地点", "Institution or site", 30),
            Column("班型", "Class type", 10),
            Column("班级数", "Classes", 8),
            Column("托位", "Slots", 8),
            Column("成本（元）", "Cost (CNY)", 14),
            Column("原因", "Reason", 60),
        ],
        [
            (
                row.township,
                row.kind_label,
                row.place,
                row.class_type,
                row.units,
                row.slots,
                row.cost,
                "；".join(row.reasons),
            )
            for row in view.actions
        ],
    )
    towns = workbook.create_sheet("townships")
    figure_columns: list[Column] = []
    for pair in view.city:
        unit = "（%）" if pair.percent else ""
        figure_columns += [Column(f"{pair.label}{unit} 方案前", f"{pair.code} before", 14)]
        figure_columns += [Column(f"{pair.label}{unit} 方案后", f"{pair.code} after", 14)]
    write_table(
        towns,
        [
            Column("区划代码", "Code", 14),
            Column("镇（街道）", "Township", 14),
            Column("3 岁以下婴幼儿（规划年）", "Children under 3 (plan year)", 14),
            Column("新增托位", "Slots added", 10),
            Column("成本（元）", "Cost (CNY)", 14),
            *figure_columns,
        ],
        [
            (
                row.code,
                row.name,
                round(row.children),
                row.slots_added,
                row.cost,
                *[
                    v
                    for pair in row.figures
                    for v in (_ratio(pair.before, pair.percent), _ratio(pair.after, pair.percent))
                ],
            )
            for row in view.townships
        ],
    )
    gaps = workbook.create_sheet("shortfalls")
    write_table(
        gaps,
        [
            Column("指标", "Figure", 24),
            Column("范围", "Area", 14),
            Column("要求", "Required", 12),
            Column("方案后", "After plan", 12),
            Column("仍缺托位", "Slots still missing", 14),
        ],
        [(s.label, s.area, s.required, s.achieved, s.missing_slots) for s in view.shortfalls],
    )
    readme = workbook.create_sheet("README")
    lines = [
        f"规划方案 #{view.run.pk}：{view.run.scenario.name} / plan run #{view.run.pk}",
        f"规划日期 / figures as of: {view.as_of}",
        f"求解结果 / status: {view.status} ({view.status_label})",
        f"总成本（元）/ total cost (CNY): {view.total_cost:,.0f}",
        f"最优性差距 / optimality gap: {'' if view.mip_gap is None else f'{view.mip_gap:.4%}'}",
    ]
    if synthetic:
        lines += [SYNTHETIC_NOTICE_ZH, SYNTHETIC_NOTICE_EN]
    lines.append(
        "各表第 1 行为中文表头，第 2 行为英文表头。 / Row 1: Chinese headers; row 2: English headers."
    )
    for line in lines:
        readme.append([line])
    readme.column_dimensions["A"].width = 110
    readme["A1"].font = Font(bold=True, size=13)
    for row_cells in readme.iter_rows():
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    prefix = "synthetic-" if synthetic else ""
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{prefix}plan-{view.run.pk}.xlsx"'
    return response
