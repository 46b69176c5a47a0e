"""Deterministic synthetic registries: the Linhai demo dataset and a province-size benchmark.

Everything built here is invented and says so (示例数据 / synthetic). Township names,
kinds, positions and population weights follow ``/work/shared/design/linhai.md`` and are
approximate; township codes (331082xxx000), boundaries (Voronoi cells of the positions),
institutions, people, credit codes and ID numbers are made up. Credit codes are valid by
GB 32100 and carry the organisation-code prefix ``DM`` (Linhai) or ``DP`` (province) to
mark them as invented; ID numbers have valid GB 11643 check digits and plausible birth
dates with a random sequence, so any match with a real person is coincidence. Names read
as invented ("王某 017", "示例托育园 №12").

Determinism: every figure comes from ``numpy.random.default_rng(seed)`` and fixed dates
(history from :data:`HISTORY_START`, the data's "today" is :data:`DATA_AS_OF`); nothing
reads the clock except ``Dataset.loaded_at``. Ciphertexts differ between builds (random
nonces), their plaintexts and blind indexes do not.

The Linhai generator is tuned: after drawing institutions it computes the indicators with
the engine itself (:func:`tuoyu.engine.indicators.compute_indicators`) on
:data:`CHECK_DATES` and nudges classes, 普惠 designations and certificates until the
figures fall in the windows of :data:`LINHAI_WINDOWS` — some 2025 targets met, some not.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from auditlog.context import disable_auditlog
from django.db import connection, transaction
from django.db.models import Model, Q

from tuoyu.accounts.models import Role, User
from tuoyu.common import crypto
from tuoyu.common.identifiers import credit_code_check_char, resident_id_check_char
from tuoyu.engine import codes, geometry
from tuoyu.engine.indicators import (
    Certificates,
    Classes,
    Designations,
    Employments,
    Fees,
    IndicatorReport,
    Institutions,
    RegistrySnapshot,
    Targets,
    Townships,
    compute_indicators,
    date_array,
)
from tuoyu.indicators.loader import certification_rules
from tuoyu.indicators.models import CatalogItem, ServiceCatalog, TargetSet
from tuoyu.registry.models import (
    AgeBand,
    CareClass,
    Certificate,
    CertificateType,
    ChildPopulation,
    Dataset,
    Employment,
    Fee,
    FilingStatus,
    Form,
    IncomeScope,
    IncomeStat,
    Institution,
    Ownership,
    PuhuiDesignation,
    Staff,
    StaffRole,
    Township,
    TownshipKind,
    TownshipYear,
)

Day = dt.date
M = TypeVar("M", bound=Model)

DATA_AS_OF = dt.date(2026, 11, 29)
"""The data's "today": nothing in the datasets happens after it."""
HISTORY_START = dt.date(2023, 1, 1)
"""Filings, designations and fee history are recorded from here on."""
CHECK_DATES = (dt.date(2025, 12, 31), DATA_AS_OF)
"""The dates the Linhai dataset is tuned for."""
FEE_CHANGE = dt.date(2025, 9, 1)
"""The 2025 price change: every fee has a period before and one from this day."""
CATALOG_PUBLISHED = dt.date(2025, 6, 30)
LINHAI_SEED = 331082
LINHAI_REGION = "331082"
BATCH_SIZE = 5000

LINHAI_DATASET_NAME = "临海市示例数据（合成） / synthetic Linhai demo data"
PROVINCE_DATASET_NAME = "省级规模压力测试数据（合成） / synthetic province benchmark data"
CATALOG_TITLE = "临海市普惠托育基本公共服务目录清单（示例）"
SYNTHETIC_NOTE = "以上数据均为合成示例数据，不代表任何真实机构或个人 / all data above is synthetic."

LINHAI_WINDOWS: dict[str, tuple[float, float]] = {
    "slots_per_1000": (257.0, 271.0),
    "kindergarten_share": (0.670, 0.705),
    "puhui_share": (0.855, 0.880),
    "certified_share": (0.905, 0.935),
    "fee_ratio": (0.22, 0.29),
}
"""City-wide value windows the Linhai generator tunes for on every date of CHECK_DATES."""

INCOME_ALL = {2022: 59_860, 2023: 62_860, 2024: 66_000, 2025: 69_300}
"""全体居民人均可支配收入 (CNY a year), synthetic, ~5 % growth a year."""
INCOME_FACTORS = {IncomeScope.ALL: 1.0, IncomeScope.URBAN: 1.2, IncomeScope.RURAL: 0.7}

# The national rules (settings.TUOYU_STANDARDS holds the same defaults).
CHILDREN_PER_CAREGIVER = {"infant": 3, "toddler": 5, "older": 7, "mixed": 5}
MAX_CHILDREN = {"infant": 10, "toddler": 15, "older": 20, "mixed": 18}
FAMILY_CHILDREN_PER_CARER = 3

CLASS_LABELS = {"infant": "乳儿班", "toddler": "托小班", "older": "托大班", "mixed": "混龄班"}
FORM_NAMES = {
    "kindergarten": "示例幼儿园 №{n} 托班",
    "standalone": "示例托育园 №{n}",
    "community": "示例社区托育点 №{n}",
    "employer": "示例企业托育室 №{n}",
    "family": "示例家庭托育点 №{n}",
}
CERT_ABBREVIATIONS = {
    "baoyushi": "BYS",
    "yuyingyuan": "YYY",
    "childcare_1x": "1X",
    "teacher_qualification": "JSZ",
    "health_care_training": "BJPX",
    "health": "JKZ",
}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许"
    "韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程苏魏吕丁任沈姚卢金应"
)
DEMO_PASSWORDS = {
    "admin": "tuoyu-demo-admin",
    "township": "tuoyu-demo-township",
    "operator": "tuoyu-demo-operator",
    "public": "tuoyu-demo-public",
}
"""Documented demo passwords; they are public, so never use the demo accounts in production."""


class RegistryNotEmptyError(RuntimeError):
    """The registry already holds data; clear it first (``--reset``)."""


# --------------------------------------------------------------------------------------
# Public results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    dataset: str
    seed: int
    townships: int
    institutions: int
    designations: int
    classes: int
    fees: int
    staff: int
    employments: int
    certificates: int
    seconds: float

    def lines(self) -> list[str]:
        return [
            f"数据集 / dataset: {self.dataset} (seed {self.seed})",
            f"镇（街道） townships: {self.townships}",
            f"托育机构 institutions: {self.institutions}  普惠认定 designations: {self.designations}",
            f"班级 classes: {self.classes}  收费标准 fees: {self.fees}",
            f"从业人员 staff: {self.staff}  任职 employments: {self.employments}  "
            f"证书 certificates: {self.certificates}",
            f"用时 / built in {self.seconds:.1f} s",
        ]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    scope: str


# --------------------------------------------------------------------------------------
# Identifiers and small helpers
# --------------------------------------------------------------------------------------


def _org_code(prefix: str, number: int) -> str:
    """A 9-character organisation code (GB 11714) with its own check character."""
    body = f"{prefix}{number:0{8 - len(prefix)}d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(registrar: str, region: str, prefix: str, number: int) -> str:
    """A synthetic 统一社会信用代码 valid by GB 32100: registrar and kind (e.g. ``"12"``
    事业单位, ``"52"`` 民办非企业单位, ``"91"`` 企业, ``"92"`` 个体工商户), a six-digit region,
    and an organisation code ``prefix + number``."""
    first17 = registrar + region + _org_code(prefix, number)
    return first17 + credit_code_check_char(first17)


