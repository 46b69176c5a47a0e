"""A verifiable lottery for central enrollment rounds.

When priorities at a place are otherwise equal (same sibling status, same distance
band, ...), the tie is broken by a lottery rank that every applicant of a round gets
once. Families must be able to check that the platform neither chose the ranks nor
redrew them until it liked the outcome, so the lottery is a commit-and-reveal scheme
that anyone can recompute with a few lines of code and the standard library alone
(``tools/verify_lottery.py`` is such a copy, kept independent of this module).

Order of publication
--------------------

1. When the round opens the platform draws a secret seed (:func:`seed_new`) and
   publishes only its **commitment** (:func:`commitment_of`). Families note it down.
   Since the seed is fixed before anyone knows the roster, it cannot be tuned to favour
   an applicant; since only its hash is public, nobody can compute ranks in advance.
2. After the round closes the platform publishes the **seed**, the **roster** (the
   sorted application references), its **roster hash** and the **ranks**
   (:func:`lottery_publish`, :meth:`PublishedLottery.to_json`). Anyone can then check
   that the seed matches the commitment noted in step 1 and recompute every rank
   (:func:`lottery_verify`).

Algorithm ``tuoyu-lottery-1``
-----------------------------

* The **seed** is 32 random bytes written as 64 lowercase hexadecimal characters.
* The **commitment** is ``SHA-256(seed_text)`` in lowercase hex, where ``seed_text`` is
  the 64 ASCII characters of the seed (the text, not the 32 bytes it encodes).
* The **roster** is the set of application references (such as ``"R3-000123"``):
  non-empty strings without a line feed, no reference twice. The **roster hash** is
  ``SHA-256`` in lowercase hex of the UTF-8 encoding of the references sorted by
  Unicode code point (which is the same order as sorting their UTF-8 bytes) and joined
  with ``"\\n"``, with no trailing line feed. An empty roster hashes the empty string.
* The **lottery number** of a reference is ``HMAC-SHA256(key, message)`` in lowercase
  hex, with ``key`` the 32 bytes the seed encodes and ``message`` the UTF-8 encoding of
  the reference.
* The **ranks** are ``1..n``: applicants sorted by ascending lottery number (compared as
  lowercase hex text, which is the same as comparing the 32-byte values), ties (which
  practically never happen) broken by the reference in code point order. Rank 1 is the
  luckiest.

Only the standard library is used here, so that the stand-alone verifier can mirror
this module line for line.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ALGORITHM = "tuoyu-lottery-1"
SEED_BYTES = 32
_HEX_DIGITS = frozenset("0123456789abcdef")


def seed_new() -> str:
    """A fresh seed: 32 bytes from the operating system's secure generator, in hex.

    ``secrets`` rather than ``random`` because the seed must not be predictable from
    earlier seeds or from the time it was drawn.
    """
    return secrets.token_hex(SEED_BYTES)


def _seed_checked(seed: str) -> str:
    """The seed itself when it is 64 lowercase hex characters, ``ValueError`` otherwise.

    Lowercase only, because the commitment hashes the seed's text: ``"AB.."`` and
    ``"ab.."`` encode the same bytes but have different commitments.
    """
    if not isinstance(seed, str):
        raise ValueError(
            f"the seed must be a string of {2 * SEED_BYTES} hex characters, not {type(seed).__name__}"
        )
    if len(seed) != 2 * SEED_BYTES:
        raise ValueError(f"the seed must be {2 * SEED_BYTES} hex characters long, not {len(seed)}")
    stray = sorted(set(seed) - _HEX_DIGITS)
    if stray:
        raise ValueError(
            f"the seed must consist of lowercase hex characters 0-9 and a-f; it contains {stray[0]!r}"
        )
    return seed


def commitment_of(seed: str) -> str:
    """SHA-256 of the seed's hex text: published when the round opens, before the seed."""
    return hashlib.sha256(_seed_checked(seed).encode("ascii")).hexdigest()


def _roster_checked(references: Iterable[str]) -> list[str]:
    """The references sorted, after rejecting those that would make the roster ambiguous.

    An empty reference or one with a line feed would let two different rosters join to
    the same text (and so the same hash); a duplicate would give one application two
    lottery draws.
    """
    roster: list[str] = []
    seen: set[str] = set()
    for reference in references:
        if not isinstance(reference, str):
            raise ValueError(f"reference {reference!r} is not a string")
        if reference == "":
            raise ValueError("a reference is empty")
        if "\n" in reference:
            raise ValueError(f"reference {reference!r} contains a line feed")
        if reference in seen:
            raise ValueError(f"reference {reference!r} appears twice")
        seen.add(reference)
        roster.append(reference)
    roster.sort()
    return roster


def roster_hash(references: Iterable[str]) -> str:
    """SHA-256 of the sorted references joined with line feeds, as published after closing.

    It pins down who took part, so that applicants cannot be added or dropped after the
    seed is revealed without the published hash changing.
    """
    return hashlib.sha256("\n".join(_roster_checked(references)).encode("utf-8")).hexdigest()


