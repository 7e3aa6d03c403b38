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
