"""Tests for the verifiable 双随机 inspection draw and its stand-alone verifier."""

from __future__ import annotations

import csv
import hashlib
import hmac
import importlib.util
import io
import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuoyu.engine.draw import (
    ALGORITHM,
    DEFAULT_RATIOS,
    DrawParameters,
    DrawResult,
    Inspector,
    Institution,
    Task,
    commitment_of,
    draw_publish,
    draw_run,
    draw_verify,
    key,
    roster_hash,
)

ZERO_SEED = "00" * 32
REPOSITORY = Path(__file__).resolve().parents[3]
VERIFIER = REPOSITORY / "tools" / "verify_draw.py"

# The hand-computed case: see test_a_hand_computed_draw_gives_the_expected_tasks.
HAND_INSTITUTIONS = [
    Institution(id="K1", township="古城街道", grade="A"),
    Institution(id="K2", township="大洋街道", grade="A"),
    Institution(id="K3", township="杜桥镇", grade="D"),
    Institution(id="K4", township="古城街道", grade="B"),
]
HAND_INSPECTORS = [
    Inspector(id="P1", township="古城街道"),
    Inspector(id="P2", township="大洋街道"),
    Inspector(id="P3", township="江南街道"),
]
HAND_CONFLICTS = [("P2", "K3"), ("P3", "K2")]
HAND_PARAMETERS = DrawParameters(ratios={"A": 0.5, "B": 0.9, "D": 1.0}, inspectors_per_task=2)


def hmac_key(seed: str, label: str) -> int:
    """The key of a label, computed here independently of the module."""
    return int.from_bytes(
        hmac.new(bytes.fromhex(seed), label.encode("utf-8"), hashlib.sha256).digest(), "big"
    )


def seed_of(number: int) -> str:
    """A reproducible seed for statistical tests."""
    return hashlib.sha256(str(number).encode()).hexdigest()


def hand_draw(seed: str = ZERO_SEED) -> DrawResult:
    return draw_run(
        seed=seed,
        institutions=HAND_INSTITUTIONS,
        inspectors=HAND_INSPECTORS,
        conflicts=HAND_CONFLICTS,
        parameters=HAND_PARAMETERS,
    )


def selected_of(result: DrawResult) -> set[str]:
    return {task.institution for task in result.tasks} | set(result.unstaffed)


# --------------------------------------------------------------------------------------
# The algorithm, by hand
# --------------------------------------------------------------------------------------


def test_a_hand_computed_draw_gives_the_expected_tasks() -> None:
    institution_keys = {item.id: hmac_key(ZERO_SEED, f"institution:{item.id}") for item in HAND_INSTITUTIONS}
    assert {name: key(ZERO_SEED, f"institution:{name}") for name in institution_keys} == institution_keys
    # Grade A, ratio 0.5 of 2 institutions: exactly one, the one with the smaller key.
    assert institution_keys["K2"] < institution_keys["K1"]
    # Grade B, ratio 0.9 of 1 institution: floor(0.9) = 0, plus one as the count key is below 0.9.
    assert hmac_key(ZERO_SEED, "count:B") < 0.9 * 2**256
    # Grade D, ratio 1: K3. Staffing order by institution key: K3, K4, K2.
    assert institution_keys["K3"] < institution_keys["K4"] < institution_keys["K2"]
    # K3 (杜桥镇): P2 declared a conflict, so P1 and P3, both at load 0, in pair-key order.
    assert hmac_key(ZERO_SEED, "pair:K3:P1") < hmac_key(ZERO_SEED, "pair:K3:P3")
    # K4 (古城街道): P1 is local, leaving P2 (load 0) and P3 (load 1): load before key.
    assert hmac_key(ZERO_SEED, "pair:K4:P3") < hmac_key(ZERO_SEED, "pair:K4:P2")
    # K2 (大洋街道): P2 is local and P3 declared a conflict: one eligible inspector, not two.
    result = hand_draw()
    assert result == DrawResult(
        algorithm=ALGORITHM,
        seed=ZERO_SEED,
        roster_hash=roster_hash(HAND_INSTITUTIONS, HAND_INSPECTORS, HAND_CONFLICTS, HAND_PARAMETERS),
        tasks=(
            Task(institution="K3", inspectors=("P1", "P3")),
            Task(institution="K4", inspectors=("P2", "P3")),
        ),
        unstaffed=("K2",),
        selected_by_grade={"A": 1, "B": 1, "D": 1},
    )


