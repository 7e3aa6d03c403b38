"""Requests: intake, repeats, verification, refusal, withdrawal, the queue and show; on SQLite
and PostgreSQL. Fulfilment of each kind is in test_requests_fulfil.py."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from hogo.ledger import tables as t
from hogo.ledger.tables_requests import request_events, requests
from hogo.services.erasure import erase
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger
from hogo.services.requests import (
    fulfil,
    list_requests,
    new_request,
    refuse,
    show,
    verify,
    withdraw,
)
from tests.services.conftest import FixedClock
from tests.services.requests_support import audits, collected, messages, request_row
from tests.services.test_provision import counts

TODAY = date(2026, 11, 24)


# --- intake ---------------------------------------------------------------------------------


def test_a_request_by_subject_is_received_dated_priced_and_acknowledged(ledger: Ledger) -> None:
    s = collected(ledger)
    received = new_request(ledger, kind="disclosure", subject_id=s, actor="desk")
    r = received.request
    assert re.fullmatch(r"R[A-Z2-7]{16}", r.id)
    assert (r.kind, r.state, r.subject_id, r.channel, r.lang) == (
        "disclosure",
        "received",
        s,
        "portal",
        "ja",
    )
    assert r.due_on == TODAY + timedelta(days=14)  # Art. 39: two weeks
    assert r.fee_yen == 1000 and not r.possibly_repeated and not r.overdue
    assert received.acknowledged
    (message,) = messages(ledger, r.id)
    # No address was given: the subject's own, read as a duty and audited as "contact".
    assert message.to == "hanako@example.jp" and message.lang == "ja"
    assert message.subject == f"【株式会社フル】ご請求を受け付けました（受付番号：{r.id}）"
    assert "回答予定日：2026年12月8日まで" in message.body and "手数料：1,000円" in message.body
    (entry,) = audits(ledger, "request_new")
    assert (entry.subject_id, entry.reason, entry.detail["request_id"]) == (s, "disclosure", r.id)
    assert audits(ledger, "contact")[-1].subject_id == s


def test_ids_are_random_and_unguessable(ledger: Ledger) -> None:
    s = collected(ledger)
    ids = {new_request(ledger, kind="purpose_notice", subject_id=s, actor="d").request.id for _ in range(5)}  # fmt: skip
    assert len(ids) == 5


def test_fees_only_for_the_kinds_art_38_allows(ledger: Ledger) -> None:
    s = collected(ledger)
    notice = new_request(ledger, kind="purpose_notice", subject_id=s, actor="d").request
    correction = new_request(ledger, kind="correction", subject_id=s, actor="d").request
    records = new_request(ledger, kind="provision_records", subject_id=s, actor="d").request
    assert (notice.fee_yen, correction.fee_yen, records.fee_yen) == (500, None, None)
    (message,) = messages(ledger, correction.id)
    assert "手数料" not in message.body


def test_an_email_request_finds_the_subject_through_the_blind_index(ledger: Ledger) -> None:
    s = collected(ledger)
    r = new_request(ledger, kind="disclosure", email=" Hanako@EXAMPLE.jp", actor="portal").request
    assert r.subject_id == s
    row = request_row(ledger, r.id)
    assert b"hanako" not in row.contact.lower() and row.contact_index is not None
    assert show(ledger, r.id, actor="desk").contact == "Hanako@example.jp"


def test_an_unknown_address_looks_exactly_like_a_known_one(ledger: Ledger) -> None:
    collected(ledger)
    # A first request creates the register key once; measure the ones after it.
    new_request(ledger, kind="purpose_notice", email="first@example.jp", actor="portal")
    before = counts(ledger)
    known = new_request(ledger, kind="disclosure", email="hanako@example.jp", actor="portal")
    middle = counts(ledger)
    unknown = new_request(ledger, kind="disclosure", email="stranger@example.jp", actor="portal")
    after = counts(ledger)
    assert known.request.subject_id is not None and unknown.request.subject_id is None
    # The answer the portal shows: the same fields and values but the id.
    public = [known.public(), unknown.public()]
    assert public[0].pop("id") != public[1].pop("id")
    assert public[0] == public[1]
    assert known.acknowledged and unknown.acknowledged
    # The same rows are written either way.
    assert {k: middle[k] - before[k] for k in before} == {k: after[k] - middle[k] for k in before}
    # The same acknowledgement, to the address given, in the same language.
    (m1,) = messages(ledger, known.request.id)
    (m2,) = messages(ledger, unknown.request.id)
    assert (m1.lang, m1.to, m2.to) == (m2.lang, "hanako@example.jp", "stranger@example.jp")
    same = lambda m, rid: (m.subject.replace(rid, "ID"), m.body.replace(rid, "ID"))  # noqa: E731
    assert same(m1, known.request.id) == same(m2, unknown.request.id)
    # Only staff see that the address matched nobody.
    notes = [e.note for e in show(ledger, unknown.request.id, actor="desk").events]
    assert notes == ["the address matches no subject"]


def test_the_requester_language_is_never_taken_from_a_matched_subject(ledger: Ledger) -> None:
    s = collected(ledger)
    with ledger.engine.begin() as conn:
        conn.execute(update(t.subjects).where(t.subjects.c.id == s).values(lang="en"))
    by_email = new_request(ledger, kind="disclosure", email="hanako@example.jp", actor="portal")
    assert by_email.request.lang == "ja"  # the policy's authoritative language, as for a stranger
    by_subject = new_request(ledger, kind="disclosure", subject_id=s, actor="desk")
    assert by_subject.request.lang == "en"
    chosen = new_request(ledger, kind="disclosure", email="x@example.jp", lang="en", actor="p")
    assert chosen.request.lang == "en"
    (message,) = messages(ledger, chosen.request.id)
    assert message.subject.startswith("[Full K.K.] We have received your request")


def test_agent_and_channel(ledger: Ledger) -> None:
    s = collected(ledger)
    r = new_request(
        ledger,
        kind="disclosure",
        subject_id=s,
        email="agent@lawfirm.example",
        agent_name="弁護士 山田太郎",
        agent_authority="委任状（2026年11月20日付）",
        channel="mail",
        actor="desk",
    ).request
    assert r.agent and r.channel == "post" and r.subject_id == s
    row = request_row(ledger, r.id)
    assert "山田".encode() not in row.agent_name and "委任状".encode() not in row.agent_authority
    detail = show(ledger, r.id, actor="desk")
    assert (detail.agent_name, detail.contact) == ("弁護士 山田太郎", "agent@lawfirm.example")
    (message,) = messages(ledger, r.id)
    assert message.to == "agent@lawfirm.example"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"kind": "delete"}, BadInput, "unknown request kind 'delete'"),
        ({"subject_id": None}, BadInput, "say who asks"),
        ({"subject_id": "0" * 32}, NotFound, "no subject"),
        ({"subject_id": None, "email": "not an address"}, BadInput, "e-mail address"),
        ({"agent_name": "代理人"}, BadInput, "both a name and the authority"),
        ({"agent_name": "x" * 201, "agent_authority": "委任状"}, BadInput, "at most 200"),
        ({"channel": "fax"}, BadInput, "unknown channel 'fax'"),
        ({"lang": "fr"}, BadInput, "unknown language"),
        ({"actor": " "}, BadInput, "an actor is required"),
    ],
)
def test_bad_requests_write_nothing(
    ledger: Ledger, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    s = collected(ledger)
    call: dict[str, Any] = {"kind": "disclosure", "subject_id": s, "actor": "desk", **kwargs}
    before = counts(ledger)
    with pytest.raises(error, match=message):
        new_request(ledger, **call)
    assert counts(ledger) == before


def test_a_request_about_an_erased_subject_is_refused(ledger: Ledger) -> None:
    s = collected(ledger)
    erase(ledger, s, actor="officer")
    before = counts(ledger)
    with pytest.raises(Refused, match="erased"):
        new_request(ledger, kind="disclosure", subject_id=s, actor="desk")
    assert counts(ledger) == before


# --- repeats --------------------------------------------------------------------------------


def test_a_second_request_of_the_same_kind_is_flagged_not_refused(ledger: Ledger) -> None:
    s = collected(ledger)
    first = new_request(ledger, kind="disclosure", subject_id=s, actor="desk").request
    other_kind = new_request(ledger, kind="correction", subject_id=s, actor="desk").request
    second = new_request(ledger, kind="disclosure", email="hanako@example.jp", actor="p").request
    assert not first.possibly_repeated and not other_kind.possibly_repeated
    assert second.possibly_repeated and second.repeat_of == first.id
    assert second.state == "received"  # a person decides
    notes = [e.note for e in show(ledger, second.id, actor="desk").events]
    assert notes == [f"possibly repeats request {first.id}: a person decides"]


def test_repeats_by_address_when_no_subject_matches(ledger: Ledger) -> None:
    first = new_request(ledger, kind="disclosure", email="stranger@example.jp", actor="p").request
    second = new_request(ledger, kind="disclosure", email="STRANGER@example.jp", actor="p").request
    other = new_request(ledger, kind="disclosure", email="someone@example.jp", actor="p").request
    assert second.repeat_of == first.id and not other.possibly_repeated


def test_no_repeat_after_the_window_or_after_a_withdrawal(
    ledger: Ledger, clock: FixedClock
) -> None:
    s = collected(ledger)
    first = new_request(ledger, kind="disclosure", subject_id=s, actor="desk").request
    withdrawn = new_request(ledger, kind="erasure", subject_id=s, actor="desk").request
    withdraw(ledger, withdrawn.id, actor="desk")
    again = new_request(ledger, kind="erasure", subject_id=s, actor="desk").request
    assert not again.possibly_repeated
    clock.advance_to(TODAY + timedelta(days=180))
    inside = new_request(ledger, kind="disclosure", subject_id=s, actor="desk").request
    assert inside.repeat_of == first.id
    clock.advance_to(TODAY + timedelta(days=181 + 180))
    outside = new_request(ledger, kind="disclosure", subject_id=s, actor="desk").request
    assert not outside.possibly_repeated


# --- verification ---------------------------------------------------------------------------


def test_verification_pending_then_done(ledger: Ledger) -> None:
    s = collected(ledger)
    rid = new_request(ledger, kind="disclosure", subject_id=s, actor="desk").request.id
    pending = verify(
        ledger,
        rid,
        method="id_document",
        evidence="運転免許証の写しを依頼",
        pending=True,
        actor="d",
    )
    assert pending.state == "verifying" and pending.verified_at is None
    done = verify(ledger, rid, method="id_document", evidence="運転免許証で確認", actor="desk")
    assert done.state == "in_progress" and done.verified_at is not None
    row = request_row(ledger, rid)
    assert "運転免許証".encode() not in row.verification_evidence
    detail = show(ledger, rid, actor="desk")
    assert detail.verification_evidence == "運転免許証で確認"
    assert [(e.action, e.from_state, e.to_state) for e in detail.events] == [
        ("new", None, "received"),
        ("start_verification", "received", "verifying"),
        ("verify", "verifying", "in_progress"),
    ]
    assert [a.detail["pending"] for a in audits(ledger, "request_verify")] == [True, False]


def test_verification_asks_only_for_what_is_held(ledger: Ledger) -> None:
    s = collected(ledger, {"name": "佐藤花子", "email": "hanako@example.jp"})
    rid = new_request(ledger, kind="disclosure", subject_id=s, actor="desk").request.id
    before = counts(ledger)
    with pytest.raises(BadInput, match=r"holds no card for subject .*never ask"):
        verify(ledger, rid, method="held_items", evidence="x", items=["name", "card"], actor="d")
    with pytest.raises(BadInput, match="unknown item 'birthday'"):
        verify(ledger, rid, method="held_items", evidence="x", items=["birthday"], actor="d")
    with pytest.raises(BadInput, match="unknown method 'dna'"):
        verify(ledger, rid, method="dna", evidence="x", actor="d")
    with pytest.raises(BadInput, match="evidence is required"):
        verify(ledger, rid, method="held_items", evidence=" ", actor="d")
    assert counts(ledger) == before
    done = verify(
        ledger,
        rid,
        method="held_items",
        evidence="氏名と住所が一致",
        items=["name", "email"],
        actor="d",
    )
    assert done.verification_items == ("name", "email")


def test_verification_can_identify_the_subject_of_an_unmatched_request(ledger: Ledger) -> None:
    s = collected(ledger)
    rid = new_request(ledger, kind="disclosure", email="old@example.jp", actor="p").request.id
    before = counts(ledger)
    with pytest.raises(BadInput, match="names no subject"):
        verify(ledger, rid, method="held_items", evidence="x", items=["name"], actor="d")
    with pytest.raises(NotFound, match="no subject"):
        verify(ledger, rid, method="id_document", evidence="x", subject_id="f" * 32, actor="d")
    assert counts(ledger) == before
    done = verify(
        ledger, rid, method="held_items", evidence="ok", items=["name"], subject_id=s, actor="d"
    )
    assert done.subject_id == s
    other = collected(ledger, {"name": "鈴木一郎", "email": "ichiro@example.jp"})
    rid2 = new_request(ledger, kind="disclosure", subject_id=s, actor="d").request.id
    with pytest.raises(BadInput, match="already about subject"):
        verify(ledger, rid2, method="id_document", evidence="x", subject_id=other, actor="d")


# --- illegal transitions, refusal, withdrawal -----------------------------------------------


def test_illegal_transitions_name_state_and_action_and_write_nothing(ledger: Ledger) -> None:
    s = collected(ledger)
    rid = new_request(ledger, kind="purpose_notice", subject_id=s, actor="desk").request.id
    before = counts(ledger)
    with pytest.raises(BadInput, match=f"request {rid} is received; it cannot be fulfilled"):
        fulfil(ledger, rid, actor="desk")
    assert counts(ledger) == before
    verify(ledger, rid, method="in_person", evidence="窓口で確認", actor="desk")
    fulfil(ledger, rid, actor="desk")
    before = counts(ledger)
    with pytest.raises(BadInput, match=f"request {rid} is answered; it cannot be verified") as e:
        verify(ledger, rid, method="in_person", evidence="x", actor="desk")
    assert e.value.code == "illegal_transition"
    for action in (
        lambda: refuse(ledger, rid, ground="harm", reason="x", actor="d"),
        lambda: withdraw(ledger, rid, actor="d"),
        lambda: fulfil(ledger, rid, actor="d"),
    ):
        with pytest.raises(BadInput, match="is answered; it cannot be"):
            action()
    assert counts(ledger) == before
    with pytest.raises(NotFound, match="no request RNOPE"):
        withdraw(ledger, "RNOPE", actor="d")


def test_refusal_needs_a_ground_for_the_kind_and_a_reason(ledger: Ledger) -> None:
    s = collected(ledger)
    rid = new_request(ledger, kind="correction", subject_id=s, actor="desk").request.id
    before = counts(ledger)
    with pytest.raises(BadInput, match="ground 'harm' does not apply to correction requests"):
        refuse(ledger, rid, ground="harm", reason="x", actor="d")
    with pytest.raises(BadInput, match="unknown refusal ground"):
        refuse(ledger, rid, ground="busy", reason="x", actor="d")
    with pytest.raises(BadInput, match="reason"):
        refuse(ledger, rid, ground="data_true", reason="", actor="d")
    assert counts(ledger) == before
    refused = refuse(
        ledger,
        rid,
        ground="data_true",
        reason="ご登録の氏名は申込書の記載と一致しています。",
        actor="d",
    )
    assert refused.state == "refused" and refused.refusal_ground == "data_true"
    assert refused.closed_at is not None
    row = request_row(ledger, rid)
    assert "申込書".encode() not in row.reason
    message = messages(ledger, rid)[-1]
    assert message.subject == f"【株式会社フル】ご請求への回答（受付番号：{rid}）"
    assert "理由：調査の結果、保有個人データの内容が事実であることを確認したため" in message.body
    assert "ご登録の氏名は申込書の記載と一致しています。" in message.body
    assert audits(ledger, "request_refuse")[-1].reason == "data_true"


def test_withdrawal_from_any_open_state(ledger: Ledger) -> None:
    s = collected(ledger)
    states = []
    for steps in (0, 1, 2):
        rid = new_request(ledger, kind="erasure", subject_id=s, actor="desk").request.id
        if steps >= 1:
            verify(ledger, rid, method="id_document", evidence="x", pending=True, actor="d")
        if steps >= 2:
            verify(ledger, rid, method="id_document", evidence="x", actor="d")
        sent = len(messages(ledger))
        done = withdraw(ledger, rid, actor="desk", note="ご本人より取り下げの連絡")
        assert done.state == "withdrawn" and done.closed_at is not None
        assert len(messages(ledger)) == sent  # nothing is sent
        states.append(show(ledger, rid, actor="d").events[-1].from_state)
    assert states == ["received", "verifying", "in_progress"]


# --- the queue and show ---------------------------------------------------------------------


def test_the_queue_lists_overdue_first_then_by_due_date(ledger: Ledger, clock: FixedClock) -> None:
    s = collected(ledger)
    old = new_request(ledger, kind="disclosure", subject_id=s, actor="d").request.id
    clock.advance_to(TODAY + timedelta(days=5))
    middle = new_request(ledger, kind="correction", subject_id=s, actor="d").request.id
    clock.now += timedelta(minutes=1)  # same due day: the earlier arrival comes first
    answered = new_request(ledger, kind="purpose_notice", subject_id=s, actor="d").request.id
    verify(ledger, answered, method="in_person", evidence="x", actor="d")
    fulfil(ledger, answered, actor="d")
    clock.advance_to(TODAY + timedelta(days=10))
    recent = new_request(ledger, kind="erasure", subject_id=s, actor="d").request.id
    # On day 20 the first (due day 14) is overdue; the answered one never is.
    queue = list_requests(ledger, today=TODAY + timedelta(days=20))
    assert [r.id for r in queue] == [old, middle, answered, recent]
    assert [r.overdue for r in queue] == [True, True, False, False]
    # Before anything is due, the order is by due date alone.
    assert [r.id for r in list_requests(ledger)] == [old, middle, answered, recent]
    assert [r.id for r in list_requests(ledger, state="answered")] == [answered]
    due = list_requests(ledger, due_before=TODAY + timedelta(days=19))
    assert [r.id for r in due] == [old]
    with pytest.raises(BadInput, match="unknown request state 'open'"):
        list_requests(ledger, state="open")


def test_overdue_is_read_from_the_clock(ledger: Ledger, clock: FixedClock) -> None:
    s = collected(ledger)
    rid = new_request(ledger, kind="disclosure", subject_id=s, actor="d").request.id
    clock.advance_to(TODAY + timedelta(days=14))
    assert not list_requests(ledger)[0].overdue
    clock.advance_to(TODAY + timedelta(days=15))
    (late,) = list_requests(ledger)
    assert late.overdue and late.id == rid


def test_show_is_audited_and_events_are_encrypted(ledger: Ledger) -> None:
    s = collected(ledger)
    rid = new_request(ledger, kind="disclosure", subject_id=s, actor="desk").request.id
    verify(ledger, rid, method="phone_callback", evidence="登録番号へ折り返し確認", actor="desk")
    with ledger.engine.connect() as conn:
        notes = [
            r.note
            for r in conn.execute(
                select(request_events.c.note).where(request_events.c.request_id == rid)
            )
        ]
    assert all(n is None or "折り返し".encode() not in n for n in notes)
    detail = show(ledger, rid, actor="auditor")
    assert detail.events[-1].note == "phone_callback: 登録番号へ折り返し確認"
    assert detail.to_dict()["events"][-1]["actor"] == "desk"
    (entry,) = audits(ledger, "request_show")
    assert (entry.actor, entry.subject_id, entry.detail["request_id"]) == ("auditor", s, rid)
    with pytest.raises(NotFound):
        show(ledger, "RMISSING", actor="auditor")


def test_ciphertexts_are_bound_to_their_request(ledger: Ledger) -> None:
    """A contact moved from one request to another no longer opens."""
    s = collected(ledger)
    a = new_request(ledger, kind="disclosure", email="a@example.jp", actor="p").request.id
    b = new_request(ledger, kind="disclosure", subject_id=s, email="b@example.jp", actor="p").request.id  # fmt: skip
    with ledger.engine.begin() as conn:
        blob = conn.execute(select(requests.c.contact).where(requests.c.id == a)).scalar_one()
        conn.execute(update(requests).where(requests.c.id == b).values(contact=blob))
    with pytest.raises(Exception, match="does not open"):
        show(ledger, b, actor="d")
