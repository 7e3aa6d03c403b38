"""hogo init, check, render and diff: the policy file as code."""

from __future__ import annotations

import os
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from hogo.cli.context import fail
from hogo.cli.output import ExitCode, OutputFormat, print_json, stderr, stdout
from hogo.services import policy_documents as documents
from hogo.services.anonymized import announce
from hogo.services.errors import HogoError


def default_policy() -> Path:
    return Path(os.environ.get("HOGO_POLICY", "hogo.yaml"))


PolicyArg = Annotated[
    Path | None,
    typer.Argument(help="Policy file (default: $HOGO_POLICY, else hogo.yaml).", show_default=False),
]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", help="text for people, json for scripts.")
]


class DocFormat(StrEnum):
    MD = "md"
    HTML = "html"


class LangChoice(StrEnum):
    JA = "ja"
    EN = "en"


def _fail_on_load(exc: documents.PolicyLoadError) -> typer.Exit:
    console = stderr()
    for diagnostic in exc.diagnostics:
        console.print(Text(str(diagnostic)), style="red")
    return typer.Exit(ExitCode.BAD_INPUT)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("check")(check)
    app.command("render")(render)
    app.command("diff")(diff)


def init(
    directory: Annotated[Path, typer.Argument(help="Where to write hogo.yaml.")] = Path(),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing hogo.yaml.")] = False,
) -> None:
    """Write a commented starter hogo.yaml that passes `hogo check`, and a master key file."""
    try:
        done = documents.scaffold(directory, force=force)
    except documents.ScaffoldExistsError as exc:
        stderr().print(Text(str(exc)), style="red")
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    console = stdout()
    console.print(Text(f"wrote {done.policy}; next: hogo check {done.policy}"))
    if done.key_file is not None:
        console.print(
            Text(f"created the master key {done.key_file} (mode 0600): back it up; never commit it")
        )


def check(
    policy: PolicyArg = None,
    today: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Judge dates (vendor audits) as of this day."),
    ] = None,
    output: FormatOpt = OutputFormat.TEXT,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="Print every rule and exit.")
    ] = False,
) -> None:
    """Lint the policy against APPI; exit 1 when any error is found."""
    if list_rules:
        _print_rules(output)
        return
    path = policy or default_policy()
    try:
        report = documents.check_file(path, today=today.date() if today else None)
    except documents.PolicyLoadError as exc:
        raise _fail_on_load(exc) from None
    if output is OutputFormat.JSON:
        print_json(report.to_dict())
    else:
        _print_report(report)
    raise typer.Exit(ExitCode.OK if report.ok else ExitCode.FAILED)


def _print_report(report: documents.CheckReport) -> None:
    console = stdout()
    for diagnostic in report.diagnostics:
        console.print(Text(f"{diagnostic}"), style="red")
    for finding in report.findings:
        style = "red" if finding.severity is documents.Severity.ERROR else "yellow"
        console.print(Text(str(finding)), style=style)
    summary = f"{report.file}: {report.errors} error(s), {report.warnings} warning(s)"
    console.print(Text(summary), style="bold green" if report.ok else "bold red")


def _print_rules(output: OutputFormat) -> None:
    rules = documents.list_rules()
    if output is OutputFormat.JSON:
        print_json(
            [
                {
                    "id": r.id,
                    "severity": r.severity.value,
                    "article": r.article,
                    "en": r.title_en,
                    "ja": r.title_ja,
                }
                for r in rules
            ]
        )
        return
    table = Table("id", "severity", "article", "rule", "規則")
    for r in rules:
        table.add_row(r.id, r.severity.value, Text(r.article), Text(r.title_en), Text(r.title_ja))
    stdout().print(table)


def render(
    policy: PolicyArg = None,
    lang: Annotated[
        LangChoice, typer.Option("--lang", help="Language of the text.")
    ] = LangChoice.JA,
    fmt: Annotated[
        DocFormat, typer.Option("--format", help="Markdown or standalone HTML.")
    ] = DocFormat.HTML,
    out: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")
    ] = None,
    site: Annotated[
        Path | None,
        typer.Option(
            "--site", help="Write the whole site (ja and en, HTML and Markdown) to this folder."
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Ledger whose anonymised datasets are announced (default: the configured "
            "ledger when it exists).",
        ),
    ] = None,
    no_db: Annotated[
        bool, typer.Option("--no-db", help="Render the file alone, reading no ledger.")
    ] = False,
) -> None:
    """Render the public privacy policy, with the anonymised datasets the ledger made."""
    path = policy or default_policy()
    try:
        created = announce.for_render(db, use_ledger=not no_db)
    except HogoError as exc:
        raise fail(exc, as_json=False) from None
    try:
        if site is not None:
            files = documents.render_site(path, site, created=created)
            console = stdout()
            for written in files.files:
                console.print(Text(f"wrote {written}"))
            console.print(
                Text(f"site ready: open {files.root.resolve() / 'index.html'}"), style="bold green"
            )
            return
        text = documents.render_file(path, lang.value, fmt.value, created=created)
    except documents.PolicyLoadError as exc:
        raise _fail_on_load(exc) from None
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    stdout().print(Text(f"wrote {out}"))


def diff(
    old: Annotated[Path, typer.Argument(help="The policy in force.")],
    new: Annotated[Path, typer.Argument(help="The proposed policy.")],
    output: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Classify every change: editorial, notify, or consent required.

    Exit 0 when no change needs consent, 1 when one does, 2 on bad input.
    """
    try:
        result = documents.diff_files(old, new)
    except documents.PolicyLoadError as exc:
        raise _fail_on_load(exc) from None
    if output is OutputFormat.JSON:
        print_json(result.to_dict())
    else:
        console = stdout()
        styles = {"consent": "bold red", "notify": "yellow", "editorial": "dim"}
        for change in result.changes:
            article = f" [{change.article}]" if change.article else ""
            line = f"{change.change_class.value:<9} {change.kind:<7} {change.path}: {change.message}{article}"
            console.print(Text(line), style=styles.get(change.change_class.value, ""))
        if not result.changes:
            console.print(Text("no changes"))
        else:
            verdict = (
                "consent required"
                if result.requires_consent
                else ("notice required" if result.requires_notice else "publish only")
            )
            console.print(Text(f"{len(result.changes)} change(s): {verdict}"), style="bold")
    raise typer.Exit(ExitCode.FAILED if result.requires_consent else ExitCode.OK)
