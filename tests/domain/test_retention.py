from __future__ import annotations

from datetime import date

from hogo.domain.periods import Period
from hogo.domain.retention import RetentionTerm, due_at_collection, past_retention

DAY = date(2026, 11, 24)


def test_longest_purpose_wins() -> None:
    terms = [RetentionTerm(Period(1), "collection"), RetentionTerm(Period(3), "last_contact")]
    assert due_at_collection(terms, DAY) == date(2029, 11, 24)


def test_unknown_until_an_event_or_withdrawal() -> None:
    assert due_at_collection([RetentionTerm(Period(1), "contract_end")], DAY) is None
    assert due_at_collection([RetentionTerm(None, None, until_withdrawn=True)], DAY) is None
    mixed = [
        RetentionTerm(Period(1), "collection"),
        RetentionTerm(Period(5), "application_decision"),
    ]
    assert due_at_collection(mixed, DAY) is None


def test_a_purpose_without_retention_keeps_the_date_open() -> None:
    assert due_at_collection([RetentionTerm(Period(1), "collection"), None], DAY) is None
    assert due_at_collection([], DAY) is None


def test_zero_period_is_due_on_collection() -> None:
    assert due_at_collection([RetentionTerm(Period(), "collection")], DAY) == DAY


def test_a_record_due_yesterday_is_past_retention() -> None:
    due = due_at_collection([RetentionTerm(Period(years=3), "collection")], date(2023, 11, 24))
    assert due == date(2026, 11, 24)
    assert past_retention(due, date(2026, 11, 25))
    assert past_retention(due, date(2030, 1, 1))


def test_a_record_due_today_or_later_is_not_past_retention() -> None:
    due = date(2026, 11, 24)
    assert not past_retention(due, date(2026, 11, 24))
    assert not past_retention(due, date(2026, 11, 23))


def test_a_record_without_a_known_due_date_is_never_past_retention() -> None:
    assert not past_retention(None, date(2099, 12, 31))
