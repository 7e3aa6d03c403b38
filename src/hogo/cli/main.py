"""The `hogo` command: thin Typer commands that parse, call a service and print."""

from __future__ import annotations

import typer

from hogo import __version__
from hogo.cli import (
    access_commands,
    anonymize_commands,
    anonymized_commands,
    audit_commands,
    consent_commands,
    demo_commands,
    incident_commands,
    inquiry_commands,
    ledger_commands,
    mail_commands,
    policy_change_commands,
    policy_commands,
    provision_commands,
    report_commands,
    request_commands,
    stats_commands,
    subject_commands,
    sweep_commands,
    vendor_commands,
)

app = typer.Typer(
    name="hogo",
    help="hogo (保護): your privacy policy as code — checked, published and enforced.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
policy_commands.register(app)
ledger_commands.register(app)
audit_commands.register(app)
provision_commands.register(app)
consent_commands.register(app)
subject_commands.register(app)
sweep_commands.register(app)
mail_commands.register(app)
inquiry_commands.register(app)
vendor_commands.register(app)
report_commands.register(app)
request_commands.register(app)
incident_commands.register(app)
policy_change_commands.register(ledger_commands.policy_app)
access_commands.register(app)
anonymized_commands.register(app)
demo_commands.register(app)
anonymize_commands.register(app)
stats_commands.register(app)


@app.command("version")
def version() -> None:
    """Print hogo's version."""
    typer.echo(f"hogo {__version__}")


def run() -> None:
    app()
