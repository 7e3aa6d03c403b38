"""Leases on the periodic jobs: with several `hogo serve` processes on one database, one
process runs each job and the others stand by.

A lease is one row per job: who holds it and until when. Taking it and renewing it are
one conditional UPDATE (the holder is this process, or the lease has lapsed), so two
processes never both succeed: PostgreSQL re-reads the condition on the row another
transaction has just written (READ COMMITTED), and SQLite lets one writer in at a time
(BEGIN IMMEDIATE). The very first lease on a job is an INSERT … ON CONFLICT DO NOTHING,
which has one winner too.

Times come from the ledger's clock, as the outbox's claims do: the servers' clocks must
agree to well within a lease's length (NTP keeps them to milliseconds).

The jobs are safe to run twice anyway (the worker and the sweep claim their rows): the
lease spares the duplicated work and the log lines, and makes one process answer for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from hogo.ledger import tables as t
from hogo.ledger.engine import READ_ONLY
from hogo.ledger.sql import insert_if_absent
from hogo.services.consent import aware
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger

_l = t.job_leases.c
MAX_NAME = 63
MAX_HOLDER = 64


@dataclass(frozen=True)
class Lease:
    job: str
    holder: str
    expires_at: datetime


def _check(job: str, holder: str | None = None) -> None:
    if not isinstance(job, str) or not 1 <= len(job) <= MAX_NAME:
        raise BadInput(f"a job name is 1 to {MAX_NAME} characters")
    if holder is not None and (not isinstance(holder, str) or not 1 <= len(holder) <= MAX_HOLDER):
        raise BadInput(f"a lease holder's name is 1 to {MAX_HOLDER} characters")


def hold(ledger: Ledger, job: str, holder: str, ttl: timedelta) -> bool:
    """Take the lease on `job` for `holder`, or renew it, for `ttl` from now. True when
    `holder` holds it afterwards; False while another holder's lease runs."""
    _check(job, holder)
    if ttl <= timedelta(0):
        raise BadInput("a lease lasts a positive time")
    with ledger.engine.begin() as conn:
        now = ledger.now()
        values = {"holder": holder, "expires_at": now + ttl}
        renewed = conn.execute(
            update(t.job_leases)
            .where(_l.job == job, or_(_l.holder == holder, _l.expires_at <= now))
            .values(**values)
        )
        if renewed.rowcount == 1:
            return True
        insert_if_absent(conn, t.job_leases, {"job": job, **values})
        found = conn.execute(select(_l.holder).where(_l.job == job)).scalar_one()
        return bool(found == holder)


def release(ledger: Ledger, job: str, holder: str) -> bool:
    """End `holder`'s lease now, so another process takes the job over at its next try
    rather than when the lease would have lapsed. False when `holder` did not hold it."""
    _check(job, holder)
    with ledger.engine.begin() as conn:
        ended = conn.execute(
            update(t.job_leases)
            .where(_l.job == job, _l.holder == holder)
            .values(expires_at=ledger.now())
        )
    return ended.rowcount == 1


def lease_of(ledger: Ledger, job: str) -> Lease | None:
    """Who holds (or last held) the lease on `job`, and until when."""
    _check(job)
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        row = conn.execute(select(t.job_leases).where(_l.job == job)).first()
    if row is None:
        return None
    return Lease(row.job, row.holder, aware(row.expires_at))
