"""Two workers at once, as two processes would run them: every message reaches the server once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from hogo.config import Settings
from hogo.ledger import tables as t
from hogo.services.ledger import Ledger, open_ledger
from hogo.services.mail.smtp import SmtpTransport, parse_smtp_url
from hogo.services.mail.worker import DrainResult, drain
from hogo.services.outbox import enqueue
from tests.services.conftest import FixedClock
from tests.services.mail_support import MailServer

MESSAGES = 50


@pytest.fixture
def server() -> Iterator[MailServer]:
    mail = MailServer(delay=0.01)
    mail.start()
    try:
        yield mail
    finally:
        mail.stop()


def test_two_workers_deliver_each_message_exactly_once(
    ledger: Ledger, settings: Settings, clock: FixedClock, server: MailServer
) -> None:
    with ledger.engine.begin() as conn:
        queued = [
            enqueue(
                ledger,
                conn,
                kind="test_message",
                lang="ja" if n % 2 else "en",
                to=f"person{n}@example.jp",
                context={"company": "株式会社フル", "contact": None},
            )
            for n in range(MESSAGES)
        ]
    results: dict[str, DrainResult] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(name: str) -> None:
        own = open_ledger(settings, clock=clock)  # its own engine, as another process has
        try:
            start.wait()
            transport = SmtpTransport(parse_smtp_url(server.url + "?timeout=10"))
            results[name] = drain(own, transport, worker=name, batch=5)
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=work, args=(name,)) for name in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    arrived = Counter(server.inbox.message_ids())
    assert arrived == Counter({q.message_id: 1 for q in queued})
    sent_by = {name: result.count("sent") for name, result in results.items()}
    assert sum(sent_by.values()) == MESSAGES
    assert all(count > 0 for count in sent_by.values()), sent_by  # they did overlap
    with ledger.engine.connect() as conn:
        left = conn.execute(
            select(func.count()).select_from(t.outbox).where(t.outbox.c.sent_at.is_(None))
        ).scalar_one()
    assert left == 0
