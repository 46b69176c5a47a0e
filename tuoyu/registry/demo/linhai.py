"""The Linhai demo dataset: the finished plan, writing it, and :func:`build_linhai`."""

from __future__ import annotations

import time

from django.db import transaction

from tuoyu.engine import geometry
from tuoyu.registry.demo.catalog import _ensure_targets_and_catalog
from tuoyu.registry.demo.clearing import registry_has_data
from tuoyu.registry.demo.common import (
    DATA_AS_OF,
    INCOME_ALL,
    INCOME_FACTORS,
    DemoSummary,
    RegistryNotEmptyError,
    _create,
    _registrar,
    _staff,
    _summary,
    credit_code,
)
from tuoyu.registry.demo.linhai_facts import LINHAI_DATASET_NAME, LINHAI_REGION, LINHAI_SEED
from tuoyu.registry.demo.linhai_tuning import _TunedPlan
from tuoyu.registry.models import (
    CareClass,
    Certificate,
    ChildPopulation,
    Dataset,
    Employment,
    Fee,
    FilingStatus,
    IncomeScope,
    IncomeStat,
    Institution,
    PuhuiDesignation,
    Staff,
    Township,
    TownshipYear,
)


class _LinhaiPlan(_TunedPlan):
    """The Linhai plan: every layer, and the order they are built and tuned in."""

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
                # The demo's revoked filings end the day the institution closes.
                filing_revoked_on=i.closed_on if i.status == FilingStatus.REVOKED else None,
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
