"""The scope of an incident: which subjects, and which items of theirs, may have leaked.

Three ledger queries find them, none decrypting anything: every subject holding given
items (a table or a column leaked), every subject collected from a source (a form or an
import leaked), and every subject an actor accessed in a time window according to the
audit trail (a stolen account, an insider). Each call adds what it finds to the scope in
one transaction: a subject is counted once per incident, and its items are merged, so
running the same query again changes nothing. The incident row is locked first, so two
scopes at once queue instead of racing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import JSON, and_, bindparam, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from hogo.ledger import tables as t
from hogo.ledger import tables_incidents as ti
from hogo.ledger.audit import Json
from hogo.ledger.sql import bulk_insert
from hogo.policy.schema import Policy
from hogo.services.errors import BadInput
from hogo.services.incidents.common import (
    check_actor,
    check_id,
    load_row,
    record_event,
    require_open,
)
from hogo.services.ledger import Ledger
from hogo.services.provision_common import declared_items

ACCESS_ACTIONS = {
    "use": "allowed",
    "collect": "done",
    "provide": "done",
    "lookup": "done",
    "contact": "done",
}
"""Audit actions that put personal data in an actor's hands, with the outcome that did."""
CHUNK = 500
"""Subjects per IN (…) list: well under SQLite's and PostgreSQL's parameter limits."""

Found = dict[str, set[str]]


@dataclass(frozen=True)
class ScopeResult:
    incident_id: int
    how: str
    found: int
    """Subjects the query found."""
    added: int
    """Of those, new to the scope."""
    widened: int
    """Already in scope, with items added."""
    people: int
    """In scope after the call."""

    def to_dict(self) -> dict[str, object]:
        return {
            "incident_id": self.incident_id,
            "how": self.how,
            "found": self.found,
            "added": self.added,
            "widened": self.widened,
            "unchanged": self.found - self.added - self.widened,
            "people": self.people,
        }


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _merge(ledger: Ledger, conn: Connection, incident_id: int, found: Found) -> tuple[int, int]:
    scope = ti.incident_subjects
    ids = sorted(found)
    existing: dict[str, set[str]] = {}
    for chunk in _chunks(ids):
        for row in conn.execute(
            select(scope.c.subject_id, scope.c["items"]).where(
                scope.c.incident_id == incident_id, scope.c.subject_id.in_(chunk)
            )
        ):
            existing[row.subject_id] = set(row.items)
    now = ledger.now()
    new_rows = [
        {
            "incident_id": incident_id,
            "subject_id": sid,
            "items": sorted(found[sid]),
            "added_at": now,
            "notified_at": None,
        }
        for sid in ids
        if sid not in existing
    ]
    widened = [
        {"i": incident_id, "s": sid, "new_items": sorted(existing[sid] | found[sid])}
        for sid in ids
        if sid in existing and not found[sid] <= existing[sid]
    ]
    bulk_insert(conn, scope, new_rows)
    if widened:
        conn.execute(
            update(scope)
            .where(scope.c.incident_id == bindparam("i"), scope.c.subject_id == bindparam("s"))
            .values(items=bindparam("new_items", type_=JSON)),
            widened,
        )
    return len(new_rows), len(widened)


def _scope(
    ledger: Ledger,
    incident_id: int,
    *,
    actor: str,
    how: str,
    detail: dict[str, Json],
    query: Callable[[Connection, Policy], Found],
) -> ScopeResult:
    check_id(incident_id)
    actor = check_actor(actor)
    with ledger.engine.begin() as conn:
        require_open(load_row(conn, incident_id, lock=True))
        found = {
            sid: items
            for sid, items in query(conn, ledger.policy_in_force(conn).policy).items()
            if items
        }
        added, widened = _merge(ledger, conn, incident_id, found)
        people = conn.execute(
            select(func.count())
            .select_from(ti.incident_subjects)
            .where(ti.incident_subjects.c.incident_id == incident_id)
        ).scalar_one()
        record_event(
            ledger,
            conn,
            incident_id,
            kind="scope",
            actor=actor,
            detail={
                **detail,
                "how": how,
                "found": len(found),
                "added": added,
                "widened": widened,
                "people": int(people),
            },
        )
    return ScopeResult(incident_id, how, len(found), added, widened, int(people))


