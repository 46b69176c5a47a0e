#!/usr/bin/env python3
"""Check a published 双随机 inspection draw of the Linhai childcare platform, independently.

Usage::

    python tools/verify_draw.py PUBLISHED.json
    python tools/verify_draw.py https://host/path/draw.json
    python tools/verify_draw.py PUBLISHED.json --commitment 3f5a...e1

The file is the one the platform publishes at the draw: an object with ``algorithm``,
``commitment``, ``seed``, ``roster_hash``, ``parameters`` (``ratios``: grade to ratio
text, ``inspectors_per_task``), ``institutions`` (list of ``{"id", "township",
"grade"}``), ``inspectors`` (list of ``{"id", "township"}``), ``conflicts`` (list of
``[inspector, institution]``), ``tasks`` (list of ``{"institution", "inspectors"}``) and
``unstaffed`` (list of institution ids). Pass ``--commitment`` with the commitment you
noted before the draw: the file's own commitment proves nothing if the seed was replaced
together with it.

The tool re-runs the draw from the seed and the rosters with its own copy of the
algorithm ``tuoyu-draw-1`` (described in the module docstring of
``tuoyu/engine/draw.py``), using the Python standard library only, so it can be run
without installing or trusting the platform's code. It prints the re-run as CSV on
standard output, with the header ``institution,inspectors``: one row per task in draw
order, the inspectors joined by ``;`` in the order they were chosen, then one row per
unstaffed institution (selected, but fewer eligible inspectors than a task needs) with
an empty ``inspectors`` field. Problems go to standard error. It exits with

* 0 when everything matches,
* 1 when something does not match (commitment, roster hash, tasks, unstaffed
  institutions, algorithm) or the rosters break a rule (an id twice, a conflict naming
  someone not on the rosters),
* 2 when the input cannot be read (missing file, failed download, invalid JSON, a key
  missing or of the wrong type, a ratio that is not a decimal in [0, 1], a grade
  without a ratio).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import json
import math
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

ALGORITHM = "tuoyu-draw-1"
EXIT_OK = 0
EXIT_MISMATCH = 1
EXIT_UNREADABLE = 2
_HEX_DIGITS = frozenset("0123456789abcdef")
_RATIO_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_KEY_RANGE = 2**256
_DOWNLOAD_TIMEOUT_SECONDS = 30


class UnreadableError(Exception):
    """The input cannot be checked at all; the message names the source and the key."""


@dataclass(frozen=True)
class Publication:
    """The published file, with its shape checked but its values not yet compared."""

    fields: dict[str, str]
    ratio_texts: dict[str, str]
    inspectors_per_task: int
    institutions: list[tuple[str, str, str]]
    inspectors: list[tuple[str, str]]
    conflicts: list[tuple[str, str]]
    tasks: list[tuple[str, tuple[str, ...]]]
    unstaffed: list[str]


def is_seed_text(text: str) -> bool:
    """Whether ``text`` is a seed or a hash: 64 lowercase hex characters."""
    return len(text) == 64 and set(text) <= _HEX_DIGITS


def commitment_of(seed: str) -> str:
    """SHA-256 of the seed's 64-character hex text (not of the bytes it encodes)."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def key(seed: str, label: str) -> int:
    """HMAC-SHA256 keyed by the seed's 32 bytes over the label's UTF-8 bytes, big-endian."""
    return int.from_bytes(
        hmac.new(bytes.fromhex(seed), label.encode("utf-8"), hashlib.sha256).digest(), "big"
    )


