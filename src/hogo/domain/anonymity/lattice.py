"""The search over the generalization lattice: Flash-style tagging, then the least loss.

A node is one generalization level per quasi-identifier. k-anonymity (and distinct
l-diversity) with a suppression limit is monotone under generalization: merging classes
never shrinks a class nor its distinct sensitive values, so a row kept at a node is kept at
every coarser node and the suppressed rows only fall. Hence once a node satisfies, every
more general node does; once one fails, every more specific node does.

Phase 1 follows Flash (Kohlmayer et al., "Flash: Efficient, Stable and Optimal
K-Anonymity", 2012): nodes are visited by height; from each untagged node a path is walked
upwards through untagged nodes and binary-searched for its lowest satisfying node; each
check tags all nodes above (satisfying) or below (failing) it, and the successors of
failing nodes are explored next. Every node ends up tagged, most of them without a check.

Phase 2 picks the least information loss among the satisfying nodes. The loss of a node is
its generalization loss (a sum of per-attribute figures known before any check, and
monotone) plus what its suppressed rows add. The generalization loss is a lower bound, so
nodes are taken in order of it and the search stops once the bound passes the best loss
found: without suppression, the first candidate is the optimum.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MAX_NODES = 200_000
"""Largest lattice searched; beyond it, the quasi-identifiers or their hierarchies are too many."""

_UNKNOWN, _SATISFIES, _FAILS = 0, 1, 2
_EPSILON = 1e-12


@dataclass(frozen=True, slots=True)
class Check:
    """What checking one node found."""

    satisfies: bool
    loss: float
    """The node's information loss (meaningful only when it satisfies)."""


@dataclass(frozen=True, slots=True)
class Optimum:
    node: tuple[int, ...]
    loss: float
    checked: int
    """How many nodes were checked (the others were tagged by monotonicity)."""