def test_the_roster_hash_is_the_sha256_of_the_canonical_json() -> None:
    canonical = {
        "algorithm": "tuoyu-draw-1",
        "conflicts": [["P2", "K3"], ["P3", "K2"]],
        "inspectors": [["P1", "古城街道"], ["P2", "大洋街道"], ["P3", "江南街道"]],
        "inspectors_per_task": 2,
        "institutions": [
            ["K1", "古城街道", "A"],
            ["K2", "大洋街道", "A"],
            ["K3", "杜桥镇", "D"],
            ["K4", "古城街道", "B"],
        ],
        "ratios": {"A": "0.5", "B": "0.9", "D": "1.0"},
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert '"古城街道"' in text
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert roster_hash(HAND_INSTITUTIONS, HAND_INSPECTORS, HAND_CONFLICTS, HAND_PARAMETERS) == expected
    assert (
        roster_hash(
            reversed(HAND_INSTITUTIONS),
            reversed(HAND_INSPECTORS),
            [*HAND_CONFLICTS, ("P2", "K3")],
            HAND_PARAMETERS,
        )
        == expected
    )


def test_the_default_parameters_are_the_published_ratios_and_two_inspectors() -> None:
    parameters = DrawParameters()
    assert dict(parameters.ratios) == {"A": 0.10, "B": 0.20, "C": 0.50, "D": 1.00} == dict(DEFAULT_RATIOS)
    assert parameters.inspectors_per_task == 2


def test_the_same_inputs_give_the_same_draw_in_any_roster_order() -> None:
    seed = seed_of(7)
    first = hand_draw(seed)
    again = draw_run(
        seed=seed,
        institutions=list(reversed(HAND_INSTITUTIONS)),
        inspectors=list(reversed(HAND_INSPECTORS)),
        conflicts=list(reversed(HAND_CONFLICTS)),
        parameters=DrawParameters(ratios={"D": 1.0, "B": 0.9, "A": 0.5}),
    )
    assert first == again == hand_draw(seed)


def test_different_seeds_give_different_draws() -> None:
    institutions = [
        Institution(id=f"K{number}", township=f"T{number % 3}", grade="B") for number in range(40)
    ]
    inspectors = [Inspector(id=f"P{number}", township=f"T{number % 4}") for number in range(12)]
    draws = {
        draw_run(
            seed=seed_of(number),
            institutions=institutions,
            inspectors=inspectors,
            conflicts=[],
            parameters=DrawParameters(),
        ).tasks
        for number in range(5)
    }
    assert len(draws) == 5


# --------------------------------------------------------------------------------------
# Properties over random rosters
# --------------------------------------------------------------------------------------

TOWNSHIPS = ["古城街道", "大洋街道", "江南街道", "杜桥镇"]


@st.composite
def rosters_strategy(
    draw: st.DrawFn,
) -> tuple[list[Institution], list[Inspector], list[tuple[str, str]], DrawParameters]:
    institutions = [
        Institution(id=f"K{number}", township=township, grade=grade)
        for number, (township, grade) in enumerate(
            draw(
                st.lists(
                    st.tuples(st.sampled_from(TOWNSHIPS), st.sampled_from("ABCD")),
                    max_size=25,
                )
            )
        )
    ]
    inspectors = [
        Inspector(id=f"P{number}", township=township)
        for number, township in enumerate(draw(st.lists(st.sampled_from(TOWNSHIPS), max_size=10)))
    ]
    all_pairs = [(inspector.id, institution.id) for inspector in inspectors for institution in institutions]
    conflicts = draw(st.lists(st.sampled_from(all_pairs), max_size=30)) if all_pairs else []
    ratios = {grade: draw(st.sampled_from([0.0, 0.1, 0.2, 1 / 3, 0.5, 0.75, 1.0])) for grade in "ABCD"}
    parameters = DrawParameters(ratios=ratios, inspectors_per_task=draw(st.integers(1, 3)))
    return institutions, inspectors, conflicts, parameters


seeds_strategy = st.binary(min_size=32, max_size=32).map(bytes.hex)


@settings(max_examples=200, deadline=None)
@given(seeds_strategy, rosters_strategy())
def test_avoidance_is_never_violated_and_every_selected_institution_is_accounted_for(
    seed: str, rosters: tuple[list[Institution], list[Inspector], list[tuple[str, str]], DrawParameters]
) -> None:
    institutions, inspectors, conflicts, parameters = rosters
    result = draw_run(
        seed=seed,
        institutions=institutions,
        inspectors=inspectors,
        conflicts=conflicts,
        parameters=parameters,
    )
    township_of_institution = {item.id: item.township for item in institutions}
    township_of_inspector = {item.id: item.township for item in inspectors}
    conflict_set = set(conflicts)
    k = parameters.inspectors_per_task

    def eligible(institution: str) -> list[str]:
        return [
            inspector
            for inspector, township in township_of_inspector.items()
            if township != township_of_institution[institution]
            and (inspector, institution) not in conflict_set
        ]

    for task in result.tasks:
        assert len(task.inspectors) == k
        assert len(set(task.inspectors)) == k, "an inspector is twice on one task"
        for inspector in task.inspectors:
            assert township_of_inspector[inspector] != township_of_institution[task.institution]
            assert (inspector, task.institution) not in conflict_set
    staffed = [task.institution for task in result.tasks]
    assert not set(staffed) & set(result.unstaffed)
    assert (
        len(staffed) + len(result.unstaffed)
        == len(selected_of(result))
        == sum(result.selected_by_grade.values())
    )
    for institution in result.unstaffed:
        assert len(eligible(institution)) < k
    for institution in staffed:
        assert len(eligible(institution)) >= k
    for grade, count in result.selected_by_grade.items():
        population = sum(1 for item in institutions if item.grade == grade)
        exact = parameters.ratios[grade] * population
        assert math.floor(exact - 1e-9) <= count <= math.ceil(exact + 1e-9)


@settings(max_examples=50, deadline=None)
@given(seeds_strategy, rosters_strategy())
def test_a_fresh_publication_verifies_without_problems(
    seed: str, rosters: tuple[list[Institution], list[Inspector], list[tuple[str, str]], DrawParameters]
) -> None:
    institutions, inspectors, conflicts, parameters = rosters
    published = publish(seed, institutions, inspectors, conflicts, parameters)
    assert draw_verify(published) == []
    assert draw_verify(published, noted_commitment=commitment_of(seed).upper()) == []


def test_selection_frequencies_match_the_ratios_over_many_seeds() -> None:
    ratios = {"A": 0.13, "B": 0.2, "C": 0.55, "D": 1.0, "Z": 0.0}
    per_grade = 40
    seeds = 2000
    institutions = [
        Institution(id=f"{grade}{number:02d}", township="古城街道", grade=grade)
        for grade in ratios
        for number in range(per_grade)
    ]
    shares: Counter[str] = Counter()
    times_selected: Counter[str] = Counter()
    for number in range(seeds):
        result = draw_run(
            seed=seed_of(number),
            institutions=institutions,
            inspectors=[],
            conflicts=[],
            parameters=DrawParameters(ratios=ratios),
        )
        shares.update(result.selected_by_grade)
        times_selected.update(selected_of(result))
    for grade, ratio in ratios.items():
        mean_share = shares[grade] / (per_grade * seeds)
        standard_error = math.sqrt(ratio * (1 - ratio) / (per_grade * seeds))
        assert abs(mean_share - ratio) <= 4 * standard_error + 1e-12, (grade, mean_share)
    for number in range(per_grade):
        assert abs(times_selected[f"B{number:02d}"] / seeds - 0.2) <= 0.05
        assert times_selected[f"D{number:02d}"] == seeds
        assert times_selected[f"Z{number:02d}"] == 0


@pytest.mark.parametrize("number", range(10))
def test_workload_differs_by_at_most_one_among_inspectors_eligible_for_everything(number: int) -> None:
    institutions = [Institution(id=f"K{index:02d}", township="古城街道", grade="D") for index in range(23)]
    inspectors = [Inspector(id=f"P{index}", township=TOWNSHIPS[1 + index % 3]) for index in range(10)]
    result = draw_run(
        seed=seed_of(number),
        institutions=institutions,
        inspectors=inspectors,
        conflicts=[],
        parameters=DrawParameters(inspectors_per_task=2),
    )
    assert len(result.tasks) == 23
    assert result.unstaffed == ()
    load = Counter(inspector for task in result.tasks for inspector in task.inspectors)
    loads = [load[inspector.id] for inspector in inspectors]
    assert sum(loads) == 46
    assert max(loads) - min(loads) <= 1


# --------------------------------------------------------------------------------------
# Invalid input
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seed": "00" * 31}, "64 hex characters long, not 62"),
        ({"seed": "AB" * 32}, "contains 'A'"),
        (
            {"institutions": [*HAND_INSTITUTIONS, Institution(id="K1", township="x", grade="A")]},
            "institution 'K1' appears twice",
        ),
        (
            {"inspectors": [*HAND_INSPECTORS, Inspector(id="P2", township="x")]},
            "inspector 'P2' appears twice",
        ),
        (
            {"institutions": [*HAND_INSTITUTIONS, Institution(id="K9", township="x", grade="C")]},
            "grade 'C' of institution 'K9' has no sampling ratio",
        ),
        ({"conflicts": [("P9", "K1")]}, "names inspector 'P9', who is not in the pool"),
        ({"conflicts": [("P1", "K9")]}, "names institution 'K9', which is not on the roster"),
        ({"institutions": [Institution(id="", township="x", grade="A")]}, "institution id '' is not"),
    ],
)
def test_invalid_rosters_are_rejected_with_a_message_naming_the_problem(
    change: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {
        "seed": ZERO_SEED,
        "institutions": HAND_INSTITUTIONS,
        "inspectors": HAND_INSPECTORS,
        "conflicts": HAND_CONFLICTS,
        "parameters": HAND_PARAMETERS,
        **change,
    }
    with pytest.raises(ValueError, match=message):
        draw_run(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ratios", "inspectors_per_task", "message"),
    [
        ({"A": 1.5}, 2, "the ratio of grade 'A' is 1.5, outside"),
        ({"B": -0.1}, 2, "the ratio of grade 'B' is -0.1, outside"),
        ({"C": float("nan")}, 2, "the ratio of grade 'C' must be a decimal number such as 0.25, not 'nan'"),
        ({"D": True}, 2, "the ratio of grade 'D' must be a decimal number"),
        ({"A": 0.1}, 0, "inspectors per task must be at least 1, not 0"),
    ],
)
def test_invalid_parameters_are_rejected_with_a_message_naming_the_problem(
    ratios: dict[str, float], inspectors_per_task: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        DrawParameters(ratios=ratios, inspectors_per_task=inspectors_per_task)


def test_a_ratio_is_read_exactly_from_its_decimal_text() -> None:
    # 0.1 * 30 is 3.0000000000000004 in floating point; read exactly it is 3, so 3 always.
    institutions = [Institution(id=f"K{number}", township="古城街道", grade="A") for number in range(30)]
    counts = {
        draw_run(
            seed=seed_of(number),
            institutions=institutions,
            inspectors=[],
            conflicts=[],
            parameters=DrawParameters(ratios={"A": 0.1}),
        ).selected_by_grade["A"]
        for number in range(200)
    }
    assert counts == {3}


# --------------------------------------------------------------------------------------
# Publication and tampering
# --------------------------------------------------------------------------------------


def publish(
    seed: str = ZERO_SEED,
    institutions: list[Institution] = HAND_INSTITUTIONS,
    inspectors: list[Inspector] = HAND_INSPECTORS,
    conflicts: list[tuple[str, str]] = HAND_CONFLICTS,
    parameters: DrawParameters = HAND_PARAMETERS,
) -> dict[str, Any]:
    """The published JSON of a draw, through a JSON round trip as a reader would get it."""
    result = draw_run(
        seed=seed,
        institutions=institutions,
        inspectors=inspectors,
        conflicts=conflicts,
        parameters=parameters,
    )
    data = draw_publish(
        result, institutions=institutions, inspectors=inspectors, conflicts=conflicts, parameters=parameters
    )
    loaded: dict[str, Any] = json.loads(json.dumps(data, ensure_ascii=False))
    return loaded


def test_the_publication_lists_the_rosters_sorted_and_the_tasks_in_draw_order() -> None:
    assert publish() == {
        "algorithm": ALGORITHM,
        "commitment": commitment_of(ZERO_SEED),
        "seed": ZERO_SEED,
        "roster_hash": roster_hash(HAND_INSTITUTIONS, HAND_INSPECTORS, HAND_CONFLICTS, HAND_PARAMETERS),
        "parameters": {"ratios": {"A": "0.5", "B": "0.9", "D": "1.0"}, "inspectors_per_task": 2},
        "institutions": [
            {"id": "K1", "township": "古城街道", "grade": "A"},
            {"id": "K2", "township": "大洋街道", "grade": "A"},
            {"id": "K3", "township": "杜桥镇", "grade": "D"},
            {"id": "K4", "township": "古城街道", "grade": "B"},
        ],
        "inspectors": [
            {"id": "P1", "township": "古城街道"},
            {"id": "P2", "township": "大洋街道"},
            {"id": "P3", "township": "江南街道"},
        ],
        "conflicts": [["P2", "K3"], ["P3", "K2"]],
        "tasks": [
            {"institution": "K3", "inspectors": ["P1", "P3"]},
            {"institution": "K4", "inspectors": ["P2", "P3"]},
        ],
        "unstaffed": ["K2"],
    }


def test_a_result_is_not_published_with_other_rosters_than_it_was_drawn_from() -> None:
    with pytest.raises(ValueError, match="the result was drawn from rosters hashing to"):
        draw_publish(
            hand_draw(),
            institutions=HAND_INSTITUTIONS[:3],
            inspectors=HAND_INSPECTORS,
            conflicts=HAND_CONFLICTS,
            parameters=HAND_PARAMETERS,
        )


def big_rosters() -> tuple[list[Institution], list[Inspector], list[tuple[str, str]]]:
    institutions = [
        Institution(id=f"K{number:02d}", township=TOWNSHIPS[number % 4], grade="ABCD"[number % 4])
        for number in range(40)
    ]
    inspectors = [Inspector(id=f"P{number:02d}", township=TOWNSHIPS[number % 4]) for number in range(12)]
    conflicts = [("P00", "K01"), ("P05", "K03"), ("P07", "K39")]
    return institutions, inspectors, conflicts


def tampered(change: str) -> dict[str, Any]:
    """A correct publication of the big rosters with one thing changed after the fact."""
    institutions, inspectors, conflicts = big_rosters()
    data = publish(ZERO_SEED, institutions, inspectors, conflicts, DrawParameters())
    tasks = data["tasks"]
    if change == "seed":
        data["seed"] = "11" * 32
    elif change == "seed and outcome":
        data = publish("11" * 32, institutions, inspectors, conflicts, DrawParameters())
        data["commitment"] = commitment_of(ZERO_SEED)
    elif change == "roster":
        roster = data["institutions"]
        roster[0]["grade"] = "A" if roster[0]["grade"] != "A" else "B"
    elif change == "swapped inspector":
        assigned = tasks[0]["inspectors"]
        assigned[0] = next(item["id"] for item in data["inspectors"] if item["id"] not in assigned)
    elif change == "dropped task":
        tasks.pop()
    elif change == "algorithm":
        data["algorithm"] = "tuoyu-draw-0"
    return data


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("seed", "the seed does not match the published commitment"),
        ("seed and outcome", "the seed does not match the published commitment"),
        ("roster", "the rosters do not match the published roster hash"),
        ("swapped inspector", "task 1 is published as"),
        ("dropped task", "is not published"),
        ("algorithm", "unknown algorithm 'tuoyu-draw-0'"),
    ],
)
def test_tampering_is_detected_and_described(change: str, problem: str) -> None:
    assert draw_verify(tampered("none")) == []
    problems = draw_verify(tampered(change))
    assert any(problem in line for line in problems), problems


