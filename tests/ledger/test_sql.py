"""bulk_insert stores exactly what SQLAlchemy's own insert stores."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, select

from hogo.ledger import tables as t
from hogo.ledger.sql import bulk_insert, driver_insert_sql

NOW = datetime(2026, 11, 24, 9, 5, 7, 123, tzinfo=UTC)


def _setup(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            t.policy_versions.insert().values(
                id=1,
                digest="d",
                version="1",
                effective_date=date(2026, 1, 2),
                published_at=NOW,
                text="",
            )
        )
        conn.execute(
            t.subjects.insert().values(
                id="s1", kind="customer", created_at=NOW, policy_version_id=1
            )
        )


def _record(item: str, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "subject_id": "s1",
        "item": item,
        "source": "shop",
        "ciphertext": b"\x00\x01",
        "blind_index": None,
        "collected_at": NOW,
        "policy_version_id": 1,
        "retention_due": date(2029, 11, 24),
    }
    row.update(extra)
    return row


def test_bulk_insert_matches_sqlalchemy_byte_for_byte(engine: Engine) -> None:
    _setup(engine)
    audit_row = {
        "at": NOW,
        "actor": "a",
        "action": "x",
        "outcome": "done",
        "subject_id": "s1",
        "purpose": None,
        "items": ["name", "名前"],
        "reason": None,
        "detail": {"k": "日本", "n": None},
        "prev_hash": "0",
        "hash": "1",
    }
    with engine.begin() as conn:
        conn.execute(t.records.insert(), [_record("via_sqlalchemy", legal_hold=True)])
        bulk_insert(conn, t.records, [_record("via_bulk", legal_hold=True)])
        conn.execute(t.audit.insert(), [{**audit_row, "id": 1}])
        bulk_insert(conn, t.audit, [{**audit_row, "id": 2}])
    with engine.connect() as conn:
        records = conn.exec_driver_sql(
            "select subject_id, source, ciphertext, blind_index, collected_at, policy_version_id, retention_due, legal_hold from records order by id"
        ).all()
        audits = conn.exec_driver_sql(
            "select at, actor, items, detail, prev_hash from audit order by id"
        ).all()
        read_back = conn.execute(
            select(t.records.c.collected_at, t.records.c.retention_due, t.records.c.legal_hold)
        ).all()
    assert records[0] == records[1]
    assert audits[0] == audits[1]
    assert read_back[0] == read_back[1]


def test_scalar_defaults_are_filled_in(engine: Engine) -> None:
    _setup(engine)
    with engine.begin() as conn:
        bulk_insert(conn, t.records, [_record("no_hold")])
    with engine.connect() as conn:
        assert conn.execute(select(t.records.c.legal_hold)).scalar_one() is False


def test_empty_is_a_no_op(engine: Engine) -> None:
    with engine.begin() as conn:
        bulk_insert(conn, t.records, [])


def test_driver_insert_stores_what_sqlalchemy_stores_on_either_database(engine: Engine) -> None:
    _setup(engine)
    audit_row = {
        "at": NOW,
        "actor": "a",
        "action": "use",
        "outcome": "allowed",
        "subject_id": "s1",
        "purpose": "orders",
        "items": ["name", "名前"],
        "reason": None,
        "detail": {"k": "日本", "n": None, "list": [1, 2.5, True]},
        "prev_hash": "0",
        "hash": "1",
    }
    with engine.begin() as conn:
        conn.execute(t.audit.insert(), [{**audit_row, "id": 1}])
        sql, params = driver_insert_sql(engine.dialect.name, t.audit, [{**audit_row, "id": 2}])
        cursor = conn.connection.cursor()
        cursor.execute(sql, params[0])
    with engine.connect() as conn:
        raw = conn.exec_driver_sql(
            "select at, actor, action, outcome, subject_id, purpose, items, reason, detail, "
            "prev_hash, hash from audit order by id"
        ).all()
        read_back = conn.execute(select(t.audit).order_by(t.audit.c.id)).all()
    assert raw[0] == raw[1]
    assert read_back[0][1:] == read_back[1][1:]
    assert read_back[1].items == ["name", "名前"] and read_back[1].detail["list"] == [1, 2.5, True]
