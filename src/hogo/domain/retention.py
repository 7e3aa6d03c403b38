"""When a record falls due for erasure, from the retention rules of the purposes using it.

A record is kept as long as the longest-keeping purpose that uses its item needs it (the
law asks to erase data "no longer needed", Art. 22). When any of those purposes counts
from an event that has not happened at collection (end of contract, a decision, the
purpose fulfilled) or keeps data until consent is withdrawn, the due date is not known
yet: it is set when that event is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from hogo.domain.periods import Period

KNOWN_AT_COLLECTION = frozenset({"collection", "last_contact"})
"""Events that a collection itself is: collecting is also the latest contact."""


@dataclass(frozen=True, slots=True)
class RetentionTerm:
    period: Period | None
    event: str | None
    until_withdrawn: bool = False


def due_at_collection(terms: Iterable[RetentionTerm | None], collected_on: date) -> date | None:
    """The erasure due date of a record collected on `collected_on`, or None if not yet known.

    `None` among the terms means a purpose without a retention rule: nothing can be due.
    """
    latest: date | None = None
    any_term = False
    for term in terms:
        any_term = True
        if term is None or term.until_withdrawn or term.period is None:
            return None
        if term.event not in KNOWN_AT_COLLECTION:
            return None
        due = term.period.after(collected_on)
        latest = due if latest is None or due > latest else latest
    return latest if any_term else None


def past_retention(due: date | None, today: date) -> bool:
    """Has the retention period that ends on `due` run out by `today`? (the sweep's rule)

    `due` is `period.after(collected_on)` (see `due_at_collection`): collected on
    2023-11-24 with "3y", due is 2026-11-24. Counted as the Civil Code counts periods (the
    first day is not counted, Art. 140; the period ends at the end of the day before the
    corresponding day, Art. 143(2)), three years from 2023-11-24 end at the end of
    2026-11-24: the due date is the last day the record may be kept, so a sweep erases it
    from the next day, when `due < today`. A record due today is not yet past retention.
    (`use` is stricter: it already refuses a record on its due date, so a record is never
    used past retention and never erased before its retention ends.) The provision and
    receipt records' `retain_until` is computed the same way and read the same way.
    None (the due date is not known yet) is never past.
    """
    return due is not None and due < today
