"""Query results straight into numpy arrays.

Reading 100,000 rows as model instances or even tuples of ``date`` objects costs far more
than the database work. These helpers have the database compute numbers (day counts,
code positions) and read the rows on the raw cursor into one float64 array.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, F, FloatField, Func, IntegerField, QuerySet, Value, When
from django.db.models.functions import Cast

NOT_A_TIME = np.iinfo(np.int64).min  # the int64 behind numpy's NaT
MISSING_DAY = -(2**31)  # what SQL gives for an empty date, mapped to NaT


class EpochDays(Func):
    """Days since 1970-01-01 of a date column, computed by the database (empty -> MISSING_DAY).

    Fetching integers instead of ``date`` objects makes reading 100,000 rows several
    times faster; numpy reinterprets them as ``datetime64[D]`` without a Python loop.
    """

    output_field = IntegerField()

    def __init__(self, column: str) -> None:
        super().__init__(F(column))

    # PostgreSQL subtracts dates to whole days; SQLite counts in Julian days.
    template = f"COALESCE((%(expressions)s - DATE '1970-01-01'), {MISSING_DAY})"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        template = f"COALESCE(CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER), {MISSING_DAY})"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def CodeIndex(column: str, table: tuple[str, ...]) -> Case:  # noqa: N802 - reads like an expression
    """Position of a text code in ``table`` (-1 when unknown), computed by the database."""
    return Case(
        *[When(**{column: code}, then=Value(index)) for index, code in enumerate(table)],
        default=Value(-1),
        output_field=IntegerField(),
    )


def fetch_numeric(queryset: QuerySet[Any], **columns: Any) -> np.ndarray:
    """Rows of numeric, non-null ``columns`` (expressions or field names) as a 2-D float64 array.

    One query; the rows never become model instances or dicts, and on PostgreSQL not even
    Python tuples: each column arrives as one packed string that numpy reads in one step.
    """
    names = list(columns)
    # Every column becomes a double in SQL, so each row has the same binary layout.
    # Clearing the default ordering spares the database joins and a sort nobody needs here.
    annotated = (
        queryset.order_by()
        .annotate(
            **{
                f"_{name}": Cast(F(value) if isinstance(value, str) else value, FloatField())
                for name, value in columns.items()
            }
        )
        .values_list(*[f"_{name}" for name in names])
    )
    try:
        sql, params = annotated.query.sql_with_params()
    except EmptyResultSet:  # a .none() queryset: there is nothing to ask the database
        return np.zeros((0, len(names)))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _fetch_columns_postgresql(cursor, sql, params, len(names))
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return np.zeros((0, len(names)))
    result = np.array(rows, dtype=np.float64)  # a NULL becomes NaN here
    if np.isnan(result).any():
        column = int(np.argwhere(np.isnan(result))[0][1])
        raise ValueError(f"column {column} of the query has NULL values; fetch_numeric needs numbers")
    return result


def _fetch_columns_postgresql(cursor: Any, sql: str, params: Any, width: int) -> np.ndarray:
    """Each column aggregated by PostgreSQL into one string of big-endian doubles.

    Every aggregate of one SELECT sees the rows in the same order, so the columns stay
    aligned; the row count guards against a NULL, which ``string_agg`` would skip.
    """
    columns = [f"c{k}" for k in range(width)]
    aggregates = ", ".join(f"string_agg(float8send(q.{column}), ''::bytea)" for column in columns)
    cursor.execute(f"SELECT count(*), {aggregates} FROM ({sql}) AS q({', '.join(columns)})", params)
    count, *packed = cursor.fetchone()
    result = np.empty((count, width))
    for k, data in enumerate(packed):
        values = np.frombuffer(bytes(data or b""), dtype=">f8")
        if values.size != count:
            raise ValueError(f"column {k} of the query has NULL values; fetch_numeric needs numbers")
        result[:, k] = values
    return result


def as_ints(column: np.ndarray) -> np.ndarray:
    return column.astype(np.int64)


def as_codes(column: np.ndarray, table: tuple[str, ...], what: str) -> np.ndarray:
    if column.size and column.min() < 0:
        raise ValueError(f"unknown {what} code in the registry; expected one of {', '.join(table)}")
    return column.astype(np.int8)


def as_days(column: np.ndarray) -> np.ndarray:
    days = column.astype(np.int64)
    days[days == MISSING_DAY] = NOT_A_TIME
    return days.view("datetime64[D]")
