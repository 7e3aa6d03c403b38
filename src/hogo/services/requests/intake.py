"""Receiving a request: recorded, dated, priced, checked for repeats, acknowledged.

A request arrives naming a subject (staff who know the person) or an e-mail address (the
portal). An address is looked up through the blind index only, and whether it matches
anybody changes nothing the requester can see: the request is recorded either way, with
the same answer and the same acknowledgement, so the portal never tells a stranger whether
an address is known. Staff see the match (or its absence) in the request's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection

from hogo.domain.requests import (
    Earlier,
    RequestKind,
    RequestState,
    channel_of,
    due_date,
    fee_for,
    find_repeat,
    kind_of,
)
from hogo.domain.values import InvalidValue, normalize
from hogo.ledger import tables as t
from hogo.ledger.tables_requests import requests
from hogo.policy.schema import LANGS
from hogo.services.consent import aware
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger, PolicyInForce, japan_date
from hogo.services.requests.common import (
    MAX_NAME,
    Request,
    add_event,
    audit,
    check_actor,
    load,
    new_request_id,
    notify,
    optional_text,
    recipient,
    seal,
    to_request,
)

CONTACT_INDEX_ITEM = "request:contact"
"""The blind index of a requester's address is keyed apart from the records' e-mail items,
so the register cannot be joined to the records by it."""


@dataclass(frozen=True)
class Received:
    request: Request
    acknowledged: bool
    """Whether an acknowledgement was queued (False: nobody to write to)."""

    def to_dict(self) -> dict[str, Any]:
        return {**self.request.to_dict(), "acknowledged": self.acknowledged}

    def public(self) -> dict[str, Any]:
        return self.request.public()


def _email(email: object) -> tuple[str, str] | None:
    """(stored, lookup) forms of the address, or None when none was given."""
    if email is None:
        return None
    if not isinstance(email, str):
        raise BadInput("an e-mail address must be text")
    try:
        normalized = normalize("email", email, max_chars=254)
    except InvalidValue as exc:
        raise BadInput(f"the e-mail address {exc}") from None
    return normalized.stored, normalized.lookup


def _match(ledger: Ledger, conn: Connection, version: PolicyInForce, lookup: str) -> set[str]:
    """Subjects (not erased) whose e-mail items hold this address, by blind index only."""
    index = ledger.blind_index(conn)
    items = [i.id for i in version.policy.items if i.format.value == "email" and i.lookup]
    if not items:
        return set()
    wanted = [
        and_(t.records.c.item == item, t.records.c.blind_index == index.digest(item, lookup))
        for item in items
    ]
    rows = conn.execute(
        select(t.records.c.subject_id)
        .join(t.subjects, t.subjects.c.id == t.records.c.subject_id)
        .where(or_(*wanted), t.subjects.c.erased_at.is_(None))
        .distinct()
    )
    return {row.subject_id for row in rows}


def _repeat_of(
    conn: Connection,
    kind: RequestKind,
    subject_id: str | None,
    contact_index: bytes | None,
    received: Any,
    window_days: int,
) -> str | None:
    """The earlier request this one may repeat: same kind, same subject or same address."""
    who = []
    if subject_id is not None:
        who.append(requests.c.subject_id == subject_id)
    if contact_index is not None:
        who.append(requests.c.contact_index == contact_index)
    if not who:
        return None
    rows = conn.execute(
        select(requests.c.id, requests.c.kind, requests.c.received_at, requests.c.state).where(
            requests.c.kind == kind.value, or_(*who)
        )
    )
    earlier = [
        Earlier(r.id, RequestKind(r.kind), japan_date(aware(r.received_at)), RequestState(r.state))
        for r in rows
    ]
    return find_repeat(kind, received, earlier, window_days)


def new_request(
    ledger: Ledger,
    *,
    kind: str,
    subject_id: str | None = None,
    email: str | None = None,
    agent_name: str | None = None,
    agent_authority: str | None = None,
    channel: str = "portal",
    lang: str | None = None,
    actor: str,
) -> Received:
    """Record a request (Arts. 32–35) and acknowledge it; due `requests.response_days` later.

    `subject_id` names the person; `email` is where to answer, and finds the person through
    the blind index when no subject is named. An agent (Art. 37(3): a legal representative
    or an attorney) gives a name and the authority they act under, both or neither.
    """
    try:
        wanted = kind_of(kind)
        arrived_by = channel_of(channel)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    actor = check_actor(actor)
    if lang is not None and lang not in LANGS:
        raise BadInput(f"unknown language {lang!r}; use ja or en")
    if subject_id is None and email is None:
        raise BadInput("say who asks: a subject id, or an e-mail address")
    if subject_id is not None and (not isinstance(subject_id, str) or len(subject_id) > 32):
        raise BadInput(f"{subject_id!r} is not a subject id"[:200])
    address = _email(email)
    if (agent_name is None) != (agent_authority is None):
        raise BadInput("an agent needs both a name and the authority they act under")
    agent = optional_text("the agent's name", agent_name, limit=MAX_NAME)
    authority = optional_text("the agent's authority", agent_authority)
    now = ledger.now()
    request_id = new_request_id()
    with ledger.engine.begin() as conn:
        version = ledger.policy_in_force(conn)
        note: str | None = None
        subject = subject_id
        if subject is not None:
            found = conn.execute(
                select(t.subjects.c.erased_at, t.subjects.c.lang).where(t.subjects.c.id == subject)
            ).first()
            if found is None:
                raise NotFound(f"no subject {subject}")
            if found.erased_at is not None:
                raise Refused(f"subject {subject} has been erased", code="erased")
            lang = lang or found.lang
        elif address is not None:
            matches = _match(ledger, conn, version, address[1])
            if len(matches) == 1:
                subject = next(iter(matches))
            else:
                note = (
                    f"the address matches {len(matches)} subjects: identify the person at "
                    "verification"
                    if matches
                    else "the address matches no subject"
                )
        # The requester's language, never a matched subject's: an answer in a language the
        # requester did not choose would tell them the address is known.
        lang = lang or version.policy.policy.authoritative_language
        cipher = ledger.register_cipher(conn)
        contact_index = (
            None
            if address is None
            else ledger.blind_index(conn).digest(CONTACT_INDEX_ITEM, address[1])
        )
        received_on = japan_date(now)
        repeat_of = _repeat_of(
            conn,
            wanted,
            subject,
            contact_index,
            received_on,
            ledger.settings.request_repeat_window_days,
        )
        fees = version.policy.requests.fees
        amounts = {k.value: v for k, v in fees.amounts.items()} if fees is not None else {}
        conn.execute(
            requests.insert().values(
                id=request_id,
                kind=wanted.value,
                state=RequestState.RECEIVED.value,
                subject_id=subject,
                contact=seal(cipher, request_id, "contact", address[0] if address else None),
                contact_index=contact_index,
                agent_name=seal(cipher, request_id, "agent_name", agent),
                agent_authority=seal(cipher, request_id, "agent_authority", authority),
                channel=arrived_by,
                lang=lang,
                received_at=now,
                due_on=due_date(received_on, version.policy.requests.response_days),
                policy_version_id=version.version_id,
                fee_yen=fee_for(wanted, amounts),
                possibly_repeated=repeat_of is not None,
                repeat_of=repeat_of,
            )
        )
        if repeat_of is not None:
            repeat_note = f"possibly repeats request {repeat_of}: a person decides"
            note = repeat_note if note is None else f"{note}; {repeat_note}"
        add_event(
            ledger,
            conn,
            request_id,
            actor=actor,
            action="new",
            from_state=None,
            to_state=RequestState.RECEIVED.value,
            note=note,
        )
        audit(
            ledger,
            conn,
            action="request_new",
            actor=actor,
            request_id=request_id,
            subject_id=subject,
            reason=wanted.value,
            detail={
                "kind": wanted.value,
                "channel": arrived_by,
                "agent": agent is not None,
                "possibly_repeated": repeat_of is not None,
                "repeat_of": repeat_of,
            },
        )
        row = load(conn, request_id)
        to = recipient(ledger, conn, row, actor=actor, duty="request_received")
        fee = row.fee_yen
        acknowledged = notify(
            ledger,
            conn,
            version,
            row,
            to=to,
            kind="request_received",
            context={
                "fee": None if fee is None else f"{fee:,}",
                "payment": _payment(version, row.lang),
            },
        )
    return Received(to_request(row, received_on), acknowledged)


def _payment(version: PolicyInForce, lang: str) -> str | None:
    fees = version.policy.requests.fees
    return None if fees is None or fees.payment is None else fees.payment[lang]


__all__ = ["CONTACT_INDEX_ITEM", "Received", "new_request"]
