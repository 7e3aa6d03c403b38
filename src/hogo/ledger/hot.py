"""DB-API connections kept aside for the single-call hot paths (one `use` per call).

Checking a connection out of SQLAlchemy's pool and resetting it on return costs as much as
the few statements of a single use, and on PostgreSQL `pool_pre_ping` adds a round trip
to every check-out. These connections are made by the engine (same URL, same connect
events: SQLite's pragmas) and then detached from its pool, so they never count against it.

How many are kept matters:
- SQLite: one. Every hot transaction takes the write lock (BEGIN IMMEDIATE), so two of them
  can never run at once anyway; queued on a Python lock, a process's threads take turns
  as soon as the lock is free, where on separate connections SQLite's busy handler puts
  the loser to sleep for up to tens of milliseconds before it tries again. Connections
  per thread, as before, also exhausted the engine's pool once more than 15 threads
  (FastAPI's pool has 40) had each kept one, and every other request then waited 30 s.
- PostgreSQL: up to `size`. Transactions overlap there until they queue on the audit
  head's row lock, and round trips dominate, so more connections mean more throughput.
A connection whose work raised is closed rather than reused: its state is unknown.

The connections run in autocommit mode, so their users open and end transactions with
explicit BEGIN and COMMIT: on PostgreSQL that lets BEGIN travel in one pipeline with the
first statements, where psycopg's implicit BEGIN costs a round trip of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import Engine

from hogo.ledger.engine import is_sqlite

POSTGRES_HOT_CONNECTIONS = 8


class HotConnections:
    """A small pool of detached DB-API connections, each with its cursor."""

    def __init__(self, engine: Engine, size: int | None = None) -> None:
        self.engine = engine
        self.size = (
            size if size is not None else 1 if is_sqlite(engine) else POSTGRES_HOT_CONNECTIONS
        )
        self._slots = threading.BoundedSemaphore(self.size)
        self._lock = threading.Lock()
        self._idle: list[tuple[Any, Any]] = []
        self._all: list[Any] = []
        self._closed = False

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        """A cursor for one transaction, which the caller opens and ends."""
        with self._slots:
            with self._lock:
                if self._closed:
                    raise RuntimeError("the ledger is closed")
                held = self._idle.pop() if self._idle else None
            if held is None:
                held = self._connect()
            try:
                yield held[1]
            except BaseException:
                self._discard(held[0])
                raise
            with self._lock:
                if self._closed:
                    held[0].close()
                else:
                    self._idle.append(held)

    def _connect(self) -> tuple[Any, Any]:
        connection = self.engine.raw_connection()
        connection.detach()  # ours from now on: closed by us, not returned to the pool
        if not is_sqlite(self.engine):  # SQLite's are already (engine.py)
            driver: Any = connection.dbapi_connection
            driver.autocommit = True
        with self._lock:
            self._all.append(connection)
        return connection, connection.cursor()

    def _discard(self, connection: Any) -> None:
        with self._lock:
            if connection in self._all:
                self._all.remove(connection)
        with suppress(Exception):  # it is being thrown away
            connection.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            connections, self._all, self._idle = self._all, [], []
        for connection in connections:
            connection.close()
