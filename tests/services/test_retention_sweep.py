"""Retention sweeps: what is erased and what is kept, batches, dry runs; SQLite and PostgreSQL.

The fixture policy's retention counts from events (contract end, withdrawal), so every
collected record starts with no due date; tests set `retention_due` and `retain_until` as
the recording of those events would. The clock stands at 2026-11-24.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from hogo.ledger import tables as t
from hogo.ledger.audit import verify
from hogo.services.collect import Collection, collect
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger, open_ledger
from hogo.services.provision import provide, receive
from hogo.services.restrictions import lift, suspend
from hogo.services.retention_forecast import due_for_erasure
from hogo.services.retention_sweep import sweep
from tests.services.test_provision import counts

TODAY = date(2026, 11, 24)
YESTERDAY = TODAY - timedelta(days=1)
HANAKO = {"name": "佐藤花子", "email": "hanako@example.jp", "purchases": "緑茶 2箱"}


def collected(ledger: Ledger, email: str = "hanako@example.jp", **consents: bool) -> str:
    data = {**HANAKO, "email": email}
    return collect(ledger, Collection("shop", data, consents=consents), actor="shop").subject_id


def due(ledger: Ledger, subject_id: str, on: date, *items: str) -> None:
    """Set the due date of the subject's records (of `items`, or all)."""
    with ledger.engine.begin() as conn:
        query = update(t.records).where(t.records.c.subject_id == subject_id)
        if items:
            query = query.where(t.records.c.item.in_(items))
        conn.execute(query.values(retention_due=on))


def items_of(ledger: Ledger, subject_id: str) -> list[str]:
    with ledger.engine.connect() as conn:
        return sorted(
            conn.execute(select(t.records.c.item).where(t.records.c.subject_id == subject_id))
            .scalars()
            .all()
        )


def state(ledger: Ledger, subject_id: str) -> tuple[bool, bool]:
    """(has a data key, marked erased)."""
    with ledger.engine.connect() as conn:
        key = conn.execute(
            select(t.subject_keys.c.subject_id).where(t.subject_keys.c.subject_id == subject_id)
        ).first()
        erased = conn.execute(
            select(t.subjects.c.erased_at).where(t.subjects.c.id == subject_id)
        ).scalar_one()
    return key is not None, erased is not None


def sweep_entries(ledger: Ledger) -> list[Any]:
    with ledger.engine.connect() as conn:
        return list(
            conn.execute(
                select(t.audit).where(t.audit.c.action == "retention_sweep").order_by(t.audit.c.id)
            ).all()
        )


def dump(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    with ledger.engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(select(table)).all()), key=repr)
            for table in t.metadata.sorted_tables
        }


def test_due_yesterday_is_swept_and_the_subject_left_with_nothing_is_shredded(
    ledger: Ledger,
) -> None:
    s = collected(ledger)
    due(ledger, s, YESTERDAY)
    result = sweep(ledger, actor="cron")
    assert items_of(ledger, s) == []
    assert state(ledger, s) == (False, True)  # crypto-shredded
    assert result.records_erased == {"email": 1, "name": 1, "purchases": 1}
    assert (result.subjects_swept, result.subjects_shredded) == (1, 1)
    (entry,) = sweep_entries(ledger)
    assert (entry.subject_id, entry.reason, entry.actor, entry.outcome) == (
        s,
        "shredded",
        "cron",
        "done",
    )
    assert tuple(entry.items) == ("email", "name", "purchases")
    assert entry.detail["records_erased"] == {"email": 1, "name": 1, "purchases": 1}
    assert entry.detail["key_destroyed"] is True and entry.detail["today"] == "2026-11-24"
    assert "hanako" not in repr(tuple(entry)) and "佐藤" not in repr(tuple(entry))


