"""Three SQL expressions the statistics need that SQLite and PostgreSQL spell differently, compiled for each.

Times are stored in UTC; Beijing has no summer time, so its days and months are UTC's moved eight hours.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class seconds_between(FunctionElement[int]):  # noqa: N801 (SQL functions are lower case)
    """Whole seconds from the first time to the second."""

    type = Integer()
    inherit_cache = True


class local_date(FunctionElement[str]):  # noqa: N801
    """The Beijing day of a time, comparable with a DATE column."""

    type = String()
    inherit_cache = True


class local_month(FunctionElement[str]):  # noqa: N801
    """The Beijing month of a time, "YYYY-MM"."""

    type = String()
    inherit_cache = True


def _arguments(element: FunctionElement[Any], compiler: Any, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = _arguments(element, compiler, **kw)
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = _arguments(element, compiler, **kw)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start}))) AS BIGINT)"


@compiles(local_date, "sqlite")
def _date_sqlite(element: local_date, compiler: Any, **kw: Any) -> str:
    (when,) = _arguments(element, compiler, **kw)
    return f"date({when}, '+8 hours')"


@compiles(local_date, "postgresql")
def _date_postgresql(element: local_date, compiler: Any, **kw: Any) -> str:
    (when,) = _arguments(element, compiler, **kw)
    return f"CAST(({when} AT TIME ZONE 'Asia/Shanghai') AS DATE)"


@compiles(local_month, "sqlite")
def _month_sqlite(element: local_month, compiler: Any, **kw: Any) -> str:
    (when,) = _arguments(element, compiler, **kw)
    return f"strftime('%Y-%m', {when}, '+8 hours')"


@compiles(local_month, "postgresql")
def _month_postgresql(element: local_month, compiler: Any, **kw: Any) -> str:
    (when,) = _arguments(element, compiler, **kw)
    return f"to_char(({when} AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM')"
