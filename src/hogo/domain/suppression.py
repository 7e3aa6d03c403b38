"""Small-cell suppression for a table of counts published with all its marginal totals.

Statistics identify no one only if no published figure, and no figure that can be worked
out from the published ones, counts fewer people than the threshold (the `min_cell` a
policy promises; APPI Art. 2(6) and the PPC's guidance that statistics are not personal
information only when they cannot be linked back to a person).

The table has n dimensions. Every entry is keyed by a tuple of n coordinates, each a
category or TOTAL (None): (v1, v2) is a cell, (v1, TOTAL) the total of row v1 and
(TOTAL, TOTAL) the grand total. Every marginal total is published, so every entry with a
TOTAL coordinate at position d is the sum of the entries that put each category of
dimension d there: that equation is a *line* (its *members* and its *total*).

Primary suppression hides every entry counting 0 < people < min_cell: a cell, and a total
as well, since a total is a figure too. Complementary suppression then keeps any line from
having exactly one hidden entry, for one hidden entry of an equation is the published
total minus the visible members (or the sum of the members, when the hidden one is the
total). Such a line gets one more entry hidden: its smallest visible non-zero member,
else a visible zero member, else its total; and the lines of that entry are checked
again, until no line changes (a fixed point: each round hides one more entry, so it ends).

Zero cells are shown. A zero counts no one, so it singles no one out; hiding zeros would
hide most of a sparse table and tell a reader nothing a visible zero does not. A zero is
still known to the reader, which is why it counts as visible in the line arithmetic.

What this does not do: it protects each line on its own (the one-dimensional attack the
PPC guidance and statistical offices' "complementary suppression" address). Combining
several lines can still bound a hidden cell to an interval, never to one value when two
entries of every line are hidden and at least one of them is non-zero; auditing a table
against every linear combination is a linear program, left to specialised tools.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

TOTAL = None
"""The coordinate of a dimension summed over."""

Key = tuple[str | None, ...]


class Reason(StrEnum):
    PRIMARY = "primary"
    """The entry counts fewer people than min_cell (but not none)."""
    COMPLEMENTARY = "complementary"
    """The entry is hidden so that a primary one cannot be worked out from a line."""


@dataclass(frozen=True)
class Table:
    """Counts for every entry: all cells of the cross product of the categories (zeros
    included) and every marginal total."""

    categories: tuple[tuple[str, ...], ...]
    """Per dimension, its categories in display order."""
    counts: Mapping[Key, int]
    people: Mapping[Key, int]
    """How many distinct people each entry counts; the same as counts when a table counts
    people, fewer when it counts records (one person may hold many)."""

    @property
    def dimensions(self) -> int:
        return len(self.categories)

    def entries(self) -> list[Key]:
        """Every entry, cells first in category order, then the totals."""
        axes = [(*values, TOTAL) for values in self.categories]
        return [tuple(key) for key in itertools.product(*axes)]

    def is_cell(self, key: Key) -> bool:
        return TOTAL not in key


def table(
    categories: Sequence[Sequence[str]],
    cells: Mapping[tuple[str, ...], int],
    people: Mapping[Key, int] | None = None,
) -> Table:
    """The table of `cells` (counts keyed by full coordinates; absent cells are zero) with
    every marginal total summed. `people`, when the counts are of records, must give the
    distinct people of every entry, totals included (they do not add up)."""
    cats = tuple(tuple(values) for values in categories)
    known = [set(values) for values in cats]
    for values in cats:
        if len(set(values)) != len(values):
            raise ValueError("a dimension lists a category twice")
    counts: dict[Key, int] = {}
    for key, count in cells.items():
        if len(key) != len(cats) or any(v not in known[d] for d, v in enumerate(key)):
            raise ValueError(f"cell {key!r} is not in the table's categories")
        if count < 0:
            raise ValueError("a count cannot be negative")
        for mask in itertools.product((False, True), repeat=len(cats)):
            entry = tuple(TOTAL if summed else v for v, summed in zip(key, mask, strict=True))
            counts[entry] = counts.get(entry, 0) + count
    axes = [(*values, TOTAL) for values in cats]
    full = {key: counts.get(key, 0) for key in itertools.product(*axes)}
    if people is None:
        return Table(cats, full, full)
    return Table(cats, full, {key: people.get(key, 0) for key in full})


def lines(shape: Table) -> list[tuple[Key, tuple[Key, ...]]]:
    """Every line of the table: (its total, its members)."""
    out = []
    for key in shape.entries():
        for d, coordinate in enumerate(key):
            if coordinate is TOTAL:
                members = tuple((*key[:d], value, *key[d + 1 :]) for value in shape.categories[d])
                out.append((key, members))
    return out


def suppress(shape: Table, *, min_cell: int) -> dict[Key, Reason]:
    """The entries to hide, and why (see the module docstring)."""
    if min_cell < 1:
        raise ValueError("min_cell must be at least 1")
    order = {key: n for n, key in enumerate(shape.entries())}
    hidden: dict[Key, Reason] = {
        key: Reason.PRIMARY for key in order if 0 < shape.people[key] < min_cell
    }
    all_lines = lines(shape)
    lines_of: dict[Key, list[int]] = {}
    for index, (total, members) in enumerate(all_lines):
        for key in (total, *members):
            lines_of.setdefault(key, []).append(index)
    queue = list(range(len(all_lines)))
    queued = set(queue)
    while queue:
        index = queue.pop()
        queued.discard(index)
        total, members = all_lines[index]
        if sum(key in hidden for key in (total, *members)) != 1:
            continue
        pick = _second(shape, total, members, hidden, order)
        hidden[pick] = Reason.COMPLEMENTARY
        for other in lines_of[pick]:
            if other not in queued:
                queued.add(other)
                queue.append(other)
    return hidden


def _second(
    shape: Table,
    total: Key,
    members: tuple[Key, ...],
    hidden: Mapping[Key, Reason],
    order: Mapping[Key, int],
) -> Key:
    """The entry to hide beside a line's only hidden one."""
    visible = [key for key in members if key not in hidden]
    non_zero = [key for key in visible if shape.counts[key] > 0]
    for candidates in (non_zero, visible):
        if candidates:
            return min(candidates, key=lambda key: (shape.counts[key], order[key]))
    return total


def recoverable(shape: Table, hidden: Mapping[Key, Reason]) -> list[Key]:
    """Hidden entries that some line gives away (the check the property tests run)."""
    found = []
    for total, members in lines(shape):
        entries = (total, *members)
        secret = [key for key in entries if key in hidden]
        if len(secret) == 1:
            found.append(secret[0])
    return found


__all__ = ["TOTAL", "Key", "Reason", "Table", "lines", "recoverable", "suppress", "table"]
