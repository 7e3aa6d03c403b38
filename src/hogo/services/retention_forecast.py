"""What falls due for erasure soon: the retention sweep's work ahead, counted per item.

For a dashboard and for planning (a legal hold to place before a sweep, a notice to give):
the records, provision records and receipt records that a sweep run on any day from today
to `today + within_days` would erase, by the same rules as the sweep (a record is erased
the day after its due date, Art. 22; provision and receipt records the day after their
`retain_until`, Rules Arts. 21 and 25). One read-only transaction of GROUP BY queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Table, func, or_, select
from sqlalchemy.engine import Connection

from hogo.ledger import tables as t
from hogo.ledger.engine import READ_ONLY
from hogo.services.erasure import under_legal_hold
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger

MAX_DAYS = 3_660


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass(frozen=True)
class ItemDue:
    """One item's records falling due in the window."""

    item: str
    records: int
    """Records a sweep in the window erases (not held)."""
    overdue: int
    """Of those, records a sweep today would already erase."""
    held: int
    """Records due in the window but kept by a legal hold (on the record or the subject)."""
    next_due: date | None
    """The earliest due date (last day kept) among `records`; erased the day after."""

    def to_dict(self) -> dict[str, object]:
        return {
            "item": self.item,
            "records": self.records,
            "overdue": self.overdue,
            "held": self.held,
            "next_due": _iso(self.next_due),
        }


@dataclass(frozen=True)
class RegisterDue:
    """Provision or receipt records whose keeping duty ends in the window."""

    records: int
    overdue: int
    next_due: date | None

    def to_dict(self) -> dict[str, object]:
        return {"records": self.records, "overdue": self.overdue, "next_due": _iso(self.next_due)}


@dataclass(frozen=True)
class RetentionForecast:
    today: date
    within_days: int
    until: date
    """The last sweep day counted: today + within_days."""
    items: tuple[ItemDue, ...]
    provision_records: RegisterDue
    receipt_records: RegisterDue

    def to_dict(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "within_days": self.within_days,
            "until": self.until.isoformat(),
            "items": [i.to_dict() for i in self.items],
            "provision_records": self.provision_records.to_dict(),
            "receipt_records": self.receipt_records.to_dict(),
        }


def _register(conn: Connection, table: Table, today: date, until: date) -> RegisterDue:
    free = ~under_legal_hold(table.c.subject_id)
    due = table.c.retain_until
    row = conn.execute(
        select(func.count(), func.min(due), func.count().filter(due < today)).where(
            due.is_not(None), due < until, free
        )
    ).one()
    return RegisterDue(int(row[0]), int(row[2]), row[1])


def due_for_erasure(
    ledger: Ledger, *, within_days: int, today: date | None = None
) -> RetentionForecast:
    """What sweeps from `today` (default: the ledger's today) to `today + within_days` will
    erase; `within_days=0` is what a sweep today erases. BadInput for a negative or
    non-integer window, or one over MAX_DAYS."""
    if isinstance(within_days, bool) or not isinstance(within_days, int):
        raise BadInput(f"within_days must be a whole number of days, not {within_days!r}")
    if not 0 <= within_days <= MAX_DAYS:
        raise BadInput(f"within_days must be between 0 and {MAX_DAYS:,}")
    if today is None:
        today = ledger.today()
    elif isinstance(today, datetime) or not isinstance(today, date):
        raise BadInput(f"today must be a date, not {today!r}")
    # A sweep on day D erases what is due before D, so the last sweep day `until` covers
    # every due date before it.
    until = today + timedelta(days=within_days)
    rec = t.records
    due = rec.c.retention_due
    held = or_(rec.c.legal_hold.is_(True), under_legal_hold(rec.c.subject_id))
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn, conn.begin():
        rows = conn.execute(
            select(
                rec.c.item,
                func.count().filter(~held),
                func.count().filter(~held, due < today),
                func.count().filter(held),
                func.min(due).filter(~held),
            )
            .where(due.is_not(None), due < until)
            .group_by(rec.c.item)
            .order_by(rec.c.item)
        ).all()
        provision = _register(conn, t.provision_records, today, until)
        receipt = _register(conn, t.receipt_records, today, until)
    return RetentionForecast(
        today=today,
        within_days=within_days,
        until=until,
        items=tuple(ItemDue(row[0], int(row[1]), int(row[2]), int(row[3]), row[4]) for row in rows),
        provision_records=provision,
        receipt_records=receipt,
    )
