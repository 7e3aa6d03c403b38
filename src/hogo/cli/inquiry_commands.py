"""hogo inquiry new, list, answer, show: the register of inquiries and complaints (Art. 40)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from hogo.cli.context import ActorOpt, DbOpt, JsonOpt, ledger_for
from hogo.cli.output import print_json, stdout
from hogo.services.inquiries import (
    JAPAN,
    Inquiry,
    answer_inquiry,
    list_inquiries,
    new_inquiry,
    parse_received_at,
    show_inquiry,
)

inquiry_app = typer.Typer(
    help="The register of inquiries and complaints (APPI Art. 40).", no_args_is_help=True
)

IdArg = Annotated[int, typer.Argument(help="The inquiry id.", show_default=False)]


def register(app: typer.Typer) -> None:
    app.add_typer(inquiry_app, name="inquiry")


def _when(inquiry: Inquiry) -> str:
    return f"{inquiry.received_at.astimezone(JAPAN):%Y-%m-%d %H:%M} JST"


def _acknowledged(inquiry: Inquiry) -> str:
    opens = "" if inquiry.handle_from is None else f"{inquiry.handle_from:%Y-%m-%d %H:%M} JST"
    return {
        "within_hours": "within the reception hours",
        "no_hours": "the policy states no reception hours",
        "queued": f"outside the reception hours: acknowledgement queued, handled from {opens}",
        "no_contact": f"outside the reception hours (no address to acknowledge): handled from {opens}",
        "opened_since": f"outside the reception hours; the desk has opened since ({opens})",
    }[inquiry.acknowledged]


def _line(inquiry: Inquiry) -> str:
    answered = "open" if inquiry.answered_at is None else f"answered {inquiry.answered_at:%Y-%m-%d}"
    subject = f"  subject {inquiry.subject_id}" if inquiry.subject_id else ""
    return (
        f"#{inquiry.id}  {_when(inquiry)}  {inquiry.kind:<9} {inquiry.channel:<7} {answered}"
        f"{subject}"
    )


@inquiry_app.command("new")
def new_command(
    kind: Annotated[str, typer.Option("--kind", help="question, opinion or complaint.")],
    channel: Annotated[
        str, typer.Option("--channel", help="email, form, phone, post, counter or portal.")
    ],
    text: Annotated[str, typer.Option("--text", help="What the person wrote or said.")],
    email: Annotated[
        str | None,
        typer.Option("--email", help="The inquirer's e-mail address, for the acknowledgement."),
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="The subject the inquiry concerns.")
    ] = None,
    received_at: Annotated[
        str | None,
        typer.Option(
            "--received-at",
            help="When it arrived (ISO 8601; Japan time unless a zone is given); default now.",
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the messages: ja or en.")
    ] = None,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record an inquiry; outside the reception hours, queue its acknowledgement."""
    with ledger_for(db, as_json=as_json) as ledger:
        inquiry = new_inquiry(
            ledger,
            kind=kind,
            channel=channel,
            text=text,
            email=email,
            subject_id=subject,
            received_at=None if received_at is None else parse_received_at(received_at),
            lang=lang,
            actor=actor,
        )
    if as_json:
        print_json({"ok": True, **inquiry.to_dict()})
        return
    stdout().print(
        Text(f"inquiry #{inquiry.id} recorded ({_when(inquiry)}); {_acknowledged(inquiry)}")
    )


@inquiry_app.command("list")
def list_command(
    open_only: Annotated[bool, typer.Option("--open", help="Only those not answered yet.")] = False,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only this kind: question, opinion, complaint.")
    ] = None,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the register, oldest first, without what people wrote (see `show`)."""
    with ledger_for(db, as_json=as_json) as ledger:
        found = list_inquiries(ledger, open_only=open_only, kind=kind, actor=actor)
    if as_json:
        print_json({"ok": True, "inquiries": [i.to_dict() for i in found]})
        return
    out = stdout()
    if not found:
        out.print(Text("no inquiries"))
    for inquiry in found:
        out.print(Text(_line(inquiry)))


@inquiry_app.command("answer")
def answer_command(
    inquiry_id: IdArg,
    text: Annotated[
        str, typer.Option("--text", help="The answer (sent when there is an address).")
    ],
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the answer; it goes to the outbox when the inquirer left an e-mail address."""
    with ledger_for(db, as_json=as_json) as ledger:
        inquiry = answer_inquiry(ledger, inquiry_id, text=text, actor=actor)
    if as_json:
        print_json({"ok": True, **inquiry.to_dict()})
        return
    sent = "answer queued to the outbox" if inquiry.has_contact else "no address: answer recorded"
    stdout().print(Text(f"inquiry #{inquiry.id} answered; {sent}"))


@inquiry_app.command("show")
def show_command(
    inquiry_id: IdArg,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one inquiry with what was written and answered (decrypted, audited)."""
    with ledger_for(db, as_json=as_json) as ledger:
        inquiry = show_inquiry(ledger, inquiry_id, actor=actor)
    if as_json:
        print_json({"ok": True, **inquiry.to_dict()})
        return
    out = stdout()
    out.print(Text(_line(inquiry)))
    out.print(Text(f"acknowledgement: {_acknowledged(inquiry)}"))
    if inquiry.email:
        out.print(Text(f"e-mail: {inquiry.email}"))
    out.print(Text(f"text:\n{inquiry.text}"))
    if inquiry.answer is not None:
        out.print(Text(f"answer:\n{inquiry.answer}"))
