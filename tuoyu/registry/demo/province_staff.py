"""Province-scale benchmark data: staff, their employments and certificates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from tuoyu.engine import codes
from tuoyu.registry.demo.common import (
    BATCH_SIZE,
    CERT_ABBREVIATIONS,
    DATA_AS_OF,
    SURNAMES,
    _days,
    _np_dates,
    _py_date,
    _staff,
    _years_later,
    resident_id,
)
from tuoyu.registry.models import Certificate, CertificateType, Employment, Staff

if TYPE_CHECKING:
    from tuoyu.registry.demo.province import _ProvinceInstitutions


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
