"""hogo report inventory: the personal information ledger of JIS Q 15001 (個人情報管理台帳)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from hogo.cli.context import ActorOpt, DbOpt, JsonOpt, fail, ledger_for
from hogo.cli.output import print_json, stderr
from hogo.services.errors import BadInput
from hogo.services.inventory import inventory_report

report_app = typer.Typer(help="Reports from the policy and the ledger.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


@report_app.command("inventory")
def inventory_command(
    fmt: Annotated[str, typer.Option("--format", help="md, html or csv.")] = "md",
    lang: Annotated[str, typer.Option("--lang", help="ja or en.")] = "ja",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file, not stdout.")
    ] = None,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the inventory: every item, its purposes, sources, storage, access, retention
    and how many subjects and records hold it (CSV is UTF-8 with a BOM, for Excel)."""
    with ledger_for(db, as_json=as_json) as ledger:
        report, data = inventory_report(ledger, fmt=fmt, lang=lang, actor=actor)
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise fail(BadInput(f"cannot write {output}: {exc.strerror}"), as_json=as_json) from None
    if as_json:
        print_json({"ok": True, "file": str(output), "items": len(report.rows), "bytes": len(data)})
    else:
        stderr().print(Text(f"wrote {output} ({len(report.rows)} items)"))
