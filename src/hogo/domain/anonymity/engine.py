"""k-anonymity (and distinct l-diversity) by full-domain generalization and row suppression.

Anonymously processed information must be processed so that no one can be identified
(APPI Art. 2(6), Art. 43(1); 個人情報保護法施行規則 Art. 34): this module does the part
about quasi-identifiers. Each quasi-identifier is generalized to one level of its
hierarchy for the whole table; the rows left in classes smaller than k (or with fewer than
l distinct values of a sensitive column) are removed, up to the allowed share; among the
generalizations that satisfy, the one losing the least information is chosen (see
lattice.py for the search).

Information loss is the normalized certainty penalty (NCP; Xu et al., 2006, the categorical
form of Iyengar's generalization loss): a released cell that covers c of the d distinct
values of its column in the data loses (c - 1) / (d - 1); a removed row loses 1 in every
quasi-identifier; the measure is the mean over all rows and quasi-identifiers of the input,
0 when nothing is generalized, 1 when nothing is shown.

Checking a node works on the distinct combinations of values with their counts, each
column integer-coded once, never on the raw rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from hogo.domain.anonymity.hierarchy import Hierarchy, HierarchyError
from hogo.domain.anonymity.lattice import MAX_NODES, Check, Lattice, Optimum, search

IntArray = npt.NDArray[np.int64]
Searcher = Callable[[Lattice, Callable[[tuple[int, ...]], Check]], Optimum | None]
FloatArray = npt.NDArray[np.float64]

Recoding = Literal["global", "local"]
"""How generalization applies: one rule for the whole table, or class by class."""

LOSS_MEASURE = "ncp"
"""The information-loss measure reported: normalized certainty penalty, suppressed rows as 1."""

_KEY_LIMIT = 1 << 40
"""Mixed-radix keys are re-numbered densely before their range passes this (int64 safety)."""
_DENSE_LIMIT = 1 << 20


class NoSolution(ValueError):
    """No generalization satisfies k (and l) within the suppression limit."""


@dataclass(frozen=True)
class Anonymization:
    """The released table and the figures an operator checks before releasing it.

    `levels` is the processing method: APPI Art. 43(2) requires keeping it secret, so it
    belongs in the operator's report, never in the released file.
    """

    columns: dict[str, list[str]]
    """The released table by column, suppressed rows removed, rows in an order derived from
    their released values only (input order can be a linking key)."""
    levels: dict[str, int]
    k: int
    """The smallest class released (at least the k asked for)."""
    l: int | None  # noqa: E741 - the letter the literature uses
    """The fewest distinct values of a sensitive column in a released class; None without one."""
    classes: int
    suppressed: int
    loss: float
    risk_highest: float
    """Prosecutor risk of the most exposed released record: 1 / the smallest class."""
    risk_average: float
    """Prosecutor risk averaged over released records: classes / released rows."""
    nodes_checked: int
    lattice_size: int
    rows_in: int
    loss_measure: str = LOSS_MEASURE
    recoding: str = "global"
    """"global": one hierarchy level per quasi-identifier for the whole table (`levels`);
    "local": each class at its own granularity (partition.py; `levels` is empty)."""

    @property
    def rows(self) -> list[dict[str, str]]:
        names = list(self.columns)
        return [
            dict(zip(names, cells, strict=True))
            for cells in zip(*self.columns.values(), strict=True)
        ]

    @property
    def released(self) -> int:
        return self.rows_in - self.suppressed

    def report(self) -> dict[str, Any]:
        """The figures for the operator (includes the method: not for the recipient)."""
        return {
            "rows_in": self.rows_in,
            "released": self.released,
            "suppressed": self.suppressed,
            "k": self.k,
            "l": self.l,
            "classes": self.classes,
            "loss": self.loss,
            "loss_measure": self.loss_measure,
            "risk_highest": self.risk_highest,
            "risk_average": self.risk_average,
            "recoding": self.recoding,
            "levels": dict(self.levels),
            "nodes_checked": self.nodes_checked,
            "lattice_size": self.lattice_size,
        }


@dataclass
class _Quasi:
    """One quasi-identifier, coded: level tables over its values present in the data."""

    name: str
    hierarchy: Hierarchy
    maps: list[IntArray] = field(default_factory=list)
    """maps[level][value code]: the code of its generalization at that level."""
    sizes: list[int] = field(default_factory=list)
    losses: list[FloatArray] = field(default_factory=list)
    """losses[level][value code]: the NCP of that value shown at that level."""


def _quasi(name: str, hierarchy: Hierarchy) -> _Quasi:
    coded = _Quasi(name, hierarchy)
    domain = len(hierarchy.values)
    for labels in hierarchy.levels:
        codes: dict[str, int] = {}
        mapped = np.fromiter((codes.setdefault(v, len(codes)) for v in labels), np.int64)
        covered = np.bincount(mapped)[mapped].astype(np.float64)
        coded.maps.append(mapped)
        coded.sizes.append(len(codes))
        coded.losses.append((covered - 1) / (domain - 1) if domain > 1 else covered * 0)
    return coded


def _code(values: Sequence[str]) -> tuple[IntArray, list[str]]:
    """Integer codes of a column, and the distinct values in order of first appearance."""
    codes: dict[str, int] = {}
    coded = np.fromiter((codes.setdefault(v, len(codes)) for v in values), np.int64, len(values))
    return coded, list(codes)


def _dense(key: IntArray, span: int) -> tuple[IntArray, int]:
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


def _distinct(group: IntArray, groups: int, values: IntArray, size: int) -> IntArray:
    """How many distinct `values` (codes below `size`) each of the `groups` holds."""
    if groups * size <= max(_DENSE_LIMIT, 4 * len(values)):
        present = np.zeros(groups * size, dtype=np.bool_)
        present[group * size + values] = True
        counted: IntArray = present.reshape(groups, size).sum(axis=1, dtype=np.int64)
        return counted
    pairs = np.unique(group * size + values)
    return np.bincount(pairs // size, minlength=groups).astype(np.int64)


def _group(columns: Sequence[IntArray], radices: Sequence[int]) -> tuple[IntArray, int]:
    """The group number of each row of equal values across `columns`, and how many groups."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    span = 1
    for column, radix in zip(columns, radices, strict=True):
        if span * radix >= _KEY_LIMIT:
            key, span = _dense(key, span)
        key = key * radix + column
        span *= radix
    return _dense(key, span)


