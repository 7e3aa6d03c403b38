"""Periods such as "3y" or "6m": how long records are kept and how often vendors are audited.

A period is kept as calendar years, months and days, not as a number of days, because
retention promises are made in calendar terms ("three years after the last contact") and
a year is not 365 days across a leap day.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_COMPACT = re.compile(r"^(?:(?P<y>\d+)y)?(?:(?P<m>\d+)m)?(?:(?P<d>\d+)d)?$")
_ISO = re.compile(r"^P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?$")
_MAX_YEARS = 200


class PeriodError(ValueError):
    """A period string that cannot be read; the message says what is accepted."""


@dataclass(frozen=True, order=True)
class Period:
    years: int = 0
    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if min(self.years, self.months, self.days) < 0:
            raise PeriodError("a period cannot be negative")
        if self.years + self.months // 12 + self.days // 366 > _MAX_YEARS:
            raise PeriodError(f"a period longer than {_MAX_YEARS} years is not a real promise")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read "3y", "1y6m", "90d", "0d" or ISO 8601 "P3Y", "P6M", "P2W", "P90D"."""
        cleaned = text.strip().replace(" ", "")
        match = _COMPACT.match(cleaned.lower()) if cleaned else None
        weeks = 0
        if match is None or not any(match.groupdict().values()):
            match = _ISO.match(cleaned.upper())
            if match is None or cleaned.upper() == "P":
                raise PeriodError(
                    f"{text!r} is not a period: write e.g. 3y, 6m, 90d, 1y6m or P3Y (ISO 8601)"
                )
            weeks = int(match.group("w") or 0)
        years = int(match.group("y") or 0)
        months = int(match.group("m") or 0)
        days = int(match.group("d") or 0) + 7 * weeks
        return cls(years=years, months=months, days=days)

    def after(self, start: date) -> date:
        """The date this period after `start`; the 31st plus one month is the month's last day."""
        total_months = start.month - 1 + self.months + 12 * self.years
        year, month = start.year + total_months // 12, total_months % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day).fromordinal(date(year, month, day).toordinal() + self.days)

    def is_zero(self) -> bool:
        return self.years == self.months == self.days == 0

    def __str__(self) -> str:
        parts = [f"{n}{unit}" for n, unit in ((self.years, "y"), (self.months, "m")) if n]
        if self.days or not parts:
            parts.append(f"{self.days}d")
        return "".join(parts)

    def describe(self, lang: str) -> str:
        """The period as a person reads it, e.g. "3 years 6 months" or "3年6か月"."""
        if lang == "ja":
            units = ((self.years, "年"), (self.months, "か月"), (self.days, "日"))
            text = "".join(f"{n}{unit}" for n, unit in units if n)
            return text or "0日"
        words = []
        for n, unit in ((self.years, "year"), (self.months, "month"), (self.days, "day")):
            if n:
                words.append(f"{n} {unit}{'s' if n != 1 else ''}")
        return " ".join(words) or "0 days"