class Lattice:
    """All combinations of levels, each node numbered in mixed radix (the last QI fastest)."""

    def __init__(self, heights: Sequence[int], bounds: Sequence[Sequence[float]]) -> None:
        """heights[q]: levels of QI q; bounds[q][level]: its generalization loss there."""
        self.heights = tuple(heights)
        self.bounds = tuple(tuple(b) for b in bounds)
        size = 1
        strides = []
        for height in reversed(self.heights):
            strides.append(size)
            size *= height
        self.size = size
        self.strides = tuple(reversed(strides))

    def levels(self, node: int) -> tuple[int, ...]:
        return tuple(
            (node // stride) % height
            for stride, height in zip(self.strides, self.heights, strict=True)
        )

    def node(self, levels: Sequence[int]) -> int:
        return sum(level * stride for level, stride in zip(levels, self.strides, strict=True))

    def bound(self, levels: Sequence[int]) -> float:
        return sum(b[level] for b, level in zip(self.bounds, levels, strict=True))

    def successors(self, node: int) -> list[int]:
        levels = self.levels(node)
        return [
            node + stride
            for stride, height, level in zip(self.strides, self.heights, levels, strict=True)
            if level + 1 < height
        ]

    def predecessors(self, node: int) -> list[int]:
        levels = self.levels(node)
        return [
            node - stride for stride, level in zip(self.strides, levels, strict=True) if level > 0
        ]


class _Search:
    def __init__(self, lattice: Lattice, check: Callable[[tuple[int, ...]], Check]) -> None:
        self.lattice = lattice
        self.check_levels = check
        self.state = bytearray(lattice.size)
        self.losses: dict[int, float] = {}
        self.levels = [lattice.levels(n) for n in range(lattice.size)]
        self.bounds = [lattice.bound(levels) for levels in self.levels]
        self.heap: list[tuple[int, float, int]] = []

    def key(self, node: int) -> tuple[int, float, int]:
        return (sum(self.levels[node]), self.bounds[node], node)

    def check(self, node: int) -> bool:
        found = self.check_levels(self.levels[node])
        if found.satisfies:
            self.losses[node] = found.loss
            self.tag(node, _SATISFIES, self.lattice.successors)
        else:
            self.tag(node, _FAILS, self.lattice.predecessors)
            heapq.heappush(self.heap, self.key(node))
        return found.satisfies

    def tag(self, node: int, state: int, neighbours: Callable[[int], list[int]]) -> None:
        # A node tagged earlier has had its whole cone tagged with it: stop there.
        self.state[node] = state
        stack = [node]
        while stack:
            for other in neighbours(stack.pop()):
                if self.state[other] != state:
                    self.state[other] = state
                    stack.append(other)

    def path(self, node: int) -> list[int]:
        path = [node]
        while True:
            ahead = [n for n in self.lattice.successors(node) if not self.state[n]]
            if not ahead:
                return path
            node = min(ahead, key=self.key)
            path.append(node)

    def check_path(self, path: list[int]) -> None:
        low, high = 0, len(path) - 1
        while low <= high:
            middle = (low + high) // 2
            node = path[middle]
            if self.state[node] == _SATISFIES or (not self.state[node] and self.check(node)):
                high = middle - 1
            else:
                low = middle + 1

    def tag_all(self) -> None:
        order = sorted(range(self.lattice.size), key=self.key)
        for node in order:
            if self.state[node]:
                continue
            self.check_path(self.path(node))
            while self.heap:
                _, _, failed = heapq.heappop(self.heap)
                for up in sorted(self.lattice.successors(failed), key=self.key):
                    if not self.state[up]:
                        self.check_path(self.path(up))

    def least_loss(self) -> tuple[int, float] | None:
        candidates = sorted(
            (n for n in range(self.lattice.size) if self.state[n] == _SATISFIES),
            key=lambda n: (self.bounds[n], sum(self.levels[n]), self.levels[n]),
        )
        best: tuple[float, int, tuple[int, ...], int] | None = None
        for node in candidates:
            if best is not None and self.bounds[node] > best[0] + _EPSILON:
                break
            if node not in self.losses:
                found = self.check_levels(self.levels[node])
                if not found.satisfies:  # pragma: no cover - would mean monotonicity broke
                    raise AssertionError(f"node {self.levels[node]} was tagged wrongly")
                self.losses[node] = found.loss
            loss = self.losses[node]
            rank = (loss, sum(self.levels[node]), self.levels[node], node)
            if (
                best is None
                or loss < best[0] - _EPSILON
                or (abs(loss - best[0]) <= _EPSILON and rank[1:] < best[1:])
            ):
                best = rank
        return None if best is None else (best[3], best[0])


class _Counted:
    def __init__(self, check: Callable[[tuple[int, ...]], Check]) -> None:
        self.check = check
        self.seen: set[tuple[int, ...]] = set()

    def __call__(self, levels: tuple[int, ...]) -> Check:
        self.seen.add(levels)
        return self.check(levels)


def search(lattice: Lattice, check: Callable[[tuple[int, ...]], Check]) -> Optimum | None:
    """The satisfying node of least loss (ties: lowest, then first), or None if none satisfies.

    `bounds` given to the lattice must be lower bounds of `check(...).loss` for satisfying
    nodes, expressed in the same unit; the search is exact under that condition.
    """
    counted = _Counted(check)
    top = tuple(h - 1 for h in lattice.heights)
    if not counted(top).satisfies:
        return None
    run = _Search(lattice, counted)
    run.tag_all()
    found = run.least_loss()
    if found is None:  # pragma: no cover - the top satisfies, so some node does
        return None
    node, loss = found
    return Optimum(node=run.levels[node], loss=loss, checked=len(counted.seen))


def brute_force(lattice: Lattice, check: Callable[[tuple[int, ...]], Check]) -> Optimum | None:
    """Every node checked: the reference the tests compare `search` with."""
    best: tuple[float, int, tuple[int, ...]] | None = None
    for node in range(lattice.size):
        levels = lattice.levels(node)
        found = check(levels)
        if not found.satisfies:
            continue
        rank = (found.loss, sum(levels), levels)
        if (
            best is None
            or found.loss < best[0] - _EPSILON
            or (abs(found.loss - best[0]) <= _EPSILON and rank[1:] < best[1:])
        ):
            best = rank
    if best is None:
        return None
    return Optimum(node=best[2], loss=best[0], checked=lattice.size)
