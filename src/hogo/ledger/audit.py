"""The audit trail: an append-only chain of entries, each carrying the SHA-256 of the last.

Every entry's hash covers the previous entry's hash, its own id and every field, so
altering, deleting, inserting or reordering entries breaks the chain at a point `verify`
can name. The single `audit_head` row records the last id and hash: appending locks it,
so concurrent writers queue instead of forking the chain, ids are contiguous (1, 2, 3…),
and a deleted tail or an entry slipped in after the last is caught too. The chain is
evidence against partial edits; someone who rewrites every entry and the head can only be
caught by comparing the head hash with a copy kept elsewhere.

Appends run inside the caller's transaction, so an entry is written if and only if the
change it records is. The canonical form (what is hashed) must come out the same from
SQLite, which returns naive datetimes, and PostgreSQL, which returns aware ones; so
timestamps are hashed as UTC ISO-8601 with microseconds and "Z", and detail must be
plain JSON (string keys, finite numbers) that reads back exactly as it was written.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import Connection, bindparam, select, update

from hogo.ledger.sql import bulk_insert, driver_insert_sql, insert_if_absent
from hogo.ledger.tables import audit, audit_head

Json: TypeAlias = "str | int | float | bool | Sequence[Json] | Mapping[str, Json] | None"

GENESIS = "0" * 64
"""The prev_hash of entry 1: the chain starts from a known value, not from nothing."""
OUTCOMES = frozenset({"allowed", "refused", "done", "failed"})
_FORMAT = "hogo-audit/1"  # first element of every hashed form, so it can evolve
_LIMITS = {"actor": 200, "action": 32, "subject_id": 32, "purpose": 63, "reason": 63}
_NAMES = "id at actor action outcome subject_id purpose items reason detail prev_hash hash"
_KEYS = tuple(_NAMES.split())  # rows are read and written in this order; 1..9 are hashed
_COLUMNS = tuple(audit.c[name] for name in _KEYS)
# Built once: constructing and cache-keying a statement costs more than running it here.
_HEAD = select(audit_head.c.last_id, audit_head.c.last_hash).where(audit_head.c.id == 1)
_HEAD_LOCKED = _HEAD.with_for_update()
_MOVE_HEAD = update(audit_head).where(audit_head.c.id == 1)
_MOVE_HEAD = _MOVE_HEAD.values(last_id=bindparam("new_id"), last_hash=bindparam("new_hash"))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One thing that happened. Validated on construction, so a bad entry fails in the
    caller's code before anything is written, and what is stored is what is hashed."""

    at: datetime
    actor: str
    action: str  # collect, use, consent, provide, receive, erase, restrict, lift…
    outcome: str  # allowed | refused | done | failed
    subject_id: str | None = None
    purpose: str | None = None
    items: tuple[str, ...] | None = None
    reason: str | None = None
    detail: Mapping[str, Json] | None = None

    def __post_init__(self) -> None:
        if self.at.utcoffset() is None:
            raise ValueError("audit entry time must be timezone-aware (UTC), not naive")
        object.__setattr__(self, "at", self.at.astimezone(UTC))
        if self.outcome not in OUTCOMES:
            raise ValueError(f"audit outcome {self.outcome!r} is not one of {sorted(OUTCOMES)}")
        for name, limit in _LIMITS.items():
            value = getattr(self, name)
            if value is not None:
                _check_text(name, value, limit)
        if not self.actor or not self.action:
            raise ValueError("audit entry needs a non-empty actor and action")
        if self.items is not None:
            if isinstance(self.items, str):
                raise TypeError("audit items must be a sequence of item names, not one string")
            object.__setattr__(self, "items", tuple(self.items))
            for item in self.items:
                _check_text("items", item, 10_000)
        if self.detail is not None:
            object.__setattr__(self, "detail", _plain(self.detail, "detail"))


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int  # entries found intact before the first problem (all of them when ok)
    first_bad_id: int | None = None  # where the chain breaks
    problem: str | None = None  # an English sentence naming the entry and the fault


def _check_text(name: str, value: object, limit: int) -> None:
    # Refused here rather than by the database: PostgreSQL rejects NUL and over-long
    # strings (SQLite would keep them), and a lone surrogate cannot be hashed as UTF-8.
    if not isinstance(value, str):
        raise TypeError(f"audit {name} must be a string, not {type(value).__name__}")
    if len(value) > limit or "\x00" in value:
        raise ValueError(f"audit {name} {value[:40]!r} is over {limit} characters or has NUL")
    value.encode()  # UnicodeEncodeError (a ValueError) on lone surrogates