def _held(conn: Connection, condition: ColumnElement[bool]) -> Found:
    found: Found = defaultdict(set)
    r = t.records
    for row in conn.execute(select(r.c.subject_id, r.c.item).where(condition).distinct()):
        found[row.subject_id].add(row.item)
    return found


def scope_by_items(
    ledger: Ledger, incident_id: int, *, items: Sequence[str], actor: str
) -> ScopeResult:
    """Add every subject holding any of `items` (those of theirs) to the scope."""

    def query(conn: Connection, policy: Policy) -> Found:
        wanted = declared_items(policy, items)
        return _held(conn, t.records.c.item.in_(wanted))

    wanted = [i for i in items if isinstance(i, str)] if not isinstance(items, str) else [items]
    return _scope(
        ledger, incident_id, actor=actor, how="items", detail={"items": wanted}, query=query
    )


def scope_by_source(ledger: Ledger, incident_id: int, *, source: str, actor: str) -> ScopeResult:
    """Add every subject collected from `source`, with the items collected from it."""

    def query(conn: Connection, policy: Policy) -> Found:
        declared = [s.id for s in policy.sources]
        if source not in declared:
            known = ", ".join(declared) or "none"
            raise BadInput(f"unknown source {source!r}; the policy declares: {known}"[:300])
        return _held(conn, t.records.c.source == source)

    if not isinstance(source, str):
        raise BadInput("a source is a sources[].id of the policy")
    return _scope(
        ledger, incident_id, actor=actor, how="source", detail={"source": source}, query=query
    )


def _utc(name: str, value: object) -> datetime:
    if not isinstance(value, datetime):
        raise BadInput(f"{name} must be a date and time, not {value!r}"[:200])
    if value.utcoffset() is None:
        raise BadInput(f"{name} {value.isoformat()} has no time zone: add +09:00 or Z")
    return value.astimezone(UTC)


def scope_by_access(
    ledger: Ledger,
    incident_id: int,
    *,
    accessed_by: str,
    start: datetime,
    end: datetime,
    actor: str,
) -> ScopeResult:
    """Add every subject whose data `accessed_by` used, collected, provided, looked up or
    read an address of between `start` and `end` (both included), per the audit trail.

    Only what put data in the actor's hands counts (ACCESS_ACTIONS: a refused use does
    not). The items are those the audit entries name that the subject holds; for a subject
    erased since, every item named, since what was held can no longer be told."""
    if not isinstance(accessed_by, str) or not accessed_by.strip():
        raise BadInput("name the actor whose accesses to scope, as the audit trail records it")
    since, until = _utc("the start", start), _utc("the end", end)
    if since >= until:
        raise BadInput(f"the window starts at {since.isoformat()}, not before its end")

    def query(conn: Connection, policy: Policy) -> Found:
        a = t.audit
        accessed: Found = defaultdict(set)
        rows = conn.execute(
            select(a.c.subject_id, a.c["items"]).where(
                a.c.actor == accessed_by,
                a.c.at >= since,
                a.c.at <= until,
                a.c.subject_id.is_not(None),
                or_(*(and_(a.c.action == k, a.c.outcome == v) for k, v in ACCESS_ACTIONS.items())),
            )
        )
        for row in rows:
            accessed[row.subject_id].update(row.items or ())
        found: Found = {}
        for chunk in _chunks(sorted(accessed)):
            held = _held(conn, t.records.c.subject_id.in_(chunk))
            erased = set(
                conn.execute(
                    select(t.subjects.c.id).where(
                        t.subjects.c.id.in_(chunk), t.subjects.c.erased_at.is_not(None)
                    )
                ).scalars()
            )
            for sid in chunk:
                found[sid] = (
                    accessed[sid] if sid in erased else accessed[sid] & held.get(sid, set())
                )
        return found

    detail: dict[str, Json] = {
        "accessed_by": accessed_by,
        "from": since.isoformat(),
        "to": until.isoformat(),
    }
    return _scope(ledger, incident_id, actor=actor, how="access", detail=detail, query=query)
