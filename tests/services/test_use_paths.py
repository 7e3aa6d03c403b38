"""The hot paths of `use` (SQLite and PostgreSQL) answer, return and audit exactly as the
general path."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.ledger.audit import verify
from hogo.services import use_hot
from hogo.services.collect import Collection, collect
from hogo.services.erasure import erase
from hogo.services.errors import NotFound
from hogo.services.ledger import Ledger, open_ledger
from hogo.services.restrictions import suspend
from hogo.services.use import UseResult, use, use_async, use_many
from hogo.services.use_hot import use_one
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
    hot = use_one
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


def test_uses_at_once_share_a_commit_and_a_failing_one_fails_alone(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three uses wait while a fourth runs; they run as one batch, which fails on the one
    whose record cannot be decrypted; then each runs alone: two answered and audited
    once, the broken one fails and leaves no audit row."""
    holder, good, bad, other = (
        collect(ledger, Collection("shop", {"name": name}), actor="app").subject_id
        for name in ("H", "G", "B", "O")
    )
    with ledger.engine.begin() as conn:
        conn.execute(
            t.records.update().where(t.records.c.subject_id == bad).values(ciphertext=b"broken")
        )
    use_many(ledger, [holder], purpose="orders", items=["name"], actor="app")  # parses the version
    name = "_run_sqlite" if ledger.engine.dialect.name == "sqlite" else "_run_postgres"
    real = getattr(use_hot, name)
    release = threading.Event()
    batches: list[list[str]] = []

    def gated(ledger: Ledger, asks: list[use_hot.Ask]) -> list[object]:
        batches.append([ask.subject_id for ask in asks])
        if asks[0].subject_id == holder:
            release.wait(10)
        return real(ledger, asks)  # type: ignore[no-any-return]

    monkeypatch.setattr(use_hot, name, gated)
    answers: dict[str, object] = {}

    def call(subject: str) -> None:
        try:
            answers[subject] = use(ledger, subject, purpose="orders", items=["name"], actor="x")
        except Exception as error:
            answers[subject] = error

    threads = [threading.Thread(target=call, args=(holder,))]
    threads[0].start()
    _until(lambda: batches == [[holder]])
    group = ledger.kept("use.group_commit", lambda: None)
    for n, subject in enumerate((good, bad, other), start=1):
        threads.append(threading.Thread(target=call, args=(subject,)))
        threads[-1].start()
        _until(lambda n=n: group.waiting == n)  # type: ignore[attr-defined]
    release.set()
    for thread in threads:
        thread.join(10)
    assert batches == [[holder], [good, bad, other], [good], [bad], [other]]
    assert answers[good].values == {"name": "G"} and answers[other].values == {"name": "O"}  # type: ignore[union-attr]
    assert not isinstance(answers[bad], UseResult)
    with ledger.engine.connect() as conn:
        audited = conn.execute(
            select(t.audit.c.subject_id, func.count())
            .where(t.audit.c.action == "use", t.audit.c.actor == "x")
            .group_by(t.audit.c.subject_id)
        ).all()
        assert dict(audited) == {holder: 1, good: 1, other: 1}
        assert verify(conn).ok


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_use_async_answers_as_use_and_closing_the_ledger_stops_its_writer(
    ledger: Ledger,
) -> None:
    subject = collect(ledger, Collection("shop", {"name": "A"}), actor="app").subject_id
    fresh = open_ledger(ledger.settings, clock=ledger.clock)
    try:
        first = asyncio.run(use_async(fresh, subject, purpose="orders", items=["name"], actor="x"))
        second = asyncio.run(use_async(fresh, subject, purpose="orders", items=["name"], actor="x"))
        assert first == second == use(fresh, subject, purpose="orders", items=["name"], actor="x")
        missing = "0" * 32
        with pytest.raises(NotFound):
            asyncio.run(use_async(fresh, missing, purpose="orders", items=["name"], actor="x"))
        writer = fresh.kept("use.group_commit", lambda: None)._writer  # type: ignore[attr-defined]
        assert writer.name == "hogo-group-commit" and writer.is_alive()
    finally:
        fresh.close()
    assert not writer.is_alive()
