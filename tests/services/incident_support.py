"""Shared by the incident tests: people in the ledger, table counts, a fresh incident."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.ledger import tables_incidents as ti
from hogo.services.collect import Collection, collect
from hogo.services.incidents import Incident, new_incident
from hogo.services.ledger import Ledger

KNOWN = date(2026, 11, 24)  # the services' FixedClock day: a Tuesday


def person(ledger: Ledger, n: int, *, health: bool = False, card: bool = False) -> str:
    """A customer with a name and e-mail (and a health result or card number when asked)."""
    values = {"name": f"顧客{n}", "email": f"p{n}@example.jp"}
    consents: dict[str, bool] = {}
    if health:
        values["health"] = "要再検査"
        consents["wellness"] = True
    if card:
        values["card"] = "4111111111111111"
    return collect(
        ledger, Collection("shop", values, consents=consents), actor="shop-app"
    ).subject_id


def counts(ledger: Ledger) -> dict[str, int]:
    """Rows per table: equal before and after a refused call proves nothing was written."""
    tables = (ti.incidents, ti.incident_events, ti.incident_subjects, t.audit, t.outbox)
    with ledger.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in tables
        }


def incident(ledger: Ledger, **changes: object) -> Incident:
    values: dict[str, object] = {
        "known_at": KNOWN,
        "summary": "顧客管理システムへの不正アクセスにより、顧客情報が閲覧された可能性があります。",
        "actor": "officer",
    }
    values.update(changes)
    return new_incident(ledger, **values)  # type: ignore[arg-type]