def resident_id(region: str, birth: Day, sequence: int) -> str:
    """A synthetic 居民身份证号码 valid by GB 11643 (odd sequence: male, even: female)."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + resident_id_check_char(first17)


def _registrar(form: str, ownership: str) -> str:
    if ownership == Ownership.PUBLIC:
        return "12"
    return {"kindergarten": "52", "community": "52", "family": "92"}.get(form, "91")


def _days(day: Day, n: int | np.integer[Any]) -> Day:
    return day + dt.timedelta(days=int(n))


def _years_later(day: Day, years: int) -> Day:
    """The day before the same date ``years`` later: the last day of a term of that length."""
    try:
        end = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        end = day.replace(year=day.year + years, day=28)
    return end - dt.timedelta(days=1)


def _rand_day(rng: np.random.Generator, start: Day, end: Day) -> Day:
    """A uniformly drawn day in ``start..end`` inclusive."""
    return _days(start, rng.integers(0, (end - start).days + 1))


def _round10(value: float) -> int:
    return round(value / 10.0) * 10


def _batched(items: Sequence[M], size: int = BATCH_SIZE) -> Iterator[Sequence[M]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _create(model: type[M], objects: Sequence[M]) -> list[M]:
    """bulk_create in batches; the objects get their primary keys."""
    for batch in _batched(objects):
        model._default_manager.bulk_create(batch, batch_size=BATCH_SIZE)
    return list(objects)


def _dates(values: Iterable[Day | None]) -> np.ndarray:
    return date_array(list(values))


def _inside(poly: np.ndarray, lon: float, lat: float) -> bool:
    """Whether a point is inside a counter-clockwise convex polygon."""
    a = poly
    b = np.roll(poly, -1, axis=0)
    cross = (b[:, 0] - a[:, 0]) * (lat - a[:, 1]) - (b[:, 1] - a[:, 1]) * (lon - a[:, 0])
    return bool(np.all(cross >= 0))


# --------------------------------------------------------------------------------------
# Linhai: the facts of linhai.md and the demo's choices for each township
# --------------------------------------------------------------------------------------


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

BIRTH_RATE_2021 = 0.00755
"""Births per resident in 2021 (synthetic); births then fall 4 % a year."""
BIRTH_DECLINE = 0.96
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


# --------------------------------------------------------------------------------------
# The Linhai plan: plain records, tuned in memory, then written in one transaction
# --------------------------------------------------------------------------------------


@dataclass
class _Town:
    fact: TownshipFact
    code: str
    cell: np.ndarray
    population: dict[int, int] = field(default_factory=dict)
    births: dict[int, int] = field(default_factory=dict)
    children: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def profile(self) -> Profile:
        return PROFILES[self.fact.profile]


@dataclass
class _Inst:
    town: int
    form: str
    ownership: str
    status: str
    opened_on: Day | None
    filed_on: Day | None
    closed_on: Day | None = None
    name: str = ""
    latitude: float = 0.0
    longitude: float = 0.0
    is_demonstration: bool = False
    is_service_centre: bool = False
    fixed: bool = False  # a hand-placed case the tuning leaves alone


@dataclass
class _Class:
    inst: int
    class_type: str
    slots: int
    enrolled: int
    caregivers: int
    opened_on: Day | None
    closed_on: Day | None = None
    name: str = ""
    fixed: bool = False


@dataclass
class _Designation:
    inst: int
    valid_from: Day
    valid_to: Day | None
    document: str = ""


@dataclass
class _Fee:
    inst: int
    class_type: str
    full: int
    half: int
    effective_from: Day
    effective_to: Day | None


@dataclass
class _Person:
    name: str
    id_number: str
    profile: str = "ok"


@dataclass
class _Job:
    person: int
    inst: int
    role: str
    start: Day
    end: Day | None


@dataclass
class _Cert:
    person: int
    cert_type: str
    number: str
    issued_on: Day
    expires_on: Day | None


class _LinhaiPlan:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.towns: list[_Town] = []
        self.insts: list[_Inst] = []
        self.classes: list[_Class] = []
        self.designations: list[_Designation] = []
        self.fees: list[_Fee] = []
        self.persons: list[_Person] = []
        self.jobs: list[_Job] = []
        self.certs: list[_Cert] = []
        self.form_counter: dict[str, int] = dict.fromkeys(FORM_NAMES, 0)
        self.id_numbers: set[str] = set()
        self.targets = Targets()
        self.rules = certification_rules()

    # ---- townships and population ----------------------------------------------------

    def build_townships(self) -> None:
        points = np.array([(t.longitude, t.latitude) for t in LINHAI_TOWNSHIPS])
        outline = geometry.approximate_outline(points, margin=0.06)
        cells = geometry.voronoi_cells(points, outline)
        street = town = 0
        for fact, cell in zip(LINHAI_TOWNSHIPS, cells, strict=True):
            if fact.kind == TownshipKind.SUBDISTRICT:
                street += 1
                number = street
            else:
                town += 1
                number = 100 + town
            self.towns.append(_Town(fact, f"{LINHAI_REGION}{number:03d}000", cell))

    def build_population(self) -> None:
        rng = self.rng
        for t in self.towns:
            p = t.profile
            level = rng.normal(1.0, 0.01)
            for year in range(2021, 2027):
                people = t.fact.weight * 1000 * level * (1 + p.growth) ** (year - 2020)
                t.population[year] = round(people)
                rate = BIRTH_RATE_2021 * BIRTH_DECLINE ** (year - 2021) * rng.normal(1.0, 0.03)
                t.births[year] = round(people * rate)
            for year in range(2023, 2027):
                stay = p.migration * rng.normal(1.0, 0.01)
                this, last, before = t.births[year], t.births[year - 1], t.births[year - 2]
                t.children[year] = {
                    AgeBand.M0_6: round(0.5 * this * stay),
                    AgeBand.M6_12: round(0.5 * this * stay * 0.995),
                    AgeBand.M12_18: round(0.5 * last * stay * 0.99),
                    AgeBand.M18_24: round(0.5 * last * stay * 0.985),
                    AgeBand.M24_36: round(before * stay * 0.98),
                }

    def under_3(self, town: int, year: int) -> int:
        return sum(self.towns[town].children[year].values())

    # ---- institutions and classes -----------------------------------------------------

    def place(self, town: int) -> tuple[float, float]:
        t = self.towns[town]
        spread = t.profile.spread
        for _ in range(30):
            lon = t.fact.longitude + self.rng.normal(0, spread)
            lat = t.fact.latitude + self.rng.normal(0, spread * 0.8)
            if _inside(t.cell, lon, lat):
                return round(lat, 5), round(lon, 5)
        return t.fact.latitude, t.fact.longitude

    def new_inst(
        self,
        town: int,
        form: str,
        *,
        ownership: str,
        status: str = FilingStatus.FILED,
        opened_on: Day | None,
        filed_on: Day | None,
        closed_on: Day | None = None,
        name: str | None = None,
        fixed: bool = False,
    ) -> int:
        self.form_counter[form] += 1
        lat, lon = self.place(town)
        self.insts.append(
            _Inst(
                town=town,
                form=form,
                ownership=ownership,
                status=status,
                opened_on=opened_on,
                filed_on=filed_on,
                closed_on=closed_on,
                name=name or FORM_NAMES[form].format(n=self.form_counter[form]),
                latitude=lat,
                longitude=lon,
                fixed=fixed,
            )
        )
        return len(self.insts) - 1

    def add_class(
        self,
        inst: int,
        class_type: str,
        slots: int,
        *,
        opened_on: Day | None = None,
        closed_on: Day | None = None,
    ) -> int:
        i = self.insts[inst]
        low, high = self.towns[i.town].profile.enrolment
        enrolled = min(slots, max(1, round(slots * self.rng.uniform(low, high))))
        per = FAMILY_CHILDREN_PER_CARER if i.form == Form.FAMILY else CHILDREN_PER_CAREGIVER[class_type]
        same = sum(1 for c in self.classes if c.inst == inst and c.class_type == class_type)
        self.classes.append(
            _Class(
                inst=inst,
                class_type=class_type,
                slots=slots,
                enrolled=enrolled,
                caregivers=max(1, math.ceil(enrolled / per)),
                opened_on=opened_on or i.opened_on,
                closed_on=closed_on,
                name=f"{CLASS_LABELS[class_type]} {same + 1}",
            )
        )
        return len(self.classes) - 1

    def class_size(self, form: str, class_type: str) -> int:
        if form == Form.FAMILY:
            return int(self.rng.choice([4, 5, 5]))
        if form == Form.KINDERGARTEN:
            sizes = {
                "older": (18, 20, 20, 20),
                "mixed": (15, 18, 18),
                "toddler": (12, 15, 15),
                "infant": (10,),
            }
        else:
            sizes = {"infant": (8, 10, 10), "toddler": (12, 15, 15), "older": (15, 18, 20), "mixed": (15, 18)}
        return int(self.rng.choice(sizes[class_type]))

    def class_types(self, form: str, town: int) -> list[str]:
        """The class types of a new institution of ``form``."""
        rng = self.rng
        p = self.towns[town].profile
        if form == Form.KINDERGARTEN:
            n = 1 + int(rng.choice(4, p=p.kg_classes))
            dense = self.towns[town].fact.profile in ("dense", "suburb")
            choices, weights = (
                ["older", "mixed", "toddler"],
                [0.78, 0.10, 0.12] if dense else [0.78, 0.22, 0.0],
            )
            return [str(rng.choice(choices, p=weights)) for _ in range(n)]
        if form == Form.STANDALONE:
            n = int(rng.choice([3, 4, 5, 6], p=[0.3, 0.35, 0.25, 0.1]))
            types = ["infant" if rng.random() < 0.7 else "toddler", "toddler", "older"]
            types += [
                str(rng.choice(["older", "toddler", "mixed"], p=[0.5, 0.35, 0.15])) for _ in range(n - 3)
            ]
            return types
        if form == Form.COMMUNITY:
            return ["toddler", "older"] + (
                ["mixed" if rng.random() < 0.4 else "older"] if rng.random() < 0.45 else []
            )
        if form == Form.EMPLOYER:
            n = int(rng.choice([1, 2, 3], p=[0.25, 0.5, 0.25]))
            return ["older", "toddler", "infant"][:n]
        return ["mixed"]

    def opening(self, form: str) -> tuple[Day, Day]:
        """Opening and filing dates of an institution counted on 2025-12-31."""
        rng = self.rng
        year = int(rng.choice(range(2020, 2026), p=[0.07, 0.09, 0.14, 0.24, 0.27, 0.19]))
        if form == Form.KINDERGARTEN:
            opened = _days(dt.date(year, 9, 1), rng.integers(0, 10))
        else:
            opened = _rand_day(rng, dt.date(year, 1, 5), dt.date(year, 10, 31))
        if opened < HISTORY_START:
            filed = _rand_day(rng, dt.date(2023, 2, 1), dt.date(2024, 6, 30))
        else:
            filed = min(_days(opened, rng.integers(7, 150)), dt.date(2025, 12, 20))
        return opened, filed

    def draw_institution(self, town: int, form: str, ownership: str) -> tuple[int, int]:
        """A filed institution counted on 2025-12-31 with its classes; returns it and its slots."""
        opened, filed = self.opening(form)
        inst = self.new_inst(town, form, ownership=ownership, opened_on=opened, filed_on=filed)
        total = 0
        for k, class_type in enumerate(self.class_types(form, town)):
            class_opened = opened
            if k > 0 and self.rng.random() < 0.3 and opened.year < 2025:
                class_opened = dt.date(opened.year + 1, 9, 1)
            size = self.class_size(form, class_type)
            self.add_class(inst, class_type, size, opened_on=class_opened)
            total += size
        return inst, total

    def ownership_for(self, town: int, form: str) -> str:
        share = self.towns[town].profile.kg_public if form == Form.KINDERGARTEN else PUBLIC_SHARE[form]
        return Ownership.PUBLIC if self.rng.random() < share else Ownership.PRIVATE

    def build_institutions(self) -> None:
        """Fill each township's slot budget, then add the hand-placed cases."""
        children = np.array([self.under_3(i, 2025) for i in range(len(self.towns))], dtype=float)
        coverage = np.array([t.fact.coverage for t in self.towns])
        budgets = coverage * children * SLOTS_PER_1000_PLAN / 1000.0
        budgets *= SLOTS_PER_1000_PLAN * children.sum() / 1000.0 / budgets.sum()
        centre_town = self.town_index("大洋街道")
        centre_slots = self.add_service_centre(centre_town)
        for town, budget in enumerate(budgets):
            if budget <= 0:
                continue
            p = self.towns[town].profile
            kg_budget = budget * p.kg_share
            done = 0
            while kg_budget - done >= 10:
                _inst, slots = self.draw_institution(
                    town, Form.KINDERGARTEN, self.ownership_for(town, Form.KINDERGARTEN)
                )
                done += slots
            other = budget - done - (centre_slots if town == centre_town else 0)
            typical = {"standalone": 55, "community": 40, "employer": 33, "family": 5}
            for form, share in p.form_mix.items():
                form_budget, done = other * share, 0
                while form_budget - done >= typical[form] / 2:
                    _inst, slots = self.draw_institution(town, form, self.ownership_for(town, form))
                    done += slots
        self.add_special_cases()

    def town_index(self, name: str) -> int:
        return next(i for i, t in enumerate(self.towns) if t.fact.name == name)

    def add_service_centre(self, town: int) -> int:
        inst = self.new_inst(
            town,
            Form.STANDALONE,
            ownership=Ownership.PUBLIC,
            opened_on=dt.date(2023, 6, 1),
            filed_on=dt.date(2023, 6, 20),
            name="临海市示例托育综合服务中心",
            fixed=True,
        )
        self.insts[inst].is_service_centre = True
        self.insts[inst].is_demonstration = True
        for class_type, slots in (("infant", 10), ("toddler", 15), ("older", 20)):
            self.add_class(inst, class_type, slots)
        return 45

    def pick(self, candidates: list[int]) -> int | None:
        return int(self.rng.choice(candidates)) if candidates else None

    def counted_on(self, inst: _Inst, day: Day) -> bool:
        return (
            inst.status == FilingStatus.FILED
            and inst.filed_on is not None
            and inst.filed_on <= day
            and (inst.opened_on is None or inst.opened_on <= day)
            and (inst.closed_on is None or day < inst.closed_on)
        )

    def add_special_cases(self) -> None:
        """Closures, openings, pending and unfiled institutions, rule breakers."""
        town = self.town_index
        pub, pri = Ownership.PUBLIC, Ownership.PRIVATE

        def special(
            name: str,
            form: str,
            ownership: str,
            status: str,
            opened: Day,
            filed: Day | None,
            closed: Day | None,
            types: Sequence[str],
        ) -> int:
            inst = self.new_inst(
                town(name),
                form,
                ownership=ownership,
                status=status,
                opened_on=opened,
                filed_on=filed,
                closed_on=closed,
                fixed=True,
            )
            for class_type in types:
                self.add_class(inst, class_type, self.class_size(form, class_type))
            return inst

        # History: counted in 2023 or 2024, closed before 2025-12-31.
        special(
            "大洋街道",
            Form.STANDALONE,
            pri,
            FilingStatus.FILED,
            dt.date(2021, 3, 1),
            dt.date(2023, 4, 10),
            dt.date(2024, 7, 1),
            ["infant", "toddler", "older", "older"],
        )
        special(
            "杜桥镇",
            Form.COMMUNITY,
            pri,
            FilingStatus.FILED,
            dt.date(2022, 9, 1),
            dt.date(2023, 2, 15),
            dt.date(2025, 3, 1),
            ["toddler", "older"],
        )
        special(
            "沿江镇",
            Form.FAMILY,
            pri,
            FilingStatus.REVOKED,
            dt.date(2023, 5, 1),
            dt.date(2023, 8, 1),
            dt.date(2025, 1, 1),
            ["mixed"],
        )
        special(
            "括苍镇",
            Form.KINDERGARTEN,
            pub,
            FilingStatus.FILED,
            dt.date(2021, 9, 1),
            dt.date(2023, 3, 1),
            dt.date(2024, 7, 1),
            ["mixed"],
        )
        # Opened or filed in 2026: count on the data's "today" only.
        special(
            "江南街道",
            Form.KINDERGARTEN,
            pub,
            FilingStatus.FILED,
            dt.date(2026, 9, 1),
            dt.date(2026, 8, 20),
            None,
            ["older", "toddler"],
        )
        special(
            "大田街道",
            Form.COMMUNITY,
            pub,
            FilingStatus.FILED,
            dt.date(2026, 4, 1),
            dt.date(2026, 4, 20),
            None,
            ["toddler", "older"],
        )
        special(
            "杜桥镇",
            Form.FAMILY,
            pri,
            FilingStatus.FILED,
            dt.date(2026, 5, 10),
            dt.date(2026, 6, 1),
            None,
            ["mixed"],
        )
        special(
            "邵家渡街道",
            Form.STANDALONE,
            pri,
            FilingStatus.FILED,
            dt.date(2025, 9, 1),
            dt.date(2026, 2, 10),
            None,
            ["infant", "toddler", "older"],
        )
        # Operating but not (yet) filed: never counted.
        special(
            "江南街道",
            Form.STANDALONE,
            pri,
            FilingStatus.PENDING,
            dt.date(2025, 10, 8),
            None,
            None,
            ["infant", "toddler", "older"],
        )
        special("河头镇", Form.FAMILY, pri, FilingStatus.PENDING, dt.date(2026, 3, 1), None, None, ["mixed"])
        special(
            "东塍镇",
            Form.COMMUNITY,
            pri,
            FilingStatus.PENDING,
            dt.date(2026, 9, 1),
            None,
            None,
            ["toddler", "older"],
        )
        special(
            "上盘镇", Form.FAMILY, pri, FilingStatus.NOT_FILED, dt.date(2024, 5, 1), None, None, ["mixed"]
        )
        special(
            "小芝镇", Form.FAMILY, pri, FilingStatus.NOT_FILED, dt.date(2025, 3, 1), None, None, ["mixed"]
        )
        special(
            "杜桥镇",
            Form.STANDALONE,
            pri,
            FilingStatus.NOT_FILED,
            dt.date(2025, 11, 1),
            None,
            None,
            ["toddler", "older"],
        )

        # Closures during 2026 of institutions counted on 2025-12-31.
        day = CHECK_DATES[0]
        for name, form, closed in (
            ("古城街道", Form.STANDALONE, dt.date(2026, 3, 1)),
            ("东塍镇", Form.FAMILY, dt.date(2026, 6, 1)),
            ("白水洋镇", Form.COMMUNITY, dt.date(2026, 8, 1)),
        ):
            chosen = self.pick(
                [
                    k
                    for k, i in enumerate(self.insts)
                    if i.town == town(name) and i.form == form and not i.fixed and self.counted_on(i, day)
                ]
            )
            if chosen is not None:
                self.insts[chosen].closed_on = closed
                self.insts[chosen].fixed = True

        # A family point with 6 children (the limit is 5).
        family = self.pick(
            [
                k
                for k, i in enumerate(self.insts)
                if i.form == Form.FAMILY and not i.fixed and self.counted_on(i, day)
            ]
        )
        if family is not None:
            self.insts[family].fixed = True
            for c in self.classes:
                if c.inst == family:
                    c.slots = c.enrolled = 6
                    c.caregivers = 2
                    c.fixed = True

        # Classes over the size limit, and classes short of caregivers.
        candidates = [
            k
            for k, c in enumerate(self.classes)
            if self.insts[c.inst].form != Form.FAMILY
            and not self.insts[c.inst].fixed
            and self.counted_on(self.insts[c.inst], day)
            and c.class_type in ("older", "toddler")
        ]
        chosen_classes = self.rng.choice(candidates, size=min(6, len(candidates)), replace=False)
        for n, k in enumerate(sorted(int(v) for v in chosen_classes)):
            c = self.classes[k]
            c.fixed = True
            if n % 2 == 0:  # too many children
                c.slots = MAX_CHILDREN[c.class_type] + int(self.rng.integers(2, 5))
                c.enrolled = c.slots - int(self.rng.integers(0, 2))
                c.caregivers = math.ceil(c.enrolled / CHILDREN_PER_CAREGIVER[c.class_type])
            else:  # too few caregivers
                c.enrolled = c.slots
                c.caregivers = max(1, math.ceil(c.enrolled / CHILDREN_PER_CAREGIVER[c.class_type]) - 1)

        # Demonstration institutions (the service centre is one already).
        for name, form in (
            ("古城街道", Form.COMMUNITY),
            ("江南街道", Form.STANDALONE),
            ("大洋街道", Form.KINDERGARTEN),
        ):
            demo = next(
                (
                    i
                    for i in self.insts
                    if i.town == town(name) and i.form == form and not i.fixed and self.counted_on(i, day)
                ),
                None,
            )
            if demo is not None:
                demo.is_demonstration = True

    # ---- 普惠 designations ------------------------------------------------------------

    def add_designation_periods(self, inst: int, start: Day, *, renew: bool) -> None:
        number = len(self.designations) + 1
        end = _years_later(start, 3)
        self.designations.append(_Designation(inst, start, end, f"临卫健〔{start.year}〕示例 {number} 号"))
        if end < DATA_AS_OF and renew:
            again = _days(end, 1)
            self.designations.append(
                _Designation(
                    inst, again, _years_later(again, 3), f"临卫健〔{again.year}〕示例 {number + 1} 号"
                )
            )

    def build_designations(self) -> None:
        rng = self.rng
        for form, share in PRIVATE_DESIGNATED.items():
            private = [
                k
                for k, i in enumerate(self.insts)
                if i.form == form
                and i.ownership == Ownership.PRIVATE
                and i.status == FilingStatus.FILED
                and i.filed_on is not None
            ]
            order = rng.permutation(len(private))
            chosen = sorted(private[int(j)] for j in order[: round(share * len(private))])
            for k in chosen:
                inst = self.insts[k]
                assert inst.filed_on is not None
                base = max(inst.filed_on, dt.date(2023, 3, 1))
                latest = max(base, dt.date(2025, 11, 30)) if inst.filed_on <= CHECK_DATES[0] else DATA_AS_OF
                start = min(_days(base, rng.integers(20, 240)), latest)
                self.add_designation_periods(k, start, renew=rng.random() < 0.85)
        # One designation that expired in mid-2025 and was not renewed.
        lapsing = next(
            (
                d
                for d in self.designations
                if self.insts[d.inst].form == Form.STANDALONE
                and not self.insts[d.inst].fixed
                and d.valid_from < dt.date(2024, 1, 1)
                and self.counted_on(self.insts[d.inst], CHECK_DATES[0])
            ),
            None,
        )
        if lapsing is not None:
            self.designations = [d for d in self.designations if d.inst != lapsing.inst]
            self.designations.append(
                _Designation(lapsing.inst, lapsing.valid_from, dt.date(2025, 6, 30), lapsing.document)
            )
            self.insts[lapsing.inst].fixed = True

    # ---- fees -------------------------------------------------------------------------

    def build_fees(self) -> None:
        rng = self.rng
        designated = {d.inst for d in self.designations}
        factor = {"infant": 1.15, "toddler": 1.08, "older": 1.0, "mixed": 1.04}
        for k, inst in enumerate(self.insts):
            types = sorted({c.class_type for c in self.classes if c.inst == k}, key=codes.CLASS_TYPES.index)
            if not types or inst.opened_on is None:
                continue
            if inst.ownership == Ownership.PUBLIC:
                base, low, high, rise = rng.uniform(1200, 1450), 1200, 1650, rng.choice([0.0, 0.03])
            elif k in designated:
                base, low, high, rise = rng.uniform(1600, 2000), 1500, 2200, rng.uniform(0.02, 0.06)
            elif inst.form == Form.FAMILY:
                base, low, high, rise = rng.uniform(2500, 3000), 2500, 3300, rng.uniform(0.02, 0.05)
            else:
                base, low, high, rise = rng.uniform(2700, 4400), 2500, 5000, rng.uniform(0.02, 0.06)
            for class_type in types:
                before = min(max(_round10(base * factor[class_type]), low), high)
                after = min(_round10(before * (1 + rise)), high)
                if inst.opened_on < FEE_CHANGE:
                    self.fees.append(
                        _Fee(
                            k,
                            class_type,
                            before,
                            _round10(before * 0.6),
                            inst.opened_on,
                            _days(FEE_CHANGE, -1),
                        )
                    )
                    self.fees.append(_Fee(k, class_type, after, _round10(after * 0.6), FEE_CHANGE, None))
                else:
                    self.fees.append(_Fee(k, class_type, after, _round10(after * 0.6), inst.opened_on, None))

    # ---- staff ------------------------------------------------------------------------

    def new_person(self, role: str, start: Day) -> int:
        rng = self.rng
        number = len(self.persons) + 1
        surname = SURNAMES[int(rng.integers(0, len(SURNAMES)))]
        low, high = (30, 55) if role == StaffRole.DIRECTOR else (20, 50)
        age = int(rng.integers(low, high))
        female = rng.random() < (0.75 if role in (StaffRole.DIRECTOR, StaffRole.SUPPORT) else 0.95)
        while True:
            birth = _days(dt.date(start.year - age, 1, 1), rng.integers(0, 365))
            sequence = int(rng.integers(0, 500)) * 2 + (0 if female else 1)
            number_id = resident_id(LINHAI_REGION, birth, sequence)
            if number_id not in self.id_numbers:
                break
        self.id_numbers.add(number_id)
        self.persons.append(_Person(f"{surname}某 {number:03d}", number_id))
        return number - 1

    def build_staff(self) -> None:
        """Posts from the classes (caregivers), plus directors and health staff; some
        holders leave, some of those change jobs to another institution."""
        rng = self.rng
        posts: list[tuple[int, str, Day, Day | None]] = []  # institution, role, first day, last day
        for k, inst in enumerate(self.insts):
            own = [c for c in self.classes if c.inst == k]
            if not own or inst.opened_on is None:
                continue
            last = _days(inst.closed_on, -1) if inst.closed_on else None
            if inst.form not in (Form.KINDERGARTEN, Form.FAMILY):
                posts.append((k, StaffRole.DIRECTOR, _days(inst.opened_on, -int(rng.integers(0, 30))), last))
            big = 4 if inst.form == Form.KINDERGARTEN else 3
            if inst.form == Form.STANDALONE or (inst.form != Form.FAMILY and len(own) >= big):
                posts.append((k, StaffRole.HEALTH, _days(inst.opened_on, int(rng.integers(0, 20))), last))
            if inst.form == Form.STANDALONE and len(own) >= 5:
                posts.append((k, StaffRole.SUPPORT, inst.opened_on, last))
            for c in own:
                assert c.opened_on is not None
                end = last
                if c.closed_on is not None:
                    end = min(_days(c.closed_on, -1), last) if last else _days(c.closed_on, -1)
                for n in range(c.caregivers):
                    kind = (
                        StaffRole.TEACHER
                        if inst.form == Form.KINDERGARTEN and n == 0
                        else StaffRole.CAREGIVER
                    )
                    posts.append((k, kind, _days(c.opened_on, -int(rng.integers(0, 15))), end))
        movers: list[tuple[Day, int]] = []  # (free from, person)
        for post_inst, role, start, end in posts:
            holder = self.new_person(role, start)
            until = end or DATA_AS_OF
            span = (until - start).days
            if span > 400 and rng.random() < 0.10:
                leaves = _days(start, rng.integers(180, span - 30))
                self.jobs.append(_Job(holder, post_inst, role, start, leaves))
                if rng.random() < 0.4:
                    movers.append((_days(leaves, 1), holder))
                begins = _days(leaves, rng.integers(7, 60))
                if begins <= until:
                    mover = next((m for m in movers if m[0] <= begins and m[1] != holder), None)
                    if mover is not None and rng.random() < 0.6:
                        movers.remove(mover)
                        successor = mover[1]
                    else:
                        successor = self.new_person(role, begins)
                    self.jobs.append(_Job(successor, post_inst, role, begins, end))
            else:
                self.jobs.append(_Job(holder, post_inst, role, start, end))

    def build_certificates(self) -> None:
        rng = self.rng
        counted_roles = set(self.rules.qualifying)
        first_job: dict[int, _Job] = {}
        last_day: dict[int, Day] = {}
        for job in self.jobs:
            if job.person not in first_job or job.start < first_job[job.person].start:
                first_job[job.person] = job
            last_day[job.person] = max(last_day.get(job.person, dt.date.min), job.end or DATA_AS_OF)
        # Exact shares of each certification profile among childcare staff.
        childcare = [p for p in range(len(self.persons)) if first_job[p].role in counted_roles]
        order = [childcare[int(j)] for j in rng.permutation(len(childcare))]
        position = 0
        for profile, share in CERT_PROFILES:
            count = round(share * len(childcare))
            for p in order[position : position + count]:
                self.persons[p].profile = profile
            position += count
        for p, person in enumerate(self.persons):
            job = first_job[p]
            self.add_health_certificates(p, job.start, last_day[p])
            self.add_qualifications(p, job.role, job.start, person.profile)

    def cert_number(self, cert_type: str) -> str:
        return f"示例-{CERT_ABBREVIATIONS[cert_type]}-{len(self.certs) + 1:06d}"

    def add_health_certificates(self, person: int, start: Day, last: Day) -> None:
        """健康证: one a year; about 6 % of people let it lapse at some point."""
        issued = _days(start, -int(self.rng.integers(5, 40)))
        lapse = self.rng.random() < 0.06
        while issued <= last:
            expires = _years_later(issued, 1)
            self.certs.append(
                _Cert(person, CertificateType.HEALTH, self.cert_number("health"), issued, expires)
            )
            if lapse and self.rng.random() < 0.5 and expires < last:
                break
            issued = _days(expires, -int(self.rng.integers(0, 20)))

    def add_qualifications(self, person: int, role: str, start: Day, profile: str) -> None:
        rng = self.rng
        if role == StaffRole.SUPPORT:
            return
        types: list[str]
        if role == StaffRole.HEALTH:
            types = [CertificateType.HEALTH_CARE_TRAINING]
        elif role in (StaffRole.TEACHER, StaffRole.DIRECTOR):
            types = [CertificateType.TEACHER_QUALIFICATION]
            if rng.random() < 0.3:
                types.append(CertificateType.BAOYUSHI)
        else:
            first = str(rng.choice(["baoyushi", "yuyingyuan", "childcare_1x"], p=[0.6, 0.25, 0.15]))
            types = [first]
            if first != "baoyushi" and rng.random() < 0.2:
                types.append(CertificateType.BAOYUSHI)
        if profile == "missing":
            return
        if profile in ("expired", "expiring"):
            types = types[:1]
        for cert_type in types:
            issued = _days(start, -int(rng.integers(30, 1500)))
            expires: Day | None = None
            if profile == "expired":
                expires = _rand_day(rng, dt.date(2024, 3, 1), dt.date(2025, 11, 30))
                issued = min(issued, _days(expires, -400))
            elif profile == "expiring":
                expires = _rand_day(rng, dt.date(2026, 1, 15), dt.date(2026, 10, 31))
                issued = min(issued, _days(expires, -400))
            elif profile == "late":
                issued = _rand_day(rng, dt.date(2026, 1, 10), dt.date(2026, 10, 31))
            self.certs.append(_Cert(person, cert_type, self.cert_number(cert_type), issued, expires))

    # ---- the engine's view of the plan, and the tuning ---------------------------------

    def snapshot(self, day: Day) -> RegistrySnapshot:
        year = day.year
        child_year = min(max(year, 2023), 2026)
        pop_year = min(max(year, 2021), 2026)
        under_2 = set(codes.UNDER_2_AGE_BANDS)
        towns = Townships(
            ids=np.arange(1, len(self.towns) + 1, dtype=np.int64),
            children_under_3=np.array(
                [sum(t.children[child_year].values()) for t in self.towns], dtype=float
            ),
            children_under_2=np.array(
                [sum(v for b, v in t.children[child_year].items() if b in under_2) for t in self.towns],
                dtype=float,
            ),
            population=np.array([t.population[pop_year] for t in self.towns], dtype=float),
        )
        insts = self.insts
        institutions = Institutions(
            ids=np.arange(1, len(insts) + 1, dtype=np.int64),
            township_ids=np.array([i.town + 1 for i in insts], dtype=np.int64),
            form=np.array([codes.FORMS.index(i.form) for i in insts], dtype=np.int8),
            public=np.array([i.ownership == Ownership.PUBLIC for i in insts], dtype=bool),
            filed_on=_dates(i.filed_on if i.status == FilingStatus.FILED else None for i in insts),
            opened_on=_dates(i.opened_on for i in insts),
            closed_on=_dates(i.closed_on for i in insts),
        )
        designations = Designations(
            institution_ids=np.array([d.inst + 1 for d in self.designations], dtype=np.int64),
            valid_from=_dates(d.valid_from for d in self.designations),
            valid_to=_dates(d.valid_to for d in self.designations),
        )
        classes = Classes(
            ids=np.arange(1, len(self.classes) + 1, dtype=np.int64),
            institution_ids=np.array([c.inst + 1 for c in self.classes], dtype=np.int64),
            class_type=np.array([codes.CLASS_TYPES.index(c.class_type) for c in self.classes], dtype=np.int8),
            approved_slots=np.array([c.slots for c in self.classes], dtype=float),
            opened_on=_dates(c.opened_on for c in self.classes),
            closed_on=_dates(c.closed_on for c in self.classes),
        )
        fees = Fees(
            institution_ids=np.array([f.inst + 1 for f in self.fees], dtype=np.int64),
            class_type=np.array([codes.CLASS_TYPES.index(f.class_type) for f in self.fees], dtype=np.int8),
            full_day=np.array([f.full for f in self.fees], dtype=float),
            effective_from=_dates(f.effective_from for f in self.fees),
            effective_to=_dates(f.effective_to for f in self.fees),
        )
        employments = Employments(
            ids=np.arange(1, len(self.jobs) + 1, dtype=np.int64),
            staff_ids=np.array([j.person + 1 for j in self.jobs], dtype=np.int64),
            institution_ids=np.array([j.inst + 1 for j in self.jobs], dtype=np.int64),
            role=np.array([codes.STAFF_ROLES.index(j.role) for j in self.jobs], dtype=np.int8),
            start=_dates(j.start for j in self.jobs),
            end=_dates(j.end for j in self.jobs),
        )
        certificates = Certificates(
            staff_ids=np.array([c.person + 1 for c in self.certs], dtype=np.int64),
            cert_type=np.array(
                [codes.CERTIFICATE_TYPES.index(c.cert_type) for c in self.certs], dtype=np.int8
            ),
            issued_on=_dates(c.issued_on for c in self.certs),
            expires_on=_dates(c.expires_on for c in self.certs),
        )
        return RegistrySnapshot(
            townships=towns,
            institutions=institutions,
            designations=designations,
            classes=classes,
            fees=fees,
            employments=employments,
            certificates=certificates,
            annual_income_previous_year=float(INCOME_ALL[year - 1]) if year - 1 in INCOME_ALL else None,
            catalog_items_published=len(CATALOG_ITEMS) if day >= CATALOG_PUBLISHED else 0,
        )

    def report(self, day: Day) -> IndicatorReport:
        return compute_indicators(
            self.snapshot(day), as_of=day, targets=self.targets, certification=self.rules
        )

    def value(self, report: IndicatorReport, code: str) -> float:
        figure_value = report.city[code].value
        return float("nan") if figure_value is None else float(figure_value)

    def open_classes(self, day: Day, *, kindergarten: bool | None, through: Day | None = None) -> list[int]:
        """Tunable classes counted on ``day`` (and still open on ``through``)."""
        out = []
        for k, c in enumerate(self.classes):
            inst = self.insts[c.inst]
            if c.fixed or inst.fixed or inst.form == Form.FAMILY or not self.counted_on(inst, day):
                continue
            if kindergarten is not None and (inst.form == Form.KINDERGARTEN) != kindergarten:
                continue
            if c.opened_on is not None and c.opened_on > day:
                continue
            last = through or day
            if c.closed_on is not None and c.closed_on <= last:
                continue
            if inst.closed_on is not None and inst.closed_on <= last:
                continue
            if sum(1 for o in self.classes if o.inst == c.inst) < 2:
                continue
            out.append(k)
        return out

    def change_slots(self, day: Day, *, more: bool, kindergarten: bool) -> bool:
        """One class more or less, of a kindergarten or not. On the first check date the
        change holds for every date; on a later one it starts after the first."""
        first = day == CHECK_DATES[0]
        if more:
            insts = [
                k
                for k, i in enumerate(self.insts)
                if not i.fixed
                and (i.form == Form.KINDERGARTEN) == kindergarten
                and i.form != Form.FAMILY
                and self.counted_on(i, CHECK_DATES[0])
                and self.counted_on(i, DATA_AS_OF)
            ]
            inst = self.pick(insts)
            if inst is None:
                return False
            class_type = "older" if kindergarten else str(self.rng.choice(["toddler", "older"]))
            opened = dt.date(2025, 9, 1) if first else dt.date(2026, 9, 1)
            self.add_class(
                inst, class_type, self.class_size(self.insts[inst].form, class_type), opened_on=opened
            )
            return True
        chosen = self.pick(self.open_classes(CHECK_DATES[0], kindergarten=kindergarten, through=DATA_AS_OF))
        if chosen is None:
            return False
        if first:
            self.classes.pop(chosen)
        else:
            self.classes[chosen].closed_on = dt.date(2026, 7, 1)
        return True

    def change_puhui(self, day: Day, *, more: bool) -> bool:
        first = day == CHECK_DATES[0]
        private = [
            k
            for k, i in enumerate(self.insts)
            if i.ownership == Ownership.PRIVATE
            and not i.fixed
            and i.form != Form.FAMILY
            and self.counted_on(i, CHECK_DATES[0])
            and self.counted_on(i, DATA_AS_OF)
        ]
        covered = {
            d.inst
            for d in self.designations
            if d.valid_from <= day and (d.valid_to is None or day <= d.valid_to)
        }
        if more:
            inst = self.pick([k for k in private if k not in covered])
            if inst is None:
                return False
            filed = self.insts[inst].filed_on
            assert filed is not None
            start = max(_days(filed, 30), dt.date(2024, 1, 1)) if first else dt.date(2026, 1, 1)
            start = min(start, day)
            self.designations = [
                d
                for d in self.designations
                if d.inst != inst or (d.valid_to is not None and d.valid_to < start)
            ]
            self.add_designation_periods(inst, start, renew=True)
            return True
        inst = self.pick([k for k in private if k in covered])
        if inst is None:
            return False
        if first:
            self.designations = [d for d in self.designations if d.inst != inst]
        else:
            kept = [d for d in self.designations if d.inst == inst and d.valid_from < dt.date(2026, 1, 1)]
            self.designations = [d for d in self.designations if d.inst != inst]
            for d in kept:
                if d.valid_to is None or d.valid_to > dt.date(2026, 3, 31):
                    d.valid_to = dt.date(2026, 3, 31)
                self.designations.append(d)
        return True

    def tune_supply(self) -> None:
        """Nudge classes and designations until slots, 托幼一体 and 普惠 shares are in their windows."""
        slots_lo, slots_hi = LINHAI_WINDOWS["slots_per_1000"]
        kg_lo, kg_hi = LINHAI_WINDOWS["kindergarten_share"]
        kg_mid = (kg_lo + kg_hi) / 2
        ph_lo, ph_hi = LINHAI_WINDOWS["puhui_share"]
        for _step in range(600):
            done = True
            for day in CHECK_DATES:
                report = self.report(day)
                slots = self.value(report, "slots_per_1000")
                kg = self.value(report, "kindergarten_share")
                puhui = self.value(report, "puhui_share")
                if slots > slots_hi:
                    done = False
                    self.change_slots(day, more=False, kindergarten=kg > kg_mid)
                elif slots < slots_lo:
                    done = False
                    self.change_slots(day, more=True, kindergarten=kg < kg_mid)
                elif kg < kg_lo or kg > kg_hi:
                    done = False
                    low = kg < kg_lo
                    above_mid = slots > (slots_lo + slots_hi) / 2
                    # Raise the share by adding a kindergarten class or removing another one.
                    self.change_slots(day, more=not above_mid, kindergarten=low != above_mid)
                elif puhui < ph_lo or puhui > ph_hi:
                    done = False
                    self.change_puhui(day, more=puhui < ph_lo)
                if not done:
                    break
            if done:
                return
        raise RuntimeError(f"the Linhai generator could not be tuned with seed {self.seed}")

    def tune_certification(self) -> None:
        low, high = LINHAI_WINDOWS["certified_share"]
        childcare = {j.person for j in self.jobs if j.role in self.rules.qualifying}
        for _step in range(200):
            done = True
            for day in CHECK_DATES:
                share = self.value(self.report(day), "certified_share")
                if low <= share <= high:
                    continue
                done = False
                wanted, target = ("ok", "missing") if share > high else ("missing", "ok")
                people = [
                    p for p, person in enumerate(self.persons) if person.profile == wanted and p in childcare
                ]
                person = self.pick(people)
                if person is None:
                    break
                self.persons[person].profile = target
                role = next(j.role for j in self.jobs if j.person == person)
                start = min(j.start for j in self.jobs if j.person == person)
                self.certs = [
                    c for c in self.certs if c.person != person or c.cert_type == CertificateType.HEALTH
                ]
                self.add_qualifications(person, role, start, target)
                break
            if done:
                return
        raise RuntimeError(f"the Linhai certification rate could not be tuned with seed {self.seed}")

    def tune_fees(self) -> None:
        """Lower (or raise) the fees of one 普惠 民办 institution at a time until the fee
        ratio is inside its window with a little room."""
        low, high = LINHAI_WINDOWS["fee_ratio"]
        for _step in range(300):
            values = [self.value(self.report(day), "fee_ratio") for day in CHECK_DATES]
            if all(low + 0.01 <= v <= high - 0.01 for v in values):
                return
            lower = max(values) > high - 0.01
            designated = sorted({d.inst for d in self.designations})
            chosen = self.pick(
                [
                    k
                    for k in designated
                    if any(f.inst == k and (f.full > 1500 if lower else f.full < 2100) for f in self.fees)
                ]
            )
            if chosen is None:
                break
            for f in self.fees:
                if f.inst == chosen:
                    f.full = min(max(_round10(f.full * (0.93 if lower else 1.07)), 1200), 2200)
                    f.half = _round10(f.full * 0.6)
        raise RuntimeError(f"the Linhai fees could not be tuned with seed {self.seed}")

    def check(self) -> None:
        """Every window on every check date; fee ratio and catalog met."""
        for day in CHECK_DATES:
            report = self.report(day)
            for code, (low, high) in LINHAI_WINDOWS.items():
                value = self.value(report, code)
                if not low <= value <= high:
                    raise RuntimeError(
                        f"Linhai seed {self.seed}: {code} on {day} is {value:.4f}, outside {low}..{high}"
                    )

    def build(self) -> None:
        self.build_townships()
        self.build_population()
        self.build_institutions()
        self.build_designations()
        self.tune_supply()
        self.build_fees()
        self.tune_fees()
        self.build_staff()
        self.build_certificates()
        self.tune_certification()
        self.check()


