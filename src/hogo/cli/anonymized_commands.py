"""hogo anonymized list, show, provide: the register of anonymised datasets (APPI Art. 43)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from hogo.cli.context import ActorOpt, DbOpt, JsonOpt, fail, ledger_for
from hogo.cli.output import print_json, stdout
from hogo.services.anonymized.provide import provide
from hogo.services.anonymized.register import (
    Creation,
    list_creations,
    read_method,
    show_creation,
)
from hogo.services.errors import BadInput

anonymized_app = typer.Typer(
    help="Anonymised datasets made from the ledger: creations, methods, provisions.",
    no_args_is_help=True,
)

CreationArg = Annotated[
    int, typer.Argument(help="The creation's number (hogo anonymized list).", show_default=False)
]


def register(app: typer.Typer) -> None:
    app.add_typer(anonymized_app, name="anonymized")


def _summary(c: Creation) -> str:
    l_part = f", l={c.l}" if c.l is not None else ""
    return (
        f"#{c.id}  {c.created_on}  {c.dataset}  items: {', '.join(c.items)}  "
        f"k={c.k}{l_part}, {c.rows_released} rows, {c.suppressed} suppressed, "
        f"{c.subjects_refused} refused  by {c.actor} for {c.purpose}"
    )


@anonymized_app.command("list")
def list_command(
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="Only this dataset (anonymized[].id).")
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the creations, oldest first, each with its provisions; no method is shown."""
    with ledger_for(db, as_json=as_json) as ledger:
        found = list_creations(ledger, dataset=dataset)
    if as_json:
        print_json({"ok": True, "creations": [c.to_dict() for c in found]})
        return
    out = stdout()
    if not found:
        out.print(Text("no anonymised datasets created"))
    for creation in found:
        out.print(Text(_summary(creation)))
        for p in creation.provisions:
            how = f" ({p.method})" if p.method else ""
            out.print(Text(f"    provided #{p.id} on {p.provided_on} to {p.recipient}{how}"))


@anonymized_app.command("show")
def show_command(
    creation_id: CreationArg,
    method: Annotated[
        bool,
        typer.Option(
            "--method",
            help="Also print the processing method (officer only; the read is audited).",
        ),
    ] = False,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one creation: its measures, provisions and, with --method, how it was made."""
    with ledger_for(db, as_json=as_json) as ledger:
        creation = show_creation(ledger, creation_id)
        secret = read_method(ledger, creation_id, actor=actor) if method else None
    if as_json:
        print_json({"ok": True, **creation.to_dict(), **({"method": secret} if method else {})})
        return
    out = stdout()
    out.print(Text(_summary(creation)))
    out.print(Text(f"label: {creation.label['ja']} / {creation.label['en']}"))
    out.print(
        Text(
            f"classes: {creation.classes}; information loss: {creation.loss:.3f}; "
            f"re-identification risk: highest {creation.risk_highest:.3f}, "
            f"average {creation.risk_average:.3f}"
        )
    )
    out.print(Text(f"file digest (SHA-256): {creation.digest}"))
    for p in creation.provisions:
        how = f" ({p.method})" if p.method else ""
        out.print(Text(f"provided #{p.id} on {p.provided_on} to {p.recipient}{how} by {p.actor}"))
    if secret is not None:
        out.print(Text("processing method (keep secret; APPI Art. 43(2)):"))
        out.print(Text(json.dumps(secret, ensure_ascii=False, indent=2)))


@anonymized_app.command("provide")
def provide_command(
    creation_id: CreationArg,
    to: Annotated[str, typer.Option("--to", help="The recipient (a company's name).")],
    method: Annotated[
        str | None,
        typer.Option("--method", help="How this provision is made, e.g. the transfer used."),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the notice printed or written: ja or en.")
    ] = "ja",
    out: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the notice to this new file instead of stdout."),
    ] = None,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a provision to a third party and print the notice to the recipient that the
    data is anonymously processed information (APPI Art. 43(4))."""
    if lang not in ("ja", "en"):
        raise typer.BadParameter("ja or en", param_hint="--lang")
    handle = None
    if out is not None:  # opened first: a notice that cannot be written records no provision
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            handle = out.open("x", encoding="utf-8")
        except OSError as exc:
            raise fail(
                BadInput(f"cannot write the notice to {out}: {exc.strerror}"), as_json=as_json
            ) from None
    try:
        with ledger_for(db, as_json=as_json) as ledger:
            done = provide(ledger, creation_id, recipient=to, method=method, actor=actor)
    except BaseException:
        if handle is not None and out is not None:
            handle.close()
            out.unlink(missing_ok=True)
        raise
    notice = done.notices[lang]
    text = f"{notice.subject}\n\n{notice.body}"
    if handle is not None:
        with handle:
            handle.write(text)
    if as_json:
        print_json({"ok": True, **done.to_dict()})
    elif handle is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        stdout().print(Text(f"provision #{done.provision.id} recorded; notice written to {out}"))
