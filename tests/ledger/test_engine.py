from __future__ import annotations

from sqlalchemy import Engine, text

from hogo.ledger.engine import READ_ONLY, is_sqlite
from hogo.ledger.tables import metadata


def test_tables_exist(engine: Engine) -> None:
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            assert conn.execute(text(f"select count(*) from {table.name}")).scalar() == 0


def test_sqlite_runs_in_wal_with_foreign_keys(engine: Engine) -> None:
    if not is_sqlite(engine):
        return
    with engine.begin() as conn:
        assert conn.execute(text("pragma journal_mode")).scalar() == "wal"
        assert conn.execute(text("pragma foreign_keys")).scalar() == 1
    with engine.connect().execution_options(**{READ_ONLY: True}) as conn, conn.begin():
        assert conn.execute(text("select 1")).scalar() == 1