# --------------------------------------------------------------------------------------
# Catalog and writing the Linhai plan
# --------------------------------------------------------------------------------------

CATALOG_ITEMS: tuple[dict[str, str], ...] = (
    {
        "service": "普惠托育服务",
        "eligibility": "本市 3 岁以下婴幼儿家庭",
        "content": "在备案普惠托育机构（含幼儿园托班）提供全日托、半日托、计时托服务",
        "standard": "普惠机构全日托月收费不高于上一年度全体居民人均可支配收入月均值的 30%",
        "department": "市卫生健康局、市发展和改革局、市教育局",
        "funding": "财政补助、用人单位支持与家庭合理分担",
    },
    {
        "service": "婴幼儿健康管理",
        "eligibility": "本市 0–3 岁婴幼儿",
        "content": "新生儿访视、8 次健康检查、生长发育监测、预防接种",
        "standard": "国家基本公共卫生服务规范（0–6 岁儿童健康管理）",
        "department": "市卫生健康局、各基层医疗卫生机构",
        "funding": "基本公共卫生服务经费",
    },
    {
        "service": "科学育儿指导",
        "eligibility": "3 岁以下婴幼儿家长及照护人",
        "content": "养育照护小组活动、家庭育儿指导、托育机构开放日",
        "standard": "每个镇（街道）每季度不少于 1 次养育照护小组活动",
        "department": "市卫生健康局、市妇幼保健院、市托育综合服务中心",
        "funding": "财政预算",
    },
    {
        "service": "医育结合服务",
        "eligibility": "备案托育机构及在托婴幼儿",
        "content": "基层医疗卫生机构与托育机构签约，提供卫生保健指导、健康检查、医育跟诊培训",
        "standard": "签约覆盖全部备案托育机构，每月至少巡诊 1 次",
        "department": "市卫生健康局、各基层医疗卫生机构",
        "funding": "基本公共卫生服务经费、财政补助",
    },
    {
        "service": "融合托育",
        "eligibility": "发育迟缓等有特殊需要的 3 岁以下婴幼儿",
        "content": "筛查转介、康复指导与融合托育服务",
        "standard": "符合条件的婴幼儿应托尽托",
        "department": "市卫生健康局、市残疾人联合会",
        "funding": "财政补助、残疾人事业经费",
    },
    {
        "service": "困境婴幼儿免费托",
        "eligibility": "低保、特困等困境家庭的 3 岁以下婴幼儿",
        "content": "在普惠托育机构免费或减免收费入托",
        "standard": "符合条件者申请即享",
        "department": "市民政局、市卫生健康局",
        "funding": "财政资金",
    },
)


