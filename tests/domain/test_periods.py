from __future__ import annotations

from datetime import date

import pytest

from hogo.domain.periods import Period, PeriodError


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("3y", Period(3)),
        ("6m", Period(0, 6)),
        ("90d", Period(0, 0, 90)),
        ("1y6m", Period(1, 6)),
        ("0d", Period()),
        ("P3Y", Period(3)),
        ("P1Y2M3D", Period(1, 2, 3)),
        ("P2W", Period(0, 0, 14)),
        (" 3Y ", Period(3)),
    ],
)
def test_parse(text: str, period: Period) -> None:
    assert Period.parse(text) == period


@pytest.mark.parametrize("text", ["", "3", "y", "P", "3 years", "-1y", "3h", "P1H", "999y"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_after_counts_calendar_months_and_clamps_month_ends() -> None:
    assert Period(0, 1).after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert Period(1).after(date(2024, 2, 29)) == date(2025, 2, 28)
    assert Period(3).after(date(2026, 11, 24)) == date(2029, 11, 24)
    assert Period(0, 0, 14).after(date(2026, 12, 25)) == date(2027, 1, 8)
    assert Period(0, 14).after(date(2026, 11, 30)) == date(2028, 1, 30)


def test_text_forms() -> None:
    assert str(Period(1, 6)) == "1y6m"
    assert str(Period()) == "0d"
    assert Period(3, 6).describe("ja") == "3年6か月"
    assert Period(1, 0, 1).describe("en") == "1 year 1 day"
