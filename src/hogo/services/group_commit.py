"""Group commit: calls that arrive together share one transaction and one commit.

Every `use` appends to the audit chain, and appending holds the chain's head (SQLite's
write lock, PostgreSQL's row lock) until the commit, which on PostgreSQL waits for the
disk. So uses can only run one at a time, each paying a commit of its own, however many
threads ask: under load the callers spend their time queued for the head.

Here the first caller to arrive runs a batch (leader); those who arrive while it runs
wait, and when it ends the first of them to wake runs everything that waited as the next
batch, in arrival order. A lone caller runs alone at once, as before. If a batch fails
as a whole, its items are run again one by one, so an error reaches only the caller whose
item caused it and nobody else's use is lost or half written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_BATCH = 64


class _Slot(Generic[T, R]):
    __slots__ = ("done", "error", "item", "result")

    def __init__(self, item: T) -> None:
        self.item = item
        self.done = False
        self.result: R | None = None
        self.error: BaseException | None = None

    def settle(self, result: R | None = None, error: BaseException | None = None) -> None:
        self.result, self.error, self.done = result, error, True


class GroupCommit(Generic[T, R]):
    """Runs `run(items)` for batches of the items that callers of `submit` bring;
    thread-safe. `run` makes one transaction of a batch and returns the results in the
    items' order; it raises only when it committed nothing (the items are run again)."""

    def __init__(
        self, run: Callable[[Sequence[T]], Sequence[R]], max_batch: int = MAX_BATCH
    ) -> None:
        self._run = run
        self._max = max_batch
        self._cond = threading.Condition()
        self._pending: list[_Slot[T, R]] = []
        self._leading = False

    @property
    def waiting(self) -> int:
        """Items queued for the next batch."""
        return len(self._pending)

    def submit(self, item: T) -> R:
        """`item`'s result, from whichever batch ran it; its error if it raised."""
        slot: _Slot[T, R] = _Slot(item)
        with self._cond:
            self._pending.append(slot)
        while True:
            with self._cond:
                while self._leading and not slot.done:
                    self._cond.wait()
                if slot.done:
                    break
                self._leading = True
                batch = self._pending[: self._max]
                del self._pending[: self._max]
            try:
                self._execute(batch)
            finally:
                with self._cond:
                    self._leading = False
                    self._cond.notify_all()
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]  # settled with a result

    def _execute(self, batch: list[_Slot[T, R]]) -> None:
        try:
            results = self._run([slot.item for slot in batch])
        except Exception as error:
            if len(batch) == 1:
                batch[0].settle(error=error)
                return
            for slot in batch:  # find whose item failed: each alone, in order
                try:
                    slot.settle(self._run([slot.item])[0])
                except Exception as alone:
                    slot.settle(error=alone)
            return
        except BaseException as error:  # interrupted: every caller of the batch hears of it
            for slot in batch:
                slot.settle(error=error)
            raise
        for slot, result in zip(batch, results, strict=True):
            slot.settle(result)
