"""Queueing a test message and listing the outbox: audited, refused cleanly, nothing personal shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger
from hogo.services.mail.views import list_outbox, queue_test_message
from hogo.services.outbox import open_message
from tests.services.conftest import FixedClock


def counts(ledger: Ledger) -> tuple[int, int]:
    with ledger.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(t.outbox)).scalar_one(),
            conn.execute(select(func.count()).select_from(t.audit)).scalar_one(),
        )


def test_a_test_message_is_queued_in_the_policys_words_and_audited(ledger: Ledger) -> None:
    queued = queue_test_message(ledger, to="hanako@example.jp", lang=None, actor="officer")
    assert (queued.kind, queued.lang) == ("test_message", "ja")
    with ledger.engine.connect() as conn:
        row = conn.execute(select(t.outbox).where(t.outbox.c.id == queued.id)).one()
        opened = open_message(ledger, conn, row)
        last = conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()
    assert opened is not None
    assert opened.subject == "【株式会社フル】メール送信の確認"
    assert "privacy@full.example" in opened.body
    assert (last.action, last.actor, last.reason) == ("mail_queued", "officer", "test_message")
    assert last.detail == {"outbox_id": queued.id, "kind": "test_message", "lang": "ja"}


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"to": "nobody"}, "not an e-mail address"),
        ({"to": "a@b\nBcc: c@d"}, "not an e-mail address"),
        ({"lang": "fr"}, "unknown language 'fr'"),
        ({"actor": " "}, "an actor is required"),
    ],
)
def test_a_bad_test_message_writes_nothing(
    ledger: Ledger, kwargs: dict[str, str], problem: str
) -> None:
    before = counts(ledger)
    arguments = {"to": "hanako@example.jp", "lang": "en", "actor": "officer", **kwargs}
    with pytest.raises(BadInput, match=problem):
        queue_test_message(ledger, **arguments)
    assert counts(ledger) == before


def test_the_listing_shows_state_and_never_the_recipient(ledger: Ledger, clock: FixedClock) -> None:
    first = queue_test_message(ledger, to="hanako@example.jp", lang="en", actor="o")
    clock.now += timedelta(minutes=5)
    second = queue_test_message(ledger, to="taro@example.jp", lang="ja", actor="o")
    with ledger.engine.begin() as conn:
        conn.execute(
            t.outbox.update()
            .where(t.outbox.c.id == first.id)
            .values(sent_at=clock.now, recipient=None, content=None, attempts=1)
        )
    listed = list_outbox(ledger)
    assert [(e.id, e.state, e.lang) for e in listed] == [
        (second.id, "pending", "ja"),
        (first.id, "sent", "en"),
    ]
    assert [e.id for e in list_outbox(ledger, state="sent")] == [first.id]
    assert [e.id for e in list_outbox(ledger, state="pending")] == [second.id]
    assert list_outbox(ledger, state="failed") == []
    assert [e.id for e in list_outbox(ledger, limit=1)] == [second.id]
    assert "example.jp" not in str([e.to_dict() for e in listed])


@pytest.mark.parametrize(("state", "limit"), [("lost", 10), (None, 0), (None, 10_001)])
def test_the_listing_refuses_bad_filters(ledger: Ledger, state: str | None, limit: int) -> None:
    with pytest.raises(BadInput):
        list_outbox(ledger, state=state, limit=limit)
