"""Fulfilling each kind of request end to end, on SQLite and PostgreSQL: what the ledger does,
what the person is told, and that a failure writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, update

from hogo.ledger import tables as t
from hogo.ledger.crypto import WrappedKey
from hogo.ledger.tables_requests import record_history
from hogo.services.errors import BadInput, Refused
from hogo.services.ledger import Ledger
from hogo.services.provision import provide, receive
from hogo.services.requests import fulfil, new_request, refuse, show, verify
from hogo.services.subjects import find
from hogo.services.use import use
from tests.services.requests_support import (
    audits,
    collected,
    fulfilled,
    in_progress,
    messages,
    request_row,
)
from tests.services.test_provision import counts


def test_purpose_notice_answers_the_purposes_the_data_serves(ledger: Ledger) -> None:
    s = collected(ledger, newsletter=False)  # opted out of the newsletter
    done = fulfilled(ledger, "purpose_notice", s)
    assert done.request.state == "answered" and done.request.closed_at is not None
    # orders (announced) and list_sales (opt-out, not opted out); not newsletter (opted
    # out) nor wellness (consent, never given).
    assert [p["id"] for p in done.answer["purposes"]] == ["orders", "list_sales"]
    assert done.answer["purposes"][0]["label"] == {"ja": "ご注文の処理", "en": "Processing orders"}
    message = messages(ledger, done.request.id)[-1]
    assert message.subject.startswith("【株式会社フル】ご請求への回答")
    assert "・ご注文の処理：ご注文の商品をお届けし、代金を請求するため" in message.body
    assert "メールマガジン" not in message.body
    assert audits(ledger, "request_fulfil")[-1].reason == "purpose_notice"


def test_disclosure_gives_every_value_with_source_date_purposes_and_records(
    ledger: Ledger,
) -> None:
    s = collected(
        ledger,
        {"name": "<script>alert(1)</script>", "email": "hanako@example.jp", "purchases": "緑茶"},
        newsletter=True,
    )
    provide(
        ledger, [s], recipient="partner_us", items=["name", "email"], basis="consent", actor="o"
    )
    receive(
        ledger, subject_id=s, provider_name="提携社", provider_address="東京都千代田区",
        acquisition_method="会員登録", items=["email"], basis="consent", actor="o",
    )  # fmt: skip
    rid = in_progress(ledger, "disclosure", s, lang="en")
    done = fulfil(ledger, rid, actor="desk")
    package = done.answer
    values = {r["item"]: r["value"] for r in package["items"]}
    assert values == {"name": "<script>alert(1)</script>", "email": "hanako@example.jp", "purchases": "緑茶"}  # fmt: skip
    first = package["items"][0]
    assert first["source"] == "shop" and first["source_label"]["en"] == "online shop"
    assert first["collected_at"].startswith("2026-11-24")
    assert [p["id"] for p in package["purposes"]] == ["orders", "newsletter", "list_sales"]
    assert [(c["purpose"], c["granted"]) for c in package["consents"]] == [("newsletter", True)]
    assert package["restrictions"] == []
    (provided,) = package["provision_records"]["provided"]
    assert provided["recipient"] == "partner_us" and provided["items"] == ["name", "email"]
    (received,) = package["provision_records"]["received"]
    assert received["provider_name"] == "提携社"
    json.dumps(package)  # plain JSON
    # The page: the person's language, every value escaped, nothing fetched from elsewhere.
    html = done.html
    assert html is not None and '<html lang="en">' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "Disclosure of retained personal data" in html and "Partner" not in html[:200]
    assert "src=" not in html and "href=" not in html
    # Reading the values is audited as a legal duty, with the items read.
    (entry,) = audits(ledger, "request_disclose")
    assert entry.subject_id == s and set(entry.items) == {"name", "email", "purchases"}
    # The message says the package is ready, and carries no value.
    message = messages(ledger, rid)[-1]
    assert "prepared what we disclose" in message.body and "hanako@example.jp" not in message.body


def test_a_stored_package_is_under_the_subjects_key_and_goes_with_it(ledger: Ledger) -> None:
    s = collected(ledger)
    done = fulfilled(ledger, "disclosure", s)
    row = request_row(ledger, done.request.id)
    assert row.answer[:1] == b"s" and "佐藤".encode() not in row.answer
    assert show(ledger, done.request.id, actor="d").answer == done.answer
    rid = in_progress(ledger, "deletion", s)
    fulfil(ledger, rid, actor="desk")
    detail = show(ledger, done.request.id, actor="d")
    assert detail.answer is None and detail.answer_shredded


def test_disclosure_can_be_limited_to_items(ledger: Ledger) -> None:
    s = collected(ledger)
    done = fulfilled(ledger, "disclosure", s, items=["email"])
    assert [r["item"] for r in done.answer["items"]] == ["email"]


def test_provision_records_disclosure_gives_the_records_alone(ledger: Ledger) -> None:
    s = collected(ledger, newsletter=True)
    provide(ledger, [s], recipient="partner_us", items=["name"], basis="consent", actor="o")
    done = fulfilled(ledger, "provision_records", s)
    assert "items" not in done.answer and "consents" not in done.answer
    assert [r["recipient"] for r in done.answer["provision_records"]["provided"]] == ["partner_us"]
    assert done.html is not None and "第三者提供記録の開示" in done.html
    assert "佐藤花子" not in done.html


def test_correction_changes_the_records_and_keeps_the_old_ciphertext(ledger: Ledger) -> None:
    s = collected(ledger)
    with ledger.engine.connect() as conn:
        old = conn.execute(
            select(t.records.c.id, t.records.c.ciphertext).where(
                t.records.c.subject_id == s, t.records.c.item == "email"
            )
        ).one()
    done = fulfilled(
        ledger, "correction", s, values={"name": "佐藤 花子", "email": "Hanako.Sato@Example.jp"}
    )
    assert done.answer == {"corrected": ["email", "name"]}
    now = use(ledger, s, purpose="orders", items=["name", "email"], actor="ops")
    assert now.values == {"name": "佐藤 花子", "email": "Hanako.Sato@example.jp"}
    # The blind index follows the corrected address; the old one finds nobody.
    assert [x.subject_id for x in find(ledger, email="hanako.sato@example.jp")] == [s]
    assert find(ledger, email="hanako@example.jp") == []
    with ledger.engine.connect() as conn:
        history = conn.execute(select(record_history).where(record_history.c.item == "email")).one()
        key = conn.execute(select(t.subject_keys).where(t.subject_keys.c.subject_id == s)).one()
    assert history.record_id == old.id and history.ciphertext == old.ciphertext
    assert history.request_id == done.request.id
    cipher = ledger.subject_cipher(s, WrappedKey(key.master_key_id, key.wrapped_key))
    assert cipher.decrypt("email", history.ciphertext) == "hanako@example.jp"
    message = messages(ledger, done.request.id)[-1]
    assert "訂正いたしました" in message.body and "・氏名" in message.body
    assert "佐藤 花子" not in message.body


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("correction", {"values": {"email": "not an address"}}, "item 'email': the value"),
        ("correction", {"values": {"card": "4111"}}, "holds no card: that is an addition"),
        ("correction", {"values": {"shoe_size": "24"}}, "unknown item 'shoe_size'"),
        ("correction", {}, "needs the new values"),
        ("addition", {"values": {"name": "別名"}}, "already holds name: that is a correction"),
        ("disclosure", {"values": {"name": "x"}}, "values apply to correction and addition"),
        ("purpose_notice", {"items": ["name"]}, "items apply to disclosure, deletion"),
        ("disclosure", {"purposes": ["orders"]}, "purposes apply to suspension_of_use"),
        ("suspension_of_use", {"purposes": ["nothing"]}, "unknown purpose 'nothing'"),
        ("erasure", {"items": ["shoe_size"]}, "unknown item 'shoe_size'"),
        ("disclosure", {"items": []}, "no items given"),
    ],
)
def test_bad_fulfilment_writes_nothing(
    ledger: Ledger, kind: str, options: dict[str, Any], message: str
) -> None:
    s = collected(ledger)
    rid = in_progress(ledger, kind, s)
    before = counts(ledger)
    with pytest.raises(BadInput, match=message):
        fulfil(ledger, rid, actor="desk", **options)
    assert counts(ledger) == before
    assert request_row(ledger, rid).state == "in_progress"


def test_addition_adds_a_record_the_person_gave(ledger: Ledger) -> None:
    s = collected(ledger, {"name": "佐藤花子", "email": "hanako@example.jp"})
    done = fulfilled(ledger, "addition", s, values={"purchases": "緑茶 2箱"})
    assert done.answer == {"added": ["purchases"]}
    with ledger.engine.connect() as conn:
        record = conn.execute(
            select(t.records).where(t.records.c.subject_id == s, t.records.c.item == "purchases")
        ).one()
    assert record.source == "request" and "緑茶".encode() not in record.ciphertext
    assert use(ledger, s, purpose="orders", items=["purchases"], actor="o").values == {
        "purchases": "緑茶 2箱"
    }


def test_deletion_of_the_whole_subject_shreds_it_and_still_answers(ledger: Ledger) -> None:
    s = collected(ledger)
    correction = fulfilled(ledger, "correction", s, values={"name": "佐藤 花子"})
    rid = in_progress(ledger, "deletion", s)
    done = fulfil(ledger, rid, actor="desk")
    assert done.answer["erased"]["scope"] == "subject" and done.answer["erased"]["key_destroyed"]
    with ledger.engine.connect() as conn:
        assert conn.execute(select(t.subject_keys).where(t.subject_keys.c.subject_id == s)).all() == []  # fmt: skip
        assert conn.execute(select(t.records).where(t.records.c.subject_id == s)).all() == []
        assert conn.execute(select(record_history)).all() == []
    # The answer was read before the address was erased, and went out.
    message = messages(ledger, rid)[-1]
    assert message.to == "hanako@example.jp" and "すべて削除いたしました" in message.body
    assert audits(ledger, "erase")[-1].subject_id == s
    assert request_row(ledger, rid).answer[:1] == b"r"  # the key is gone: the register's
    assert show(ledger, rid, actor="d").answer == done.answer
    assert show(ledger, correction.request.id, actor="d").answer == correction.answer


def test_erasure_of_items(ledger: Ledger) -> None:
    s = collected(ledger)
    fulfilled(ledger, "correction", s, values={"name": "佐藤 花子", "purchases": "紅茶"})
    done = fulfilled(ledger, "erasure", s, items=["purchases"])
    with ledger.engine.connect() as conn:
        kept = conn.execute(select(record_history.c.item).where(record_history.c.subject_id == s))
        # What a correction replaced goes with the item it belonged to.
        assert [r.item for r in kept] == ["name"]
    assert (
        done.answer["erased"]["items"] == ["purchases"]
        and not done.answer["erased"]["key_destroyed"]
    )
    assert use(ledger, s, purpose="orders", items=["name"], actor="o").decision.allowed
    message = messages(ledger, done.request.id)[-1]
    assert "次の項目を消去いたしました" in message.body and "・購入履歴" in message.body


def test_a_legal_hold_refuses_erasure_and_nothing_is_written(ledger: Ledger) -> None:
    s = collected(ledger)
    with ledger.engine.begin() as conn:
        conn.execute(update(t.records).where(t.records.c.subject_id == s).values(legal_hold=True))
    rid = in_progress(ledger, "erasure", s)
    before = counts(ledger)
    with pytest.raises(Refused, match="legal hold"):
        fulfil(ledger, rid, actor="desk")
    assert counts(ledger) == before
    # The person is told why instead (Art. 36).
    refuse(ledger, rid, ground="no_art35_ground", reason="法令により保存が義務付けられています。", actor="d")  # fmt: skip
    assert "法令により保存が義務付けられています。" in messages(ledger, rid)[-1].body


def test_suspension_of_use_is_honoured_by_the_purpose_check(ledger: Ledger) -> None:
    s = collected(ledger)
    assert use(ledger, s, purpose="orders", items=["name"], actor="ops").decision.allowed
    done = fulfilled(ledger, "suspension_of_use", s)
    refused = use(ledger, s, purpose="orders", items=["name"], actor="ops")
    assert not refused.decision.allowed and refused.decision.reason.value == "use_suspended"
    (restriction,) = done.answer["restrictions"]
    with ledger.engine.connect() as conn:
        row = conn.execute(select(t.restrictions).where(t.restrictions.c.id == restriction)).one()
    assert (row.origin, row.scope, row.purpose) == ("request", "use", None)
    assert done.request.id in row.reason
    message = messages(ledger, done.request.id)[-1]
    assert "利用を停止いたしました" in message.body and "すべての利用目的" in message.body


def test_suspension_for_one_purpose(ledger: Ledger) -> None:
    s = collected(ledger)
    fulfilled(ledger, "suspension_of_use", s, purposes=["list_sales"])
    assert use(ledger, s, purpose="orders", items=["name"], actor="o").decision.allowed
    assert not use(ledger, s, purpose="list_sales", items=["name"], actor="o").decision.allowed


def test_stop_of_provision_is_honoured_by_provide(ledger: Ledger) -> None:
    s = collected(ledger, newsletter=True)
    done = fulfilled(ledger, "stop_provision", s)
    with pytest.raises(Refused, match="suspended") as caught:
        provide(ledger, [s], recipient="partner_us", items=["name"], basis="consent", actor="o")
    assert caught.value.code == "provision_suspended"
    message = messages(
        ledger,
        done.request.id,
    )[-1]
    assert "第三者への提供を停止いたしました" in message.body


def test_a_request_without_a_subject(ledger: Ledger) -> None:
    collected(ledger)
    rid = new_request(ledger, kind="disclosure", email="stranger@example.jp", actor="p").request.id
    verify(ledger, rid, method="registered_email", evidence="返信あり", actor="d")
    done = fulfil(ledger, rid, actor="desk")
    assert done.answer["items"] == [] and done.answer["subject_id"] is None
    assert done.html is not None and "保有しておりません" in done.html
    assert audits(ledger, "request_disclose") == []
    erase_id = new_request(
        ledger, kind="erasure", email="stranger@example.jp", actor="p"
    ).request.id
    verify(ledger, erase_id, method="registered_email", evidence="返信あり", actor="d")
    before = counts(ledger)
    with pytest.raises(BadInput, match="names no subject"):
        fulfil(ledger, erase_id, actor="desk")
    assert counts(ledger) == before


def test_an_erased_subject_cannot_be_corrected(ledger: Ledger) -> None:
    s = collected(ledger)
    rid = in_progress(ledger, "correction", s)
    fulfilled(ledger, "deletion", s)
    before = counts(ledger)
    with pytest.raises(Refused, match="erased"):
        fulfil(ledger, rid, actor="desk", values={"name": "x"})
    assert counts(ledger) == before


@pytest.mark.parametrize(
    ("kind", "options", "expected"),
    [
        ("purpose_notice", {}, "- Processing orders: To deliver the goods"),
        ("correction", {"values": {"name": "Hanako Sato"}}, "we have corrected the following:\n\n- name"),
        ("addition", {"values": {"card": "4111 1111 1111 1111"}}, "We have added the following:\n\n- credit card number"),
        ("deletion", {"items": ["purchases"]}, "We have deleted the following:\n\n- purchase history"),
        ("erasure", {}, "We have erased all retained personal data about you."),
        ("suspension_of_use", {"purposes": ["newsletter"]}, "stopped using your personal data for these purposes:\n\n- Newsletter"),
        ("stop_provision", {}, "to third parties for every purpose."),
    ],
)  # fmt: skip
def test_answers_in_english(
    ledger: Ledger, kind: str, options: dict[str, Any], expected: str
) -> None:
    s = collected(ledger)
    rid = in_progress(ledger, kind, s, lang="en")
    fulfil(ledger, rid, actor="desk", **options)
    received, answered = messages(ledger, rid)
    assert received.subject.startswith("[Full K.K.] We have received your request")
    assert answered.subject == f"[Full K.K.] Our answer to your request ({rid})"
    assert expected in answered.body
    assert "Hanako Sato" not in answered.body and "4111" not in answered.body
    assert not any("\u3040" <= ch <= "\u30ff" for ch in answered.body)  # no kana
