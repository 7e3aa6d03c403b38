"""hogo worker against a real SMTP server: delivered once, nothing lost while it is down."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hogo.domain.delivery import RetryRule
from hogo.ledger import tables as t
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger
from hogo.services.mail import worker as mail_worker
from hogo.services.mail.smtp import SmtpTransport, parse_smtp_url
from hogo.services.mail.worker import claim, drain
from hogo.services.outbox import Queued, enqueue, open_message
from tests.services.conftest import FixedClock
from tests.services.mail_support import MailServer

CONTEXT = {"company": "株式会社フル", "contact": "privacy@full.example"}
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[MailServer]:
    mail = MailServer()
    mail.start()
    try:
        yield mail
    finally:
        mail.stop()


@pytest.fixture
def down() -> Iterator[MailServer]:
    """A port nothing listens on (until the test starts the server)."""
    mail = MailServer()
    try:
        yield mail
    finally:
        mail.stop()


def transport(mail: MailServer) -> SmtpTransport:
    return SmtpTransport(parse_smtp_url(mail.url + "?timeout=5"))


def queue(ledger: Ledger, to: str = "hanako@example.jp", lang: str = "ja") -> Queued:
    with ledger.engine.begin() as conn:
        return enqueue(ledger, conn, kind="test_message", lang=lang, to=to, context=CONTEXT)


def row(ledger: Ledger, outbox_id: int | None) -> Any:
    with ledger.engine.connect() as conn:
        return conn.execute(select(t.outbox).where(t.outbox.c.id == outbox_id)).one()


def audit_rows(ledger: Ledger, action: str) -> list[Any]:
    with ledger.engine.connect() as conn:
        query = select(t.audit).where(t.audit.c.action == action).order_by(t.audit.c.id)
        return list(conn.execute(query).all())


def aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def test_a_message_arrives_with_its_headers_and_japanese_body(
    ledger: Ledger, server: MailServer
) -> None:
    queued = queue(ledger)
    result = drain(ledger, transport(server))
    assert [d.state for d in result.deliveries] == ["sent"]
    [got] = server.inbox.received
    assert got.mail_from == "privacy@full.example"
    assert got.rcpt_tos == ("hanako@example.jp",)
    message = got.message
    assert message["Subject"] == "【株式会社フル】メール送信の確認"
    assert message["From"].addresses[0].display_name == "株式会社フル"
    assert message["From"].addresses[0].addr_spec == "privacy@full.example"
    assert message["To"] == "hanako@example.jp"
    assert message["Message-ID"] == queued.message_id
    assert message["Date"].datetime == NOW
    assert message["Content-Language"] == "ja"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert "メール送信設定を確認するために送信しています" in body


def test_an_english_message_is_marked_english(ledger: Ledger, server: MailServer) -> None:
    queue(ledger, lang="en")
    drain(ledger, transport(server))
    [got] = server.inbox.received
    assert got.message["Content-Language"] == "en"
    assert got.message["From"].addresses[0].display_name == "Full K.K."
    assert "This message was sent to check hogo's mail settings." in got.message.get_content()


def test_mail_from_setting_replaces_the_policy_contact(ledger: Ledger, server: MailServer) -> None:
    ledger.settings = ledger.settings.model_copy(update={"mail_from": "窓口 <desk@full.example>"})
    queue(ledger)
    drain(ledger, transport(server))
    [got] = server.inbox.received
    assert got.mail_from == "desk@full.example"
    assert got.message["From"].addresses[0].display_name == "窓口"


def test_a_sent_message_keeps_no_recipient_or_content(ledger: Ledger, server: MailServer) -> None:
    queued = queue(ledger)
    drain(ledger, transport(server), worker="w1")
    sent = row(ledger, queued.id)
    assert sent.recipient is None and sent.content is None
    assert aware(sent.sent_at) == NOW and sent.failed_at is None
    assert (sent.attempts, sent.claimed_by, sent.claimed_until) == (1, None, None)
    [entry] = audit_rows(ledger, "mail_sent")
    assert (entry.actor, entry.outcome, entry.reason) == ("worker:w1", "done", "test_message")
    assert entry.detail["message_id"] == queued.message_id
    assert "hanako" not in str(entry.detail)


def test_a_sent_message_is_not_sent_again(ledger: Ledger, server: MailServer) -> None:
    queue(ledger)
    drain(ledger, transport(server))
    again = drain(ledger, transport(server))
    assert again.deliveries == [] and len(server.inbox.received) == 1


def test_a_down_server_loses_nothing_and_the_message_goes_later(
    ledger: Ledger, down: MailServer, clock: FixedClock
) -> None:
    queued = queue(ledger)
    result = drain(ledger, transport(down))
    assert [d.state for d in result.deliveries] == ["retry"]
    assert result.stopped is not None and "cannot reach the mail server" in result.stopped
    waiting = row(ledger, queued.id)
    assert waiting.attempts == 1 and waiting.sent_at is None and waiting.failed_at is None
    assert aware(waiting.send_after) == NOW + timedelta(minutes=1)
    assert waiting.claimed_by is None
    assert "cannot reach the mail server" in waiting.last_error
    with ledger.engine.connect() as conn:
        kept = open_message(ledger, conn, waiting)
    assert kept is not None and kept.to == "hanako@example.jp"
    [failed] = audit_rows(ledger, "mail_failed")
    assert failed.detail["gave_up"] is False and failed.outcome == "failed"

    down.start()
    assert drain(ledger, transport(down)).deliveries == []  # not due yet: nothing sent
    assert down.inbox.received == []
    clock.now = NOW + timedelta(minutes=1)
    assert [d.state for d in drain(ledger, transport(down)).deliveries] == ["sent"]
    clock.now = NOW + timedelta(hours=1)
    assert drain(ledger, transport(down)).deliveries == []
    assert down.inbox.message_ids() == [queued.message_id]
    assert row(ledger, queued.id).attempts == 2


def test_a_down_server_stops_the_drain_after_one_batch(ledger: Ledger, down: MailServer) -> None:
    ids = [queue(ledger, f"p{n}@example.jp").id for n in range(5)]
    result = drain(ledger, transport(down), batch=2)
    assert [d.outbox_id for d in result.deliveries] == ids[:2]
    assert [row(ledger, i).attempts for i in ids] == [1, 1, 0, 0, 0]
    assert all(row(ledger, i).claimed_by is None for i in ids)


def test_a_permanent_refusal_fails_the_message_at_once(ledger: Ledger, server: MailServer) -> None:
    refused = queue(ledger, "nobody@refused.example")
    fine = queue(ledger, "hanako@example.jp")
    result = drain(ledger, transport(server))
    assert {d.outbox_id: d.state for d in result.deliveries} == {
        refused.id: "failed",
        fine.id: "sent",
    }
    gone = row(ledger, refused.id)
    assert aware(gone.failed_at) == NOW and gone.sent_at is None and gone.attempts == 1
    assert gone.recipient is None and gone.content is None
    assert gone.last_error == "recipient refused (550 5.1.1)"
    [failed] = audit_rows(ledger, "mail_failed")
    assert failed.detail["gave_up"] is True and "nobody" not in str(failed.detail)
    assert server.inbox.message_ids() == [fine.message_id]


def test_a_temporary_refusal_is_tried_again(ledger: Ledger, server: MailServer) -> None:
    busy = queue(ledger, "hanako@busy.example")
    [delivery] = drain(ledger, transport(server)).deliveries
    assert delivery.state == "retry" and delivery.error == "recipient refused (450 4.2.1)"
    waiting = row(ledger, busy.id)
    assert waiting.failed_at is None and waiting.content is not None
    assert "hanako" not in waiting.last_error


def test_it_gives_up_after_the_last_attempt(
    ledger: Ledger, down: MailServer, clock: FixedClock
) -> None:
    queued = queue(ledger)
    rule = RetryRule(max_attempts=3)
    states = []
    for _ in range(3):
        states += [d.state for d in drain(ledger, transport(down), rule=rule).deliveries]
        clock.now += timedelta(hours=1)
    assert states == ["retry", "retry", "failed"]
    gone = row(ledger, queued.id)
    assert gone.failed_at is not None and gone.attempts == 3 and gone.content is None
    assert [e.detail["gave_up"] for e in audit_rows(ledger, "mail_failed")] == [False, False, True]
    down.start()
    assert drain(ledger, transport(down), rule=rule).deliveries == []


def test_a_bad_recipient_address_fails_without_a_connection(
    ledger: Ledger, down: MailServer
) -> None:
    queued = queue(ledger, "not an address@@example.jp")
    [delivery] = drain(ledger, transport(down)).deliveries
    assert delivery.state == "failed"
    assert (
        row(ledger, queued.id).last_error
        == "the recipient address cannot be written in a mail header"
    )


def test_a_claimed_message_is_not_claimed_by_another_worker(ledger: Ledger) -> None:
    ids = [queue(ledger, f"p{n}@example.jp").id for n in range(3)]
    lease = timedelta(minutes=10)
    first = claim(ledger, "a", limit=2, lease=lease, due_by=NOW)
    second = claim(ledger, "b", limit=10, lease=lease, due_by=NOW)
    assert first == ids[:2] and second == ids[2:]
    assert claim(ledger, "c", limit=10, lease=lease, due_by=NOW) == []


def test_a_worker_whose_claim_was_taken_over_does_not_send(
    ledger: Ledger, server: MailServer, clock: FixedClock
) -> None:
    queued = queue(ledger)
    assert claim(ledger, "slow", limit=1, lease=timedelta(minutes=10), due_by=NOW) == [queued.id]
    clock.now = NOW + timedelta(minutes=11)  # the slow worker's claim has run out
    result = drain(ledger, transport(server), worker="fast")
    assert [d.state for d in result.deliveries] == ["sent"]
    # The slow worker comes back to the message it had claimed: it is no longer its own.
    assert mail_worker._take(ledger, "slow", queued.id, timedelta(minutes=10)) is None
    assert len(server.inbox.received) == 1


def test_an_interrupted_worker_gives_back_what_it_had_not_started(
    ledger: Ledger, server: MailServer
) -> None:
    ids = [queue(ledger, f"p{n}@example.jp").id for n in range(3)]

    def interrupt(_: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        drain(ledger, transport(server), batch=3, on_delivery=interrupt)
    assert row(ledger, ids[0]).sent_at is not None
    assert [row(ledger, i).claimed_by for i in ids[1:]] == [None, None]
    rest = drain(ledger, transport(server))
    assert [d.outbox_id for d in rest.deliveries] == ids[1:]
    assert len(server.inbox.received) == 3


def test_a_lost_acknowledgement_resends_the_same_message_id(
    ledger: Ledger, server: MailServer, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented at-least-once window: accepted by the server, the mark never written."""
    queued = queue(ledger)
    real = mail_worker._mark_sent

    def crash(*args: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(mail_worker, "_mark_sent", crash)
    with pytest.raises(RuntimeError):
        drain(ledger, transport(server))
    monkeypatch.setattr(mail_worker, "_mark_sent", real)
    assert drain(ledger, transport(server)).deliveries == []  # still claimed: not sent again
    clock.now = NOW + mail_worker.DEFAULT_LEASE
    assert [d.state for d in drain(ledger, transport(server)).deliveries] == ["sent"]
    assert server.inbox.message_ids() == [queued.message_id, queued.message_id]
    first, second = (r.message for r in server.inbox.received)
    assert first["Date"] == second["Date"]


@pytest.mark.parametrize("batch", [0, mail_worker.MAX_BATCH + 1])
def test_a_bad_batch_size_is_refused_before_anything_is_claimed(
    ledger: Ledger, server: MailServer, batch: int
) -> None:
    queued = queue(ledger)
    with pytest.raises(BadInput, match="batch"):
        drain(ledger, transport(server), batch=batch)
    assert row(ledger, queued.id).claimed_by is None and server.inbox.received == []
