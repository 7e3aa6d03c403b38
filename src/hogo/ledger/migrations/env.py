"""Alembic environment: run by `hogo db upgrade` with a connection it passes in.

Nothing here reads a config file or the environment: the connection comes from the
caller (`config.attributes["connection"]`), so tests and commands point migrations at
any database without global state.
"""

from __future__ import annotations

from alembic import context

from hogo.ledger.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable by running alembic by hand
    raise RuntimeError("run migrations through `hogo db upgrade`, which provides the connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