def _plain(value: object, path: str) -> Json:
    """A plain-JSON copy of `value`, or a TypeError/ValueError naming the offending path.

    json.dumps alone is not enough: it turns int keys into strings and tuples into lists,
    which would read back differently from what was hashed."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        _check_text(path, value, 1_000_000)
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"audit {path} is {value}: JSON has no NaN or infinity")
        return float(value)
    if isinstance(value, Mapping):
        out: dict[str, Json] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"audit {path} has key {key!r}: JSON object keys are strings")
            out[key] = _plain(item, f"{path}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [_plain(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise TypeError(
        f"audit {path} is a {type(value).__name__}: detail must be JSON (str, int, float, "
        "bool, None, lists, string-keyed mappings); write dates as ISO-8601 strings"
    )


def _iso(at: datetime) -> str:
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)  # SQLite: naive
    return at.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _digest(entry_id: int, prev_hash: str, fields: Sequence[Any]) -> str:
    form = [_FORMAT, entry_id, prev_hash, *fields]
    text = json.dumps(form, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def entry_hash(entry_id: int, prev_hash: str, entry: AuditEntry) -> str:
    """The hash `append` stores for `entry` at `entry_id` after `prev_hash` (public so an
    outside verifier can recompute the chain)."""
    e = entry
    fields = (_iso(e.at), e.actor, e.action, e.outcome, e.subject_id, e.purpose, e.items)
    return _digest(entry_id, prev_hash, (*fields, e.reason, e.detail))


def _lock_head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(_HEAD_LOCKED).one_or_none()
    if row is None:  # first append ever; two first writers on PostgreSQL must not both insert
        insert_if_absent(conn, audit_head, {"id": 1, "last_id": 0, "last_hash": GENESIS})
        row = conn.execute(_HEAD_LOCKED).one()
    return int(row[0]), str(row[1])


def append(conn: Connection, entry: AuditEntry) -> int:
    """Append one entry in the caller's transaction; returns its id."""
    return append_many(conn, [entry])[0]


def _chain(
    entries: Sequence[AuditEntry], last_id: int, last_hash: str
) -> tuple[list[dict[str, Any]], str]:
    """The rows for `entries` after the head (last_id, last_hash), and the new head hash."""
    rows: list[dict[str, Any]] = []
    for entry_id, e in enumerate(entries, start=last_id + 1):
        digest = entry_hash(entry_id, last_hash, e)
        items = None if e.items is None else list(e.items)
        fields = (e.at, e.actor, e.action, e.outcome, e.subject_id, e.purpose, items, e.reason)
        rows.append(dict(zip(_KEYS, (entry_id, *fields, e.detail, last_hash, digest), strict=True)))
        last_hash = digest
    return rows, last_hash


def append_many(conn: Connection, entries: Sequence[AuditEntry]) -> list[int]:
    """Append entries in order in the caller's transaction; returns their ids.

    Three statements whatever the count: lock the head, one executemany insert, update the
    head. Ids are taken from the locked head and inserted explicitly, so each hash can
    cover its own id without an insert-then-update round trip; nothing ever draws from
    the id column's sequence on PostgreSQL, so explicit ids cannot collide with it."""
    if not entries:
        return []
    last_id, last_hash = _lock_head(conn)
    rows, last_hash = _chain(entries, last_id, last_hash)
    bulk_insert(conn, audit, rows)
    new_last = last_id + len(rows)
    conn.execute(_MOVE_HEAD, {"new_id": new_last, "new_hash": last_hash})
    return list(range(last_id + 1, new_last + 1))


_CURSOR_SQL = {
    "sqlite": (
        "SELECT last_id, last_hash FROM audit_head WHERE id = 1",
        "INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, ?)",
        "UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1",
    ),
    "postgresql": (
        "SELECT last_id, last_hash FROM audit_head WHERE id = 1 FOR UPDATE",
        "INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, %s) "
        "ON CONFLICT (id) DO NOTHING",
        "UPDATE audit_head SET last_id = %s, last_hash = %s WHERE id = 1",
    ),
}


def append_on_cursor(
    cursor: Any,
    entries: Sequence[AuditEntry],
    *,
    dialect: str,
    head: tuple[int, str] | None = None,
) -> list[int]:
    """`append_many` on a raw DB-API cursor (`dialect`: sqlite or postgresql), inside the
    caller's transaction. On SQLite the caller opened it with BEGIN IMMEDIATE, which
    serialises writers as the head lock does elsewhere; on PostgreSQL the head row is
    locked here (FOR UPDATE), as `append_many` does.

    For the single-call hot paths, where SQLAlchemy's per-statement work would cost more
    than the statements themselves; the rows are built and stored exactly as append_many
    builds and stores them. On PostgreSQL in pipeline mode the insert and the head's move
    are only queued: they travel with the caller's COMMIT."""
    if not entries:
        return []
    read, create, move = _CURSOR_SQL[dialect]
    if head is None:  # the caller may have read it already under the same write lock
        head = cursor.execute(read).fetchone()
    if head is None:
        cursor.execute(create, (GENESIS,))
        head = cursor.execute(read).fetchone()
    last_id, last_hash = int(head[0]), str(head[1])
    rows, last_hash = _chain(entries, last_id, last_hash)
    sql, params = driver_insert_sql(dialect, audit, rows)
    if len(params) == 1:
        cursor.execute(sql, params[0])
    else:
        cursor.executemany(sql, params)
    new_last = last_id + len(rows)
    cursor.execute(move, (new_last, last_hash))
    return list(range(last_id + 1, new_last + 1))


