"""What every request use case shares: checks, the register cipher, events, audit, mail.

Each use case is one transaction: it locks the request row, asks the domain whether the
action is legal in the request's state, writes the change, one event in the request's
history and one audit entry, and queues the message to the person, all or nothing.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Row

from hogo.domain.requests import (
    Action,
    IllegalTransition,
    RequestKind,
    RequestState,
    is_overdue,
    kind_label,
    transition,
)
from hogo.domain.values import InvalidValue, normalize
from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, Json, append
from hogo.ledger.crypto import KeyringError, SubjectCipher, WrappedKey
from hogo.ledger.tables_requests import request_events, requests
from hogo.services.consent import aware
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger, PolicyInForce, japan_date
from hogo.services.outbox import enqueue, subject_contact

MAX_TEXT = 2_000
"""Longest free text accepted: evidence, reasons, notes, an agent's authority."""
MAX_NAME = 200
ID_PREFIX = "R"


def new_request_id() -> str:
    """80 random bits in base32 (16 characters) after "R": opaque and unguessable, because
    the portal shows a request's status to whoever holds its id."""
    return ID_PREFIX + base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def check_id(request_id: object) -> str:
    if not isinstance(request_id, str) or not request_id.strip() or len(request_id) > 32:
        raise BadInput(f"{request_id!r} is not a request id"[:200])
    return request_id.strip()


def check_actor(actor: object) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise BadInput("an actor is required: who handles the request?")
    if len(actor) > 200:
        raise BadInput("the actor is longer than 200 characters")
    return actor


def check_text(what: str, value: object, *, limit: int = MAX_TEXT) -> str:
    """Free text: non-empty, at most `limit` characters, no control characters."""
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{what} is required")
    try:
        return normalize("text", value, max_chars=limit).stored
    except InvalidValue as exc:
        raise BadInput(f"{what}: the text {exc}") from None


def optional_text(what: str, value: object, *, limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    return check_text(what, value, limit=limit)


def check_names(what: str, values: Sequence[str] | None) -> tuple[str, ...] | None:
    """A list of ids (items, purposes): None when not given, never empty when given."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    names = tuple(dict.fromkeys(v.strip() for v in values if isinstance(v, str) and v.strip()))
    if not names:
        raise BadInput(f"no {what} given: name at least one, or leave the option out")
    return names


def field(request_id: str, name: str) -> str:
    """Associated data binding a ciphertext to its request and field: a blob moved to
    another request or column no longer opens."""
    return f"request:{request_id}:{name}"


def seal(cipher: SubjectCipher, request_id: str, name: str, value: str | None) -> bytes | None:
    return None if value is None else cipher.encrypt(field(request_id, name), value)


def unseal(cipher: SubjectCipher, request_id: str, name: str, blob: bytes | None) -> str | None:
    return None if blob is None else cipher.decrypt(field(request_id, name), blob)


def load(conn: Connection, request_id: str, *, lock: bool = True) -> Row[Any]:
    """The request row, locked for the rest of the transaction; NotFound when unknown."""
    query = select(requests).where(requests.c.id == request_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no request {request_id}")
    return row


def move(row: Row[Any], action: Action) -> RequestState:
    """The state `action` takes the request to; BadInput naming state and action if illegal."""
    try:
        return transition(row.id, RequestState(row.state), action)
    except IllegalTransition as exc:
        raise BadInput(str(exc), code="illegal_transition") from None


def add_event(
    ledger: Ledger,
    conn: Connection,
    request_id: str,
    *,
    actor: str,
    action: str,
    from_state: str | None,
    to_state: str,
    note: str | None = None,
) -> None:
    """One line of the request's history, numbered; its note encrypted under the register key."""
    seq = (
        conn.execute(
            select(func.coalesce(func.max(request_events.c.seq), 0)).where(
                request_events.c.request_id == request_id
            )
        ).scalar_one()
        + 1
    )
    cipher = ledger.register_cipher(conn)
    conn.execute(
        request_events.insert().values(
            request_id=request_id,
            seq=seq,
            at=ledger.now(),
            actor=actor,
            action=action,
            from_state=from_state,
            to_state=to_state,
            note=seal(cipher, request_id, f"event:{seq}:note", note),
        )
    )


def audit(
    ledger: Ledger,
    conn: Connection,
    *,
    action: str,
    actor: str,
    request_id: str,
    subject_id: str | None,
    items: Sequence[str] | None = None,
    reason: str | None = None,
    detail: Mapping[str, Json] | None = None,
) -> None:
    append(
        conn,
        AuditEntry(
            at=ledger.now(),
            actor=actor,
            action=action,
            outcome="done",
            subject_id=subject_id,
            items=tuple(items) if items is not None else None,
            reason=reason,
            detail={"request_id": request_id, **(detail or {})},
        ),
    )


def subject_cipher(ledger: Ledger, conn: Connection, subject_id: str) -> SubjectCipher | None:
    """The subject's cipher, or None once its key is destroyed (erased)."""
    key = conn.execute(
        select(t.subject_keys.c.master_key_id, t.subject_keys.c.wrapped_key).where(
            t.subject_keys.c.subject_id == subject_id
        )
    ).first()
    if key is None:
        return None
    return ledger.subject_cipher(subject_id, WrappedKey(key.master_key_id, key.wrapped_key))


def seal_answer(
    ledger: Ledger,
    conn: Connection,
    request_id: str,
    subject_id: str | None,
    answer: object,
    *,
    personal: bool,
) -> bytes:
    """The answer as JSON. A `personal` answer (a disclosure package: the person's values)
    goes under the subject's key while it has one, to be shredded with them; any other
    answer (what was corrected, erased, suspended: ids, no values) under the register key,
    so the record of what was done outlives an erasure. The first byte says which."""
    text = json.dumps(answer, ensure_ascii=False, sort_keys=True)
    cipher = subject_cipher(ledger, conn, subject_id) if subject_id and personal else None
    if cipher is not None:
        return b"s" + cipher.encrypt(field(request_id, "answer"), text)
    return b"r" + ledger.register_cipher(conn).encrypt(field(request_id, "answer"), text)


def open_answer(
    ledger: Ledger, conn: Connection, request_id: str, subject_id: str | None, blob: bytes | None
) -> tuple[object | None, bool]:
    """(answer, shredded): the stored answer, or (None, True) once the subject's key is gone."""
    if blob is None:
        return None, False
    if blob[:1] == b"s":
        cipher = subject_cipher(ledger, conn, subject_id) if subject_id else None
        if cipher is None:
            return None, True
    else:
        cipher = ledger.register_cipher(conn)
    try:
        return json.loads(cipher.decrypt(field(request_id, "answer"), blob[1:])), False
    except KeyringError:
        return None, True


def date_words(day: date | datetime, lang: str) -> str:
    """A date as a letter writes it: 2026年12月8日, 8 December 2026."""
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%B} {day.year}"


