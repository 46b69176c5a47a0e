"""The Linhai plan, first layer: plain records, the plan's state, townships and population,
and the primitives that draw institutions and classes.

The plan is built in memory, tuned, then written in one transaction; its methods come in
layers, one module each: this one, :mod:`.linhai_supply`, :mod:`.linhai_staff`,
:mod:`.linhai_tuning`, and :class:`tuoyu.registry.demo.linhai._LinhaiPlan` on top.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from tuoyu.engine import geometry
from tuoyu.engine.indicators import Targets
from tuoyu.indicators.loader import certification_rules
from tuoyu.registry.demo.common import (
    BIRTH_DECLINE,
    BIRTH_RATE_2021,
    CHILDREN_PER_CAREGIVER,
    CLASS_LABELS,
    FAMILY_CHILDREN_PER_CARER,
    HISTORY_START,
    Day,
    _days,
    _inside,
    _rand_day,
)
from tuoyu.registry.demo.linhai_facts import (
    FORM_NAMES,
    LINHAI_REGION,
    LINHAI_TOWNSHIPS,
    PROFILES,
    PUBLIC_SHARE,
    Profile,
    TownshipFact,
)
from tuoyu.registry.models import AgeBand, FilingStatus, Form, Ownership, TownshipKind


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


class _PlanBase:
    """The plan's state, townships and population, and the drawing primitives."""

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

    def town_index(self, name: str) -> int:
        return next(i for i, t in enumerate(self.towns) if t.fact.name == name)

    def pick(self, candidates: list[int]) -> int | None:
        return int(self.rng.choice(candidates)) if candidates else None

    def counted_on(self, inst: _Inst, day: Day) -> bool:
        return (
            inst.status in (FilingStatus.FILED, FilingStatus.REVOKED)
            and inst.filed_on is not None
            and inst.filed_on <= day
            and (inst.opened_on is None or inst.opened_on <= day)
            and (inst.closed_on is None or day < inst.closed_on)
        )
