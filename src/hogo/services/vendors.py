"""Vendor supervision: when each entrustee was last audited and when the next audit is due.

APPI Art. 25 makes the business supervise the vendors it entrusts personal data to; the
PPC guideline (通則編 3-4-4) expects periodic checks of how they handle it. The vendors
and their `audit_interval` come from the policy in force (`entrustment.vendors`); the
audits actually done are recorded in the ledger (`vendor_audits`), each with its result.
A vendor's last audit is the later of the latest one recorded and the `last_audit` the
policy states (audits done before hogo was used live only in the policy), and the next
one is due an interval after it (`hogo.domain.supervision`, the same reckoning as
`hogo check`'s rule HG020).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from hogo.domain.supervision import AuditSchedule, audit_schedule
from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.engine import READ_ONLY
from hogo.ledger.tables_registers import AUDIT_RESULTS, vendor_audits
from hogo.policy.schema import Policy, Vendor
from hogo.services.consent import aware
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger

MAX_NOTE_CHARS = 10_000


@dataclass(frozen=True)
class VendorStatus:
    """One vendor's supervision: `last_audit_from` is "ledger" or "policy" (None: never).
    `next_due` None with `overdue` means never audited and no contract date to count from."""

    id: str
    name: dict[str, str]
    country: str | None
    audit_interval: str | None
    last_audit: date | None
    last_audit_from: str | None
    last_result: str | None
    audits_recorded: int
    schedule: AuditSchedule

    @property
    def next_due(self) -> date | None:
        return self.schedule.next_due

    @property
    def overdue(self) -> bool:
        return self.schedule.overdue

    @property
    def days_left(self) -> int | None:
        return self.schedule.days_left

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "country": self.country,
            "audit_interval": self.audit_interval,
            "last_audit": None if self.last_audit is None else self.last_audit.isoformat(),
            "last_audit_from": self.last_audit_from,
            "last_result": self.last_result,
            "audits_recorded": self.audits_recorded,
            "next_due": None if self.next_due is None else self.next_due.isoformat(),
            "overdue": self.overdue,
            "days_left": self.days_left,
        }


@dataclass(frozen=True)
class RecordedAudit:
    id: int
    vendor: str
    audited_on: date
    result: str
    recorded_at: datetime
    status: VendorStatus

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "vendor": self.vendor,
            "audited_on": self.audited_on.isoformat(),
            "result": self.result,
            "recorded_at": self.recorded_at.isoformat(),
            "status": self.status.to_dict(),
        }


def _latest_audits(conn: Connection) -> dict[str, tuple[date, str, int]]:
    """Per vendor: date and result of the latest recorded audit, and how many are recorded.

    One query over the small `vendor_audits` table (a few rows a vendor a year), never one
    query per vendor."""
    found: dict[str, tuple[date, str, int]] = {}
    rows = conn.execute(
        select(vendor_audits.c.vendor, vendor_audits.c.audited_on, vendor_audits.c.result).order_by(
            vendor_audits.c.audited_on, vendor_audits.c.id
        )
    )
    for row in rows:
        seen = found.get(row.vendor)
        found[row.vendor] = (row.audited_on, row.result, 1 if seen is None else seen[2] + 1)
    return found


def _status(vendor: Vendor, recorded: tuple[date, str, int] | None, today: date) -> VendorStatus:
    last, source, result = vendor.last_audit, "policy" if vendor.last_audit else None, None
    if recorded is not None and (last is None or recorded[0] >= last):
        last, source, result = recorded[0], "ledger", recorded[1]
    schedule = audit_schedule(
        interval=vendor.audit_interval,
        last_audit=last,
        contract_date=vendor.contract_date,
        today=today,
    )
    return VendorStatus(
        id=vendor.id,
        name={"ja": vendor.name.ja, "en": vendor.name.en},
        country=vendor.country,
        audit_interval=None if vendor.audit_interval is None else str(vendor.audit_interval),
        last_audit=last,
        last_audit_from=source,
        last_result=result,
        audits_recorded=0 if recorded is None else recorded[2],
        schedule=schedule,
    )


def _statuses(conn: Connection, policy: Policy, today: date) -> list[VendorStatus]:
    recorded = _latest_audits(conn)
    return [_status(v, recorded.get(v.id), today) for v in policy.entrustment.vendors]


def vendor_statuses(ledger: Ledger, *, today: date | None = None) -> list[VendorStatus]:
    """Every vendor of the policy in force, in the policy's order, with its audit schedule."""
    today = today or ledger.today()
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        policy = ledger.policy_in_force(conn).policy
        return _statuses(conn, policy, today)


def audits_due(
    ledger: Ledger, *, within_days: int, today: date | None = None
) -> list[VendorStatus]:
    """The vendors whose audit is overdue or due within `within_days` days, soonest first
    (overdue ones, never audited first): what the dashboard lists."""
    if isinstance(within_days, bool) or not isinstance(within_days, int) or within_days < 0:
        raise BadInput(f"days ahead must be a whole number 0 or more, not {within_days!r}")
    today = today or ledger.today()
    statuses = vendor_statuses(ledger, today=today)
    due = [s for s in statuses if s.schedule.due_within(within_days, today)]
    return sorted(due, key=lambda s: (s.next_due or date.min, s.id))