def test_due_today_is_not_swept(ledger: Ledger) -> None:
    s = collected(ledger)
    due(ledger, s, TODAY)
    before = dump(ledger)
    result = sweep(ledger, actor="cron")
    assert items_of(ledger, s) == ["email", "name", "purchases"] and state(ledger, s) == (
        True,
        False,
    )
    assert result.records_total == 0 and dump(ledger) == before  # not even an audit entry


def test_records_without_a_due_date_are_never_swept(ledger: Ledger) -> None:
    s = collected(ledger)
    assert sweep(ledger, today=TODAY, actor="cron").records_total == 0
    assert items_of(ledger, s) == ["email", "name", "purchases"]


def test_a_subject_with_records_left_keeps_its_key(ledger: Ledger) -> None:
    s = collected(ledger)
    due(ledger, s, YESTERDAY, "purchases", "email")
    due(ledger, s, TODAY, "name")
    result = sweep(ledger, actor="cron")
    assert items_of(ledger, s) == ["name"] and state(ledger, s) == (True, False)
    assert result.records_erased == {"email": 1, "purchases": 1}
    assert (result.subjects_swept, result.subjects_shredded) == (1, 0)
    (entry,) = sweep_entries(ledger)
    assert entry.reason == "records" and entry.detail["key_destroyed"] is False


def test_a_record_under_legal_hold_is_kept_and_so_is_the_key(ledger: Ledger) -> None:
    s = collected(ledger)
    due(ledger, s, YESTERDAY)
    with ledger.engine.begin() as conn:
        conn.execute(
            update(t.records)
            .where(t.records.c.subject_id == s, t.records.c.item == "purchases")
            .values(legal_hold=True)
        )
    result = sweep(ledger, actor="cron")
    assert items_of(ledger, s) == ["purchases"] and state(ledger, s) == (True, False)
    assert result.records_held == {"purchases": 1}
    assert result.records_erased == {"email": 1, "name": 1}


def test_a_subject_under_a_legal_hold_restriction_is_not_swept_until_lifted(
    ledger: Ledger,
) -> None:
    held, free = collected(ledger), collected(ledger, "ichiro@example.jp")
    due(ledger, held, YESTERDAY)
    due(ledger, free, YESTERDAY)
    restriction = suspend(
        ledger, held, scope="provision", purpose=None, reason="訴訟", origin="legal_hold", actor="o"
    )
    result = sweep(ledger, actor="cron")
    assert items_of(ledger, held) == ["email", "name", "purchases"]
    assert state(ledger, held) == (True, False) and state(ledger, free) == (False, True)
    assert result.records_held == {"email": 1, "name": 1, "purchases": 1}
    # A restriction of another origin holds nothing back.
    lift(ledger, restriction.id, reason="判決確定", actor="o")
    suspend(ledger, held, scope="use", purpose=None, reason="請求", origin="request", actor="o")
    again = sweep(ledger, actor="cron")
    assert items_of(ledger, held) == [] and state(ledger, held) == (False, True)
    assert again.subjects_shredded == 1 and again.records_held == {}


def provided_and_received(ledger: Ledger, s: str) -> None:
    provide(
        ledger, [s], recipient="partner_us", items=["name", "email"], basis="consent", actor="o"
    )
    receive(
        ledger,
        subject_id=s,
        provider_name="提携社",
        provider_address="東京都",
        acquisition_method="会員登録",
        items=["email"],
        basis="consent",
        actor="o",
    )


def retain_until(ledger: Ledger, table: Any, subject_id: str, on: date) -> None:
    with ledger.engine.begin() as conn:
        conn.execute(update(table).where(table.c.subject_id == subject_id).values(retain_until=on))


