#!/usr/bin/env python3
"""Check a published enrollment lottery of the Linhai childcare platform, independently.

Usage::

    python tools/verify_lottery.py PUBLISHED.json
    python tools/verify_lottery.py https://host/path/lottery.json
    python tools/verify_lottery.py PUBLISHED.json --commitment 3f5a...e1

The file is the one the platform publishes after a round closes: an object with
``algorithm``, ``commitment``, ``seed``, ``roster_hash``, ``references`` (list of
application references) and ``ranks`` (list of ``{"reference", "rank"}``). Pass
``--commitment`` with the commitment you noted down when the round opened: the file's
own commitment proves nothing if the seed was replaced together with it.

The tool recomputes every lottery number and rank from the seed and the references with
its own copy of the algorithm ``tuoyu-lottery-1`` (described in the module docstring of
``tuoyu/engine/lottery.py``), using the Python standard library only, so it can be run
without installing or trusting the platform's code. It prints ``rank,reference,
lottery_number`` as CSV on standard output for every applicant, problems on standard
error, and exits with

* 0 when everything matches,
* 1 when something does not match (commitment, roster hash, ranks, algorithm),
* 2 when the input cannot be read (missing file, failed download, invalid JSON, a key
  missing or of the wrong type).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

ALGORITHM = "tuoyu-lottery-1"
EXIT_OK = 0
EXIT_MISMATCH = 1
EXIT_UNREADABLE = 2
_HEX_DIGITS = frozenset("0123456789abcdef")
_DOWNLOAD_TIMEOUT_SECONDS = 30


class UnreadableError(Exception):
    """The input cannot be checked at all; the message names the source and the key."""


def is_seed_text(text: str) -> bool:
    """Whether ``text`` is a seed or a hash: 64 lowercase hex characters."""
    return len(text) == 64 and set(text) <= _HEX_DIGITS


def commitment_of(seed: str) -> str:
    """SHA-256 of the seed's 64-character hex text (not of the bytes it encodes)."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def roster_hash(references: list[str]) -> str:
    """SHA-256 of the references sorted by code point, joined by line feeds, UTF-8."""
    return hashlib.sha256("\n".join(sorted(references)).encode("utf-8")).hexdigest()


def lottery_number(seed: str, reference: str) -> str:
    """HMAC-SHA256 keyed by the seed's 32 bytes over the reference's UTF-8 bytes."""
    return hmac.new(bytes.fromhex(seed), reference.encode("utf-8"), hashlib.sha256).hexdigest()


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


def parse_publication(source: str, text: str) -> tuple[dict[str, str], list[str], list[tuple[str, int]]]:
    """The text fields, the references and the published (reference, rank) pairs.

    Only the shape is checked here; whether the values agree is for :func:`problems_of`.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableError(f"{source}: not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise UnreadableError(f"{source}: the top level must be a JSON object")
    fields: dict[str, str] = {}
    for key in ("algorithm", "commitment", "seed", "roster_hash"):
        if key not in data:
            raise UnreadableError(f"{source}: key {key!r} is missing")
        if not isinstance(data[key], str):
            raise UnreadableError(f"{source}: key {key!r} must be a string")
        fields[key] = data[key]
    if not is_seed_text(fields["seed"]):
        raise UnreadableError(f"{source}: key 'seed' must be 64 lowercase hex characters")
    if "references" not in data:
        raise UnreadableError(f"{source}: key 'references' is missing")
    references = data["references"]
    if not isinstance(references, list):
        raise UnreadableError(f"{source}: key 'references' must be a list")
    for position, reference in enumerate(references):
        if not isinstance(reference, str) or reference == "" or "\n" in reference:
            raise UnreadableError(
                f"{source}: key 'references[{position}]' must be a non-empty string without a line feed"
            )
    if "ranks" not in data:
        raise UnreadableError(f"{source}: key 'ranks' is missing")
    if not isinstance(data["ranks"], list):
        raise UnreadableError(f"{source}: key 'ranks' must be a list")
    ranks: list[tuple[str, int]] = []
    for position, entry in enumerate(data["ranks"]):
        key = f"ranks[{position}]"
        if not isinstance(entry, dict):
            raise UnreadableError(f"{source}: key {key!r} must be an object")
        reference, rank = entry.get("reference"), entry.get("rank")
        if not isinstance(reference, str):
            raise UnreadableError(f"{source}: key '{key}.reference' must be a string")
        if isinstance(rank, bool) or not isinstance(rank, int):
            raise UnreadableError(f"{source}: key '{key}.rank' must be an integer")
        ranks.append((reference, rank))
    return fields, references, ranks


def recomputed_ranks(seed: str, references: list[str]) -> list[tuple[int, str, str]]:
    """(rank, reference, lottery number) by ascending (lottery number, reference)."""
    drawn = sorted((lottery_number(seed, reference), reference) for reference in set(references))
    return [(rank, reference, number) for rank, (number, reference) in enumerate(drawn, start=1)]


def problems_of(
    fields: dict[str, str],
    references: list[str],
    published: list[tuple[str, int]],
    recomputed: list[tuple[int, str, str]],
    noted_commitment: str | None,
) -> list[str]:
    """Every disagreement between the publication and the recomputation, readably."""
    problems: list[str] = []
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
    seen: set[str] = set()
    for reference in references:
        if reference in seen:
            problems.append(f"reference {reference!r} appears twice in 'references'")
        seen.add(reference)
    actual_roster = roster_hash(sorted(seen))
    if fields["roster_hash"] != actual_roster:
        problems.append(
            f"the references do not match the roster hash: they hash to {actual_roster}, "
            f"the file says {fields['roster_hash']}"
        )
    expected = {reference: rank for rank, reference, _ in recomputed}
    given: dict[str, int] = {}
    for reference, rank in published:
        if reference in given:
            problems.append(f"{reference!r} is ranked twice in 'ranks'")
            continue
        given[reference] = rank
        if reference not in expected:
            problems.append(f"{reference!r} is ranked but is not in 'references'")
        elif rank != expected[reference]:
            problems.append(
                f"{reference!r} is published with rank {rank}, the recomputed rank is {expected[reference]}"
            )
    for _, reference, _ in recomputed:
        if reference not in given:
            problems.append(f"{reference!r} is in 'references' but has no rank")
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
        description="Recompute a published tuoyu enrollment lottery and check it.",
    )
    parser.add_argument("source", help="the published JSON file, or an http(s) URL of it")
    parser.add_argument(
        "--commitment",
        type=commitment_argument,
        help="the commitment published when the round opened (64 hex characters)",
    )
    arguments = parser.parse_args(argv)
    try:
        fields, references, published = parse_publication(arguments.source, read_source(arguments.source))
    except UnreadableError as error:
        print(f"verify_lottery: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    recomputed = recomputed_ranks(fields["seed"], references)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["rank", "reference", "lottery_number"])
    writer.writerows(recomputed)
    problems = problems_of(fields, references, published, recomputed, arguments.commitment)
    for problem in problems:
        print(f"verify_lottery: {problem}", file=sys.stderr)
    if problems:
        print(f"verify_lottery: {len(problems)} problem(s) found in {arguments.source}", file=sys.stderr)
        return EXIT_MISMATCH
    print(
        f"verify_lottery: {arguments.source}: all {len(recomputed)} ranks, the commitment and the roster "
        "hash match",
        file=sys.stderr,
    )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
