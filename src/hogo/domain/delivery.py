"""When a message that did not go out is tried again, and when the outbox gives up on it.

A mail server that is down for a weekend must not lose a leak notice or a request answer,
and one that is refusing a message must not be hammered. So a failed message waits
before its next attempt, twice as long each time (1 min, 2, 4, … capped at 6 h), and is
given up only after enough attempts to cover a long outage (24 attempts: about four days).
A permanent refusal is given up at once: RFC 5321 §4.2.1 says a 5yz reply is a permanent
negative completion that the client should not repeat as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryRule:
    """How long to wait after each failed attempt, and how many attempts to make."""

    first_delay: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=6)
    max_attempts: int = 24

    def __post_init__(self) -> None:
        if self.first_delay <= timedelta(0) or self.cap < self.first_delay:
            raise ValueError("a retry rule needs 0 < first_delay <= cap")
        if self.max_attempts < 1:
            raise ValueError("a retry rule needs at least one attempt")

    def delay(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt (1 for the first failure)."""
        if attempts < 1:
            raise ValueError("the delay is asked after at least one attempt")
        # 2**n grows past any cap quickly; stop doubling once the cap is reached.
        doublings = min(attempts - 1, 40)
        delay: timedelta = self.first_delay * (1 << doublings)
        return min(delay, self.cap)


@dataclass(frozen=True)
class AfterFailure:
    """What happens to a message whose attempt failed."""

    give_up: bool
    retry_at: datetime | None
    """When it is next due; None when given up."""


def after_failure(
    rule: RetryRule, *, attempts: int, now: datetime, permanent: bool
) -> AfterFailure:
    """`attempts` counts the attempt that just failed."""
    if permanent or attempts >= rule.max_attempts:
        return AfterFailure(give_up=True, retry_at=None)
    return AfterFailure(give_up=False, retry_at=now + rule.delay(attempts))


def is_permanent_reply(code: int | None) -> bool:
    """An SMTP reply code that will not change if the same message is tried again.

    RFC 5321 §4.2.1: 5yz is permanent, 4yz transient; no reply at all (the server could
    not be reached, or the connection dropped) is transient."""
    return code is not None and 500 <= code <= 599
