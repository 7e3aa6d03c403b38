"""Using personal data: every read names an actor, a purpose and the items, and is audited.

The decision is the domain's pure `decide`; this module reads the subject's state once
(per call, or once per batch), asks, decrypts only when allowed, and writes the audit
entry in the same transaction, allowed or refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from hogo.domain.purpose_check import Decision, SubjectState, decide, decide_many
from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, Json, append_many, append_on_cursor
from hogo.ledger.crypto import WrappedKey
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger, PolicyInForce, japan_date

MAX_BATCH = 10_000


@dataclass(frozen=True)
class UseResult:
    subject_id: str
    decision: Decision
    values: dict[str, str] | None
    """The latest value of each requested item held; None when refused."""

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        return {
            "subject_id": self.subject_id,
            "allowed": self.decision.allowed,
            "reason": self.decision.reason.value,
            "message": self.decision.sentence("ja" if lang == "ja" else "en"),
            "purpose": self.decision.purpose,
            "items": list(self.decision.items),
            "detail": self.decision.detail,
            "values": self.values,
        }


def actor_role(actor: str) -> str:
    """`role:name` acts in `role` (what purposes[].actors lists); a bare name is its own role."""
    return actor.split(":", 1)[0]


def _states(
    conn: Connection,
    version: PolicyInForce,
    subject_ids: Sequence[str],
    items: tuple[str, ...],
    today: date,
) -> dict[str, SubjectState]:
    subjects = {
        row.id: (row.erased_at, row.policy_version_id)
        for row in conn.execute(
            select(t.subjects.c.id, t.subjects.c.erased_at, t.subjects.c.policy_version_id).where(
                t.subjects.c.id.in_(subject_ids)
            )
        )
    }
    missing = [s for s in subject_ids if s not in subjects]
    if missing:
        raise NotFound(
            f"no subject {missing[0]}"
            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
        )
    consents: dict[str, dict[str, bool]] = defaultdict(dict)
    consent_ids: dict[str, dict[str, int]] = defaultdict(dict)
    for row in conn.execute(
        select(t.consents.c.subject_id, t.consents.c.purpose, t.consents.c.granted, t.consents.c.id)
        .where(t.consents.c.subject_id.in_(subject_ids))
        .order_by(t.consents.c.id)
    ):
        consents[row.subject_id][row.purpose] = bool(row.granted)
        consent_ids[row.subject_id][row.purpose] = row.id
    suspended_all: set[str] = set()
    suspended: dict[str, set[str]] = defaultdict(set)
    for restriction in conn.execute(
        select(t.restrictions.c.subject_id, t.restrictions.c.purpose).where(
            t.restrictions.c.subject_id.in_(subject_ids),
            t.restrictions.c.scope == "use",
            t.restrictions.c.lifted_at.is_(None),
        )
    ):
        if restriction.purpose is None:
            suspended_all.add(restriction.subject_id)
        else:
            suspended[restriction.subject_id].add(restriction.purpose)
    live: dict[str, set[str]] = defaultdict(set)
    held: dict[str, set[str]] = defaultdict(set)
    if items:
        for record in conn.execute(
            select(t.records.c.subject_id, t.records.c.item, t.records.c.retention_due).where(
                t.records.c.subject_id.in_(subject_ids), t.records.c.item.in_(items)
            )
        ):
            held[record.subject_id].add(record.item)
            if record.retention_due is None or record.retention_due > today:
                live[record.subject_id].add(record.item)
    return {
        subject_id: _state(
            version,
            erased=subjects[subject_id][0] is not None,
            collected_under=int(subjects[subject_id][1]),
            consents=consents.get(subject_id, {}),
            consent_ids=consent_ids.get(subject_id, {}),
            suspended_all=subject_id in suspended_all,
            suspended=suspended.get(subject_id, set()),
            expired=held.get(subject_id, set()) - live.get(subject_id, set()),
        )
        for subject_id in subject_ids
    }


def _state(
    version: PolicyInForce,
    *,
    erased: bool,
    collected_under: int,
    consents: dict[str, bool],
    consent_ids: dict[str, int],
    suspended_all: bool,
    suspended: set[str],
    expired: set[str],
) -> SubjectState:
    """The purpose check's view of one subject; both read paths build it here."""
    return SubjectState(
        erased=erased,
        consents=consents,
        consent_ids=consent_ids,
        collected_under=collected_under,
        opted_out=frozenset(p for p in version.opt_out_purposes if consents.get(p) is False),
        suspended_all=suspended_all,
        suspended_purposes=frozenset(suspended),
        expired_items=frozenset(expired),
    )