def recipient(
    ledger: Ledger, conn: Connection, row: Row[Any], *, actor: str, duty: str
) -> str | None:
    """Where to write to the requester: the address they gave, else the subject's latest
    (read as a legal duty, audited as "contact"), else nobody (answered by post or at the
    counter). Read before anything is erased."""
    if row.contact is not None:
        return unseal(ledger.register_cipher(conn), row.id, "contact", row.contact)
    if row.subject_id is None:
        return None
    found = subject_contact(ledger, conn, row.subject_id, actor=actor, duty=duty)
    return None if found is None else found.address


def notify(
    ledger: Ledger,
    conn: Connection,
    version: PolicyInForce,
    row: Row[Any],
    *,
    to: str | None,
    kind: str,
    context: Mapping[str, Any],
) -> bool:
    """Queue `kind` (request_received, request_answered, request_refused) in the request's
    language, once per request; False when there is no address to write to."""
    if to is None:
        return False
    lang = row.lang
    policy = version.policy
    contact = policy.organization.contact
    enqueue(
        ledger,
        conn,
        kind=kind,
        lang=lang,
        to=to,
        context={
            "company": policy.organization.name[lang],
            "desk": contact.name[lang] if contact is not None else None,
            "contact": contact.email if contact is not None else None,
            "request_id": row.id,
            "kind_label": kind_label(RequestKind(row.kind), lang),
            "received_on": date_words(aware(row.received_at), lang),
            "due_on": date_words(row.due_on, lang),
            **context,
        },
        subject_id=row.subject_id,
        ref=row.id,
        dedupe_key=f"request:{row.id}:{kind}",
    )
    return True


@dataclass(frozen=True)
class Request:
    """A request as the register holds it, without anything decrypted."""

    id: str
    kind: str
    state: str
    subject_id: str | None
    channel: str
    lang: str
    received_at: datetime
    due_on: date
    overdue: bool
    fee_yen: int | None
    possibly_repeated: bool
    repeat_of: str | None
    verified_at: datetime | None
    verification_method: str | None
    verification_items: tuple[str, ...]
    closed_at: datetime | None
    refusal_ground: str | None
    agent: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "subject_id": self.subject_id,
            "channel": self.channel,
            "lang": self.lang,
            "received_at": self.received_at.isoformat(),
            "due_on": self.due_on.isoformat(),
            "overdue": self.overdue,
            "fee_yen": self.fee_yen,
            "possibly_repeated": self.possibly_repeated,
            "repeat_of": self.repeat_of,
            "verified_at": None if self.verified_at is None else self.verified_at.isoformat(),
            "verification_method": self.verification_method,
            "verification_items": list(self.verification_items),
            "closed_at": None if self.closed_at is None else self.closed_at.isoformat(),
            "refusal_ground": self.refusal_ground,
            "agent": self.agent,
        }

    def public(self) -> dict[str, Any]:
        """What the requester may be shown (the portal's status page, the answer to `new`):
        the same fields whether or not the ledger knows the person."""
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "received_on": japan_date(self.received_at).isoformat(),
            "due_on": self.due_on.isoformat(),
            "fee_yen": self.fee_yen,
        }


def to_request(row: Row[Any], today: date) -> Request:
    return Request(
        id=row.id,
        kind=row.kind,
        state=row.state,
        subject_id=row.subject_id,
        channel=row.channel,
        lang=row.lang,
        received_at=aware(row.received_at),
        due_on=row.due_on,
        overdue=is_overdue(RequestState(row.state), row.due_on, today),
        fee_yen=row.fee_yen,
        possibly_repeated=bool(row.possibly_repeated),
        repeat_of=row.repeat_of,
        verified_at=None if row.verified_at is None else aware(row.verified_at),
        verification_method=row.verification_method,
        verification_items=tuple(row.verification_items or ()),
        closed_at=None if row.closed_at is None else aware(row.closed_at),
        refusal_ground=row.refusal_ground,
        agent=row.agent_name is not None,
    )
