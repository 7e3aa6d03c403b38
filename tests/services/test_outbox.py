"""The outbox: queued in the caller's transaction, encrypted, deduplicated, bilingual."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.services.collect import Collection, collect
from hogo.services.erasure import erase
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger
from hogo.services.outbox import enqueue, kinds, open_message, render, subject_contact

CONTEXT = {"company": "株式会社テスト", "contact": "privacy@example.jp"}


def test_every_message_kind_exists_in_japanese_and_english() -> None:
    found = kinds()
    assert "test_message" in found
    assert {kind: langs for kind, langs in found.items() if langs != ("en", "ja")} == {}


def test_render_reads_the_subject_line_and_refuses_holes() -> None:
    ja = render("test_message", "ja", CONTEXT)
    assert ja.subject == "【株式会社テスト】メール送信の確認"
    assert "お心当たりのない場合" in ja.body and not ja.body.startswith("\n")
    en = render("test_message", "en", CONTEXT)
    assert en.subject == "[株式会社テスト] Mail delivery check"
    with pytest.raises(Exception, match="contact"):
        render("test_message", "en", {"company": "x"})
    with pytest.raises(BadInput, match="no message template 'nothing' in en"):
        render("nothing", "en", CONTEXT)
    with pytest.raises(BadInput, match="unknown language 'fr'"):
        render("test_message", "fr", CONTEXT)


def test_a_queued_message_is_encrypted_and_opens(ledger: Ledger) -> None:
    with ledger.engine.begin() as conn:
        queued = enqueue(
            ledger, conn, kind="test_message", lang="ja", to="hanako@example.jp", context=CONTEXT
        )
    assert queued.id is not None
    with ledger.engine.connect() as conn:
        row = conn.execute(select(t.outbox).where(t.outbox.c.id == queued.id)).one()
        assert b"hanako" not in row.recipient and "テスト".encode() not in row.content
        opened = open_message(ledger, conn, row)
    assert opened is not None
    assert opened.to == "hanako@example.jp" and opened.subject.startswith("【株式会社テスト】")
    assert row.sent_at is None and row.attempts == 0


def test_a_dedupe_key_queues_once(ledger: Ledger) -> None:
    for _ in range(2):
        with ledger.engine.begin() as conn:
            queued = enqueue(
                ledger,
                conn,
                kind="test_message",
                lang="en",
                to="a@example.jp",
                context=CONTEXT,
                dedupe_key="once",
            )
    assert queued.id is None
    with ledger.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.outbox)).scalar_one() == 1


def test_a_rolled_back_change_queues_nothing(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError), ledger.engine.begin() as conn:
        enqueue(ledger, conn, kind="test_message", lang="en", to="a@example.jp", context=CONTEXT)
        raise RuntimeError("the change failed")
    with ledger.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.outbox)).scalar_one() == 0


def test_bad_address_is_refused_and_nothing_queued(ledger: Ledger) -> None:
    with pytest.raises(BadInput, match="not an e-mail address"), ledger.engine.begin() as conn:
        enqueue(ledger, conn, kind="test_message", lang="en", to="nobody", context=CONTEXT)
    with ledger.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.outbox)).scalar_one() == 0


def test_subject_contact_reads_the_address_and_audits_it(ledger: Ledger) -> None:
    subject = collect(
        ledger, Collection("shop", {"name": "佐藤花子", "email": "hanako@example.jp"}), actor="app"
    ).subject_id
    with ledger.engine.begin() as conn:
        contact = subject_contact(ledger, conn, subject, actor="officer", duty="request_answer")
    assert contact is not None and contact.address == "hanako@example.jp"
    assert contact.lang == "ja"  # the policy's authoritative language
    with ledger.engine.connect() as conn:
        last = conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()
    assert (last.action, last.subject_id, last.reason) == ("contact", subject, "request_answer")


def test_no_contact_for_an_erased_subject_or_one_without_an_address(ledger: Ledger) -> None:
    without = collect(ledger, Collection("shop", {"name": "山田太郎"}), actor="app").subject_id
    erased = collect(
        ledger, Collection("shop", {"name": "x", "email": "x@example.jp"}), actor="app"
    ).subject_id
    erase(ledger, erased, actor="officer")
    with ledger.engine.begin() as conn:
        assert subject_contact(ledger, conn, without, actor="o", duty="d") is None
        assert subject_contact(ledger, conn, erased, actor="o", duty="d") is None
