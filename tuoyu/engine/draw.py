"""The verifiable 双随机、一公开 inspection draw: random institutions, random inspectors.

Supervisors inspect a random sample of childcare institutions, more of them the worse
an institution's credit grade, and send each sampled institution inspectors drawn at
random from a pool, never one from the institution's own township and never one who
declared a conflict of interest with it. "一公开" means the draw is public: institutions
must be able to check that the platform neither picked whom to inspect nor picked who
inspects them, so the draw is a commit-and-reveal scheme like the enrollment lottery
(:mod:`tuoyu.engine.lottery`) that anyone can recompute with the standard library alone
(``tools/verify_draw.py`` is such a copy, kept independent of this module).

Order of publication
--------------------

1. Before the draw the platform draws a secret seed (:func:`seed_new`) and publishes
   only its **commitment** (:func:`commitment_of`). Since the seed is fixed before the
   rosters are final, it cannot be tuned to spare an institution or to send a friendly
   inspector; since only its hash is public, nobody can compute the draw in advance.
2. At the draw the platform publishes the **seed**, the **rosters** (institutions,
   inspectors, declared conflicts, sampling ratios, inspectors per task), their
   **roster hash**, the algorithm version and the resulting **tasks** and **unstaffed**
   institutions (:func:`draw_publish`). Anyone checks the seed against the commitment
   noted in step 1 and re-runs the draw (:func:`draw_verify`).

Algorithm ``tuoyu-draw-1``
--------------------------

* **Seed and commitment** exactly as in ``tuoyu-lottery-1``: the seed is 32 random bytes
  written as 64 lowercase hex characters; the commitment is ``SHA-256`` of those 64
  ASCII characters (the text, not the bytes), in lowercase hex.
* **Rosters.** Institutions ``(id, township, grade)`` and inspectors ``(id, township)``
  are non-empty strings; no id appears twice in its roster. Conflicts are pairs
  ``(inspector id, institution id)`` of listed ids; a pair listed twice counts once.
  Every institution's grade has a ratio. A ratio is written as an unsigned decimal
  number, optionally with an exponent (``0.1``, ``1.0``, ``1e-05``: what Python's
  ``str`` gives for a float), and the draw uses that text's *exact* value, which must
  lie in ``[0, 1]``. ``k`` (inspectors per task) is an integer of at least 1.
* **Keys.** ``key(label)`` is ``HMAC-SHA256`` keyed by the seed's 32 bytes over the UTF-8
  bytes of ``label``, read as a 256-bit unsigned big-endian integer. Labels are
  ``"institution:" + id``, ``"count:" + grade`` and
  ``"pair:" + institution id + ":" + inspector id``.
* **Selection**, for each grade with ratio ``r`` and ``n`` institutions: order them by
  ascending ``(key("institution:" + id), id)``; let ``x = r * n`` computed exactly and
  ``m = floor(x)``, plus one when ``key("count:" + grade) / 2**256 < x - floor(x)``
  (compared exactly: ``key * denominator < numerator * 2**256``); select the first
  ``m``.
* **Assignment.** Go through the selected institutions of all grades in ascending
  ``(key("institution:" + id), id)``, keeping a load (tasks assigned so far in this draw)
  per inspector, starting at zero. An inspector is *eligible* for an institution when
  their townships differ and the pair is not a declared conflict. With fewer than ``k``
  eligible inspectors the institution is **unstaffed**: it gets no task and is listed as
  such. Otherwise its task takes the ``k`` eligible inspectors with the smallest
  ``(load, key("pair:" + institution id + ":" + inspector id), inspector id)``, listed in
  that order, and each of their loads grows by one.
* **Roster hash**: ``SHA-256`` in lowercase hex of the UTF-8 bytes of the JSON text
  (keys sorted, separators ``","`` and ``":"`` without spaces, non-ASCII characters
  written as themselves) of ``{"algorithm", "institutions": [[id, township, grade],
  ...], "inspectors": [[id, township], ...], "conflicts": [[inspector, institution],
  ...], "ratios": {grade: ratio text}, "inspectors_per_task": k}``, with every list
  sorted (by code point, element by element).
* All strings are compared by Unicode code point, the order of their UTF-8 bytes.

Why this way
------------

* **Randomised rounding.** Rounding ``r * n`` down would inspect 0 of 4 grade-A
  institutions at ratio 0.1 every time; rounding to nearest would inspect each of them
  with probability 0 or 0.25 depending on ``n``. Adding the fractional part with that
  probability makes every institution's chance of being selected exactly ``r``, over
  seeds, whatever ``n`` is; exact fractions keep ``0.1 * 30`` from becoming
  ``3.0000000000000004``.
* **Keyed hashes rather than a shuffle**, as in the lottery: an institution's key does not
  depend on the others, so adding or removing one institution changes little else, and a
  key can be checked on its own.
* **Least-loaded first, then random.** Picking purely at random would pile tasks on some
  inspectors and leave others idle; picking purely by load would make the pairing
  predictable. Ordering by load and breaking ties by the pair's key spreads the work
  evenly among inspectors who are eligible for the same institutions, while who meets
  whom stays a matter of the seed.
* **Unstaffed rather than bent.** An institution that cannot be staffed within the
  avoidance rules is reported, never staffed with a forbidden inspector; the supervisors
  then widen the pool by hand, in the open.

Only the standard library is used here, so that the stand-alone verifier can mirror
this module line for line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from tuoyu.engine.lottery import _seed_checked, commitment_of, seed_new

__all__ = [
    "ALGORITHM",
    "DEFAULT_RATIOS",
    "DrawParameters",
    "DrawResult",
    "Inspector",
    "Institution",
    "Task",
    "commitment_of",
    "draw_publish",
    "draw_run",
    "draw_verify",
    "key",
    "roster_hash",
    "seed_new",
]

ALGORITHM = "tuoyu-draw-1"
DEFAULT_RATIOS: Mapping[str, float] = {"A": 0.10, "B": 0.20, "C": 0.50, "D": 1.00}
DEFAULT_INSPECTORS_PER_TASK = 2
_KEY_RANGE = 2**256
_RATIO_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


@dataclass(frozen=True)
class Institution:
    """A childcare institution that may be inspected; its grade picks its sampling ratio."""

    id: str
    township: str
    grade: str


@dataclass(frozen=True)
class Inspector:
    """A member of the inspection pool; never sent to an institution of their own township."""

    id: str
    township: str


@dataclass(frozen=True)
class DrawParameters:
    """Sampling ratio per credit grade and inspectors per task, published with the draw.

    Checked on construction so that a ratio such as 1.5 or ``nan`` is refused before any
    seed is spent on it.
    """

    ratios: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RATIOS))
    inspectors_per_task: int = DEFAULT_INSPECTORS_PER_TASK

    def __post_init__(self) -> None:
        _ratios_exact(_ratio_texts(self.ratios))
        _inspectors_per_task_checked(self.inspectors_per_task)


@dataclass(frozen=True)
class Task:
    """One inspection: an institution and its inspectors, in the order they were chosen."""

    institution: str
    inspectors: tuple[str, ...]


@dataclass(frozen=True)
class DrawResult:
    """The outcome of a draw.

    ``tasks`` and ``unstaffed`` are in draw order. ``unstaffed`` lists the selected
    institutions with fewer eligible inspectors than a task needs: they are reported so
    that the supervisors widen the pool, never staffed with a forbidden inspector.
    ``selected_by_grade`` counts the selected institutions (staffed or not) of every
    grade that has a ratio.
    """

    algorithm: str
    seed: str
    roster_hash: str
    tasks: tuple[Task, ...]
    unstaffed: tuple[str, ...]
    selected_by_grade: dict[str, int]


@dataclass(frozen=True)
class _Rosters:
    """Validated, canonical rosters: what the roster hash covers and the draw reads."""

    institutions: tuple[Institution, ...]
    inspectors: tuple[Inspector, ...]
    conflicts: frozenset[tuple[str, str]]
    ratio_texts: dict[str, str]
    ratios: dict[str, Fraction]
    inspectors_per_task: int


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def _ratio_texts(ratios: Mapping[str, object]) -> dict[str, str]:
    """Each ratio as the text that is published, hashed and read exactly: ``str(ratio)``.

    The text rather than the float is what counts, so that a verifier in any language
    reads the same value as this module without agreeing on binary floating point.
    """
    if not isinstance(ratios, Mapping):
        raise ValueError(f"the ratios must be a mapping of grade to ratio, not {type(ratios).__name__}")
    texts: dict[str, str] = {}
    for grade, ratio in ratios.items():
        if not isinstance(grade, str) or grade == "":
            raise ValueError(f"grade {grade!r} in the ratios is not a non-empty string")
        texts[grade] = ratio if isinstance(ratio, str) else str(ratio)
    return texts


def _ratios_exact(ratio_texts: Mapping[str, str]) -> dict[str, Fraction]:
    """The exact value of every ratio text, after checking it is a decimal in ``[0, 1]``."""
    exact: dict[str, Fraction] = {}
    for grade, text in ratio_texts.items():
        if _RATIO_TEXT.fullmatch(text) is None:
            raise ValueError(
                f"the ratio of grade {grade!r} must be a decimal number such as 0.25, not {text!r}"
            )
        value = Fraction(text)
        if not 0 <= value <= 1:
            raise ValueError(f"the ratio of grade {grade!r} is {text}, outside [0, 1]")
        exact[grade] = value
    return exact


def _inspectors_per_task_checked(inspectors_per_task: object) -> int:
    """``k`` itself when it is an integer of at least 1: a task without inspectors is none."""
    if isinstance(inspectors_per_task, bool) or not isinstance(inspectors_per_task, int):
        raise ValueError(f"inspectors per task must be an integer, not {inspectors_per_task!r}")
    if inspectors_per_task < 1:
        raise ValueError(f"inspectors per task must be at least 1, not {inspectors_per_task}")
    return inspectors_per_task


def _text_checked(value: object, what: str) -> str:
    """``value`` when it is a non-empty string; empty names would make rosters ambiguous."""
    if not isinstance(value, str) or value == "":
        raise ValueError(f"{what} {value!r} is not a non-empty string")
    return value


def _rosters_checked(
    *,
    institutions: Iterable[Institution],
    inspectors: Iterable[Inspector],
    conflicts: Iterable[tuple[str, str]],
    ratio_texts: Mapping[str, str],
    inspectors_per_task: object,
) -> _Rosters:
    """The rosters sorted by id, after rejecting anything that would make the draw ambiguous.

    A duplicate id would give an institution two chances or an inspector two loads; a
    grade without a ratio would silently never be inspected; a conflict naming someone
    not on the rosters is most likely a typo that would silently void an avoidance rule.
    """
    institutions_by_id: dict[str, Institution] = {}
    for institution in institutions:
        _text_checked(institution.id, "institution id")
        _text_checked(institution.township, f"the township of institution {institution.id!r}")
        _text_checked(institution.grade, f"the grade of institution {institution.id!r}")
        if institution.id in institutions_by_id:
            raise ValueError(f"institution {institution.id!r} appears twice")
        institutions_by_id[institution.id] = institution
    inspectors_by_id: dict[str, Inspector] = {}
    for inspector in inspectors:
        _text_checked(inspector.id, "inspector id")
        _text_checked(inspector.township, f"the township of inspector {inspector.id!r}")
        if inspector.id in inspectors_by_id:
            raise ValueError(f"inspector {inspector.id!r} appears twice")
        inspectors_by_id[inspector.id] = inspector
    pairs: set[tuple[str, str]] = set()
    for conflict in conflicts:
        if not isinstance(conflict, tuple | list) or len(conflict) != 2:
            raise ValueError(f"conflict {conflict!r} is not an (inspector, institution) pair")
        inspector_id, institution_id = conflict
        if inspector_id not in inspectors_by_id:
            raise ValueError(
                f"conflict ({inspector_id!r}, {institution_id!r}) names inspector {inspector_id!r}, "
                "who is not in the pool"
            )
        if institution_id not in institutions_by_id:
            raise ValueError(
                f"conflict ({inspector_id!r}, {institution_id!r}) names institution {institution_id!r}, "
                "which is not on the roster"
            )
        pairs.add((inspector_id, institution_id))
    ratios = _ratios_exact(ratio_texts)
    for institution in institutions_by_id.values():
        if institution.grade not in ratios:
            raise ValueError(
                f"grade {institution.grade!r} of institution {institution.id!r} has no sampling ratio"
            )
    return _Rosters(
        institutions=tuple(institutions_by_id[id_] for id_ in sorted(institutions_by_id)),
        inspectors=tuple(inspectors_by_id[id_] for id_ in sorted(inspectors_by_id)),
        conflicts=frozenset(pairs),
        ratio_texts=dict(ratio_texts),
        ratios=ratios,
        inspectors_per_task=_inspectors_per_task_checked(inspectors_per_task),
    )


def _rosters_of(
    *,
    institutions: Iterable[Institution],
    inspectors: Iterable[Inspector],
    conflicts: Iterable[tuple[str, str]],
    parameters: DrawParameters,
) -> _Rosters:
    """:func:`_rosters_checked` for the public functions, which take :class:`DrawParameters`."""
    return _rosters_checked(
        institutions=institutions,
        inspectors=inspectors,
        conflicts=conflicts,
        ratio_texts=_ratio_texts(parameters.ratios),
        inspectors_per_task=parameters.inspectors_per_task,
    )


# --------------------------------------------------------------------------------------
# The algorithm
# --------------------------------------------------------------------------------------


def _key_of(seed_bytes: bytes, label: str) -> int:
    """:func:`key` without re-checking the seed, for the inner loops."""
    return int.from_bytes(hmac.digest(seed_bytes, label.encode("utf-8"), "sha256"), "big")


def key(seed: str, label: str) -> int:
    """HMAC-SHA256 of ``label`` keyed by the seed's 32 bytes, as a 256-bit integer.

    Every random choice of the draw is one such key: each depends only on the seed and its
    own label, so anyone can recompute any single one of them.
    """
    return _key_of(bytes.fromhex(_seed_checked(seed)), label)


def _roster_hash_of(rosters: _Rosters) -> str:
    """SHA-256 of the canonical JSON of the rosters (see the module docstring)."""
    canonical = {
        "algorithm": ALGORITHM,
        "institutions": sorted([item.id, item.township, item.grade] for item in rosters.institutions),
        "inspectors": sorted([item.id, item.township] for item in rosters.inspectors),
        "conflicts": sorted([inspector, institution] for inspector, institution in rosters.conflicts),
        "ratios": rosters.ratio_texts,
        "inspectors_per_task": rosters.inspectors_per_task,
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def roster_hash(
    institutions: Iterable[Institution],
    inspectors: Iterable[Inspector],
    conflicts: Iterable[tuple[str, str]],
    parameters: DrawParameters,
) -> str:
    """SHA-256 of everything the draw reads besides the seed, as published at the draw.

    It pins down who could be drawn, who could inspect and under which rules, so that
    none of it can be changed after the seed is revealed without the hash changing.
    """
    return _roster_hash_of(
        _rosters_of(
            institutions=institutions, inspectors=inspectors, conflicts=conflicts, parameters=parameters
        )
    )


def _selected_count(*, count_key: int, ratio: Fraction, population: int) -> int:
    """``floor(r*n)``, plus one with probability ``frac(r*n)``: exactly ``r*n`` on average."""
    expected = ratio * population
    whole = math.floor(expected)
    fraction = expected - whole
    round_up = count_key * fraction.denominator < fraction.numerator * _KEY_RANGE
    return whole + (1 if round_up else 0)


def _draw(seed: str, rosters: _Rosters) -> DrawResult:
    """Select institutions per grade, then staff them in key order (see the module docstring)."""
    seed_bytes = bytes.fromhex(_seed_checked(seed))
    institution_keys = {
        institution.id: _key_of(seed_bytes, f"institution:{institution.id}")
        for institution in rosters.institutions
    }

    def draw_order(institution: Institution) -> tuple[int, str]:
        return institution_keys[institution.id], institution.id

    selected: list[Institution] = []
    selected_by_grade: dict[str, int] = {}
    for grade in sorted(rosters.ratios):
        of_grade = sorted((item for item in rosters.institutions if item.grade == grade), key=draw_order)
        count = _selected_count(
            count_key=_key_of(seed_bytes, f"count:{grade}"),
            ratio=rosters.ratios[grade],
            population=len(of_grade),
        )
        selected.extend(of_grade[:count])
        selected_by_grade[grade] = count

    load = {inspector.id: 0 for inspector in rosters.inspectors}
    tasks: list[Task] = []
    unstaffed: list[str] = []
    k = rosters.inspectors_per_task
    for institution in sorted(selected, key=draw_order):
        eligible = [
            inspector
            for inspector in rosters.inspectors
            if inspector.township != institution.township
            and (inspector.id, institution.id) not in rosters.conflicts
        ]
        if len(eligible) < k:
            unstaffed.append(institution.id)
            continue
        chosen = sorted(
            eligible,
            key=lambda inspector: (
                load[inspector.id],
                _key_of(seed_bytes, f"pair:{institution.id}:{inspector.id}"),
                inspector.id,
            ),
        )[:k]
        for inspector in chosen:
            load[inspector.id] += 1
        tasks.append(Task(institution=institution.id, inspectors=tuple(item.id for item in chosen)))
    return DrawResult(
        algorithm=ALGORITHM,
        seed=seed,
        roster_hash=_roster_hash_of(rosters),
        tasks=tuple(tasks),
        unstaffed=tuple(unstaffed),
        selected_by_grade=selected_by_grade,
    )


def draw_run(
    *,
    seed: str,
    institutions: Iterable[Institution],
    inspectors: Iterable[Inspector],
    conflicts: Iterable[tuple[str, str]],
    parameters: DrawParameters,
) -> DrawResult:
    """Draw the institutions to inspect and their inspectors from a committed seed.

    The order in which the rosters are given does not matter: they are sorted by id first.
    """
    _seed_checked(seed)
    rosters = _rosters_of(
        institutions=institutions, inspectors=inspectors, conflicts=conflicts, parameters=parameters
    )
    return _draw(seed, rosters)


# --------------------------------------------------------------------------------------
# Publication and verification
# --------------------------------------------------------------------------------------


def _publication_of(result: DrawResult, rosters: _Rosters) -> dict[str, object]:
    """The published JSON data of a result and the rosters it was drawn from."""
    return {
        "algorithm": result.algorithm,
        "commitment": commitment_of(result.seed),
        "seed": result.seed,
        "roster_hash": result.roster_hash,
        "parameters": {
            "ratios": dict(sorted(rosters.ratio_texts.items())),
            "inspectors_per_task": rosters.inspectors_per_task,
        },
        "institutions": [
            {"id": item.id, "township": item.township, "grade": item.grade} for item in rosters.institutions
        ],
        "inspectors": [{"id": item.id, "township": item.township} for item in rosters.inspectors],
        "conflicts": sorted([inspector, institution] for inspector, institution in rosters.conflicts),
        "tasks": [
            {"institution": task.institution, "inspectors": list(task.inspectors)} for task in result.tasks
        ],
        "unstaffed": list(result.unstaffed),
    }


def draw_publish(
    result: DrawResult,
    *,
    institutions: Iterable[Institution],
    inspectors: Iterable[Inspector],
    conflicts: Iterable[tuple[str, str]],
    parameters: DrawParameters,
) -> dict[str, object]:
    """The public file of a draw: JSON-ready data with the seed, rosters and outcome.

    Refuses (``ValueError``) rosters other than the ones the result was drawn from, so
    that a publication never contradicts its own roster hash.
    """
    rosters = _rosters_of(
        institutions=institutions, inspectors=inspectors, conflicts=conflicts, parameters=parameters
    )
    actual = _roster_hash_of(rosters)
    if actual != result.roster_hash:
        raise ValueError(
            f"these rosters hash to {actual}, but the result was drawn from rosters hashing to "
            f"{result.roster_hash}"
        )
    return _publication_of(result, rosters)


def _published_rosters(data: Mapping[str, object], problems: list[str]) -> _Rosters | None:
    """The rosters of a publication, or ``None`` (with problems noted) when malformed."""
    parameters = data.get("parameters")
    if not isinstance(parameters, Mapping):
        problems.append("'parameters' is missing or not an object")
        return None
    ratios = parameters.get("ratios")
    if not isinstance(ratios, Mapping) or not all(isinstance(text, str) for text in ratios.values()):
        problems.append("'parameters.ratios' is missing or not an object of ratio texts")
        return None
    institutions: list[Institution] = []
    entries = data.get("institutions")
    if not isinstance(entries, list):
        problems.append("'institutions' is missing or not a list")
        return None
    for position, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not all(
            isinstance(entry.get(name), str) for name in ("id", "township", "grade")
        ):
            problems.append(f"'institutions[{position}]' needs string 'id', 'township' and 'grade'")
            return None
        institutions.append(Institution(id=entry["id"], township=entry["township"], grade=entry["grade"]))
    inspectors: list[Inspector] = []
    entries = data.get("inspectors")
    if not isinstance(entries, list):
        problems.append("'inspectors' is missing or not a list")
        return None
    for position, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not all(
            isinstance(entry.get(name), str) for name in ("id", "township")
        ):
            problems.append(f"'inspectors[{position}]' needs string 'id' and 'township'")
            return None
        inspectors.append(Inspector(id=entry["id"], township=entry["township"]))
    conflicts: list[tuple[str, str]] = []
    entries = data.get("conflicts")
    if not isinstance(entries, list):
        problems.append("'conflicts' is missing or not a list")
        return None
    for position, entry in enumerate(entries):
        if not isinstance(entry, list) or len(entry) != 2 or not all(isinstance(item, str) for item in entry):
            problems.append(f"'conflicts[{position}]' is not an [inspector, institution] pair of strings")
            return None
        conflicts.append((entry[0], entry[1]))
    try:
        return _rosters_checked(
            institutions=institutions,
            inspectors=inspectors,
            conflicts=conflicts,
            ratio_texts=ratios,
            inspectors_per_task=parameters.get("inspectors_per_task"),
        )
    except ValueError as error:
        problems.append(f"the rosters are not valid: {error}")
        return None


def _published_outcome(
    data: Mapping[str, object], problems: list[str]
) -> tuple[list[tuple[str, tuple[str, ...]]], list[str]] | None:
    """The published tasks and unstaffed list, or ``None`` (with problems noted)."""
    entries = data.get("tasks")
    if not isinstance(entries, list):
        problems.append("'tasks' is missing or not a list")
        return None
    tasks: list[tuple[str, tuple[str, ...]]] = []
    for position, entry in enumerate(entries):
        institution = entry.get("institution") if isinstance(entry, Mapping) else None
        inspectors = entry.get("inspectors") if isinstance(entry, Mapping) else None
        if (
            not isinstance(institution, str)
            or not isinstance(inspectors, list)
            or not all(isinstance(item, str) for item in inspectors)
        ):
            problems.append(
                f"'tasks[{position}]' needs a string 'institution' and a list of string 'inspectors'"
            )
            return None
        tasks.append((institution, tuple(inspectors)))
    unstaffed = data.get("unstaffed")
    if not isinstance(unstaffed, list) or not all(isinstance(item, str) for item in unstaffed):
        problems.append("'unstaffed' is missing or not a list of strings")
        return None
    return tasks, unstaffed


def _task_text(task: tuple[str, tuple[str, ...]]) -> str:
    """A task as people read it in a problem: institution and inspectors."""
    return f"{task[0]!r} with inspectors {list(task[1])!r}"


def draw_verify(data: Mapping[str, object], *, noted_commitment: str | None = None) -> list[str]:
    """Problems found when re-running a published draw; an empty list means it checks out.

    Checked: the algorithm is one this module implements, the commitment is the hash of
    the seed, the roster hash is the hash of the published rosters, and re-running the
    draw gives exactly the published tasks (in order, inspectors in order) and unstaffed
    institutions. ``noted_commitment`` is the commitment noted before the draw; it must
    equal the seed's, since the file's own commitment could have been replaced together
    with the seed. Never raises on malformed data: a verifier reports what it cannot check.
    """
    problems: list[str] = []
    texts: dict[str, str] = {}
    for name in ("algorithm", "commitment", "seed", "roster_hash"):
        value = data.get(name)
        if isinstance(value, str):
            texts[name] = value
        else:
            problems.append(f"{name!r} is missing or not a string")
    if texts.get("algorithm", ALGORITHM) != ALGORITHM:
        problems.append(f"unknown algorithm {texts['algorithm']!r}; this verifier implements {ALGORITHM!r}")

    seed = texts.get("seed")
    if seed is not None:
        try:
            _seed_checked(seed)
        except ValueError as error:
            problems.append(str(error))
            seed = None
    if seed is not None:
        actual = commitment_of(seed)
        if "commitment" in texts and texts["commitment"] != actual:
            problems.append(
                f"the seed does not match the published commitment: its commitment is {actual}, "
                f"the file says {texts['commitment']}"
            )
        if noted_commitment is not None and noted_commitment.strip().lower() != actual:
            problems.append(
                f"the seed does not match the commitment noted before the draw: its commitment "
                f"is {actual}, the noted one is {noted_commitment.strip().lower()}"
            )

    rosters = _published_rosters(data, problems)
    if rosters is not None and "roster_hash" in texts:
        actual_hash = _roster_hash_of(rosters)
        if texts["roster_hash"] != actual_hash:
            problems.append(
                f"the rosters do not match the published roster hash: they hash to {actual_hash}, "
                f"the file says {texts['roster_hash']}"
            )

    outcome = _published_outcome(data, problems)
    if seed is None or rosters is None or outcome is None:
        return problems
    published_tasks, published_unstaffed = outcome
    result = _draw(seed, rosters)
    expected_tasks = [(task.institution, task.inspectors) for task in result.tasks]
    for position in range(max(len(published_tasks), len(expected_tasks))):
        if position >= len(expected_tasks):
            problems.append(
                f"task {position + 1} is published as {_task_text(published_tasks[position])}, "
                f"but the re-run has only {len(expected_tasks)} tasks"
            )
        elif position >= len(published_tasks):
            problems.append(
                f"task {position + 1} of the re-run, {_task_text(expected_tasks[position])}, is not published"
            )
        elif published_tasks[position] != expected_tasks[position]:
            problems.append(
                f"task {position + 1} is published as {_task_text(published_tasks[position])}, "
                f"the re-run gives {_task_text(expected_tasks[position])}"
            )
    if published_unstaffed != list(result.unstaffed):
        problems.append(
            f"the unstaffed institutions are published as {published_unstaffed!r}, "
            f"the re-run gives {list(result.unstaffed)!r}"
        )
    return problems
