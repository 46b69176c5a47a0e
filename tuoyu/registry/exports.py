"""The institution list as .xlsx or .csv, with the same filters and scope as the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import translation

from tuoyu.common.excel import Cell, Column, table_response
from tuoyu.registry.models import Institution

COLUMNS = [
    Column("统一社会信用代码", "Unified social credit code", 22),
    Column("机构名称", "Institution", 28),
    Column("镇（街道）", "Township", 14),
    Column("服务形式", "Form", 16),
    Column("性质", "Ownership", 8),
    Column("普惠", "Puhui", 10),
    Column("备案状态", "Filing status", 10),
    Column("备案日期", "Filed on", 12),
    Column("核定托位", "Approved slots", 10),
    Column("在托人数", "Children enrolled", 10),
    Column("不符合国家标准项数", "Breaches of national standards", 12),
]


def _row(institution: Any, violations: dict[int, list[Any]]) -> list[Cell]:
    return [
        institution.credit_code,
        institution.name,
        institution.township.name,
        institution.get_form_display(),
        institution.get_ownership_display(),
        bool(getattr(institution, "is_puhui", False)),
        institution.get_filing_status_display(),
        institution.filed_on,
        getattr(institution, "slots", None) or 0,
        getattr(institution, "children", None) or 0,
        len(violations.get(institution.pk, [])),
    ]


def institution_table(
    fmt: str,
    *,
    institutions: QuerySet[Institution],
    violations: dict[int, list[Any]],
    as_of: dt.date,
    synthetic: bool,
) -> HttpResponse:
    # Chinese labels of the choices (the source strings), whatever the request's language.
    with translation.override("zh-hans"):
        rows = [_row(institution, violations) for institution in institutions.iterator(chunk_size=500)]
    return table_response(
        fmt,
        basename=f"tuoyu-institutions-{as_of.isoformat()}",
        title=f"临海市托育机构名录 / Childcare institutions, as of {as_of.isoformat()}",
        columns=COLUMNS,
        rows=rows,
        synthetic=synthetic,
        notes=[
            f"统计日期 / as of: {as_of.isoformat()}",
            "导出范围与页面筛选条件和您的查看权限一致。 / Same filters and scope as the list page.",
        ],
    )