def _entry(
    now: datetime, actor: str, subject_id: str, purpose: str, items: tuple[str, ...],
    decision: Decision, version: PolicyInForce,
) -> AuditEntry:  # fmt: skip
    detail: dict[str, Json] = {"policy_version_id": version.version_id}
    if decision.detail:
        detail["detail"] = decision.detail
    return AuditEntry(
        at=now,
        actor=actor,
        action="use",
        outcome="allowed" if decision.allowed else "refused",
        subject_id=subject_id,
        purpose=purpose,
        items=items,
        reason=decision.reason.value,
        detail=detail,
    )


def _values(
    ledger: Ledger, conn: Connection, subject_ids: Sequence[str], items: tuple[str, ...]
) -> dict[str, dict[str, str]]:
    if not subject_ids or not items:
        return {s: {} for s in subject_ids}
    keys = {
        row.subject_id: WrappedKey(row.master_key_id, row.wrapped_key)
        for row in conn.execute(
            select(t.subject_keys).where(t.subject_keys.c.subject_id.in_(subject_ids))
        )
    }
    latest: dict[tuple[str, str], bytes] = {}
    for row in conn.execute(
        select(t.records.c.subject_id, t.records.c.item, t.records.c.ciphertext)
        .where(t.records.c.subject_id.in_(subject_ids), t.records.c.item.in_(items))
        .order_by(t.records.c.id)
    ):
        latest[(row.subject_id, row.item)] = row.ciphertext
    out: dict[str, dict[str, str]] = {s: {} for s in subject_ids}
    for (subject_id, item), blob in latest.items():
        cipher = ledger.subject_cipher(subject_id, keys[subject_id])
        out[subject_id][item] = cipher.decrypt(item, blob)
    return out


def use(
    ledger: Ledger, subject_id: str, *, purpose: str, items: Sequence[str], actor: str
) -> UseResult:
    """One subject: through the DB-API hot path, or as a batch of one when it declines."""
    if actor.strip() and isinstance(subject_id, str):
        wanted = tuple(dict.fromkeys(items))
        hot = _use_one_sqlite if ledger.engine.dialect.name == "sqlite" else _use_one_postgres
        result = hot(ledger, subject_id, purpose, wanted, actor)
        if result is not None:
            return result
    return use_many(ledger, [subject_id], purpose=purpose, items=items, actor=actor)[subject_id]


# The hot path's reads, in SQLite's placeholders; PostgreSQL's are made from them below.
# One statement for the policy version in force, the subject and its key (and on SQLite the
# audit head, read under the write lock); one for the subject's consents, use
# restrictions and requested records.
_SUBJECT_SQL = (
    "SELECT (SELECT id FROM policy_versions WHERE effective_date <= ? "
    "        ORDER BY effective_date DESC, id DESC LIMIT 1), "
    "s.erased_at, k.master_key_id, k.wrapped_key, s.policy_version_id{head_columns} "
    "FROM subjects s LEFT JOIN subject_keys k ON k.subject_id = s.id{head_join} "
    "WHERE s.id = ?"
)
_SQLITE_SUBJECT = _SUBJECT_SQL.format(
    head_columns=", h.last_id, h.last_hash", head_join=" LEFT JOIN audit_head h ON h.id = 1"
)
_POSTGRES_SUBJECT = _SUBJECT_SQL.format(head_columns="", head_join="").replace("?", "%s")
_POSTGRES_HEAD = "SELECT last_id, last_hash FROM audit_head WHERE id = 1 FOR UPDATE"


