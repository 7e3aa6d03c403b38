"""Generalization hierarchies: how far each quasi-identifier may be coarsened, level by level.

A hierarchy is the table ARX uses: one row per original value, the value itself first
(level 0), then ever coarser forms of it, the last level "*" (nothing shown). Levels must
nest: two values that are equal at one level stay equal at every coarser level, otherwise
the lattice of generalizations is not a lattice and k-anonymity is no longer monotone under
generalization, which the search relies on.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

SUPPRESSED = "*"
"""A value after the coarsest generalization: nothing is shown."""

MAX_LEVELS = 32
"""More levels than any sensible hierarchy has; a guard against a runaway table."""


class HierarchyError(ValueError):
    """A hierarchy that does not cover a value, does not nest, or is malformed."""


def _shown(value: str) -> str:
    """A value as an error message names it: short, so a long cell cannot flood the terminal."""
    return repr(value if len(value) <= 40 else value[:37] + "...")


@dataclass(frozen=True)
class Hierarchy:
    """Each original value's generalization at every level (level 0 is the value itself)."""

    values: tuple[str, ...]
    """The original values, in the order given."""
    levels: tuple[tuple[str, ...], ...]
    """levels[i][j]: values[j] generalized to level i; levels[0] == values; the last is all "*"."""
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _validate(self.values, self.levels)
        object.__setattr__(self, "_index", {v: j for j, v in enumerate(self.values)})

    @property
    def height(self) -> int:
        """How many levels there are, level 0 included."""
        return len(self.levels)

    def covers(self, value: str) -> bool:
        return value in self._index

    def generalize(self, value: str, level: int) -> str:
        """`value` at `level`; HierarchyError when the hierarchy does not cover it."""
        if not 0 <= level < self.height:
            raise HierarchyError(f"level {level} does not exist: levels are 0 to {self.height - 1}")
        try:
            return self.levels[level][self._index[value]]
        except KeyError:
            raise HierarchyError(
                f"the hierarchy does not cover the value {_shown(value)}"
            ) from None

    def restricted(self, present: Iterable[str]) -> Hierarchy:
        """The hierarchy over the values that occur in the data only, in their order of first use.

        Information loss is measured against the values present, so the loss of a released
        cell does not depend on how many unused values a hierarchy file happens to list.
        """
        order: dict[str, None] = dict.fromkeys(present)
        missing = [v for v in order if v not in self._index]
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise HierarchyError(
                f"the hierarchy does not cover the value {_shown(missing[0])}{more}"
            )
        picks = [self._index[v] for v in order]
        return Hierarchy(
            values=tuple(order),
            levels=tuple(tuple(level[j] for j in picks) for level in self.levels),
        )

    # --- constructors -------------------------------------------------------------------

    @classmethod
    def from_table(cls, rows: Iterable[Sequence[str]]) -> Hierarchy:
        """ARX's hierarchy format: one row per value, the value first, then coarser levels.

        A "*" level is added when the last column is not "*" everywhere.
        """
        table = [tuple(str(cell) for cell in row) for row in rows]
        if not table:
            raise HierarchyError("the hierarchy table is empty")
        width = len(table[0])
        for number, row in enumerate(table, start=1):
            if len(row) != width:
                raise HierarchyError(
                    f"row {number} of the hierarchy has {len(row)} columns; "
                    f"the first row has {width}"
                )
        if width == 0:
            raise HierarchyError("the hierarchy rows are empty")
        columns = [tuple(row[i] for row in table) for i in range(width)]
        return cls(values=columns[0], levels=_with_top(columns))

    @classmethod
    def from_functions(
        cls, values: Iterable[str], functions: Sequence[Callable[[str], str]]
    ) -> Hierarchy:
        """functions[i] maps an original value to its generalization at level i + 1."""
        originals = tuple(dict.fromkeys(values))
        columns = [originals]
        for number, function in enumerate(functions, start=1):
            column = []
            for value in originals:
                try:
                    column.append(function(value))
                except Exception as exc:
                    raise HierarchyError(
                        f"level {number} cannot generalize the value {_shown(value)}: {exc}"
                    ) from exc
            columns.append(tuple(column))
        return cls(values=originals, levels=_with_top(columns))

    @classmethod
    def intervals(cls, values: Iterable[str], widths: Sequence[float] | None = None) -> Hierarchy:
        """Numbers grouped into intervals of each width in turn, aligned on multiples of it.

        Each width must divide the next, so that intervals nest (5, 10, 20: yes; 5, 10, 25:
        no). Whole numbers show as "20-24", others as "[20.5,25)". Without widths, they are
        chosen from the range of the values: about twenty intervals first, then doubling.
        """
        originals = tuple(dict.fromkeys(values))
        numbers = {v: _number(v) for v in originals}
        if widths is None:
            widths = default_widths(numbers.values())
        if any(not w > 0 or not math.isfinite(w) for w in widths):
            raise HierarchyError("interval widths must be positive numbers")
        if any(b <= a for a, b in itertools.pairwise(widths)):
            raise HierarchyError("interval widths must grow from one level to the next")
        whole = all(float(n).is_integer() for n in numbers.values())
        functions = [_interval(numbers, width, whole=whole) for width in widths]
        return cls.from_functions(originals, functions)

    @classmethod
    def suppress_only(cls, values: Iterable[str]) -> Hierarchy:
        """The value as it is, or nothing: for a quasi-identifier with no meaningful coarsening."""
        return cls.from_functions(values, [])