def _write_linhai(plan: _LinhaiPlan) -> Dataset:
    dataset = Dataset.objects.create(
        name=LINHAI_DATASET_NAME,
        synthetic=True,
        seed=plan.seed,
        description=(
            "合成示例数据，仅供演示：镇（街道）名称与类型取自公开资料，位置与人口权重为近似值，"
            "边界为按位置划分的近似多边形（Voronoi），区划代码（331082xxx000）为示例编码；"
            "机构、人员、统一社会信用代码、身份证号码、收费与证书均为虚构。"
            f"数据截至 {DATA_AS_OF.isoformat()}，随机种子 {plan.seed}。\n"
            "Synthetic demo data: township names and kinds are public, positions and population "
            "weights approximate, boundaries approximate (Voronoi cells), township codes made up; "
            "every institution, person, credit code, ID number, fee and certificate is invented."
        ),
    )
    towns = _create(
        Township,
        [
            Township(
                code=t.code,
                name=t.fact.name,
                kind=t.fact.kind,
                latitude=t.fact.latitude,
                longitude=t.fact.longitude,
                boundary=geometry.polygon_to_geojson(t.cell),
                boundary_approximate=True,
            )
            for t in plan.towns
        ],
    )
    _create(
        TownshipYear,
        [
            TownshipYear(township=towns[i], year=year, births=t.births[year], population=t.population[year])
            for i, t in enumerate(plan.towns)
            for year in sorted(t.population)
        ],
    )
    _create(
        ChildPopulation,
        [
            ChildPopulation(township=towns[i], year=year, age_band=band, children=children)
            for i, t in enumerate(plan.towns)
            for year, bands in sorted(t.children.items())
            for band, children in bands.items()
        ],
    )
    _create(
        IncomeStat,
        [
            IncomeStat(year=year, scope=scope, amount=round(amount * INCOME_FACTORS[scope]))
            for year, amount in INCOME_ALL.items()
            for scope in (IncomeScope.ALL, IncomeScope.URBAN, IncomeScope.RURAL)
        ],
    )
    insts = _create(
        Institution,
        [
            Institution(
                credit_code=credit_code(_registrar(i.form, i.ownership), LINHAI_REGION, "DM", k + 1),
                name=i.name,
                ownership=i.ownership,
                form=i.form,
                filing_status=i.status,
                filed_on=i.filed_on,
                opened_on=i.opened_on,
                closed_on=i.closed_on,
                township=towns[i.town],
                address=f"临海市{plan.towns[i.town].fact.name}示例路 {k + 1} 号（示例地址）",
                latitude=i.latitude,
                longitude=i.longitude,
                is_demonstration=i.is_demonstration,
                is_service_centre=i.is_service_centre,
            )
            for k, i in enumerate(plan.insts)
        ],
    )
    _create(
        PuhuiDesignation,
        [
            PuhuiDesignation(
                institution=insts[d.inst], valid_from=d.valid_from, valid_to=d.valid_to, document=d.document
            )
            for d in sorted(plan.designations, key=lambda d: (d.inst, d.valid_from))
        ],
    )
    _create(
        CareClass,
        [
            CareClass(
                institution=insts[c.inst],
                name=c.name,
                class_type=c.class_type,
                approved_slots=c.slots,
                enrolled=c.enrolled,
                caregivers=c.caregivers,
                opened_on=c.opened_on,
                closed_on=c.closed_on,
            )
            for c in plan.classes
        ],
    )
    _create(
        Fee,
        [
            Fee(
                institution=insts[f.inst],
                class_type=f.class_type,
                full_day_monthly=f.full,
                half_day_monthly=f.half,
                effective_from=f.effective_from,
                effective_to=f.effective_to,
            )
            for f in plan.fees
        ],
    )
    staff = _create(Staff, [_staff(p.name, p.id_number) for p in plan.persons])
    _create(
        Employment,
        [
            Employment(
                staff=staff[j.person], institution=insts[j.inst], role=j.role, start=j.start, end=j.end
            )
            for j in plan.jobs
        ],
    )
    _create(
        Certificate,
        [
            Certificate(
                staff=staff[c.person],
                cert_type=c.cert_type,
                number=c.number,
                issued_on=c.issued_on,
                expires_on=c.expires_on,
            )
            for c in plan.certs
        ],
    )
    _ensure_targets_and_catalog()
    return dataset


