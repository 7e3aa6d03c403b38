"""How an item of an anonymised dataset is made coarser: a built-in chain or a table.

Written under `anonymized[].generalizations`, one entry per item: either the name of a
generalization hogo ships (`birth_date: age5` means 5-year age bands, then 10, then 20,
then nothing), or a table giving each value its coarser levels, finest first:

    occupation:
      nurse: [medical, employed]
      doctor: [medical, employed]
      student: [studying, not employed]

Every row has the same number of levels, and a value at one level always has the same
value above it (the table is a tree), so generalising one step never splits a group.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

from hogo.domain.generalizations import BUILT_IN, UnknownGeneralization

MAX_ROWS = 10_000
"""Distinct values one table may list."""

MAX_LEVELS = 20
"""Coarser levels one row may give; a real hierarchy has two to five."""

MAX_VALUE_CHARS = 500


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{where} is {type(value).__name__}; write a plain value")
    text = str(value).strip()
    if not text:
        raise ValueError(f"{where} is empty")
    if len(text) > MAX_VALUE_CHARS:
        raise ValueError(f"{where} is longer than {MAX_VALUE_CHARS} characters")
    return text


def _built_in(name: str) -> str:
    name = name.strip()
    if name not in BUILT_IN:
        raise ValueError(str(UnknownGeneralization(name)))
    return name


def _table(table: dict[Any, Any]) -> dict[str, list[str]]:
    if not table:
        raise ValueError("a generalization table needs at least one row (value: [coarser, …])")
    if len(table) > MAX_ROWS:
        raise ValueError(f"a generalization table has at most {MAX_ROWS:,} rows")
    rows: dict[str, list[str]] = {}
    first: str | None = None
    for raw_value, levels in table.items():
        value = _scalar(raw_value, "a value of the table")
        if not isinstance(levels, list) or not levels:
            raise ValueError(
                f"row {value!r} must list its coarser levels, finest first: {value}: [a, b]"
            )
        if len(levels) > MAX_LEVELS:
            raise ValueError(f"row {value!r} has more than {MAX_LEVELS} levels")
        row = [_scalar(level, f"level {n} of row {value!r}") for n, level in enumerate(levels, 1)]
        if first is not None and len(row) != len(rows[first]):
            raise ValueError(
                f"row {value!r} has {len(row)} level(s) but row {first!r} has "
                f"{len(rows[first])}: every row gives the same number of coarser levels"
            )
        if value in rows:
            raise ValueError(f"value {value!r} is listed twice")
        rows[value] = row
        first = first or value
    _check_tree(rows)
    return rows


def _check_tree(rows: dict[str, list[str]]) -> None:
    """A value at level n has one parent at level n+1, whichever row it appears in."""
    parents: dict[tuple[int, str], tuple[str, str]] = {}
    for value, row in rows.items():
        for level in range(len(row) - 1):
            key = (level, row[level])
            seen = parents.get(key)
            if seen is None:
                parents[key] = (row[level + 1], value)
            elif seen[0] != row[level + 1]:
                raise ValueError(
                    f"level {level + 1} value {row[level]!r} goes up to {row[level + 1]!r} in "
                    f"row {value!r} but to {seen[0]!r} in row {seen[1]!r}: a value has one "
                    "coarser value"
                )


def _hierarchy(value: Any) -> str | dict[str, list[str]]:
    if isinstance(value, str):
        return _built_in(value)
    if isinstance(value, dict):
        return _table(value)
    raise ValueError(
        "a generalization is the name of a built-in one (such as age5) or a table "
        "of value: [coarser levels]"
    )


HierarchySpec = Annotated[str | dict[str, list[str]], BeforeValidator(_hierarchy)]
"""A built-in generalization's name, or a table value → coarser levels (finest first)."""
