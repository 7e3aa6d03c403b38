"""The creations a rendered policy announces, read from a ledger without its keys.

Publishing the items of each anonymised dataset promptly after it is made (APPI Art.
43(3), Rules Art. 36) means the policy a company renders must carry the register's
creations. Rendering needs no master key: what is announced is stored in plain text, so
`hogo render` reads it with an engine alone. When no ledger is named, the configured one
is used if it exists, so a site rendered beside the ledger cannot leave creations out
by forgetting a flag.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from hogo.config import Settings
from hogo.ledger.engine import READ_ONLY, make_engine
from hogo.ledger.migrate import current_revision, head_revision
from hogo.ledger.tables_anonymized import anonymized_creations
from hogo.policy.announcements import CreatedDataset
from hogo.policy.schema import Text
from hogo.services.errors import BadInput, NotReady


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def configured_ledger() -> str | None:
    """The ledger `hogo render` reads when none is named: the configured database
    ($HOGO_DATABASE_URL, else sqlite:///hogo.db) when it exists; a server database named in
    the settings is taken to exist. None when there is no ledger here."""
    url = Settings().database_url
    path = _sqlite_file(url)
    if path is None:
        return url
    return url if path.is_file() else None


def for_render(db: str | None, *, use_ledger: bool = True) -> list[CreatedDataset]:
    """The creations `hogo render` announces: from `db` when named, else from the
    configured ledger when there is one; none when told not to read a ledger."""
    if not use_ledger:
        if db is not None:
            raise BadInput("give either --db or --no-db, not both")
        return []
    url = db if db is not None else configured_ledger()
    return [] if url is None else announced_in(url)


def announced_in(database_url: str) -> list[CreatedDataset]:
    """Every creation recorded in the ledger at `database_url`, as announced."""
    path = _sqlite_file(database_url)
    if path is not None and not path.is_file():
        raise BadInput(f"no ledger at {path}: give the --db of an existing ledger")
    try:
        engine = make_engine(database_url)
    except (SQLAlchemyError, ValueError) as exc:
        raise BadInput(f"cannot open the ledger: {exc}") from None
    try:
        try:
            revision = current_revision(engine)
        except SQLAlchemyError as exc:
            raise NotReady(f"cannot read the ledger: {exc.__class__.__name__}") from None
        if revision != head_revision():
            state = "is empty" if revision is None else f"is at revision {revision}"
            raise NotReady(f"the ledger {state}: run `hogo db upgrade` before rendering")
        with engine.connect().execution_options(**{READ_ONLY: True}) as conn, conn.begin():
            return announced(conn)
    finally:
        engine.dispose()


def announced(conn: Connection) -> list[CreatedDataset]:
    """Every creation recorded, oldest first, as the policy announces it."""
    c = anonymized_creations.c
    query = select(c.dataset, c.label, c.created_on, c["items"], c.item_labels).order_by(c.id)
    return [
        CreatedDataset(
            dataset=row.dataset,
            label=Text(ja=row.label["ja"], en=row.label["en"]),
            created_on=row.created_on,
            items=tuple(row.items),
            item_labels=tuple(
                Text(ja=row.item_labels[i]["ja"], en=row.item_labels[i]["en"]) for i in row.items
            ),
        )
        for row in conn.execute(query)
    ]
