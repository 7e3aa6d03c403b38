"""Periodic jobs for `hogo serve`: the outbox worker and the daily retention sweep.

Each job runs in a worker thread (the services are synchronous) at start-up and then every
so many seconds. A job that fails is logged and tried again at its next turn: it never
takes the server down. At shut-down the loops are told to stop, and a job in hand is
allowed to finish (its transactions are short) before the ledger is closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

from hogo.services.ledger import Ledger
from hogo.services.mail.worker import drain, transport_for
from hogo.services.retention_sweep import sweep

log = logging.getLogger("hogo.jobs")

OUTBOX_EVERY = 60.0
"""Seconds between outbox runs (messages due are sent, failures retried by their rule)."""
SWEEP_EVERY = 24 * 60 * 60.0
"""Seconds between retention sweeps: once a day."""
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
    """What the jobs have done: runs and failures by name (for tests and diagnostics)."""

    runs: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def loop(self, ledger: Ledger, job: Job) -> None:
        while not self.stop.is_set():
            try:
                await asyncio.to_thread(job.run, ledger)
            except Exception:
                self.failures[job.name] += 1
                log.exception("job %s failed; it runs again in %s s", job.name, job.every)
            finally:
                self.runs[job.name] += 1
            with suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=job.every)


@asynccontextmanager
async def running(ledger: Ledger, jobs: Sequence[Job] | None) -> AsyncIterator[JobRunner]:
    """Run `jobs` in the background while the block runs; stop them cleanly after it."""
    runner = JobRunner()
    tasks = [asyncio.create_task(runner.loop(ledger, job)) for job in jobs or ()]
    try:
        yield runner
    finally:
        runner.stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
