"""The incident register: open an incident, update what the investigation finds, close it.

An incident is opened the day the company comes to know of a leak, loss or damage of
personal data, actual or suspected (APPI Art. 26(1)); that day fixes the report deadlines
(PPC Rules Art. 8). Everything else is filled in as it becomes known: dates, how it was
found, the cause, the secondary damage, the measures. Each change is one transaction with
its history row and its audit entry; bad input writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.engine import Connection

from hogo.domain.incident_report import ReportItem
from hogo.domain.incidents import Assessment, Countdown, report_deadlines
from hogo.ledger import tables_incidents as ti
from hogo.ledger.audit import Json
from hogo.ledger.engine import READ_ONLY
from hogo.policy.schema import Policy
from hogo.services.errors import BadInput
from hogo.services.incidents.common import (
    Incident,
    ScopeSummary,
    assessment_of,
    aware,
    check_actor,
    check_date,
    check_id,
    check_text,
    countdowns,
    encrypt,
    incident_of,
    load_row,
    pending_items,
    record_event,
    require_open,
    scope_summary,
)
from hogo.services.ledger import Ledger

TEXT_OPTIONS = {
    "summary": "summary",
    "discovered": "discovered_how",
    "medium": "medium",
    "cause": "cause",
    "secondary_damage": "secondary_damage",
    "measures": "measures",
    "publication": "publication",
    "prevention": "prevention_done",
    "prevention_planned": "prevention_planned",
    "other": "other",
}
"""Keyword (and CLI option) -> encrypted column."""


@dataclass(frozen=True)
class IncidentEvent:
    id: int
    at: datetime
    actor: str
    kind: str
    detail: Mapping[str, Any]

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "kind": self.kind,
            "detail": dict(self.detail),
        }


@dataclass(frozen=True)
class IncidentView:
    """An incident with what follows from it on `today`: triggers, deadlines, scope."""

    incident: Incident
    scope: ScopeSummary
    assessment: Assessment
    preliminary: Countdown
    final: Countdown
    pending: tuple[ReportItem, ...]
    events: tuple[IncidentEvent, ...]
    today: date

    def to_dict(self) -> dict[str, object]:
        def deadline(c: Countdown) -> dict[str, object]:
            return {
                "due": c.due.isoformat(),
                "state": c.state.value,
                "days_left": c.days_left,
                "filed_on": None if c.filed_on is None else c.filed_on.isoformat(),
                "message": {"ja": c.sentence("ja"), "en": c.sentence("en")},
            }

        return {
            **self.incident.to_dict(),
            "today": self.today.isoformat(),
            "report_required": self.assessment.required,
            "exempt": self.assessment.exempt,
            "reason": {"ja": self.assessment.ja, "en": self.assessment.en},
            "triggers": [
                {
                    "trigger": f.trigger.value,
                    "article": f.trigger.article("en"),
                    "ja": f.ja,
                    "en": f.en,
                }
                for f in self.assessment.findings
            ],
            "deadlines": {
                "preliminary": deadline(self.preliminary),
                "final": deadline(self.final),
            },
            "scope": self.scope.to_dict(),
            "under_investigation": [i.key for i in self.pending],
            "events": [e.to_dict() for e in self.events],
        }


def _vendor(policy: Policy, vendor: object) -> str:
    vendors = [v.id for v in policy.entrustment.vendors]
    if not isinstance(vendor, str) or vendor not in vendors:
        known = ", ".join(vendors) or "none"
        raise BadInput(
            f"unknown vendor {vendor!r}; the policy's entrustment.vendors are: {known}"[:300]
        )
    return vendor


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise BadInput(f"{name} must be true or false, not {value!r}"[:200])
    return value


def _check_order(
    known_on: date,
    occurred_on: date | None,
    discovered_on: date | None,
    filed: Mapping[str, date | None],
) -> None:
    """Occurrence, discovery and knowing come in that order; nothing is filed before knowing."""
    if occurred_on is not None and occurred_on > known_on:
        raise BadInput(f"the occurrence date {occurred_on} is after the day of knowing {known_on}")
    if discovered_on is not None and discovered_on > known_on:
        raise BadInput(f"the discovery date {discovered_on} is after the day of knowing {known_on}")
    if occurred_on and discovered_on and occurred_on > discovered_on:
        raise BadInput(f"the occurrence date {occurred_on} is after the discovery {discovered_on}")
    for name, day in filed.items():
        if day is not None and day < known_on:
            raise BadInput(f"the {name} report is dated {day}, before the day of knowing")


def new_incident(
    ledger: Ledger,
    *,
    known_at: date,
    summary: str,
    actor: str,
    occurred_at: date | None = None,
    discovered_on: date | None = None,
    discovered: str | None = None,
    unlawful_purpose: bool = False,
    strongly_encrypted: bool = False,
    vendor: str | None = None,
) -> Incident:
    """Open an incident; `known_at` (the day any part of the company knew) is day 1 of both
    report periods (Rules Art. 8). The summary is item 1 of the report and of the notices."""
    today = ledger.today()
    known_on = check_date("the day of knowing", known_at, today=today)
    texts = {"summary": check_text("the summary", summary)}
    if discovered is not None:
        texts["discovered_how"] = check_text("how it was discovered", discovered)
    occurred = None if occurred_at is None else check_date("occurred", occurred_at, today=today)
    found = None if discovered_on is None else check_date("discovered", discovered_on, today=today)
    _check_order(known_on, occurred, found, {})
    unlawful = _flag("unlawful_purpose", unlawful_purpose)
    encrypted = _flag("strongly_encrypted", strongly_encrypted)
    actor = check_actor(actor)
    deadlines = report_deadlines(
        known_on,
        preliminary_days=ledger.settings.incident_preliminary_days,
        unlawful_purpose=unlawful,
    )
    with ledger.engine.begin() as conn:
        if vendor is not None:
            vendor = _vendor(ledger.policy_in_force(conn).policy, vendor)
        incident_id = int(
            conn.execute(
                ti.incidents.insert()
                .values(
                    state="open",
                    known_on=known_on,
                    occurred_on=occurred,
                    discovered_on=found,
                    vendor=vendor,
                    unlawful_purpose_suspected=unlawful,
                    strongly_encrypted=encrypted,
                    preliminary_due=deadlines.preliminary,
                    final_due=deadlines.final,
                    summary=b"",  # encrypted below, once the id it is bound to exists
                    created_at=ledger.now(),
                )
                .returning(ti.incidents.c.id)
            ).scalar_one()
        )
        conn.execute(
            update(ti.incidents)
            .where(ti.incidents.c.id == incident_id)
            .values({k: encrypt(ledger, conn, incident_id, k, v) for k, v in texts.items()})
        )
        record_event(
            ledger,
            conn,
            incident_id,
            kind="open",
            actor=actor,
            detail={
                "known_on": known_on.isoformat(),
                "unlawful_purpose_suspected": unlawful,
                "strongly_encrypted": encrypted,
                "vendor": vendor,
                "fields": sorted(texts),
            },
        )
        return incident_of(ledger, conn, load_row(conn, incident_id))


def update_incident(
    ledger: Ledger,
    incident_id: int,
    *,
    actor: str,
    texts: Mapping[str, str] | None = None,
    unlawful_purpose: bool | None = None,
    strongly_encrypted: bool | None = None,
    known_at: date | None = None,
    occurred_at: date | None = None,
    discovered_on: date | None = None,
    vendor: str | None = None,
    preliminary_filed_on: date | None = None,
    final_filed_on: date | None = None,
) -> Incident:
    """Record what the investigation found. `texts` maps TEXT_OPTIONS keys (cause,
    secondary_damage, measures, prevention, prevention_planned, publication, other, summary,
    discovered, medium) to text; None leaves a value as it is. A suspected unlawful purpose
    set or cleared moves the final deadline between 30 and 60 days (Rules Art. 8(2))."""
    check_id(incident_id)
    actor = check_actor(actor)
    today = ledger.today()
    changes: dict[str, Any] = {}
    for key, value in (texts or {}).items():
        if key not in TEXT_OPTIONS:
            raise BadInput(f"unknown field {key!r}; use one of {', '.join(TEXT_OPTIONS)}")
        changes[TEXT_OPTIONS[key]] = check_text(key.replace("_", " "), value)
    dates = {
        "known_on": ("the day of knowing", known_at),
        "occurred_on": ("occurred", occurred_at),
        "discovered_on": ("discovered", discovered_on),
        "preliminary_filed_on": ("the preliminary report's filing date", preliminary_filed_on),
        "final_filed_on": ("the final report's filing date", final_filed_on),
    }
    for column, (name, day) in dates.items():
        if day is not None:
            changes[column] = check_date(name, day, today=today)
    if unlawful_purpose is not None:
        changes["unlawful_purpose_suspected"] = _flag("unlawful_purpose", unlawful_purpose)
    if strongly_encrypted is not None:
        changes["strongly_encrypted"] = _flag("strongly_encrypted", strongly_encrypted)
    if not changes and vendor is None:
        raise BadInput("nothing to update: give at least one field")
    with ledger.engine.begin() as conn:
        row = load_row(conn, incident_id, lock=True)
        require_open(row)
        if vendor is not None:
            changes["vendor"] = _vendor(ledger.policy_in_force(conn).policy, vendor)
        merged = {c: changes.get(c, getattr(row, c)) for c in dates}
        _check_order(
            merged["known_on"],
            merged["occurred_on"],
            merged["discovered_on"],
            {"preliminary": merged["preliminary_filed_on"], "final": merged["final_filed_on"]},
        )
        _new_deadlines(ledger, row, changes)
        stored = {
            k: encrypt(ledger, conn, incident_id, k, v) if k in TEXT_OPTIONS.values() else v
            for k, v in changes.items()
        }
        conn.execute(update(ti.incidents).where(ti.incidents.c.id == incident_id).values(stored))
        detail: dict[str, Json] = {"fields": sorted(changes)}
        for name in ("unlawful_purpose_suspected", "strongly_encrypted", "vendor"):
            if name in changes:
                detail[name] = changes[name]
        for name in (*dates, "preliminary_due", "final_due"):
            if name in changes:
                detail[name] = changes[name].isoformat()
        record_event(ledger, conn, incident_id, kind="update", actor=actor, detail=detail)
        return incident_of(ledger, conn, load_row(conn, incident_id))


def _new_deadlines(ledger: Ledger, row: Any, changes: dict[str, Any]) -> None:
    """Recompute the deadlines a change of the day of knowing or of trigger (iii) moves."""
    if "known_on" not in changes and "unlawful_purpose_suspected" not in changes:
        return
    known_on = changes.get("known_on", row.known_on)
    unlawful = changes.get("unlawful_purpose_suspected", bool(row.unlawful_purpose_suspected))
    deadlines = report_deadlines(
        known_on,
        preliminary_days=ledger.settings.incident_preliminary_days,
        unlawful_purpose=unlawful,
    )
    if "known_on" in changes:
        changes["preliminary_due"] = deadlines.preliminary
    if deadlines.final != row.final_due:
        changes["final_due"] = deadlines.final


def close_incident(ledger: Ledger, incident_id: int, *, actor: str) -> Incident:
    """Close an open incident: it counts down no more and nothing more changes."""
    check_id(incident_id)
    actor = check_actor(actor)
    with ledger.engine.begin() as conn:
        row = load_row(conn, incident_id, lock=True)
        require_open(row)
        conn.execute(
            update(ti.incidents)
            .where(ti.incidents.c.id == incident_id)
            .values(state="closed", closed_at=ledger.now())
        )
        record_event(ledger, conn, incident_id, kind="close", actor=actor, detail={})
        return incident_of(ledger, conn, load_row(conn, incident_id))


def _events(conn: Connection, incident_id: int) -> tuple[IncidentEvent, ...]:
    rows = conn.execute(
        select(ti.incident_events)
        .where(ti.incident_events.c.incident_id == incident_id)
        .order_by(ti.incident_events.c.id)
    )
    return tuple(
        IncidentEvent(int(r.id), aware(r.at), r.actor, r.kind, r.detail or {}) for r in rows
    )


def view_in(
    ledger: Ledger, conn: Connection, row: Any, today: date, *, events: bool = True
) -> IncidentView:
    incident = incident_of(ledger, conn, row)
    scope = scope_summary(conn, ledger.policy_in_force(conn).policy, incident.id)
    assessment = assessment_of(incident, scope)
    preliminary, final = countdowns(incident, assessment, today)
    return IncidentView(
        incident,
        scope,
        assessment,
        preliminary,
        final,
        pending_items(incident, scope),
        _events(conn, incident.id) if events else (),
        today,
    )


def show_incident(ledger: Ledger, incident_id: int, *, today: date | None = None) -> IncidentView:
    """The incident, whether it must be reported and why, the countdown to each report."""
    check_id(incident_id)
    on = today or ledger.today()
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn, conn.begin():
        return view_in(ledger, conn, load_row(conn, incident_id), on)


def list_incidents(
    ledger: Ledger, *, state: str | None = None, today: date | None = None
) -> list[IncidentView]:
    """Open incidents first, each group by nearest final deadline."""
    if state not in (None, "open", "closed"):
        raise BadInput(f"unknown state {state!r}; use open or closed")
    on = today or ledger.today()
    query = select(ti.incidents).order_by(
        case((ti.incidents.c.state == "open", 0), else_=1),
        ti.incidents.c.final_due,
        ti.incidents.c.id,
    )
    if state is not None:
        query = query.where(ti.incidents.c.state == state)
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn, conn.begin():
        return [view_in(ledger, conn, row, on, events=False) for row in conn.execute(query).all()]
