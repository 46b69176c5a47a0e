"""Tests for the verifiable enrollment lottery and its stand-alone verifier."""

from __future__ import annotations

import csv
import functools
import hashlib
import hmac
import http.server
import io
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuoyu.engine.lottery import (
    ALGORITHM,
    PublishedLottery,
    commitment_of,
    lottery_number,
    lottery_publish,
    lottery_ranks,
    lottery_verify,
    roster_hash,
    seed_new,
)

ZERO_SEED = "00" * 32
REPOSITORY = Path(__file__).resolve().parents[3]
VERIFIER = REPOSITORY / "tools" / "verify_lottery.py"
ROSTER = [f"R3-{number:06d}" for number in range(1, 41)]

references_strategy = st.lists(
    st.text(
        alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\n"), min_size=1, max_size=12
    ),
    unique=True,
    max_size=30,
)
seeds_strategy = st.binary(min_size=32, max_size=32).map(bytes.hex)


# --------------------------------------------------------------------------------------
# The algorithm, by hand
# --------------------------------------------------------------------------------------


def test_a_hand_computed_round_gives_the_expected_hashes_and_ranks() -> None:
    references = ["R1-000002", "R1-000003"]
    key = bytes(32)
    numbers = {
        reference: hmac.new(key, reference.encode("utf-8"), hashlib.sha256).hexdigest()
        for reference in references
    }
    assert {reference: lottery_number(ZERO_SEED, reference) for reference in references} == numbers
    # Test vectors for reimplementations: these must never change for tuoyu-lottery-1.
    assert numbers == {
        "R1-000002": "9d6081481ac7507219641fe430634e1d50f1ce4bf675d64b818261dfc32bb28c",
        "R1-000003": "94bc6d581708eedc6cef79e6cb1a3d5e2fae1bc78d00a06493eb7137f3455791",
    }
    # 94bc... < 9d60...: the later reference draws the better rank.
    assert lottery_ranks(ZERO_SEED, references) == {"R1-000003": 1, "R1-000002": 2}
    assert commitment_of(ZERO_SEED) == hashlib.sha256(ZERO_SEED.encode("ascii")).hexdigest()
    assert roster_hash(["R1-000003", "R1-000002"]) == hashlib.sha256(b"R1-000002\nR1-000003").hexdigest()


def test_an_empty_roster_hashes_the_empty_string_and_has_no_ranks() -> None:
    assert roster_hash([]) == hashlib.sha256(b"").hexdigest()
    assert lottery_ranks(ZERO_SEED, []) == {}


def test_a_new_seed_is_64_lowercase_hex_characters_and_never_repeats() -> None:
    seeds = {seed_new() for _ in range(20)}
    assert len(seeds) == 20
    for seed in seeds:
        assert len(seed) == 64
        assert set(seed) <= set("0123456789abcdef")
        assert len(commitment_of(seed)) == 64


def test_the_same_seed_gives_the_same_order() -> None:
    seed = seed_new()
    assert lottery_ranks(seed, ROSTER) == lottery_ranks(seed, list(reversed(ROSTER)))
    assert lottery_publish(seed=seed, references=ROSTER) == lottery_publish(seed=seed, references=ROSTER)


def test_different_seeds_give_different_orders() -> None:
    seeds = [f"{index:02x}" * 32 for index in range(5)]
    orders = {tuple(sorted(ROSTER, key=lottery_ranks(seed, ROSTER).__getitem__)) for seed in seeds}
    assert len(orders) == len(seeds)


def test_an_applicant_keeps_its_number_when_others_join_or_withdraw() -> None:
    seed = seed_new()
    assert lottery_number(seed, "R3-000007") == lottery_number(seed, "R3-000007")
    small = lottery_ranks(seed, ROSTER[:10])
    large = lottery_ranks(seed, ROSTER)
    assert sorted(small, key=small.__getitem__) == sorted(ROSTER[:10], key=large.__getitem__)


@settings(max_examples=100, deadline=None)
@given(seeds_strategy, references_strategy)
def test_ranks_are_a_permutation_of_one_to_n(seed: str, references: list[str]) -> None:
    ranks = lottery_ranks(seed, references)
    assert set(ranks) == set(references)
    assert sorted(ranks.values()) == list(range(1, len(references) + 1))


