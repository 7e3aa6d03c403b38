"""hogo apikey (keys for applications), hogo user (console accounts) and hogo serve."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer
from rich.text import Text

from hogo.cli.context import ActorOpt, DbOpt, JsonOpt, ledger_for, settings
from hogo.cli.output import ExitCode, print_json, stderr, stdout
from hogo.services import api_keys, staff

apikey_app = typer.Typer(help="API keys for applications, each scoped to purposes and items.")
user_app = typer.Typer(help="Staff accounts for the console: officer, operator or auditor.")


def register(app: typer.Typer) -> None:
    app.add_typer(apikey_app, name="apikey", no_args_is_help=True)
    app.add_typer(user_app, name="user", no_args_is_help=True)
    app.command("serve")(serve)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Option("--name", help="The application's name, e.g. shop.")],
    purposes: Annotated[str, typer.Option("--purposes", help="Purposes the key may act for: a,b.")],
    items: Annotated[str, typer.Option("--items", help="Items the key may touch: x,y.")],
    ops: Annotated[
        bool,
        typer.Option("--ops", help="It may also work requests, incidents and inquiries."),
    ] = False,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a key; it is printed once and stored only as a hash."""
    with ledger_for(db, as_json=as_json) as ledger:
        token, row = api_keys.create_key(
            ledger,
            name=name,
            purposes=_split(purposes),
            items=_split(items),
            actor=actor,
            operations=ops,
        )
    if as_json:
        print_json({"ok": True, "token": token, **row.to_dict()})
        return
    out = stdout()
    out.print(Text(token))
    stderr().print(
        Text(f"key {row.name!r} for {', '.join(row.purposes)}: shown once, keep it secret"),
        style="yellow",
    )


@apikey_app.command("list")
def apikey_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List the keys (names, scopes and dates; never the secrets)."""
    with ledger_for(db, as_json=as_json) as ledger:
        rows = api_keys.list_keys(ledger)
    if as_json:
        print_json({"ok": True, "keys": [r.to_dict() for r in rows]})
        return
    out = stdout()
    for r in rows:
        state = "revoked" if r.revoked_at else "active"
        out.print(
            Text(
                f"{r.name}  hogo_{r.prefix}_…  {state}  purposes: {', '.join(r.purposes)}  "
                f"items: {', '.join(r.items)}"
            )
        )


@apikey_app.command("revoke")
def apikey_revoke(
    name: Annotated[str, typer.Argument(help="The key's name.")],
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a key: calls with it are refused from now on."""
    with ledger_for(db, as_json=as_json) as ledger:
        api_keys.revoke_key(ledger, name, actor=actor)
    if as_json:
        print_json({"ok": True, "revoked": name})
    else:
        stdout().print(Text(f"revoked {name}"))


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="The log-in name.")],
    role: Annotated[str, typer.Option("--role", help="officer, operator or auditor.")] = "operator",
    password_env: Annotated[
        str | None,
        typer.Option(
            "--password-env",
            help="Read the password from this environment variable (else asked twice).",
        ),
    ] = None,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a console user; the password is stored as an argon2id hash."""
    if password_env is not None:
        password = os.environ.get(password_env, "")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            stderr().print("the two passwords differ", style="red")
            raise typer.Exit(ExitCode.BAD_INPUT)
    with ledger_for(db, as_json=as_json) as ledger:
        user = staff.add_user(ledger, username=username, role=role, password=password, actor=actor)
    if as_json:
        print_json({"ok": True, **user.to_dict()})
    else:
        stdout().print(Text(f"added {user.username} ({user.role})"))


@user_app.command("list")
def user_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List console users and their roles."""
    with ledger_for(db, as_json=as_json) as ledger:
        users = staff.list_users(ledger)
    if as_json:
        print_json({"ok": True, "users": [u.to_dict() for u in users]})
        return
    for u in users:
        state = "disabled" if u.disabled_at else "active"
        stdout().print(Text(f"{u.username}  {u.role}  {state}"))


@user_app.command("disable")
def user_disable(
    username: Annotated[str, typer.Argument(help="The log-in name.")],
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Disable a user: log-ins are refused from now on (the history stays)."""
    with ledger_for(db, as_json=as_json) as ledger:
        staff.disable_user(ledger, username, actor=actor)
    if as_json:
        print_json({"ok": True, "disabled": username})
    else:
        stdout().print(Text(f"disabled {username}"))


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)
    ] = 8000,
    db: DbOpt = None,
    no_jobs: Annotated[
        bool,
        typer.Option(
            "--no-jobs",
            help="Run no periodic jobs (outbox worker, daily retention sweep) in this process.",
        ),
    ] = False,
) -> None:
    """Serve the REST API, the console and the portal; unless --no-jobs, also send the
    outbox every minute (when HOGO_SMTP_URL is set) and sweep retention once a day."""
    import uvicorn

    from hogo.server import create_app

    app = create_app(settings(db), jobs=not no_jobs)
    stderr().print(
        Text(
            f"hogo serving on http://{host}:{port}/  (console: /console, API: /api/v1/docs)"
            + ("" if no_jobs else "; periodic jobs on")
        )
    )
    uvicorn.run(app, host=host, port=port, log_level="info")
