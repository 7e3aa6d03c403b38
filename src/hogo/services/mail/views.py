"""The outbox as operators see it: a test message to check the settings, and a listing.

The listing shows what a message is and where it stands (kind, language, state,
attempts, dates, the last error), never its recipient or its text: an operator checking
that mail goes out needs neither, and reading them would be reading personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.engine import READ_ONLY
from hogo.policy.schema import LANGS
from hogo.services.consent import aware
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger
from hogo.services.mail.smtp import DeliveryError, recipient_address
from hogo.services.outbox import Queued, enqueue

STATES = ("pending", "sent", "failed")
MAX_LIST = 10_000
MAX_ACTOR_CHARS = 200

_o = t.outbox.c


def queue_test_message(ledger: Ledger, *, to: str, lang: str | None, actor: str) -> Queued:
    """Queue the `test_message` kind to `to` (the policy's language by default), audited
    as "mail_queued" without the address. `hogo worker` sends it."""
    if not isinstance(actor, str) or not actor.strip() or len(actor) > MAX_ACTOR_CHARS:
        raise BadInput(f"an actor is required (at most {MAX_ACTOR_CHARS} characters)")
    if lang is not None and lang not in LANGS:
        raise BadInput(f"unknown language {lang!r}; use ja or en")
    try:
        recipient_address(to)
    except DeliveryError:
        raise BadInput(f"not an e-mail address to write to: {to!r}"[:200]) from None
    with ledger.engine.begin() as conn:
        policy = ledger.policy_in_force(conn).policy
        lang = lang or policy.policy.authoritative_language
        organization = policy.organization
        contact = organization.contact.email if organization.contact else None
        queued = enqueue(
            ledger,
            conn,
            kind="test_message",
            lang=lang,
            to=to.strip(),
            context={"company": organization.name[lang], "contact": contact},
        )
        append(
            conn,
            AuditEntry(
                at=ledger.now(),
                actor=actor,
                action="mail_queued",
                outcome="done",
                reason="test_message",
                detail={"outbox_id": queued.id, "kind": queued.kind, "lang": queued.lang},
            ),
        )
    return queued


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    kind: str
    lang: str
    state: str
    attempts: int
    created_at: datetime
    send_after: datetime
    sent_at: datetime | None
    failed_at: datetime | None
    last_error: str | None
    subject_id: str | None
    ref: str | None

    def to_dict(self) -> dict[str, object]:
        def iso(at: datetime | None) -> str | None:
            return at.isoformat() if at else None

        return {
            "id": self.id,
            "kind": self.kind,
            "lang": self.lang,
            "state": self.state,
            "attempts": self.attempts,
            "created_at": iso(self.created_at),
            "send_after": iso(self.send_after),
            "sent_at": iso(self.sent_at),
            "failed_at": iso(self.failed_at),
            "last_error": self.last_error,
            "subject_id": self.subject_id,
            "ref": self.ref,
        }


def list_outbox(ledger: Ledger, *, state: str | None = None, limit: int = 100) -> list[OutboxEntry]:
    """The newest messages first, optionally only those in `state`."""
    if state is not None and state not in STATES:
        raise BadInput(f"unknown state {state!r}; use {', '.join(STATES)}")
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIST:
        raise BadInput(f"limit must be a whole number from 1 to {MAX_LIST}")
    columns = [c for c in t.outbox.c if c.name not in ("recipient", "content")]
    query = select(*columns).order_by(_o.id.desc()).limit(limit)
    if state == "pending":
        query = query.where(_o.sent_at.is_(None), _o.failed_at.is_(None))
    elif state == "sent":
        query = query.where(_o.sent_at.is_not(None))
    elif state == "failed":
        query = query.where(_o.failed_at.is_not(None))
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        rows = conn.execute(query).all()
    return [
        OutboxEntry(
            id=int(row.id),
            kind=row.kind,
            lang=row.lang,
            state="sent" if row.sent_at else "failed" if row.failed_at else "pending",
            attempts=int(row.attempts),
            created_at=aware(row.created_at),
            send_after=aware(row.send_after),
            sent_at=aware(row.sent_at) if row.sent_at else None,
            failed_at=aware(row.failed_at) if row.failed_at else None,
            last_error=row.last_error,
            subject_id=row.subject_id,
            ref=row.ref,
        )
        for row in rows
    ]
