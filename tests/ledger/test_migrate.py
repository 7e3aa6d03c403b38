"""Migrations build exactly the tables the code defines, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from hogo.ledger.engine import make_engine
from hogo.ledger.migrate import current_revision, head_revision, upgrade
from hogo.ledger.tables import metadata


@pytest.fixture
def empty_engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def test_upgrade_creates_the_schema_the_code_defines(empty_engine: Engine) -> None:
    before, after = upgrade(empty_engine)
    assert before is None and after == head_revision()
    with empty_engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == [], "tables.py changed without a migration"
    assert set(metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_upgrade_twice_is_harmless(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    before, after = upgrade(empty_engine)
    assert before == after == current_revision(empty_engine) == head_revision()
