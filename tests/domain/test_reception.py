"""Reception hours: within them no acknowledgement; outside them, when the desk opens next."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from hogo.domain.reception import (
    JAPAN,
    Acknowledgement,
    ReceptionHours,
    acknowledgement,
    closed_because,
    english_date,
    is_open,
    japanese_clock,
    japanese_date,
    next_opening,
)

WEEKDAYS = ReceptionHours.of("weekdays", "10:00", "18:00")
WITH_SATURDAY = ReceptionHours.of("weekdays_and_saturday", "10:00", "18:00")
EVERY_DAY = ReceptionHours.of("every_day", "09:30", "17:00")


def jst(y: int, m: int, d: int, hh: int = 12, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=JAPAN)


def test_within_hours_on_a_weekday_no_acknowledgement() -> None:
    assert acknowledgement(jst(2026, 11, 24, 11), WEEKDAYS) is None  # Tuesday


def test_exactly_at_opening_is_within_hours() -> None:
    assert is_open(jst(2026, 11, 24, 10), WEEKDAYS)
    assert acknowledgement(jst(2026, 11, 24, 10), WEEKDAYS) is None


def test_a_second_before_opening_is_acknowledged_for_that_morning() -> None:
    ack = acknowledgement(jst(2026, 11, 24, 9, 59, 59), WEEKDAYS)
    assert ack == Acknowledgement(
        jst(2026, 11, 24, 9, 59, 59), jst(2026, 11, 24, 10), None, None, ()
    )


def test_exactly_at_closing_is_outside_hours() -> None:
    assert acknowledgement(jst(2026, 11, 24, 17, 59, 59), WEEKDAYS) is None
    ack = acknowledgement(jst(2026, 11, 24, 18), WEEKDAYS)
    assert ack is not None
    assert ack.opens_at == jst(2026, 11, 25, 10) and ack.closed_from is None


def test_times_in_utc_are_read_as_japan_time() -> None:
    assert is_open(datetime(2026, 11, 24, 1, 0, tzinfo=UTC), WEEKDAYS)  # 10:00 JST
    assert not is_open(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), WEEKDAYS)  # 18:00 JST
    with pytest.raises(ValueError, match="time zone"):
        is_open(datetime(2026, 11, 24, 11, 0), WEEKDAYS)


def test_saturday_closed_for_weekdays_open_with_saturday() -> None:
    saturday = jst(2026, 11, 28)
    ack = acknowledgement(saturday, WEEKDAYS)
    assert ack is not None
    assert ack.opens_at == jst(2026, 11, 30, 10)
    assert (ack.closed_from, ack.closed_to, ack.reasons) == (
        date(2026, 11, 28),
        date(2026, 11, 29),
        ("closed_day",),
    )
    assert acknowledgement(saturday, WITH_SATURDAY) is None


def test_sunday_closed_even_with_saturday_open_every_day() -> None:
    sunday = jst(2026, 11, 29)
    ack = acknowledgement(sunday, WITH_SATURDAY)
    assert ack is not None and ack.opens_at == jst(2026, 11, 30, 10)
    assert (ack.closed_from, ack.closed_to) == (date(2026, 11, 29), date(2026, 11, 29))
    assert acknowledgement(sunday, EVERY_DAY) is None


def test_a_national_holiday_is_closed_whatever_the_days() -> None:
    holiday = jst(2026, 11, 23)  # 勤労感謝の日, a Monday
    assert closed_because(holiday.date(), EVERY_DAY) == "holiday"
    ack = acknowledgement(holiday, EVERY_DAY)
    assert ack is not None and ack.opens_at == jst(2026, 11, 24, 9, 30)
    assert ack.reasons == ("holiday",)
    weekend_then_holiday = acknowledgement(jst(2026, 11, 22), WEEKDAYS)
    assert weekend_then_holiday is not None
    assert (weekend_then_holiday.closed_from, weekend_then_holiday.closed_to) == (
        date(2026, 11, 21),
        date(2026, 11, 23),
    )
    assert weekend_then_holiday.reasons == ("closed_day", "holiday")


def test_closed_days_already_past_are_not_mentioned() -> None:
    ack = acknowledgement(jst(2026, 11, 24, 8), WEEKDAYS)  # the morning after the holiday
    assert ack is not None and ack.opens_at == jst(2026, 11, 24, 10)
    assert ack.closed_from is None and ack.reasons == ()


def test_golden_week_runs_to_the_first_open_day() -> None:
    ack = acknowledgement(jst(2026, 5, 1, 19), WEEKDAYS)  # Friday evening
    assert ack is not None and ack.opens_at == jst(2026, 5, 7, 10)
    assert (ack.closed_from, ack.closed_to) == (date(2026, 5, 2), date(2026, 5, 6))


def test_year_end_break_is_closed_and_named_as_a_whole() -> None:
    after_close = acknowledgement(jst(2026, 12, 28, 18, 30), WEEKDAYS)
    assert after_close is not None
    assert after_close.opens_at == jst(2027, 1, 4, 10)
    assert (after_close.closed_from, after_close.closed_to) == (
        date(2026, 12, 29),
        date(2027, 1, 3),
    )
    assert after_close.reasons == ("year_end",)
    in_the_break = acknowledgement(jst(2026, 12, 30, 11), EVERY_DAY)
    assert in_the_break is not None
    assert in_the_break.closed_from == date(2026, 12, 29)
    assert in_the_break.opens_at == jst(2027, 1, 4, 9, 30)
    assert acknowledgement(jst(2026, 12, 28, 17), WEEKDAYS) is None


def test_next_opening_skips_every_closed_day() -> None:
    assert next_opening(jst(2027, 1, 8, 18), WEEKDAYS) == jst(2027, 1, 12, 10)  # 成人の日


def test_hours_are_checked() -> None:
    with pytest.raises(ValueError, match="opens at"):
        ReceptionHours("weekdays", time(18), time(10))
    with pytest.raises(ValueError, match="unknown reception days"):
        ReceptionHours("weekends", time(10), time(18))


def test_dates_as_a_notice_names_them() -> None:
    assert japanese_date(date(2027, 1, 4)) == "1月4日（月）"
    assert japanese_date(date(2026, 12, 29), weekday=False) == "12月29日"
    assert japanese_clock(time(10)) == "10時"
    assert japanese_clock(time(9, 30)) == "9時30分"
    assert english_date(date(2027, 1, 4)) == "Monday 4 January"
    assert english_date(date(2026, 12, 29), weekday=False) == "29 December"
