"""Tests of the pure engine.

Holds a small record builder shared by the indicator tests: write a registry as a few
readable records (codes as strings, dates as ISO strings or ``None``) and turn them into
the arrays of a :class:`~tuoyu.engine.indicators.RegistrySnapshot`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tuoyu.engine import codes
from tuoyu.engine.indicators import (
    Certificates,
    Classes,
    Designations,
    Employments,
    Fees,
    Institutions,
    RegistrySnapshot,
    Townships,
    date_array,
)

Day = dt.date | str | None


@dataclass(frozen=True)
class Town:
    id: int
    under_3: float = 0.0
    under_2: float = 0.0
    population: float = 0.0


@dataclass(frozen=True)
class Inst:
    id: int
    town: int
    form: str = "standalone"
    public: bool = False
    filed: Day = "2024-01-01"
    opened: Day = None
    closed: Day = None
    filing_ended: Day = None


@dataclass(frozen=True)
class Cls:
    id: int
    inst: int
    type: str = "older"
    slots: float = 10.0
    opened: Day = None
    closed: Day = None


@dataclass(frozen=True)
class Desig:
    inst: int
    valid_from: Day = None
    valid_to: Day = None


@dataclass(frozen=True)
class FeeRow:
    inst: int
    type: str
    full_day: float
    effective_from: Day = None
    effective_to: Day = None


@dataclass(frozen=True)
class Emp:
    id: int
    staff: int
    inst: int
    role: str = "caregiver"
    start: Day = None
    end: Day = None


@dataclass(frozen=True)
class Cert:
    staff: int
    type: str
    issued: Day = None
    expires: Day = None


def _ints(values: Sequence[int]) -> np.ndarray:
    return np.array(list(values), dtype=np.int64)


def _codes(table: tuple[str, ...], values: Sequence[str]) -> np.ndarray:
    return np.array([codes.code_index(table, v) for v in values], dtype=np.int8)


def build_snapshot(
    towns: Sequence[Town],
    institutions: Sequence[Inst] = (),
    classes: Sequence[Cls] = (),
    designations: Sequence[Desig] = (),
    fees: Sequence[FeeRow] = (),
    employments: Sequence[Emp] = (),
    certificates: Sequence[Cert] = (),
    *,
    income: float | None = 60_000.0,
    catalog_items: int = 1,
) -> RegistrySnapshot:
    """A snapshot from records."""
    return RegistrySnapshot(
        townships=Townships(
            ids=_ints([t.id for t in towns]),
            children_under_3=np.array([t.under_3 for t in towns], dtype=np.float64),
            children_under_2=np.array([t.under_2 for t in towns], dtype=np.float64),
            population=np.array([t.population for t in towns], dtype=np.float64),
        ),
        institutions=Institutions(
            ids=_ints([i.id for i in institutions]),
            township_ids=_ints([i.town for i in institutions]),
            form=_codes(codes.FORMS, [i.form for i in institutions]),
            public=np.array([i.public for i in institutions], dtype=np.bool_),
            filed_on=date_array(i.filed for i in institutions),
            opened_on=date_array(i.opened for i in institutions),
            closed_on=date_array(i.closed for i in institutions),
            filing_ended_on=date_array(i.filing_ended for i in institutions),
        ),
        designations=Designations(
            institution_ids=_ints([d.inst for d in designations]),
            valid_from=date_array(d.valid_from for d in designations),
            valid_to=date_array(d.valid_to for d in designations),
        ),
        classes=Classes(
            ids=_ints([c.id for c in classes]),
            institution_ids=_ints([c.inst for c in classes]),
            class_type=_codes(codes.CLASS_TYPES, [c.type for c in classes]),
            approved_slots=np.array([c.slots for c in classes], dtype=np.float64),
            opened_on=date_array(c.opened for c in classes),
            closed_on=date_array(c.closed for c in classes),
        ),
        fees=Fees(
            institution_ids=_ints([f.inst for f in fees]),
            class_type=_codes(codes.CLASS_TYPES, [f.type for f in fees]),
            full_day=np.array([f.full_day for f in fees], dtype=np.float64),
            effective_from=date_array(f.effective_from for f in fees),
            effective_to=date_array(f.effective_to for f in fees),
        ),
        employments=Employments(
            ids=_ints([e.id for e in employments]),
            staff_ids=_ints([e.staff for e in employments]),
            institution_ids=_ints([e.inst for e in employments]),
            role=_codes(codes.STAFF_ROLES, [e.role for e in employments]),
            start=date_array(e.start for e in employments),
            end=date_array(e.end for e in employments),
        ),
        certificates=Certificates(
            staff_ids=_ints([c.staff for c in certificates]),
            cert_type=_codes(codes.CERTIFICATE_TYPES, [c.type for c in certificates]),
            issued_on=date_array(c.issued for c in certificates),
            expires_on=date_array(c.expires for c in certificates),
        ),
        annual_income_previous_year=income,
        catalog_items_published=catalog_items,
    )


def permute_rows(snapshot: RegistrySnapshot, rng: np.random.Generator) -> RegistrySnapshot:
    """The same snapshot with the rows of every table shuffled (each table on its own)."""

    def shuffle(table: object) -> object:
        columns = {f.name: getattr(table, f.name) for f in dataclasses.fields(table)}  # type: ignore[arg-type]
        n = len(next(iter(columns.values())))
        order = rng.permutation(n)
        return dataclasses.replace(table, **{name: column[order] for name, column in columns.items()})  # type: ignore[type-var]

    changes = {
        f.name: shuffle(getattr(snapshot, f.name))
        for f in dataclasses.fields(snapshot)
        if dataclasses.is_dataclass(getattr(snapshot, f.name))
    }
    return dataclasses.replace(snapshot, **changes)  # type: ignore[arg-type]