def _staff(name: str, id_number: str) -> Staff:
    return Staff(
        name=name,
        id_number_ciphertext=crypto.encrypt(id_number, purpose=Staff.ID_PURPOSE),
        id_number_index=crypto.blind_index(id_number, purpose=Staff.ID_PURPOSE),
    )


def _ensure_targets_and_catalog() -> None:
    """Target sets for 2025 and 2026 (the defaults) and the demo catalog, unless present."""
    for year in (2025, 2026):
        TargetSet.objects.get_or_create(year=year)
    if not ServiceCatalog.objects.filter(title=CATALOG_TITLE).exists():
        catalog = ServiceCatalog.objects.create(title=CATALOG_TITLE, published_on=CATALOG_PUBLISHED)
        CatalogItem.objects.bulk_create([CatalogItem(catalog=catalog, **item) for item in CATALOG_ITEMS])


def _summary(dataset: Dataset, seconds: float) -> DemoSummary:
    return DemoSummary(
        dataset=dataset.name,
        seed=int(dataset.seed or 0),
        townships=Township.objects.count(),
        institutions=Institution.objects.count(),
        designations=PuhuiDesignation.objects.count(),
        classes=CareClass.objects.count(),
        fees=Fee.objects.count(),
        staff=Staff.objects.count(),
        employments=Employment.objects.count(),
        certificates=Certificate.objects.count(),
        seconds=seconds,
    )


