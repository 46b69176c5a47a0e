"""Linhai: the facts of linhai.md, the demo's choices for each township, and the windows
the generator tunes for. Data tables only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tuoyu.registry.demo.common import DATA_AS_OF
from tuoyu.registry.models import TownshipKind

CHECK_DATES = (dt.date(2025, 12, 31), DATA_AS_OF)
"""The dates the Linhai dataset is tuned for."""
LINHAI_SEED = 331082
LINHAI_REGION = "331082"

LINHAI_DATASET_NAME = "临海市示例数据（合成） / synthetic Linhai demo data"

LINHAI_WINDOWS: dict[str, tuple[float, float]] = {
    "slots_per_1000": (257.0, 271.0),
    "kindergarten_share": (0.670, 0.705),
    "puhui_share": (0.855, 0.880),
    "certified_share": (0.905, 0.935),
    "fee_ratio": (0.22, 0.29),
}
"""City-wide value windows the Linhai generator tunes for on every date of CHECK_DATES."""

FORM_NAMES = {
    "kindergarten": "示例幼儿园 №{n} 托班",
    "standalone": "示例托育园 №{n}",
    "community": "示例社区托育点 №{n}",
    "employer": "示例企业托育室 №{n}",
    "family": "示例家庭托育点 №{n}",
}


@dataclass(frozen=True)
class TownshipFact:
    name: str
    kind: str
    latitude: float
    longitude: float
    weight: int  # population, thousands, approximate
    profile: str  # dense, suburb, industrial, rural, mountain
    coverage: float  # relative slots per 1,000 children under 3 (0: none)


LINHAI_TOWNSHIPS: tuple[TownshipFact, ...] = (
    TownshipFact("古城街道", TownshipKind.SUBDISTRICT, 28.856, 121.118, 120, "dense", 1.50),
    TownshipFact("大洋街道", TownshipKind.SUBDISTRICT, 28.865, 121.160, 130, "dense", 1.55),
    TownshipFact("江南街道", TownshipKind.SUBDISTRICT, 28.835, 121.145, 90, "dense", 1.30),
    TownshipFact("大田街道", TownshipKind.SUBDISTRICT, 28.895, 121.175, 60, "suburb", 1.00),
    TownshipFact("邵家渡街道", TownshipKind.SUBDISTRICT, 28.870, 121.225, 50, "suburb", 0.90),
    TownshipFact("杜桥镇", TownshipKind.TOWN, 28.770, 121.420, 170, "industrial", 1.00),
    TownshipFact("上盘镇", TownshipKind.TOWN, 28.770, 121.530, 60, "rural", 0.70),
    TownshipFact("桃渚镇", TownshipKind.TOWN, 28.850, 121.560, 50, "rural", 0.55),
    TownshipFact("小芝镇", TownshipKind.TOWN, 28.890, 121.370, 35, "rural", 0.45),
    TownshipFact("东塍镇", TownshipKind.TOWN, 28.925, 121.290, 55, "rural", 0.75),
    TownshipFact("汛桥镇", TownshipKind.TOWN, 28.930, 121.220, 30, "rural", 0.60),
    TownshipFact("汇溪镇", TownshipKind.TOWN, 28.990, 121.080, 30, "mountain", 0.12),
    TownshipFact("括苍镇", TownshipKind.TOWN, 28.760, 120.960, 30, "mountain", 0.0),
    TownshipFact("永丰镇", TownshipKind.TOWN, 28.950, 120.990, 35, "rural", 0.50),
    TownshipFact("河头镇", TownshipKind.TOWN, 28.990, 120.920, 25, "mountain", 0.0),
    TownshipFact("白水洋镇", TownshipKind.TOWN, 28.910, 120.870, 45, "rural", 0.75),
    TownshipFact("涌泉镇", TownshipKind.TOWN, 28.760, 121.290, 40, "rural", 0.65),
    TownshipFact("尤溪镇", TownshipKind.TOWN, 28.790, 121.050, 25, "mountain", 0.15),
    TownshipFact("沿江镇", TownshipKind.TOWN, 28.835, 121.030, 30, "rural", 0.55),
)


@dataclass(frozen=True)
class Profile:
    growth: float  # population growth a year
    migration: float  # children living here relative to births
    kg_share: float  # share of slots in 幼儿园托班
    form_mix: dict[str, float]  # shares of the other slots
    kg_classes: tuple[float, float, float, float]  # P(1, 2, 3, 4 托班 classes)
    kg_public: float  # share of kindergartens that are 公办
    enrolment: tuple[float, float]  # enrolled / approved slots
    spread: float  # degrees around the township's position


PROFILES = {
    "dense": Profile(
        0.010,
        1.04,
        0.685,
        {"standalone": 0.52, "community": 0.37, "employer": 0.09, "family": 0.02},
        (0.0, 0.2, 0.45, 0.35),
        0.68,
        (0.50, 0.85),
        0.012,
    ),
    "suburb": Profile(
        0.005,
        1.00,
        0.625,
        {"standalone": 0.47, "community": 0.40, "employer": 0.10, "family": 0.03},
        (0.1, 0.4, 0.35, 0.15),
        0.75,
        (0.45, 0.80),
        0.015,
    ),
    "industrial": Profile(
        0.003,
        1.05,
        0.545,
        {"standalone": 0.34, "community": 0.23, "employer": 0.41, "family": 0.02},
        (0.1, 0.35, 0.4, 0.15),
        0.75,
        (0.50, 0.85),
        0.030,
    ),
    "rural": Profile(
        -0.004,
        0.96,
        0.605,
        {"standalone": 0.42, "community": 0.44, "employer": 0.07, "family": 0.07},
        (0.15, 0.5, 0.3, 0.05),
        0.85,
        (0.40, 0.75),
        0.025,
    ),
    "mountain": Profile(-0.010, 0.90, 1.0, {}, (1.0, 0.0, 0.0, 0.0), 1.0, (0.35, 0.70), 0.025),
}

SLOTS_PER_1000_PLAN = 263.0
"""Slots per 1,000 children under 3 the institutions are drawn for (before tuning)."""

PRIVATE_DESIGNATED = {
    "kindergarten": 0.80,
    "standalone": 0.55,
    "community": 0.85,
    "employer": 0.50,
    "family": 0.50,
}
"""Share of 民办 institutions of each form holding a 普惠 designation."""
PUBLIC_SHARE = {"standalone": 0.12, "community": 0.40, "employer": 0.30, "family": 0.0}
CERT_PROFILES = (("missing", 0.035), ("expired", 0.025), ("late", 0.015), ("expiring", 0.015))
"""Share of childcare staff without a valid qualifying certificate: none at all, one that
expired before 2025-12, one obtained only in 2026, one that expires in 2026."""
