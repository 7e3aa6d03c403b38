"""Drafts of the report to the PPC (速報 / 確報), in Markdown or as a standalone HTML page.

The draft carries every item of PPC Rules Art. 8(1) in the order of the PPC's form, with
the reporting company's name, address and representative from the policy in force. What
the register does not hold yet is written as under investigation (調査中), never
guessed: the officer fills it in with `update` and drafts again. The report itself is
filed through the PPC's online form; hogo prepares its content.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from hogo.domain.incident_report import REPORT_ITEMS, UNDER_INVESTIGATION, ReportKind
from hogo.domain.incidents import FINAL_REPORT_DAYS, FINAL_REPORT_DAYS_UNLAWFUL, Trigger
from hogo.ledger.engine import READ_ONLY
from hogo.policy.render.escape import md_block, md_inline
from hogo.policy.render.html import markdown_to_html
from hogo.policy.schema import LANGS, Policy, Text
from hogo.services.errors import BadInput
from hogo.services.incidents.common import SUBJECT_KINDS, check_id, day_text, load_row
from hogo.services.incidents.register import IncidentView, view_in
from hogo.services.ledger import Ledger

FORMATS = ("md", "html")
TITLE = {
    "ja": "【下書き】個人データの漏えい等に関する報告書（{kind}）",
    "en": "DRAFT: Report on a leakage of personal data ({kind})",
}


@functools.cache
def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("hogo.services.incidents", "templates"),
        undefined=StrictUndefined,
        autoescape=lambda name: name is not None and name.endswith(".html.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update({"md": md_inline, "mdb": md_block})
    return env


@dataclass(frozen=True)
class Draft:
    incident_id: int
    kind: ReportKind
    lang: str
    format: str
    text: str
    pending: tuple[str, ...]
    """Report items still under investigation (their keys)."""


def _text(value: Text | None, lang: str) -> str | None:
    return None if value is None or not value[lang].strip() else value[lang]


def _date(value: date | None, lang: str) -> str | None:
    return None if value is None else day_text(value, lang)


def _vendor(policy: Policy, vendor_id: str | None, lang: str) -> dict[str, str] | None:
    if vendor_id is None:
        return None
    vendor = next((v for v in policy.entrustment.vendors if v.id == vendor_id), None)
    if vendor is None:  # dropped from the policy since it was recorded
        return {"name": vendor_id, "tasks": ""}
    separator = "、" if lang == "ja" else "; "
    return {"name": vendor.name[lang], "tasks": separator.join(t[lang] for t in vendor.tasks)}


def context(view: IncidentView, policy: Policy, kind: ReportKind, lang: str) -> dict[str, Any]:
    """Everything the templates print, already in `lang`; free text is escaped there."""
    incident, scope, assessment = view.incident, view.scope, view.assessment
    due = view.preliminary if kind is ReportKind.PRELIMINARY else view.final
    org = policy.organization
    texts = dict(incident.texts)
    return {
        "kind": kind.value,
        "kind_title": kind.label(lang),
        "id": incident.id,
        "state": incident.state,
        "drafted_on": day_text(view.today, lang),
        "due": day_text(due.due, lang),
        "due_state": due.sentence(lang),
        "final_days": (
            FINAL_REPORT_DAYS_UNLAWFUL if incident.unlawful_purpose_suspected else FINAL_REPORT_DAYS
        ),
        "company": {
            "name": org.name[lang],
            "address": _text(org.address, lang),
            "representative": _text(org.representative, lang),
        },
        "required": assessment.required,
        "exempt": assessment.exempt,
        "assessment": assessment.sentence(lang),
        "findings": [f.sentence(lang) for f in assessment.findings],
        "triggers": [
            {
                "number": trigger.number,
                "article": trigger.article(lang),
                "label": trigger.label(lang),
                "applies": trigger in assessment.triggers,
            }
            for trigger in Trigger
        ],
        "occurred_on": _date(incident.occurred_on, lang),
        "discovered_on": _date(incident.discovered_on, lang),
        "known_on": day_text(incident.known_on, lang),
        "vendor": _vendor(policy, incident.vendor, lang),
        "people": scope.people,
        "erased": scope.erased,
        "notified": scope.notified,
        "subject_kinds": [
            {"label": SUBJECT_KINDS.get(k, (k, k))[0 if lang == "ja" else 1], "people": n}
            for k, n in scope.subject_kinds.items()
        ],
        "items": [
            {
                "label": c.item.label(lang),
                "people": c.people,
                "special_care": c.item.special_care,
                "financial_risk": c.item.financial_risk,
            }
            for c in scope.items
        ],
        **texts,
        "headings": {item.key: f"{item.number}. {item.heading(lang)}" for item in REPORT_ITEMS},
        "pending": [f"{item.number}. {item.heading(lang)}" for item in view.pending],
        "tbd": UNDER_INVESTIGATION[lang],
    }


def render_report(
    view: IncidentView, policy: Policy, *, kind: ReportKind, lang: str, fmt: str = "md"
) -> str:
    env = _templates()
    values = context(view, policy, kind, lang)
    markdown = env.get_template(f"{lang}/report.md.j2").render(**values)
    if fmt == "md":
        return markdown
    return env.get_template("report.html.j2").render(
        lang=lang,
        title=TITLE[lang].format(kind=values["kind_title"]),
        body=markdown_to_html(markdown),
    )


def draft_report(
    ledger: Ledger,
    incident_id: int,
    *,
    kind: str,
    lang: str,
    fmt: str = "md",
    today: date | None = None,
) -> Draft:
    """The preliminary or final report's draft, as the register stands (read only)."""
    check_id(incident_id)
    try:
        report_kind = ReportKind(kind)
    except ValueError:
        raise BadInput(f"unknown report kind {kind!r}; use preliminary or final") from None
    if lang not in LANGS:
        raise BadInput(f"unknown language {lang!r}; use ja or en")
    if fmt not in FORMATS:
        raise BadInput(f"unknown format {fmt!r}; use md or html")
    on = today or ledger.today()
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn, conn.begin():
        view = view_in(ledger, conn, load_row(conn, incident_id), on)
        policy = ledger.policy_in_force(conn).policy
    text = render_report(view, policy, kind=report_kind, lang=lang, fmt=fmt)
    return Draft(incident_id, report_kind, lang, fmt, text, tuple(i.key for i in view.pending))