def _read_head(conn: Connection) -> tuple[int, str] | None:
    row = conn.execute(_HEAD).one_or_none()
    return None if row is None else (int(row[0]), str(row[1]))


def _fault(row: Sequence[Any], prev_id: int, prev_hash: str) -> str | None:
    """What is wrong with `row` as the successor of entry `prev_id`, or None."""
    entry_id = row[0]
    if entry_id <= prev_id:
        return f"Entry {entry_id} has an id below 1, where the chain starts: it was inserted."
    if entry_id != prev_id + 1:
        where = f"follows entry {prev_id}" if prev_id else "is the first"
        first, last = prev_id + 1, entry_id - 1
        gap = f"entry {first} is" if first == last else f"entries {first}–{last} are"
        return f"Entry {entry_id} {where}: {gap} missing (deleted)."
    if row[10] != prev_hash:
        return (
            f"Entry {entry_id} does not link to entry {prev_id} (its prev_hash differs from "
            "that entry's hash): an entry was deleted, inserted, replaced or moved here."
        )
    fields = (_iso(row[1]), *row[2:10])
    if _digest(entry_id, prev_hash, fields) != row[11]:
        return f"Entry {entry_id} was altered: its contents do not match its hash."
    return None


def verify(
    conn: Connection, *, batch: int = 5000, progress: Callable[[int, int], None] | None = None
) -> VerifyResult:
    """Check the whole chain, streaming it in id order `batch` entries at a time.

    `progress(checked, total)` is called after each batch; total is the head's count when
    the check began. Run it in one snapshot (a read-only transaction on SQLite, REPEATABLE
    READ on PostgreSQL) for a fixed picture; under READ COMMITTED it still gives no false
    alarm with writers appending, as the head is re-read after the scan and the check
    stops at the entry it names."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    start = _read_head(conn)
    total = 0 if start is None else start[0]
    last_id, last_hash, checked, started = 0, GENESIS, 0, False

    def scan(upper: int | None) -> tuple[int, str] | None:
        nonlocal last_id, last_hash, checked, started
        size = batch
        while True:
            # The first batch has no lower bound, so ids below 1 show up too.
            after = [audit.c.id > last_id] if started else []
            upto = [] if upper is None else [audit.c.id <= upper]
            try:
                query = select(*_COLUMNS).where(*after, *upto).order_by(audit.c.id)
                rows = conn.execute(query.limit(size)).all()
            except (ValueError, TypeError) as error:  # a value SQLite kept but cannot be read
                if size > 1:
                    size = 1  # find the row: read one at a time from here
                    continue
                first = select(audit.c.id).where(*after).order_by(audit.c.id).limit(1)
                bad_id = conn.execute(first).scalar_one()
                return bad_id, f"Entry {bad_id} was altered: it cannot be read ({error})."
            started = True
            for row in rows:
                fault = _fault(row, last_id, last_hash)
                if fault is not None:
                    return row[0], fault
                last_id, last_hash, checked = row[0], row[11], checked + 1
            if progress is not None and rows:
                progress(checked, max(total, checked))
            if len(rows) < size:
                return None

    bad: tuple[int | None, str] | None = scan(None)
    head = _read_head(conn) if bad is None else None  # read after the scan: all seen are under it
    if bad is not None:
        pass
    elif head is None:
        if last_id:
            bad = last_id, f"The audit head is missing: entry {last_id}, the last, is unanchored."
    elif last_id > head[0]:
        n = head[0] + 1
        bad = n, f"Entry {n} lies beyond the head (entry {head[0]}): it was inserted."
    elif (bad := scan(head[0])) is not None:  # catch up with entries appended meanwhile
        pass
    elif last_id < head[0]:
        n, why = last_id + 1, f"the head records {head[0]} entries"
        bad = n, f"The chain ends at entry {last_id} but {why}: entry {n} onwards was deleted."
    elif last_hash != head[1]:
        what = f"Entry {last_id}" if last_id else "The empty chain"
        bad = (last_id or None), f"{what} does not match the head's hash: one was altered."
    if bad is not None:
        if bad[0] is not None:  # a fault found at the head lies in the last entry read
            checked = min(checked, max(bad[0] - 1, 0))
        return VerifyResult(False, checked, bad[0], bad[1])
    return VerifyResult(True, checked)


def entries_for_subject(
    conn: Connection, subject_id: str, limit: int = 100, *, before: int | None = None
) -> list[dict[str, Any]]:
    """A subject's trail, newest first (`before`: an id, to page back). Times are aware UTC."""
    query = select(*_COLUMNS[:10]).where(audit.c.subject_id == subject_id)
    if before is not None:
        query = query.where(audit.c.id < before)
    rows = conn.execute(query.order_by(audit.c.id.desc()).limit(limit)).mappings().all()
    out = []
    for row in rows:
        entry = dict(row)
        at = entry["at"]
        entry["at"] = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        entry["items"] = None if entry["items"] is None else tuple(entry["items"])
        out.append(entry)
    return out
