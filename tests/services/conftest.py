from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hogo.config import Settings
from hogo.ledger.crypto import FileKeyProvider
from hogo.ledger.engine import make_engine
from hogo.ledger.migrate import upgrade
from hogo.services.ledger import Ledger, open_ledger
from hogo.services.policy_versions import publish
from tests.conftest import FIXTURES
from tests.databases import backends, database_url


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance_to(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


@pytest.fixture(params=backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    key_file = tmp_path / "keys" / "master.key"
    FileKeyProvider.create(key_file)
    return Settings(database_url=db_url, key_file=key_file, policy=FIXTURES / "full.yaml")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))


@pytest.fixture
def ledger(settings: Settings, clock: FixedClock) -> Iterator[Ledger]:
    """A migrated ledger with tests/policy/fixtures/full.yaml published and in force."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()
    opened = open_ledger(settings, clock=clock)
    publish(opened, FIXTURES / "full.yaml", actor="officer", effective=date(2026, 1, 1))
    try:
        yield opened
    finally:
        opened.close()
