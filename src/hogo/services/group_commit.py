"""Group commit: calls that arrive together share one transaction and one commit.

Every `use` appends to the audit chain, and appending holds the chain's head (SQLite's
write lock, PostgreSQL's row lock) until the commit, which on PostgreSQL waits for the
disk. So uses can only run one at a time, each paying a commit of its own, however many
threads ask: under load the callers spend their time queued for the head.

Here callers queue their items, and whoever leads runs everything queued as one batch, in
arrival order, while the next arrivals queue for the batch after. A thread that calls
`submit` leads when nobody else does, so a lone caller runs at once in its own thread, as
before. A coroutine that awaits `submit_async` never blocks its event loop: a writer
thread, started on first use, leads for it, and the loop is woken once per batch with
every answer at once (in the server this replaces a worker-thread hop per request).
If a batch fails as a whole, its items are run again one by one, so an error reaches
only the caller whose item caused it and nobody else's use is lost or half written.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_BATCH = 64


class _Slot(Generic[T, R]):
    __slots__ = ("done", "error", "future", "item", "result")

    def __init__(self, item: T, future: asyncio.Future[R] | None = None) -> None:
        self.item = item
        self.future = future
        self.done = False
        self.result: R | None = None
        self.error: BaseException | None = None

    def settle(self, result: R | None = None, error: BaseException | None = None) -> None:
        self.result, self.error, self.done = result, error, True


def _resolve(slots: list[_Slot[T, R]]) -> None:
    """On the event loop: hand each awaiting coroutine its answer."""
    for slot in slots:
        future = slot.future
        if future is None or future.done():  # cancelled meanwhile: nobody listens
            continue
        if slot.error is not None:
            future.set_exception(slot.error)
        else:
            future.set_result(slot.result)  # type: ignore[arg-type]  # settled with a result


class GroupCommit(Generic[T, R]):
    """Runs `run(items)` for batches of the items callers bring; thread-safe. `run` makes
    one transaction of a batch and returns the results in the items' order; it raises
    only when it committed nothing (the items are then run again, one by one)."""

    def __init__(
        self, run: Callable[[Sequence[T]], Sequence[R]], max_batch: int = MAX_BATCH
    ) -> None:
        self._run = run
        self._max = max_batch
        self._cond = threading.Condition()
        self._pending: list[_Slot[T, R]] = []
        self._leading = False
        self._writer: threading.Thread | None = None
        self._closed = False

    @property
    def waiting(self) -> int:
        """Items queued for the next batch."""
        return len(self._pending)

    def submit(self, item: T) -> R:
        """`item`'s result, from whichever batch ran it; its error if it raised."""
        slot: _Slot[T, R] = _Slot(item)
        with self._cond:
            self._pending.append(slot)
            batch = None if self._leading else self._lead()  # alone: at once
        while True:
            if batch is not None:
                self._execute_and_release(batch)
            with self._cond:
                while self._leading and not slot.done:
                    self._cond.wait()
                if slot.done:
                    break
                batch = self._lead()
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]  # settled with a result

    async def submit_async(self, item: T) -> R:
        """`submit` for a coroutine: the batch runs on the writer thread."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        with self._cond:
            if self._closed:
                raise RuntimeError("the ledger is closed")
            self._pending.append(_Slot(item, future))
            if self._writer is None:
                self._writer = threading.Thread(target=self._write, name="hogo-group-commit")
                self._writer.daemon = True
                self._writer.start()
            self._cond.notify_all()
        return await future

    def close(self) -> None:
        """Stop the writer thread once the queue is empty."""
        with self._cond:
            self._closed = True
            writer = self._writer
            self._cond.notify_all()
        if writer is not None and writer is not threading.current_thread():
            writer.join(timeout=30)

    def _lead(self) -> list[_Slot[T, R]]:
        # With self._cond held.
        self._leading = True
        batch = self._pending[: self._max]
        del self._pending[: self._max]
        return batch

    def _write(self) -> None:
        while True:
            with self._cond:
                while (self._leading or not self._pending) and not self._closed:
                    self._cond.wait()
                if not self._pending:
                    return  # closed, and nothing left to run
                batch = self._lead()
            with suppress(BaseException):  # each caller of the batch was told
                self._execute_and_release(batch)

    def _execute_and_release(self, batch: list[_Slot[T, R]]) -> None:
        try:
            self._execute(batch)
        finally:
            with self._cond:
                self._leading = False
                self._cond.notify_all()
            awaited: dict[asyncio.AbstractEventLoop, list[_Slot[T, R]]] = {}
            for slot in batch:
                if slot.future is not None:
                    awaited.setdefault(slot.future.get_loop(), []).append(slot)
            for loop, slots in awaited.items():
                with suppress(RuntimeError):  # that loop is closed: nobody waits any more
                    loop.call_soon_threadsafe(_resolve, slots)

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