def _with_top(columns: list[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    if any(v != SUPPRESSED for v in columns[-1]) or len(columns) == 1:
        columns = [*columns, tuple(SUPPRESSED for _ in columns[0])]
    return tuple(columns)


def _validate(values: tuple[str, ...], levels: tuple[tuple[str, ...], ...]) -> None:
    if not values:
        raise HierarchyError("the hierarchy has no values")
    if len(levels) < 2:
        raise HierarchyError('a hierarchy needs at least two levels: the value and "*"')
    if len(levels) > MAX_LEVELS:
        raise HierarchyError(f"the hierarchy has {len(levels)} levels; at most {MAX_LEVELS}")
    if levels[0] != values:
        raise HierarchyError("level 0 of a hierarchy must be the values themselves")
    for number, level in enumerate(levels):
        if len(level) != len(values):
            raise HierarchyError(
                f"level {number} has {len(level)} entries for {len(values)} values"
            )
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise HierarchyError(f"the value {_shown(value)} appears twice in the hierarchy")
        seen.add(value)
    if any(v != SUPPRESSED for v in levels[-1]):
        raise HierarchyError('the last level of a hierarchy must be "*" for every value')
    for number in range(1, len(levels) - 1):
        finer, coarser = levels[number], levels[number + 1]
        parent: dict[str, str] = {}
        for j, label in enumerate(finer):
            if parent.setdefault(label, coarser[j]) != coarser[j]:
                raise HierarchyError(
                    f"levels do not nest: {_shown(label)} at level {number} becomes both "
                    f"{_shown(parent[label])} and {_shown(coarser[j])} at level {number + 1}"
                )


def _number(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise HierarchyError(f"{_shown(value)} is not a number, so it has no interval") from None
    if not math.isfinite(number):
        raise HierarchyError(f"{_shown(value)} is not a finite number, so it has no interval")
    return number


def _interval(numbers: dict[str, float], width: float, *, whole: bool) -> Callable[[str], str]:
    def label(value: str) -> str:
        low = math.floor(numbers[value] / width) * width
        if whole and float(width).is_integer() and low >= 0:
            return f"{int(low)}-{int(low + width) - 1}"
        return f"[{low:g},{low + width:g})"

    return label


def default_widths(numbers: Iterable[float]) -> tuple[float, ...]:
    """Widths for numbers with no declared hierarchy: a round width giving about twenty
    intervals over the range, doubled level by level while more than one interval remains."""
    found = list(numbers)
    if not found:
        return ()
    low, high = min(found), max(found)
    span = high - low
    if span == 0:
        return ()
    raw = span / 20
    exponent = math.floor(math.log10(raw))
    base = next(m * 10.0**exponent for m in (1, 2, 5, 10) if m * 10.0**exponent >= raw - 1e-12)
    if all(float(n).is_integer() for n in found):
        base = max(1.0, math.ceil(base))
    widths: list[float] = []
    width = base
    while math.floor(low / width) != math.floor(high / width) and len(widths) < MAX_LEVELS - 2:
        widths.append(width)
        width *= 2
    return tuple(widths)
