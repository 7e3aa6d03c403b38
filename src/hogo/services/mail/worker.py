"""The mail worker: claims due messages, sends them, and records what became of each.

Three short transactions per message and none around the SMTP conversation, so a slow
server never holds a database lock:

1. claim a batch of due messages (not sent, not given up, `send_after` passed, no live
   claim) by writing `claimed_by`/`claimed_until`, in one transaction; on PostgreSQL the
   rows are read with FOR UPDATE SKIP LOCKED, so two workers never claim the same row,
   and SQLite serialises writers (BEGIN IMMEDIATE), which has the same effect;
2. just before a message is handed to the server, renew its claim and read it, in one
   transaction: a worker that lost the claim (it expired and another worker took it)
   skips the message instead of sending it too;
3. after the server answered, mark the message, conditional on still holding the claim:
   sent (its recipient and content emptied: the outbox keeps that a message went, not
   what it said), or failed with the next attempt scheduled (doubling waits,
   `hogo.domain.delivery`), or given up (content emptied too). Each outcome is audited
   ("mail_sent", "mail_failed") without address or text.

Never twice, and the one exception: SMTP cannot make handing over a message and
recording it atomic. If the server accepts a message and the worker then dies, or the
database refuses the mark, the claim expires and another attempt sends it again (at
least once, not exactly once). The message then carries the same Message-ID and Date, so
the recipient's mail software can recognise the copy. Every other path sends a message
at most once.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from hogo.domain.delivery import RetryRule, after_failure
from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.crypto import KeyringError
from hogo.ledger.engine import READ_ONLY
from hogo.services.consent import aware
from hogo.services.errors import BadInput, NotReady
from hogo.services.ledger import Ledger
from hogo.services.mail.smtp import (
    DeliveryError,
    Sender,
    SmtpSession,
    SmtpTransport,
    build_message,
    parse_smtp_url,
    recipient_address,
    resolve_sender,
)
from hogo.services.outbox import OpenMessage, open_message

DEFAULT_BATCH = 20
MAX_BATCH = 1_000
DEFAULT_LEASE = timedelta(minutes=10)
"""How long a claim lasts. It is renewed before each message, so it only needs to cover
one message's conversation with the server (a few timeouts at most)."""

_o = t.outbox.c


