"""hogo keys rotate, hogo subject find and hogo subject show."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from hogo.cli.context import DbOpt, JsonOpt, ledger_for
from hogo.cli.output import ExitCode, print_json, stderr, stdout
from hogo.services import keys, subjects
from hogo.services.subjects import SubjectView

keys_app = typer.Typer(help="Master keys: rotate the key that wraps every data key.")
subject_app = typer.Typer(help="Find a subject and show what the ledger holds about it.")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys", no_args_is_help=True)
    app.add_typer(subject_app, name="subject", no_args_is_help=True)


@keys_app.command("rotate")
def keys_rotate(
    actor: Annotated[
        str, typer.Option("--actor", help="Who rotates the key (audited).")
    ] = "officer",
    batch: Annotated[
        int, typer.Option("--batch", help="Data keys re-wrapped per transaction.", min=1)
    ] = 500,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-wrap every data key under a new master key while the ledger stays in use."""
    console = stderr()
    bar = Progress(
        TextColumn("re-wrapping data keys"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    )
    task = bar.add_task("rewrap", total=None)

    def progress(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with ledger_for(db, as_json=as_json) as ledger, bar:
        result = keys.rotate(ledger, actor=actor, batch=batch, progress=progress)
    if as_json:
        print_json({"ok": True, **result.to_dict()})
        return
    out = stdout()
    start = "rotated to" if result.added else "finished the rotation to"
    out.print(Text(f"{start} master key {result.key_id}"))
    out.print(
        Text(
            f"  re-wrapped {result.rewrapped:,} data key(s)"
            + (" and the blind-index key" if result.index_rewrapped else "")
        )
    )
    if result.retired:
        out.print(Text(f"  retired {', '.join(result.retired)} from the key file"))
    if result.to_remove:
        out.print(
            Text(
                f"  no data key needs {', '.join(result.to_remove)} any more: remove it from "
                "HOGO_MASTER_KEY, leaving only the new key"
            ),
            style="yellow",
        )
    if result.still_needed:
        out.print(
            Text(
                f"  {', '.join(result.still_needed)} still wraps keys written meanwhile: "
                "run `hogo keys rotate` again"
            ),
            style="yellow",
        )


@subject_app.command("find")
def subject_find(
    email: Annotated[
        str | None, typer.Option("--email", help="An e-mail address (any case, spaces).")
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help="A Japanese telephone number, in any format.")
    ] = None,
    item: Annotated[
        str | None, typer.Option("--item", help="Any lookup item (with --value).")
    ] = None,
    value: Annotated[str | None, typer.Option("--value", help="The value of --item.")] = None,
    actor: Annotated[
        str, typer.Option("--actor", help="Who looks the person up (audited).")
    ] = "cli",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find subjects through the blind index; nothing is decrypted, the look-up is audited."""
    with ledger_for(db, as_json=as_json) as ledger:
        found = subjects.find(ledger, email=email, phone=phone, item=item, value=value, actor=actor)
    if as_json:
        print_json([s.to_dict() for s in found])
        return
    if not found:
        stderr().print(Text("no subject found"))
    for s in found:
        typer.echo(
            f"{s.subject_id}\t{s.kind}\t{s.created_at:%Y-%m-%d %H:%M}\t{','.join(s.matched)}"
        )


@subject_app.command("show")
def subject_show(
    subject: Annotated[str, typer.Argument(help="The subject id.")],
    purpose: Annotated[
        str | None,
        typer.Option("--purpose", help="Show values for this purpose (checked and audited)."),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who reads the values: NAME or ROLE:NAME.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Labels and messages: ja or en.")] = "en",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What the ledger holds about a subject; values masked unless a purpose allows them."""
    with ledger_for(db, as_json=as_json) as ledger:
        view = subjects.show(ledger, subject, purpose=purpose, actor=actor, lang=lang)
    refused = view.use is not None and not view.use.decision.allowed
    if as_json:
        print_json({"ok": not refused, **view.to_dict(lang)})
    else:
        _print_view(view, lang)
    if refused:
        raise typer.Exit(ExitCode.REFUSED)


def _print_view(view: SubjectView, lang: str) -> None:
    out = stdout()
    erased = f", erased {view.erased_at:%Y-%m-%d %H:%M}" if view.erased_at else ""
    out.print(Text(f"subject {view.subject_id} ({view.kind})"), style="bold")
    out.print(
        Text(
            f"  created {view.created_at:%Y-%m-%d %H:%M} under policy version "
            f"{view.policy_version} (#{view.policy_version_id}){erased}"
        )
    )
    if view.use is not None:
        decision = view.use.decision
        if decision.allowed:
            out.print(Text(f"  values for purpose {view.purpose} (this read is audited)"))
        else:
            sentence = decision.sentence("ja" if lang == "ja" else "en")
            out.print(Text(f"  refused ({decision.reason.value}): {sentence}"), style="red")
    out.print(Text("items:"))
    if not view.items:
        out.print(Text("  none"))
    for i in view.items:
        due = f", retain until {i.retention_due}" if i.retention_due else ""
        count = f" ×{i.records}" if i.records > 1 else ""
        out.print(
            Text(
                f"  {i.item} ({i.label}): {i.value}{count} — from {i.source}, "
                f"collected {i.collected_at:%Y-%m-%d %H:%M}{due}"
            )
        )
    out.print(Text("consents:"))
    if not view.consents:
        out.print(Text("  none recorded"))
    for c in view.consents:
        state = "granted" if c.granted else "withdrawn / refused"
        out.print(Text(f"  {c.purpose} ({c.label}): {state} {c.at:%Y-%m-%d %H:%M} by {c.method}"))
    out.print(Text("restrictions:"))
    if not view.restrictions:
        out.print(Text("  none active"))
    for r in view.restrictions:
        scope = f"{r.scope} for {r.purpose}" if r.purpose else f"{r.scope} for every purpose"
        out.print(
            Text(
                f"  #{r.id} {scope} suspended since {r.created_at:%Y-%m-%d} ({r.origin}): {r.reason}"
            )
        )
    out.print(Text(f"provision records: {view.provisions}"))