@settings(max_examples=50, deadline=None)
@given(seeds_strategy, references_strategy)
def test_a_fresh_publication_verifies_without_problems(seed: str, references: list[str]) -> None:
    published = lottery_publish(seed=seed, references=references)
    data = json.loads(json.dumps(published.to_json()))
    assert lottery_verify(data) == []
    assert lottery_verify(data, noted_commitment=commitment_of(seed).upper()) == []


# --------------------------------------------------------------------------------------
# Invalid input
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ("00" * 31, "64 hex characters long, not 62"),
        ("AB" * 32, "contains 'A'"),
        ("0g" * 32, "contains 'g'"),
        (" " + "0" * 63, "contains ' '"),
    ],
)
def test_an_invalid_seed_is_rejected_with_a_message_naming_the_problem(seed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        commitment_of(seed)
    with pytest.raises(ValueError, match=message):
        lottery_number(seed, "R3-000001")
    with pytest.raises(ValueError, match=message):
        lottery_publish(seed=seed, references=["R3-000001"])


@pytest.mark.parametrize(
    ("references", "message"),
    [
        (["R3-000001", "R3-000002", "R3-000001"], "reference 'R3-000001' appears twice"),
        (["R3-000001", ""], "a reference is empty"),
        (["R3-000001", "R3-0\n00002"], r"reference 'R3-0\\n00002' contains a line feed"),
    ],
)
def test_an_invalid_roster_is_rejected_with_a_message_naming_the_reference(
    references: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        roster_hash(references)
    with pytest.raises(ValueError, match=message):
        lottery_ranks(ZERO_SEED, references)
    with pytest.raises(ValueError, match=message):
        lottery_publish(seed=ZERO_SEED, references=references)


# --------------------------------------------------------------------------------------
# Publication and tampering
# --------------------------------------------------------------------------------------


def published_json(seed: str = ZERO_SEED, references: list[str] = ROSTER) -> dict[str, object]:
    return json.loads(json.dumps(lottery_publish(seed=seed, references=references).to_json()))


def test_the_publication_lists_sorted_references_and_ranks_in_rank_order() -> None:
    published = lottery_publish(seed=ZERO_SEED, references=["R1-000003", "R1-000002"])
    assert isinstance(published, PublishedLottery)
    assert published.to_json() == {
        "algorithm": ALGORITHM,
        "commitment": commitment_of(ZERO_SEED),
        "seed": ZERO_SEED,
        "roster_hash": roster_hash(["R1-000002", "R1-000003"]),
        "references": ["R1-000002", "R1-000003"],
        "ranks": [{"reference": "R1-000003", "rank": 1}, {"reference": "R1-000002", "rank": 2}],
    }


def tampered(change: str) -> dict[str, object]:
    """A correct publication of ``ROSTER`` with one thing changed after the fact."""
    data = published_json()
    ranks = data["ranks"]
    references = data["references"]
    assert isinstance(ranks, list)
    assert isinstance(references, list)
    if change == "seed":
        data["seed"] = "11" * 32
    elif change == "seed and ranks":
        data = published_json(seed="11" * 32)
        data["commitment"] = commitment_of(ZERO_SEED)
    elif change == "added reference":
        references.append("R3-999999")
    elif change == "removed reference":
        references.pop()
    elif change == "swapped ranks":
        ranks[0]["rank"], ranks[1]["rank"] = ranks[1]["rank"], ranks[0]["rank"]
    elif change == "algorithm":
        data["algorithm"] = "tuoyu-lottery-0"
    return data


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("seed", "the seed does not match the published commitment"),
        ("seed and ranks", "the seed does not match the published commitment"),
        ("added reference", "the references do not match the published roster hash"),
        ("removed reference", "the references do not match the published roster hash"),
        ("swapped ranks", "is published with rank 2, the recomputed rank is 1"),
        ("algorithm", "unknown algorithm 'tuoyu-lottery-0'"),
    ],
)
def test_tampering_is_detected_and_described(change: str, problem: str) -> None:
    problems = lottery_verify(tampered(change))
    assert any(problem in line for line in problems), problems


def test_a_seed_swapped_together_with_its_commitment_is_caught_by_the_noted_commitment() -> None:
    other = published_json(seed="11" * 32)
    assert lottery_verify(other) == []
    problems = lottery_verify(other, noted_commitment=commitment_of(ZERO_SEED))
    assert any("the commitment noted when the round opened" in line for line in problems), problems


