"""What every ledger command shares: settings from flags and environment, errors to exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from hogo.cli.output import ExitCode, print_json, stderr
from hogo.config import Settings
from hogo.services.errors import BadInput, HogoError, NotReady, Refused
from hogo.services.ledger import Ledger, open_ledger

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: $HOGO_DATABASE_URL, else sqlite:///hogo.db)."
    ),
]
PolicyOpt = Annotated[
    Path | None,
    typer.Option("--policy", help="Policy file (default: $HOGO_POLICY, else hogo.yaml)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ActorOpt = Annotated[str, typer.Option("--actor", help="Who acts: NAME or ROLE:NAME (audited).")]


def settings(db: str | None = None, policy: Path | None = None) -> Settings:
    overrides: dict[str, Any] = {}
    if db is not None:
        overrides["database_url"] = db
    if policy is not None:
        overrides["policy"] = policy
    return Settings(**overrides)


_EXIT = {BadInput: ExitCode.BAD_INPUT, Refused: ExitCode.REFUSED, NotReady: ExitCode.FAILED}


def exit_code_of(error: HogoError) -> ExitCode:
    for kind, code in _EXIT.items():
        if isinstance(error, kind):
            return code
    return ExitCode.FAILED


def fail(error: HogoError, *, as_json: bool) -> typer.Exit:
    code = exit_code_of(error)
    if as_json:
        print_json({"ok": False, "error": error.code, "message": error.message})
    else:
        stderr().print(Text(f"{error.code}: {error.message}"), style="red")
    return typer.Exit(code)


@contextmanager
def ledger_for(db: str | None, *, as_json: bool) -> Iterator[Ledger]:
    """Open the ledger for one command; every hogo error becomes its exit code."""
    try:
        ledger = open_ledger(settings(db))
    except HogoError as exc:
        raise fail(exc, as_json=as_json) from None
    try:
        yield ledger
    except HogoError as exc:
        raise fail(exc, as_json=as_json) from None
    finally:
        ledger.close()
