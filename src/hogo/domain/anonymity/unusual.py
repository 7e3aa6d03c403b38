"""Unusual values: what makes one person stand out even when nothing else does.

個人情報保護法施行規則 (the PPC's Enforcement Rules) Art. 34(iv) requires deleting
"unusual descriptions" (特異な記述等) when producing anonymously processed information,
deletion including replacement by another value in a way that allows no restoration. The
PPC guideline's example is an age of 116 shown as "90 or over". Two treatments:

- numbers: top- and bottom-coding. Values above the upper quantile become that quantile's
  value, values below the lower quantile become the lower one, so the released value reads
  "this or more" ("this or less"), as census microdata are top-coded. The column stays
  numeric, so it can still be generalized into intervals afterwards.
- categories: values held by fewer than `min_count` rows become `replacement` ("*").

Which columns hold unusual values is the operator's judgment (Rule 34(v) asks them to look
at the database as a whole); this module does the replacing and counts it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from hogo.domain.anonymity.hierarchy import SUPPRESSED

DEFAULT_LOWER = 0.01
DEFAULT_UPPER = 0.99
DEFAULT_MIN_COUNT = 5


@dataclass(frozen=True)
class Replacement:
    """A column after replacing its unusual values, and what was done."""

    values: list[str]
    replaced: int
    method: str
    """"top_bottom" (numbers) or "rare" (categories)."""
    low: str | None = None
    """The bottom code (numbers only): values below it were raised to it."""
    high: str | None = None
    """The top code (numbers only): values above it were lowered to it."""


def _numbers(values: Sequence[str]) -> list[float] | None:
    found = []
    for value in values:
        try:
            number = float(value)
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        found.append(number)
    return found


def _bottom(ordered: list[float], share: float) -> float:
    """The observed value with `share` of the values below it: no invented values."""
    return ordered[min(len(ordered) - 1, math.floor(share * len(ordered)))]


def _top(ordered: list[float], share: float) -> float:
    """The observed value with 1 - `share` of the values above it."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _shown(number: float, like: Sequence[str]) -> str:
    if number.is_integer() and all("." not in v and "e" not in v.lower() for v in like):
        return str(int(number))
    return f"{number:g}"


def replace_unusual(
    values: Sequence[str],
    *,
    lower: float = DEFAULT_LOWER,
    upper: float = DEFAULT_UPPER,
    min_count: int = DEFAULT_MIN_COUNT,
    replacement: str = SUPPRESSED,
    numeric: bool | None = None,
) -> Replacement:
    """Top/bottom-code a numeric column, or replace rare categories (Rule 34(iv)).

    `numeric` None decides by the values: numeric when every non-blank value is a number.
    Blank values stay blank.
    """
    if not 0 <= lower < upper <= 1:
        raise ValueError("the quantiles must satisfy 0 <= lower < upper <= 1")
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    filled = [v for v in values if v.strip()]
    numbers = _numbers(filled)
    if numeric and numbers is None:
        raise ValueError("the column is not numeric: some values are not numbers")
    if numbers is not None and (numeric or numeric is None) and numbers:
        return _top_bottom(values, numbers, filled, lower, upper)
    counts = Counter(filled)
    rare = {v for v, n in counts.items() if n < min_count}
    out = [replacement if v in rare else v for v in values]
    return Replacement(values=out, replaced=sum(counts[v] for v in rare), method="rare")


def _top_bottom(
    values: Sequence[str], numbers: list[float], filled: list[str], lower: float, upper: float
) -> Replacement:
    ordered = sorted(numbers)
    low, high = _bottom(ordered, lower), _top(ordered, upper)
    low_text, high_text = _shown(low, filled), _shown(high, filled)
    out: list[str] = []
    replaced = 0
    for value in values:
        if not value.strip():
            out.append(value)
            continue
        number = float(value)
        if number < low:
            out.append(low_text)
            replaced += 1
        elif number > high:
            out.append(high_text)
            replaced += 1
        else:
            out.append(value)
    return Replacement(out, replaced, "top_bottom", low_text, high_text)
