"""hogo audit verify: prove that no audit entry was altered, removed, inserted or reordered."""

from __future__ import annotations

import typer
from rich.progress import Progress
from rich.text import Text

from hogo.cli.context import DbOpt, JsonOpt, ledger_for
from hogo.cli.output import ExitCode, print_json, stderr, stdout
from hogo.services import audit_trail

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Recompute the hash chain; exit 1 naming the first bad entry."""
    with ledger_for(db, as_json=as_json) as ledger:
        if as_json:
            report = audit_trail.verify(ledger)
        else:
            with Progress(console=stderr(), transient=True) as bar:
                task = bar.add_task("verifying the audit trail", total=None)
                report = audit_trail.verify(
                    ledger,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
    if as_json:
        print_json(report.to_dict())
    elif report.ok:
        stdout().print(Text(f"audit trail intact: {report.checked:,} entries"), style="green")
        stdout().print(Text(f"head: entry {report.head_id}, hash {report.head_hash}"))
        stdout().print(
            Text("keep this head hash outside the database to detect a wholesale rewrite"),
            style="dim",
        )
    else:
        stdout().print(
            Text(f"audit trail BROKEN at entry {report.first_bad_id}: {report.problem}"),
            style="bold red",
        )
        stdout().print(Text(f"{report.checked:,} entries before it are intact"))
    if not report.ok:
        raise typer.Exit(ExitCode.FAILED)
