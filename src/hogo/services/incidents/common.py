"""What every incident use case shares: reading an incident, its scope and its assessment.

An incident's free text is encrypted with the register key (`incident:{id}:{field}` as
associated data), so a ciphertext moved to another incident or field does not open. The
assessment is never stored: it is recomputed from the scope and the flags each time, so
it follows the scope as the investigation widens it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from hogo.domain.incident_report import ReportItem, unknown_items
from hogo.domain.incidents import (
    Assessment,
    Countdown,
    IncidentFacts,
    LeakedItem,
    assess,
    countdown,
)
from hogo.ledger import tables as t
from hogo.ledger import tables_incidents as ti
from hogo.ledger.audit import AuditEntry, Json, append
from hogo.ledger.tables_incidents import INCIDENT_TEXT_FIELDS
from hogo.policy.render.vocab import format_date
from hogo.policy.schema import Policy
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger

MAX_TEXT_CHARS = 20_000
MAX_ACTOR_CHARS = 200
TEXT_FIELDS = INCIDENT_TEXT_FIELDS
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

SUBJECT_KINDS = {
    "customer": ("顧客", "customers"),
    "user": ("利用者", "users"),
    "visitor": ("来訪者", "visitors"),
    "applicant": ("応募者", "applicants"),
    "business_contact": ("取引先担当者", "business contacts"),
    "employee": ("従業者", "employees"),
    "shareholder": ("株主", "shareholders"),
    "other": ("その他", "others"),
}
"""Who the people affected are (the 種類 of the PPC form), from the subjects' kinds."""


def day_text(value: date, lang: str) -> str:
    """29 November 2026 as the language writes it (2026年11月29日 / November 29, 2026)."""
    return format_date(value, "ja" if lang == "ja" else "en")


def aware(at: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as UTC); PostgreSQL aware ones."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def check_text(name: str, value: object) -> str:
    """Free text an officer writes: required, bounded, no control characters but newlines."""
    if not isinstance(value, str):
        raise BadInput(f"{name} must be text, not {type(value).__name__}")
    value = value.strip()
    if not value:
        raise BadInput(f"{name} is empty")
    if len(value) > MAX_TEXT_CHARS:
        raise BadInput(f"{name} is {len(value):,} characters long; at most {MAX_TEXT_CHARS:,}")
    if _CONTROL.search(value):
        raise BadInput(f"{name} contains control characters")
    return value


def check_actor(actor: object) -> str:
    if not isinstance(actor, str) or not actor.strip() or len(actor) > MAX_ACTOR_CHARS:
        raise BadInput("an actor is required (at most 200 characters): who acts on the incident?")
    return actor


def check_date(name: str, value: object, *, today: date) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise BadInput(f"{name} must be a date (YYYY-MM-DD), not {value!r}"[:200])
    if value > today:
        raise BadInput(f"{name} {value} is in the future (today is {today})")
    return value


def check_id(incident_id: object) -> int:
    if isinstance(incident_id, bool) or not isinstance(incident_id, int) or incident_id < 1:
        raise BadInput(f"an incident id is a positive number, not {incident_id!r}"[:200])
    return incident_id


@dataclass(frozen=True)
class Incident:
    """One incident as stored, its free text decrypted."""

    id: int
    state: str
    known_on: date
    occurred_on: date | None
    discovered_on: date | None
    vendor: str | None
    unlawful_purpose_suspected: bool
    strongly_encrypted: bool
    preliminary_due: date
    final_due: date
    preliminary_filed_on: date | None
    final_filed_on: date | None
    texts: Mapping[str, str | None]
    created_at: datetime
    closed_at: datetime | None

    def text(self, field: str) -> str | None:
        return self.texts.get(field)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "state": self.state,
            "known_on": self.known_on.isoformat(),
            "occurred_on": _iso(self.occurred_on),
            "discovered_on": _iso(self.discovered_on),
            "vendor": self.vendor,
            "unlawful_purpose_suspected": self.unlawful_purpose_suspected,
            "strongly_encrypted": self.strongly_encrypted,
            "preliminary_due": self.preliminary_due.isoformat(),
            "final_due": self.final_due.isoformat(),
            "preliminary_filed_on": _iso(self.preliminary_filed_on),
            "final_filed_on": _iso(self.final_filed_on),
            **dict(self.texts),
            "created_at": self.created_at.isoformat(),
            "closed_at": _iso(self.closed_at),
        }


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def aad(incident_id: int, field: str) -> str:
    return f"incident:{incident_id}:{field}"


def encrypt(ledger: Ledger, conn: Connection, incident_id: int, field: str, value: str) -> bytes:
    return ledger.register_cipher(conn).encrypt(aad(incident_id, field), value)


def incident_of(ledger: Ledger, conn: Connection, row: Row[Any]) -> Incident:
    cipher = ledger.register_cipher(conn)
    texts: dict[str, str | None] = {}
    for name in TEXT_FIELDS:
        blob = getattr(row, name)
        texts[name] = None if blob is None else cipher.decrypt(aad(int(row.id), name), blob)
    return Incident(
        id=int(row.id),
        state=row.state,
        known_on=row.known_on,
        occurred_on=row.occurred_on,
        discovered_on=row.discovered_on,
        vendor=row.vendor,
        unlawful_purpose_suspected=bool(row.unlawful_purpose_suspected),
        strongly_encrypted=bool(row.strongly_encrypted),
        preliminary_due=row.preliminary_due,
        final_due=row.final_due,
        preliminary_filed_on=row.preliminary_filed_on,
        final_filed_on=row.final_filed_on,
        texts=texts,
        created_at=aware(row.created_at),
        closed_at=None if row.closed_at is None else aware(row.closed_at),
    )


