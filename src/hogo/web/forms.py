"""Reading console forms: checkbox lists and dates, bounded, refused by name when wrong.

A list posted by a form (checkboxes, a multiple select) is read whole, capped, and checked
against the values the policy in force declares (`services.choices`): a value the page
never offered is an error shown next to its field, and nothing is written.
"""

from __future__ import annotations

from datetime import date

from starlette.datastructures import FormData

from hogo.services.choices import unknown
from hogo.web.templating import say

MAX_VALUES = 200
MAX_VALUE_CHARS = 100


def values(form: FormData, name: str) -> list[str]:
    """The text values posted under `name`, stripped, empty ones dropped, at most MAX_VALUES."""
    found = (v.strip()[:MAX_VALUE_CHARS] for v in form.getlist(name) if isinstance(v, str))
    return [v for v in found if v][:MAX_VALUES]


def text(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def undeclared(chosen: list[str], declared: tuple[tuple[str, str], ...], lang: str) -> str | None:
    """The error to show when `chosen` holds a value the policy does not declare, else None."""
    extra = unknown(chosen, declared)
    if not extra:
        return None
    return say("not_in_policy", lang, values=", ".join(extra)[:300])


def day(value: str, *, today: date) -> date | str | None:
    """A date typed in a form: None when empty, the date, or the key of the error to show."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return "bad_date"
    return "future_date" if parsed > today else parsed
