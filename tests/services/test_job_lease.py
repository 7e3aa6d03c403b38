"""One server process runs each periodic job: the lease, and two schedulers sharing it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hogo.config import Settings
from hogo.ledger import tables as t
from hogo.services.errors import BadInput
from hogo.services.job_lease import hold, lease_of, release
from hogo.services.jobs import Job, running
from hogo.services.ledger import Ledger, open_ledger
from tests.services.conftest import FixedClock

MINUTE = timedelta(minutes=1)


@pytest.fixture
def other(settings: Settings, clock: FixedClock, ledger: Ledger) -> Iterator[Ledger]:
    """A second server process: its own engine on the same database."""
    opened = open_ledger(settings, clock=clock)
    try:
        yield opened
    finally:
        opened.close()


def lease_rows(ledger: Ledger) -> int:
    with ledger.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.job_leases)).scalar_one())


# The lease itself.


def test_the_first_holder_takes_the_lease_and_renews_it(ledger: Ledger, clock: FixedClock) -> None:
    assert hold(ledger, "outbox", "a", MINUTE)
    assert hold(ledger, "outbox", "a", 2 * MINUTE)
    lease = lease_of(ledger, "outbox")
    assert lease is not None and lease.holder == "a"
    assert lease.expires_at == clock.now + 2 * MINUTE


def test_a_second_holder_waits_while_the_lease_runs(ledger: Ledger, clock: FixedClock) -> None:
    assert hold(ledger, "outbox", "a", MINUTE)
    assert not hold(ledger, "outbox", "b", MINUTE)
    clock.now += MINUTE - timedelta(seconds=1)
    assert not hold(ledger, "outbox", "b", MINUTE)
    lease = lease_of(ledger, "outbox")
    assert lease is not None and lease.holder == "a"


def test_a_lapsed_lease_goes_to_the_next_and_the_old_holder_loses_it(
    ledger: Ledger, clock: FixedClock
) -> None:
    assert hold(ledger, "outbox", "a", MINUTE)
    clock.now += MINUTE
    assert hold(ledger, "outbox", "b", MINUTE)
    assert not hold(ledger, "outbox", "a", MINUTE)
    lease = lease_of(ledger, "outbox")
    assert lease is not None and (lease.holder, lease.expires_at) == ("b", clock.now + MINUTE)


def test_a_lapsed_lease_nobody_else_wanted_is_renewed(ledger: Ledger, clock: FixedClock) -> None:
    assert hold(ledger, "outbox", "a", MINUTE)
    clock.now += 5 * MINUTE
    assert hold(ledger, "outbox", "a", MINUTE)


def test_leases_are_per_job(ledger: Ledger) -> None:
    assert hold(ledger, "outbox", "a", MINUTE)
    assert hold(ledger, "sweep", "b", MINUTE)
    assert lease_rows(ledger) == 2


def test_release_hands_the_job_over_at_once(ledger: Ledger) -> None:
    assert hold(ledger, "outbox", "a", MINUTE)
    assert not release(ledger, "outbox", "b")  # not b's to give back
    assert not hold(ledger, "outbox", "b", MINUTE)
    assert release(ledger, "outbox", "a")
    assert hold(ledger, "outbox", "b", MINUTE)


@pytest.mark.parametrize(
    ("job", "holder", "ttl", "message"),
    [
        ("", "a", MINUTE, "job name"),
        ("x" * 64, "a", MINUTE, "job name"),
        ("outbox", "", MINUTE, "holder"),
        ("outbox", "h" * 65, MINUTE, "holder"),
        ("outbox", "a", timedelta(0), "positive"),
    ],
)
def test_bad_lease_requests_are_refused_and_write_nothing(
    ledger: Ledger, job: str, holder: str, ttl: timedelta, message: str
) -> None:
    with pytest.raises(BadInput, match=message):
        hold(ledger, job, holder, ttl)
    assert lease_rows(ledger) == 0


def test_racing_processes_get_one_lease(ledger: Ledger, other: Ledger) -> None:
    won: list[str] = []
    start = threading.Barrier(8)

    def race(opened: Ledger, name: str) -> None:
        start.wait()
        if hold(opened, "outbox", name, MINUTE):
            won.append(name)

    threads = [
        threading.Thread(target=race, args=(ledger if i % 2 else other, f"p{i}")) for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    lease = lease_of(ledger, "outbox")
    assert lease is not None and lease.holder == won[0]


# Two schedulers on one database.


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.01)


def jobs(done: list[str]) -> list[Job]:
    def work(name: str) -> Callable[[Ledger], None]:
        return lambda _: done.append(name)

    return [Job("outbox", 0.01, work("outbox")), Job("sweep", 0.01, work("sweep"))]


def test_two_schedulers_run_each_job_in_one_of_them(ledger: Ledger, other: Ledger) -> None:
    done: list[str] = []

    async def scenario() -> None:
        async with running(ledger, jobs(done)) as first:
            await until(lambda: first.runs["outbox"] >= 1 and first.runs["sweep"] >= 1, "first")
            async with running(other, jobs(done)) as second:
                await until(
                    lambda: second.idle["outbox"] >= 5 and second.idle["sweep"] >= 5, "idle"
                )
                assert not second.runs
                assert first.runs["outbox"] >= 3 and not first.idle
                assert second.states == {"outbox": "standby", "sweep": "standby"}

    asyncio.run(scenario())
    assert set(done) == {"outbox", "sweep"}


def test_the_standby_takes_over_when_the_holder_stops(ledger: Ledger, other: Ledger) -> None:
    async def scenario() -> None:
        async with running(other, jobs([])) as second:
            await until(lambda: len(second.runs) == 2, "second runs both")
            async with running(ledger, jobs([])) as first:
                await until(lambda: first.idle["outbox"] >= 2, "first stands by")
                assert not first.runs
            # `first` stood by and gave nothing back; `second` keeps running
            before = second.runs["outbox"]
            await until(lambda: second.runs["outbox"] > before + 2, "second keeps on")
        async with running(ledger, jobs([])) as first:
            await until(lambda: first.runs["outbox"] >= 1, "first takes over at once")

    asyncio.run(scenario())


def test_the_standby_takes_over_when_the_lease_of_a_dead_holder_lapses(
    ledger: Ledger, other: Ledger, clock: FixedClock
) -> None:
    assert hold(ledger, "outbox", "dead-process", MINUTE)  # then it died

    async def scenario() -> None:
        async with running(other, jobs([])) as second:
            await until(lambda: second.idle["outbox"] >= 3, "waits for the lease")
            assert second.runs["outbox"] == 0 and second.runs["sweep"] >= 1
            clock.now += MINUTE
            await until(lambda: second.runs["outbox"] >= 1, "takes over")

    asyncio.run(scenario())
    lease = lease_of(ledger, "outbox")
    assert lease is not None and lease.holder != "dead-process"


def test_a_long_run_keeps_its_lease(ledger: Ledger, other: Ledger, clock: FixedClock) -> None:
    release_job = threading.Event()

    def slow(_: Ledger) -> None:
        release_job.wait(10)

    async def scenario() -> None:
        async with running(ledger, [Job("sweep", 60, slow)], lease=0.15) as first:
            await until(lambda: first.states.get("sweep") == "running", "first runs")
            for _ in range(3):  # each lease would have lapsed by now without renewal
                clock.now += timedelta(seconds=0.1)
                await asyncio.sleep(0.1)
            assert not hold(other, "sweep", "b", MINUTE)
            release_job.set()

    asyncio.run(scenario())


def test_a_lease_that_cannot_be_read_stops_the_job_and_is_logged_once(
    ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []
    broken = Job("x" * 64, 0.01, lambda _: ran.append("x"))  # a name the lease refuses

    async def scenario() -> None:
        async with running(ledger, [broken]) as runner:
            await until(lambda: runner.idle[broken.name] >= 5, "several turns")

    asyncio.run(scenario())
    assert not ran
    assert caplog.text.count("its lease cannot be taken or renewed") == 1