def test_a_seed_swapped_together_with_its_commitment_is_caught_by_the_noted_commitment() -> None:
    other = publish(seed="11" * 32)
    assert draw_verify(other) == []
    problems = draw_verify(other, noted_commitment=commitment_of(ZERO_SEED))
    assert any("the commitment noted before the draw" in line for line in problems), problems


def test_malformed_data_is_reported_instead_of_raising() -> None:
    data = publish()
    del data["seed"]
    data["tasks"] = [{"institution": "K3"}]
    data["parameters"] = {"ratios": {"A": "2"}, "inspectors_per_task": 2}
    problems = draw_verify(data)
    assert "'seed' is missing or not a string" in problems
    assert any("'tasks[0]' needs a string 'institution'" in line for line in problems), problems
    assert any("the ratio of grade 'A' is 2, outside [0, 1]" in line for line in problems), problems


# --------------------------------------------------------------------------------------
# The stand-alone verifier, run as an institution would run it
# --------------------------------------------------------------------------------------


def run_verifier(source: Path | str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(VERIFIER), str(source), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write_json(tmp_path: Path, data: object, name: str = "draw.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_the_verifier_accepts_a_publication_and_prints_the_same_tasks(tmp_path: Path) -> None:
    institutions, inspectors, conflicts = big_rosters()
    seed = seed_of(42)
    parameters = DrawParameters(ratios={"A": 0.3, "B": 0.45, "C": 0.5, "D": 1.0}, inspectors_per_task=3)
    result = draw_run(
        seed=seed,
        institutions=institutions,
        inspectors=inspectors,
        conflicts=conflicts,
        parameters=parameters,
    )
    data = publish(seed, institutions, inspectors, conflicts, parameters)
    completed = run_verifier(write_json(tmp_path, data), "--commitment", commitment_of(seed))
    assert completed.returncode == 0, completed.stderr
    rows = list(csv.DictReader(io.StringIO(completed.stdout)))
    assert [
        (row["institution"], tuple(row["inspectors"].split(";"))) for row in rows[: len(result.tasks)]
    ] == [(task.institution, task.inspectors) for task in result.tasks]
    assert [row["institution"] for row in rows[len(result.tasks) :]] == list(result.unstaffed)
    assert all(row["inspectors"] == "" for row in rows[len(result.tasks) :])


def test_the_verifier_reports_unstaffed_institutions_with_an_empty_inspectors_field(tmp_path: Path) -> None:
    completed = run_verifier(write_json(tmp_path, publish()))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "institution,inspectors\nK3,P1;P3\nK4,P2;P3\nK2,\n"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("swapped inspector", "task 1 is published as"),
        ("roster", "the rosters do not match the roster hash"),
        ("seed", "the seed does not match the file's commitment"),
    ],
)
def test_the_verifier_rejects_a_tampered_publication(tmp_path: Path, change: str, problem: str) -> None:
    completed = run_verifier(write_json(tmp_path, tampered(change)))
    assert completed.returncode == 1
    assert problem in completed.stderr