def test_provision_and_receipt_records_past_retain_until_are_purged(ledger: Ledger) -> None:
    old = collected(ledger, newsletter=True)
    new = collected(ledger, "ichiro@example.jp", newsletter=True)
    for s in (old, new):
        provided_and_received(ledger, s)
    for table in (t.provision_records, t.receipt_records):
        retain_until(ledger, table, old, YESTERDAY)
        retain_until(ledger, table, new, TODAY)
    before = counts(ledger)
    result = sweep(ledger, actor="cron")
    after = counts(ledger)
    assert (result.provision_records_purged, result.receipt_records_purged) == (1, 1)
    assert after["provision_records"] == before["provision_records"] - 1
    assert after["receipt_records"] == before["receipt_records"] - 1
    with ledger.engine.connect() as conn:
        for table in (t.provision_records, t.receipt_records):
            left = conn.execute(select(table.c.subject_id)).scalars().all()
            assert left == [new], table.name
    # The subjects' own records had no due date: they are untouched.
    assert state(ledger, old) == (True, False)
    purges = sweep_entries(ledger)
    assert sorted(e.reason for e in purges) == ["provision_records", "receipt_records"]
    assert all(e.detail["purged"] == 1 and e.subject_id is None for e in purges)


def test_records_of_a_subject_under_legal_hold_are_kept_past_retain_until(
    ledger: Ledger,
) -> None:
    s = collected(ledger, newsletter=True)
    provided_and_received(ledger, s)
    for table in (t.provision_records, t.receipt_records):
        retain_until(ledger, table, s, YESTERDAY)
    suspend(ledger, s, scope="use", purpose=None, reason="訴訟", origin="legal_hold", actor="o")
    result = sweep(ledger, actor="cron")
    assert (result.provision_records_purged, result.receipt_records_purged) == (0, 0)


def test_a_receipt_without_a_subject_is_purged_when_past(ledger: Ledger) -> None:
    receive(
        ledger,
        provider_name="提携社",
        provider_address="東京都",
        acquisition_method="会員登録",
        items=["email"],
        basis="consent",
        received_on=date(2023, 1, 10),
        actor="o",
    )
    assert sweep(ledger, actor="cron").receipt_records_purged == 1  # kept until 2026-01-10


def many(ledger: Ledger, n: int, on: date = YESTERDAY) -> list[str]:
    subjects = [collected(ledger, f"p{i}@example.jp") for i in range(n)]
    for s in subjects:
        due(ledger, s, on)
    return subjects


def test_batches_each_commit_with_their_entries_and_report_progress(ledger: Ledger) -> None:
    subjects = many(ledger, 5)
    seen: list[tuple[int, int]] = []
    result = sweep(ledger, actor="cron", batch=2, progress=lambda d, n: seen.append((d, n)))
    assert result.batches == 3 and result.subjects_shredded == 5
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    entries = sweep_entries(ledger)
    assert sorted(e.subject_id for e in entries) == sorted(subjects)
    assert {e.detail["run"] for e in entries} == {result.run_id}
    with ledger.engine.connect() as conn:
        assert verify(conn).ok


def test_a_second_sweep_does_nothing(ledger: Ledger) -> None:
    many(ledger, 3)
    sweep(ledger, actor="cron", batch=2)
    before = dump(ledger)
    again = sweep(ledger, actor="cron", batch=2)
    assert again.records_total == again.subjects_swept == again.batches == 0
    assert dump(ledger) == before


def test_a_dry_run_writes_nothing_and_reports_what_the_sweep_does(ledger: Ledger) -> None:
    many(ledger, 3)
    partial = collected(ledger, "part@example.jp")
    due(ledger, partial, YESTERDAY, "email")
    held = collected(ledger, "held@example.jp")
    due(ledger, held, YESTERDAY)
    suspend(ledger, held, scope="use", purpose=None, reason="訴訟", origin="legal_hold", actor="o")
    before = dump(ledger)
    planned = sweep(ledger, actor="cron", dry_run=True)
    assert dump(ledger) == before
    assert planned.dry_run and planned.run_id is None
    done = sweep(ledger, actor="cron")
    assert done.records_erased == planned.records_erased == {"email": 4, "name": 3, "purchases": 3}
    assert (planned.subjects_swept, planned.subjects_shredded) == (4, 3)
    assert (done.subjects_swept, done.subjects_shredded) == (4, 3)
    assert done.records_held == planned.records_held == {"email": 1, "name": 1, "purchases": 1}


