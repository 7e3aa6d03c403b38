"""A process's short memory of answers it may trust for a few seconds (checked API keys).

An entry is forgotten `seconds` after it was remembered, or at once by `forget`. A reader
that looked an answer up in the database before a `forget` must not store that answer
after it, or a revoked key would come back: so `remember` takes the generation read before
the look-up and stores nothing if a `forget` happened since.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from time import monotonic
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Expiring(Generic[K, V]):
    """A bounded map whose entries expire `seconds` after they are remembered; emptied when
    full. Thread-safe; `get` takes no lock (one dictionary read)."""

    def __init__(self, seconds: float, size: int, clock: Callable[[], float] = monotonic) -> None:
        self.seconds = seconds
        self.size = size
        self.clock = clock
        self._entries: dict[K, tuple[float, V]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is None or found[0] <= self.clock():
            return None
        return found[1]

    @property
    def generation(self) -> int:
        """Read before looking an answer up; pass it to `remember`."""
        return self._generation

    def remember(self, key: K, value: V, *, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return  # something was forgotten meanwhile: this answer may be stale
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[key] = (self.clock() + self.seconds, value)

    def forget(self, matches: Callable[[V], bool]) -> None:
        with self._lock:
            self._generation += 1
            for key, (_, value) in list(self._entries.items()):
                if matches(value):
                    del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
