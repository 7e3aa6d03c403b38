"""hogo policy changes, and what hogo policy publish prints about a revision."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from hogo.cli.context import DbOpt, JsonOpt, ledger_for
from hogo.cli.output import print_json, stderr, stdout
from hogo.services import policy_changes
from hogo.services.policy_changes import Revision

STYLES = {"consent": "bold red", "notify": "yellow", "editorial": "dim"}


def register(policy_app: typer.Typer) -> None:
    """Add `changes` to the `hogo policy` group (defined with publish and versions)."""
    policy_app.command("changes")(changes_command)


@contextmanager
def notice_progress(quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar for the notice step, on stderr when it is a terminal."""
    console = stderr()
    bar = Progress(
        TextColumn("queueing notices"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet or not console.is_terminal,
        transient=True,
    )
    task = bar.add_task("notices", total=None)
    with bar:
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _reach(change: policy_changes.RecordedChange) -> str:
    if change.reach == "everyone":
        return "reaches everyone"
    if change.reach == "nobody":
        return "reaches nobody in the ledger"
    what = [f"holders of {', '.join(change.items)}"] if change.items else []
    what += [f"people collected from {', '.join(change.sources)}"] if change.sources else []
    return "reaches " + (" and ".join(what) or "nobody in the ledger")


def _notice_line(revision: Revision) -> str:
    counts = (
        f"{revision.reached:,} subject(s) reached, {revision.queued:,} notice(s) queued, "
        f"{revision.without_address:,} without an e-mail address"
    )
    if revision.notice == "none":
        return "notice: none needed; publishing the revised policy is enough"
    if revision.notice == "published":
        return "notice: by publishing the revised policy (changes.notice lists no e-mail)"
    if revision.notice == "pending":
        return f"notice by e-mail UNFINISHED: {counts}; publish the same file again to finish"
    return f"notice by e-mail: {counts}"


def print_revision(revision: Revision, console: Console, *, editorial: bool = False) -> None:
    """The change summary (editorial changes too when asked), notices and re-consent."""
    if revision.previous_version_id is None:
        console.print(Text("the first published version: nothing to compare"))
        return
    counts = revision.counts()
    summary = ", ".join(f"{counts[k]} {k}" for k in ("consent", "notify", "editorial") if counts[k])
    console.print(
        Text(
            f"compared with version #{revision.previous_version_id}: "
            f"{len(revision.changes)} change(s)" + (f" ({summary})" if summary else "")
        ),
        style=STYLES.get(revision.highest or "", ""),
    )
    for change in revision.changes:
        if change.change_class == "editorial" and not editorial:
            continue
        article = f" [{change.article}]" if change.article else ""
        console.print(
            Text(f"  {change.change_class:<9} {change.path}{article}; {_reach(change)}"),
            style=STYLES[change.change_class],
        )
        console.print(
            Text(f"            {change.message}"),
            style="dim" if change.change_class == "editorial" else "",
        )
    if revision.requirements:
        console.print(
            Text(
                "consent needed again: uses of data held before the change are refused "
                "until the person consents again"
            ),
            style="bold",
        )
        for requirement in revision.requirements:
            console.print(
                Text(
                    f"  {requirement.purpose}: consents recorded after "
                    f"{requirement.since.isoformat()} count [{requirement.article}]"
                )
            )
    console.print(Text(_notice_line(revision)))
    for warning in revision.warnings:
        console.print(Text(f"warning: {warning}"), style="yellow")


def changes_command(
    version: Annotated[
        int | None,
        typer.Argument(
            help="Version id (#N in `hogo policy versions`; default: the latest).",
            show_default=False,
        ),
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What a published version changed and what it obliged: notices and consent again."""
    with ledger_for(db, as_json=as_json) as ledger:
        revision = policy_changes.revision(ledger, version)
    if as_json:
        print_json({"ok": True, **revision.to_dict()})
        return
    console = stdout()
    console.print(
        Text(
            f"version {revision.version} (#{revision.version_id}), effective "
            f"{revision.effective_date.isoformat()}"
        )
    )
    print_revision(revision, console, editorial=True)
