"""k-anonymity (and distinct l-diversity) by local recoding: strict multidimensional partitioning.

Full-domain generalization (engine.py) applies one rule to the whole table: every age in
20-year bands, say. Local recoding (Mondrian: LeFevre, DeWitt and Ramakrishnan,
"Mondrian Multidimensional K-Anonymity", 2006) cuts the table into boxes of at least k rows
instead and releases each box as its own equivalence class: a dense region keeps narrow
ranges, a sparse one gets wide ones. It loses far less information; the price is a release
whose classes are at different granularities (one row says age "23", another "48-90").

Each quasi-identifier is ordered once: numbers numerically; categories in the order of their
hierarchy's leaves, grouped under their ancestors so that every hierarchy node is one
contiguous run (values under the same parent stay together), or by value when the hierarchy
has no level between the value and "*". A partition is cut along one quasi-identifier
between two neighbouring distinct values; both sides must keep k rows (and l distinct
values of each sensitive column). Where anonypy's Mondrian takes the median of the widest
dimension, every quasi-identifier and every allowed cut (not only the median) are tried,
all at once with cumulative sums over the partition sorted along that quasi-identifier,
and the cut whose two sides lose the least information wins. The recursion stops when no
cut is allowed. Nothing is suppressed. (Cutting at the middle only, or preferring cuts
near it, lost 1.6 to 4.5 times more on UCI Adult; cuts far from the middle do not make
the recursion deep in practice, since an uneven cut wins only where the data is uneven.)

The partitions are strict: each row is in exactly one box, and two boxes are disjoint
in at least one quasi-identifier's order. A class releases, per quasi-identifier, what its
rows hold: for a number the range "lo-hi" of its values (the value alone when there is one),
for a category the hierarchy label when its values are exactly the values (present in the
data) under one hierarchy node, else the values joined with "|" (a "|" or "\\" inside a
value is escaped with "\\", a single value too, so that "a|b" the value and "a|b" the set
differ; a label that is also a value of the column, holds "|" or "\\", or names two
different nodes is not used, the values are listed instead). Released cells of different classes may overlap (a range
"20-40" and a value "30" can both appear, from boxes disjoint in another column), but two
classes never release the same row of cells, so the released classes are exactly the boxes.

Information loss is the NCP of engine.py, cell by cell: a released cell covering c of the d
distinct values of its column loses (c - 1) / (d - 1), where a range covers every distinct
value of the column between its ends and a set or label the values it names.

Like engine.py, the work is on the distinct combinations of values with their counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hogo.domain.anonymity.coding import (
    check_arguments,
    code,
    combinations,
    level_labels,
    ordered,
    restricted,
    unreachable,
)
from hogo.domain.anonymity.hierarchy import Hierarchy
from hogo.domain.anonymity.result import Anonymization

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

SEPARATOR = "|"
"""Between the values of a released set of categories; escaped (with "\\") inside values."""
_ESCAPED = frozenset((SEPARATOR, "\\"))


def escape(value: str) -> str:
    """A category value as it appears inside a released set."""
    return value.replace("\\", "\\\\").replace(SEPARATOR, "\\" + SEPARATOR)


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@dataclass
class _Dimension:
    """One quasi-identifier: its distinct values in release order and how a class shows them."""

    name: str
    values: list[str]
    """The distinct values present, in order (rank = index)."""
    numeric: bool
    nodes: dict[frozenset[int], str]
    """Sets of ranks that are exactly one hierarchy node's present values, with its label."""

    @property
    def weight(self) -> float:
        return 1 / (len(self.values) - 1) if len(self.values) > 1 else 0.0

    def cell(self, ranks: IntArray) -> str:
        """The released cell of a class holding these ranks (sorted, distinct)."""
        if self.numeric:
            low, high = self.values[int(ranks[0])], self.values[int(ranks[-1])]
            return low if low == high else f"{low}-{high}"
        label = self.nodes.get(frozenset(ranks.tolist()))
        if label is not None:
            return label
        return SEPARATOR.join(escape(self.values[int(r)]) for r in ranks)

    def covered(self, ranks: IntArray) -> int:
        """How many distinct values of the column the released cell covers."""
        if self.numeric:
            return int(ranks[-1] - ranks[0]) + 1
        return len(ranks)


