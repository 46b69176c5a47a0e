"""The Linhai plan, fourth layer: the engine's view of the plan (a
:class:`~tuoyu.engine.indicators.RegistrySnapshot`) and the tuning that nudges classes,
designations, fees and certificates until the indicators are in :data:`LINHAI_WINDOWS`."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tuoyu.engine import codes
from tuoyu.engine.indicators import (
    Certificates,
    Classes,
    Designations,
    Employments,
    Fees,
    IndicatorReport,
    Institutions,
    RegistrySnapshot,
    Townships,
    compute_indicators,
)
from tuoyu.registry.demo.catalog import CATALOG_ITEMS, CATALOG_PUBLISHED
from tuoyu.registry.demo.common import DATA_AS_OF, INCOME_ALL, Day, _dates, _days, _round10
from tuoyu.registry.demo.linhai_facts import CHECK_DATES, LINHAI_WINDOWS
from tuoyu.registry.demo.linhai_staff import _StaffPlan
from tuoyu.registry.models import CertificateType, FilingStatus, Form, Ownership


class _TunedPlan(_StaffPlan):
    """The engine's view of the plan and the tuning towards LINHAI_WINDOWS."""

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
            filed_on=_dates(
                i.filed_on if i.status in (FilingStatus.FILED, FilingStatus.REVOKED) else None for i in insts
            ),
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
