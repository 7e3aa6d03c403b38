"""hogo worker, mail test, outbox list: exit codes, JSON, and no address or text printed."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import pytest

from tests.cli.support import hogo
from tests.services.mail_support import MailServer

ADDRESS = "hanako@example.jp"


@pytest.fixture
def server() -> Iterator[MailServer]:
    mail = MailServer()
    mail.start()
    try:
        yield mail
    finally:
        mail.stop()


def outbox(env: dict[str, str], *args: str) -> list[dict[str, object]]:
    code, out, err = hogo(env, "outbox", "list", "--json", *args)
    assert code == 0, err
    assert ADDRESS not in out and "hanako" not in out
    return list(json.loads(out)["messages"])


def rows(env: dict[str, str]) -> list[tuple[object, ...]]:
    path = env["HOGO_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return conn.execute("select id, attempts, sent_at, failed_at from outbox").fetchall()


def test_mail_test_queues_and_the_worker_sends(ready: dict[str, str], server: MailServer) -> None:
    code, out, err = hogo(ready, "mail", "test", "--to", ADDRESS, "--lang", "en")
    assert code == 0, err
    assert "queued message #1 (test_message, en)" in out
    [pending] = outbox(ready, "--state", "pending")
    assert (pending["id"], pending["kind"], pending["lang"]) == (1, "test_message", "en")
    assert (pending["state"], pending["attempts"]) == ("pending", 0)

    env = {**ready, "HOGO_SMTP_URL": server.url}
    code, out, err = hogo(env, "worker", "--once")
    assert code == 0, err
    assert out.strip() == "sent 1"
    [got] = server.inbox.received
    assert got.message["Subject"] == "[Full K.K.] Mail delivery check"
    [sent] = outbox(ready, "--state", "sent")
    assert sent["attempts"] == 1 and sent["sent_at"] is not None
    assert outbox(ready, "--state", "pending") == []
    code, out, _ = hogo(env, "worker", "--once", "--json")
    assert code == 0 and json.loads(out)["sent"] == 0


def test_the_default_language_is_the_policys(ready: dict[str, str]) -> None:
    code, out, _ = hogo(ready, "mail", "test", "--to", ADDRESS, "--json")
    assert code == 0 and json.loads(out)["lang"] == "ja"


def test_a_down_server_exits_1_and_keeps_the_message(ready: dict[str, str]) -> None:
    down = MailServer()  # never started: nothing listens on its port
    assert hogo(ready, "mail", "test", "--to", ADDRESS)[0] == 0
    code, out, _ = hogo({**ready, "HOGO_SMTP_URL": down.url}, "worker", "--once", "--json")
    assert code == 1
    result = json.loads(out)
    assert (result["ok"], result["sent"], result["retry"]) == (False, 0, 1)
    assert "cannot reach the mail server" in result["stopped"]
    [pending] = outbox(ready)
    assert (pending["state"], pending["attempts"]) == ("pending", 1)
    assert "cannot reach the mail server" in str(pending["last_error"])
    code, out, _ = hogo({**ready, "HOGO_SMTP_URL": down.url}, "worker", "--once")
    assert code == 0 and out.strip() == "sent 0"  # not due again for a minute


def test_a_refused_recipient_is_listed_as_failed(ready: dict[str, str], server: MailServer) -> None:
    assert hogo(ready, "mail", "test", "--to", "nobody@refused.example")[0] == 0
    code, out, _ = hogo({**ready, "HOGO_SMTP_URL": server.url}, "worker", "--once")
    assert code == 1
    assert "given up 1" in out and "recipient refused (550 5.1.1)" in out
    assert "nobody" not in out
    [failed] = outbox(ready, "--state", "failed")
    assert failed["last_error"] == "recipient refused (550 5.1.1)"
    code, out, _ = hogo(ready, "outbox", "list")
    assert "failed" in out and "nobody" not in out


def test_worker_without_smtp_url_is_not_ready(ready: dict[str, str]) -> None:
    assert hogo(ready, "mail", "test", "--to", ADDRESS)[0] == 0
    code, out, _ = hogo(ready, "worker", "--once", "--json")
    assert code == 1
    assert json.loads(out)["error"] == "not_ready" and "HOGO_SMTP_URL" in out
    assert rows(ready) == [(1, 0, None, None)]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://mail.example.jp", "scheme"),
        ("smtp://u:secret@mail.example.jp", "in clear"),
        ("smtp://mail.example.jp?tls=1", "unknown parameter"),
    ],
)
def test_a_bad_smtp_url_exits_2_and_touches_nothing(
    ready: dict[str, str], url: str, problem: str
) -> None:
    assert hogo(ready, "mail", "test", "--to", ADDRESS)[0] == 0
    code, _, err = hogo({**ready, "HOGO_SMTP_URL": url}, "worker", "--once")
    assert code == 2 and problem in err and "secret" not in err
    assert rows(ready) == [(1, 0, None, None)]


def test_mail_test_refuses_a_bad_address_and_queues_nothing(ready: dict[str, str]) -> None:
    code, out, _ = hogo(ready, "mail", "test", "--to", "nobody", "--json")
    assert code == 2 and json.loads(out)["error"] == "bad_input"
    assert hogo(ready, "mail", "test", "--to", ADDRESS, "--lang", "fr")[0] == 2
    assert rows(ready) == []


def test_the_worker_loop_sends_until_interrupted(
    ready: dict[str, str], server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert hogo(ready, "mail", "test", "--to", ADDRESS)[0] == 0

    def interrupt(seconds: float) -> None:
        assert seconds == 2
        raise KeyboardInterrupt

    monkeypatch.setattr("hogo.cli.mail_commands.time.sleep", interrupt)
    env = {**ready, "HOGO_SMTP_URL": server.url}
    code, out, err = hogo(env, "worker", "--interval", "2", "--batch", "5")
    assert code == 0, err
    assert "sent 1" in out and "stopped: sent 1" in err
    assert len(server.inbox.received) == 1


def test_outbox_list_when_empty(ready: dict[str, str]) -> None:
    code, out, _ = hogo(ready, "outbox", "list")
    assert code == 0 and out.strip() == "the outbox is empty"
    code, out, _ = hogo(ready, "outbox", "list", "--state", "failed", "--limit", "5")
    assert code == 0 and out.strip() == "no failed message"
    assert hogo(ready, "outbox", "list", "--state", "lost")[0] == 2
