"""The public indicators API: the six 2025 targets for the city and every township."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router

from tuoyu.engine import codes
from tuoyu.engine.indicators import Figure, figure_as_dict
from tuoyu.indicators.schemas import IndicatorReportOut
from tuoyu.indicators.selectors import indicator_report
from tuoyu.registry.api import today
from tuoyu.registry.models import Township
from tuoyu.registry.schemas import ValidationErrorOut

router = Router(tags=["indicators"])


def _figures(by_code: dict[str, Figure], wanted: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    return {code: figure_as_dict(by_code[code]) for code in wanted}


@router.get(
    "/indicators",
    operation_id="get_indicators",
    auth=None,
    response={200: IndicatorReportOut, 422: ValidationErrorOut},
    summary="目标完成情况（公开）/ target indicators (public)",
)
def indicators(
    request: HttpRequest,
    as_of: Annotated[
        dt.date | None,
        Query(
            description="统计日期 YYYY-MM-DD，默认为今天（北京时间）/ "
            "as-of date, default today in Asia/Shanghai"
        ),
    ] = None,
) -> JsonResponse:
    """Numerator, denominator, value, target and met of each figure for the city and every
    township. Public: aggregates only, no personal data. The number of database queries does
    not depend on the number of institutions."""
    day = as_of or today()
    report = indicator_report(as_of=day)
    townships = [
        {
            "code": code,
            "name": name,
            "indicators": _figures(report.townships[pk], codes.INDICATOR_CODES),
            "monitored": _figures(report.townships[pk], codes.MONITORED_CODES),
        }
        for pk, code, name in Township.objects.order_by("code").values_list("pk", "code", "name")
        if pk in report.townships
    ]
    payload = {
        "as_of": report.as_of.isoformat(),
        "city": _figures(report.city, codes.INDICATOR_CODES),
        "city_monitored": _figures(report.city, codes.MONITORED_CODES),
        "townships": townships,
    }
    # The payload is plain numbers already shaped like IndicatorReportOut (the schema the
    # OpenAPI document shows); validating 1,500 townships x 9 figures again through pydantic
    # would cost more than computing them.
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
