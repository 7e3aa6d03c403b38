"""The hot paths of `use` (SQLite and PostgreSQL) answer, return and audit exactly as the
general path."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.ledger.audit import verify
from hogo.services.collect import Collection, collect
from hogo.services.erasure import erase
from hogo.services.ledger import Ledger, open_ledger
from hogo.services.restrictions import suspend
from hogo.services.use import _use_one_postgres, _use_one_sqlite, use, use_many
from tests.services.conftest import FixedClock

QUESTIONS = [
    ("orders", ("name", "email")),
    ("orders", ("health",)),
    ("newsletter", ("email",)),
    ("wellness", ("name", "health")),
    ("nope", ("name",)),
    ("orders", ()),
]


def _population(ledger: Ledger) -> list[str]:
    a = collect(
        ledger, Collection("shop", {"name": "A", "email": "a@example.jp"}), actor="app"
    ).subject_id
    b = collect(
        ledger,
        Collection(
            "shop",
            {"name": "B", "email": "b@example.jp", "health": "良好"},
            consents={"wellness": True, "newsletter": False},
        ),
        actor="app",
    ).subject_id
    c = collect(
        ledger, Collection("shop", {"name": "C", "email": "c@example.jp"}), actor="app"
    ).subject_id
    suspend(
        ledger,
        c,
        scope="use",
        purpose="orders",
        reason="request",
        origin="request",
        actor="officer",
    )
    d = collect(ledger, Collection("shop", {"email": "d@example.jp"}), actor="app").subject_id
    erase(ledger, d, actor="officer")
    return [a, b, c, d]


def _audit_tail(ledger: Ledger, n: int) -> list[tuple[object, ...]]:
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(n)).all()
    return [
        (r.actor, r.action, r.outcome, r.subject_id, r.purpose, r.items, r.reason, r.detail)
        for r in reversed(rows)
    ]


def test_hot_path_matches_the_general_path(ledger: Ledger) -> None:
    subjects = _population(ledger)
    for purpose, items in QUESTIONS:
        for subject in subjects:
            fast = use(ledger, subject, purpose=purpose, items=list(items), actor="support:x")
            fast_audit = _audit_tail(ledger, 1)
            general = use_many(
                ledger, [subject], purpose=purpose, items=list(items), actor="support:x"
            )[subject]
            general_audit = _audit_tail(ledger, 1)
            assert fast == general, (purpose, items, subject)
            assert fast_audit == general_audit
    with ledger.engine.connect() as conn:
        assert verify(conn).ok


def test_hot_path_honours_retention(ledger: Ledger, clock: FixedClock) -> None:
    subject = collect(ledger, Collection("shop", {"email": "r@example.jp"}), actor="app").subject_id
    with ledger.engine.begin() as conn:
        conn.execute(t.records.update().values(retention_due=date(2026, 12, 1)))
    assert use(ledger, subject, purpose="orders", items=["email"], actor="x").decision.allowed
    clock.advance_to(date(2026, 12, 1))
    refused = use(ledger, subject, purpose="orders", items=["email"], actor="x")
    assert refused.decision.reason.value == "retention_passed" and refused.values is None


def test_the_hot_path_answers_once_the_version_is_parsed(ledger: Ledger) -> None:
    hot = _use_one_sqlite if ledger.engine.dialect.name == "sqlite" else _use_one_postgres
    subject = collect(ledger, Collection("shop", {"name": "H"}), actor="app").subject_id
    fresh = open_ledger(ledger.settings, clock=ledger.clock)
    try:
        assert hot(fresh, subject, "orders", ("name",), "x") is None  # not parsed here yet
        general = use(fresh, subject, purpose="orders", items=["name"], actor="x")
        answer = hot(fresh, subject, "orders", ("name",), "x")
        assert answer is not None and answer.values == general.values == {"name": "H"}
        assert hot(fresh, "no-such-subject", "orders", ("name",), "x") is None
    finally:
        fresh.close()
    with ledger.engine.connect() as conn:
        result = verify(conn)
        written = conn.execute(select(func.count()).select_from(t.audit)).scalar_one()
    assert result.ok and result.checked == written
