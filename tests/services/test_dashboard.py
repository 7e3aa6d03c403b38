"""The dashboard's figures: the request queue, incidents, erasure and audits ahead, months."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hogo.services.consent import record_consent
from hogo.services.dashboard import month_starts, summary
from hogo.services.ledger import Ledger
from hogo.services.requests import new_request, withdraw
from tests.services.conftest import FixedClock
from tests.services.incident_support import incident
from tests.services.requests_support import collected


def test_month_starts_cover_the_last_twelve_months() -> None:
    starts = month_starts(date(2026, 1, 15))
    assert starts[0] == date(2025, 2, 1) and starts[-2] == date(2026, 1, 1)
    assert starts[-1] == date(2026, 2, 1) and len(starts) == 13


def test_an_empty_ledger_has_zero_figures(ledger: Ledger) -> None:
    figures = summary(ledger)
    assert (figures.requests_open, figures.requests_overdue, figures.requests_due_soon) == (0, 0, 0)
    assert figures.incidents == () and figures.erasure_records == 0
    assert len(figures.requests_by_month) == 12
    assert figures.requests_by_month[-1].month == "2026-11"
    assert all(m.counts == (0,) for m in figures.requests_by_month)
    assert all(m.counts == (0, 0) for m in figures.consents_by_month)


def test_requests_open_due_soon_and_overdue(ledger: Ledger, clock: FixedClock) -> None:
    subject = collected(ledger)
    clock.now = datetime(2026, 10, 20, 3, 0, tzinfo=UTC)
    new_request(ledger, kind="disclosure", subject_id=subject, actor="desk")  # due 11-03
    clock.now = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)
    new_request(ledger, kind="purpose_notice", subject_id=subject, actor="desk")  # due 11-24
    clock.now = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    new_request(ledger, kind="correction", subject_id=subject, actor="desk")  # due 12-08
    gone = new_request(ledger, kind="erasure", subject_id=subject, actor="desk").request.id
    withdraw(ledger, gone, actor="desk")
    figures = summary(ledger)
    assert figures.requests_open == 3
    assert figures.requests_overdue == 1
    assert figures.requests_due_soon == 1
    months = {m.month: m.counts for m in figures.requests_by_month}
    assert months["2026-10"] == (1,) and months["2026-11"] == (3,)


def test_months_are_japanese_calendar_months(ledger: Ledger, clock: FixedClock) -> None:
    subject = collected(ledger)  # consents granted at collection count too
    base = {m.month: m.counts for m in summary(ledger).consents_by_month}
    # 2026-10-31 16:00 UTC is 2026-11-01 01:00 in Tokyo.
    clock.now = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    record_consent(ledger, subject, purpose="newsletter", granted=False, actor="portal")
    clock.now = datetime(2026, 10, 31, 14, 0, tzinfo=UTC)  # 23:00 in Tokyo, October
    record_consent(ledger, subject, purpose="newsletter", granted=True, actor="portal")
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    months = {m.month: m.counts for m in summary(ledger).consents_by_month}
    assert months["2026-11"] == (base["2026-11"][0], base["2026-11"][1] + 1)
    assert months["2026-10"] == (1, 0)


def test_open_incidents_erasure_and_vendor_audits(ledger: Ledger, clock: FixedClock) -> None:
    opened = incident(ledger)
    figures = summary(ledger)
    assert [i.id for i in figures.incidents] == [opened.id]
    assert figures.incidents[0].final.due == opened.final_due
    # The fixture's courier was audited 2026-03-01, yearly: due 2027-03-01.
    assert figures.vendor_audits == ()
    later = summary(ledger, today=date(2027, 2, 10))
    assert [v.id for v in later.vendor_audits] == ["courier"]
    assert not later.vendor_audits[0].overdue
