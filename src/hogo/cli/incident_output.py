"""What `hogo incident` prints for people (scripts use --json)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from hogo.cli.output import stdout
from hogo.services.incidents import Incident, IncidentView


def print_incident(incident: Incident, verb: str) -> None:
    out = stdout()
    out.print(Text(f"{verb} incident #{incident.id} ({incident.state})"))
    out.print(
        Text(
            f"  preliminary report due {incident.preliminary_due}, "
            f"final report due {incident.final_due}"
        )
    )


def print_view(view: IncidentView, lang: str, *, events: bool) -> None:
    out = stdout()
    i, a = view.incident, view.assessment
    out.print(Text(f"incident #{i.id}  {i.state}  known {i.known_on}", style="bold"))
    out.print(Text(f"  {i.text('summary')}"))
    verdict = "report required" if a.required else "no report required"
    out.print(Text(f"{verdict}: {a.sentence(lang)}", style="red" if a.required else "green"))
    for finding in a.findings:
        out.print(Text(f"  - {finding.sentence(lang)}"))
    for name, countdown in (("preliminary", view.preliminary), ("final", view.final)):
        style = "red" if countdown.state.value == "overdue" else ""
        out.print(
            Text(f"{name} report: due {countdown.due} ({countdown.sentence(lang)})", style=style)
        )
    s = view.scope
    out.print(
        Text(f"scope: {s.people:,} people, {s.notified:,} notified, {s.erased:,} erased since")
    )
    for count in s.items:
        marks = [m for m, on in (("special care", count.item.special_care),
                                 ("financial risk", count.item.financial_risk)) if on]  # fmt: skip
        note = f" [{', '.join(marks)}]" if marks else ""
        out.print(Text(f"  {count.item.label(lang)}: {count.people:,}{note}"))
    if view.pending:
        pending = ", ".join(p.heading(lang) for p in view.pending)
        out.print(Text(f"under investigation: {pending}", style="yellow"))
    for event in view.events if events else ():
        out.print(Text(f"  {event.at:%Y-%m-%d %H:%M}  {event.kind:<7} {event.actor}"), style="dim")


def print_list(views: Sequence[IncidentView], lang: str) -> None:
    out = stdout()
    if not views:
        out.print(Text("no incidents"))
    for v in views:
        i = v.incident
        required = "report required" if v.assessment.required else "no report required"
        out.print(
            Text(
                f"#{i.id}  {i.state:<6} known {i.known_on}  {v.scope.people:,} people  "
                f"{required}  preliminary {v.preliminary.sentence(lang)}  "
                f"final {v.final.sentence(lang)}"
            )
        )