@dataclass(frozen=True)
class _Classes:
    """A node's equivalence classes over the distinct combinations."""

    of_combo: IntArray
    sizes: IntArray
    distinct: IntArray | None
    failing: npt.NDArray[np.bool_]
    suppressed: int


class _Table:
    """The input, coded once and reduced to distinct combinations with counts."""

    def __init__(
        self,
        columns: Mapping[str, Sequence[str]],
        quasi: Mapping[str, Hierarchy],
        sensitive: Sequence[str],
    ) -> None:
        self.n = len(next(iter(columns.values())))
        self.quasi: list[_Quasi] = []
        row_codes: list[IntArray] = []
        radices: list[int] = []
        for name, hierarchy in quasi.items():
            codes, present = _code(columns[name])
            try:
                restricted = hierarchy.restricted(present)
            except HierarchyError as exc:
                raise HierarchyError(f"column {name!r}: {exc}") from None
            coded = _quasi(name, restricted)
            self.quasi.append(coded)
            row_codes.append(codes)
            radices.append(len(present))
        self.sensitive_sizes: list[int] = []
        for name in sensitive:
            codes, present = _code(columns[name])
            row_codes.append(codes)
            radices.append(len(present))
            self.sensitive_sizes.append(len(present))
        self.row_codes = row_codes
        combo_of_row, combos = _group(row_codes, radices)
        self.combo_of_row = combo_of_row
        first = np.zeros(combos, dtype=np.int64)
        first[combo_of_row] = np.arange(self.n, dtype=np.int64)  # any row stands for its combo
        self.combo_codes = [codes[first] for codes in row_codes]
        self.counts = np.bincount(combo_of_row, minlength=combos).astype(np.int64)
        q = len(self.quasi)
        self.bounds = [
            [float(np.dot(self.counts, lv[self.combo_codes[i]])) for lv in coded.losses]
            for i, coded in enumerate(self.quasi)
        ]
        self.scale = float(self.n * q)

    def classes(self, levels: Sequence[int], k: int, l: int | None) -> _Classes:  # noqa: E741
        q = len(self.quasi)
        generalized = [
            coded.maps[level][self.combo_codes[i]]
            for i, (coded, level) in enumerate(zip(self.quasi, levels, strict=True))
        ]
        radices = [coded.sizes[level] for coded, level in zip(self.quasi, levels, strict=True)]
        of_combo, count = _group(generalized, radices)
        sizes = np.bincount(of_combo, weights=self.counts, minlength=count).astype(np.int64)
        failing = sizes < k
        distinct: IntArray | None = None
        for j, size in enumerate(self.sensitive_sizes):
            found = _distinct(of_combo, count, self.combo_codes[q + j], size)
            distinct = found if distinct is None else np.minimum(distinct, found)
        if l is not None and distinct is not None:
            failing |= distinct < l
        suppressed = int(sizes[failing].sum())
        return _Classes(of_combo, sizes, distinct, failing, suppressed)

    def loss(self, levels: Sequence[int], classes: _Classes) -> float:
        """NCP of the node: its generalization bound plus what suppression adds."""
        bound = sum(b[level] for b, level in zip(self.bounds, levels, strict=True))
        dropped = classes.failing[classes.of_combo]
        if dropped.any():
            cell = np.zeros(int(dropped.sum()), dtype=np.float64)
            for i, (coded, level) in enumerate(zip(self.quasi, levels, strict=True)):
                cell += coded.losses[level][self.combo_codes[i][dropped]]
            bound += float(np.dot(self.counts[dropped], len(self.quasi) - cell))
        return bound / self.scale


