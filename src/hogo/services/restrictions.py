"""Restrictions: suspension of use (all purposes or one) and of provision, lifted explicitly.

A restriction comes from the person's request (Art. 35(1)-(4)), a legal hold, or the
officer's own decision, and always carries its reason. It stays active until `lift` is
called with a reason of its own; a lifted restriction is kept (the row records when and
why it was lifted), so the history of suspensions remains evidence. Suspending and lifting
are audited as "restrict" and "lift" in the same transaction as the change.

Who honours them:

- scope "use": `hogo.services.use` refuses with `use_suspended` while a restriction for all
  purposes (purpose None) or for the purpose asked is active, and `eligible` leaves the
  subject out;
- scope "provision": the provision service asks `active_provision_suspension(conn, ...)`
  before providing data to a third party.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.engine import Connection, Row

from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.engine import READ_ONLY
from hogo.services.consent import aware, subject_erased_at
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger

SCOPES = ("use", "provision")
ORIGINS = ("request", "legal_hold", "officer")
MAX_REASON_CHARS = 2_000


@dataclass(frozen=True)
class Restriction:
    """One suspension: active while `lifted_at` is None. `purpose` None means every purpose."""

    id: int
    subject_id: str
    scope: str
    purpose: str | None
    reason: str
    origin: str
    created_at: datetime
    lifted_at: datetime | None = None
    lift_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.lifted_at is None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "subject_id": self.subject_id,
            "scope": self.scope,
            "purpose": self.purpose,
            "reason": self.reason,
            "origin": self.origin,
            "created_at": self.created_at.isoformat(),
            "active": self.active,
            "lifted_at": None if self.lifted_at is None else self.lifted_at.isoformat(),
            "lift_reason": self.lift_reason,
        }


def _restriction(row: Row[Any]) -> Restriction:
    return Restriction(
        id=int(row.id),
        subject_id=row.subject_id,
        scope=row.scope,
        purpose=row.purpose,
        reason=row.reason,
        origin=row.origin,
        created_at=aware(row.created_at),
        lifted_at=None if row.lifted_at is None else aware(row.lifted_at),
        lift_reason=row.lift_reason,
    )


def _check_text(what: str, value: object, *, required: bool = True) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise BadInput(f"a {what} is required")
    if len(value) > MAX_REASON_CHARS:
        raise BadInput(f"the {what} is longer than {MAX_REASON_CHARS:,} characters")
    if "\x00" in value:
        raise BadInput(f"the {what} contains a NUL character")
    return value


def suspend(
    ledger: Ledger,
    subject_id: str,
    *,
    scope: str,
    purpose: str | None,
    reason: str,
    origin: str,
    actor: str,
    conn: Connection | None = None,
) -> Restriction:
    """Suspend use or provision of the subject's data, for one purpose or all (purpose None).

    With `conn`, in the caller's transaction (a request fulfilled by suspending).

    Refused before anything is written: an unknown subject (NotFound), a scope other than
    use or provision, an origin other than request, legal_hold or officer, a purpose the
    policy in force does not declare, an empty reason (BadInput); an erased subject
    (Refused, code "erased": nothing is left to suspend). Several restrictions may be
    active at once (a request and a legal hold); each is lifted on its own.
    """
    if scope not in SCOPES:
        raise BadInput(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}")
    if origin not in ORIGINS:
        raise BadInput(f"unknown origin {origin!r}; use one of {', '.join(ORIGINS)}")
    _check_text("reason", reason)
    _check_text("actor", actor)
    if purpose is not None and not isinstance(purpose, str):
        raise BadInput("the purpose must be a purpose id, or none for every purpose")
    now = ledger.now()
    with ledger.engine.begin() if conn is None else nullcontext(conn) as conn:
        if purpose is not None:
            purposes = ledger.policy_in_force(conn).compiled.purposes
            if purpose not in purposes:
                known = ", ".join(sorted(purposes)) or "none"
                raise BadInput(
                    f"unknown purpose {purpose!r}; the policy in force declares: {known}"
                )
        if subject_erased_at(conn, subject_id) is not None:
            raise Refused(f"subject {subject_id} has been erased", code="erased")
        restriction_id = conn.execute(
            t.restrictions.insert()
            .values(
                subject_id=subject_id,
                scope=scope,
                purpose=purpose,
                reason=reason,
                origin=origin,
                created_at=now,
            )
            .returning(t.restrictions.c.id)
        ).scalar_one()
        append(
            conn,
            AuditEntry(
                at=now,
                actor=actor,
                action="restrict",
                outcome="done",
                subject_id=subject_id,
                purpose=purpose,
                detail={"restriction_id": int(restriction_id), "scope": scope, "origin": origin},
            ),
        )
    return Restriction(int(restriction_id), subject_id, scope, purpose, reason, origin, aware(now))


def lift(ledger: Ledger, restriction_id: int, *, reason: str, actor: str) -> Restriction:
    """End an active restriction, recording when and why; it no longer applies at once.

    Refused before anything is written: an unknown restriction (NotFound), one already
    lifted, an empty reason (BadInput)."""
    if isinstance(restriction_id, bool) or not isinstance(restriction_id, int):
        raise BadInput(f"a restriction id is a number, not {restriction_id!r}")
    _check_text("reason", reason)
    _check_text("actor", actor)
    now = ledger.now()
    with ledger.engine.begin() as conn:
        row = conn.execute(
            select(t.restrictions).where(t.restrictions.c.id == restriction_id)
        ).first()
        if row is None:
            raise NotFound(f"no restriction {restriction_id}")
        if row.lifted_at is not None:
            raise BadInput(
                f"restriction {restriction_id} was already lifted on {aware(row.lifted_at):%Y-%m-%d}"
            )
        updated = conn.execute(
            t.restrictions.update()
            .where(t.restrictions.c.id == restriction_id, t.restrictions.c.lifted_at.is_(None))
            .values(lifted_at=now, lift_reason=reason)
        ).rowcount
        if updated != 1:  # lifted by someone else since the read (PostgreSQL, READ COMMITTED)
            raise BadInput(f"restriction {restriction_id} was already lifted")
        append(
            conn,
            AuditEntry(
                at=now,
                actor=actor,
                action="lift",
                outcome="done",
                subject_id=row.subject_id,
                purpose=row.purpose,
                detail={"restriction_id": int(restriction_id), "scope": row.scope},
            ),
        )
    lifted = _restriction(row)
    return Restriction(
        lifted.id,
        lifted.subject_id,
        lifted.scope,
        lifted.purpose,
        lifted.reason,
        lifted.origin,
        lifted.created_at,
        aware(now),
        reason,
    )


def restrictions_of(
    ledger: Ledger, subject_id: str, *, include_lifted: bool = False
) -> list[Restriction]:
    """The subject's restrictions, oldest first: the active ones, or all with include_lifted."""
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        subject_erased_at(conn, subject_id)
        query = select(t.restrictions).where(t.restrictions.c.subject_id == subject_id)
        if not include_lifted:
            query = query.where(t.restrictions.c.lifted_at.is_(None))
        rows = conn.execute(query.order_by(t.restrictions.c.id)).all()
    return [_restriction(row) for row in rows]


def active(ledger: Ledger, subject_id: str) -> list[Restriction]:
    """The subject's restrictions in force now (not lifted), oldest first."""
    return restrictions_of(ledger, subject_id)


def active_provision_suspension(
    conn: Connection, subject_id: str, purpose: str | None = None
) -> bool:
    """Is provision of the subject's data to third parties suspended? For the provision service.

    Runs in the caller's transaction. Without `purpose`, any active provision restriction
    counts (a provision not tied to one purpose must respect them all); with `purpose`,
    those for every purpose or for that purpose. One indexed EXISTS query.
    """
    r = t.restrictions
    condition = exists().where(
        r.c.subject_id == subject_id, r.c.lifted_at.is_(None), r.c.scope == "provision"
    )
    if purpose is not None:
        condition = condition.where(or_(r.c.purpose.is_(None), r.c.purpose == purpose))
    return bool(conn.execute(select(condition)).scalar())


__all__ = [
    "ORIGINS",
    "SCOPES",
    "Restriction",
    "active",
    "active_provision_suspension",
    "lift",
    "restrictions_of",
    "suspend",
]
