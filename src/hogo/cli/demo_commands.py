"""hogo demo: a folder with a policy, a key and a ledger of made-up people, ready to serve."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from hogo.cli.context import JsonOpt, fail
from hogo.cli.output import print_json, stderr, stdout
from hogo.services.demo import build_demo
from hogo.services.errors import HogoError


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


def demo_command(
    directory: Annotated[Path, typer.Option("--dir", help="Folder to write the demo into.")] = Path(
        "demo"
    ),
    subjects: Annotated[
        int, typer.Option("--subjects", help="How many made-up people.", min=10, max=100_000)
    ] = 300,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same people.")] = 0,
    force: Annotated[
        bool, typer.Option("--force", help="Start afresh when DIR already holds a database.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write DIR/hogo.yaml (the showcase policy), DIR/master.key and DIR/hogo.db: migrated,
    the policy published a year back, made-up people (Faker, mostly Japanese) with their
    consents, opt-outs, requests, an incident, provision records and inquiries, and the
    console log-in `officer` with the documented demo password."""
    console = stderr()
    bar = Progress(
        TextColumn("making the demo"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=as_json or not console.is_terminal,
    )
    task = bar.add_task("demo", total=None)

    def progress(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    try:
        with bar:
            result = build_demo(
                directory, subjects=subjects, seed=seed, force=force, progress=progress
            )
    except HogoError as exc:
        raise fail(exc, as_json=as_json) from None
    if as_json:
        print_json({"ok": True, **result.to_dict()})
        return
    out = stdout()
    out.print(Text(f"demo written to {result.directory}/ ({result.subjects} people)"))
    out.print(
        Text(f"serve it:  HOGO_KEY_FILE={result.key_file} hogo serve --db {result.database_url}")
    )
    out.print(
        Text(f"console:   http://127.0.0.1:8000/console  ({result.officer} / {result.password})")
    )
