"""hogo worker, hogo mail test, hogo outbox list: sending the outbox and looking at it."""

from __future__ import annotations

import time
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from hogo.cli.context import ActorOpt, DbOpt, JsonOpt, ledger_for
from hogo.cli.output import ExitCode, print_json, stderr, stdout
from hogo.services.ledger import Ledger
from hogo.services.mail.smtp import SmtpTransport
from hogo.services.mail.views import list_outbox, queue_test_message
from hogo.services.mail.worker import (
    DEFAULT_BATCH,
    MAX_BATCH,
    Delivery,
    DrainResult,
    count_due,
    drain,
    transport_for,
    worker_name,
)

mail_app = typer.Typer(help="Mail settings: queue a test message.", no_args_is_help=True)
outbox_app = typer.Typer(help="The outbox: messages queued, sent and given up.")


class Lang(StrEnum):
    JA = "ja"
    EN = "en"


class State(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def register(app: typer.Typer) -> None:
    app.command("worker")(worker_command)
    app.add_typer(mail_app, name="mail")
    app.add_typer(outbox_app, name="outbox", no_args_is_help=True)


def _summary(result: DrainResult) -> str:
    parts = [f"sent {result.count('sent')}"]
    for state in ("retry", "failed", "skipped"):
        if result.count(state):
            label = {"retry": "to retry", "failed": "given up", "skipped": "taken over"}[state]
            parts.append(f"{label} {result.count(state)}")
    line = ", ".join(parts)
    if result.stopped:
        line += f"; stopped: {result.stopped}"
    return line


def _problems(result: DrainResult) -> list[str]:
    return [
        f"#{d.outbox_id} {d.kind}: {d.error}"
        + (
            f" (attempt {d.attempts}, next at {d.retry_at:%Y-%m-%d %H:%M} UTC)"
            if d.retry_at
            else ""
        )
        + ("" if d.retry_at else f" (given up after {d.attempts} attempt(s))")
        for d in result.deliveries
        if d.state in ("retry", "failed")
    ]


def worker_command(
    once: Annotated[
        bool, typer.Option("--once", help="Send what is due now, then exit (for cron).")
    ] = False,
    interval: Annotated[
        float,
        typer.Option("--interval", min=1, max=3600, help="Seconds between rounds (default 10)."),
    ] = 10.0,
    batch: Annotated[
        int,
        typer.Option("--batch", min=1, max=MAX_BATCH, help="Messages claimed at a time."),
    ] = DEFAULT_BATCH,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send the outbox over SMTP (HOGO_SMTP_URL), retrying with growing waits; Ctrl-C stops."""
    with ledger_for(db, as_json=as_json) as ledger:
        transport = transport_for(ledger)
        name = worker_name()
        if once:
            result = _drain_once(ledger, transport, name, batch, as_json=as_json)
        else:
            _loop(ledger, transport, name, batch, interval, as_json=as_json)
            return
    if as_json:
        print_json({"ok": not _problems(result), **result.to_dict()})
    else:
        out = stdout()
        out.print(Text(_summary(result)))
        for line in _problems(result):
            out.print(Text(f"  {line}"), style="yellow")
    if _problems(result):
        raise typer.Exit(ExitCode.FAILED)


def _drain_once(
    ledger: Ledger, transport: SmtpTransport, name: str, batch: int, *, as_json: bool
) -> DrainResult:
    console = stderr()
    bar = Progress(
        TextColumn("sending"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json or not console.is_terminal,
    )
    task = bar.add_task("send", total=count_due(ledger))

    def advance(_: Delivery) -> None:
        bar.advance(task)

    with bar:
        return drain(ledger, transport, worker=name, batch=batch, on_delivery=advance)


def _loop(
    ledger: Ledger,
    transport: SmtpTransport,
    name: str,
    batch: int,
    interval: float,
    *,
    as_json: bool,
) -> None:
    out = stdout()
    totals = {"sent": 0, "retry": 0, "failed": 0}
    if not as_json:
        stderr().print(
            Text(f"worker {name}: sending through {transport.server.describe()}; Ctrl-C stops")
        )
    try:
        while True:
            result = drain(ledger, transport, worker=name, batch=batch)
            for state in totals:
                totals[state] += result.count(state)
            if result.deliveries:
                if as_json:
                    print_json({"at": datetime.now().astimezone().isoformat(), **result.to_dict()})
                else:
                    out.print(Text(f"{datetime.now():%H:%M:%S} {_summary(result)}"))
                    for line in _problems(result):
                        out.print(Text(f"  {line}"), style="yellow")
            time.sleep(interval)
    except KeyboardInterrupt:
        if as_json:
            print_json({"ok": True, "worker": name, "stopped": "interrupted", **totals})
        else:
            stderr().print(
                Text(
                    f"stopped: sent {totals['sent']}, to retry {totals['retry']}, "
                    f"given up {totals['failed']}"
                )
            )


@mail_app.command("test")
def mail_test(
    to: Annotated[str, typer.Option("--to", help="The address to send the test message to.")],
    lang: Annotated[
        Lang | None,
        typer.Option("--lang", help="ja or en (default: the policy's authoritative language)."),
    ] = None,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Queue a test message; `hogo worker --once` then sends it."""
    with ledger_for(db, as_json=as_json) as ledger:
        queued = queue_test_message(ledger, to=to, lang=lang.value if lang else None, actor=actor)
    if as_json:
        print_json(
            {
                "ok": True,
                "id": queued.id,
                "kind": queued.kind,
                "lang": queued.lang,
                "message_id": queued.message_id,
            }
        )
    else:
        stdout().print(
            Text(
                f"queued message #{queued.id} ({queued.kind}, {queued.lang}); "
                "`hogo worker --once` sends it"
            )
        )


def _at(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


@outbox_app.command("list")
def outbox_list(
    state: Annotated[
        State | None, typer.Option("--state", help="Only pending, sent or failed messages.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=10_000, help="At most this many (newest first).")
    ] = 100,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List queued, sent and given-up messages: never their recipients or text."""
    with ledger_for(db, as_json=as_json) as ledger:
        entries = list_outbox(ledger, state=state.value if state else None, limit=limit)
    if as_json:
        print_json({"ok": True, "messages": [e.to_dict() for e in entries]})
        return
    out = stdout()
    if not entries:
        out.print(Text("the outbox is empty" if state is None else f"no {state.value} message"))
    for e in entries:
        when = {
            "sent": f"sent {_at(e.sent_at)}",
            "failed": f"given up {_at(e.failed_at)}",
        }.get(e.state, f"due {_at(e.send_after)}")
        line = (
            f"#{e.id}  {e.kind:<24} {e.lang}  {e.state:<7} attempts {e.attempts}  "
            f"queued {_at(e.created_at)}  {when}"
        )
        if e.last_error and e.state != "sent":
            line += f"  ({e.last_error})"
        out.print(Text(line))
