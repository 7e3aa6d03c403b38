"""Reading the register: the work queue (overdue first) and one request with its history.

The queue reads no ciphertext, so it needs no audit entry. `show` decrypts what the
request holds about a person (address, agent, evidence, reasons, the answer) and is
audited as "request_show".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from hogo.domain.requests import RequestState, queue_key, state_of
from hogo.ledger.engine import READ_ONLY
from hogo.ledger.tables_requests import request_events, requests
from hogo.services.consent import aware
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger
from hogo.services.requests.common import (
    Request,
    audit,
    check_actor,
    check_id,
    load,
    open_answer,
    to_request,
    unseal,
)


def list_requests(
    ledger: Ledger,
    *,
    due_before: date | None = None,
    state: str | None = None,
    today: date | None = None,
) -> list[Request]:
    """Requests, overdue first, then by due date: every request, or those in `state`, or
    those due before `due_before` (that day not included). `today` decides what is overdue
    (default: the ledger's today)."""
    query = select(requests)
    if state is not None:
        try:
            query = query.where(requests.c.state == state_of(state).value)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
    if due_before is not None:
        if not isinstance(due_before, date):
            raise BadInput("due_before must be a date")
        query = query.where(requests.c.due_on < due_before)
    day = today or ledger.today()
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        rows = conn.execute(query).all()
    found = [to_request(row, day) for row in rows]
    return sorted(
        found,
        key=lambda r: queue_key(RequestState(r.state), r.due_on, r.received_at, r.id, day),
    )


@dataclass(frozen=True)
class Event:
    seq: int
    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "note": self.note,
        }


@dataclass(frozen=True)
class RequestDetail:
    request: Request
    contact: str | None
    agent_name: str | None
    agent_authority: str | None
    verification_evidence: str | None
    reason: str | None
    answer: object | None
    answer_shredded: bool
    """The answer was under the subject's key, destroyed since (the subject was erased)."""
    events: tuple[Event, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.request.to_dict(),
            "contact": self.contact,
            "agent_name": self.agent_name,
            "agent_authority": self.agent_authority,
            "verification_evidence": self.verification_evidence,
            "reason": self.reason,
            "answer": self.answer,
            "answer_shredded": self.answer_shredded,
            "events": [e.to_dict() for e in self.events],
        }


def show(
    ledger: Ledger, request_id: str, *, actor: str, today: date | None = None
) -> RequestDetail:
    """One request, decrypted, with every event of its history in order; audited."""
    request_id = check_id(request_id)
    actor = check_actor(actor)
    with ledger.engine.begin() as conn:
        row = load(conn, request_id, lock=False)
        cipher = ledger.register_cipher(conn)
        events = tuple(
            Event(
                seq=int(e.seq),
                at=aware(e.at),
                actor=e.actor,
                action=e.action,
                from_state=e.from_state,
                to_state=e.to_state,
                note=unseal(cipher, request_id, f"event:{e.seq}:note", e.note),
            )
            for e in conn.execute(
                select(request_events)
                .where(request_events.c.request_id == request_id)
                .order_by(request_events.c.seq)
            )
        )
        answer, shredded = open_answer(ledger, conn, request_id, row.subject_id, row.answer)
        detail = RequestDetail(
            request=to_request(row, today or ledger.today()),
            contact=unseal(cipher, request_id, "contact", row.contact),
            agent_name=unseal(cipher, request_id, "agent_name", row.agent_name),
            agent_authority=unseal(cipher, request_id, "agent_authority", row.agent_authority),
            verification_evidence=unseal(cipher, request_id, "evidence", row.verification_evidence),
            reason=unseal(cipher, request_id, "reason", row.reason),
            answer=answer,
            answer_shredded=shredded,
            events=events,
        )
        audit(
            ledger,
            conn,
            action="request_show",
            actor=actor,
            request_id=request_id,
            subject_id=row.subject_id,
        )
    return detail
