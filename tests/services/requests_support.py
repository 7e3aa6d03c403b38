"""Helpers shared by the request service tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.ledger.tables_requests import requests
from hogo.services.collect import Collection, collect
from hogo.services.ledger import Ledger
from hogo.services.outbox import OpenMessage, open_message
from hogo.services.requests import fulfil, new_request, verify

HANAKO = {"name": "佐藤花子", "email": "hanako@example.jp", "purchases": "緑茶 2箱"}


def collected(ledger: Ledger, values: dict[str, str] = HANAKO, **consents: bool) -> str:
    return collect(ledger, Collection("shop", values, consents=consents), actor="shop").subject_id


def request_row(ledger: Ledger, request_id: str) -> Any:
    with ledger.engine.connect() as conn:
        return conn.execute(select(requests).where(requests.c.id == request_id)).one()


def messages(ledger: Ledger, ref: str | None = None) -> list[OpenMessage]:
    query = select(t.outbox).order_by(t.outbox.c.id)
    if ref is not None:
        query = query.where(t.outbox.c.ref == ref)
    with ledger.engine.connect() as conn:
        opened = [open_message(ledger, conn, row) for row in conn.execute(query).all()]
    return [m for m in opened if m is not None]


def audits(ledger: Ledger, action: str) -> list[Any]:
    with ledger.engine.connect() as conn:
        return list(
            conn.execute(select(t.audit).where(t.audit.c.action == action).order_by(t.audit.c.id))
        )


def in_progress(ledger: Ledger, kind: str, subject_id: str, **new: Any) -> str:
    """A request of `kind` about the subject, verified and ready to fulfil."""
    request_id = new_request(
        ledger, kind=kind, subject_id=subject_id, actor="desk", **new
    ).request.id
    verify(
        ledger, request_id, method="registered_email", evidence="answered the check", actor="desk"
    )
    return request_id


def fulfilled(ledger: Ledger, kind: str, subject_id: str, **options: Any) -> Any:
    return fulfil(ledger, in_progress(ledger, kind, subject_id), actor="desk", **options)
