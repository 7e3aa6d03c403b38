"""hogo db, policy publish, collect and use: the ledger from the command line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from hogo.cli.context import ActorOpt, DbOpt, JsonOpt, fail, ledger_for, settings
from hogo.cli.output import ExitCode, print_json, stdout
from hogo.cli.policy_change_commands import notice_progress, print_revision
from hogo.services import database, policy_versions
from hogo.services.collect import Collection, collect
from hogo.services.errors import BadInput, HogoError
from hogo.services.use import use

db_app = typer.Typer(help="Create or migrate the database.", no_args_is_help=True)
policy_app = typer.Typer(help="Publish policy versions and list them.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(policy_app, name="policy")
    app.command("collect")(collect_command)
    app.command("use")(use_command)


@db_app.command("upgrade")
def db_upgrade(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Create the database, or migrate it to this version of hogo. Safe to run again."""
    try:
        before, after = database.upgrade(settings(db))
    except HogoError as exc:
        raise fail(exc, as_json=as_json) from None
    if as_json:
        print_json({"ok": True, "from": before, "to": after})
    elif before == after:
        stdout().print(Text(f"database is up to date (revision {after})"))
    else:
        stdout().print(Text(f"database migrated from {before or 'empty'} to revision {after}"))


@policy_app.command("publish")
def policy_publish(
    policy: Annotated[
        Path | None,
        typer.Argument(
            help="Policy file (default: $HOGO_POLICY, else hogo.yaml).", show_default=False
        ),
    ] = None,
    effective: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Day the version takes effect (default: today)."),
    ] = None,
    allow_errors: Annotated[
        bool, typer.Option("--allow-errors", help="Publish even when `hogo check` finds errors.")
    ] = False,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store the policy as a version: from its effective date on, it is the one enforced.

    A revision is compared with the version in force before it: its changes, the notices
    queued and the purposes that need consent again are recorded and printed.
    """
    path = policy or settings(db).policy
    with ledger_for(db, as_json=as_json) as ledger, notice_progress(as_json) as progress:
        result = policy_versions.publish(
            ledger,
            path,
            effective=effective.date() if effective else None,
            actor=actor,
            allow_errors=allow_errors,
            progress=progress,
        )
    if as_json:
        print_json({"ok": True, **result.to_dict()})
        return
    verb = "published" if result.created else "already published as"
    stdout().print(
        Text(
            f"{verb} version {result.version} (#{result.version_id}, {result.digest[:12]}), effective {result.effective_date}"
        )
    )
    for warning in result.warnings:
        stdout().print(Text(f"  {warning}"), style="yellow")
    if result.revision is not None:
        print_revision(result.revision, stdout())


@policy_app.command("versions")
def policy_versions_command(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List the published versions."""
    with ledger_for(db, as_json=as_json) as ledger:
        rows = policy_versions.versions(ledger)
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    for r in rows:
        stdout().print(
            Text(
                f"#{r.version_id}  {r.version:<10} effective {r.effective_date}  {r.digest[:12]}  published {r.published_at}"
            )
        )


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in values:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise BadInput(f"{what} {pair!r} is not KEY=VALUE")
        if key in out:
            raise BadInput(f"{what} {key!r} is given twice")
        out[key] = value
    return out


def _consents(values: list[str]) -> dict[str, bool]:
    answers = {"yes": True, "no": False}
    out = {}
    for purpose, answer in _pairs(values, "consent").items():
        if answer not in answers:
            raise BadInput(f"consent {purpose}={answer!r}: answer yes or no")
        out[purpose] = answers[answer]
    return out


def collect_command(
    source: Annotated[str, typer.Option("--source", help="The source collecting (sources[].id).")],
    value: Annotated[list[str], typer.Option("--value", help="ITEM=VALUE; repeat for each item.")],
    subject: Annotated[
        str | None, typer.Option("--subject", help="Add to this subject instead of looking one up.")
    ] = None,
    consent: Annotated[
        list[str] | None, typer.Option("--consent", help="PURPOSE=yes|no; repeat for each.")
    ] = None,
    evidence: Annotated[
        str | None,
        typer.Option(
            "--evidence", help="How consent was obtained (form version, paper reference…)."
        ),
    ] = None,
    method: Annotated[str, typer.Option("--method", help="form, portal, api or paper.")] = "api",
    actor: ActorOpt = "cli",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record personal data collected from a declared source; prints the subject id."""
    with ledger_for(db, as_json=as_json) as ledger:
        collection = Collection(
            source=source,
            values=_pairs(value, "value"),
            subject_id=subject,
            consents=_consents(consent or []),
            evidence=evidence,
            method=method,
        )
        result = collect(ledger, collection, actor=actor)
    if as_json:
        print_json({"ok": True, **result.to_dict()})
    else:
        typer.echo(result.subject_id)


def use_command(
    subject: Annotated[str, typer.Argument(help="The subject id.")],
    purpose: Annotated[
        str, typer.Option("--purpose", help="The purpose of this use (purposes[].id).")
    ],
    items: Annotated[str, typer.Option("--items", help="Comma-separated items, e.g. name,email.")],
    actor: Annotated[str, typer.Option("--actor", help="Who uses the data: NAME or ROLE:NAME.")],
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the refusal sentence: ja or en.")
    ] = "en",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Read values for a purpose: allowed or refused (exit 3) with a reason; both are audited."""
    wanted = [i.strip() for i in items.split(",") if i.strip()]
    with ledger_for(db, as_json=as_json) as ledger:
        result = use(ledger, subject, purpose=purpose, items=wanted, actor=actor)
    if as_json:
        print_json({"ok": result.decision.allowed, **result.to_dict(lang)})
    elif result.decision.allowed:
        for item, text in (result.values or {}).items():
            typer.echo(f"{item}\t{text}")
    else:
        sentence = result.decision.sentence("ja" if lang == "ja" else "en")
        stdout().print(Text(f"refused ({result.decision.reason.value}): {sentence}"), style="red")
    if not result.decision.allowed:
        raise typer.Exit(ExitCode.REFUSED)
