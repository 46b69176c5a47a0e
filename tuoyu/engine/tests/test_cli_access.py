"""Tests for ``python -m tuoyu.engine access`` and ``deserts`` on small CSV files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tuoyu.engine.accessibility import CostPairs, enhanced_two_step_fca, parse_steps, two_step_fca
from tuoyu.engine.cli import EXIT_BAD_INPUT, main

# Zones a, b, c, z with 10, 0, 5 and 3 children; centres s1, s2, s3 with 4, 2 and 7 slots.
# Zone z reaches nothing; zone b (no children) alone reaches s3.
DEMAND = "id,value\na,10\nb,0\nc,5\nz,3\n"
SUPPLY = "id,value\ns1,4\ns2,2\ns3,7\n"
COST = "origin,dest,cost\na,s1,1000\na,s2,2000\nb,s2,500\nc,s1,1500\nb,s3,100\n"


def write_files(
    tmp_path: Path, demand: str = DEMAND, supply: str = SUPPLY, cost: str = COST
) -> dict[str, Path]:
    files = {"demand": tmp_path / "D.csv", "supply": tmp_path / "S.csv", "cost": tmp_path / "C.csv"}
    for name, text in (("demand", demand), ("supply", supply), ("cost", cost)):
        files[name].write_text(text, encoding="utf-8")
    return files


def file_options(files: dict[str, Path]) -> list[str]:
    return ["--demand", str(files["demand"]), "--supply", str(files["supply"]), "--cost", str(files["cost"])]


def run(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> tuple[int, list[str], str]:
    """Exit status, stdout lines and stderr of one command."""
    status = main(arguments)
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def parse_output(lines: list[str]) -> dict[str, float]:
    assert lines[0] == "id,access"
    return {zone: float(value) for zone, value in (line.split(",") for line in lines[1:])}


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def test_access_prints_every_demand_zone_in_file_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_files(tmp_path, demand="id,value\nz,3\nc,5\na,10\nb,0\n")
    status, lines, err = run(
        capsys, ["access", *file_options(files), "--method", "2sfca", "--max-cost", "1500"]
    )
    assert (status, err) == (0, "")
    # Within 1500: s1 is shared by a and c, 4 / (10 + 5) slots per child; z reaches nothing;
    # s2 and s3 are reached only by b, which has no children: b gets inf, as in PySAL.
    assert lines == ["id,access", "z,0.0", f"c,{4 / 15!r}", f"a,{4 / 15!r}", "b,inf"]
    assert lines[2] == "c,0.26666666666666666"


def test_access_prints_values_with_full_precision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write_files(tmp_path)
    arguments = ["access", *file_options(files), "--method", "e2sfca", "--max-cost", "3000"]
    status, lines, _ = run(capsys, [*arguments, "--steps", "1000:1,1700:0.3,3000:0.07"])
    assert status == 0
    pairs = CostPairs(
        np.array([0, 0, 1, 2, 1]), np.array([0, 1, 1, 0, 2]), np.array([1000, 2000, 500, 1500, 100.0])
    )
    expected = enhanced_two_step_fca(
        np.array([10.0, 0.0, 5.0, 3.0]),
        np.array([4.0, 2.0, 7.0]),
        pairs,
        steps=parse_steps("1000:1,1700:0.3,3000:0.07"),
    )
    assert list(parse_output(lines).values()) == expected.tolist()  # exact: repr round-trips


def test_e2sfca_weighs_the_pairs_by_the_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write_files(tmp_path)
    arguments = ["access", *file_options(files), "--method", "e2sfca", "--max-cost", "3000"]
    status, lines, _ = run(capsys, [*arguments, "--steps", "1000:1,2000:0.5"])
    assert status == 0
    # s1: a at 1000 m (weight 1) and c at 1500 m (0.5): 4 / (10 + 2.5) = 0.32.
    # s2: a at 2000 m (0.5) and b at 500 m (1): 2 / (5 + 0) = 0.4.  a = 0.32 + 0.5 * 0.4.
    access = parse_output(lines)
    assert access == pytest.approx({"a": 0.52, "b": math.inf, "c": 0.16, "z": 0.0}, rel=1e-12)


def test_e2sfca_without_steps_is_one_step_at_max_cost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_files(tmp_path)
    options = [*file_options(files), "--max-cost", "1500"]
    _, enhanced, _ = run(capsys, ["access", *options, "--method", "e2sfca"])
    _, plain, _ = run(capsys, ["access", *options, "--method", "2sfca"])
    assert enhanced == plain


def test_steps_beyond_max_cost_are_left_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write_files(tmp_path)
    arguments = ["access", *file_options(files), "--method", "e2sfca", "--steps", "1000:1,2000:0.5"]
    status, lines, _ = run(capsys, [*arguments, "--max-cost", "1999"])
    assert status == 0
    # a-s2 at 2000 m is out: s1 gives a 0.32 as before, s2 goes to b alone.
    assert parse_output(lines) == pytest.approx({"a": 0.32, "b": math.inf, "c": 0.16, "z": 0.0}, rel=1e-12)


def test_the_command_matches_the_library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write_files(tmp_path)
    status, lines, _ = run(
        capsys, ["access", *file_options(files), "--method", "2sfca", "--max-cost", "2000"]
    )
    assert status == 0
    pairs = CostPairs(
        np.array([0, 0, 1, 2, 1]), np.array([0, 1, 1, 0, 2]), np.array([1000, 2000, 500, 1500, 100.0])
    )
    expected = two_step_fca(np.array([10.0, 0.0, 5.0, 3.0]), np.array([4.0, 2.0, 7.0]), pairs, max_cost=2000)
    assert list(parse_output(lines).values()) == expected.tolist()


def test_deserts_flags_zones_with_many_children_and_few_slots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_files(tmp_path)
    arguments = ["deserts", *file_options(files), "--method", "2sfca", "--max-cost", "1500"]
    status, lines, err = run(capsys, [*arguments, "--min-children", "3", "--max-children-per-slot", "3"])
    assert (status, err) == (0, "")
    # a and c: 4 / 15 ≈ 0.27 slots per child < 1 / 3; z: 3 children and no slot in reach.
    assert lines == [
        "id,children,supply_in_reach,access,desert",
        f"a,10.0,4.0,{4 / 15!r},1",
        "b,0.0,9.0,inf,0",
        f"c,5.0,4.0,{4 / 15!r},1",
        "z,3.0,0.0,0.0,1",
    ]


def test_deserts_use_the_default_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write_files(tmp_path)
    status, lines, _ = run(
        capsys, ["deserts", *file_options(files), "--method", "2sfca", "--max-cost", "1500"]
    )
    assert status == 0
    assert [line.rsplit(",", 1)[1] for line in lines[1:]] == ["0", "0", "0", "0"]  # under 50 children


# --------------------------------------------------------------------------------------
# Errors: file, row and column named, exit status 2
# --------------------------------------------------------------------------------------

BAD_FILES = [
    # (which file, its text, row, column, words in the message)
    ("demand", "id,children\na,10\n", 1, "value", "has no column 'value'"),
    ("supply", "name,value\ns1,4\n", 1, "id", "has no column 'id'"),
    ("cost", "origin,dest,minutes\na,s1,10\n", 1, "cost", "has no column 'cost'"),
    ("cost", "origin,dest,cost\na,s1,1000\nq,s2,10\n", 3, "origin", "unknown demand id 'q'"),
    ("cost", "origin,dest,cost\na,s1,1000\na,s9,10\n", 3, "dest", "unknown supply id 's9'"),
    ("demand", "id,value\na,10\nb,0\na,3\n", 4, "id", "id 'a' is repeated (first at row 2)"),
    ("supply", "id,value\ns1,4\ns2,2\ns3,7\ns2,1\n", 5, "id", "id 's2' is repeated"),
    ("demand", "id,value\na,10\nb,-2\n", 3, "value", "must not be negative"),
    ("supply", "id,value\ns1,4\ns2,many\ns3,7\n", 3, "value", "'many' is not a finite number"),
    ("supply", "id,value\ns1,4\ns2,nan\ns3,7\n", 3, "value", "not a finite number"),
    ("cost", "origin,dest,cost\na,s1,1000\nb,s2,-5\n", 3, "cost", "must not be negative"),
    ("cost", "origin,dest,cost\na,s1,1000\nb,s2,far\n", 3, "cost", "'far' is not a finite number"),
    ("cost", "origin,dest,cost\na,s1,1000\nb,s2,\n", 3, "cost", "is not a finite number"),
    ("cost", "origin,dest,cost\na,s1,1000\nb,s2,5\na,s1,900\n", 4, "dest", "is repeated (first at row 2)"),
    ("demand", "id,value\na,10\n,4\n", 3, "id", "expected an id"),
]


@pytest.mark.parametrize(("which", "text", "row", "column", "words"), BAD_FILES)
@pytest.mark.parametrize("command", ["access", "deserts"])
def test_a_bad_file_is_named_with_row_and_column(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    which: str,
    text: str,
    row: int,
    column: str,
    words: str,
) -> None:
    files = write_files(tmp_path, **{which: text})
    status, lines, err = run(
        capsys, [command, *file_options(files), "--method", "2sfca", "--max-cost", "1500"]
    )
    assert status == EXIT_BAD_INPUT == 2
    assert lines == []
    assert err.startswith(f"error: {files[which]}, row {row}, column {column!r}: ")
    assert words in err
    assert err.count("\n") == 1


def test_a_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write_files(tmp_path)
    files["cost"] = tmp_path / "missing.csv"
    status, lines, err = run(capsys, ["access", *file_options(files), "--method", "2sfca", "--max-cost", "1"])
    assert (status, lines) == (2, [])
    assert err.startswith(f"error: {files['cost']}: cannot be read")


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--method", "2sfca", "--steps", "1000:1"], "error: --steps applies to --method e2sfca only"),
        (["--method", "e2sfca", "--steps", "1000:1,2000:1.5"], "error: steps: '2000:1.5' needs a weight"),
        (["--method", "e2sfca", "--steps", "1000:1,500:0.5"], "error: steps: '500:0.5' must have an upper"),
    ],
)
def test_bad_steps_are_reported_with_exit_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], words: str
) -> None:
    files = write_files(tmp_path)
    status, lines, err = run(capsys, ["access", *file_options(files), "--max-cost", "3000", *options])
    assert (status, lines) == (2, [])
    assert err.startswith(words)


@pytest.mark.parametrize("max_cost", ["-1", "nan", "inf", "far"])
def test_a_bad_max_cost_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], max_cost: str
) -> None:
    files = write_files(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["access", *file_options(files), "--method", "2sfca", "--max-cost", max_cost])
    assert exit_info.value.code == 2
    assert "argument --max-cost" in capsys.readouterr().err


def test_a_bad_desert_rule_is_reported_with_exit_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_files(tmp_path)
    arguments = ["deserts", *file_options(files), "--method", "2sfca", "--max-cost", "1500"]
    status, lines, err = run(capsys, [*arguments, "--max-children-per-slot", "0"])
    assert (status, lines) == (2, [])
    assert err.startswith("error: max_children_per_slot must be")
