"""The Linhai plan, second layer: institutions by township budget, the hand-placed cases
(closures, openings, unfiled institutions, rule breakers, demonstration institutions),
普惠 designations and fees."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np

from tuoyu.engine import codes
from tuoyu.registry.demo.common import (
    CHILDREN_PER_CAREGIVER,
    DATA_AS_OF,
    FEE_CHANGE,
    MAX_CHILDREN,
    Day,
    _days,
    _round10,
    _years_later,
)
from tuoyu.registry.demo.linhai_facts import CHECK_DATES, PRIVATE_DESIGNATED, SLOTS_PER_1000_PLAN
from tuoyu.registry.demo.linhai_plan import _Designation, _Fee, _PlanBase
from tuoyu.registry.models import FilingStatus, Form, Ownership


class _SupplyPlan(_PlanBase):
    """Institutions and classes, the hand-placed cases, 普惠 designations and fees."""

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