def test_malformed_data_is_reported_instead_of_raising() -> None:
    data = published_json()
    del data["seed"]
    data["references"] = "R3-000001"
    data["ranks"] = [{"reference": "R3-000001"}]
    problems = lottery_verify(data)
    assert "'seed' is missing or not a string" in problems
    assert "'references' is missing or not a list of strings" in problems
    assert any("'ranks[0]' needs a string 'reference' and an integer 'rank'" in line for line in problems)


# --------------------------------------------------------------------------------------
# The stand-alone verifier, run as a family would run it
# --------------------------------------------------------------------------------------


def run_verifier(source: Path | str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Exit status and output of the verifier run on a file or URL, as a family would run it."""
    return subprocess.run(
        [sys.executable, str(VERIFIER), str(source), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write_json(tmp_path: Path, data: object, name: str = "lottery.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_the_verifier_accepts_a_publication_and_prints_the_same_ranks(tmp_path: Path) -> None:
    seed = seed_new()
    references = [*ROSTER, "R3-临海-1"]
    published = lottery_publish(seed=seed, references=references)
    completed = run_verifier(write_json(tmp_path, published.to_json()), "--commitment", commitment_of(seed))
    assert completed.returncode == 0, completed.stderr
    rows = list(csv.DictReader(io.StringIO(completed.stdout)))
    assert [row["reference"] for row in rows] == sorted(published.ranks, key=published.ranks.__getitem__)
    assert {row["reference"]: int(row["rank"]) for row in rows} == published.ranks
    assert {row["reference"]: row["lottery_number"] for row in rows} == {
        reference: lottery_number(seed, reference) for reference in references
    }


def test_the_verifier_rejects_a_tampered_publication(tmp_path: Path) -> None:
    completed = run_verifier(write_json(tmp_path, tampered("swapped ranks")))
    assert completed.returncode == 1
    assert "the recomputed rank is 1" in completed.stderr
    assert len(completed.stdout.splitlines()) == len(ROSTER) + 1


def test_the_verifier_rejects_a_commitment_that_differs_from_the_noted_one(tmp_path: Path) -> None:
    path = write_json(tmp_path, published_json())
    completed = run_verifier(path, "--commitment", commitment_of("11" * 32))
    assert completed.returncode == 1
    assert "the commitment you noted" in completed.stderr


def test_the_verifier_reports_malformed_json_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "broken-lottery.json"
    path.write_text('{"algorithm": "tuoyu-lottery-1",', encoding="utf-8")
    completed = run_verifier(path)
    assert completed.returncode == 2
    assert "broken-lottery.json" in completed.stderr
    assert completed.stdout == ""


def test_the_verifier_names_the_key_that_is_missing_or_of_the_wrong_type(tmp_path: Path) -> None:
    missing = published_json()
    del missing["roster_hash"]
    completed = run_verifier(write_json(tmp_path, missing, "missing.json"))
    assert completed.returncode == 2
    assert "missing.json" in completed.stderr
    assert "'roster_hash'" in completed.stderr
    wrong = published_json()
    ranks = wrong["ranks"]
    assert isinstance(ranks, list)
    ranks[3]["rank"] = "4"
    completed = run_verifier(write_json(tmp_path, wrong, "wrong.json"))
    assert completed.returncode == 2
    assert "ranks[3].rank" in completed.stderr


def test_the_verifier_reports_a_file_that_does_not_exist(tmp_path: Path) -> None:
    completed = run_verifier(tmp_path / "nowhere.json")
    assert completed.returncode == 2
    assert "nowhere.json" in completed.stderr


def test_the_verifier_imports_nothing_but_the_standard_library() -> None:
    source = VERIFIER.read_text(encoding="utf-8")
    imported = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.startswith(("import ", "from ")) and not line.startswith("from __future__")
    }
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)


def test_the_verifier_downloads_a_publication_from_a_url(tmp_path: Path) -> None:
    write_json(tmp_path, published_json())
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/lottery.json"
            found = run_verifier(url)
            missing = run_verifier(url.replace("lottery.json", "gone.json"))
        finally:
            server.shutdown()
    assert found.returncode == 0, found.stderr
    assert len(found.stdout.splitlines()) == len(ROSTER) + 1
    assert missing.returncode == 2
    assert "gone.json" in missing.stderr


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging every request to the test output."""

    def log_message(self, format: str, *args: object) -> None:
        pass
