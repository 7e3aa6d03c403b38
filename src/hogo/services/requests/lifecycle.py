"""Verifying a requester's identity, refusing a request with its ground, withdrawing it.

Verification records how identity was checked and on what evidence (Art. 37(2)), and
never asks the person for more than the ledger already holds: items they were asked to
confirm must each be held for the subject. A refusal names a ground the law gives for the
kind of request and explains it (Art. 36), and the person is told both.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update

from hogo.domain.requests import (
    VERIFICATION_METHODS,
    Action,
    InvalidGround,
    RequestKind,
    check_ground,
    ground_text,
)
from hogo.ledger import tables as t
from hogo.ledger.tables_requests import requests
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger, japan_date
from hogo.services.requests.common import (
    Request,
    add_event,
    audit,
    check_actor,
    check_id,
    check_names,
    check_text,
    load,
    move,
    notify,
    recipient,
    seal,
    to_request,
)


def verify(
    ledger: Ledger,
    request_id: str,
    *,
    method: str,
    evidence: str,
    items: Sequence[str] | None = None,
    pending: bool = False,
    subject_id: str | None = None,
    actor: str,
) -> Request:
    """Record the identity check. `pending` starts it (received → verifying: documents are
    awaited); otherwise identity is confirmed and the request is in progress.

    `items` are what the person was asked to confirm: each must be an item the ledger holds
    for the subject, else BadInput (the PPC guideline: never ask for more than is held).
    `subject_id` names the person when the request came from an address that matched no
    one, or several.
    """
    request_id = check_id(request_id)
    actor = check_actor(actor)
    if method not in VERIFICATION_METHODS:
        raise BadInput(f"unknown method {method!r}; use one of: {', '.join(VERIFICATION_METHODS)}")
    evidence = check_text("evidence", evidence)
    asked = check_names("items", items)
    now = ledger.now()
    with ledger.engine.begin() as conn:
        version = ledger.policy_in_force(conn)
        row = load(conn, request_id)
        target = move(row, Action.START_VERIFICATION if pending else Action.VERIFY)
        subject = row.subject_id
        if subject_id is not None:
            if subject is not None and subject != subject_id:
                raise BadInput(f"request {request_id} is already about subject {subject}")
            found = conn.execute(
                select(t.subjects.c.erased_at).where(t.subjects.c.id == subject_id)
            ).first()
            if found is None:
                raise NotFound(f"no subject {subject_id}")
            if found.erased_at is not None:
                raise Refused(f"subject {subject_id} has been erased", code="erased")
            subject = subject_id
        if asked:
            for item in asked:
                if version.policy.item(item) is None:
                    raise BadInput(f"unknown item {item!r}; it is not declared in the policy")
            if subject is None:
                raise BadInput(
                    f"request {request_id} names no subject: the ledger holds nothing the "
                    "person could confirm (name the subject with --subject)"
                )
            held = {
                r.item
                for r in conn.execute(
                    select(t.records.c.item)
                    .where(t.records.c.subject_id == subject, t.records.c.item.in_(asked))
                    .distinct()
                )
            }
            missing = [i for i in asked if i not in held]
            if missing:
                raise BadInput(
                    f"the ledger holds no {', '.join(missing)} for subject {subject}: never ask "
                    "the person for more than is already held"
                )
        cipher = ledger.register_cipher(conn)
        conn.execute(
            update(requests)
            .where(requests.c.id == request_id)
            .values(
                state=target.value,
                subject_id=subject,
                verification_method=method,
                verification_evidence=seal(cipher, request_id, "evidence", evidence),
                verification_items=list(asked) if asked else None,
                verified_at=None if pending else now,
            )
        )
        add_event(
            ledger,
            conn,
            request_id,
            actor=actor,
            action=Action.START_VERIFICATION.value if pending else Action.VERIFY.value,
            from_state=row.state,
            to_state=target.value,
            note=f"{method}: {evidence}",
        )
        audit(
            ledger,
            conn,
            action="request_verify",
            actor=actor,
            request_id=request_id,
            subject_id=subject,
            items=asked,
            reason=method,
            detail={"pending": pending, "state": target.value},
        )
        updated = load(conn, request_id)
    return to_request(updated, japan_date(now))


def refuse(ledger: Ledger, request_id: str, *, ground: str, reason: str, actor: str) -> Request:
    """Refuse on a ground the law gives for the request's kind, with the reason explained
    (Art. 36), and tell the person both (Arts. 32(3), 33(3), 34(3), 35(7))."""
    request_id = check_id(request_id)
    actor = check_actor(actor)
    reason = check_text("a reason (Art. 36: explain it to the person)", reason)
    now = ledger.now()
    with ledger.engine.begin() as conn:
        version = ledger.policy_in_force(conn)
        row = load(conn, request_id)
        target = move(row, Action.REFUSE)
        try:
            refused_on = check_ground(RequestKind(row.kind), ground)
        except InvalidGround as exc:
            raise BadInput(str(exc)) from None
        to = recipient(ledger, conn, row, actor=actor, duty="request_refused")
        conn.execute(
            update(requests)
            .where(requests.c.id == request_id)
            .values(
                state=target.value,
                closed_at=now,
                refusal_ground=refused_on.value,
                reason=seal(ledger.register_cipher(conn), request_id, "reason", reason),
            )
        )
        add_event(
            ledger,
            conn,
            request_id,
            actor=actor,
            action=Action.REFUSE.value,
            from_state=row.state,
            to_state=target.value,
            note=f"{refused_on.value}: {reason}",
        )
        audit(
            ledger,
            conn,
            action="request_refuse",
            actor=actor,
            request_id=request_id,
            subject_id=row.subject_id,
            reason=refused_on.value,
        )
        notify(
            ledger,
            conn,
            version,
            row,
            to=to,
            kind="request_refused",
            context={"ground": ground_text(refused_on, row.lang), "reason": reason},
        )
        updated = load(conn, request_id)
    return to_request(updated, japan_date(now))


def withdraw(ledger: Ledger, request_id: str, *, actor: str, note: str | None = None) -> Request:
    """The person withdraws an open request: closed, nothing done, nothing sent."""
    request_id = check_id(request_id)
    actor = check_actor(actor)
    text = None if note is None else check_text("the note", note)
    now = ledger.now()
    with ledger.engine.begin() as conn:
        row = load(conn, request_id)
        target = move(row, Action.WITHDRAW)
        conn.execute(
            update(requests)
            .where(requests.c.id == request_id)
            .values(state=target.value, closed_at=now)
        )
        add_event(
            ledger,
            conn,
            request_id,
            actor=actor,
            action=Action.WITHDRAW.value,
            from_state=row.state,
            to_state=target.value,
            note=text,
        )
        audit(
            ledger,
            conn,
            action="request_withdraw",
            actor=actor,
            request_id=request_id,
            subject_id=row.subject_id,
        )
        updated = load(conn, request_id)
    return to_request(updated, japan_date(now))
