"""Response schemas of the public indicators API (``GET /api/v1/indicators``).

Aggregates only: counts, sums and ratios per area, never a person or a record.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class FigureOut(Schema):
    """One figure of one area: ``value`` = numerator ÷ denominator (× 1,000 for per-1,000 figures)."""

    numerator: float = Field(description="分子 / numerator")
    denominator: float = Field(description="分母 / denominator")
    value: float | None = Field(description="数值；分母为 0 时为空 / value, null when the denominator is 0")
    target: float | None = Field(description="目标值；无目标时为空 / target, null when there is none")
    met: bool | None = Field(description="是否达标；无数值或无目标时为空 / target met, null when undecidable")


class IndicatorsOut(Schema):
    """The six 2025 targets (任务目标)."""

    fee_ratio: FigureOut = Field(
        description="普惠机构全日托平均月收费 ÷ 上年月人均可支配收入（≤ 30%）/ "
        "average full-day fee of 普惠 institutions ÷ monthly per-capita disposable income"
    )
    slots_per_1000: FigureOut = Field(
        description="每千名 3 岁以下婴幼儿托位数（≥ 280）/ slots per 1,000 children under 3"
    )
    kindergarten_share: FigureOut = Field(
        description="托幼一体托位占比（≥ 65%）/ kindergarten share of slots"
    )
    puhui_share: FigureOut = Field(description="普惠托位占比（≥ 90%）/ 普惠 share of slots")
    certified_share: FigureOut = Field(
        description="从业人员持证率（≥ 90%）/ certified share of childcare staff"
    )
    catalog_published: FigureOut = Field(
        description="已发布基本公共服务目录清单（1 = 是）/ a service catalog is published (1 = yes)"
    )


class MonitoredOut(Schema):
    """Figures shown as context, without a 2025 target (except the national per-population one)."""

    young_infant_share: FigureOut = Field(description="小月龄托位占比 / under-24-month share of slots")
    young_infant_slots_per_1000: FigureOut = Field(
        description="每千名 2 岁以下婴幼儿小月龄托位数 / young-infant slots per 1,000 children under 2"
    )
    slots_per_1000_population: FigureOut = Field(
        description="每千人口托位数（国家口径 4.5）/ slots per 1,000 total population (national figure)"
    )


class TownshipIndicatorsOut(Schema):
    code: str = Field(description="区划代码 / statistical division code")
    name: str = Field(description="名称 / name")
    indicators: IndicatorsOut = Field(description="六项目标 / the six targets")
    monitored: MonitoredOut = Field(description="监测指标 / monitored figures")


class IndicatorReportOut(Schema):
    as_of: dt.date = Field(description="统计日期 / as-of date")
    city: IndicatorsOut = Field(description="全市六项目标 / the six targets for the city")
    city_monitored: MonitoredOut = Field(description="全市监测指标 / monitored figures for the city")
    townships: list[TownshipIndicatorsOut] = Field(
        description="各镇（街道），按区划代码排序 / by township code"
    )