def build_linhai(*, seed: int = LINHAI_SEED) -> DemoSummary:
    """Build the synthetic Linhai dataset into an empty registry, all or nothing.

    Raises :class:`RegistryNotEmptyError` when the registry already holds data.
    """
    started = time.perf_counter()
    if registry_has_data():
        raise RegistryNotEmptyError("the registry already holds data; clear it first (--reset)")
    plan = _LinhaiPlan(seed)
    plan.build()
    with transaction.atomic():
        dataset = _write_linhai(plan)
        return _summary(dataset, time.perf_counter() - started)


# --------------------------------------------------------------------------------------
# Province-scale benchmark data
# --------------------------------------------------------------------------------------


def _np_dates(start: Day, offsets: np.ndarray) -> np.ndarray:
    return np.datetime64(start, "D") + offsets.astype("timedelta64[D]")


def _py_date(value: np.datetime64) -> Day | None:
    if np.isnat(value):
        return None
    return value.astype("datetime64[D]").astype(dt.date)  # type: ignore[no-any-return]


def build_province(
    *,
    seed: int,
    townships: int = 1500,
    institutions: int = 12000,
    classes: int = 40000,
    staff: int = 100000,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """A synthetic province-size registry for benchmarks, all or nothing.

    Townships sit on a grid over Zhejiang (no boundaries), 50 to a synthetic county
    (codes ``339ccc ttt 000``, not real). Every table of the Linhai dataset is filled, with
    simpler names and no tuning. Raises :class:`RegistryNotEmptyError` on a non-empty registry.
    """
    if min(townships, institutions, classes, staff) < 1:
        raise ValueError("townships, institutions, classes and staff must be at least 1")
    say = progress or (lambda message: None)
    started = time.perf_counter()
    if registry_has_data():
        raise RegistryNotEmptyError("the registry already holds data; clear it first (--reset)")
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        dataset = Dataset.objects.create(
            name=PROVINCE_DATASET_NAME,
            synthetic=True,
            seed=seed,
            description=(
                f"合成压力测试数据：{townships} 个镇（街道）、{institutions} 家机构、{classes} 个班级、"
                f"{staff} 名从业人员，全部虚构，仅供性能测试。 / Synthetic benchmark data, all invented."
            ),
        )
        towns = _province_townships(rng, townships, say)
        inst = _province_institutions(rng, institutions, towns, say)
        inst_classes = _province_classes(rng, classes, inst, say)
        _province_designations_and_fees(rng, inst, inst_classes, say)
        _province_staff(rng, staff, inst, inst_classes, say)
        _ensure_targets_and_catalog()
        say("汇总 / summarising")
        return _summary(dataset, time.perf_counter() - started)


@dataclass
class _ProvinceTownships:
    pks: np.ndarray
    regions: list[str]  # six-digit synthetic county code of each township
    share: np.ndarray  # share of the province's population
    latitude: np.ndarray
    longitude: np.ndarray


def _province_townships(rng: np.random.Generator, n: int, say: Callable[[str], None]) -> _ProvinceTownships:
    side = math.ceil(math.sqrt(n))
    index = np.arange(n)
    lon = 118.1 + (index % side + 0.5) * (4.8 / side)
    lat = 27.1 + (index // side + 0.5) * (3.9 / side)
    county = index // 50 + 1
    regions = [f"339{c % 1000:03d}" for c in county.tolist()]
    base = np.clip(rng.lognormal(math.log(38_000), 0.6, n), 3_000, 400_000)
    growth = rng.normal(0.0, 0.008, n)
    kinds = np.where(rng.random(n) < 0.3, TownshipKind.SUBDISTRICT, TownshipKind.TOWN)
    towns = _create(
        Township,
        [
            Township(
                code=f"{regions[i]}{i % 50 + 1:03d}000",
                name=f"示例镇街 {i + 1:04d}",
                kind=str(kinds[i]),
                latitude=round(float(lat[i]), 5),
                longitude=round(float(lon[i]), 5),
                boundary=None,
                boundary_approximate=True,
            )
            for i in range(n)
        ],
    )
    pks = np.array([t.pk for t in towns], dtype=np.int64)
    say(f"镇（街道） townships: {n}")
    population = {y: base * (1 + growth) ** (y - 2020) for y in range(2021, 2027)}
    births = {
        y: population[y] * BIRTH_RATE_2021 * BIRTH_DECLINE ** (y - 2021) * rng.normal(1.0, 0.04, n)
        for y in range(2021, 2027)
    }
    _create(
        TownshipYear,
        [
            TownshipYear(
                township_id=int(pks[i]), year=y, births=int(births[y][i]), population=int(population[y][i])
            )
            for y in range(2021, 2027)
            for i in range(n)
        ],
    )
    rows: list[ChildPopulation] = []
    for y in range(2023, 2027):
        bands = {
            AgeBand.M0_6: 0.5 * births[y],
            AgeBand.M6_12: 0.5 * births[y] * 0.995,
            AgeBand.M12_18: 0.5 * births[y - 1] * 0.99,
            AgeBand.M18_24: 0.5 * births[y - 1] * 0.985,
            AgeBand.M24_36: births[y - 2] * 0.98,
        }
        for band, values in bands.items():
            rows.extend(
                ChildPopulation(
                    township_id=int(pks[i]), year=y, age_band=band, children=int(np.rint(values[i]))
                )
                for i in range(n)
            )
    _create(ChildPopulation, rows)
    _create(
        IncomeStat,
        [
            IncomeStat(year=year, scope=scope, amount=round(amount * INCOME_FACTORS[scope]))
            for year, amount in INCOME_ALL.items()
            for scope in (IncomeScope.ALL, IncomeScope.URBAN, IncomeScope.RURAL)
        ],
    )
    say("人口与收入 / population and income")
    return _ProvinceTownships(pks, regions, base / base.sum(), lat, lon)


@dataclass
class _ProvinceInstitutions:
    pks: np.ndarray
    town: np.ndarray
    form: np.ndarray  # index into codes.FORMS
    public: np.ndarray
    filed: np.ndarray  # filed (status FILED)
    filed_on: np.ndarray
    opened_on: np.ndarray
    closed_on: np.ndarray
    regions: list[str]


def _province_institutions(
    rng: np.random.Generator,
    n: int,
    towns: _ProvinceTownships,
    say: Callable[[str], None],
) -> _ProvinceInstitutions:
    town = rng.choice(len(towns.pks), size=n, p=towns.share)
    form = rng.choice(len(codes.FORMS), size=n, p=[0.45, 0.2, 0.15, 0.07, 0.13])
    kg, family = codes.FORMS.index("kindergarten"), codes.FORMS.index("family")
    public = rng.random(n) < np.where(form == kg, 0.7, np.where(form == family, 0.0, 0.2))
    status_draw = rng.random(n)
    statuses = np.select(
        [status_draw < 0.86, status_draw < 0.92, status_draw < 0.97],
        [FilingStatus.FILED, FilingStatus.PENDING, FilingStatus.NOT_FILED],
        FilingStatus.REVOKED,
    )
    opened = _np_dates(
        dt.date(2019, 1, 1), rng.integers(0, (dt.date(2026, 10, 31) - dt.date(2019, 1, 1)).days, n)
    )
    start = np.maximum(opened, np.datetime64(HISTORY_START, "D"))
    filed_on = np.minimum(
        start + rng.integers(5, 150, n).astype("timedelta64[D]"), np.datetime64(DATA_AS_OF, "D")
    )
    has_filing = (statuses == FilingStatus.FILED) | (statuses == FilingStatus.REVOKED)
    filed_on = np.where(has_filing, filed_on, np.datetime64("NaT", "D"))
    closes = (rng.random(n) < 0.06) | (statuses == FilingStatus.REVOKED)
    closed_on = opened + rng.integers(200, 1200, n).astype("timedelta64[D]")
    closed_on = np.where(
        closes & (closed_on <= np.datetime64(DATA_AS_OF, "D")), closed_on, np.datetime64("NaT", "D")
    )
    jitter = rng.normal(0, 0.02, (n, 2))
    town_pks, town_region = towns.pks, towns.regions
    objects = []
    for i in range(n):
        t = int(town_pks[town[i]])
        f = codes.FORMS[int(form[i])]
        ownership = Ownership.PUBLIC if public[i] else Ownership.PRIVATE
        objects.append(
            Institution(
                credit_code=credit_code(_registrar(f, ownership), town_region[town[i]], "DP", i + 1),
                name=f"示例{Form(f).label} P{i + 1:05d}",
                ownership=ownership,
                form=f,
                filing_status=str(statuses[i]),
                filed_on=_py_date(filed_on[i]),
                opened_on=_py_date(opened[i]),
                closed_on=_py_date(closed_on[i]),
                township_id=t,
                address=f"示例地址 {i + 1}",
                latitude=round(float(towns.latitude[town[i]] + jitter[i, 0]), 5),
                longitude=round(float(towns.longitude[town[i]] + jitter[i, 1]), 5),
            )
        )
    _create(Institution, objects)
    say(f"托育机构 institutions: {n}")
    return _ProvinceInstitutions(
        pks=np.array([o.pk for o in objects], dtype=np.int64),
        town=town,
        form=form,
        public=public,
        filed=statuses == FilingStatus.FILED,
        filed_on=filed_on,
        opened_on=opened,
        closed_on=closed_on,
        regions=[town_region[t] for t in town.tolist()],
    )


def _province_classes(
    rng: np.random.Generator, n: int, inst: _ProvinceInstitutions, say: Callable[[str], None]
) -> tuple[np.ndarray, np.ndarray]:
    """Classes; returns each class's institution row and class type index."""
    n_inst = len(inst.pks)
    family = codes.FORMS.index("family")
    weights = np.array([2.0, 3.0, 2.0, 1.5, 0.0])[inst.form]
    if n >= n_inst:
        counts = np.ones(n_inst, dtype=np.int64)
        extra = (
            rng.choice(n_inst, size=n - n_inst, p=weights / weights.sum()) if n > n_inst else np.zeros(0, int)
        )
        counts += np.bincount(extra, minlength=n_inst)
    else:
        counts = np.zeros(n_inst, dtype=np.int64)
        counts[rng.choice(n_inst, size=n, replace=False)] = 1
    owner = np.repeat(np.arange(n_inst), counts)
    kg = inst.form[owner] == codes.FORMS.index("kindergarten")
    fam = inst.form[owner] == family
    draw = rng.random(n)
    ctype = np.where(
        kg,
        np.where(draw < 0.75, 2, np.where(draw < 0.95, 3, 1)),
        np.where(draw < 0.2, 0, np.where(draw < 0.55, 1, np.where(draw < 0.9, 2, 3))),
    )
    ctype = np.where(fam, 3, ctype)
    caps = np.array([MAX_CHILDREN[t] for t in codes.CLASS_TYPES])
    per = np.array([CHILDREN_PER_CAREGIVER[t] for t in codes.CLASS_TYPES])
    slots = np.maximum(caps[ctype] - rng.integers(0, 6, n), 4)
    slots = np.where(fam, rng.integers(3, 6, n), slots)
    enrolled = np.minimum(slots, np.maximum(1, np.round(slots * rng.uniform(0.45, 0.95, n)))).astype(np.int64)
    caregivers = np.ceil(enrolled / np.where(fam, FAMILY_CHILDREN_PER_CARER, per[ctype])).astype(np.int64)
    objects = [
        CareClass(
            institution_id=int(inst.pks[owner[k]]),
            name=f"{CLASS_LABELS[codes.CLASS_TYPES[int(ctype[k])]]} {k + 1}",
            class_type=codes.CLASS_TYPES[int(ctype[k])],
            approved_slots=int(slots[k]),
            enrolled=int(enrolled[k]),
            caregivers=int(caregivers[k]),
            opened_on=_py_date(inst.opened_on[owner[k]]),
            closed_on=None,
        )
        for k in range(n)
    ]
    for done, batch in enumerate(_batched(objects), start=1):
        CareClass.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        say(f"班级 classes: {min(done * BATCH_SIZE, n)}/{n}")
    return owner, ctype


def _province_designations_and_fees(
    rng: np.random.Generator,
    inst: _ProvinceInstitutions,
    inst_classes: tuple[np.ndarray, np.ndarray],
    say: Callable[[str], None],
) -> None:
    n = len(inst.pks)
    designated = ~inst.public & ~np.isnat(inst.filed_on) & (rng.random(n) < 0.55)
    rows = np.flatnonzero(designated)
    starts = np.maximum(inst.filed_on[rows], np.datetime64("2023-03-01")) + rng.integers(
        0, 200, rows.size
    ).astype("timedelta64[D]")
    renew = rng.random(rows.size) < 0.85
    designations = []
    for k, start, again in zip(rows.tolist(), starts, renew.tolist(), strict=True):
        first = _py_date(start)
        assert first is not None
        end = _years_later(first, 3)
        designations.append(
            PuhuiDesignation(
                institution_id=int(inst.pks[k]), valid_from=first, valid_to=end, document=f"示例认定 {k + 1}"
            )
        )
        if again and end < DATA_AS_OF:
            second = _days(end, 1)
            designations.append(
                PuhuiDesignation(
                    institution_id=int(inst.pks[k]),
                    valid_from=second,
                    valid_to=_years_later(second, 3),
                    document=f"示例认定 {k + 1}-2",
                )
            )
    _create(PuhuiDesignation, designations)
    say(f"普惠认定 designations: {len(designations)}")
    owner, ctype = inst_classes
    pairs = np.unique(owner * len(codes.CLASS_TYPES) + ctype)
    base = np.where(
        inst.public,
        rng.uniform(1200, 1500, n),
        np.where(designated, rng.uniform(1600, 2100, n), rng.uniform(2500, 4800, n)),
    )
    factor = np.array([1.15, 1.08, 1.0, 1.04])
    fees = []
    change = np.datetime64(FEE_CHANGE, "D")
    for pair in pairs.tolist():
        k, t = divmod(pair, len(codes.CLASS_TYPES))
        opened = inst.opened_on[k]
        before = _round10(float(base[k] * factor[t]))
        after = _round10(before * 1.04)
        class_type = codes.CLASS_TYPES[t]
        if opened < change:
            start = _py_date(opened)
            assert start is not None
            fees.append(
                Fee(
                    institution_id=int(inst.pks[k]),
                    class_type=class_type,
                    full_day_monthly=before,
                    half_day_monthly=_round10(before * 0.6),
                    effective_from=start,
                    effective_to=_days(FEE_CHANGE, -1),
                )
            )
            fees.append(
                Fee(
                    institution_id=int(inst.pks[k]),
                    class_type=class_type,
                    full_day_monthly=after,
                    half_day_monthly=_round10(after * 0.6),
                    effective_from=FEE_CHANGE,
                    effective_to=None,
                )
            )
        else:
            start = _py_date(opened)
            assert start is not None
            fees.append(
                Fee(
                    institution_id=int(inst.pks[k]),
                    class_type=class_type,
                    full_day_monthly=after,
                    half_day_monthly=_round10(after * 0.6),
                    effective_from=start,
                    effective_to=None,
                )
            )
    _create(Fee, fees)
    say(f"收费标准 fees: {len(fees)}")


def _province_staff(
    rng: np.random.Generator,
    n: int,
    inst: _ProvinceInstitutions,
    inst_classes: tuple[np.ndarray, np.ndarray],
    say: Callable[[str], None],
) -> None:
    owner, _ctype = inst_classes
    n_inst = len(inst.pks)
    weight = np.bincount(owner, minlength=n_inst) * 2.0 + 0.5
    where = rng.choice(n_inst, size=n, p=weight / weight.sum())
    kg = inst.form[where] == codes.FORMS.index("kindergarten")
    draw = rng.random(n)
    roles = np.select(
        [draw < 0.62, draw < 0.80, draw < 0.88, draw < 0.96],
        [0, np.where(kg, 1, 0), 2, 3],
        4,
    )  # indexes into codes.STAFF_ROLES
    opened = inst.opened_on[where]
    last = np.where(
        np.isnat(inst.closed_on[where]),
        np.datetime64(DATA_AS_OF, "D"),
        inst.closed_on[where] - np.timedelta64(1, "D"),
    )
    start = opened + rng.integers(0, 400, n).astype("timedelta64[D]")
    start = np.minimum(start, last)
    leaves = rng.random(n) < 0.08
    end = np.where(
        leaves,
        np.minimum(start + rng.integers(90, 700, n).astype("timedelta64[D]"), last),
        np.where(np.isnat(inst.closed_on[where]), np.datetime64("NaT", "D"), last),
    )
    moves = leaves & (rng.random(n) < 0.4)
    new_where = rng.choice(n_inst, size=n, p=weight / weight.sum())
    new_start = end + rng.integers(10, 90, n).astype("timedelta64[D]")
    moves &= (
        ~np.isnat(end)
        & (new_start <= np.datetime64(DATA_AS_OF, "D"))
        & (new_start >= inst.opened_on[new_where])
    )
    moves &= np.isnat(inst.closed_on[new_where]) | (new_start < inst.closed_on[new_where])
    birth = _np_dates(dt.date(1972, 1, 1), rng.integers(0, 365 * 33, n))
    female = rng.random(n) < 0.93
    sequence = rng.integers(0, 500, n) * 2 + np.where(female, 0, 1)
    surnames = rng.integers(0, len(SURNAMES), n)
    profile_draw = rng.random(n)
    seen: set[str] = set()
    staff_pks = np.zeros(n, dtype=np.int64)
    role_names = codes.STAFF_ROLES
    qualifying = {
        "caregiver": "baoyushi",
        "teacher": "teacher_qualification",
        "health": "health_care_training",
    }
    for lo in range(0, n, BATCH_SIZE):
        hi = min(lo + BATCH_SIZE, n)
        people = []
        for i in range(lo, hi):
            seq = int(sequence[i])
            while True:
                birth_day = _py_date(birth[i])
                assert birth_day is not None
                number = resident_id(inst.regions[where[i]], birth_day, seq)
                if number not in seen:
                    break
                seq = (seq + 2) % 1000
            seen.add(number)
            people.append(_staff(f"{SURNAMES[int(surnames[i])]}某 {i + 1:06d}", number))
        Staff.objects.bulk_create(people, batch_size=BATCH_SIZE)
        staff_pks[lo:hi] = [p.pk for p in people]
        jobs = []
        certs = []
        for i in range(lo, hi):
            role = role_names[int(roles[i])]
            first = _py_date(start[i])
            assert first is not None
            jobs.append(
                Employment(
                    staff_id=int(staff_pks[i]),
                    institution_id=int(inst.pks[where[i]]),
                    role=role,
                    start=first,
                    end=_py_date(end[i]),
                )
            )
            moved_on = _py_date(new_start[i])
            if moves[i] and moved_on is not None:
                jobs.append(
                    Employment(
                        staff_id=int(staff_pks[i]),
                        institution_id=int(inst.pks[new_where[i]]),
                        role=role,
                        start=moved_on,
                        end=None,
                    )
                )
            issued = _days(first, -20)
            certs.append(
                Certificate(
                    staff_id=int(staff_pks[i]),
                    cert_type=CertificateType.HEALTH,
                    number=f"示例-JKZ-P{i + 1:07d}",
                    issued_on=issued,
                    expires_on=_years_later(issued, 1),
                )
            )
            if role in qualifying and profile_draw[i] >= 0.06:
                expires = _days(first, 500) if profile_draw[i] < 0.09 else None
                certs.append(
                    Certificate(
                        staff_id=int(staff_pks[i]),
                        cert_type=qualifying[role],
                        number=f"示例-{CERT_ABBREVIATIONS[qualifying[role]]}-P{i + 1:07d}",
                        issued_on=_days(first, -200),
                        expires_on=expires,
                    )
                )
        Employment.objects.bulk_create(jobs, batch_size=BATCH_SIZE)
        Certificate.objects.bulk_create(certs, batch_size=BATCH_SIZE)
        say(f"从业人员 staff: {hi}/{n}")


# --------------------------------------------------------------------------------------
# Demo accounts, presence check and clearing
# --------------------------------------------------------------------------------------

DEMO_USERNAMES = tuple(DEMO_PASSWORDS)


def _operator_institution() -> Institution | None:
    """A filed institution of 大洋街道 operating on DATA_AS_OF, preferably a 普惠 民办 one
    (it has a designation and fee history to show); else any filed, operating one."""
    operating = (
        Institution.objects.filter(filing_status=FilingStatus.FILED, filed_on__lte=DATA_AS_OF)
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=DATA_AS_OF))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=DATA_AS_OF))
        .order_by("township__code", "credit_code")
    )
    dayang = operating.filter(township__name="大洋街道")
    designated = dayang.filter(
        Q(designations__valid_to__isnull=True) | Q(designations__valid_to__gte=DATA_AS_OF),
        ownership=Ownership.PRIVATE,
        designations__valid_from__lte=DATA_AS_OF,
    ).distinct()
    return designated.first() or dayang.first() or operating.first()


