"""CSV input for the engine's command line, with errors that name file, row and column.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row
is row 2. Ids are kept as strings exactly as written (surrounding spaces removed), so
``Z001`` and ``1`` are both fine ids; numbers are parsed with :func:`float`.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

HEADER_ROW = 1
FIRST_DATA_ROW = 2


class TableError(ValueError):
    """A problem in an input file, located as precisely as the problem allows."""

    def __init__(self, file: str, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.message = message
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")


@dataclass(frozen=True)
class Column:
    """A column the caller needs: ``kind`` is ``"id"``, ``"float"`` or ``"int"``.

    ``minimum`` rejects smaller numbers (``0`` forbids negatives); ``positive`` rejects
    zero as well. Numbers must be finite.
    """

    name: str
    kind: str = "float"
    minimum: float | None = None
    positive: bool = False


@dataclass(frozen=True)
class Table:
    """Columns read from one file: ids as a list of strings, numbers as float arrays."""

    file: str
    ids: dict[str, list[str]]
    numbers: dict[str, FloatArray]
    rows: int

    def row_number(self, index: int) -> int:
        """The spreadsheet row of the ``index``-th data row."""
        return index + FIRST_DATA_ROW


def read_table(path: str | Path, columns: Sequence[Column]) -> Table:
    """Read ``columns`` from the CSV file at ``path`` (UTF-8, a BOM allowed).

    Extra columns are ignored. Raises :class:`TableError` for a missing file or column,
    a short row, an empty id, and a number that does not parse, is not finite or is
    below the column's minimum.
    """
    file = str(path)
    try:
        handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed below
    except OSError as error:
        raise TableError(file, f"cannot be read ({error.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise TableError(file, "is empty; expected a header row", row=HEADER_ROW) from None
        except (csv.Error, UnicodeDecodeError) as error:
            raise TableError(file, f"is not UTF-8 CSV ({error})", row=HEADER_ROW) from None
        names = [name.strip() for name in header]
        positions: dict[str, int] = {}
        for column in columns:
            if column.name not in names:
                raise TableError(
                    file,
                    f"has no column {column.name!r}; the header is {', '.join(names) or '(empty)'}",
                    row=HEADER_ROW,
                    column=column.name,
                )
            positions[column.name] = names.index(column.name)
        raw: dict[str, list[str]] = {column.name: [] for column in columns}
        width = max(positions.values()) + 1
        row = HEADER_ROW
        try:
            for row, record in enumerate(reader, start=FIRST_DATA_ROW):
                if not record or all(not cell.strip() for cell in record):
                    raise TableError(file, "is an empty row", row=row)
                if len(record) < width:
                    missing = next(c.name for c in columns if positions[c.name] >= len(record))
                    raise TableError(file, "is missing this value", row=row, column=missing)
                for name, position in positions.items():
                    raw[name].append(record[position].strip())
        except (csv.Error, UnicodeDecodeError) as error:
            raise TableError(file, f"is not valid UTF-8 CSV ({error})", row=row + 1) from None
    count = row - HEADER_ROW
    ids: dict[str, list[str]] = {}
    numbers: dict[str, FloatArray] = {}
    for column in columns:
        values = raw[column.name]
        if column.kind == "id":
            for index, value in enumerate(values):
                if not value:
                    raise TableError(
                        file, "is empty; expected an id", row=index + FIRST_DATA_ROW, column=column.name
                    )
            ids[column.name] = values
        else:
            numbers[column.name] = _numbers(file, column, values)
    return Table(file=file, ids=ids, numbers=numbers, rows=count)


def _numbers(file: str, column: Column, values: list[str]) -> FloatArray:
    try:
        parsed = np.array(values, dtype=np.float64) if values else np.zeros(0)
    except ValueError:
        parsed = None
    if parsed is None or not np.all(np.isfinite(parsed)):
        for index, value in enumerate(values):
            number = _parse(value)
            if number is None or not math.isfinite(number):
                raise TableError(
                    file,
                    f"{value!r} is not a finite number",
                    row=index + FIRST_DATA_ROW,
                    column=column.name,
                )
        raise AssertionError("unreachable: a value failed to parse but none was found")
    if column.kind == "int":
        fractional = np.flatnonzero(parsed != np.round(parsed))
        if fractional.size:
            index = int(fractional[0])
            raise TableError(
                file,
                f"{values[index]!r} is not a whole number",
                row=index + FIRST_DATA_ROW,
                column=column.name,
            )
    limit = column.minimum
    if column.positive:
        bad = np.flatnonzero(parsed <= (0.0 if limit is None else max(limit, 0.0)))
        rule = "must be greater than 0" if limit is None or limit <= 0 else f"must be greater than {limit:g}"
    elif limit is not None:
        bad = np.flatnonzero(parsed < limit)
        rule = "must not be negative" if limit == 0 else f"must be at least {limit:g}"
    else:
        bad = np.zeros(0, dtype=np.int64)
        rule = ""
    if bad.size:
        index = int(bad[0])
        raise TableError(file, f"{values[index]!r} {rule}", row=index + FIRST_DATA_ROW, column=column.name)
    return parsed


def _parse(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def index_of(
    table: Table, column: str, known: Mapping[str, int], *, what: str = "id", known_file: str | None = None
) -> IntArray:
    """Map the ids of ``column`` to positions through ``known``; unknown ids are errors.

    ``known_file`` names the file the known ids come from, for the message.
    """
    values = table.ids[column]
    result = np.empty(len(values), dtype=np.int64)
    for index, value in enumerate(values):
        position = known.get(value)
        if position is None:
            source = f" in {known_file}" if known_file else ""
            raise TableError(
                table.file,
                f"unknown {what} {value!r}: not listed{source}",
                row=index + FIRST_DATA_ROW,
                column=column,
            )
        result[index] = position
    return result


def unique_ids(table: Table, column: str) -> dict[str, int]:
    """The ids of ``column`` with their positions; a repeated id is an error."""
    positions: dict[str, int] = {}
    for index, value in enumerate(table.ids[column]):
        if value in positions:
            first = positions[value] + FIRST_DATA_ROW
            raise TableError(
                table.file,
                f"id {value!r} is repeated (first at row {first})",
                row=index + FIRST_DATA_ROW,
                column=column,
            )
        positions[value] = index
    return positions


def pairs_unique(costs: Table, origin: IntArray, dest: IntArray, n_dest: int) -> None:
    """Each (origin, dest) pair of a cost file at most once; a repeat is an error at its
    second row, naming the first."""
    key = origin * max(n_dest, 1) + dest
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    repeats = np.flatnonzero(ordered[1:] == ordered[:-1])
    if repeats.size == 0:
        return
    index = int(order[repeats + 1].min())
    first = int(order[np.searchsorted(ordered, key[index])])
    raise TableError(
        costs.file,
        f"the pair origin {costs.ids['origin'][index]!r}, dest {costs.ids['dest'][index]!r} "
        f"is repeated (first at row {costs.row_number(first)})",
        row=costs.row_number(index),
        column="dest",
    )
