"""DB-API connections kept aside for the hot path (`use`, one subject per call).

Checking a connection out of SQLAlchemy's pool and resetting it on return costs as much as
the few statements of a single use, and on PostgreSQL `pool_pre_ping` adds a round trip
to every check-out. These connections are made by the engine (same URL, same connect
events: SQLite's pragmas) and then detached from its pool, so they never count against it.

One is kept, and its users take turns on a lock. Every hot transaction holds
the audit chain's head (SQLite's write lock, PostgreSQL's row lock) until it commits, so
two of them never run at once anyway, and the group commit (`hogo.services.group_commit`)
runs one batch at a time. On separate SQLite connections, as before, the loser of the
write lock was put to sleep by SQLite's busy handler for up to tens of milliseconds before
it tried again; and keeping one connection per thread exhausted the engine's pool once
more than 15 threads (FastAPI's pool has 40) each held one, after which every other
request waited 30 s for a connection.

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


class HotConnection:
    """One detached DB-API connection and its cursor, used by one caller at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._turn = threading.Lock()
        self._held: tuple[Any, Any] | None = None
        self._closed = False

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        """A cursor for one transaction, which the caller opens and ends."""
        with self._turn:
            if self._closed:
                raise RuntimeError("the ledger is closed")
            held = self._held or self._connect()
            try:
                yield held[1]
            except BaseException:
                self._held = None
                with suppress(Exception):  # it is being thrown away
                    held[0].close()
                raise
            self._held = held

    def _connect(self) -> tuple[Any, Any]:
        connection = self.engine.raw_connection()
        connection.detach()  # ours from now on: closed by us, not returned to the pool
        if not is_sqlite(self.engine):  # SQLite's are already (engine.py)
            driver: Any = connection.dbapi_connection
            driver.autocommit = True
        return connection, connection.cursor()

    def close(self) -> None:
        """Close the connection; waits for a caller using it to finish."""
        with self._turn:
            self._closed = True
            held, self._held = self._held, None
        if held is not None:
            held[0].close()