def _state_sql(count: int, mark: str) -> str:
    # Records first: PostgreSQL types a UNION's columns branch by branch from the left,
    # and a column of NULLs only would be text, which a date cannot then join.
    marks = ", ".join([mark] * count) if count else "NULL"
    return (
        "SELECT 'd', item, NULL, retention_due, ciphertext, id FROM records "
        f"WHERE subject_id = ? AND item IN ({marks}) "
        "UNION ALL SELECT 'c', purpose, granted, NULL, NULL, id FROM consents "
        "WHERE subject_id = ? "
        "UNION ALL SELECT 'r', purpose, NULL, NULL, NULL, id FROM restrictions "
        "WHERE subject_id = ? AND scope = 'use' AND lifted_at IS NULL ORDER BY 1, 6"
    ).replace("?", mark)


def _use_one_sqlite(
    ledger: Ledger, subject_id: str, purpose: str, wanted: tuple[str, ...], actor: str
) -> UseResult | None:
    """`use_many` for one subject on SQLite, on a raw DB-API cursor in one IMMEDIATE
    transaction: SQLAlchemy's per-statement work costs more than these few statements.

    It reads the same rows, builds the state with the same `_state`, asks the same
    `decide`, and writes the same audit row (`append_on_cursor`); a test compares the
    two paths answer by answer. It returns None, having written nothing, when the version in
    force is not yet parsed in this process (the general path loads it), or there is no
    such subject or no policy in force (the general path says which).
    """
    now = ledger.now()
    today = japan_date(now).isoformat()
    with ledger.hot_cursor() as cursor:
        cursor.execute("BEGIN IMMEDIATE")
        try:
            # BEGIN IMMEDIATE holds the write lock, so the audit head read here cannot
            # move before this transaction appends to it.
            subject = cursor.execute(_SQLITE_SUBJECT, (today, subject_id)).fetchone()
            result = None
            if subject is not None and subject[5] is not None:  # else: an empty chain
                rows = cursor.execute(
                    _state_sql(len(wanted), "?"), (subject_id, *wanted, subject_id, subject_id)
                ).fetchall()
                answer = _answer(ledger, subject_id, purpose, wanted, actor, subject, rows, today)
                if answer is not None:
                    result, entry = answer
                    head = (int(subject[5]), str(subject[6]))
                    append_on_cursor(cursor, [entry(now)], dialect="sqlite", head=head)
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT" if result is not None else "ROLLBACK")
    return result


def _use_one_postgres(
    ledger: Ledger, subject_id: str, purpose: str, wanted: tuple[str, ...], actor: str
) -> UseResult | None:
    """`use_many` for one subject on PostgreSQL, on a raw psycopg connection in two round
    trips: BEGIN, the audit head's lock and both reads in one pipeline; the audit row, the
    head's move and COMMIT in another. The same reads, `_state`, `decide` and audit row as
    the general path (a test compares them); None, having written nothing, when the
    general path must answer (as on SQLite).

    The head is locked before the state is read, as SQLite's write lock is taken before:
    every change to a subject appends to the audit chain under that lock, so the state read
    is the latest committed and cannot change before this use is recorded.
    """
    now = ledger.now()
    today = japan_date(now)
    with ledger.hot_cursor() as cursor:
        connection = cursor.connection
        head, states = connection.cursor(), connection.cursor()
        try:
            with connection.pipeline():
                cursor.execute("BEGIN")
                head.execute(_POSTGRES_HEAD)
                cursor.execute(_POSTGRES_SUBJECT, (today, subject_id))
                states.execute(
                    _state_sql(len(wanted), "%s"), (subject_id, *wanted, subject_id, subject_id)
                )
            locked, subject = head.fetchone(), cursor.fetchone()
            answer = None
            if locked is not None and subject is not None:  # else: an empty chain
                rows = states.fetchall()
                answer = _answer(ledger, subject_id, purpose, wanted, actor, subject, rows, today)
            if answer is None:
                cursor.execute("ROLLBACK")
                return None
            result, entry = answer
            with connection.pipeline():
                append_on_cursor(
                    cursor, [entry(now)], dialect="postgresql", head=(locked[0], locked[1])
                )
                cursor.execute("COMMIT")
        except BaseException:
            with suppress(Exception):  # the connection is thrown away (ledger.hot)
                cursor.execute("ROLLBACK")
            raise
    return result


