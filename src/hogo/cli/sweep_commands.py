"""hogo sweep: erase what is past retention, purge provision and receipt records past theirs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from hogo.cli.context import DbOpt, JsonOpt, ledger_for
from hogo.cli.output import print_json, stderr, stdout
from hogo.services.retention_sweep import DEFAULT_BATCH, SweepResult, sweep


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep_command)


def _by_item(counts: Mapping[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return "0"
    return f"{total:,} (" + ", ".join(f"{i} {n:,}" for i, n in sorted(counts.items())) + ")"


def _print(result: SweepResult) -> None:
    out = stdout()
    verb = "to erase" if result.dry_run else "erased"
    head = f"retention sweep as of {result.today}"
    out.print(Text(head + (" (dry run: nothing written)" if result.dry_run else "")))
    out.print(Text(f"  records {verb}: {_by_item(result.records_erased)}"))
    out.print(
        Text(
            f"  subjects swept: {result.subjects_swept:,}, of which erased whole "
            f"(data key destroyed): {result.subjects_shredded:,}"
        )
    )
    if result.records_held:
        out.print(Text(f"  kept under legal hold: {_by_item(result.records_held)}"), style="yellow")
    purge = "to purge" if result.dry_run else "purged"
    out.print(Text(f"  provision records {purge}: {result.provision_records_purged:,}"))
    out.print(Text(f"  receipt records {purge}: {result.receipt_records_purged:,}"))
    if not result.dry_run:
        out.print(Text(f"  {result.batches:,} batch(es), run {result.run_id}"), style="dim")


def sweep_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would be done; write nothing.")
    ] = False,
    today: Annotated[
        datetime | None,
        typer.Option(
            "--today",
            formats=["%Y-%m-%d"],
            help="Sweep as of this day (default: today); a later day only with --dry-run.",
        ),
    ] = None,
    batch: Annotated[
        int,
        typer.Option(
            "--batch", help="Subjects (or provision/receipt records) per transaction.", min=1
        ),
    ] = DEFAULT_BATCH,
    actor: Annotated[str, typer.Option("--actor", help="Who runs the sweep (audited).")] = "sweep",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Erase records past retention (shredding subjects left with none) and purge provision
    and receipt records past their retention; legal holds are kept."""
    console = stderr()
    bar = Progress(
        TextColumn("sweeping"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=dry_run or not console.is_terminal,
    )
    task = bar.add_task("sweep", total=None)

    def progress(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with ledger_for(db, as_json=as_json) as ledger, bar:
        result = sweep(
            ledger,
            today=today.date() if today else None,
            dry_run=dry_run,
            batch=batch,
            actor=actor,
            progress=progress,
        )
    if as_json:
        print_json({"ok": True, **result.to_dict()})
    else:
        _print(result)