def _check_arguments(
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


def _no_solution(table: _Table, k: int, l: int | None, limit: int) -> NoSolution:  # noqa: E741
    if table.n < k:
        return NoSolution(f"the table has {table.n} rows, fewer than k = {k}")
    if l is not None:
        for size in table.sensitive_sizes:
            if size < l:
                return NoSolution(
                    f"a sensitive column has only {size} distinct values, fewer than l = {l}"
                )
    return NoSolution(  # pragma: no cover - the top node passes once n >= k and l is met
        f"no generalization satisfies k = {k} with at most {limit} rows suppressed"
    )


class Problem:
    """One anonymization task, prepared: the coded table, its lattice and the node check."""

    def __init__(
        self,
        columns: Mapping[str, Sequence[str]],
        *,
        quasi: Mapping[str, Hierarchy],
        sensitive: Sequence[str] = (),
        k: int,
        l: int | None = None,  # noqa: E741
        max_suppression: float = 0.0,
    ) -> None:
        _check_arguments(columns, quasi, sensitive, k, l, max_suppression)
        self.columns = columns
        self.k, self.l = k, l
        self.table = _Table(columns, quasi, list(sensitive))
        # The limit counts whole rows: a 1 % limit on 150 rows allows 1 row, not 1.5.
        self.limit = math.floor(max_suppression * self.table.n + 1e-9)
        heights = [len(coded.maps) for coded in self.table.quasi]
        if math.prod(heights) > MAX_NODES:
            raise ValueError(
                f"{math.prod(heights):,} combinations of levels to search (at most "
                f"{MAX_NODES:,}): use fewer quasi-identifiers or hierarchies with fewer levels"
            )
        scale = self.table.scale
        self.lattice = Lattice(heights, [[b / scale for b in bs] for bs in self.table.bounds])

    def check(self, levels: tuple[int, ...]) -> Check:
        classes = self.table.classes(levels, self.k, self.l)
        if classes.suppressed > self.limit:
            return Check(False, math.inf)
        return Check(True, self.table.loss(levels, classes))

    def solve(self, searcher: Searcher = search) -> Anonymization:
        optimum = searcher(self.lattice, self.check)
        if optimum is None:
            raise _no_solution(self.table, self.k, self.l, self.limit)
        return _release(
            self.columns,
            self.table,
            optimum.node,
            self.k,
            self.l,
            optimum.loss,
            optimum.checked,
            self.lattice,
        )


def anonymize(
    columns: Mapping[str, Sequence[str]],
    *,
    quasi: Mapping[str, Hierarchy],
    sensitive: Sequence[str] = (),
    k: int,
    l: int | None = None,  # noqa: E741
    max_suppression: float = 0.0,
    recoding: Recoding = "global",
) -> Anonymization:
    """The least-loss release whose classes all have k rows (and l sensitive values).

    recoding="global" (the default): the least-loss full-domain generalization, one level
    per quasi-identifier for the whole table (with row suppression). recoding="local": the
    table partitioned into classes each released at its own granularity (partition.py),
    much less loss, never any suppression.

    Columns neither quasi-identifier nor sensitive pass through unchanged: the caller has
    already removed what must not be released (identifiers, codes). Raises NoSolution when
    nothing satisfies, ValueError (HierarchyError) for a malformed call or hierarchy.
    """
    if recoding == "local":
        # Imported here: partition.py builds on this module's coding helpers.
        from hogo.domain.anonymity.partition import anonymize_local

        return anonymize_local(
            columns, quasi=quasi, sensitive=sensitive, k=k, l=l, max_suppression=max_suppression
        )
    if recoding != "global":
        raise ValueError(f'recoding must be "global" or "local", not {recoding!r}')
    problem = Problem(
        columns, quasi=quasi, sensitive=sensitive, k=k, l=l, max_suppression=max_suppression
    )
    return problem.solve()


def _labels(level: Sequence[str]) -> list[str]:
    """The distinct labels of a level, in the order their codes were given (first use)."""
    return list(dict.fromkeys(level))


def _ranks(labels: list[str]) -> IntArray:
    """ranks[code]: the place of labels[code] in sorted order."""
    ranks = np.empty(len(labels), dtype=np.int64)
    ranks[sorted(range(len(labels)), key=labels.__getitem__)] = np.arange(len(labels))
    return ranks


def _release(
    columns: Mapping[str, Sequence[str]],
    table: _Table,
    levels: tuple[int, ...],
    k: int,
    l: int | None,  # noqa: E741
    loss: float,
    checked: int,
    lattice: Lattice,
) -> Anonymization:
    classes = table.classes(levels, k, l)
    kept_combo = ~classes.failing[classes.of_combo]
    kept_rows = np.flatnonzero(kept_combo[table.combo_of_row])
    released_classes = classes.sizes[~classes.failing]
    by_name = {coded.name: (i, coded) for i, coded in enumerate(table.quasi)}
    cells: dict[str, tuple[IntArray, list[str]]] = {}
    for name, values in columns.items():
        if name in by_name:
            i, coded = by_name[name]
            cells[name] = (
                coded.maps[levels[i]][table.row_codes[i][kept_rows]],
                _labels(coded.hierarchy.levels[levels[i]]),
            )
        else:
            codes, labels = _code(values)
            cells[name] = (codes[kept_rows], labels)
    # Rows sorted by their released values, column by column: no trace of the input order.
    ranks = [_ranks(labels)[codes] for codes, labels in cells.values()]
    order = np.lexsort(ranks[::-1]) if ranks else np.arange(0)
    out = {
        name: np.array(labels, dtype=object)[codes[order]].tolist()
        for name, (codes, labels) in cells.items()
    }
    smallest = int(released_classes.min())
    distinct = None if classes.distinct is None else int(classes.distinct[~classes.failing].min())
    return Anonymization(
        columns=out,
        levels={coded.name: levels[i] for i, coded in enumerate(table.quasi)},
        k=smallest,
        l=distinct,
        classes=len(released_classes),
        suppressed=classes.suppressed,
        loss=loss,
        risk_highest=1 / smallest,
        risk_average=len(released_classes) / len(kept_rows),
        nodes_checked=checked,
        lattice_size=lattice.size,
        rows_in=table.n,
    )
