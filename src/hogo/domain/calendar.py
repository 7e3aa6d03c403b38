"""Japanese working days, for deadlines the PPC counts in days (Rules Art. 8; Art. 26).

The PPC guideline (通則編 3-5-3-3/3-5-3-4) counts a report deadline from the day a
business came to know of the leak, that day being day 1, and moves a deadline falling on
a Saturday, Sunday, national holiday or the year-end break (29 December – 3 January) to
the next working day. National holidays come from the maintained `holidays` library
(Japan: substitute holidays 振替休日 and citizens' holidays 国民の休日 included), not from a
table of our own that would go stale.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

YEAR_END_BREAK = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))
"""年末年始: 29 December – 3 January, closed for the PPC and most Japanese businesses."""


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> dict[date, str]:
    return {day: str(name) for day, name in holidays.country_holidays("JP", years=year).items()}


def national_holiday_name(day: date) -> str | None:
    """The holiday's name (in English) when `day` is a Japanese national holiday."""
    return _national_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    """Not a Saturday, Sunday, national holiday or day of the year-end break."""
    if day.weekday() >= 5:
        return False
    if (day.month, day.day) in YEAR_END_BREAK:
        return False
    return day not in _national_holidays(day.year)


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def deadline_in_days(known_on: date, days: int) -> date:
    """The last day of a period of `days` days in which `known_on` is day 1, moved to the
    next working day when it falls on a day off (e.g. 3 days from Monday: Wednesday)."""
    if days < 1:
        raise ValueError(f"a period of days counts at least 1 day, not {days}")
    return next_working_day(known_on + timedelta(days=days - 1))


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (start itself not counted)."""
    if days < 0:
        raise ValueError(f"working days to add must be 0 or more, not {days}")
    day = start
    while days:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day