def lottery_number(seed: str, reference: str) -> str:
    """HMAC-SHA256 of the reference keyed by the seed's bytes, in hex.

    A keyed hash rather than a shuffle: each applicant's number depends only on the seed
    and their own reference, so it does not move when other applications are added or
    withdrawn, and a family can check its own number without the whole roster.
    """
    key = bytes.fromhex(_seed_checked(seed))
    return hmac.new(key, reference.encode("utf-8"), hashlib.sha256).hexdigest()


def lottery_ranks(seed: str, references: Iterable[str]) -> dict[str, int]:
    """Rank ``1..n`` of every reference by ascending (lottery number, reference); 1 is luckiest."""
    _seed_checked(seed)
    roster = _roster_checked(references)
    ordered = sorted(roster, key=lambda reference: (lottery_number(seed, reference), reference))
    return {reference: position for position, reference in enumerate(ordered, start=1)}


@dataclass(frozen=True)
class PublishedLottery:
    """Everything published after a round closes; :meth:`to_json` is the public file."""

    algorithm: str
    commitment: str
    seed: str
    roster_hash: str
    references: tuple[str, ...]
    ranks: dict[str, int]

    def to_json(self) -> dict[str, object]:
        """The publication as JSON-ready data: references sorted, ranks listed by rank."""
        return {
            "algorithm": self.algorithm,
            "commitment": self.commitment,
            "seed": self.seed,
            "roster_hash": self.roster_hash,
            "references": sorted(self.references),
            "ranks": [
                {"reference": reference, "rank": rank}
                for reference, rank in sorted(self.ranks.items(), key=lambda item: item[1])
            ],
        }


def lottery_publish(*, seed: str, references: Iterable[str]) -> PublishedLottery:
    """Draw the ranks of a closed round from its committed seed and package the publication."""
    roster = _roster_checked(references)
    return PublishedLottery(
        algorithm=ALGORITHM,
        commitment=commitment_of(seed),
        seed=seed,
        roster_hash=roster_hash(roster),
        references=tuple(roster),
        ranks=lottery_ranks(seed, roster),
    )


def _published_ranks(value: object, problems: list[str]) -> dict[str, int] | None:
    """The ``ranks`` list as a mapping, or ``None`` (with problems noted) when malformed."""
    if not isinstance(value, list):
        problems.append("'ranks' is not a list")
        return None
    ranks: dict[str, int] = {}
    for position, entry in enumerate(value):
        if not isinstance(entry, Mapping):
            problems.append(f"'ranks[{position}]' is not an object")
            return None
        reference, rank = entry.get("reference"), entry.get("rank")
        if not isinstance(reference, str) or isinstance(rank, bool) or not isinstance(rank, int):
            problems.append(f"'ranks[{position}]' needs a string 'reference' and an integer 'rank'")
            return None
        if reference in ranks:
            problems.append(f"reference {reference!r} is ranked twice")
            continue
        ranks[reference] = rank
    return ranks


def lottery_verify(data: Mapping[str, object], *, noted_commitment: str | None = None) -> list[str]:
    """Problems found when recomputing a published lottery; an empty list means it checks out.

    Checked: the algorithm is one this module implements, the commitment is the hash of
    the seed, the roster hash is the hash of the references, and the published ranks are
    exactly the recomputed ones. ``noted_commitment`` is the commitment a family noted
    when the round opened; it must equal the seed's, since the file's own commitment
    could have been replaced together with the seed. Never raises on malformed data: a
    verifier reports what it cannot check instead.
    """
    problems: list[str] = []
    texts: dict[str, str] = {}
    for key in ("algorithm", "commitment", "seed", "roster_hash"):
        value = data.get(key)
        if isinstance(value, str):
            texts[key] = value
        else:
            problems.append(f"{key!r} is missing or not a string")
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
                f"the seed does not match the commitment noted when the round opened: its commitment "
                f"is {actual}, the noted one is {noted_commitment.strip().lower()}"
            )

    references = data.get("references")
    roster: list[str] | None = None
    if not isinstance(references, list) or not all(isinstance(item, str) for item in references):
        problems.append("'references' is missing or not a list of strings")
    else:
        try:
            roster = _roster_checked(references)
        except ValueError as error:
            problems.append(f"the references are not a valid roster: {error}")
    if roster is not None and "roster_hash" in texts and texts["roster_hash"] != roster_hash(roster):
        problems.append(
            f"the references do not match the published roster hash: they hash to {roster_hash(roster)}, "
            f"the file says {texts['roster_hash']}"
        )

    published = _published_ranks(data.get("ranks"), problems)
    if seed is None or roster is None or published is None:
        return problems
    expected = lottery_ranks(seed, roster)
    for reference in sorted(published.keys() - expected.keys()):
        problems.append(f"{reference!r} is ranked but is not in the references")
    for reference in sorted(expected.keys() - published.keys(), key=expected.__getitem__):
        problems.append(f"{reference!r} is in the references but has no rank")
    for reference in sorted(published.keys() & expected.keys(), key=expected.__getitem__):
        if published[reference] != expected[reference]:
            problems.append(
                f"{reference!r} is published with rank {published[reference]}, "
                f"the recomputed rank is {expected[reference]}"
            )
    return problems