def _dimension(
    name: str, column: Sequence[str], hierarchy: Hierarchy
) -> tuple[_Dimension, IntArray]:
    """The quasi-identifier ordered, and the rank of each row's value."""
    codes, present = code(column)
    within = restricted(name, hierarchy, present)
    numbers = [_number(v) for v in present]
    numeric = all(n is not None for n in numbers)
    if numeric:
        order = sorted(range(len(present)), key=lambda j: (numbers[j], present[j]))
    elif hierarchy.height <= 2:
        order = sorted(range(len(present)), key=present.__getitem__)
    else:
        # The hierarchy's leaf order, grouped by ancestors from the coarsest level down.
        place = {v: j for j, v in enumerate(hierarchy.values)}
        first: list[dict[str, int]] = [{} for _ in hierarchy.levels]
        for depth, level in enumerate(hierarchy.levels):
            for label in level:
                first[depth].setdefault(label, len(first[depth]))

        def key(j: int) -> tuple[int, ...]:
            at = place[present[j]]
            ancestors = (
                first[depth][hierarchy.levels[depth][at]]
                for depth in range(hierarchy.height - 2, 0, -1)
            )
            return (*ancestors, at)

        order = sorted(range(len(present)), key=key)
    rank_of_code = np.empty(len(present), dtype=np.int64)
    rank_of_code[order] = np.arange(len(present), dtype=np.int64)
    values = [present[j] for j in order]
    nodes: dict[frozenset[int], str] = {}
    if not numeric:
        rank = {v: r for r, v in enumerate(values)}
        sets: dict[str, set[frozenset[int]]] = {}
        for level in within.levels[1:]:  # finest first: the finest label wins a tie
            members: dict[str, set[int]] = {}
            for value, label in zip(within.values, level, strict=True):
                members.setdefault(label, set()).add(rank[value])
            for label, ranks in members.items():
                sets.setdefault(label, set()).add(frozenset(ranks))
        for label, found in sets.items():
            # A label read as a value, a set, or two different nodes would be ambiguous.
            if len(found) == 1 and label not in rank and not _ESCAPED.intersection(label):
                nodes.setdefault(next(iter(found)), label)
    return _Dimension(name, values, numeric, nodes), rank_of_code[codes]


class _Partitioner:
    """The distinct combinations, and the recursive cutting of them into classes."""

    def __init__(
        self,
        columns: Mapping[str, Sequence[str]],
        quasi: Mapping[str, Hierarchy],
        sensitive: Sequence[str],
    ) -> None:
        self.n = len(next(iter(columns.values())))
        self.dims: list[_Dimension] = []
        row_codes: list[IntArray] = []
        radices: list[int] = []
        for name, hierarchy in quasi.items():
            dim, ranks = _dimension(name, columns[name], hierarchy)
            self.dims.append(dim)
            row_codes.append(ranks)
            radices.append(len(dim.values))
        combos = combinations(columns, row_codes, radices, sensitive)
        self.sensitive_sizes = combos.sensitive_sizes
        self.combo_of_row = combos.of_row
        q = len(self.dims)
        self.ranks = np.stack(combos.codes[:q])
        """ranks[e, combo]: the rank of the combination's value of quasi-identifier e."""
        self.counts = combos.counts
        self.weights = np.array([d.weight for d in self.dims], dtype=np.float64)
        numeric = [i for i, d in enumerate(self.dims) if d.numeric]
        self.numeric = np.array(numeric, dtype=np.int64)
        self.categorical = np.array(
            [i for i, d in enumerate(self.dims) if not d.numeric], dtype=np.int64
        )
        # Distinct-value rows: categorical QIs, then sensitive columns, offset to be disjoint.
        distinct_rows = [self.ranks[i] for i in self.categorical.tolist()]
        distinct_rows += combos.codes[q:]
        offsets = np.cumsum([0, *(int(r.max()) + 1 for r in distinct_rows)])[:-1]
        self.distinct = (
            np.stack([r + o for r, o in zip(distinct_rows, offsets, strict=True)])
            if distinct_rows
            else np.zeros((0, len(self.counts)), dtype=np.int64)
        )
        self.q = q

    def split(self, part: IntArray, k: int, l: int | None) -> tuple[IntArray, IntArray] | None:  # noqa: E741
        """The best allowed cut of `part` (combination indices), or None."""
        counts = self.counts[part]
        total = int(counts.sum())
        m = len(part)
        if total < 2 * k or m < 2:
            return None
        ranks = self.ranks[:, part]
        distinct = self.distinct[:, part]
        c = len(self.categorical)
        best: tuple[float, IntArray, int] | None = None
        for d in range(self.q):
            order = np.argsort(ranks[d], kind="stable")
            sorted_d = ranks[d][order]
            cuts = np.flatnonzero(sorted_d[1:] != sorted_d[:-1])  # cut after position i
            if not len(cuts):
                continue
            left = np.cumsum(counts[order])[cuts]
            right = total - left
            allowed = (left >= k) & (right >= k)
            if not allowed.any():
                continue
            distinct_left, distinct_right = self._distinct(distinct[:, order], cuts)
            if l is not None and len(self.sensitive_sizes):
                allowed &= (distinct_left[c:] >= l).all(axis=0)
                allowed &= (distinct_right[c:] >= l).all(axis=0)
                if not allowed.any():
                    continue
            covered_left = np.empty((self.q, len(cuts)), dtype=np.int64)
            covered_right = np.empty((self.q, len(cuts)), dtype=np.int64)
            if len(self.numeric):
                sorted_ranks = ranks[self.numeric][:, order]
                low = np.minimum.accumulate(sorted_ranks, axis=1)[:, cuts]
                high = np.maximum.accumulate(sorted_ranks, axis=1)[:, cuts]
                covered_left[self.numeric] = high - low + 1
                back = sorted_ranks[:, ::-1]
                at = m - 2 - cuts
                low = np.minimum.accumulate(back, axis=1)[:, at]
                high = np.maximum.accumulate(back, axis=1)[:, at]
                covered_right[self.numeric] = high - low + 1
            if c:
                covered_left[self.categorical] = distinct_left[:c]
                covered_right[self.categorical] = distinct_right[:c]
            loss = left * (self.weights @ (covered_left - 1)) + right * (
                self.weights @ (covered_right - 1)
            )
            scored = np.where(allowed, loss, np.inf)
            j = int(np.argmin(scored))  # ties: the first quasi-identifier, the lowest cut
            if best is None or scored[j] < best[0]:
                best = (float(scored[j]), order, int(cuts[j]))
        if best is None:
            return None
        _, order, cut = best
        return part[order[: cut + 1]], part[order[cut + 1 :]]

    @staticmethod
    def _distinct(values: IntArray, cuts: IntArray) -> tuple[IntArray, IntArray]:
        """Distinct values in each row of `values` up to and after each cut."""
        rows, m = values.shape
        if not rows:
            empty = np.zeros((0, len(cuts)), dtype=np.int64)
            return empty, empty
        counted = []
        for block in (values, values[:, ::-1]):
            # The rows' codes are disjoint (offset per column): one unique call serves all.
            _, first = np.unique(block.ravel(), return_index=True)
            mark = np.zeros(rows * m, dtype=np.int64)
            mark[first] = 1
            counted.append(np.cumsum(mark.reshape(rows, m), axis=1))
        return counted[0][:, cuts], counted[1][:, m - 2 - cuts]

    def classes(self, k: int, l: int | None) -> list[IntArray]:  # noqa: E741
        done: list[IntArray] = []
        stack = [np.arange(len(self.counts), dtype=np.int64)]
        while stack:
            part = stack.pop()
            found = self.split(part, k, l)
            if found is None:
                done.append(part)
            else:
                stack.extend(found)
        return done