def load_row(conn: Connection, incident_id: int, *, lock: bool = False) -> Row[Any]:
    """The incident's row (locked for the transaction with `lock`), or NotFound."""
    query = select(ti.incidents).where(ti.incidents.c.id == check_id(incident_id))
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no incident {incident_id}")
    return row


def require_open(row: Row[Any]) -> None:
    if row.state != "open":
        raise Refused(f"incident {row.id} is closed: nothing more can change", code="closed")


def record_event(
    ledger: Ledger,
    conn: Connection,
    incident_id: int,
    *,
    kind: str,
    actor: str,
    detail: Mapping[str, Json],
) -> None:
    """The incident's history and the audit trail, in the caller's transaction."""
    now = ledger.now()
    conn.execute(
        ti.incident_events.insert().values(
            incident_id=incident_id, at=now, actor=actor, kind=kind, detail=dict(detail)
        )
    )
    append(
        conn,
        AuditEntry(
            at=now,
            actor=actor,
            action=f"incident_{kind}",
            outcome="done",
            detail={"incident_id": incident_id, **detail},
        ),
    )


# --- the scope and what it means ----------------------------------------------------------


@dataclass(frozen=True)
class ItemCount:
    item: LeakedItem
    people: int
    kind: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "item": self.item.id,
            "label": {"ja": self.item.label("ja"), "en": self.item.label("en")},
            "special_care": self.item.special_care,
            "financial_risk": self.item.financial_risk,
            "kind": self.kind,
            "people": self.people,
        }


@dataclass(frozen=True)
class ScopeSummary:
    """The people affected, counted by item and by kind, and where the notices stand."""

    people: int
    items: tuple[ItemCount, ...]
    subject_kinds: Mapping[str, int]
    notified: int
    erased: int

    def to_dict(self) -> dict[str, object]:
        return {
            "people": self.people,
            "items": [i.to_dict() for i in self.items],
            "subject_kinds": dict(self.subject_kinds),
            "notified": self.notified,
            "erased": self.erased,
        }


def leaked_item(policy: Policy, item_id: str) -> LeakedItem:
    item = policy.item(item_id)
    if item is None:  # dropped from the policy since: counted, not assumed harmless
        return LeakedItem(item_id)
    return LeakedItem(
        item.id,
        special_care=bool(item.special_care),
        financial_risk=bool(item.financial_risk),
        label_ja=item.label.ja,
        label_en=item.label.en,
    )


def scope_summary(conn: Connection, policy: Policy, incident_id: int) -> ScopeSummary:
    per_item: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    people = notified = erased = 0
    s, scope = t.subjects, ti.incident_subjects
    rows = conn.execute(
        select(scope.c["items"], scope.c.notified_at, s.c.kind, s.c.erased_at)
        .join(s, s.c.id == scope.c.subject_id)
        .where(scope.c.incident_id == incident_id)
    )
    for row in rows:
        people += 1
        per_item.update(row.items)
        kinds[row.kind] += 1
        notified += row.notified_at is not None
        erased += row.erased_at is not None
    order = {item.id: n for n, item in enumerate(policy.items)}
    items = tuple(
        ItemCount(
            leaked_item(policy, item_id),
            count,
            None if (p := policy.item(item_id)) is None else p.kind.value,
        )
        for item_id, count in sorted(per_item.items(), key=lambda kv: (order.get(kv[0], 1e9), kv))
    )
    return ScopeSummary(people, items, dict(sorted(kinds.items())), notified, erased)


def assessment_of(incident: Incident, scope: ScopeSummary) -> Assessment:
    return assess(
        IncidentFacts(
            people=scope.people,
            items=[c.item for c in scope.items],
            unlawful_purpose_suspected=incident.unlawful_purpose_suspected,
            strongly_encrypted=incident.strongly_encrypted,
        )
    )


def countdowns(
    incident: Incident, assessment: Assessment, today: date
) -> tuple[Countdown, Countdown]:
    """Where the two reports stand; a closed incident counts down no more."""
    required = assessment.required and incident.state == "open"
    return (
        countdown(
            incident.preliminary_due,
            today,
            filed_on=incident.preliminary_filed_on,
            required=required,
        ),
        countdown(incident.final_due, today, filed_on=incident.final_filed_on, required=required),
    )


def known_report_items(incident: Incident, scope: ScopeSummary) -> dict[str, bool]:
    """Which Rules Art. 8(1) items have something recorded; the rest are under investigation."""
    text = incident.texts
    return {
        "overview": incident.occurred_on is not None
        and incident.discovered_on is not None
        and text.get("discovered_how") is not None,  # the summary is always there
        "items": bool(scope.items),
        "people": scope.people > 0,
        "cause": text.get("cause") is not None,
        "secondary_damage": text.get("secondary_damage") is not None,
        "measures": text.get("measures") is not None or scope.notified > 0,
        "publication": text.get("publication") is not None,
        "prevention": text.get("prevention_done") is not None
        or text.get("prevention_planned") is not None,
        "other": text.get("other") is not None,
    }


def pending_items(incident: Incident, scope: ScopeSummary) -> tuple[ReportItem, ...]:
    return unknown_items(known_report_items(incident, scope))
