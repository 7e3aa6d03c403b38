"""Proving the audit trail intact, for auditors and for `hogo audit verify`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.ledger.audit import verify as verify_chain
from hogo.ledger.engine import READ_ONLY
from hogo.services.ledger import Ledger


@dataclass(frozen=True)
class TrailReport:
    ok: bool
    checked: int
    first_bad_id: int | None
    problem: str | None
    head_id: int
    head_hash: str
    """Write this down elsewhere: a chain rewritten whole, head included, is caught only by
    comparing the head with a copy kept outside the database."""

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_bad_id": self.first_bad_id,
            "problem": self.problem,
            "head_id": self.head_id,
            "head_hash": self.head_hash,
        }


def verify(ledger: Ledger, *, progress: Callable[[int, int], None] | None = None) -> TrailReport:
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn, conn.begin():
        result = verify_chain(conn, progress=progress)
        head = conn.execute(select(t.audit_head.c.last_id, t.audit_head.c.last_hash)).first()
    head_id, head_hash = (int(head.last_id), head.last_hash) if head else (0, "0" * 64)
    return TrailReport(
        result.ok, result.checked, result.first_bad_id, result.problem, head_id, head_hash
    )
