"""Small portable SQL helpers for what SQLite and PostgreSQL spell differently."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlalchemy.types import TypeEngine


def insert_if_absent(conn: Connection, table: Table, values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two processes creating the same row do not fail."""
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    conn.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())


_last_datetime: tuple[datetime | None, str] = (None, "")
"""The last timestamp formatted and its text: a batch stores one timestamp many times.
Rebound as one tuple, so threads never see one's datetime with another's text."""


def _sqlite_datetime(value: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME storage format: the wall-clock fields, tzinfo dropped.
    global _last_datetime
    if value is None:
        return None
    last = _last_datetime
    if last[0] is value:
        return last[1]
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    )
    _last_datetime = (value, text)
    return text


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_json(value: Any) -> str:
    return json.dumps(value)  # SQLAlchemy's default serializer; None is stored as 'null'


def _sqlite_bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _identity(value: Any) -> Any:
    return value


def _sqlite_converter(kind: TypeEngine[Any]) -> Callable[[Any], Any]:
    if isinstance(kind, DateTime):
        return _sqlite_datetime
    if isinstance(kind, Date):
        return _sqlite_date
    if isinstance(kind, JSON):
        return _sqlite_json
    if isinstance(kind, Boolean):
        return _sqlite_bool
    return _identity


def _postgres_converter(kind: TypeEngine[Any]) -> Callable[[Any], Any]:
    # psycopg adapts the rest as SQLAlchemy passes it; JSON goes as text cast to JSON.
    return _sqlite_json if isinstance(kind, JSON) else _identity


_CONVERTERS = {"sqlite": _sqlite_converter, "postgresql": _postgres_converter}


def _placeholder(dialect: str, kind: TypeEngine[Any]) -> str:
    if dialect == "sqlite":
        return "?"
    return "%s::JSON" if isinstance(kind, JSON) else "%s"


@dataclass(frozen=True)
class _InsertPlan:
    sql: str
    converted: tuple[tuple[int, Callable[[Any], Any]], ...]
    tail: tuple[Any, ...]


_PLANS: dict[tuple[str, str, tuple[str, ...]], _InsertPlan] = {}


def _plan(dialect: str, table: Table, names: tuple[str, ...]) -> _InsertPlan:
    """How to insert these columns of `table` through the DB-API of `dialect` (sqlite or
    postgresql); worked out once per column set."""
    key = (dialect, table.name, names)
    plan = _PLANS.get(key)
    if plan is not None:
        return plan
    converter = _CONVERTERS[dialect]
    defaults = {
        column.name: column.default.arg
        for column in table.columns
        if column.name not in names and isinstance(column.default, ScalarElementColumnDefault)
    }
    columns = [*names, *defaults]
    converted = tuple(
        (index, convert)
        for index, name in enumerate(names)
        if (convert := converter(table.c[name].type)) is not _identity
    )
    tail = tuple(converter(table.c[name].type)(value) for name, value in defaults.items())
    placeholders = ", ".join(_placeholder(dialect, table.c[name].type) for name in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})"
    plan = _PLANS[key] = _InsertPlan(sql, converted, tail)
    return plan


def driver_insert_sql(
    dialect: str, table: Table, rows: Sequence[Mapping[str, Any]]
) -> tuple[str, list[tuple[Any, ...]]]:
    """The SQL and DB-API parameters that store `rows` through the DB-API of `dialect`
    (sqlite or postgresql) exactly as SQLAlchemy would (a test compares the two byte for
    byte); Python-side scalar defaults are filled in."""
    names = tuple(rows[0])
    plan = _plan(dialect, table, names)
    params = []
    for row in rows:
        if len(row) != len(names):
            raise ValueError(f"insert into {table.name}: rows must all have the same keys")
        values = [row[name] for name in names]
        for index, convert in plan.converted:
            values[index] = convert(values[index])
        params.append((*values, *plan.tail))
    return plan.sql, params


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows; on SQLite straight through the DB-API's executemany.

    SQLAlchemy's executemany processes every parameter of every row in Python, which costs
    more than SQLite's own insert. PostgreSQL keeps SQLAlchemy's path, whose batched
    insertmanyvalues is already efficient there.
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(table.insert(), list(rows))
        return
    sql, params = driver_insert_sql("sqlite", table, rows)
    conn.exec_driver_sql(sql, params)