def create_demo_accounts() -> list[DemoAccount]:
    """One account per role with the documented demo passwords; creates or updates, and
    changes nothing when the accounts are already as they should be."""
    township = Township.objects.filter(name="古城街道").first() or Township.objects.order_by("code").first()
    institution = _operator_institution()
    wanted: list[tuple[str, str, Township | None, Institution | None, str]] = [
        ("admin", Role.BUREAU_ADMIN, None, None, "全市 / whole city; Django admin"),
        (
            "township",
            Role.TOWNSHIP_OFFICIAL,
            township,
            None,
            f"{township.name} / township {township.code}" if township else "",
        ),
        (
            "operator",
            Role.INSTITUTION_OPERATOR,
            None,
            institution,
            f"{institution.name}（{institution.credit_code}）" if institution else "",
        ),
        ("public", Role.PUBLIC, None, None, "公开信息 / public information only"),
    ]
    accounts = []
    with transaction.atomic():
        for username, role, scope_township, scope_institution, scope in wanted:
            if role == Role.TOWNSHIP_OFFICIAL and scope_township is None:
                continue
            if role == Role.INSTITUTION_OPERATOR and scope_institution is None:
                continue
            password = DEMO_PASSWORDS[username]
            superuser = role == Role.BUREAU_ADMIN
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username)
            fields = {
                "role": role,
                "township": scope_township,
                "institution": scope_institution,
                "is_staff": superuser,
                "is_superuser": superuser,
                "is_active": True,
            }
            changed = user.pk is None
            for name, value in fields.items():
                if getattr(user, name) != value:
                    setattr(user, name, value)
                    changed = True
            if not user.check_password(password):
                user.set_password(password)
                changed = True
            if changed:
                user.full_clean(exclude=["password"])
                user.save()
            accounts.append(DemoAccount(username, password, str(role), scope))
    return accounts


