"""The table as integer codes, shared by both recodings (engine.py global, partition.py local).

Both work on the distinct combinations of values with their counts, never on the raw rows,
and both release the table in an order derived from the released values only. What they
share of that lives here: coding a column, grouping rows of equal codes, reducing the
input to combinations, the checks of a call, the reasons nothing can satisfy, and the
released table's order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hogo.domain.anonymity.hierarchy import Hierarchy, HierarchyError
from hogo.domain.anonymity.result import NoSolution

IntArray = npt.NDArray[np.int64]

_KEY_LIMIT = 1 << 40
"""Mixed-radix keys are re-numbered densely before their range passes this (int64 safety)."""
_DENSE_LIMIT = 1 << 20


def code(values: Sequence[str]) -> tuple[IntArray, list[str]]:
    """Integer codes of a column, and the distinct values in order of first appearance."""
    codes: dict[str, int] = {}
    coded = np.fromiter((codes.setdefault(v, len(codes)) for v in values), np.int64, len(values))
    return coded, list(codes)


def dense(key: IntArray, span: int) -> tuple[IntArray, int]:
    """`key` (values below `span`) renumbered 0..g-1, keeping order, and g.

    A presence table is linear and several times faster than sorting while the key range
    stays within a few times the number of keys; past that, np.unique sorts.
    """
    if span <= max(_DENSE_LIMIT, 4 * len(key)):
        present = np.zeros(span, dtype=np.bool_)
        present[key] = True
        number = np.cumsum(present, dtype=np.int64) - 1
        return number[key], int(number[-1]) + 1 if span else 0
    unique, inverse = np.unique(key, return_inverse=True)
    return inverse.astype(np.int64), len(unique)


def count_distinct(group: IntArray, groups: int, values: IntArray, size: int) -> IntArray:
    """How many distinct `values` (codes below `size`) each of the `groups` holds."""
    if groups * size <= max(_DENSE_LIMIT, 4 * len(values)):
        present = np.zeros(groups * size, dtype=np.bool_)
        present[group * size + values] = True
        counted: IntArray = present.reshape(groups, size).sum(axis=1, dtype=np.int64)
        return counted
    pairs = np.unique(group * size + values)
    return np.bincount(pairs // size, minlength=groups).astype(np.int64)


def group(columns: Sequence[IntArray], radices: Sequence[int]) -> tuple[IntArray, int]:
    """The group number of each row of equal values across `columns`, and how many groups."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    span = 1
    for column, radix in zip(columns, radices, strict=True):
        if span * radix >= _KEY_LIMIT:
            key, span = dense(key, span)
        key = key * radix + column
        span *= radix
    return dense(key, span)


def restricted(name: str, hierarchy: Hierarchy, present: Sequence[str]) -> Hierarchy:
    """The column's hierarchy over the values present, its errors naming the column."""
    try:
        return hierarchy.restricted(present)
    except HierarchyError as exc:
        raise HierarchyError(f"column {name!r}: {exc}") from None


@dataclass(frozen=True)
class Combinations:
    """The rows reduced to their distinct combinations of coded values."""

    of_row: IntArray
    """of_row[row]: the combination the row holds."""
    codes: list[IntArray]
    """codes[column][combination]: the combination's code in that column."""
    counts: IntArray
    """counts[combination]: how many rows hold it."""
    sensitive_sizes: list[int]
    """How many distinct values each sensitive column holds."""


def combinations(
    columns: Mapping[str, Sequence[str]],
    quasi_codes: Sequence[IntArray],
    quasi_radices: Sequence[int],
    sensitive: Sequence[str],
) -> Combinations:
    """The quasi-identifiers (already coded) and the sensitive columns (coded here),
    reduced to distinct combinations; codes come quasi-identifiers first."""
    row_codes, radices = list(quasi_codes), list(quasi_radices)
    sizes: list[int] = []
    for name in sensitive:
        codes, present = code(columns[name])
        row_codes.append(codes)
        radices.append(len(present))
        sizes.append(len(present))
    of_row, count = group(row_codes, radices)
    first = np.zeros(count, dtype=np.int64)
    first[of_row] = np.arange(len(of_row), dtype=np.int64)  # any row stands for its combo
    counts = np.bincount(of_row, minlength=count).astype(np.int64)
    return Combinations(of_row, [codes[first] for codes in row_codes], counts, sizes)


def check_arguments(
    columns: Mapping[str, Sequence[str]],
    quasi: Mapping[str, Hierarchy],
    sensitive: Sequence[str],
    k: int,
    l: int | None,  # noqa: E741
    max_suppression: float,
) -> None:
    if not columns:
        raise ValueError("the table has no columns")
    lengths = {len(values) for values in columns.values()}
    if len(lengths) != 1:
        raise ValueError("the columns do not all have the same number of rows")
    if not quasi:
        raise ValueError("at least one quasi-identifier is needed")
    for name in [*quasi, *sensitive]:
        if name not in columns:
            raise ValueError(f"there is no column {name!r}")
    both = set(quasi) & set(sensitive)
    if both:
        raise ValueError(
            f"a column cannot be both quasi-identifier and sensitive: {', '.join(sorted(both))}"
        )
    if len(set(sensitive)) != len(sensitive):
        raise ValueError("a sensitive column is named twice")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError("k must be a whole number of at least 1")
    if l is not None:
        if isinstance(l, bool) or not isinstance(l, int) or l < 1:
            raise ValueError("l must be a whole number of at least 1")
        if not sensitive:
            raise ValueError("l-diversity needs at least one sensitive column")
    if not (isinstance(max_suppression, int | float) and 0 <= max_suppression < 1):
        raise ValueError("the suppression limit must be a share from 0 up to (not including) 1")
    if lengths == {0}:
        raise ValueError("the table has no rows")


def unreachable(
    rows: int,
    sensitive_sizes: Sequence[int],
    k: int,
    l: int | None,  # noqa: E741
) -> NoSolution | None:
    """Why not even the whole table as one class satisfies, or None."""
    if rows < k:
        return NoSolution(f"the table has {rows} rows, fewer than k = {k}")
    if l is not None:
        for size in sensitive_sizes:
            if size < l:
                return NoSolution(
                    f"a sensitive column has only {size} distinct values, fewer than l = {l}"
                )
    return None


def level_labels(level: Sequence[str]) -> list[str]:
    """The distinct labels of a level, in the order their codes were given (first use)."""
    return list(dict.fromkeys(level))


def _ranks(names: list[str]) -> IntArray:
    """ranks[code]: the place of names[code] in sorted order."""
    ranks = np.empty(len(names), dtype=np.int64)
    ranks[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    return ranks


def ordered(cells: Mapping[str, tuple[IntArray, list[str]]]) -> dict[str, list[str]]:
    """The released columns (per column: each row's code, and the label of each code), rows
    sorted by their released values column by column: no trace of the input order."""
    keys = [_ranks(names)[codes] for codes, names in cells.values()]
    order = np.lexsort(keys[::-1]) if keys else np.arange(0)
    return {
        name: np.array(names, dtype=object)[codes[order]].tolist()
        for name, (codes, names) in cells.items()
    }
