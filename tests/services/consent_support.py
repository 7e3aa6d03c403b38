"""Shared by the consent, eligible and restriction tests: table counts, subjects, variants."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, func, select, update

from hogo.ledger import tables as t
from hogo.services.collect import Collection, collect
from hogo.services.ledger import Ledger
from hogo.services.policy_versions import publish
from tests.conftest import FIXTURES


def counts(ledger: Ledger) -> dict[str, int]:
    """Rows per table: equal before and after a refused call proves nothing was written."""
    tables = (t.subjects, t.subject_keys, t.records, t.consents, t.restrictions, t.audit)
    with ledger.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in tables
        }


def subject(
    ledger: Ledger, values: dict[str, str] | None = None, consents: dict[str, bool] | None = None
) -> str:
    """A new subject holding `values` (default: a name and a unique e-mail)."""
    n = counts(ledger)["subjects"]
    given = values if values is not None else {"name": f"N{n}", "email": f"p{n}@example.jp"}
    return collect(
        ledger, Collection("shop", given, consents=consents or {}), actor="app"
    ).subject_id


def erase_directly(ledger: Ledger, subject_id: str, at: datetime) -> None:
    """What whole-subject erasure leaves behind (the erase service is another issue's)."""
    with ledger.engine.begin() as conn:
        conn.execute(delete(t.subject_keys).where(t.subject_keys.c.subject_id == subject_id))
        conn.execute(update(t.subjects).where(t.subjects.c.id == subject_id).values(erased_at=at))


def expire_records(ledger: Ledger, subject_id: str, item: str, due: date) -> None:
    with ledger.engine.begin() as conn:
        conn.execute(
            update(t.records)
            .where(t.records.c.subject_id == subject_id, t.records.c.item == item)
            .values(retention_due=due)
        )


def publish_variant(
    ledger: Ledger, tmp_path: Path, replacements: dict[str, str], effective: date
) -> int:
    """Publish full.yaml with text replaced (a new version); returns its version id."""
    text = (FIXTURES / "full.yaml").read_text("utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"variant-{effective}.yaml"
    path.write_text(text, "utf-8")
    return publish(ledger, path, actor="officer", effective=effective, allow_errors=True).version_id
