"""Periodic jobs for `hogo serve`: the outbox worker and the daily retention sweep.

Each job runs in a worker thread (the services are synchronous) at start-up and then every
so many seconds. A job that fails is logged and tried again at its next turn: it never
takes the server down. At shut-down the loops are told to stop, and a job in hand is
allowed to finish (its transactions are short) before the ledger is closed.

With several server processes on one database, each job runs in one of them: a process
runs a job only while it holds the job's lease (`job_lease`), renewed every third of
the lease while it runs and while it waits for its next turn. The others try to take
the lease at the same rhythm and stand by; one of them takes the job over, and runs it
at once, when the holder stops (it gives the lease back) or dies (the lease lapses).
Only the change from running to standing by, or back, is logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta

from hogo.services.job_lease import hold, lease_of, release
from hogo.services.ledger import Ledger
from hogo.services.mail.worker import drain, transport_for, worker_name
from hogo.services.retention_sweep import sweep

log = logging.getLogger("hogo.jobs")

OUTBOX_EVERY = 60.0
"""Seconds between outbox runs (messages due are sent, failures retried by their rule)."""
SWEEP_EVERY = 24 * 60 * 60.0
"""Seconds between retention sweeps: once a day."""
LEASE = 60.0
"""Seconds a job's lease lasts unless renewed: how long a job waits before another process
takes it over from one that died."""
ACTOR = "serve"


@dataclass(frozen=True)
class Job:
    name: str
    every: float
    """Seconds between the end of one run and the start of the next."""
    run: Callable[[Ledger], object]


def send_outbox(ledger: Ledger) -> object:
    return drain(ledger, transport_for(ledger))


def sweep_retention(ledger: Ledger) -> object:
    return sweep(ledger, actor=ACTOR)


def default_jobs(
    ledger: Ledger, *, outbox_every: float = OUTBOX_EVERY, sweep_every: float = SWEEP_EVERY
) -> list[Job]:
    """The retention sweep, and the outbox worker when HOGO_SMTP_URL is set."""
    jobs = [Job("sweep", sweep_every, sweep_retention)]
    if ledger.settings.smtp_url:
        jobs.insert(0, Job("outbox", outbox_every, send_outbox))
    return jobs


@dataclass
class JobRunner:
    """What the jobs have done in this process: runs, failures and turns spent standing by
    (another process held the lease), by name (for tests and diagnostics)."""

    holder: str = field(default_factory=worker_name)
    lease: float = LEASE
    runs: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    idle: Counter[str] = field(default_factory=Counter)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    states: dict[str, str] = field(default_factory=dict)
    """Per job: "running" (this process holds the lease), "standby" or "error" (the
    lease could not be read or written)."""

    @property
    def beat(self) -> float:
        """Seconds between renewals: a third of the lease, so two can fail before it lapses."""
        return self.lease / 3

    async def loop(self, ledger: Ledger, job: Job) -> None:
        next_run = 0.0
        try:
            while not self.stop.is_set():
                wait = min(job.every, self.beat)
                if await self._hold(ledger, job):
                    if time.monotonic() >= next_run:
                        await self._run(ledger, job)
                        next_run = time.monotonic() + job.every
                    wait = min(wait, max(0.0, next_run - time.monotonic()))
                else:
                    self.idle[job.name] += 1
                    next_run = 0.0  # taking over, run at once
                with suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), timeout=wait)
        finally:
            if self.states.get(job.name) == "running":
                await self._release(ledger, job)

    async def _run(self, ledger: Ledger, job: Job) -> None:
        work = asyncio.ensure_future(asyncio.to_thread(job.run, ledger))
        try:
            while not (await asyncio.wait({work}, timeout=self.beat))[0]:
                await self._hold(ledger, job)  # a long run keeps its lease
            work.result()
        except Exception:
            self.failures[job.name] += 1
            log.exception("job %s failed; it runs again in %s s", job.name, job.every)
        finally:
            self.runs[job.name] += 1

    async def _hold(self, ledger: Ledger, job: Job) -> bool:
        ttl = timedelta(seconds=self.lease)
        try:
            held = await asyncio.to_thread(hold, ledger, job.name, self.holder, ttl)
        except Exception:
            if self._now(job, "error"):
                log.exception("job %s: its lease cannot be taken or renewed; it waits", job.name)
            return False
        if not held:
            if self._now(job, "standby"):
                other = await asyncio.to_thread(lease_of, ledger, job.name)
                log.info(
                    "job %s runs in %s (lease until %s); this process (%s) stands by",
                    job.name,
                    other.holder if other else "another process",
                    other.expires_at.isoformat(timespec="seconds") if other else "?",
                    self.holder,
                )
            return False
        if self._now(job, "running"):
            log.info("job %s runs in this process (%s)", job.name, self.holder)
        return True

    async def _release(self, ledger: Ledger, job: Job) -> None:
        try:
            await asyncio.to_thread(release, ledger, job.name, self.holder)
        except Exception:
            log.warning("job %s: its lease could not be given back; it lapses", job.name)

    def _now(self, job: Job, state: str) -> bool:
        """Record the job's state; True when it changed (what is worth a log line)."""
        changed = self.states.get(job.name) != state
        self.states[job.name] = state
        return changed


@asynccontextmanager
async def running(
    ledger: Ledger, jobs: Sequence[Job] | None, *, lease: float = LEASE
) -> AsyncIterator[JobRunner]:
    """Run `jobs` in the background while the block runs, each while this process holds
    its lease; stop them cleanly after it, giving the leases back."""
    if lease <= 0:
        raise ValueError("a lease lasts a positive number of seconds")
    runner = JobRunner(lease=lease)
    tasks = [asyncio.create_task(runner.loop(ledger, job)) for job in jobs or ()]
    try:
        yield runner
    finally:
        runner.stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
