"""Consent and opt-out: an append-only history per subject and purpose.

Nothing is ever updated or deleted: granting, withdrawing, opting out and opting back in
each append a row, and the current state of a (subject, purpose) pair is its latest row
(highest id). Every row references the policy version in force when it was recorded, says
how it was given (form, portal, api, paper) and may carry evidence (the form version, a
paper reference), and is audited as action "consent" in the same transaction.

What a row means depends on the purpose's basis in the policy in force:

- consent purpose (Art. 18(1), 27(1)): granted=True is consent, granted=False withdraws it;
- opt-out purpose (Art. 27(2)): granted=False is the opt-out, granted=True opts back in;
- announced purpose: there is nothing to consent to, so recording is refused, unless the
  purpose uses special care-required items, whose use needs the person's consent to the
  purpose whatever its basis (Art. 20(2), 18(1); rule 6 of the purpose check), or a
  published revision changed it beyond its old scope, so that data held before needs the
  person's consent again (Art. 17(2), 18(1); rule 8).

`use` reads the history on every call, so a withdrawal or opt-out takes effect on the
very next use, and `eligible` on the very next query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.engine import READ_ONLY
from hogo.services.collect import CONSENT_METHODS, MAX_EVIDENCE_CHARS
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger, PolicyInForce


@dataclass(frozen=True)
class ConsentEvent:
    """One row of the history: granted or not, when, under which policy version, how."""

    id: int
    subject_id: str
    purpose: str
    granted: bool
    at: datetime
    policy_version_id: int
    method: str
    evidence: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "subject_id": self.subject_id,
            "purpose": self.purpose,
            "granted": self.granted,
            "at": self.at.isoformat(),
            "policy_version_id": self.policy_version_id,
            "method": self.method,
            "evidence": self.evidence,
        }


def aware(at: datetime) -> datetime:
    """A database time as aware UTC (SQLite hands back naive datetimes)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _event(row: Row[Any]) -> ConsentEvent:
    return ConsentEvent(
        id=int(row.id),
        subject_id=row.subject_id,
        purpose=row.purpose,
        granted=bool(row.granted),
        at=aware(row.at),
        policy_version_id=int(row.policy_version_id),
        method=row.method,
        evidence=row.evidence,
    )


def _check_purpose(version: PolicyInForce, purpose: str) -> None:
    compiled = version.compiled.purposes.get(purpose)
    if compiled is None:
        known = ", ".join(sorted(version.compiled.purposes)) or "none"
        raise BadInput(f"unknown purpose {purpose!r}; the policy in force declares: {known}")
    if compiled.basis == "announced" and not compiled.special_care and not compiled.reconsent:
        # A purpose changed beyond its old scope needs consent again even when announced
        # (Art. 18(1)); otherwise there is nothing to consent to.
        raise BadInput(
            f"purpose {purpose!r} is announced, not based on consent or opt-out: "
            "there is no consent to record"
        )


def _check_fields(granted: object, actor: str, evidence: str | None, method: str) -> None:
    if not isinstance(granted, bool):
        raise BadInput(f"granted must be true or false, not {granted!r}")
    if not isinstance(actor, str) or not actor.strip():
        raise BadInput("an actor is required: who records the consent?")
    if method not in CONSENT_METHODS:
        raise BadInput(f"unknown method {method!r}; use one of {sorted(CONSENT_METHODS)}")
    if evidence is not None:
        if not isinstance(evidence, str):
            raise BadInput("evidence must be text")
        if len(evidence) > MAX_EVIDENCE_CHARS:
            raise BadInput(f"evidence is longer than {MAX_EVIDENCE_CHARS:,} characters")
        if "\x00" in evidence:
            raise BadInput("evidence contains a NUL character")


def subject_erased_at(conn: Connection, subject_id: str) -> datetime | None:
    """When the subject was erased (None if not); NotFound when there is no such subject."""
    row = conn.execute(select(t.subjects.c.erased_at).where(t.subjects.c.id == subject_id)).first()
    if row is None:
        raise NotFound(f"no subject {subject_id}")
    return None if row.erased_at is None else aware(row.erased_at)


def record_consent(
    ledger: Ledger,
    subject_id: str,
    *,
    purpose: str,
    granted: bool,
    actor: str,
    evidence: str | None = None,
    method: str = "api",
) -> ConsentEvent:
    """Append a consent (granted=True) or a withdrawal / opt-out (granted=False).

    Refused before anything is written: an unknown subject (NotFound), an erased subject
    (Refused, code "erased"), a purpose the policy in force does not declare, an announced
    purpose without special care-required items (nothing to consent to), a method other
    than form, portal, api or paper, evidence over 2,000 characters (all BadInput).
    """
    _check_fields(granted, actor, evidence, method)
    now = ledger.now()
    with ledger.engine.begin() as conn:
        version = ledger.policy_in_force(conn)
        _check_purpose(version, purpose)
        if subject_erased_at(conn, subject_id) is not None:
            raise Refused(f"subject {subject_id} has been erased", code="erased")
        consent_id = conn.execute(
            t.consents.insert()
            .values(
                subject_id=subject_id,
                purpose=purpose,
                granted=granted,
                at=now,
                policy_version_id=version.version_id,
                method=method,
                evidence=evidence,
            )
            .returning(t.consents.c.id)
        ).scalar_one()
        append(
            conn,
            AuditEntry(
                at=now,
                actor=actor,
                action="consent",
                outcome="done",
                subject_id=subject_id,
                purpose=purpose,
                detail={
                    "consent_id": int(consent_id),
                    "granted": granted,
                    "basis": version.compiled.purposes[purpose].basis,
                    "method": method,
                    "policy_version_id": version.version_id,
                },
            ),
        )
    return ConsentEvent(
        id=int(consent_id),
        subject_id=subject_id,
        purpose=purpose,
        granted=granted,
        at=aware(now),
        policy_version_id=version.version_id,
        method=method,
        evidence=evidence,
    )


def consent_history(
    ledger: Ledger, subject_id: str, purpose: str | None = None
) -> list[ConsentEvent]:
    """The subject's history, oldest first, for one purpose or all; NotFound if no subject.

    The history of an erased subject stays readable (it is evidence of what was agreed)."""
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        subject_erased_at(conn, subject_id)
        query = select(t.consents).where(t.consents.c.subject_id == subject_id)
        if purpose is not None:
            query = query.where(t.consents.c.purpose == purpose)
        rows = conn.execute(query.order_by(t.consents.c.id)).all()
    return [_event(row) for row in rows]


def current(events: Sequence[ConsentEvent]) -> dict[str, bool]:
    """Purpose -> latest granted, from a history in id order."""
    return {event.purpose: event.granted for event in events}


def current_consents(ledger: Ledger, subject_id: str) -> dict[str, bool]:
    """Purpose -> current state (True granted, False withdrawn or opted out), as `use` sees it.

    A purpose never consented to or opted out of is absent."""
    return current(consent_history(ledger, subject_id))


__all__ = [
    "ConsentEvent",
    "consent_history",
    "current_consents",
    "record_consent",
]
