"""Tests for ``python -m tuoyu.engine pmedian`` and ``mclp`` on small CSV files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tuoyu.engine.cli import EXIT_BAD_INPUT, main

# Zones a, b, c with 2, 1 and 3 children; sites s1, s2, s3 in order of first appearance.
# Allowed pairs (cost): a-s1 1, a-s2 4, b-s2 2, b-s3 3, c-s1 5, c-s3 1.
WEIGHTS = "id,value\na,2\nb,1\nc,3\n"
COST = "origin,dest,cost\na,s1,1\na,s2,4\nb,s2,2\nb,s3,3\nc,s1,5\nc,s3,1\n"


def write_files(tmp_path: Path, weights: str = WEIGHTS, cost: str = COST) -> list[str]:
    """The --cost and --weights options for the two files, written under tmp_path."""
    cost_file, weights_file = tmp_path / "C.csv", tmp_path / "D.csv"
    cost_file.write_text(cost, encoding="utf-8")
    weights_file.write_text(weights, encoding="utf-8")
    return ["--cost", str(cost_file), "--weights", str(weights_file)]


def run(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of one command."""
    status = main(arguments)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> dict[str, Any]:
    status, out, err = run(capsys, arguments)
    assert (status, err) == (0, "")
    assert out.endswith("\n") and out.count("\n") == 1
    result: dict[str, Any] = json.loads(out)
    return result


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def test_pmedian_prints_the_chosen_site_ids_and_the_weighted_cost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = write_files(tmp_path)
    result = run_json(capsys, ["pmedian", *options, "-p", "2"])
    # {s1, s2}: a 1 × 2, b 2 × 1, c 5 × 3 = 19; {s1, s3}: 1 × 2 + 3 × 1 + 1 × 3 = 8;
    # {s2, s3}: 4 × 2 + 2 × 1 + 1 × 3 = 13.
    assert result == {"facilities": ["s1", "s3"], "objective": 8.0, "status": "optimal", "gap": 0.0}


def test_pmedian_lists_sites_in_order_of_first_appearance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same pairs with s3 listed first: the sites are s3, s1, s2 and the answer keeps that order.
    cost = "origin,dest,cost\nc,s3,1\nb,s3,3\na,s1,1\na,s2,4\nb,s2,2\nc,s1,5\n"
    result = run_json(capsys, ["pmedian", *write_files(tmp_path, cost=cost), "-p", "2"])
    assert (result["facilities"], result["objective"]) == (["s3", "s1"], 8.0)


def test_pmedian_with_every_site_open(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, ["pmedian", *write_files(tmp_path), "-p", "3", "--time-limit", "30"])
    # Every zone at its cheapest site: 1 × 2 + 2 × 1 + 1 × 3 = 7.
    assert result == {"facilities": ["s1", "s2", "s3"], "objective": 7.0, "status": "optimal", "gap": 0.0}


