"""The figures the console's dashboard opens with, read in one short transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.ledger.engine import READ_ONLY
from hogo.services.ledger import Ledger


@dataclass(frozen=True)
class Summary:
    subjects: int
    """Subjects held now (not erased)."""
    policy_version: str


def summary(ledger: Ledger) -> Summary:
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        held = conn.execute(
            select(func.count()).select_from(t.subjects).where(t.subjects.c.erased_at.is_(None))
        ).scalar_one()
        version = ledger.policy_in_force(conn)
    return Summary(subjects=int(held), policy_version=version.version)
