"""hogo incident: leakage incidents, their scope, PPC report drafts and notices (APPI Art. 26)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

from hogo.cli.context import DbOpt, JsonOpt, fail, ledger_for
from hogo.cli.incident_output import print_incident, print_list, print_view
from hogo.cli.output import print_json, stderr, stdout
from hogo.services.errors import BadInput
from hogo.services.incidents import (
    close_incident,
    draft_report,
    list_incidents,
    new_incident,
    notify,
    scope_by_access,
    scope_by_items,
    scope_by_source,
    show_incident,
    update_incident,
)

incident_app = typer.Typer(
    help="Leakage incidents: scope, triggers, deadlines, PPC report drafts, notices.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(incident_app, name="incident")


class Kind(StrEnum):
    PRELIMINARY = "preliminary"
    FINAL = "final"


class Lang(StrEnum):
    JA = "ja"
    EN = "en"


class Format(StrEnum):
    MD = "md"
    HTML = "html"


class State(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


DAY = ["%Y-%m-%d"]
MOMENT = [
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M",  # refused by the service with a clear message: no time zone
    "%Y-%m-%dT%H:%M:%S",
]

IdArg = Annotated[int, typer.Argument(help="The incident id.", metavar="ID", show_default=False)]
ActorOpt = Annotated[str, typer.Option("--actor", help="Who acts (audited).")]
TodayOpt = Annotated[
    datetime | None,
    typer.Option(
        "--today", formats=DAY, metavar="DATE", help="Count down from this day (default: today)."
    ),
]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of the sentences: en or ja.")]


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


@incident_app.command("new")
def incident_new(
    known_at: Annotated[
        datetime,
        typer.Option(
            "--known-at",
            formats=DAY,
            metavar="DATE",
            help="The day the company came to know (day 1).",
        ),
    ],
    summary: Annotated[str, typer.Option("--summary", help="What happened (report item 1).")],
    occurred_at: Annotated[
        datetime | None,
        typer.Option(
            "--occurred-at", formats=DAY, metavar="DATE", help="The day it happened, when known."
        ),
    ] = None,
    discovered_on: Annotated[
        datetime | None,
        typer.Option(
            "--discovered-on", formats=DAY, metavar="DATE", help="The day it was discovered."
        ),
    ] = None,
    discovered: Annotated[
        str | None, typer.Option("--discovered", help="How it was discovered.")
    ] = None,
    unlawful_purpose: Annotated[
        bool,
        typer.Option("--unlawful-purpose", help="Possibly done for an unlawful purpose."),
    ] = False,
    strongly_encrypted: Annotated[
        bool,
        typer.Option(
            "--strongly-encrypted", help="The data was strongly encrypted; the key did not leak."
        ),
    ] = False,
    vendor: Annotated[
        str | None, typer.Option("--vendor", help="The entrustee involved (vendors[].id).")
    ] = None,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Open an incident on the day it became known; prints its id and both deadlines."""
    with ledger_for(db, as_json=as_json) as ledger:
        incident = new_incident(
            ledger,
            known_at=known_at.date(),
            summary=summary,
            occurred_at=_day(occurred_at),
            discovered_on=_day(discovered_on),
            discovered=discovered,
            unlawful_purpose=unlawful_purpose,
            strongly_encrypted=strongly_encrypted,
            vendor=vendor,
            actor=actor,
        )
    if as_json:
        print_json({"ok": True, **incident.to_dict()})
    else:
        print_incident(incident, "opened")


