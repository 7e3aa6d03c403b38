"""Vendor audit due dates (APPI Art. 25): counted from the last audit, else the contract."""

from __future__ import annotations

from datetime import date

from hogo.domain.periods import Period
from hogo.domain.supervision import audit_schedule

YEAR = Period(years=1)
TODAY = date(2026, 11, 24)


def test_due_a_year_after_the_last_audit_not_yet_overdue() -> None:
    s = audit_schedule(interval=YEAR, last_audit=date(2026, 3, 1), contract_date=None, today=TODAY)
    assert (s.next_due, s.overdue, s.days_left) == (date(2027, 3, 1), False, 97)
    assert not s.due_within(96, TODAY)
    assert s.due_within(97, TODAY)


def test_overdue_the_day_after_it_falls_due() -> None:
    on_the_day = audit_schedule(
        interval=YEAR, last_audit=date(2025, 11, 24), contract_date=None, today=TODAY
    )
    assert (on_the_day.overdue, on_the_day.days_left) == (False, 0)
    late = audit_schedule(
        interval=YEAR, last_audit=date(2025, 11, 23), contract_date=None, today=TODAY
    )
    assert (late.next_due, late.overdue, late.days_left) == (date(2026, 11, 23), True, -1)
    assert late.due_within(0, TODAY)


def test_never_audited_counts_from_the_contract() -> None:
    s = audit_schedule(
        interval=Period(months=6), last_audit=None, contract_date=date(2026, 8, 31), today=TODAY
    )
    assert (s.last_audit, s.next_due, s.overdue) == (None, date(2027, 2, 28), False)
    old = audit_schedule(
        interval=YEAR, last_audit=None, contract_date=date(2020, 4, 1), today=TODAY
    )
    assert old.overdue and old.next_due == date(2021, 4, 1)


def test_never_audited_without_a_contract_date_is_overdue_at_once() -> None:
    s = audit_schedule(interval=YEAR, last_audit=None, contract_date=None, today=TODAY)
    assert (s.next_due, s.overdue, s.days_left) == (None, True, None)
    assert s.due_within(0, TODAY)


def test_no_interval_nothing_is_due() -> None:
    s = audit_schedule(interval=None, last_audit=None, contract_date=None, today=TODAY)
    assert (s.next_due, s.overdue, s.days_left) == (None, False, None)
    assert not s.due_within(10_000, TODAY)
