"""hogo request new|verify|fulfil|refuse|withdraw|list|show: data-subject requests (Arts. 32–39)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from hogo.cli.context import ActorOpt, DbOpt, JsonOpt, fail, ledger_for
from hogo.cli.output import print_json, stdout
from hogo.services.errors import BadInput
from hogo.services.requests import (
    Request,
    RequestDetail,
    fulfil,
    list_requests,
    new_request,
    refuse,
    render_html,
    show,
    verify,
    withdraw,
)

request_app = typer.Typer(
    help="Data-subject requests: disclosure, correction, erasure and the rest (Arts. 32-39).",
    no_args_is_help=True,
)

IdArg = Annotated[str, typer.Argument(help="The request id (R…).", show_default=False)]
DateOpt = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])]


def register(app: typer.Typer) -> None:
    app.add_typer(request_app, name="request")


def _split(items: str | None) -> list[str] | None:
    return None if items is None else [i.strip() for i in items.split(",") if i.strip()]


def _pairs(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in values:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise BadInput(f"value {pair!r} is not ITEM=VALUE")
        if key in out:
            raise BadInput(f"item {key!r} is given twice")
        out[key] = value
    return out


def _line(r: Request) -> str:
    flags = []
    if r.overdue:
        flags.append("OVERDUE")
    if r.possibly_repeated:
        flags.append(f"possibly repeats {r.repeat_of}")
    who = r.subject_id or "no subject"
    extra = f"  [{'; '.join(flags)}]" if flags else ""
    return f"{r.id}  {r.kind:<17} {r.state:<11} due {r.due_on}  {who}{extra}"


@request_app.command("new")
def new_command(
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="purpose_notice, disclosure, provision_records, correction, addition, "
            "deletion, suspension_of_use, erasure or stop_provision.",
        ),
    ],
    subject: Annotated[
        str | None, typer.Option("--subject", help="The subject the request is about.")
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(
            "--email", help="Where to answer; finds the subject when --subject is left out."
        ),
    ] = None,
    agent: Annotated[
        str | None, typer.Option("--agent", help="An agent's name (with --authority).")
    ] = None,
    authority: Annotated[
        str | None,
        typer.Option("--authority", help="What the agent acts under (power of attorney…)."),
    ] = None,
    channel: Annotated[
        str,
        typer.Option("--channel", help="portal, email, post (or mail), phone, counter or form."),
    ] = "portal",
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="ja or en (default: the subject's, else the policy's)."),
    ] = None,
    actor: ActorOpt = "desk",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a request, due response_days later, and acknowledge it to the requester."""
    with ledger_for(db, as_json=as_json) as ledger:
        received = new_request(
            ledger,
            kind=kind,
            subject_id=subject,
            email=email,
            agent_name=agent,
            agent_authority=authority,
            channel=channel,
            lang=lang,
            actor=actor,
        )
    if as_json:
        print_json({"ok": True, **received.to_dict()})
        return
    r = received.request
    fee = f", fee {r.fee_yen:,} yen" if r.fee_yen else ""
    out = stdout()
    out.print(Text(f"{r.id}  {r.kind} received, due {r.due_on}{fee}"))
    if r.possibly_repeated:
        out.print(Text(f"possibly repeats {r.repeat_of}: a person decides"))
    if not received.acknowledged:
        out.print(Text("no address to acknowledge to: answer by post or at the counter"))


@request_app.command("verify")
def verify_command(
    request_id: IdArg,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="portal_login, registered_email, held_items, id_document, in_person, "
            "phone_callback or agent_documents.",
        ),
    ],
    evidence: Annotated[str, typer.Option("--evidence", help="What was checked (recorded).")],
    items: Annotated[
        str | None,
        typer.Option("--items", help="Items the person confirmed; each must be held."),
    ] = None,
    pending: Annotated[
        bool, typer.Option("--pending", help="Verification started, not done yet.")
    ] = False,
    subject: Annotated[
        str | None,
        typer.Option("--subject", help="The subject, for a request whose address matched none."),
    ] = None,
    actor: ActorOpt = "desk",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record how the requester's identity was verified; the request is then in progress."""
    with ledger_for(db, as_json=as_json) as ledger:
        r = verify(
            ledger,
            request_id,
            method=method,
            evidence=evidence,
            items=_split(items),
            pending=pending,
            subject_id=subject,
            actor=actor,
        )
    if as_json:
        print_json({"ok": True, **r.to_dict()})
    else:
        stdout().print(Text(f"{r.id}  {r.state}"))


def _write_package(out: Path, answer: dict[str, Any], html: str) -> list[Path]:
    json_path, html_path = out / "package.json", out / "package.html"
    json_path.write_text(json.dumps(answer, ensure_ascii=False, indent=2) + "\n", "utf-8")
    html_path.write_text(html, "utf-8")
    return [json_path, html_path]


def _prepare_out(out: Path | None, *, as_json: bool) -> None:
    if out is None:
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(BadInput(f"cannot write to {out}: {exc.strerror}"), as_json=as_json) from None


OutOpt = Annotated[
    Path | None,
    typer.Option("--out", help="Write package.json and package.html here (disclosures)."),
]


