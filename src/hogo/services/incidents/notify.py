"""Notices to the people affected by a leak (APPI Art. 26(2); PPC Rules Art. 10).

Each person in the scope gets one message, in their language, carrying items 1, 2, 4, 5
and 9 of the report (overview, items, cause, secondary damage, other), the items being
their own. Messages go to the outbox with a dedupe key per incident and subject, so
running `notify` again (after an interruption, or after the scope grew) writes to each
person once. People who cannot be written to (no e-mail address held, or erased) are
counted: when notice is impossible, the law asks the company to publish the facts and
open a contact point instead (Art. 26(2) proviso). Subjects are handled in batches, one
transaction each with its history row and audit entry, so a large scope is safe to
interrupt and resume.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from hogo.domain.incident_report import UNDER_INVESTIGATION
from hogo.ledger import tables_incidents as ti
from hogo.policy.render.vocab import format_hours
from hogo.policy.schema import Policy
from hogo.services.errors import Refused
from hogo.services.incidents.common import (
    Incident,
    check_actor,
    check_id,
    day_text,
    incident_of,
    leaked_item,
    load_row,
    record_event,
    require_open,
)
from hogo.services.ledger import Ledger
from hogo.services.outbox import enqueue, subject_contact

NOTICE_KIND = "incident_notice"
BATCH = 200
DUTY = "leak notice, APPI Art. 26(2)"


@dataclass(frozen=True)
class NotifyResult:
    incident_id: int
    people: int
    queued: int
    """Messages queued by this call."""
    already: int
    """People notified by an earlier call."""
    unreachable: int
    """People with no e-mail address held, or erased: publish instead (Art. 26(2) proviso)."""

    @property
    def publication_needed(self) -> bool:
        return self.unreachable > 0

    def to_dict(self) -> dict[str, object]:
        return {
            "incident_id": self.incident_id,
            "people": self.people,
            "queued": self.queued,
            "already_notified": self.already,
            "unreachable": self.unreachable,
            "publication_needed": self.publication_needed,
        }


def _contact(policy: Policy, lang: str) -> str:
    org = policy.organization
    desk = org.contact or org.complaint_contact
    if desk is None:
        return org.name[lang]
    label = (
        ("メール：", "電話：", "受付時間：") if lang == "ja" else ("E-mail: ", "Phone: ", "Hours: ")
    )
    lines = [desk.name[lang]]
    if desk.email:
        lines.append(f"{label[0]}{desk.email}")
    if desk.phone:
        lines.append(f"{label[1]}{desk.phone}")
    if desk.hours:
        lines.append(f"{label[2]}{format_hours(desk.hours, 'ja' if lang == 'ja' else 'en')}")
    return "\n".join(lines)


def _term(policy: Policy, lang: str) -> str:
    term = policy.policy.subject_term
    if term is not None and term[lang].strip():
        return term[lang]
    return "お客様" if lang == "ja" else "you"


def notice_context(incident: Incident, policy: Policy, lang: str) -> dict[str, Any]:
    """The Rules Art. 10 items common to every person, in `lang`; unknown ones say so."""
    tbd = UNDER_INVESTIGATION[lang]
    texts = incident.texts
    occurred = incident.occurred_on
    return {
        "company": policy.organization.name[lang],
        "term": _term(policy, lang),
        "overview": texts["summary"],
        "occurred_on": tbd if occurred is None else day_text(occurred, lang),
        "known_on": day_text(incident.known_on, lang),
        "cause": texts.get("cause") or tbd,
        "secondary_damage": texts.get("secondary_damage") or tbd,
        "other": texts.get("other") or tbd,
        "pending": any(texts.get(k) is None for k in ("cause", "secondary_damage", "other"))
        or occurred is None,
        "tbd": tbd,
        "contact": _contact(policy, lang),
    }


def _items(policy: Policy, items: list[str], lang: str) -> str:
    """The person's own items, in the policy's order."""
    order = {item.id: n for n, item in enumerate(policy.items)}
    ordered = sorted(items, key=lambda i: (order.get(i, len(order)), i))
    separator = "、" if lang == "ja" else ", "
    return separator.join(leaked_item(policy, i).label(lang) for i in ordered)


def notify(
    ledger: Ledger,
    incident_id: int,
    *,
    actor: str,
    progress: Callable[[int, int], None] | None = None,
) -> NotifyResult:
    """Queue a notice to every person in the scope not yet notified; count the unreachable."""
    check_id(incident_id)
    actor = check_actor(actor)
    scope = ti.incident_subjects
    with ledger.engine.begin() as conn:
        row = load_row(conn, incident_id)
        require_open(row)
        people = conn.execute(
            select(func.count()).select_from(scope).where(scope.c.incident_id == incident_id)
        ).scalar_one()
        if not people:
            raise Refused(
                f"incident {incident_id} has no one in its scope: add the people affected "
                "with `hogo incident scope` first",
                code="empty_scope",
            )
        waiting = list(
            conn.execute(
                select(scope.c.subject_id)
                .where(scope.c.incident_id == incident_id, scope.c.notified_at.is_(None))
                .order_by(scope.c.subject_id)
            ).scalars()
        )
        incident = incident_of(ledger, conn, row)
        policy = ledger.policy_in_force(conn).policy
    contexts = {lang: notice_context(incident, policy, lang) for lang in ("ja", "en")}
    queued = unreachable = 0
    for start in range(0, len(waiting), BATCH):
        sent, missed = _batch(
            ledger, incident_id, waiting[start : start + BATCH], policy, contexts, actor
        )
        queued, unreachable = queued + sent, unreachable + missed
        if progress is not None:
            progress(min(start + BATCH, len(waiting)), len(waiting))
    already = int(people) - len(waiting)
    return NotifyResult(incident_id, int(people), queued, already, unreachable)


def _batch(
    ledger: Ledger,
    incident_id: int,
    subject_ids: list[str],
    policy: Policy,
    contexts: Mapping[str, Mapping[str, Any]],
    actor: str,
) -> tuple[int, int]:
    """One transaction: the notices of up to BATCH people, their history row and audit."""
    scope = ti.incident_subjects
    queued = unreachable = 0
    with ledger.engine.begin() as conn:
        require_open(load_row(conn, incident_id, lock=True))  # one notify at a time
        rows = conn.execute(
            select(scope.c.subject_id, scope.c["items"]).where(
                scope.c.incident_id == incident_id,
                scope.c.subject_id.in_(subject_ids),
                scope.c.notified_at.is_(None),
            )
        ).all()
        for row in sorted(rows, key=lambda r: str(r.subject_id)):
            contact = subject_contact(ledger, conn, row.subject_id, actor=actor, duty=DUTY)
            if contact is None:
                unreachable += 1
                continue
            lang = contact.lang if contact.lang in contexts else "ja"
            enqueue(
                ledger,
                conn,
                kind=NOTICE_KIND,
                lang=lang,
                to=contact.address,
                context={**contexts[lang], "items": _items(policy, row.items, lang)},
                subject_id=row.subject_id,
                ref=f"incident:{incident_id}",
                dedupe_key=f"incident:{incident_id}:subject:{row.subject_id}",
            )
            conn.execute(
                update(scope)
                .where(scope.c.incident_id == incident_id, scope.c.subject_id == row.subject_id)
                .values(notified_at=ledger.now())
            )
            queued += 1
        record_event(
            ledger,
            conn,
            incident_id,
            kind="notify",
            actor=actor,
            detail={"queued": queued, "unreachable": unreachable},
        )
    return queued, unreachable