def worker_name() -> str:
    """Unique per process and run: host, process id and a random tag (≤ 64 characters)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"[:64]


def transport_for(ledger: Ledger) -> SmtpTransport:
    """The server from HOGO_SMTP_URL; without it, messages wait in the outbox."""
    url = ledger.settings.smtp_url
    if not url:
        raise NotReady("HOGO_SMTP_URL is not set: messages stay in the outbox until it is")
    return SmtpTransport(parse_smtp_url(url))


def sender_for(ledger: Ledger, conn: Connection) -> Sender:
    policy = ledger.policy_in_force(conn).policy
    organization = policy.organization
    contact = organization.contact.email if organization.contact else None
    names = {"ja": organization.name["ja"], "en": organization.name["en"]}
    return resolve_sender(ledger.settings.mail_from, contact, names)


@dataclass(frozen=True)
class Delivery:
    """What became of one claimed message."""

    outbox_id: int
    kind: str
    state: str
    """sent, retry (a later attempt is scheduled), failed (given up) or skipped (the
    claim was lost to another worker: that worker sends it)."""
    attempts: int
    error: str | None = None
    retry_at: datetime | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "outbox_id": self.outbox_id,
            "kind": self.kind,
            "state": self.state,
            "attempts": self.attempts,
            "error": self.error,
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
        }


@dataclass
class DrainResult:
    worker: str
    deliveries: list[Delivery] = field(default_factory=list)
    stopped: str | None = None
    """Why the drain ended before the queue was empty (the server could not be reached)."""

    def count(self, state: str) -> int:
        return sum(1 for d in self.deliveries if d.state == state)

    def to_dict(self) -> dict[str, object]:
        return {
            "worker": self.worker,
            "sent": self.count("sent"),
            "retry": self.count("retry"),
            "failed": self.count("failed"),
            "skipped": self.count("skipped"),
            "stopped": self.stopped,
            "deliveries": [d.to_dict() for d in self.deliveries],
        }


def _due(now: datetime) -> Any:
    return and_(
        _o.sent_at.is_(None),
        _o.failed_at.is_(None),
        _o.send_after <= now,
        or_(_o.claimed_until.is_(None), _o.claimed_until <= now),
    )


def count_due(ledger: Ledger) -> int:
    """How many messages a drain started now would take (for a progress bar)."""
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        query = select(func.count()).select_from(t.outbox).where(_due(ledger.now()))
        return int(conn.execute(query).scalar_one())


def claim(
    ledger: Ledger, worker: str, *, limit: int, lease: timedelta, due_by: datetime
) -> list[int]:
    """Claim up to `limit` messages due by `due_by`, oldest first; their ids."""
    with ledger.engine.begin() as conn:
        now = ledger.now()
        query = (
            select(_o.id)
            .where(_due(now), _o.send_after <= due_by)
            .order_by(_o.send_after, _o.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite renders nothing
        )
        ids = [int(row.id) for row in conn.execute(query)]
        if ids:
            # Claims are bookkeeping between workers, not a change to anyone's data:
            # what is audited is the outcome of each message.
            conn.execute(
                update(t.outbox)
                .where(_o.id.in_(ids))
                .values(claimed_by=worker, claimed_until=now + lease)
            )
    return ids


def _release(ledger: Ledger, worker: str, ids: list[int]) -> None:
    """Give back claims not acted on (the worker was interrupted or stopped early)."""
    if not ids:
        return
    with ledger.engine.begin() as conn:
        conn.execute(
            update(t.outbox)
            .where(_o.id.in_(ids), _o.claimed_by == worker)
            .values(claimed_by=None, claimed_until=None)
        )


@dataclass(frozen=True)
class _Taken:
    id: int
    kind: str
    subject_id: str | None
    message_id: str
    attempts: int
    written_at: datetime
    message: OpenMessage | None
    """None when the row cannot be read (content missing or altered)."""


def _held(outbox_id: int, worker: str) -> Any:
    return and_(
        _o.id == outbox_id,
        _o.claimed_by == worker,
        _o.sent_at.is_(None),
        _o.failed_at.is_(None),
    )


def _take(ledger: Ledger, worker: str, outbox_id: int, lease: timedelta) -> _Taken | None:
    """Renew the claim and read the message; None when the claim was lost."""
    with ledger.engine.begin() as conn:
        renewed = conn.execute(
            update(t.outbox)
            .where(_held(outbox_id, worker))
            .values(claimed_until=ledger.now() + lease)
        )
        if renewed.rowcount != 1:
            return None
        row = conn.execute(select(t.outbox).where(_o.id == outbox_id)).one()
        ledger.register_cipher(conn)  # a wrong master key stops the worker, not the message
        try:
            message = open_message(ledger, conn, row)
        except KeyringError:
            message = None
    return _Taken(
        id=outbox_id,
        kind=row.kind,
        subject_id=row.subject_id,
        message_id=row.message_id,
        attempts=int(row.attempts),
        written_at=aware(row.created_at),
        message=message,
    )


def _mark_sent(ledger: Ledger, worker: str, taken: _Taken) -> Delivery:
    with ledger.engine.begin() as conn:
        now = ledger.now()
        marked = conn.execute(
            update(t.outbox)
            .where(_held(taken.id, worker))
            .values(
                sent_at=now,
                recipient=None,
                content=None,
                attempts=_o.attempts + 1,
                claimed_by=None,
                claimed_until=None,
            )
        )
        detail: dict[str, Any] = {
            "outbox_id": taken.id,
            "kind": taken.kind,
            "message_id": taken.message_id,
            "attempts": taken.attempts + 1,
        }
        if marked.rowcount != 1:
            detail["claim_lost"] = True  # sent, but another worker holds it now
        append(
            conn,
            AuditEntry(
                at=now,
                actor=f"worker:{worker}",
                action="mail_sent",
                outcome="done",
                subject_id=taken.subject_id,
                reason=taken.kind[:63],
                detail=detail,
            ),
        )
    return Delivery(taken.id, taken.kind, "sent", taken.attempts + 1)


def _mark_failed(
    ledger: Ledger, worker: str, taken: _Taken, error: DeliveryError, rule: RetryRule
) -> Delivery:
    with ledger.engine.begin() as conn:
        now = ledger.now()
        attempts = taken.attempts + 1
        verdict = after_failure(rule, attempts=attempts, now=now, permanent=error.permanent)
        values: dict[str, Any] = {
            "attempts": _o.attempts + 1,
            "last_error": error.summary,
            "claimed_by": None,
            "claimed_until": None,
        }
        if verdict.give_up:
            values.update(failed_at=now, recipient=None, content=None)
        else:
            values["send_after"] = verdict.retry_at
        marked = conn.execute(update(t.outbox).where(_held(taken.id, worker)).values(**values))
        if marked.rowcount != 1:
            return Delivery(taken.id, taken.kind, "skipped", taken.attempts)
        append(
            conn,
            AuditEntry(
                at=now,
                actor=f"worker:{worker}",
                action="mail_failed",
                outcome="failed",
                subject_id=taken.subject_id,
                reason=error.summary[:63],
                detail={
                    "outbox_id": taken.id,
                    "kind": taken.kind,
                    "attempts": attempts,
                    "error": error.summary,
                    "gave_up": verdict.give_up,
                    "retry_at": verdict.retry_at.isoformat() if verdict.retry_at else None,
                },
            ),
        )
    state = "failed" if verdict.give_up else "retry"
    return Delivery(taken.id, taken.kind, state, attempts, error.summary, verdict.retry_at)


@dataclass
class _Batch:
    """One claimed batch going out over (at most) one session at a time."""

    ledger: Ledger
    transport: SmtpTransport
    sender: Sender
    worker: str
    rule: RetryRule
    lease: timedelta
    session: SmtpSession | None = None
    unreachable: DeliveryError | None = None

    def deliver(self, outbox_id: int) -> Delivery:
        taken = _take(self.ledger, self.worker, outbox_id, self.lease)
        if taken is None:
            return Delivery(outbox_id, "", "skipped", 0)
        try:
            self._send(taken)
        except DeliveryError as error:
            return _mark_failed(self.ledger, self.worker, taken, error, self.rule)
        # The one at-least-once window: accepted by the server, not yet marked.
        return _mark_sent(self.ledger, self.worker, taken)

    def _send(self, taken: _Taken) -> None:
        if self.unreachable is not None:
            raise self.unreachable
        message = taken.message
        if message is None:
            raise DeliveryError("the queued message cannot be read", permanent=True)
        to = recipient_address(message.to)
        email = build_message(
            sender=self.sender,
            to=to,
            subject=message.subject,
            body=message.body,
            lang=message.lang,
            message_id=taken.message_id,
            written_at=taken.written_at,
        )
        try:
            if self.session is None or not self.session.open:
                self.session = self.transport.connect()
            self.session.send(email, sender=self.sender.address, to=to.addr_spec)
        except DeliveryError as error:
            if error.at_connect:
                self.unreachable = error
            if error.session_lost and self.session is not None:
                self.session.close()
                self.session = None
            raise

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None


def drain(
    ledger: Ledger,
    transport: SmtpTransport,
    *,
    worker: str | None = None,
    batch: int = DEFAULT_BATCH,
    rule: RetryRule | None = None,
    lease: timedelta = DEFAULT_LEASE,
    on_delivery: Callable[[Delivery], None] | None = None,
) -> DrainResult:
    """Send every message due now, batch by batch, and return what became of each.

    When the server cannot be reached, the batch in hand is scheduled for a later attempt
    and the drain stops: the rest of the queue is left as it is for the next run rather
    than waiting for the same timeout once per batch.
    """
    if not isinstance(batch, int) or not 1 <= batch <= MAX_BATCH:
        raise BadInput(f"batch must be a whole number from 1 to {MAX_BATCH}")
    rule = rule or RetryRule()
    worker = worker or worker_name()
    with ledger.engine.begin() as conn:
        sender = sender_for(ledger, conn)
        try:
            ledger.register_cipher(conn)
        except KeyringError as exc:
            raise NotReady(f"the outbox cannot be opened: {exc}") from None
    result = DrainResult(worker)
    due_by = ledger.now()
    while result.stopped is None:
        ids = claim(ledger, worker, limit=batch, lease=lease, due_by=due_by)
        if not ids:
            break
        sending = _Batch(ledger, transport, sender, worker, rule, lease)
        not_started = list(ids)
        try:
            while not_started:
                delivery = sending.deliver(not_started.pop(0))
                result.deliveries.append(delivery)
                if on_delivery is not None:
                    on_delivery(delivery)
        finally:
            sending.close()
            # On interruption, the message in hand keeps its claim until the lease ends
            # (the server may have accepted it); the rest of the batch is given back now.
            _release(ledger, worker, not_started)
        if sending.unreachable is not None:
            result.stopped = sending.unreachable.summary
    return result
