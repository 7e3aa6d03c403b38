"""Reception hours: is an inquiry received within them, and if not, when will it be handled?

APPI Art. 40 asks a business to handle complaints appropriately and promptly, and the
PPC guideline expects a contact point with stated reception hours. A person who writes
at night, on a Sunday or over the New Year break deserves to know at once that the
message arrived and from when it will be looked at: that is the automatic
acknowledgement this module decides.

Hours are Japan time (Asia/Tokyo, no daylight saving). A reception day depends on the
stated days (weekdays, weekdays and Saturday, or every day), and national holidays and
the year-end break (29 December – 3 January) are closed whatever the stated days, as at
most Japanese businesses (`hogo.domain.calendar`). The desk is open from the opening time
up to, not including, the closing time: a message at exactly 18:00 with hours 10:00–18:00
is outside them.

Hours come in as plain values (a `ReceptionHours`), not as policy models: the domain
imports nothing else from hogo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hogo.domain.calendar import YEAR_END_BREAK, national_holiday_name

JAPAN = ZoneInfo("Asia/Tokyo")
DAYS = ("weekdays", "weekdays_and_saturday", "every_day")
_LAST_RECEPTION_WEEKDAY = {"weekdays": 4, "weekdays_and_saturday": 5, "every_day": 6}
_SEARCH_DAYS = 60
"""No real reception calendar is closed this long; a bound keeps a bad input from looping."""

_WEEKDAYS_JA = "月火水木金土日"
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class ReceptionHours:
    """When the desk answers: `days` is one of DAYS; open < close, both Japan time."""

    days: str
    open: time
    close: time

    def __post_init__(self) -> None:
        if self.days not in DAYS:
            raise ValueError(f"unknown reception days {self.days!r}; use one of {', '.join(DAYS)}")
        if self.open >= self.close:
            raise ValueError(f"reception opens at {self.open} but closes at {self.close}")

    @classmethod
    def of(cls, days: str, open_at: str, close_at: str) -> ReceptionHours:
        """From the policy's plain values, e.g. ("weekdays", "10:00", "18:00")."""
        return cls(days, time.fromisoformat(open_at), time.fromisoformat(close_at))


def closed_because(day: date, hours: ReceptionHours) -> str | None:
    """Why the desk is closed all of `day`: "year_end", "holiday" or "closed_day"; None if it
    is a reception day."""
    if (day.month, day.day) in YEAR_END_BREAK:
        return "year_end"
    if national_holiday_name(day) is not None:
        return "holiday"
    if day.weekday() > _LAST_RECEPTION_WEEKDAY[hours.days]:
        return "closed_day"
    return None


def is_reception_day(day: date, hours: ReceptionHours) -> bool:
    return closed_because(day, hours) is None


def in_japan(at: datetime) -> datetime:
    """`at` as Japan time; a naive time is refused, since its meaning would be a guess."""
    if at.utcoffset() is None:
        raise ValueError("a reception time must carry its time zone")
    return at.astimezone(JAPAN)


def is_open(at: datetime, hours: ReceptionHours) -> bool:
    """Within the hours: a reception day, from opening time up to (not including) closing."""
    local = in_japan(at)
    return is_reception_day(local.date(), hours) and hours.open <= local.time() < hours.close


def next_opening(at: datetime, hours: ReceptionHours) -> datetime:
    """The first opening time (Japan time) after `at`; `at` itself is outside the hours."""
    local = in_japan(at)
    day = local.date()
    if not (is_reception_day(day, hours) and local.time() < hours.open):
        day += timedelta(days=1)
    for _ in range(_SEARCH_DAYS):
        if is_reception_day(day, hours):
            return datetime.combine(day, hours.open, tzinfo=JAPAN)
        day += timedelta(days=1)
    raise ValueError(f"no reception day within {_SEARCH_DAYS} days of {local:%Y-%m-%d}")


@dataclass(frozen=True)
class Acknowledgement:
    """What the automatic acknowledgement of an inquiry received outside the hours says.

    `closed_from`–`closed_to` is the run of whole closed days just before the opening (a
    weekend, a holiday, the year-end break), None when the desk simply opens next (e.g. a
    message at 20:00 on a Tuesday); `reasons` names why those days are closed."""

    received_at: datetime
    opens_at: datetime
    closed_from: date | None
    closed_to: date | None
    reasons: tuple[str, ...]


def acknowledgement(at: datetime, hours: ReceptionHours) -> Acknowledgement | None:
    """None within the hours (a person reads the message that day); otherwise when the
    desk opens next and which closed days lie before it."""
    if is_open(at, hours):
        return None
    received = in_japan(at)
    opens = next_opening(received, hours)
    last = opens.date() - timedelta(days=1)
    reasons: list[str] = []
    first: date | None = None
    day = last
    for _ in range(_SEARCH_DAYS if last >= received.date() else 0):
        reason = closed_because(day, hours)
        if reason is None:
            break
        first = day
        if reason not in reasons:
            reasons.insert(0, reason)
        day -= timedelta(days=1)
    if first is None:
        return Acknowledgement(received, opens, None, None, ())
    return Acknowledgement(received, opens, first, last, tuple(reasons))


def japanese_date(day: date, *, weekday: bool = True) -> str:
    """12月29日 or 1月4日（月）: how a Japanese notice names a day."""
    text = f"{day.month}月{day.day}日"
    return f"{text}（{_WEEKDAYS_JA[day.weekday()]}）" if weekday else text


def japanese_clock(at: time) -> str:
    """10時, 9時30分."""
    return f"{at.hour}時" if at.minute == 0 else f"{at.hour}時{at.minute}分"


def english_date(day: date, *, weekday: bool = True) -> str:
    """Monday 4 January, or 29 December."""
    text = f"{day.day} {_MONTHS_EN[day.month - 1]}"
    return f"{_WEEKDAYS_EN[day.weekday()]} {text}" if weekday else text
