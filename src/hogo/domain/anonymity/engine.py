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

import numpy as np
import numpy.typing as npt

from hogo.domain.anonymity.coding import (
    IntArray,
    check_arguments,
    code,
    combinations,
    count_distinct,
    group,
    level_labels,
    ordered,
    restricted,
    unreachable,
)
from hogo.domain.anonymity.hierarchy import Hierarchy
from hogo.domain.anonymity.lattice import MAX_NODES, Check, Lattice, Optimum, search
from hogo.domain.anonymity.partition import anonymize_local
from hogo.domain.anonymity.result import LOSS_MEASURE, Anonymization, NoSolution, Recoding

__all__ = ["LOSS_MEASURE", "Anonymization", "NoSolution", "Problem", "Recoding", "anonymize"]

Searcher = Callable[[Lattice, Callable[[tuple[int, ...]], Check]], Optimum | None]
FloatArray = npt.NDArray[np.float64]


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
            codes, present = code(columns[name])
            self.quasi.append(_quasi(name, restricted(name, hierarchy, present)))
            row_codes.append(codes)
            radices.append(len(present))
        self.row_codes = row_codes
        """row_codes[i][row]: the row's code of quasi-identifier i."""
        combos = combinations(columns, row_codes, radices, sensitive)
        self.sensitive_sizes = combos.sensitive_sizes
        self.combo_of_row = combos.of_row
        self.combo_codes = combos.codes
        self.counts = combos.counts
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
        of_combo, count = group(generalized, radices)
        sizes = np.bincount(of_combo, weights=self.counts, minlength=count).astype(np.int64)
        failing = sizes < k
        distinct: IntArray | None = None
        for j, size in enumerate(self.sensitive_sizes):
            found = count_distinct(of_combo, count, self.combo_codes[q + j], size)
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
        check_arguments(columns, quasi, sensitive, k, l, max_suppression)
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
            raise unreachable(self.table.n, self.table.sensitive_sizes, self.k, self.l) or (
                NoSolution(  # pragma: no cover - the top node passes once n >= k and l is met
                    f"no generalization satisfies k = {self.k} "
                    f"with at most {self.limit} rows suppressed"
                )
            )
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
        return anonymize_local(
            columns, quasi=quasi, sensitive=sensitive, k=k, l=l, max_suppression=max_suppression
        )
    if recoding != "global":
        raise ValueError(f'recoding must be "global" or "local", not {recoding!r}')
    problem = Problem(
        columns, quasi=quasi, sensitive=sensitive, k=k, l=l, max_suppression=max_suppression
    )
    return problem.solve()


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
                level_labels(coded.hierarchy.levels[levels[i]]),
            )
        else:
            codes, names = code(values)
            cells[name] = (codes[kept_rows], names)
    out = ordered(cells)
    smallest = int(released_classes.min())
    diversity = None if classes.distinct is None else int(classes.distinct[~classes.failing].min())
    return Anonymization(
        columns=out,
        levels={coded.name: levels[i] for i, coded in enumerate(table.quasi)},
        k=smallest,
        l=diversity,
        classes=len(released_classes),
        suppressed=classes.suppressed,
        loss=loss,
        risk_highest=1 / smallest,
        risk_average=len(released_classes) / len(kept_rows),
        nodes_checked=checked,
        lattice_size=lattice.size,
        rows_in=table.n,
    )
