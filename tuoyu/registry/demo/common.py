"""What the Linhai and the province builders share: dates, rules, names, the build summary,
identifiers (credit codes, ID numbers), small date helpers and bulk writing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from django.db.models import Model

from tuoyu.common import crypto
from tuoyu.common.identifiers import credit_code_check_char, resident_id_check_char
from tuoyu.engine.indicators import date_array
from tuoyu.registry.models import (
    CareClass,
    Certificate,
    Dataset,
    Employment,
    Fee,
    IncomeScope,
    Institution,
    Ownership,
    PuhuiDesignation,
    Staff,
    Township,
)

Day = dt.date
M = TypeVar("M", bound=Model)

DATA_AS_OF = dt.date(2026, 11, 29)
"""The data's "today": nothing in the datasets happens after it."""
HISTORY_START = dt.date(2023, 1, 1)
"""Filings, designations and fee history are recorded from here on."""
FEE_CHANGE = dt.date(2025, 9, 1)
"""The 2025 price change: every fee has a period before and one from this day."""
BATCH_SIZE = 5000

SYNTHETIC_NOTE = "以上数据均为合成示例数据，不代表任何真实机构或个人 / all data above is synthetic."

INCOME_ALL = {2022: 59_860, 2023: 62_860, 2024: 66_000, 2025: 69_300}
"""全体居民人均可支配收入 (CNY a year), synthetic, ~5 % growth a year."""
INCOME_FACTORS = {IncomeScope.ALL: 1.0, IncomeScope.URBAN: 1.2, IncomeScope.RURAL: 0.7}

# The national rules (settings.TUOYU_STANDARDS holds the same defaults).
CHILDREN_PER_CAREGIVER = {"infant": 3, "toddler": 5, "older": 7, "mixed": 5}
MAX_CHILDREN = {"infant": 10, "toddler": 15, "older": 20, "mixed": 18}
FAMILY_CHILDREN_PER_CARER = 3

CLASS_LABELS = {"infant": "乳儿班", "toddler": "托小班", "older": "托大班", "mixed": "混龄班"}
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
BIRTH_RATE_2021 = 0.00755
"""Births per resident in 2021 (synthetic); births then fall 4 % a year."""
BIRTH_DECLINE = 0.96


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


def _np_dates(start: Day, offsets: np.ndarray) -> np.ndarray:
    return np.datetime64(start, "D") + offsets.astype("timedelta64[D]")


def _py_date(value: np.datetime64) -> Day | None:
    if np.isnat(value):
        return None
    return value.astype("datetime64[D]").astype(dt.date)  # type: ignore[no-any-return]


def _staff(name: str, id_number: str) -> Staff:
    return Staff(
        name=name,
        id_number_ciphertext=crypto.encrypt(id_number, purpose=Staff.ID_PURPOSE),
        id_number_index=crypto.blind_index(id_number, purpose=Staff.ID_PURPOSE),
    )


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