def test_mclp_prints_the_sites_covering_the_most_children(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = write_files(tmp_path)
    # Radius 2: s1 covers a (2 children), s2 covers b (1), s3 covers c (3).
    result = run_json(capsys, ["mclp", *options, "-p", "1", "--radius", "2"])
    assert result == {"facilities": ["s3"], "objective": 3.0, "status": "optimal", "gap": 0.0}
    # Radius 3 (inclusive): s3 also covers b, 3 + 1 = 4; with s1 as well, 2 + 4 = 6, everyone.
    assert run_json(capsys, ["mclp", *options, "-p", "1", "--radius", "3"])["objective"] == 4.0
    result = run_json(capsys, ["mclp", *options, "-p", "2", "--radius", "3"])
    assert (result["facilities"], result["objective"]) == (["s1", "s3"], 6.0)


def test_mclp_allows_zones_without_any_pair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    options = write_files(tmp_path, weights=WEIGHTS + "z,10\n")
    result = run_json(capsys, ["mclp", *options, "-p", "1", "--radius", "2"])
    assert (result["facilities"], result["objective"]) == (["s3"], 3.0)


# --------------------------------------------------------------------------------------
# Errors: one line on stderr naming file, row and column; exit status 2
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "cost", "message"),
    [
        (
            WEIGHTS,
            "origin,dest,price\na,s1,1\n",
            "C.csv, row 1, column 'cost': has no column 'cost'; the header is origin, dest, price",
        ),
        (
            WEIGHTS,
            COST + "q,s1,2\n",
            "C.csv, row 8, column 'origin': unknown demand id 'q': not listed in ",
        ),
        (
            WEIGHTS,
            COST.replace("b,s2,2", "b,s2,-2"),
            "C.csv, row 4, column 'cost': '-2' must not be negative",
        ),
        (
            WEIGHTS,
            COST + "c,s3,7\n",
            "C.csv, row 8, column 'dest': the pair origin 'c', dest 's3' is repeated (first at row 7)",
        ),
        ("id,value\na,2\nb,-1\nc,3\n", COST, "D.csv, row 3, column 'value': '-1' must not be negative"),
        ("id,value\na,2\nb,1\na,3\n", COST, "D.csv, row 4, column 'id': id 'a' is repeated (first at row 2)"),
        ("id,children\na,2\n", COST, "D.csv, row 1, column 'value': has no column 'value'"),
    ],
)
@pytest.mark.parametrize("command", [["pmedian"], ["mclp", "--radius", "2"]])
def test_bad_files_give_an_error_naming_file_row_and_column(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    weights: str,
    cost: str,
    message: str,
    command: list[str],
) -> None:
    options = write_files(tmp_path, weights=weights, cost=cost)
    status, out, err = run(capsys, [*command, *options, "-p", "1"])
    assert (status, out) == (EXIT_BAD_INPUT, "")
    assert err.startswith(f"error: {tmp_path}/") and message in err
    assert err.count("\n") == 1


def test_pmedian_zone_without_any_pair_is_an_error_at_its_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = write_files(tmp_path, weights=WEIGHTS + "z,10\n")
    status, out, err = run(capsys, ["pmedian", *options, "-p", "2"])
    assert (status, out) == (EXIT_BAD_INPUT, "")
    assert f"D.csv, row 5, column 'id': demand id 'z' has no pair in {tmp_path}/C.csv" in err


def test_pmedian_that_no_choice_of_sites_can_serve_is_infeasible(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Any single site leaves one zone without a pair: s1 misses b, s2 misses c, s3 misses a.
    status, out, err = run(capsys, ["pmedian", *write_files(tmp_path), "-p", "1"])
    assert (status, out) == (EXIT_BAD_INPUT, "")
    assert err == "error: p-median: no choice of 1 site(s) serves every demand row (infeasible)\n"


@pytest.mark.parametrize("command", [["pmedian"], ["mclp", "--radius", "2"]])
@pytest.mark.parametrize("p", ["4", "0"])
def test_p_outside_the_candidate_sites_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], p: str
) -> None:
    status, out, err = run(capsys, [*command, *write_files(tmp_path), "-p", p])
    assert (status, out) == (EXIT_BAD_INPUT, "")
    assert err == (
        "error: -p must be between 1 and the number of candidate sites "
        f"(3: the distinct dest ids of {tmp_path}/C.csv), got {p}\n"
    )


@pytest.mark.parametrize(
    "arguments",
    [
        ["mclp", "-p", "1", "--radius", "-1"],
        ["mclp", "-p", "1"],
        ["pmedian", "-p", "two"],
        ["pmedian", "-p", "1", "--time-limit", "0"],
    ],
)
def test_bad_options_are_rejected_by_the_parser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    options = write_files(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main([arguments[0], *options, *arguments[1:]])
    assert exit_info.value.code == 2
    assert capsys.readouterr().out == ""