def test_a_dry_run_may_look_ahead_but_a_sweep_may_not(ledger: Ledger) -> None:
    s = collected(ledger)
    due(ledger, s, TODAY)
    ahead = sweep(ledger, actor="cron", dry_run=True, today=TODAY + timedelta(days=1))
    assert ahead.records_total == 3
    before = dump(ledger)
    with pytest.raises(BadInput, match="after today"):
        sweep(ledger, actor="cron", today=TODAY + timedelta(days=1))
    assert dump(ledger) == before


def test_an_earlier_today_sweeps_less(ledger: Ledger) -> None:
    s = collected(ledger)
    due(ledger, s, YESTERDAY)
    assert sweep(ledger, actor="cron", today=YESTERDAY).records_total == 0
    assert sweep(ledger, actor="cron", today=TODAY).records_total == 3


@pytest.mark.parametrize(
    "kwargs",
    [{"batch": 0}, {"batch": 10_001}, {"batch": True}, {"actor": " "}, {"today": "2026-11-23"}],
)
def test_bad_sweep_requests_write_nothing(ledger: Ledger, kwargs: dict[str, Any]) -> None:
    many(ledger, 1)
    before = dump(ledger)
    with pytest.raises(BadInput):
        sweep(ledger, **{"actor": "cron", **kwargs})
    assert dump(ledger) == before


def test_no_trace_of_a_swept_key_is_left_in_the_sqlite_files(ledger: Ledger) -> None:
    if ledger.engine.dialect.name != "sqlite":
        pytest.skip("raw database files are checked on SQLite")
    keep = collected(ledger, "keep@example.jp")
    s = collected(ledger)
    due(ledger, s, YESTERDAY)
    with ledger.engine.connect() as conn:
        wrapped = conn.execute(
            select(t.subject_keys.c.wrapped_key).where(t.subject_keys.c.subject_id == s)
        ).scalar_one()
        ciphertexts = (
            conn.execute(select(t.records.c.ciphertext).where(t.records.c.subject_id == s))
            .scalars()
            .all()
        )
    sweep(ledger, actor="cron")
    database = ledger.engine.url.database
    assert database is not None
    files = [p for p in Path(database).parent.iterdir() if p.name.startswith(Path(database).name)]
    contents = b"".join(p.read_bytes() for p in files)
    assert wrapped not in contents and not [c for c in ciphertexts if c in contents]
    assert state(ledger, keep) == (True, False)


