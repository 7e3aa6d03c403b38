from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hogo.domain.delivery import RetryRule, after_failure, is_permanent_reply

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_the_delay_doubles_from_one_minute() -> None:
    rule = RetryRule()
    assert [rule.delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]


def test_the_delay_stops_at_the_cap() -> None:
    rule = RetryRule()
    assert rule.delay(9) == timedelta(minutes=256)  # under the cap: still doubling
    assert rule.delay(10) == timedelta(hours=6)  # 512 min would pass it
    assert rule.delay(1000) == timedelta(hours=6)


def test_the_default_attempts_outlast_a_weekend_outage() -> None:
    rule = RetryRule()
    waited = sum((rule.delay(n) for n in range(1, rule.max_attempts)), timedelta())
    assert timedelta(days=3) < waited < timedelta(days=5)


def test_a_transient_failure_is_retried_later() -> None:
    verdict = after_failure(RetryRule(), attempts=3, now=NOW, permanent=False)
    assert not verdict.give_up
    assert verdict.retry_at == NOW + timedelta(minutes=4)


def test_the_last_attempt_gives_up() -> None:
    rule = RetryRule(max_attempts=3)
    assert not after_failure(rule, attempts=2, now=NOW, permanent=False).give_up
    last = after_failure(rule, attempts=3, now=NOW, permanent=False)
    assert last.give_up and last.retry_at is None


def test_a_permanent_failure_gives_up_at_once() -> None:
    verdict = after_failure(RetryRule(), attempts=1, now=NOW, permanent=True)
    assert verdict.give_up and verdict.retry_at is None


@pytest.mark.parametrize(
    ("code", "permanent"),
    [
        (550, True),
        (554, True),
        (500, True),
        (450, False),
        (421, False),
        (250, False),
        (None, False),
    ],
)
def test_only_5yz_replies_are_permanent(code: int | None, permanent: bool) -> None:
    assert is_permanent_reply(code) is permanent


@pytest.mark.parametrize(
    "kwargs",
    [
        {"first_delay": timedelta(0)},
        {"first_delay": timedelta(hours=1), "cap": timedelta(minutes=1)},
        {"max_attempts": 0},
    ],
)
def test_nonsense_rules_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RetryRule(**kwargs)  # type: ignore[arg-type]


def test_no_delay_before_an_attempt() -> None:
    with pytest.raises(ValueError):
        RetryRule().delay(0)