def _answer(
    ledger: Ledger, subject_id: str, purpose: str, wanted: tuple[str, ...], actor: str,
    subject: Sequence[Any], rows: Sequence[Sequence[Any]], today: str | date,
) -> tuple[UseResult, Callable[[datetime], AuditEntry]] | None:  # fmt: skip
    """The decision and values from the hot path's rows, and the audit entry to write; None
    when there is no policy in force or its version is not parsed in this process yet.
    Rows: (kind, purpose or item, granted, retention_due, ciphertext, id), kind being
    c(onsent), r(estriction) or d(ata)."""
    if subject[0] is None:
        return None
    version = ledger.cached_policy_version(int(subject[0]))
    if version is None:
        return None
    consents: dict[str, bool] = {}
    consent_ids: dict[str, int] = {}
    suspended_all, suspended = False, set()
    held: set[str] = set()
    live: set[str] = set()
    latest: dict[str, bytes] = {}
    for kind, name, granted, due, blob, row_id in rows:
        if kind == "c":
            consents[name] = bool(granted)
            consent_ids[name] = row_id
        elif kind == "r":
            if name is None:
                suspended_all = True
            else:
                suspended.add(name)
        else:
            held.add(name)
            # A date on PostgreSQL; ISO text on SQLite, where `today` is ISO text too.
            if due is None or due > today:
                live.add(name)
            latest[name] = blob
    state = _state(
        version,
        erased=subject[1] is not None,
        collected_under=int(subject[4]),
        consents=consents,
        consent_ids=consent_ids,
        suspended_all=suspended_all,
        suspended=suspended,
        expired=held - live,
    )
    decision = decide(
        version.compiled, state, purpose=purpose, items=wanted, actor=actor_role(actor)
    )
    values: dict[str, str] | None = None
    if decision.allowed:
        values = {}
        if latest:
            cipher = ledger.subject_cipher(subject_id, WrappedKey(subject[2], subject[3]))
            values = {item: cipher.decrypt(item, blob) for item, blob in latest.items()}

    def entry(now: datetime) -> AuditEntry:
        return _entry(now, actor, subject_id, purpose, wanted, decision, version)

    return UseResult(subject_id, decision, values), entry


def use_many(
    ledger: Ledger, subject_ids: Sequence[str], *, purpose: str, items: Sequence[str], actor: str
) -> dict[str, UseResult]:
    """Ask for the same items of many subjects for one purpose: one state read, one audit write."""
    if not actor.strip():
        raise BadInput("an actor is required: who is using the data?")
    if len(subject_ids) > MAX_BATCH:
        raise BadInput(f"at most {MAX_BATCH:,} subjects in one call")
    wanted = tuple(dict.fromkeys(items))
    unique = list(dict.fromkeys(subject_ids))
    now = ledger.now()
    with ledger.engine.begin() as conn:
        version = ledger.policy_in_force(conn)
        states = _states(conn, version, unique, wanted, japan_date(now))
        decisions = decide_many(
            version.compiled, states, purpose=purpose, items=wanted, actor=actor_role(actor)
        )
        allowed = [s for s in unique if decisions[s].allowed]
        values = _values(ledger, conn, allowed, wanted)
        append_many(
            conn, [_entry(now, actor, s, purpose, wanted, decisions[s], version) for s in unique]
        )
    return {
        s: UseResult(s, decisions[s], values[s] if decisions[s].allowed else None) for s in unique
    }
