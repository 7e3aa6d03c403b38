"""The inquiry register (APPI Art. 40): recorded encrypted, acknowledged outside the hours,
answered through the outbox; bad input writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hogo.domain.reception import JAPAN
from hogo.ledger import tables as t
from hogo.ledger.tables_registers import inquiries
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.inquiries import (
    answer_inquiry,
    list_inquiries,
    new_inquiry,
    parse_received_at,
    show_inquiry,
)
from hogo.services.ledger import Ledger
from hogo.services.outbox import OpenMessage, open_message
from tests.services.conftest import FixedClock
from tests.services.consent_support import erase_directly, publish_variant, subject

ADDRESS = "taro@example.jp"
TEXT = "会員登録した住所を変更したいのですが、どうすればよいですか。"


def counts(ledger: Ledger) -> dict[str, int]:
    tables = (inquiries, t.outbox, t.audit)
    with ledger.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in tables
        }


def messages(ledger: Ledger) -> list[OpenMessage]:
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(t.outbox).order_by(t.outbox.c.id)).all()
        opened = [open_message(ledger, conn, row) for row in rows]
    return [m for m in opened if m is not None]


def at_japan(clock: FixedClock, year: int, month: int, day: int, hour: int) -> None:
    clock.now = datetime(year, month, day, hour, tzinfo=JAPAN).astimezone(UTC)


def new(ledger: Ledger, **kwargs: Any) -> Any:
    given: dict[str, Any] = {"kind": "question", "channel": "email", "text": TEXT}
    given.update(kwargs)
    return new_inquiry(ledger, actor="desk", **given)


def test_within_hours_no_acknowledgement(ledger: Ledger) -> None:
    inquiry = new(ledger, email=ADDRESS, received_at=datetime(2026, 11, 24, 11, tzinfo=JAPAN))
    assert inquiry.acknowledged == "within_hours" and inquiry.handle_from is None
    assert inquiry.state == "open" and inquiry.has_contact
    assert messages(ledger) == []


def test_at_closing_time_the_acknowledgement_names_the_next_opening(ledger: Ledger) -> None:
    # The fixture's clock is 2026-11-24 09:00 UTC: 18:00 in Tokyo, exactly closing time.
    inquiry = new(ledger, email=ADDRESS)
    assert inquiry.acknowledged == "queued"
    assert inquiry.handle_from == datetime(2026, 11, 25, 10, tzinfo=JAPAN)
    [message] = messages(ledger)
    assert message.kind == "inquiry_acknowledgement" and message.to == ADDRESS
    assert (
        message.subject == f"【株式会社フル】お問い合わせを受け付けました（受付番号 {inquiry.id}）"
    )
    assert "受付時間外にお寄せいただいたため、11月25日（水）10時以降に順次対応いたします" in (
        message.body
    )


def test_year_end_acknowledgement_in_japanese_and_english(
    ledger: Ledger, clock: FixedClock
) -> None:
    at_japan(clock, 2026, 12, 30, 12)
    new(ledger, email=ADDRESS)
    new(ledger, email="jane@example.jp", lang="en", kind="opinion")
    ja, en = messages(ledger)
    assert (
        "12月29日から1月3日までは休業日のため、1月4日（月）10時以降に順次対応いたします" in ja.body
    )
    assert en.subject.startswith("[Full K.K.] We have received your feedback")
    assert (
        "closed from 29 December to 3 January; we will deal with it in turn from 10:00 on "
        "Monday 4 January (Japan time)" in en.body
    )


def test_saturday_depends_on_the_stated_days(
    ledger: Ledger, clock: FixedClock, tmp_path: Path
) -> None:
    at_japan(clock, 2026, 11, 28, 12)
    assert new(ledger, email=ADDRESS).acknowledged == "queued"
    assert (
        "11月28日から11月29日までは休業日のため、11月30日（月）10時以降" in messages(ledger)[0].body
    )
    publish_variant(
        ledger,
        tmp_path,
        {"days: weekdays, open": "days: weekdays_and_saturday, open"},
        date(2026, 11, 27),
    )
    assert new(ledger, email=ADDRESS).acknowledged == "within_hours"
    assert len(messages(ledger)) == 1


def test_a_national_holiday_is_outside_the_hours(ledger: Ledger, clock: FixedClock) -> None:
    at_japan(clock, 2026, 11, 23, 12)  # 勤労感謝の日
    assert new(ledger, email=ADDRESS).acknowledged == "queued"
    body = messages(ledger)[0].body
    assert "11月21日から11月23日までは休業日のため、11月24日（火）10時以降" in body


def test_outside_hours_without_an_address_nothing_is_queued(ledger: Ledger) -> None:
    inquiry = new(ledger, channel="phone")
    assert inquiry.acknowledged == "no_contact" and inquiry.handle_from is not None
    assert messages(ledger) == []


def test_recorded_after_the_desk_opened_again_no_stale_promise(ledger: Ledger) -> None:
    inquiry = new(ledger, email=ADDRESS, received_at=datetime(2026, 11, 22, 12, tzinfo=JAPAN))
    assert inquiry.acknowledged == "opened_since"
    assert inquiry.handle_from == datetime(2026, 11, 24, 10, tzinfo=JAPAN)
    assert messages(ledger) == []


def test_a_complaint_is_acknowledged_by_the_complaints_desk(ledger: Ledger) -> None:
    new(ledger, kind="complaint", email=ADDRESS)
    [message] = messages(ledger)
    assert message.subject.startswith("【株式会社フル】お申し出を受け付けました")
    assert "株式会社フル 苦情窓口です。" in message.body
    assert "complaints@full.example" in message.body


def test_a_policy_without_hours_never_acknowledges(
    ledger: Ledger, tmp_path: Path, clock: FixedClock
) -> None:
    publish_variant(
        ledger,
        tmp_path,
        {'    hours: {days: weekdays, open: "10:00", close: "18:00"}\n': ""},
        date(2026, 11, 1),
    )
    at_japan(clock, 2026, 12, 30, 12)
    assert new(ledger, email=ADDRESS).acknowledged == "no_hours"
    assert messages(ledger) == []


def test_what_people_wrote_is_encrypted(ledger: Ledger) -> None:
    inquiry = new(ledger, email=ADDRESS)
    answer_inquiry(ledger, inquiry.id, text="マイページから変更できます。", actor="desk")
    with ledger.engine.connect() as conn:
        row = conn.execute(select(inquiries)).one()
    stored = row.text + row.contact + row.answer
    assert b"taro" not in stored and "住所".encode() not in stored
    assert "マイページ".encode() not in stored


def test_answer_goes_to_the_outbox_and_is_audited(ledger: Ledger, clock: FixedClock) -> None:
    inquiry = new(ledger, email=ADDRESS, received_at=datetime(2026, 11, 24, 11, tzinfo=JAPAN))
    at_japan(clock, 2026, 11, 25, 11)
    answered = answer_inquiry(ledger, inquiry.id, text="マイページから変更できます。", actor="desk")
    assert answered.state == "answered" and answered.answered_at == clock.now
    [message] = messages(ledger)
    assert message.kind == "inquiry_answer"
    assert message.subject == f"【株式会社フル】お問い合わせへのご回答（受付番号 {inquiry.id}）"
    assert "マイページから変更できます。" in message.body
    assert "2026年11月24日 11:00にお寄せいただいたお問い合わせ" in message.body
    with ledger.engine.connect() as conn:
        actions = conn.execute(select(t.audit.c.action).order_by(t.audit.c.id)).scalars().all()
    assert actions[-2:] == ["inquiry", "inquiry_answer"]


def test_answer_without_an_address_is_recorded_only(ledger: Ledger) -> None:
    inquiry = new(ledger, channel="counter")
    answer_inquiry(ledger, inquiry.id, text="口頭でご説明しました。", actor="desk")
    assert messages(ledger) == []
    assert show_inquiry(ledger, inquiry.id, actor="desk").answer == "口頭でご説明しました。"


def test_answering_twice_or_an_unknown_inquiry_writes_nothing(ledger: Ledger) -> None:
    inquiry = new(ledger, email=ADDRESS, received_at=datetime(2026, 11, 24, 11, tzinfo=JAPAN))
    answer_inquiry(ledger, inquiry.id, text="回答です。", actor="desk")
    before = counts(ledger)
    with pytest.raises(BadInput, match="already answered"):
        answer_inquiry(ledger, inquiry.id, text="二度目の回答", actor="desk")
    with pytest.raises(NotFound, match="no inquiry 999"):
        answer_inquiry(ledger, 999, text="回答", actor="desk")
    with pytest.raises(BadInput, match="answer is required"):
        answer_inquiry(ledger, inquiry.id, text=" ", actor="desk")
    assert counts(ledger) == before


def test_show_decrypts_and_is_audited(ledger: Ledger) -> None:
    inquiry = new(ledger, email=ADDRESS)
    shown = show_inquiry(ledger, inquiry.id, actor="desk")
    assert (shown.email, shown.text, shown.answer) == (ADDRESS, TEXT, None)
    assert shown.to_dict()["text"] == TEXT
    with ledger.engine.connect() as conn:
        last = conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()
    assert last.action == "inquiry_read" and last.detail == {"inquiry_id": inquiry.id}
    with pytest.raises(NotFound):
        show_inquiry(ledger, 999, actor="desk")


def test_list_filters_open_and_kind_without_content(ledger: Ledger) -> None:
    first = new(ledger, received_at=datetime(2026, 11, 24, 11, tzinfo=JAPAN))
    second = new(ledger, kind="complaint", received_at=datetime(2026, 11, 24, 12, tzinfo=JAPAN))
    answer_inquiry(ledger, first.id, text="回答", actor="desk")
    everything = list_inquiries(ledger, actor="desk")
    assert [i.id for i in everything] == [first.id, second.id]
    assert everything[0].text is None and "text" not in everything[0].to_dict()
    assert [i.id for i in list_inquiries(ledger, actor="desk", open_only=True)] == [second.id]
    assert [i.id for i in list_inquiries(ledger, actor="desk", kind="question")] == [first.id]
    with pytest.raises(BadInput, match="unknown kind 'praise'"):
        list_inquiries(ledger, actor="desk", kind="praise")


def test_a_subject_link_takes_the_subject_and_refuses_unknown_or_erased(
    ledger: Ledger,
) -> None:
    person = subject(ledger)
    inquiry = new(ledger, subject_id=person, received_at=datetime(2026, 11, 24, 11, tzinfo=JAPAN))
    assert inquiry.subject_id == person and inquiry.lang == "ja"
    before = counts(ledger)
    with pytest.raises(NotFound, match="no subject nobody"):
        new(ledger, subject_id="nobody", email=ADDRESS)
    erase_directly(ledger, person, datetime(2026, 11, 24, tzinfo=UTC))
    with pytest.raises(Refused, match="erased"):
        new(ledger, subject_id=person, email=ADDRESS)
    assert counts(ledger) == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "praise"}, "unknown kind 'praise'"),
        ({"channel": "fax"}, "unknown channel 'fax'"),
        ({"text": "  "}, "the text is required"),
        ({"text": "あ" * 10_001}, "at most 10,000"),
        ({"text": "a\x00b"}, "NUL"),
        ({"email": "not-an-address"}, "the e-mail address is not an e-mail address"),
        ({"lang": "fr"}, "unknown language 'fr'"),
        ({"received_at": datetime(2026, 11, 25, tzinfo=UTC)}, "in the future"),
        ({"received_at": datetime(2026, 11, 20, 12)}, "time zone"),
    ],
)
def test_bad_input_writes_nothing(ledger: Ledger, kwargs: dict[str, Any], message: str) -> None:
    before = counts(ledger)
    with pytest.raises(BadInput, match=message):
        new(ledger, **kwargs)
    assert counts(ledger) == before


def test_received_at_without_a_zone_is_japan_time() -> None:
    assert parse_received_at("2026-12-29T21:05") == datetime(2026, 12, 29, 21, 5, tzinfo=JAPAN)
    assert parse_received_at("2026-12-29T12:05+00:00") == datetime(2026, 12, 29, 12, 5, tzinfo=UTC)
    with pytest.raises(BadInput, match="not a date and time"):
        parse_received_at("yesterday")
