"""hogo consent, consents, eligible, restrict, lift, restrictions: consent and suspensions."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.text import Text

from hogo.cli.context import ActorOpt, DbOpt, JsonOpt, ledger_for
from hogo.cli.output import print_json, stdout
from hogo.services.consent import consent_history, current, record_consent
from hogo.services.eligible import eligible
from hogo.services.restrictions import Restriction, lift, restrictions_of, suspend


class ConsentAction(StrEnum):
    GRANT = "grant"
    WITHDRAW = "withdraw"


def register(app: typer.Typer) -> None:
    app.command("consent")(consent_command)
    app.command("consents")(consents_command)
    app.command("eligible")(eligible_command)
    app.command("restrict")(restrict_command)
    app.command("lift")(lift_command)
    app.command("restrictions")(restrictions_command)


SubjectArg = Annotated[str, typer.Argument(help="The subject id.", show_default=False)]


def consent_command(
    subject: SubjectArg,
    action: Annotated[
        ConsentAction,
        typer.Argument(
            help="grant, or withdraw (for an opt-out purpose: opt out).", show_default=False
        ),
    ],
    purpose: Annotated[
        str, typer.Option("--purpose", help="The consent or opt-out purpose (purposes[].id).")
    ],
    evidence: Annotated[
        str | None,
        typer.Option("--evidence", help="How it was obtained (form version, paper reference…)."),
    ] = None,
    method: Annotated[str, typer.Option("--method", help="form, portal, api or paper.")] = "api",
    actor: ActorOpt = "cli",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a consent or its withdrawal (an opt-out, for an opt-out purpose); append-only."""
    granted = action is ConsentAction.GRANT
    with ledger_for(db, as_json=as_json) as ledger:
        event = record_consent(
            ledger,
            subject,
            purpose=purpose,
            granted=granted,
            actor=actor,
            evidence=evidence,
            method=method,
        )
    if as_json:
        print_json({"ok": True, **event.to_dict()})
    else:
        state = "granted" if granted else "withdrawn"
        stdout().print(Text(f"{subject} {purpose}: {state} (consent #{event.id})"))


def consents_command(
    subject: SubjectArg,
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="Only this purpose's history.")
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List a subject's consent history, oldest first, and the current state per purpose."""
    with ledger_for(db, as_json=as_json) as ledger:
        history = consent_history(ledger, subject, purpose)
    if as_json:
        print_json(
            {
                "ok": True,
                "subject_id": subject,
                "current": current(history),
                "history": [e.to_dict() for e in history],
            }
        )
        return
    out = stdout()
    if not history:
        out.print(Text("no consent recorded"))
    for e in history:
        state = "granted  " if e.granted else "withdrawn"
        line = f"#{e.id}  {e.at:%Y-%m-%d %H:%M}  {e.purpose:<16} {state}  {e.method}"
        out.print(Text(line + (f"  {e.evidence}" if e.evidence else "")))


def eligible_command(
    purpose: Annotated[str, typer.Option("--purpose", help="The purpose (purposes[].id).")],
    count: Annotated[bool, typer.Option("--count", help="Print only how many.")] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="At most this many ids (in id order).")
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the subjects that may be used for a purpose now (one query), or count them."""
    with ledger_for(db, as_json=as_json) as ledger:
        result = eligible(ledger, purpose=purpose, count_only=count, limit=limit)
    if as_json:
        print_json({"ok": True, **result.to_dict()})
    elif result.subject_ids is None:
        typer.echo(str(result.count))
    elif result.subject_ids:
        typer.echo("\n".join(result.subject_ids))


def _describe(r: Restriction) -> str:
    what = f"{r.scope} of {'every purpose' if r.purpose is None else r.purpose}"
    state = "active" if r.active else f"lifted {r.lifted_at:%Y-%m-%d} ({r.lift_reason})"
    return f"#{r.id}  {r.created_at:%Y-%m-%d}  {what}  [{r.origin}]  {r.reason}  — {state}"


def restrict_command(
    subject: SubjectArg,
    scope: Annotated[str, typer.Option("--scope", help="use or provision.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded).")],
    origin: Annotated[str, typer.Option("--origin", help="request, legal_hold or officer.")],
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="Only this purpose (default: every purpose).")
    ] = None,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Suspend use or provision of a subject's data until lifted; prints the restriction id."""
    with ledger_for(db, as_json=as_json) as ledger:
        restriction = suspend(
            ledger,
            subject,
            scope=scope,
            purpose=purpose,
            reason=reason,
            origin=origin,
            actor=actor,
        )
    if as_json:
        print_json({"ok": True, **restriction.to_dict()})
    else:
        typer.echo(str(restriction.id))


def lift_command(
    restriction_id: Annotated[
        int, typer.Argument(help="The restriction id (from hogo restrict or hogo restrictions).")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why it is lifted (recorded).")],
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Lift a restriction: from now on it no longer applies."""
    with ledger_for(db, as_json=as_json) as ledger:
        restriction = lift(ledger, restriction_id, reason=reason, actor=actor)
    if as_json:
        print_json({"ok": True, **restriction.to_dict()})
    else:
        stdout().print(Text(_describe(restriction)))


def restrictions_command(
    subject: SubjectArg,
    include_lifted: Annotated[
        bool, typer.Option("--all", help="Include lifted restrictions.")
    ] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List a subject's active restrictions (all of them with --all), oldest first."""
    with ledger_for(db, as_json=as_json) as ledger:
        found = restrictions_of(ledger, subject, include_lifted=include_lifted)
    if as_json:
        print_json(
            {"ok": True, "subject_id": subject, "restrictions": [r.to_dict() for r in found]}
        )
        return
    out = stdout()
    if not found:
        out.print(Text("no active restriction" if not include_lifted else "no restriction"))
    for r in found:
        out.print(Text(_describe(r)))