def record_audit(
    ledger: Ledger,
    vendor: str,
    *,
    audited_on: date,
    result: str,
    actor: str,
    note: str | None = None,
) -> RecordedAudit:
    """Record an audit of a vendor, audited as "vendor_audit" in the same transaction.

    Refused before anything is written (BadInput): a vendor the policy in force does not
    name (the message lists those it does), a date in the future or not a date, a result
    other than pass, findings or fail, an oversized note or actor."""
    if isinstance(audited_on, datetime) or not isinstance(audited_on, date):
        raise BadInput(f"the audit date must be a date, not {audited_on!r}")
    if result not in AUDIT_RESULTS:
        raise BadInput(f"unknown result {result!r}; use one of {', '.join(AUDIT_RESULTS)}")
    if note is not None:
        _check_text("note", note, MAX_NOTE_CHARS)
    _check_text("actor", actor, 200)
    today = ledger.today()
    if audited_on > today:
        raise BadInput(
            f"an audit cannot be recorded for a future date ({audited_on}; today is {today})"
        )
    now = ledger.now()
    with ledger.engine.begin() as conn:
        policy = ledger.policy_in_force(conn).policy
        known = {v.id: v for v in policy.entrustment.vendors}
        if vendor not in known:
            names = ", ".join(known) or "none"
            raise BadInput(f"unknown vendor {vendor!r}; the policy in force names: {names}")
        audit_id = int(
            conn.execute(
                vendor_audits.insert()
                .values(
                    vendor=vendor,
                    audited_on=audited_on,
                    result=result,
                    recorded_at=now,
                    recorded_by=actor,
                )
                .returning(vendor_audits.c.id)
            ).scalar_one()
        )
        if note is not None:
            cipher = ledger.register_cipher(conn)
            conn.execute(
                vendor_audits.update()
                .where(vendor_audits.c.id == audit_id)
                .values(note=cipher.encrypt(f"vendor_audit:{audit_id}:note", note))
            )
        append(
            conn,
            AuditEntry(
                at=now,
                actor=actor,
                action="vendor_audit",
                outcome="done",
                detail={
                    "audit_id": audit_id,
                    "vendor": vendor,
                    "audited_on": audited_on.isoformat(),
                    "result": result,
                },
            ),
        )
        status = _status(known[vendor], _latest_audits(conn).get(vendor), today)
    return RecordedAudit(audit_id, vendor, audited_on, result, aware(now), status)


@dataclass(frozen=True)
class VendorAudit:
    id: int
    vendor: str
    audited_on: date
    result: str
    note: str | None
    recorded_at: datetime
    recorded_by: str

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "vendor": self.vendor,
            "audited_on": self.audited_on.isoformat(),
            "result": self.result,
            "note": self.note,
            "recorded_at": self.recorded_at.isoformat(),
            "recorded_by": self.recorded_by,
        }


def audit_history(ledger: Ledger, vendor: str, *, actor: str) -> list[VendorAudit]:
    """The audits recorded for a vendor, oldest first, notes decrypted. Notes may name the
    vendor's staff, so reading them is audited ("vendor_audit_read"). A vendor no longer in
    the policy is still answered when audits of it are recorded: the history outlives the
    contract."""
    _check_text("actor", actor, 200)
    with ledger.engine.begin() as conn:
        rows = conn.execute(
            select(vendor_audits)
            .where(vendor_audits.c.vendor == vendor)
            .order_by(vendor_audits.c.audited_on, vendor_audits.c.id)
        ).all()
        if not rows:
            known = [v.id for v in ledger.policy_in_force(conn).policy.entrustment.vendors]
            if vendor not in known:
                names = ", ".join(known) or "none"
                raise BadInput(f"unknown vendor {vendor!r}; the policy in force names: {names}")
        cipher = ledger.register_cipher(conn)
        history = [
            VendorAudit(
                id=int(row.id),
                vendor=row.vendor,
                audited_on=row.audited_on,
                result=row.result,
                note=None
                if row.note is None
                else cipher.decrypt(f"vendor_audit:{row.id}:note", row.note),
                recorded_at=aware(row.recorded_at),
                recorded_by=row.recorded_by,
            )
            for row in rows
        ]
        append(
            conn,
            AuditEntry(
                at=ledger.now(),
                actor=actor,
                action="vendor_audit_read",
                outcome="done",
                detail={"vendor": vendor, "count": len(history)},
            ),
        )
    return history


def _check_text(what: str, value: Any, limit: int) -> None:
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"the {what} must not be empty")
    if len(value) > limit:
        raise BadInput(f"the {what} is {len(value):,} characters long; at most {limit:,}")
    if "\x00" in value:
        raise BadInput(f"the {what} contains a NUL character")


__all__ = [
    "AUDIT_RESULTS",
    "RecordedAudit",
    "VendorAudit",
    "VendorStatus",
    "audit_history",
    "audits_due",
    "record_audit",
    "vendor_statuses",
]