def roster_hash(publication: Publication) -> str:
    """SHA-256 of the canonical JSON of the rosters: keys sorted, no spaces, UTF-8."""
    canonical = {
        "algorithm": ALGORITHM,
        "institutions": sorted([list(item) for item in publication.institutions]),
        "inspectors": sorted([list(item) for item in publication.inspectors]),
        "conflicts": sorted([list(pair) for pair in set(publication.conflicts)]),
        "ratios": publication.ratio_texts,
        "inspectors_per_task": publication.inspectors_per_task,
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_source(source: str) -> str:
    """The text of a local file or of an http(s) URL."""
    if source.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(source, timeout=_DOWNLOAD_TIMEOUT_SECONDS) as response:
                body: bytes = response.read()
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise UnreadableError(f"{source}: cannot download: {error}") from error
    else:
        try:
            body = Path(source).read_bytes()
        except OSError as error:
            raise UnreadableError(f"{source}: cannot read: {error.strerror or error}") from error
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableError(f"{source}: not UTF-8 text: {error}") from error


def _strings(source: str, entry: object, key_name: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The named string fields of one roster entry, or the key that is wrong."""
    if not isinstance(entry, dict):
        raise UnreadableError(f"{source}: key {key_name!r} must be an object")
    values: list[str] = []
    for name in names:
        value = entry.get(name)
        if not isinstance(value, str) or value == "":
            raise UnreadableError(f"{source}: key '{key_name}.{name}' must be a non-empty string")
        values.append(value)
    return tuple(values)


def _list_of(source: str, data: dict[str, object], name: str) -> list[object]:
    """``data[name]`` when it is present and a list."""
    if name not in data:
        raise UnreadableError(f"{source}: key {name!r} is missing")
    value = data[name]
    if not isinstance(value, list):
        raise UnreadableError(f"{source}: key {name!r} must be a list")
    return value


def parse_publication(source: str, text: str) -> Publication:
    """The publication's fields, rosters and outcome.

    Only the shape is checked here, and what the re-run needs to be possible at all;
    whether the values agree is for :func:`problems_of`.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableError(f"{source}: not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise UnreadableError(f"{source}: the top level must be a JSON object")
    fields: dict[str, str] = {}
    for name in ("algorithm", "commitment", "seed", "roster_hash"):
        if name not in data:
            raise UnreadableError(f"{source}: key {name!r} is missing")
        if not isinstance(data[name], str):
            raise UnreadableError(f"{source}: key {name!r} must be a string")
        fields[name] = data[name]
    if not is_seed_text(fields["seed"]):
        raise UnreadableError(f"{source}: key 'seed' must be 64 lowercase hex characters")

    parameters = data.get("parameters")
    if not isinstance(parameters, dict):
        raise UnreadableError(f"{source}: key 'parameters' is missing or not an object")
    ratios = parameters.get("ratios")
    if not isinstance(ratios, dict):
        raise UnreadableError(f"{source}: key 'parameters.ratios' is missing or not an object")
    ratio_texts: dict[str, str] = {}
    for grade, ratio in ratios.items():
        if grade == "":
            raise UnreadableError(f"{source}: key 'parameters.ratios' must not have an empty grade")
        if (
            not isinstance(ratio, str)
            or _RATIO_TEXT.fullmatch(ratio) is None
            or not 0 <= Fraction(ratio) <= 1
        ):
            raise UnreadableError(
                f"{source}: key 'parameters.ratios.{grade}' must be a decimal number between 0 and 1 "
                "written as a string"
            )
        ratio_texts[grade] = ratio
    k = parameters.get("inspectors_per_task")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise UnreadableError(
            f"{source}: key 'parameters.inspectors_per_task' must be an integer of at least 1"
        )

    institutions: list[tuple[str, str, str]] = []
    for position, entry in enumerate(_list_of(source, data, "institutions")):
        id_, township, grade = _strings(
            source, entry, f"institutions[{position}]", ("id", "township", "grade")
        )
        if grade not in ratio_texts:
            raise UnreadableError(
                f"{source}: key 'institutions[{position}].grade' is {grade!r}, which has no ratio in "
                "'parameters.ratios'"
            )
        institutions.append((id_, township, grade))
    inspectors: list[tuple[str, str]] = []
    for position, entry in enumerate(_list_of(source, data, "inspectors")):
        id_, township = _strings(source, entry, f"inspectors[{position}]", ("id", "township"))
        inspectors.append((id_, township))
    conflicts: list[tuple[str, str]] = []
    for position, entry in enumerate(_list_of(source, data, "conflicts")):
        if not isinstance(entry, list) or len(entry) != 2 or not all(isinstance(item, str) for item in entry):
            raise UnreadableError(
                f"{source}: key 'conflicts[{position}]' must be an [inspector, institution] pair of strings"
            )
        conflicts.append((entry[0], entry[1]))

    tasks: list[tuple[str, tuple[str, ...]]] = []
    for position, entry in enumerate(_list_of(source, data, "tasks")):
        name = f"tasks[{position}]"
        if not isinstance(entry, dict):
            raise UnreadableError(f"{source}: key {name!r} must be an object")
        institution, assigned = entry.get("institution"), entry.get("inspectors")
        if not isinstance(institution, str):
            raise UnreadableError(f"{source}: key '{name}.institution' must be a string")
        if not isinstance(assigned, list) or not all(isinstance(item, str) for item in assigned):
            raise UnreadableError(f"{source}: key '{name}.inspectors' must be a list of strings")
        tasks.append((institution, tuple(assigned)))
    unstaffed: list[str] = []
    for position, entry in enumerate(_list_of(source, data, "unstaffed")):
        if not isinstance(entry, str):
            raise UnreadableError(f"{source}: key 'unstaffed[{position}]' must be a string")
        unstaffed.append(entry)
    return Publication(
        fields=fields,
        ratio_texts=ratio_texts,
        inspectors_per_task=k,
        institutions=institutions,
        inspectors=inspectors,
        conflicts=conflicts,
        tasks=tasks,
        unstaffed=unstaffed,
    )


def selected_count(seed: str, grade: str, ratio_text: str, population: int) -> int:
    """floor(r*n), plus one when key("count:" + grade) / 2**256 < frac(r*n), exactly."""
    expected = Fraction(ratio_text) * population
    whole = math.floor(expected)
    fraction = expected - whole
    round_up = key(seed, f"count:{grade}") * fraction.denominator < fraction.numerator * _KEY_RANGE
    return whole + (1 if round_up else 0)


def redraw(publication: Publication) -> tuple[list[tuple[str, tuple[str, ...]]], list[str]]:
    """The tasks and unstaffed institutions that the seed and rosters give, in draw order.

    Of an id listed twice only the first entry counts; :func:`problems_of` reports it.
    """
    seed = publication.fields["seed"]
    institutions: dict[str, tuple[str, str]] = {}
    for id_, township, grade in publication.institutions:
        institutions.setdefault(id_, (township, grade))
    inspectors: dict[str, str] = {}
    for id_, township in publication.inspectors:
        inspectors.setdefault(id_, township)
    conflicts = set(publication.conflicts)
    order = {id_: (key(seed, f"institution:{id_}"), id_) for id_ in institutions}

    selected: list[str] = []
    for grade in sorted(publication.ratio_texts):
        of_grade = sorted((id_ for id_, (_, g) in institutions.items() if g == grade), key=order.__getitem__)
        count = selected_count(seed, grade, publication.ratio_texts[grade], len(of_grade))
        selected.extend(of_grade[:count])

    load = dict.fromkeys(inspectors, 0)
    tasks: list[tuple[str, tuple[str, ...]]] = []
    unstaffed: list[str] = []
    k = publication.inspectors_per_task
    for institution in sorted(selected, key=order.__getitem__):
        township = institutions[institution][0]
        eligible = [
            inspector
            for inspector in sorted(inspectors)
            if inspectors[inspector] != township and (inspector, institution) not in conflicts
        ]
        if len(eligible) < k:
            unstaffed.append(institution)
            continue
        chosen = sorted(
            eligible,
            key=lambda inspector: (load[inspector], key(seed, f"pair:{institution}:{inspector}"), inspector),
        )[:k]
        for inspector in chosen:
            load[inspector] += 1
        tasks.append((institution, tuple(chosen)))
    return tasks, unstaffed


def _task_text(task: tuple[str, tuple[str, ...]]) -> str:
    """A task as people read it: the institution and its inspectors joined by ';'."""
    return f"{task[0]!r} with inspectors {';'.join(task[1])!r}"


def problems_of(
    publication: Publication,
    tasks: list[tuple[str, tuple[str, ...]]],
    unstaffed: list[str],
    noted_commitment: str | None,
) -> list[str]:
    """Every disagreement between the publication and the re-run, readably."""
    problems: list[str] = []
    fields = publication.fields
    if fields["algorithm"] != ALGORITHM:
        problems.append(f"unknown algorithm {fields['algorithm']!r}; this tool implements {ALGORITHM!r}")
    actual = commitment_of(fields["seed"])
    if fields["commitment"] != actual:
        problems.append(
            f"the seed does not match the file's commitment: the seed's commitment is {actual}, "
            f"the file says {fields['commitment']}"
        )
    if noted_commitment is not None and noted_commitment != actual:
        problems.append(
            f"the seed does not match the commitment you noted: the seed's commitment is {actual}, "
            f"you noted {noted_commitment}"
        )
    institution_ids = [id_ for id_, _, _ in publication.institutions]
    inspector_ids = [id_ for id_, _ in publication.inspectors]
    for what, ids in (("institution", institution_ids), ("inspector", inspector_ids)):
        seen: set[str] = set()
        for id_ in ids:
            if id_ in seen:
                problems.append(f"{what} {id_!r} appears twice")
            seen.add(id_)
    for inspector, institution in publication.conflicts:
        if inspector not in inspector_ids or institution not in institution_ids:
            problems.append(f"conflict [{inspector!r}, {institution!r}] names someone not on the rosters")
    actual_roster = roster_hash(publication)
    if fields["roster_hash"] != actual_roster:
        problems.append(
            f"the rosters do not match the roster hash: they hash to {actual_roster}, "
            f"the file says {fields['roster_hash']}"
        )
    published = publication.tasks
    for position in range(max(len(published), len(tasks))):
        if position >= len(tasks):
            problems.append(
                f"task {position + 1} is published as {_task_text(published[position])}, "
                f"but the re-run has only {len(tasks)} tasks"
            )
        elif position >= len(published):
            problems.append(
                f"task {position + 1} of the re-run, {_task_text(tasks[position])}, is not published"
            )
        elif published[position] != tasks[position]:
            problems.append(
                f"task {position + 1} is published as {_task_text(published[position])}, "
                f"the re-run gives {_task_text(tasks[position])}"
            )
    if publication.unstaffed != unstaffed:
        problems.append(
            f"the unstaffed institutions are published as {';'.join(publication.unstaffed)!r}, "
            f"the re-run gives {';'.join(unstaffed)!r}"
        )
    return problems


def commitment_argument(text: str) -> str:
    """``--commitment`` as typed by a person: surrounding spaces and capitals are forgiven."""
    commitment = text.strip().lower()
    if not is_seed_text(commitment):
        raise argparse.ArgumentTypeError(f"{text!r} is not 64 hex characters")
    return commitment


def main(argv: list[str] | None = None) -> int:
    """Run the checks; see the module docstring for the exit statuses."""
    parser = argparse.ArgumentParser(
        description="Re-run a published tuoyu inspection draw (双随机、一公开) and check it.",
    )
    parser.add_argument("source", help="the published JSON file, or an http(s) URL of it")
    parser.add_argument(
        "--commitment",
        type=commitment_argument,
        help="the commitment published before the draw (64 hex characters)",
    )
    arguments = parser.parse_args(argv)
    try:
        publication = parse_publication(arguments.source, read_source(arguments.source))
    except UnreadableError as error:
        print(f"verify_draw: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    tasks, unstaffed = redraw(publication)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["institution", "inspectors"])
    writer.writerows([institution, ";".join(inspectors)] for institution, inspectors in tasks)
    writer.writerows([institution, ""] for institution in unstaffed)
    problems = problems_of(publication, tasks, unstaffed, arguments.commitment)
    for problem in problems:
        print(f"verify_draw: {problem}", file=sys.stderr)
    if problems:
        print(f"verify_draw: {len(problems)} problem(s) found in {arguments.source}", file=sys.stderr)
        return EXIT_MISMATCH
    print(
        f"verify_draw: {arguments.source}: all {len(tasks)} tasks, {len(unstaffed)} unstaffed "
        "institution(s), the commitment and the roster hash match",
        file=sys.stderr,
    )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
