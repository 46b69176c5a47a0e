"""The Linhai plan, third layer: staff posts, people moving between institutions, and
their certificates."""

from __future__ import annotations

import datetime as dt

from tuoyu.registry.demo.common import (
    CERT_ABBREVIATIONS,
    DATA_AS_OF,
    SURNAMES,
    Day,
    _days,
    _rand_day,
    _years_later,
    resident_id,
)
from tuoyu.registry.demo.linhai_facts import CERT_PROFILES, LINHAI_REGION
from tuoyu.registry.demo.linhai_plan import _Cert, _Job, _Person
from tuoyu.registry.demo.linhai_supply import _SupplyPlan
from tuoyu.registry.models import CertificateType, Form, StaffRole


class _StaffPlan(_SupplyPlan):
    """Staff, employments and certificates."""

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