def test_two_sweeps_at_once_erase_each_record_exactly_once(
    ledger: Ledger, settings: Any, clock: Any
) -> None:
    subjects = many(ledger, 40)
    partial = collected(ledger, "part@example.jp")
    due(ledger, partial, YESTERDAY, "email")
    barrier = threading.Barrier(2)
    worked = {name: threading.Event() for name in ("sweep-1", "sweep-2")}
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(name: str) -> None:
        other = open_ledger(settings, clock=clock)
        (partner,) = (event for key, event in worked.items() if key != name)

        def progress(done: int, _total: int) -> None:
            if done and not worked[name].is_set():  # each waits once for the other to work too
                worked[name].set()
                partner.wait(timeout=10)

        try:
            barrier.wait(timeout=30)
            results.append(sweep(other, actor=name, batch=2, progress=progress))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            other.close()

    threads = [threading.Thread(target=run, args=(f"sweep-{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and len(results) == 2  # both finished
    entries = sweep_entries(ledger)
    # Every subject was swept by exactly one of the two, and counted once.
    assert sorted(e.subject_id for e in entries) == sorted([*subjects, partial])
    assert sum(sum(e.detail["records_erased"].values()) for e in entries) == 3 * 40 + 1
    assert sum(r.records_total for r in results) == 3 * 40 + 1
    assert sum(r.subjects_shredded for r in results) == 40
    assert all(r.subjects_swept for r in results)  # the work was shared
    assert {e.detail["run"] for e in entries} <= {r.run_id for r in results}
    assert items_of(ledger, partial) == ["name", "purchases"]
    with ledger.engine.connect() as conn:
        assert verify(conn).ok
        assert not conn.execute(
            select(t.records.c.id).where(t.records.c.retention_due.is_not(None))
        ).first()


def test_a_sweep_passes_over_subjects_another_transaction_holds(ledger: Ledger) -> None:
    if ledger.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    subjects = sorted(many(ledger, 6))
    with ledger.engine.connect() as holder, holder.begin():
        holder.execute(
            select(t.subjects.c.id).where(t.subjects.c.id.in_(subjects[:2])).with_for_update()
        )
        result = sweep(ledger, actor="cron", batch=2)  # does not wait for the holder
        assert result.subjects_swept == 4
    assert [s for s in subjects if items_of(ledger, s)] == subjects[:2]
    assert sweep(ledger, actor="cron").subjects_swept == 2


def test_what_falls_due_within_n_days(ledger: Ledger) -> None:
    a, b, c = (
        collected(ledger),
        collected(ledger, "b@example.jp"),
        collected(ledger, "c@example.jp"),
    )
    due(ledger, a, YESTERDAY)  # a sweep today erases these
    due(ledger, b, TODAY + timedelta(days=5), "email")
    due(ledger, c, TODAY + timedelta(days=40))
    with ledger.engine.begin() as conn:
        conn.execute(
            update(t.records)
            .where(t.records.c.subject_id == b, t.records.c.item == "email")
            .values(legal_hold=True)
        )
    due(ledger, b, TODAY + timedelta(days=3), "name")
    now = due_for_erasure(ledger, within_days=0)
    assert [(i.item, i.records, i.overdue, i.held) for i in now.items] == [
        ("email", 1, 1, 0),
        ("name", 1, 1, 0),
        ("purchases", 1, 1, 0),
    ]
    assert sum(i.records for i in now.items) == sweep(ledger, actor="x", dry_run=True).records_total
    week = {i.item: i for i in due_for_erasure(ledger, within_days=7).items}
    assert (week["name"].records, week["name"].overdue) == (2, 1)
    assert week["name"].next_due == YESTERDAY
    assert (week["email"].records, week["email"].held, week["email"].next_due) == (1, 1, YESTERDAY)
    # Due on day 3 is erased by the sweep of day 4: inside a 4-day window, not a 3-day one.
    assert {i.item: i.records for i in due_for_erasure(ledger, within_days=3).items}["name"] == 1
    assert {i.item: i.records for i in due_for_erasure(ledger, within_days=4).items}["name"] == 2
    later = due_for_erasure(ledger, within_days=41)
    assert later.until == TODAY + timedelta(days=41)
    assert {i.item: i.records for i in later.items} == {"email": 2, "name": 3, "purchases": 2}
    assert later.items[0].to_dict() == {
        "item": "email",
        "records": 2,
        "overdue": 1,
        "held": 1,
        "next_due": "2026-11-23",
    }


def test_provision_records_falling_due_are_forecast(ledger: Ledger) -> None:
    s = collected(ledger, newsletter=True)
    provided_and_received(ledger, s)
    retain_until(ledger, t.provision_records, s, TODAY + timedelta(days=10))
    forecast = due_for_erasure(ledger, within_days=30)
    assert forecast.provision_records.records == 1 and forecast.provision_records.overdue == 0
    assert forecast.provision_records.next_due == TODAY + timedelta(days=10)
    assert forecast.receipt_records.records == 0  # kept three years from today
    assert due_for_erasure(ledger, within_days=10).provision_records.records == 0


@pytest.mark.parametrize("days", [-1, 3_661, True, 1.5])
def test_a_bad_forecast_window_is_bad_input(ledger: Ledger, days: Any) -> None:
    with pytest.raises(BadInput):
        due_for_erasure(ledger, within_days=days)
