"""The ``plan`` command: a JSON scenario in, the plan as JSON out, errors naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tuoyu.engine.cli import EXIT_BAD_INPUT, main
from tuoyu.engine.tests.test_expansion import scenario


def write(tmp_path: Path, data: Any, name: str = "scenario.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_plan_prints_the_cheapest_plan_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 200 + 60 = 260 slots for 1,000 children, 普惠 200/260 (the standalone's designation
    # has expired). Designating it (150k) and adding a class there (80k) makes 280 普惠
    # slots of 280, kindergarten share 200/280 = 0.71: 10k less than a 托班 class instead.
    path = write(tmp_path, scenario())
    assert main(["plan", "--scenario", str(path)]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["status"] == "optimal"
    assert data["total_cost"] == 230_000.0
    assert [(a["kind"], a["candidate_id"], a["units"], a["slots"]) for a in data["actions"]] == [
        ("designate", 3, 1, 80.0),
        ("expand", 4, 1, 20.0),
    ]
    assert data["after"]["city"]["slots_per_1000"]["value"] == 280.0
    assert data["after"]["townships"]["1"]["puhui_share"]["met"] is True
    assert data["shortfalls"] == []


def test_plan_options_override_the_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, scenario())
    arguments = ["plan", "--scenario", str(path), "--budget", "100000", "--townships-only", "--gap", "0.01"]
    assert main(arguments) == 0
    data = json.loads(capsys.readouterr().out)
    # Zone 7 (120 children) is reached by the 托班 class for 90k; zone 8 by nothing.
    assert data["status"] == "budget"
    assert data["children_reached"] == 120.0
    assert data["total_cost"] == 90_000.0
    assert set(data["before"]) == set(data["after"]) == {"townships"}


def test_a_file_that_is_not_json_is_reported_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, '{"as_of": "2025-12-31",\n  "townships": [}')
    assert main(["plan", "--scenario", str(path)]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: {path}: not valid JSON (line 2, column")


def test_a_bad_scenario_is_reported_with_the_file_and_the_json_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = scenario()
    data["candidates"][3]["slots_per_unit"] = 25
    path = write(tmp_path, data)
    assert main(["plan", "--scenario", str(path)]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err == (
        f"error: {path}: candidates[3].slots_per_unit: 25 exceeds the cap of 20 for older\n"
    )


def test_a_missing_scenario_file_is_reported_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nowhere.json"
    assert main(["plan", "--scenario", str(path)]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err.startswith(f"error: {path}: cannot read the file")


def test_a_scenario_that_cannot_meet_its_targets_prints_the_shortfall(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = scenario()
    data["candidates"] = []
    data["coverage"] = None
    path = write(tmp_path, data)
    assert main(["plan", "--scenario", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "shortfall"
    assert result["actions"] == []
    assert {(s["code"], s["township_id"]) for s in result["shortfalls"]} == {
        ("slots_per_1000", 1),
        ("slots_per_1000", None),
        ("puhui_share", 1),
        ("puhui_share", None),
    }