@incident_app.command("update")
def incident_update(
    incident_id: IdArg,
    summary: Annotated[str | None, typer.Option("--summary", help="What happened.")] = None,
    discovered: Annotated[
        str | None, typer.Option("--discovered", help="How it was discovered.")
    ] = None,
    medium: Annotated[
        str | None, typer.Option("--medium", help="The medium (paper, a database…).")
    ] = None,
    cause: Annotated[str | None, typer.Option("--cause", help="The cause (item 4).")] = None,
    secondary_damage: Annotated[
        str | None,
        typer.Option("--secondary-damage", help="Secondary damage or its risk (item 5)."),
    ] = None,
    measures: Annotated[
        str | None, typer.Option("--measures", help="Measures for the people affected (item 6).")
    ] = None,
    publication: Annotated[
        str | None, typer.Option("--publication", help="Publication (item 7).")
    ] = None,
    prevention: Annotated[
        str | None, typer.Option("--prevention", help="Prevention measures taken (item 8).")
    ] = None,
    prevention_planned: Annotated[
        str | None,
        typer.Option("--prevention-planned", help="Prevention measures planned (item 8)."),
    ] = None,
    other: Annotated[str | None, typer.Option("--other", help="Other matters (item 9).")] = None,
    unlawful_purpose: Annotated[
        bool | None,
        typer.Option(
            "--unlawful-purpose/--no-unlawful-purpose",
            help="Possibly done for an unlawful purpose (60-day final deadline).",
            show_default=False,
        ),
    ] = None,
    strongly_encrypted: Annotated[
        bool | None,
        typer.Option(
            "--strongly-encrypted/--not-strongly-encrypted",
            help="The data was strongly encrypted and the key did not leak.",
            show_default=False,
        ),
    ] = None,
    known_at: Annotated[
        datetime | None,
        typer.Option("--known-at", formats=DAY, metavar="DATE", help="Correct the day of knowing."),
    ] = None,
    occurred_at: Annotated[
        datetime | None,
        typer.Option("--occurred-at", formats=DAY, metavar="DATE", help="The day it happened."),
    ] = None,
    discovered_on: Annotated[
        datetime | None,
        typer.Option(
            "--discovered-on", formats=DAY, metavar="DATE", help="The day it was discovered."
        ),
    ] = None,
    vendor: Annotated[
        str | None, typer.Option("--vendor", help="The entrustee involved (vendors[].id).")
    ] = None,
    preliminary_filed: Annotated[
        datetime | None,
        typer.Option(
            "--preliminary-filed",
            formats=DAY,
            metavar="DATE",
            help="The day the preliminary was filed.",
        ),
    ] = None,
    final_filed: Annotated[
        datetime | None,
        typer.Option(
            "--final-filed", formats=DAY, metavar="DATE", help="The day the final report was filed."
        ),
    ] = None,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record what the investigation found; only the options given change."""
    given = {
        "summary": summary,
        "discovered": discovered,
        "medium": medium,
        "cause": cause,
        "secondary_damage": secondary_damage,
        "measures": measures,
        "publication": publication,
        "prevention": prevention,
        "prevention_planned": prevention_planned,
        "other": other,
    }
    with ledger_for(db, as_json=as_json) as ledger:
        incident = update_incident(
            ledger,
            incident_id,
            texts={k: v for k, v in given.items() if v is not None},
            unlawful_purpose=unlawful_purpose,
            strongly_encrypted=strongly_encrypted,
            known_at=_day(known_at),
            occurred_at=_day(occurred_at),
            discovered_on=_day(discovered_on),
            vendor=vendor,
            preliminary_filed_on=_day(preliminary_filed),
            final_filed_on=_day(final_filed),
            actor=actor,
        )
    if as_json:
        print_json({"ok": True, **incident.to_dict()})
    else:
        print_incident(incident, "updated")


@incident_app.command("scope")
def incident_scope(
    incident_id: IdArg,
    items: Annotated[
        str | None, typer.Option("--items", help="Every subject holding these items (a,b).")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Every subject collected from this source.")
    ] = None,
    accessed_by: Annotated[
        str | None,
        typer.Option("--actor", help="Every subject this actor accessed (with --from, --to)."),
    ] = None,
    start: Annotated[
        datetime | None,
        typer.Option(
            "--from",
            formats=MOMENT,
            metavar="DATETIME",
            help="Window start, e.g. 2026-11-24T09:00+09:00.",
        ),
    ] = None,
    end: Annotated[
        datetime | None,
        typer.Option(
            "--to",
            formats=MOMENT,
            metavar="DATETIME",
            help="Window end, e.g. 2026-11-24T18:00+09:00.",
        ),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Who scopes (audited).")] = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add the people affected to the incident, from one ledger query; safe to repeat."""
    chosen = [v for v in (items, source, accessed_by) if v is not None]
    problem = None
    if len(chosen) != 1:
        problem = "give exactly one of --items, --source or --actor"
    elif accessed_by is None and (start is not None or end is not None):
        problem = "--from and --to go with --actor"
    elif accessed_by is not None and (start is None or end is None):
        problem = "--actor needs --from and --to"
    if problem is not None:
        raise fail(BadInput(problem), as_json=as_json)
    with ledger_for(db, as_json=as_json) as ledger:
        if items is not None:
            wanted = [i.strip() for i in items.split(",") if i.strip()]
            result = scope_by_items(ledger, incident_id, items=wanted, actor=by)
        elif source is not None:
            result = scope_by_source(ledger, incident_id, source=source, actor=by)
        else:
            assert accessed_by is not None and start is not None and end is not None
            result = scope_by_access(
                ledger, incident_id, accessed_by=accessed_by, start=start, end=end, actor=by
            )
    if as_json:
        print_json({"ok": True, **result.to_dict()})
        return
    unchanged = result.found - result.added - result.widened
    stdout().print(
        Text(
            f"incident #{incident_id}: found {result.found:,}, added {result.added:,}, "
            f"widened {result.widened:,}, unchanged {unchanged:,}; "
            f"{result.people:,} people in scope"
        )
    )


@incident_app.command("show")
def incident_show(
    incident_id: IdArg,
    today: TodayOpt = None,
    lang: LangOpt = Lang.EN,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Triggers, whether a report is required and why, deadlines and countdown, scope."""
    with ledger_for(db, as_json=as_json) as ledger:
        view = show_incident(ledger, incident_id, today=_day(today))
    if as_json:
        print_json({"ok": True, **view.to_dict()})
    else:
        print_view(view, lang.value, events=True)


@incident_app.command("list")
def incident_list(
    state: Annotated[State | None, typer.Option("--state", help="open or closed.")] = None,
    today: TodayOpt = None,
    lang: LangOpt = Lang.EN,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every incident, open ones first by nearest deadline."""
    with ledger_for(db, as_json=as_json) as ledger:
        views = list_incidents(
            ledger, state=None if state is None else state.value, today=_day(today)
        )
    if as_json:
        print_json({"ok": True, "incidents": [v.to_dict() for v in views]})
        return
    print_list(views, lang.value)


@incident_app.command("report")
def incident_report(
    incident_id: IdArg,
    kind: Annotated[Kind, typer.Option("--kind", help="preliminary (速報) or final (確報).")],
    lang: Annotated[Lang, typer.Option("--lang", help="ja or en.")],
    fmt: Annotated[Format, typer.Option("--format", help="md (default) or html.")] = Format.MD,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    today: TodayOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Draft the report to the PPC with every item of Rules Art. 8; unknowns say so."""
    with ledger_for(db, as_json=as_json) as ledger:
        draft = draft_report(
            ledger,
            incident_id,
            kind=kind.value,
            lang=lang.value,
            fmt=fmt.value,
            today=_day(today),
        )
    if output is not None:
        output.write_text(draft.text, "utf-8")
    if as_json:
        print_json(
            {
                "ok": True,
                "incident_id": incident_id,
                "kind": kind.value,
                "lang": lang.value,
                "format": fmt.value,
                "under_investigation": list(draft.pending),
                "file": None if output is None else str(output),
                "text": None if output is not None else draft.text,
            }
        )
    elif output is None:
        typer.echo(draft.text, nl=False)
    else:
        stdout().print(Text(f"wrote {output}"))


@incident_app.command("notify")
def incident_notify(
    incident_id: IdArg, actor: ActorOpt = "officer", db: DbOpt = None, as_json: JsonOpt = False
) -> None:
    """Queue a notice to every person in scope not yet notified (Art. 26(2))."""
    console = stderr()
    bar = Progress(
        TextColumn("queueing notices"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        disable=as_json or not console.is_terminal,
    )
    task = bar.add_task("notify", total=None)
    with ledger_for(db, as_json=as_json) as ledger, bar:
        result = notify(
            ledger,
            incident_id,
            actor=actor,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if as_json:
        print_json({"ok": True, **result.to_dict()})
        return
    out = stdout()
    out.print(
        Text(
            f"incident #{incident_id}: queued {result.queued:,} notice(s); "
            f"{result.already:,} already notified of {result.people:,}"
        )
    )
    if result.publication_needed:
        out.print(
            Text(
                f"{result.unreachable:,} people cannot be reached (no e-mail address, or "
                "erased): publish the facts and open an inquiry contact (APPI Art. 26(2) proviso)"
            ),
            style="yellow",
        )


@incident_app.command("close")
def incident_close(
    incident_id: IdArg, actor: ActorOpt = "officer", db: DbOpt = None, as_json: JsonOpt = False
) -> None:
    """Close an incident: nothing more changes and its countdown stops."""
    with ledger_for(db, as_json=as_json) as ledger:
        incident = close_incident(ledger, incident_id, actor=actor)
    if as_json:
        print_json({"ok": True, **incident.to_dict()})
    else:
        stdout().print(Text(f"closed incident #{incident.id}"))
