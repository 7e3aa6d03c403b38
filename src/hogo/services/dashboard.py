"""The figures the console's dashboard opens with: what needs doing, and the last year.

Counts only, never a value: open requests (due soon, overdue), open incidents with their
report deadlines, records a sweep erases within 30 days, vendor audits due within 30 days,
and for the charts the requests received and consents granted/withdrawn per month over
the last 12 months (Japanese calendar months), each one grouped query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.sql.elements import ColumnElement

from hogo.domain.incidents import Countdown
from hogo.domain.requests import OPEN_STATES
from hogo.ledger import tables as t
from hogo.ledger.engine import READ_ONLY
from hogo.ledger.tables_requests import requests
from hogo.services.incidents import list_incidents
from hogo.services.ledger import JAPAN, Ledger
from hogo.services.retention_forecast import due_for_erasure
from hogo.services.vendors import audits_due

DUE_SOON_DAYS = 3
"""An open request due today or within this many days after is "due soon"."""
AHEAD_DAYS = 30
"""How far ahead the erasure forecast and the vendor audits look."""
MONTHS = 12


@dataclass(frozen=True)
class IncidentDeadlines:
    id: int
    known_on: date
    preliminary: Countdown
    final: Countdown


@dataclass(frozen=True)
class VendorDue:
    id: str
    name: dict[str, str]
    next_due: date | None
    """None: never audited and no date to count from (overdue)."""
    overdue: bool


@dataclass(frozen=True)
class MonthCounts:
    month: str
    """YYYY-MM, a calendar month in Japan."""
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Summary:
    subjects: int
    """Subjects held now (not erased)."""
    policy_version: str
    today: date | None = None
    requests_open: int = 0
    requests_due_soon: int = 0
    """Open, not overdue, due today or within DUE_SOON_DAYS days."""
    requests_overdue: int = 0
    incidents: tuple[IncidentDeadlines, ...] = ()
    """Open incidents, nearest final deadline first."""
    erasure_records: int = 0
    """Records (not under legal hold) a sweep erases within AHEAD_DAYS days."""
    erasure_next: date | None = None
    vendor_audits: tuple[VendorDue, ...] = ()
    requests_by_month: tuple[MonthCounts, ...] = ()
    """(received,) per month, oldest first."""
    consents_by_month: tuple[MonthCounts, ...] = ()
    """(granted, withdrawn) per month, oldest first."""


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    """The first days of the last `months` months up to today's, and of the next one."""
    year, month = today.year, today.month
    starts: list[date] = []
    for _ in range(months + 1):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()
    last = starts[-1]
    following = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    return [*starts[1:], following]


def _utc(day: date) -> datetime:
    """Midnight in Japan on `day`, in UTC (SQLite stores UTC without the zone)."""
    return datetime(day.year, day.month, day.day, tzinfo=JAPAN).astimezone(UTC)


def _bucket(column: Any, bounds: list[date]) -> ColumnElement[Any]:
    edges = [_utc(d) for d in bounds]
    return case(
        *((column < edges[i + 1], i) for i in range(len(edges) - 1)),
        else_=None,
    )


def _monthly(
    conn: Any, column: Any, bounds: list[date], measures: list[ColumnElement[Any]], *where: Any
) -> tuple[MonthCounts, ...]:
    bucket = _bucket(column, bounds).label("bucket")
    rows = conn.execute(
        select(bucket, *measures)
        .where(column >= _utc(bounds[0]), column < _utc(bounds[-1]), *where)
        .group_by(bucket)
    ).all()
    found = {int(r[0]): tuple(int(v or 0) for v in r[1:]) for r in rows if r[0] is not None}
    zero = tuple(0 for _ in measures)
    return tuple(
        MonthCounts(f"{bounds[i]:%Y-%m}", found.get(i, zero)) for i in range(len(bounds) - 1)
    )


def summary(ledger: Ledger, *, today: date | None = None) -> Summary:
    day = today or ledger.today()
    bounds = month_starts(day)
    open_states = [s.value for s in OPEN_STATES]
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn, conn.begin():
        held = conn.execute(
            select(func.count()).select_from(t.subjects).where(t.subjects.c.erased_at.is_(None))
        ).scalar_one()
        version = ledger.policy_in_force(conn)
        due = requests.c.due_on
        opened = conn.execute(
            select(
                func.count(),
                func.count().filter(due < day),
                func.count().filter(due >= day, due <= day + timedelta(days=DUE_SOON_DAYS)),
            ).where(requests.c.state.in_(open_states))
        ).one()
        received = _monthly(conn, requests.c.received_at, bounds, [func.count()])
        consents = _monthly(
            conn,
            t.consents.c.at,
            bounds,
            [
                func.count().filter(t.consents.c.granted.is_(True)),
                func.count().filter(t.consents.c.granted.is_(False)),
            ],
        )
    incidents = tuple(
        IncidentDeadlines(v.incident.id, v.incident.known_on, v.preliminary, v.final)
        for v in list_incidents(ledger, state="open", today=day)
    )
    forecast = due_for_erasure(ledger, within_days=AHEAD_DAYS, today=day)
    nexts = [i.next_due for i in forecast.items if i.next_due is not None]
    vendors = tuple(
        VendorDue(s.id, dict(s.name), s.next_due, s.next_due is None or s.next_due < day)
        for s in audits_due(ledger, within_days=AHEAD_DAYS, today=day)
    )
    return Summary(
        subjects=int(held),
        policy_version=version.version,
        today=day,
        requests_open=int(opened[0]),
        requests_overdue=int(opened[1]),
        requests_due_soon=int(opened[2]),
        incidents=incidents,
        erasure_records=sum(i.records for i in forecast.items),
        erasure_next=min(nexts) if nexts else None,
        vendor_audits=vendors,
        requests_by_month=received,
        consents_by_month=consents,
    )
