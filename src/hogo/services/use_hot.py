"""`use` for one subject on a raw DB-API connection, in batches (group commit).

SQLAlchemy's per-statement work costs more than the few statements a single use needs, so
one subject's use runs on a DB-API connection kept aside (`hogo.ledger.hot`). It reads the
same rows as the general path (`use_many`), builds the state with the same
`subject_state`, asks the same `decide` and writes the same audit row; a test compares the
two paths answer by answer. Uses that arrive together run as one batch in one
transaction with one commit (`group_commit`): each use's reads and its audit row are in
that transaction, and no answer leaves before it commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from hogo.domain.purpose_check import decide
from hogo.ledger.audit import AuditEntry, append_on_cursor
from hogo.ledger.crypto import WrappedKey
from hogo.services.group_commit import GroupCommit
from hogo.services.ledger import Ledger, japan_date
from hogo.services.use_result import UseResult, actor_role, subject_state, use_entry


@dataclass(frozen=True, slots=True)
class Ask:
    """One caller's question: may `actor` read `wanted` of `subject_id` for `purpose`?"""

    subject_id: str
    purpose: str
    wanted: tuple[str, ...]
    actor: str


def use_one(
    ledger: Ledger, subject_id: str, purpose: str, wanted: tuple[str, ...], actor: str
) -> UseResult | None:
    """The use, run in the next batch; None, having written nothing, when the general path
    must answer: no such subject, no policy in force, an empty audit chain, or the version
    in force not yet parsed in this process (the general path loads it)."""
    return _batches(ledger).submit(Ask(subject_id, purpose, wanted, actor))


async def use_one_async(
    ledger: Ledger, subject_id: str, purpose: str, wanted: tuple[str, ...], actor: str
) -> UseResult | None:
    """`use_one` for a coroutine: the batch runs on the group commit's writer thread."""
    return await _batches(ledger).submit_async(Ask(subject_id, purpose, wanted, actor))


def _batches(ledger: Ledger) -> GroupCommit[Ask, UseResult | None]:
    run = _run_sqlite if ledger.engine.dialect.name == "sqlite" else _run_postgres
    batches: GroupCommit[Ask, UseResult | None] = ledger.kept(
        "use.group_commit", lambda: GroupCommit(lambda asks: run(ledger, asks))
    )
    return batches


# The reads, in SQLite's placeholders; PostgreSQL's are made from them. One statement for
# the policy version in force, the subject and its key; one for the subject's requested
# records, consents and use restrictions.
_SUBJECT = (
    "SELECT (SELECT id FROM policy_versions WHERE effective_date <= ? "
    "        ORDER BY effective_date DESC, id DESC LIMIT 1), "
    "s.erased_at, k.master_key_id, k.wrapped_key, s.policy_version_id "
    "FROM subjects s LEFT JOIN subject_keys k ON k.subject_id = s.id WHERE s.id = ?"
)
_HEAD = "SELECT last_id, last_hash FROM audit_head WHERE id = 1"


@lru_cache(maxsize=64)
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


def _state_params(ask: Ask) -> tuple[str, ...]:
    return (ask.subject_id, *ask.wanted, ask.subject_id, ask.subject_id)


def _run_sqlite(ledger: Ledger, asks: Sequence[Ask]) -> list[UseResult | None]:
    """A batch on SQLite, in one IMMEDIATE transaction: the write lock is taken first, so
    the audit head read cannot move, and no one else can change a subject, before the
    batch's entries are appended."""
    now = ledger.now()
    today = japan_date(now).isoformat()
    results: list[UseResult | None] = []
    entries: list[AuditEntry] = []
    with ledger.hot_cursor() as cursor:
        cursor.execute("BEGIN IMMEDIATE")
        try:
            head = cursor.execute(_HEAD).fetchone()
            for ask in asks:
                answer = None
                subject = cursor.execute(_SUBJECT, (today, ask.subject_id)).fetchone()
                if head is not None and subject is not None:  # else: the general path
                    rows = cursor.execute(_state_sql(len(ask.wanted), "?"), _state_params(ask))
                    answer = _answer(ledger, ask, subject, rows.fetchall(), today)
                results.append(None if answer is None else answer[0])
                if answer is not None:
                    entries.append(answer[1](now))
            if entries:
                append_on_cursor(cursor, entries, dialect="sqlite", head=head)
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT" if entries else "ROLLBACK")
    return results


_PG_SUBJECT = _SUBJECT.replace("?", "%s")
_PG_HEAD = _HEAD + " FOR UPDATE"


def _run_postgres(ledger: Ledger, asks: Sequence[Ask]) -> list[UseResult | None]:
    """A batch on PostgreSQL in two round trips, whatever its size: BEGIN, the audit head's
    lock and every read in one pipeline; the audit rows, the head's move and COMMIT in
    another. The head is locked before the state is read, as SQLite's write lock is:
    every change to a subject appends to the chain under that lock, so what is read is
    the latest committed and cannot change before the uses are recorded."""
    now = ledger.now()
    today = japan_date(now)
    results: list[UseResult | None] = []
    entries: list[AuditEntry] = []
    with ledger.hot_cursor() as cursor:
        connection = cursor.connection
        reads = [(connection.cursor(), connection.cursor()) for _ in asks]
        try:
            with connection.pipeline():
                cursor.execute("BEGIN")
                cursor.execute(_PG_HEAD)
                for ask, (subject, state) in zip(asks, reads, strict=True):
                    subject.execute(_PG_SUBJECT, (today, ask.subject_id))
                    state.execute(_state_sql(len(ask.wanted), "%s"), _state_params(ask))
            head = cursor.fetchone()
            for ask, (subject, state) in zip(asks, reads, strict=True):
                answer = None
                found = subject.fetchone()
                if head is not None and found is not None:  # else: the general path
                    answer = _answer(ledger, ask, found, state.fetchall(), today)
                results.append(None if answer is None else answer[0])
                if answer is not None:
                    entries.append(answer[1](now))
            if not entries:
                cursor.execute("ROLLBACK")
                return results
            with connection.pipeline():
                append_on_cursor(cursor, entries, dialect="postgresql", head=head)
                cursor.execute("COMMIT")
        except BaseException:
            with suppress(Exception):  # the connection is thrown away (ledger.hot)
                cursor.execute("ROLLBACK")
            raise
    return results


def _answer(
    ledger: Ledger,
    ask: Ask,
    subject: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    today: str | date,
) -> tuple[UseResult, Callable[[datetime], AuditEntry]] | None:
    """The decision and values from the hot path's rows, and the audit entry to write; None
    when there is no policy in force or its version is not parsed in this process yet.
    Rows: (kind, purpose or item, granted, retention_due, ciphertext, id), kind being
    c(onsent), r(estriction) or d(ata)."""
    subject_id, purpose, wanted, actor = ask.subject_id, ask.purpose, ask.wanted, ask.actor
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
    state = subject_state(
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
        return use_entry(now, actor, subject_id, purpose, wanted, decision, version)

    return UseResult(subject_id, decision, values), entry