def anonymize_local(
    columns: Mapping[str, Sequence[str]],
    *,
    quasi: Mapping[str, Hierarchy],
    sensitive: Sequence[str] = (),
    k: int,
    l: int | None = None,  # noqa: E741
    max_suppression: float = 0.0,
) -> Anonymization:
    """The table cut into classes of at least k rows (and l sensitive values), each released
    at its own granularity. Never suppresses (`max_suppression` is accepted and checked as
    for the global method). NoSolution when even the whole table is not one allowed class.
    """
    check_arguments(columns, quasi, sensitive, k, l, max_suppression)
    table = _Partitioner(columns, quasi, list(sensitive))
    impossible = unreachable(table.n, table.sensitive_sizes, k, l)
    if impossible is not None:
        raise impossible
    parts = table.classes(k, l)
    class_of_combo = np.empty(len(table.counts), dtype=np.int64)
    cells: list[list[str]] = [[] for _ in table.dims]
    total = 0.0
    sizes = np.empty(len(parts), dtype=np.int64)
    diversity: int | None = None
    for number, part in enumerate(parts):
        class_of_combo[part] = number
        size = int(table.counts[part].sum())
        sizes[number] = size
        for e, dim in enumerate(table.dims):
            ranks = np.unique(table.ranks[e, part])
            cells[e].append(dim.cell(ranks))
            total += size * (dim.covered(ranks) - 1) * dim.weight
        c = len(table.categorical)
        for row in table.distinct[c:, part]:
            found = len(np.unique(row))
            diversity = found if diversity is None else min(diversity, found)
    class_of_row = class_of_combo[table.combo_of_row]
    released: dict[str, tuple[IntArray, list[str]]] = {}
    by_name = {dim.name: e for e, dim in enumerate(table.dims)}
    for name, values in columns.items():
        if name in by_name:
            names = level_labels(cells[by_name[name]])
            index = {label: j for j, label in enumerate(names)}
            per_class = np.array([index[c] for c in cells[by_name[name]]], dtype=np.int64)
            released[name] = (per_class[class_of_row], names)
        else:
            released[name] = code(values)
    out = ordered(released)
    smallest = int(sizes.min())
    return Anonymization(
        columns=out,
        levels={},
        k=smallest,
        l=diversity,
        classes=len(parts),
        suppressed=0,
        loss=total / (table.n * table.q),
        risk_highest=1 / smallest,
        risk_average=len(parts) / table.n,
        nodes_checked=0,
        lattice_size=0,
        rows_in=table.n,
        recoding="local",
    )
