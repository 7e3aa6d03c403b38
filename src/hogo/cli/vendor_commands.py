"""hogo vendors list, audit, history: supervision of entrustees (APPI Art. 25)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.text import Text

from hogo.cli.context import ActorOpt, DbOpt, JsonOpt, ledger_for
from hogo.cli.output import print_json, stdout
from hogo.services.vendors import (
    VendorStatus,
    audit_history,
    audits_due,
    record_audit,
    vendor_statuses,
)

vendors_app = typer.Typer(
    help="Vendors (entrustees): audit due dates and audits done (APPI Art. 25).",
    no_args_is_help=True,
)

VendorArg = Annotated[
    str, typer.Argument(help="The vendor id (entrustment.vendors[].id).", show_default=False)
]


def register(app: typer.Typer) -> None:
    app.add_typer(vendors_app, name="vendors")


def _line(s: VendorStatus) -> str:
    if s.audit_interval is None:
        due = "no audit interval set"
    elif s.next_due is None:
        due = "OVERDUE: never audited, no contract date to count from"
    elif s.overdue:
        due = f"OVERDUE since {s.next_due} ({-(s.days_left or 0)} days)"
    else:
        due = f"next audit due {s.next_due} ({s.days_left} days left)"
    last = "never audited" if s.last_audit is None else f"last audit {s.last_audit}"
    if s.last_audit_from == "policy":
        last += " (as the policy states)"
    elif s.last_result is not None:
        last += f" ({s.last_result})"
    every = f"; audited every {s.audit_interval}" if s.audit_interval else ""
    return f"{s.id:<16} {s.name['en']}: {last}; {due}{every}"


@vendors_app.command("list")
def list_command(
    today: Annotated[
        datetime | None,
        typer.Option("--today", formats=["%Y-%m-%d"], help="Reckon as of this day."),
    ] = None,
    due_within: Annotated[
        int | None,
        typer.Option(
            "--due-within", min=0, help="Only vendors overdue or due within this many days."
        ),
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List each vendor with its last audit, next audit due and days left."""
    day = None if today is None else today.date()
    with ledger_for(db, as_json=as_json) as ledger:
        if due_within is None:
            found = vendor_statuses(ledger, today=day)
        else:
            found = audits_due(ledger, within_days=due_within, today=day)
    if as_json:
        print_json({"ok": True, "vendors": [s.to_dict() for s in found]})
        return
    out = stdout()
    if not found:
        out.print(Text("no vendors" if due_within is None else "no audits due"))
    for status in found:
        out.print(Text(_line(status)), style="red" if status.overdue else None)


@vendors_app.command("audit")
def audit_command(
    vendor: VendorArg,
    audited_on: Annotated[
        datetime,
        typer.Option("--date", formats=["%Y-%m-%d"], help="The day of the audit (not future)."),
    ],
    result: Annotated[str, typer.Option("--result", help="pass, findings or fail.")],
    note: Annotated[
        str | None, typer.Option("--note", help="What was found (kept encrypted).")
    ] = None,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record an audit of a vendor; prints its next due date."""
    with ledger_for(db, as_json=as_json) as ledger:
        recorded = record_audit(
            ledger,
            vendor,
            audited_on=audited_on.date(),
            result=result,
            note=note,
            actor=actor,
        )
    if as_json:
        print_json({"ok": True, **recorded.to_dict()})
        return
    stdout().print(Text(f"audit #{recorded.id} recorded: {_line(recorded.status)}"))


@vendors_app.command("history")
def history_command(
    vendor: VendorArg,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the audits recorded for a vendor, oldest first, with their notes (audited)."""
    with ledger_for(db, as_json=as_json) as ledger:
        history = audit_history(ledger, vendor, actor=actor)
    if as_json:
        print_json({"ok": True, "vendor": vendor, "audits": [a.to_dict() for a in history]})
        return
    out = stdout()
    if not history:
        out.print(Text("no audits recorded"))
    for audit in history:
        note = f"  {audit.note}" if audit.note else ""
        out.print(
            Text(f"#{audit.id}  {audit.audited_on}  {audit.result:<8} by {audit.recorded_by}{note}")
        )
