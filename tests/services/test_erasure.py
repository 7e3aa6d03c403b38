"""Erasure: crypto-shredding a subject, deleting items, legal holds; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from hogo.ledger import tables as t
from hogo.ledger.crypto import WrappedKey
from hogo.services.collect import Collection, collect
from hogo.services.erasure import erase
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger
from hogo.services.provision import list_provisions, list_receipts, provide, receive
from hogo.services.use import use
from tests.services.test_provision import counts

HANAKO = {"name": "佐藤花子", "email": "hanako@example.jp", "purchases": "緑茶 2箱"}


def collected(ledger: Ledger, values: dict[str, str] = HANAKO, **consents: bool) -> str:
    return collect(ledger, Collection("shop", values, consents=consents), actor="shop").subject_id


def rows(ledger: Ledger, table: Any, subject_id: str) -> list[Any]:
    with ledger.engine.connect() as conn:
        return list(conn.execute(select(table).where(table.c.subject_id == subject_id)).all())


def last_audit(ledger: Ledger) -> Any:
    with ledger.engine.connect() as conn:
        return conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()


def hold(ledger: Ledger, subject_id: str, item: str) -> None:
    with ledger.engine.begin() as conn:
        conn.execute(
            update(t.records)
            .where(t.records.c.subject_id == subject_id, t.records.c.item == item)
            .values(legal_hold=True)
        )


def test_erasing_a_subject_shreds_its_key_and_deletes_its_records(ledger: Ledger) -> None:
    s = collected(ledger, newsletter=True)
    other = collected(ledger, {"name": "鈴木一郎", "email": "ichiro@example.jp"})
    (key_row,) = rows(ledger, t.subject_keys, s)
    ciphertexts = [r.ciphertext for r in rows(ledger, t.records, s)]
    assert len(ciphertexts) == 3

    result = erase(ledger, s, actor="officer", reason="削除請求 2026-11-20")

    assert (result.scope, result.records_deleted, result.key_destroyed) == ("subject", 3, True)
    assert result.items == ("email", "name", "purchases")
    # Crypto-shredding: the wrapped data key is gone, and no ciphertext of the subject remains.
    assert rows(ledger, t.subject_keys, s) == []
    assert rows(ledger, t.records, s) == []
    with ledger.engine.connect() as conn:
        left = {r.ciphertext for r in conn.execute(select(t.records.c.ciphertext))}
        keys = {r.wrapped_key for r in conn.execute(select(t.subject_keys.c.wrapped_key))}
        (erased_at,) = conn.execute(
            select(t.subjects.c.erased_at).where(t.subjects.c.id == s)
        ).one()
    assert not left & set(ciphertexts) and key_row.wrapped_key not in keys
    assert erased_at is not None
    # The key that was destroyed is the only way to the values: a copy of it unwraps, so
    # a copy of the ciphertext (a backup) is readable only while the key row exists.
    ledger.keys.unwrap(WrappedKey(key_row.master_key_id, key_row.wrapped_key), context=s.encode())
    # The other subject is untouched.
    assert (
        len(rows(ledger, t.records, other)) == 2 and len(rows(ledger, t.subject_keys, other)) == 1
    )
    entry = last_audit(ledger)
    assert (entry.action, entry.outcome, entry.subject_id, entry.reason) == (
        "erase",
        "done",
        s,
        "subject",
    )
    assert entry.detail["records_deleted"] == 3 and entry.detail["key_destroyed"] is True
    assert entry.detail["reason"] == "削除請求 2026-11-20"


def test_after_erasure_use_provision_and_collection_refuse(ledger: Ledger) -> None:
    s = collected(ledger, newsletter=True)
    erase(ledger, s, actor="officer")
    used = use(ledger, s, purpose="orders", items=["name"], actor="support")
    assert not used.decision.allowed and used.decision.reason.value == "erased"
    with pytest.raises(Refused) as info:
        provide(ledger, [s], recipient="partner_us", items=["email"], basis="consent", actor="o")
    assert info.value.code == "erased"
    with pytest.raises(Refused) as info:
        collect(ledger, Collection("shop", {"name": "X"}, subject_id=s), actor="shop")
    assert info.value.code == "erased"
    # The same person collected again is a new subject: the old one cannot be found.
    again = collected(ledger)
    assert again != s


def test_records_the_law_requires_stay_after_erasure(ledger: Ledger) -> None:
    s = collected(ledger, newsletter=True)
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
    before = counts(ledger)
    erase(ledger, s, actor="officer")
    after = counts(ledger)
    (record,) = list_provisions(ledger, s)
    assert record.items == ("name", "email") and record.consent_confirmed
    assert len(list_receipts(ledger, s)) == 1
    for table in ("provision_records", "receipt_records", "consents", "restrictions", "subjects"):
        assert after[table] == before[table], table
    assert after["records"] == before["records"] - 3
    assert after["subject_keys"] == before["subject_keys"] - 1
    assert after["audit"] == before["audit"] + 1


def test_erasing_items_deletes_only_their_records(ledger: Ledger) -> None:
    s = collected(ledger)
    collect(
        ledger, Collection("shop", {"email": "hanako@example.jp", "purchases": "紅茶"}), actor="x"
    )
    result = erase(ledger, s, items=["purchases", "card"], actor="officer")
    assert (result.scope, result.items, result.records_deleted) == ("items", ("purchases",), 2)
    assert not result.key_destroyed
    assert {r.item for r in rows(ledger, t.records, s)} == {"name", "email"}
    assert len(rows(ledger, t.subject_keys, s)) == 1
    entry = last_audit(ledger)
    assert tuple(entry.items) == ("purchases", "card") and entry.reason == "items"
    assert entry.detail["records_deleted"] == 2 and entry.detail["key_destroyed"] is False
    assert use(ledger, s, purpose="orders", items=["name"], actor="support").values == {
        "name": "佐藤花子"
    }
    # Nothing held of an item is fine: 0 deleted, audited.
    nothing = erase(ledger, s, items=["card"], actor="officer")
    assert nothing.records_deleted == 0 and nothing.items == ()
    # The subject is not erased by item erasure: it can still be erased whole.
    assert erase(ledger, s, actor="officer").records_deleted == 3  # name, email twice


def test_legal_hold_blocks_erasure_and_nothing_is_erased(ledger: Ledger) -> None:
    s = collected(ledger)
    hold(ledger, s, "purchases")
    before = counts(ledger)
    with pytest.raises(Refused, match="purchases") as info:
        erase(ledger, s, actor="officer")
    assert info.value.code == "legal_hold"
    with pytest.raises(Refused) as info:
        erase(ledger, s, items=["email", "purchases"], actor="officer")
    assert info.value.code == "legal_hold"
    assert counts(ledger) == before
    assert len(rows(ledger, t.subject_keys, s)) == 1
    # Items not under hold may be erased.
    assert erase(ledger, s, items=["email"], actor="officer").records_deleted == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"items": ["fax"]}, BadInput, "unknown item 'fax'"),
        ({"items": []}, BadInput, "no items given"),
        ({"actor": ""}, BadInput, "an actor is required"),
        ({"subject_id": "0" * 32}, NotFound, "no subject"),
        ({"subject_id": ""}, BadInput, "not a subject id"),
        ({"reason": "x" * 2001}, BadInput, "at most 2,000"),
    ],
)
def test_bad_erasure_requests_write_nothing(
    ledger: Ledger, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    s = collected(ledger)
    call: dict[str, Any] = {"subject_id": s, "actor": "officer", **kwargs}
    before = counts(ledger)
    with pytest.raises(error, match=message):
        erase(ledger, call.pop("subject_id"), **call)
    assert counts(ledger) == before


def test_erasing_an_erased_subject_is_bad_input(ledger: Ledger) -> None:
    s = collected(ledger)
    erase(ledger, s, actor="officer")
    before = counts(ledger)
    with pytest.raises(BadInput, match="already erased"):
        erase(ledger, s, actor="officer")
    with pytest.raises(BadInput, match="already erased"):
        erase(ledger, s, items=["email"], actor="officer")
    assert counts(ledger) == before


def test_erased_at_is_the_time_of_erasure(ledger: Ledger, clock: Any) -> None:
    s = collected(ledger)
    clock.advance_to(date(2026, 12, 1))
    result = erase(ledger, s, actor="officer")
    assert result.erased_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with ledger.engine.connect() as conn:
        count = conn.execute(
            select(func.count()).select_from(t.subjects).where(t.subjects.c.erased_at.is_not(None))
        ).scalar_one()
    assert count == 1


def test_no_trace_of_the_key_or_values_is_left_in_the_sqlite_files(ledger: Ledger) -> None:
    if ledger.engine.dialect.name != "sqlite":
        pytest.skip("raw database files are checked on SQLite")
    keep = collected(ledger, {"name": "鈴木一郎", "email": "ichiro@example.jp"})
    s = collected(ledger)
    (key_row,) = rows(ledger, t.subject_keys, s)
    ciphertexts = [r.ciphertext for r in rows(ledger, t.records, s)]
    erase(ledger, s, actor="officer")
    database = ledger.engine.url.database
    assert database is not None
    files = [p for p in Path(database).parent.iterdir() if p.name.startswith(Path(database).name)]
    contents = b"".join(p.read_bytes() for p in files)
    assert key_row.wrapped_key not in contents
    assert not [c for c in ciphertexts if c in contents]
    assert rows(ledger, t.subject_keys, keep)[0].wrapped_key in contents  # the check can see keys


def test_a_legal_hold_restriction_blocks_erasure_until_lifted(ledger: Ledger) -> None:
    from hogo.services.restrictions import lift, suspend

    subject = collected(ledger)
    restriction = suspend(
        ledger,
        subject,
        scope="use",
        purpose=None,
        reason="litigation",
        origin="legal_hold",
        actor="legal",
    )
    before = counts(ledger)
    with pytest.raises(Refused, match="legal hold") as info:
        erase(ledger, subject, actor="officer")
    assert info.value.code == "legal_hold" and counts(ledger) == before
    lift(ledger, restriction.id, reason="case closed", actor="legal")
    assert erase(ledger, subject, actor="officer").key_destroyed
