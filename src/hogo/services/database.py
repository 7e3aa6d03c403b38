"""Creating and migrating the database, as a use case the CLI and the server call."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from hogo.config import Settings
from hogo.ledger.engine import make_engine
from hogo.ledger.migrate import upgrade as migrate
from hogo.services.errors import NotReady


def upgrade(settings: Settings) -> tuple[str | None, str]:
    engine = make_engine(settings.database_url)
    try:
        return migrate(engine)
    except OperationalError as exc:
        raise NotReady(f"cannot reach the database: {exc.orig}") from None
    finally:
        engine.dispose()