def registry_has_data() -> bool:
    return (
        Township.objects.exists()
        or Institution.objects.exists()
        or Staff.objects.exists()
        or Dataset.objects.exists()
    )


CLEAR_ORDER: tuple[type[Model], ...] = (
    Certificate,
    Employment,
    Staff,
    Fee,
    CareClass,
    PuhuiDesignation,
    Institution,
    ChildPopulation,
    TownshipYear,
    Township,
    IncomeStat,
    Dataset,
    CatalogItem,
    ServiceCatalog,
    TargetSet,
)
"""Registry and indicator tables, children before parents."""


def registry_clear() -> dict[str, int]:
    """Delete every registry and indicator row and the demo accounts, in one transaction.

    Other accounts tied to a township or institution are detached from it (they then see
    nothing) and counted under ``"detached accounts"``. Tables nothing else points at are
    emptied with one ``DELETE`` each; the others go through the ORM so that rows of other
    apps that point at them cascade (or protect) as their models say. The audit log is
    not written for this bulk removal.
    """
    deleted: dict[str, int] = {}
    cleared: set[type[Model]] = set()
    with transaction.atomic(), disable_auditlog():
        deleted["demo accounts"], _ = User.objects.filter(username__in=DEMO_USERNAMES).delete()
        deleted["detached accounts"] = User.objects.filter(
            Q(township__isnull=False) | Q(institution__isnull=False)
        ).update(township=None, institution=None)
        for model in CLEAR_ORDER:
            referenced = any(
                relation.related_model not in cleared and relation.related_model is not model
                for relation in model._meta.related_objects
            )
            if referenced:
                count, _ = model._default_manager.all().delete()
            else:
                count = model._default_manager.count()
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
            deleted[model._meta.label] = count
            cleared.add(model)
    return deleted