def test_the_verifier_rejects_a_commitment_that_differs_from_the_noted_one(tmp_path: Path) -> None:
    completed = run_verifier(write_json(tmp_path, publish()), "--commitment", commitment_of("11" * 32))
    assert completed.returncode == 1
    assert "the commitment you noted" in completed.stderr


def test_the_verifier_reports_malformed_json_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "broken-draw.json"
    path.write_text('{"algorithm": "tuoyu-draw-1",', encoding="utf-8")
    completed = run_verifier(path)
    assert completed.returncode == 2
    assert "broken-draw.json" in completed.stderr
    assert completed.stdout == ""


def test_the_verifier_names_the_key_that_is_missing_or_of_the_wrong_type(tmp_path: Path) -> None:
    missing = publish()
    del missing["conflicts"]
    completed = run_verifier(write_json(tmp_path, missing, "missing.json"))
    assert completed.returncode == 2
    assert "missing.json" in completed.stderr
    assert "'conflicts'" in completed.stderr
    wrong = publish()
    wrong["tasks"][1]["inspectors"] = "P2;P3"
    completed = run_verifier(write_json(tmp_path, wrong, "wrong.json"))
    assert completed.returncode == 2
    assert "tasks[1].inspectors" in completed.stderr


def test_the_verifier_reports_a_file_that_does_not_exist(tmp_path: Path) -> None:
    completed = run_verifier(tmp_path / "nowhere.json")
    assert completed.returncode == 2
    assert "nowhere.json" in completed.stderr