@request_app.command("fulfil")
def fulfil_command(
    request_id: IdArg,
    value: Annotated[
        list[str] | None,
        typer.Option("--value", help="ITEM=VALUE for a correction or addition; repeat."),
    ] = None,
    items: Annotated[
        str | None,
        typer.Option("--items", help="Limit a disclosure, deletion or erasure to these items."),
    ] = None,
    purpose: Annotated[
        list[str] | None,
        typer.Option("--purpose", help="Limit a suspension or stop of provision; repeat."),
    ] = None,
    out: OutOpt = None,
    actor: ActorOpt = "desk",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Do what the request asks, in the ledger, and send the answer."""
    _prepare_out(out, as_json=as_json)
    with ledger_for(db, as_json=as_json) as ledger:
        values = _pairs(value) if value else None
        done = fulfil(
            ledger, request_id, values=values, items=_split(items), purposes=purpose, actor=actor
        )
    written = _write_package(out, done.answer, done.html) if out and done.html else []
    if as_json:
        print_json({"ok": True, **done.to_dict(), "files": [str(p) for p in written]})
        return
    console = stdout()
    console.print(Text(f"{done.request.id}  {done.request.kind} answered"))
    for path in written:
        console.print(Text(f"wrote {path}"))
    if done.html and not out:
        console.print(
            Text("the package is stored with the request: `hogo request show ID --out DIR`")
        )
    if not done.notified:
        console.print(Text("no address to answer to: send the answer by post or hand it over"))


@request_app.command("refuse")
def refuse_command(
    request_id: IdArg,
    ground: Annotated[
        str,
        typer.Option(
            "--ground",
            help="harm, business_disruption, other_law, repeated, purpose_public, data_true, "
            "no_art35_ground, not_retained or identity_not_verified.",
        ),
    ],
    reason: Annotated[str, typer.Option("--reason", help="The explanation sent to the person.")],
    actor: ActorOpt = "desk",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Refuse on a ground the law gives for the kind, telling the person why (Art. 36)."""
    with ledger_for(db, as_json=as_json) as ledger:
        r = refuse(ledger, request_id, ground=ground, reason=reason, actor=actor)
    if as_json:
        print_json({"ok": True, **r.to_dict()})
    else:
        stdout().print(Text(f"{r.id}  refused ({r.refusal_ground})"))


@request_app.command("withdraw")
def withdraw_command(
    request_id: IdArg,
    note: Annotated[str | None, typer.Option("--note", help="How it was withdrawn.")] = None,
    actor: ActorOpt = "desk",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Close an open request the person withdrew; nothing is done and nothing is sent."""
    with ledger_for(db, as_json=as_json) as ledger:
        r = withdraw(ledger, request_id, actor=actor, note=note)
    if as_json:
        print_json({"ok": True, **r.to_dict()})
    else:
        stdout().print(Text(f"{r.id}  withdrawn"))


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


@request_app.command("list")
def list_command(
    due_before: Annotated[
        datetime | None,
        typer.Option("--due-before", formats=["%Y-%m-%d"], help="Only those due before DATE."),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            help="received, verifying, in_progress, answered, refused or withdrawn.",
        ),
    ] = None,
    today: Annotated[
        datetime | None,
        typer.Option("--today", formats=["%Y-%m-%d"], help="Judge overdue as of DATE."),
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The requests, overdue first, then by due date."""
    with ledger_for(db, as_json=as_json) as ledger:
        found = list_requests(ledger, due_before=_day(due_before), state=state, today=_day(today))
    if as_json:
        print_json({"ok": True, "requests": [r.to_dict() for r in found]})
        return
    console = stdout()
    if not found:
        console.print(Text("no request"))
    for r in found:
        console.print(Text(_line(r)), style="red" if r.overdue else None)


def _print_detail(detail: RequestDetail) -> None:
    console = stdout()
    r = detail.request
    console.print(Text(_line(r)))
    rows = [
        ("channel", r.channel),
        ("language", r.lang),
        ("received", r.received_at.isoformat()),
        ("contact", detail.contact),
        ("agent", None if not r.agent else f"{detail.agent_name} ({detail.agent_authority})"),
        ("fee", None if r.fee_yen is None else f"{r.fee_yen:,} yen"),
        ("verified", None if r.verified_at is None else r.verified_at.isoformat()),
        (
            "verification",
            r.verification_method and f"{r.verification_method}: {detail.verification_evidence}",
        ),
        ("refusal", r.refusal_ground and f"{r.refusal_ground}: {detail.reason}"),
        ("answer", "erased with the subject" if detail.answer_shredded else None),
    ]
    for name, value in rows:
        if value:
            console.print(Text(f"  {name:<13} {value}"))
    for e in detail.events:
        moved = f"{e.from_state or '-'} -> {e.to_state}"
        note = f"  {e.note}" if e.note else ""
        console.print(
            Text(f"  #{e.seq} {e.at:%Y-%m-%d %H:%M}  {e.actor}  {e.action}: {moved}{note}")
        )


@request_app.command("show")
def show_command(
    request_id: IdArg,
    out: OutOpt = None,
    actor: ActorOpt = "desk",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One request, with its whole history (reading it is audited)."""
    _prepare_out(out, as_json=as_json)
    with ledger_for(db, as_json=as_json) as ledger:
        detail = show(ledger, request_id, actor=actor)
    answer = detail.answer
    written: list[Path] = []
    if out is not None and isinstance(answer, dict) and "format" in answer:
        written = _write_package(out, answer, render_html(answer))
    if as_json:
        print_json({"ok": True, **detail.to_dict(), "files": [str(p) for p in written]})
        return
    _print_detail(detail)
    for path in written:
        stdout().print(Text(f"wrote {path}"))
