"""Tests for ``python -m tuoyu.engine match`` on small CSV files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuoyu.engine.cli import EXIT_BAD_INPUT, main

# Places A and B with one seat each. c1 lists A, B; c2 lists A; c3 lists A, B; c4 lists B.
# At A: c3 (1) > c1 (2) > c2 (3); at B: c1 (1) > c3 (2) > c4 (3).
# Round 1: A keeps c3 of c1, c2, c3; B keeps c4. Round 2: c1 proposes to B and displaces c4.
CHILDREN = "child,rank,place\nc1,1,A\nc1,2,B\nc2,1,A\nc3,2,B\nc3,1,A\nc4,1,B\n"
PLACES = "place,capacity\nA,1\nB,1\n"
PRIORITIES = "place,child,priority\nA,c1,2\nA,c2,3\nA,c3,1\nB,c1,1\nB,c3,2\nB,c4,3\n"


def run(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    children: str = CHILDREN,
    places: str = PLACES,
    priorities: str = PRIORITIES,
) -> tuple[int, list[str], str]:
    """Exit status, stdout lines and stderr of ``match`` on the three texts."""
    files = {"children": tmp_path / "C.csv", "places": tmp_path / "P.csv", "priorities": tmp_path / "R.csv"}
    for name, text in (("children", children), ("places", places), ("priorities", priorities)):
        files[name].write_text(text, encoding="utf-8")
    arguments = ["match"]
    for name, path in files.items():
        arguments += [f"--{name}", str(path)]
    status = main(arguments)
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def test_match_prints_every_child_in_order_of_first_appearance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, err = run(tmp_path, capsys)
    assert (status, err) == (0, "")
    assert lines == ["child,place", "c1,B", "c2,", "c3,A", "c4,"]


def test_match_leaves_a_child_unplaced_when_every_choice_is_full(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, _ = run(tmp_path, capsys, places="place,capacity\nA,0\nB,2\n")
    # A has no seat; B takes its two best applicants c1 (1) and c3 (2); c4 (3) and c2 (A only) stay out.
    assert status == 0
    assert lines == ["child,place", "c1,B", "c2,", "c3,B", "c4,"]


def test_priority_rows_for_places_a_child_did_not_choose_are_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, _ = run(tmp_path, capsys, priorities=PRIORITIES + "B,c2,4\n")
    assert status == 0
    assert lines == ["child,place", "c1,B", "c2,", "c3,A", "c4,"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"children": CHILDREN + "c5,1,Z\n"},
            "C.csv, row 8, column 'place': unknown place id 'Z': not listed in ",
        ),
        (
            {"priorities": PRIORITIES + "A,c9,7\n"},
            "R.csv, row 8, column 'child': unknown child id 'c9': not listed in ",
        ),
        (
            {"priorities": PRIORITIES + "Z,c1,7\n"},
            "R.csv, row 8, column 'place': unknown place id 'Z': not listed in ",
        ),
        (
            {"children": CHILDREN + "c4,1,A\n"},
            "C.csv, row 8, column 'rank': child 'c4' has rank 1 twice (first at row 7)",
        ),
        (
            {"children": CHILDREN + "c4,2,B\n"},
            "C.csv, row 8, column 'place': child 'c4' lists place 'B' twice (first at row 7)",
        ),
        (
            {"children": CHILDREN + "c4,3,A\n"},
            "C.csv, row 8, column 'rank': child 'c4' has rank 3 but only 2 choices; ranks must be 1..2",
        ),
        (
            {"children": CHILDREN + "c4,0,A\n"},
            "C.csv, row 8, column 'rank': '0' must be at least 1",
        ),
        (
            {"places": "place,capacity\nA,1\nB,-1\n"},
            "P.csv, row 3, column 'capacity': '-1' must not be negative",
        ),
        (
            {"places": "place,capacity\nA,1\nB,1.5\n"},
            "P.csv, row 3, column 'capacity': '1.5' is not a whole number",
        ),
        (
            {"places": PLACES + "A,2\n"},
            "P.csv, row 4, column 'place': id 'A' is repeated (first at row 2)",
        ),
        (
            {"priorities": PRIORITIES.replace("A,c2,3", "A,c2,1")},
            "R.csv, row 4, column 'priority': priority tie at place 'A': children 'c2' (row 3) and 'c3' "
            "both have priority 1",
        ),
        (
            {"priorities": PRIORITIES + "A,c1,9\n"},
            "R.csv, row 8, column 'child': child 'c1' has a second priority at place 'A' (first at row 2)",
        ),
        (
            {"priorities": PRIORITIES.replace("B,c3,2\n", "")},
            "C.csv, row 5, column 'place': child 'c3' applies to place 'B' but ",
        ),
        (
            {"children": "kid,rank,place\nc1,1,A\n"},
            "C.csv, row 1, column 'child': has no column 'child'",
        ),
    ],
)
def test_match_rejects_bad_input_naming_file_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], message: str
) -> None:
    status, lines, err = run(tmp_path, capsys, **files)
    assert status == EXIT_BAD_INPUT
    assert lines == []
    assert err.startswith("error: ")
    assert message in err
    assert str(tmp_path) in err
