"""The audit chain: appends verify, and every kind of tampering is caught and located.

Tampering goes straight to the tables (raw SQL or Core statements), as an attacker with
database access would, bypassing hogo.ledger.audit entirely.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, select, text, update

from hogo.ledger.audit import (
    GENESIS,
    AuditEntry,
    append,
    append_many,
    entries_for_subject,
    entry_hash,
    verify,
)
from hogo.ledger.engine import READ_ONLY
from hogo.ledger.tables import audit, audit_head

T0 = datetime(2025, 4, 1, 9, 30, 0, 123456, tzinfo=UTC)


def entry(i: int, **changes: Any) -> AuditEntry:
    fields: dict[str, Any] = {
        "at": T0 + timedelta(seconds=i, microseconds=i),
        "actor": f"staff-{i % 7}",
        "action": "use",
        "outcome": "allowed" if i % 3 else "refused",
        "subject_id": f"s{i % 11:031d}",
        "purpose": "billing",
        "items": ("email", "phone"),
        "reason": None if i % 3 else "consent_missing",
        "detail": {"n": i, "ratio": i / 7, "tags": ["a", "b"], "ok": i % 2 == 0, "none": None},
    }
    fields.update(changes)
    return AuditEntry(**fields)


def fill(engine: Engine, n: int) -> None:
    with engine.begin() as conn:
        assert append_many(conn, [entry(i) for i in range(1, n + 1)]) == list(range(1, n + 1))


def check(engine: Engine, **kwargs: Any) -> Any:
    with engine.connect().execution_options(**{READ_ONLY: True}) as conn, conn.begin():
        return verify(conn, **kwargs)


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit)).scalar_one())


def stored(conn: Connection, entry_id: int) -> dict[str, Any]:
    row = conn.execute(select(audit).where(audit.c.id == entry_id)).mappings().one()
    return dict(row)


def assert_bad(engine: Engine, first_bad: int, *words: str) -> None:
    result = check(engine, batch=4)  # a small batch so faults fall across batch edges
    assert not result.ok
    assert result.first_bad_id == first_bad, result.problem
    assert 0 <= result.checked < max(first_bad, 1)
    assert result.problem is not None and f"ntry {first_bad}" in result.problem
    for word in words:
        assert word in result.problem


# --- appending and verifying -------------------------------------------------------


def test_empty_chain_verifies(engine: Engine) -> None:
    assert check(engine).ok
    with engine.begin() as conn:
        assert append_many(conn, []) == []
    assert check(engine) == check(engine) and check(engine).checked == 0


def test_one_entry(engine: Engine) -> None:
    with engine.begin() as conn:
        assert append(conn, entry(1)) == 1
    result = check(engine)
    assert result.ok and result.checked == 1 and result.first_bad_id is None
    with engine.connect() as conn:
        row = stored(conn, 1)
        head = conn.execute(select(audit_head)).one()
    assert row["prev_hash"] == GENESIS
    assert row["hash"] == entry_hash(1, GENESIS, entry(1))
    assert (head.last_id, head.last_hash) == (1, row["hash"])


def test_optional_fields_absent_or_empty(engine: Engine) -> None:
    bare = AuditEntry(T0, "system", "key_rotation", "done")
    empty = AuditEntry(T0, "system", "erase", "done", "s1", items=(), detail={})
    with engine.begin() as conn:
        assert append_many(conn, [bare, empty]) == [1, 2]
    assert check(engine).checked == 2
    with engine.connect() as conn:
        [got] = entries_for_subject(conn, "s1")
    assert got["items"] == () and got["detail"] == {} and got["purpose"] is None


def test_many_entries_in_batches_with_progress(engine: Engine) -> None:
    fill(engine, 50)
    with engine.begin() as conn:
        assert append(conn, entry(51)) == 51
        assert append_many(conn, [entry(52), entry(53)]) == [52, 53]
    seen: list[tuple[int, int]] = []
    result = check(engine, batch=7, progress=lambda done, total: seen.append((done, total)))
    assert result.ok and result.checked == 53
    assert seen[-1] == (53, 53) and len(seen) == 8  # 7 full batches and a last short one


def test_ten_thousand_entries_append_and_verify_quickly(engine: Engine) -> None:
    entries = [entry(i) for i in range(1, 10_001)]
    started = time.perf_counter()
    with engine.begin() as conn:
        append_many(conn, entries)
    appended = time.perf_counter() - started
    started = time.perf_counter()
    result = check(engine)
    verified = time.perf_counter() - started
    print(f"\n{engine.dialect.name}: append_many {appended:.3f}s, verify {verified:.3f}s")
    assert result.ok and result.checked == 10_000
    assert appended < 10 and verified < 10  # generous: about 0.2 s each on a laptop


def test_entry_is_part_of_the_callers_transaction(engine: Engine) -> None:
    fill(engine, 3)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        append(conn, entry(4))
        raise RuntimeError("the change being recorded failed")
    assert count(engine) == 3 and check(engine).ok
    with engine.begin() as conn:
        assert append(conn, entry(4)) == 4
    assert check(engine).checked == 4


def test_two_threads_appending_leave_one_valid_chain(engine: Engine) -> None:
    barrier = threading.Barrier(2)
    ids: list[int] = []
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            barrier.wait()
            for i in range(200):
                with engine.begin() as conn:  # the first ones race to create the head row
                    ids.append(append(conn, entry(i, actor=name)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(ids) == list(range(1, 401))
    result = check(engine)
    assert result.ok and result.checked == 400


def test_japanese_text_round_trips(engine: Engine) -> None:
    detail = {"メモ": "同意書（紙）を受領 ✓", "件数": 3, "内訳": {"東京": [1.5, True, None]}}
    jst = timezone(timedelta(hours=9))
    e = entry(1, actor="山田 太郎", reason="本人の求め", detail=detail, at=T0.astimezone(jst))
    assert e.at == T0 and e.at.tzinfo is UTC
    with engine.begin() as conn:
        append(conn, e)
    assert check(engine).ok
    with engine.connect() as conn:
        [got] = entries_for_subject(conn, e.subject_id or "")
    assert got["actor"] == "山田 太郎" and got["detail"] == detail and got["at"] == T0
    assert got["items"] == ("email", "phone") and got["reason"] == "本人の求め"


def test_entries_for_subject_newest_first_and_paged(engine: Engine) -> None:
    fill(engine, 40)
    subject = entry(5).subject_id or ""
    with engine.connect() as conn:
        trail = entries_for_subject(conn, subject, limit=2)
        older = entries_for_subject(conn, subject, limit=10, before=trail[-1]["id"])
    assert [e["id"] for e in trail] == [38, 27]
    assert [e["id"] for e in older] == [16, 5]
    assert trail[0]["at"] == entry(38).at and "hash" not in trail[0]


@pytest.mark.parametrize(
    ("detail", "error", "words"),
    [
        ({"when": datetime(2025, 1, 1, tzinfo=UTC)}, TypeError, "detail.when is a datetime"),
        ({"due": [date(2025, 1, 1)]}, TypeError, "detail.due[0] is a date"),
        ({"x": float("nan")}, ValueError, "NaN"),
        ({"by": {1: "a"}}, TypeError, "key 1"),
        ({"raw": b"\x00"}, TypeError, "bytes"),
    ],
)
def test_detail_must_be_json_and_nothing_is_written(
    engine: Engine, detail: dict[str, Any], error: type[Exception], words: str
) -> None:
    pattern = words.replace("[", r"\[").replace("]", r"\]")
    with pytest.raises(error, match=pattern), engine.begin() as conn:
        append(conn, entry(1))
        append(conn, entry(2, detail=detail))
    assert count(engine) == 0 and check(engine).ok


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"at": datetime(2025, 1, 1)}, "timezone-aware"),
        ({"outcome": "maybe"}, "outcome"),
        ({"actor": ""}, "non-empty"),
        ({"actor": "x" * 201}, "over 200"),
        ({"purpose": "a\x00b"}, "NUL"),
        ({"items": "email"}, "not one string"),
    ],
)
def test_malformed_entries_are_refused(changes: dict[str, Any], words: str) -> None:
    with pytest.raises((TypeError, ValueError), match=words):
        entry(1, **changes)


# --- tampering -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("at", T0 + timedelta(microseconds=1)),
        ("actor", "someone-else"),
        ("action", "collect"),
        ("outcome", "allowed"),
        ("subject_id", "s" + "9" * 31),
        ("purpose", "marketing"),
        ("items", ["email"]),
        ("reason", "forged"),
        ("detail", {"n": 0}),
        ("hash", "f" * 64),
    ],
)
def test_altered_field_is_named(engine: Engine, column: str, value: Any) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        conn.execute(update(audit).where(audit.c.id == 6).values({column: value}))
    assert_bad(engine, 6, "altered")


def test_altered_field_by_raw_sql(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit SET outcome = 'allowed' WHERE id = 3"))
    assert_bad(engine, 3, "altered")


def test_altered_and_rehashed_entry_breaks_the_next_link(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        before = stored(conn, 4)["hash"]
        forged = entry(5, actor="intruder")
        conn.execute(
            text("UPDATE audit SET actor = 'intruder', hash = :h WHERE id = 5"),
            {"h": entry_hash(5, before, forged)},
        )
    assert_bad(engine, 6, "does not link to entry 5")


def test_deleted_middle_entry(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit WHERE id = 7"))
    assert_bad(engine, 8, "entry 7 is missing")


def test_deleted_first_entries(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit WHERE id <= 2"))
    assert_bad(engine, 3, "is the first: entries 1–2 are missing")


def test_deleted_last_entry(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit WHERE id = 12"))
    assert_bad(engine, 12, "ends at entry 11", "head records 12", "deleted")


def test_truncated_table(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit"))
    assert_bad(engine, 1, "ends at entry 0")


def test_altered_last_entry(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit SET reason = 'nothing to see' WHERE id = 12"))
    assert_bad(engine, 12, "altered")


def test_altered_and_rehashed_last_entry_differs_from_the_head(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        prev = stored(conn, 11)["hash"]
        digest = entry_hash(12, prev, entry(12, actor="intruder"))
        conn.execute(
            text("UPDATE audit SET actor = 'intruder', hash = :h WHERE id = 12"), {"h": digest}
        )
    assert_bad(engine, 12, "head's hash")


def forge(conn: Connection, entry_id: int, prev_hash: str, e: AuditEntry) -> None:
    """Insert a plausible entry: correctly linked and hashed, as the code is public."""
    row = {
        "id": entry_id,
        "at": e.at,
        "actor": e.actor,
        "action": e.action,
        "outcome": e.outcome,
        "subject_id": e.subject_id,
        "purpose": e.purpose,
        "items": list(e.items or ()),
        "reason": e.reason,
        "detail": e.detail,
        "prev_hash": prev_hash,
        "hash": entry_hash(entry_id, prev_hash, e),
    }
    conn.execute(audit.insert().values(row))


def test_forged_entry_appended_after_the_head(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        forge(conn, 13, stored(conn, 12)["hash"], entry(13, action="consent"))
    assert_bad(engine, 13, "beyond the head", "inserted")


def test_forged_entry_inserted_in_the_middle(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:  # make room at 6 by moving 6..12 up one, then fill it
        conn.execute(text("UPDATE audit SET id = -id WHERE id >= 6"))
        conn.execute(text("UPDATE audit SET id = 1 - id WHERE id < 0"))
        forge(conn, 6, stored(conn, 5)["hash"], entry(99, action="consent"))
        conn.execute(text("UPDATE audit_head SET last_id = 13"))
    assert_bad(engine, 7, "does not link to entry 6")


def test_forged_entry_before_the_first(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        forge(conn, 0, GENESIS, entry(0))
    assert_bad(engine, 0, "below 1", "inserted")


@pytest.mark.parametrize(
    ("column", "garbage"), [("at", "yesterday"), ("detail", "{broken"), ("items", "[1,")]
)
def test_unreadable_value_is_named(engine: Engine, column: str, garbage: str) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's column types refuse such values")
    fill(engine, 12)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE audit SET {column} = :g WHERE id = 7"), {"g": garbage})
    assert_bad(engine, 7, "altered", "cannot be read")


def test_two_rows_swapped(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:  # exchange ids: every column of 4 and 9 trades places
        conn.execute(text("UPDATE audit SET id = -1 WHERE id = 4"))
        conn.execute(text("UPDATE audit SET id = 4 WHERE id = 9"))
        conn.execute(text("UPDATE audit SET id = 9 WHERE id = -1"))
    assert_bad(engine, 4, "does not link to entry 3", "moved")


def test_fields_swapped_between_rows(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        a, b = stored(conn, 5), stored(conn, 8)
        conn.execute(update(audit).where(audit.c.id == 5).values(actor=b["actor"]))
        conn.execute(update(audit).where(audit.c.id == 8).values(actor=a["actor"]))
    assert a["actor"] != b["actor"]
    assert_bad(engine, 5, "altered")


def test_contents_swapped_but_ids_kept(engine: Engine) -> None:
    fill(engine, 12)
    columns = [c.name for c in audit.columns if c.name != "id"]
    with engine.begin() as conn:
        a, b = stored(conn, 2), stored(conn, 3)
        conn.execute(update(audit).where(audit.c.id == 2).values({c: b[c] for c in columns}))
        conn.execute(update(audit).where(audit.c.id == 3).values({c: a[c] for c in columns}))
    assert_bad(engine, 2, "does not link to entry 1")


def test_head_pointing_past_the_table(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_head SET last_id = 15"))
    assert_bad(engine, 13, "ends at entry 12", "head records 15")


def test_head_moved_back(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        prev = stored(conn, 11)["hash"]
        conn.execute(text("UPDATE audit_head SET last_id = 11, last_hash = :h"), {"h": prev})
    assert_bad(engine, 12, "beyond the head")


def test_head_hash_altered(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": "e" * 64})
    assert_bad(engine, 12, "head's hash")


def test_head_deleted(engine: Engine) -> None:
    fill(engine, 12)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_head"))
    assert_bad(engine, 12, "head is missing")


def test_verify_during_concurrent_appends_gives_no_false_alarm(engine: Engine) -> None:
    fill(engine, 2000)
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            with engine.begin() as conn:
                append_many(conn, [entry(i), entry(i + 1)])

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(3):
            # READ COMMITTED on PostgreSQL (no snapshot); a deferred read on SQLite
            with engine.connect().execution_options(**{READ_ONLY: True}) as conn:
                result = verify(conn, batch=100)
                conn.rollback()
            assert result.ok, result.problem
    finally:
        stop.set()
        thread.join()
    assert check(engine).ok