def load_verifier() -> ModuleType:
    """The verifier as a module, to compare its own copy of the algorithm with this one."""
    spec = importlib.util.spec_from_file_location("_verify_draw_under_test", VERIFIER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered first: dataclasses look their module up in sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


VERIFIER_MODULE = load_verifier()


@settings(max_examples=100, deadline=None)
@given(seeds_strategy, rosters_strategy())
def test_the_verifier_s_copy_of_the_algorithm_agrees_with_the_module(
    seed: str, rosters: tuple[list[Institution], list[Inspector], list[tuple[str, str]], DrawParameters]
) -> None:
    institutions, inspectors, conflicts, parameters = rosters
    data = publish(seed, institutions, inspectors, conflicts, parameters)
    publication = VERIFIER_MODULE.parse_publication("draw.json", json.dumps(data))
    tasks, unstaffed = VERIFIER_MODULE.redraw(publication)
    assert tasks == [(task["institution"], tuple(task["inspectors"])) for task in data["tasks"]]
    assert unstaffed == data["unstaffed"]
    assert VERIFIER_MODULE.roster_hash(publication) == data["roster_hash"]
    assert VERIFIER_MODULE.problems_of(publication, tasks, unstaffed, commitment_of(seed)) == []


def test_the_verifier_imports_nothing_but_the_standard_library() -> None:
    source = VERIFIER.read_text(encoding="utf-8")
    imported = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.startswith(("import ", "from ")) and not line.startswith("from __future__")
    }
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)
    assert not any(name.startswith("tuoyu") for name in imported)


def test_the_draw_module_imports_nothing_but_the_standard_library_and_the_lottery() -> None:
    source = (REPOSITORY / "tuoyu" / "engine" / "draw.py").read_text(encoding="utf-8")
    imported = {
        line.split()[1]
        for line in source.splitlines()
        if line.startswith(("import ", "from ")) and not line.startswith("from __future__")
    }
    outside = {name for name in imported if name.split(".")[0] not in sys.stdlib_module_names}
    assert outside == {"tuoyu.engine.lottery"}
