"""Province-scale benchmark data: :func:`build_province`, townships, institutions, classes,
designations and fees (staff are in :mod:`.province_staff`)."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from tuoyu.engine import codes
from tuoyu.registry.demo.catalog import _ensure_targets_and_catalog
from tuoyu.registry.demo.clearing import registry_has_data
from tuoyu.registry.demo.common import (
    BATCH_SIZE,
    BIRTH_DECLINE,
    BIRTH_RATE_2021,
    CHILDREN_PER_CAREGIVER,
    CLASS_LABELS,
    DATA_AS_OF,
    FAMILY_CHILDREN_PER_CARER,
    FEE_CHANGE,
    HISTORY_START,
    INCOME_ALL,
    INCOME_FACTORS,
    MAX_CHILDREN,
    DemoSummary,
    RegistryNotEmptyError,
    _batched,
    _create,
    _days,
    _np_dates,
    _py_date,
    _registrar,
    _round10,
    _summary,
    _years_later,
    credit_code,
)
from tuoyu.registry.demo.province_staff import _province_staff
from tuoyu.registry.models import (
    AgeBand,
    CareClass,
    ChildPopulation,
    Dataset,
    Fee,
    FilingStatus,
    Form,
    IncomeScope,
    IncomeStat,
    Institution,
    Ownership,
    PuhuiDesignation,
    Township,
    TownshipKind,
    TownshipYear,
)

PROVINCE_DATASET_NAME = "省级规模压力测试数据（合成） / synthetic province benchmark data"


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
    # A revoked filing ends when the institution closes, or by the data's date if it has not.
    revoked = statuses == FilingStatus.REVOKED
    revoked_on = np.where(np.isnat(closed_on), np.datetime64(DATA_AS_OF, "D"), closed_on)
    revoked_on = np.maximum(revoked_on, filed_on + np.timedelta64(1, "D"))
    revoked_on = np.where(revoked, revoked_on, np.datetime64("NaT", "D"))
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
                filing_revoked_on=_py_date(revoked_on[i]),
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
