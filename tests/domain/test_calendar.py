"""Working days and PPC deadlines: weekends, national holidays, substitute holidays and the
year-end break, each shown moving a deadline and not moving one."""

from __future__ import annotations

from datetime import date

import pytest

from hogo.domain.calendar import (
    add_working_days,
    deadline_in_days,
    is_working_day,
    national_holiday_name,
    next_working_day,
)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 24), True),  # Tuesday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 11, 23), False),  # 勤労感謝の日 (Monday)
        (date(2026, 9, 22), False),  # 国民の休日 between two holidays
        (date(2026, 5, 6), False),  # 振替休日
        (date(2026, 12, 28), True),  # Monday before the break
        (date(2026, 12, 29), False),  # year-end break, a Tuesday
        (date(2027, 1, 4), True),  # first working day of 2027
        (date(2027, 1, 11), False),  # 成人の日
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_holiday_names_come_from_the_library() -> None:
    assert national_holiday_name(date(2026, 11, 23)) == "Labor Thanksgiving Day"
    assert national_holiday_name(date(2026, 11, 24)) is None


def test_day_of_knowing_is_day_one() -> None:
    # Known Monday 2026-11-16: day 3 is Wednesday the 18th, a working day: unchanged.
    assert deadline_in_days(date(2026, 11, 16), 3) == date(2026, 11, 18)
    assert deadline_in_days(date(2026, 11, 16), 1) == date(2026, 11, 16)


def test_deadline_on_a_weekend_moves_to_monday() -> None:
    # Known Thursday 2026-11-26: day 3 is Saturday the 28th -> Monday the 30th.
    assert deadline_in_days(date(2026, 11, 26), 3) == date(2026, 11, 30)


def test_deadline_on_a_national_holiday_moves() -> None:
    # Known Saturday 2026-11-21: day 3 is Monday the 23rd (勤労感謝の日) -> Tuesday.
    assert deadline_in_days(date(2026, 11, 21), 3) == date(2026, 11, 24)
    # Silver Week 2026: 9/21 敬老の日, 9/22 国民の休日, 9/23 秋分の日 -> Thursday 9/24.
    assert deadline_in_days(date(2026, 9, 19), 3) == date(2026, 9, 24)


def test_deadline_in_the_year_end_break_moves_past_new_year() -> None:
    # Known Sunday 2026-12-27: day 3 is Tuesday the 29th -> Monday 2027-01-04.
    assert deadline_in_days(date(2026, 12, 27), 3) == date(2027, 1, 4)
    # 30 days from 2026-12-05 end on 2027-01-03 -> 2027-01-04.
    assert deadline_in_days(date(2026, 12, 5), 30) == date(2027, 1, 4)
    # 2028-01-03 is a Monday but still in the break; Tuesday 1/4 is the first working day.
    assert next_working_day(date(2027, 12, 29)) == date(2028, 1, 4)


def test_a_period_counts_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="at least 1 day"):
        deadline_in_days(date(2026, 11, 24), 0)


def test_add_working_days_skips_days_off() -> None:
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 24)  # Fri -> Tue
    assert add_working_days(date(2026, 11, 24), 0) == date(2026, 11, 24)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 24), -1)
