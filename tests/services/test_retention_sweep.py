"""Retention sweeps: what is erased and what is kept, batches, dry runs; SQLite and PostgreSQL.

The fixture policy's retention counts from events (contract end, withdrawal), so every
collected record starts with no due date; tests set `retention_due` and `retain_until` as
the recording of those events would. The clock stands at 2026-11-24.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from hogo.ledger import tables as t
from hogo.ledger.audit import verify
from hogo.services.collect import Collection, collect
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger
from hogo.services.provision import provide, receive
from hogo.services.restrictions import lift, suspend
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
