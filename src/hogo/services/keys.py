"""Master key rotation: re-wrap every subject's data key under a new master key, live.

Only the wrapping changes: each subject keeps its data key, so no value is re-encrypted
and rotation costs one unwrap and one wrap per subject. The steps, each safe to interrupt:

1. add a new master key to the keyring file and make it current (old keys stay), so
   every process wraps new subjects' keys under it at once (a key file provider notices
   the file changed);
2. re-wrap the data keys still under an old key, a batch at a time, each batch its own
   short transaction, so other processes keep collecting and using between batches;
3. re-wrap the blind-index key;
4. in one transaction that holds off new data keys, check no row still needs an old key,
   audit `key_rotation` with the counts, and retire the old keys from the keyring file.

Run again after an interruption: a keyring that still holds old keys means a rotation is
under way, so the run adds no key; it finishes re-wrapping, or only retires.

With HOGO_MASTER_KEY there is no file to add keys to: the operator sets "NEW,OLD" in
every process, rotation re-wraps under NEW, and then OLD is dropped from the variable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.crypto import (
    EnvKeyProvider,
    FileKeyProvider,
    KeyProvider,
    KeyringError,
    WrappedKey,
)
from hogo.ledger.engine import READ_ONLY
from hogo.services.errors import BadInput, NotReady
from hogo.services.ledger import SERVICE_KEY_CONTEXTS, Ledger

Progress = Callable[[int, int], None]
"""progress(done, total): data keys re-wrapped so far, of those under an old key at the start."""

MAX_BATCH = 10_000


@dataclass(frozen=True)
class RotationResult:
    key_id: str
    """The current master key: every data key is wrapped under it when the run ends."""
    added: bool
    """A new key was made current by this run (False when it finished an earlier run)."""
    rewrapped: int
    """Subject data keys re-wrapped by this run."""
    index_rewrapped: bool
    retired: tuple[str, ...]
    """Old keys removed from the keyring file."""
    to_remove: tuple[str, ...] = ()
    """HOGO_MASTER_KEY: old keys nothing needs any more; drop them from the variable."""
    still_needed: tuple[str, ...] = ()
    """Old keys a row still references (written meanwhile by a process that had not yet
    seen the new key); run the rotation again to finish."""

    def to_dict(self) -> dict[str, object]:
        return {
            "key_id": self.key_id,
            "added": self.added,
            "rewrapped": self.rewrapped,
            "index_rewrapped": self.index_rewrapped,
            "retired": list(self.retired),
            "to_remove": list(self.to_remove),
            "still_needed": list(self.still_needed),
        }


def rotate(
    ledger: Ledger, *, actor: str, batch: int = 500, progress: Progress | None = None
) -> RotationResult:
    """Rotate the master key (see the module docstring); returns what was done."""
    if not actor.strip():
        raise BadInput("an actor is required: who rotates the key?")
    if not 1 <= batch <= MAX_BATCH:
        raise BadInput(f"batch must be between 1 and {MAX_BATCH:,}")
    keys = ledger.keys
    try:
        if isinstance(keys, FileKeyProvider):
            with _rotation_lock(keys.path):
                return _rotate_file(ledger, keys, actor=actor, batch=batch, progress=progress)
        if isinstance(keys, EnvKeyProvider):
            return _rotate_env(ledger, keys, actor=actor, batch=batch, progress=progress)
    except KeyringError as exc:
        raise NotReady(str(exc)) from None
    raise NotReady(f"the key provider {type(keys).__name__} cannot be rotated by hogo")


@contextmanager
def _rotation_lock(key_file: Path) -> Iterator[None]:
    """One rotation at a time per key file (two would each add a key and race to retire)."""
    import fcntl  # POSIX; imported here so the module still imports elsewhere

    lock_path = key_file.with_name(f".{key_file.name}.rotate.lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise NotReady(
                f"another `hogo keys rotate` is running on {key_file}; let it finish"
            ) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _reading(ledger: Ledger) -> Connection:
    """A connection whose transactions only read (deferred on SQLite: no write lock)."""
    return ledger.engine.connect().execution_options(**{READ_ONLY: True})


def _key_usage(conn: Connection) -> dict[str, int]:
    """How many wrapped keys (subject keys and the index key) each master key wraps."""
    usage: dict[str, int] = {
        row.master_key_id: int(row.n)
        for row in conn.execute(
            select(t.subject_keys.c.master_key_id, func.count().label("n")).group_by(
                t.subject_keys.c.master_key_id
            )
        )
    }
    for service_key in conn.execute(select(t.index_keys.c.master_key_id)).scalars():
        usage[service_key] = usage.get(service_key, 0) + 1
    return usage


def _refuse_unknown(usage: dict[str, int], known: list[str]) -> None:
    lost = sorted(k for k in usage if k not in known)
    if lost:
        listing = ", ".join(f"{k} ({usage[k]:,})" for k in lost)
        raise NotReady(
            f"data keys are wrapped under master keys the key provider does not have: "
            f"{listing}; restore those keys to the keyring before rotating"
        )


def _rotate_file(
    ledger: Ledger, keys: FileKeyProvider, *, actor: str, batch: int, progress: Progress | None
) -> RotationResult:
    current = keys.current_key_id()  # re-reads the file if another process changed it
    with _reading(ledger) as conn:
        usage = _key_usage(conn)
    _refuse_unknown(usage, keys.key_ids())
    previous = [k for k in keys.key_ids() if k != current]
    added = not previous  # old keys still in the keyring: an earlier run is unfinished
    if added:
        previous = [current]
        current = keys.add_current()
    rewrapped = _rewrap_subject_keys(ledger, keys, current, batch, progress)
    index_rewrapped = _rewrap_index_key(ledger, keys, current)
    # Kept in memory for the sweep below; the file forgets them at retirement.
    holder = FileKeyProvider(keys.path)
    with ledger.engine.begin() as conn:
        _hold_off_new_keys(conn)
        referenced = set(_key_usage(conn))
        retiring = tuple(k for k in keys.key_ids() if k != current and k not in referenced)
        still_needed = tuple(sorted(k for k in referenced if k != current))
        _audit(
            ledger,
            conn,
            actor=actor,
            current=current,
            added=added,
            previous=previous,
            rewrapped=rewrapped,
            index_rewrapped=index_rewrapped,
            retired=retiring,
            still_needed=still_needed,
        )
        if retiring:
            keys.retire(set(retiring))
    swept = _sweep(ledger, holder, keys, current, set(retiring), actor=actor)
    return RotationResult(
        key_id=current,
        added=added,
        rewrapped=rewrapped + swept,
        index_rewrapped=index_rewrapped,
        retired=retiring,
        still_needed=still_needed,
    )


def _rotate_env(
    ledger: Ledger, keys: EnvKeyProvider, *, actor: str, batch: int, progress: Progress | None
) -> RotationResult:
    if len(keys.key_ids()) == 1:
        raise NotReady(
            "the master key comes from HOGO_MASTER_KEY, which hogo cannot change. To rotate: "
            "make a new key (base64 of 32 random bytes), set HOGO_MASTER_KEY=NEWKEY,OLDKEY "
            "(new first) in every process, run `hogo keys rotate` again, then set "
            "HOGO_MASTER_KEY=NEWKEY"
        )
    current = keys.current_key_id()
    with _reading(ledger) as conn:
        usage = _key_usage(conn)
    _refuse_unknown(usage, keys.key_ids())
    previous = [k for k in keys.key_ids() if k != current]
    rewrapped = _rewrap_subject_keys(ledger, keys, current, batch, progress)
    index_rewrapped = _rewrap_index_key(ledger, keys, current)
    with ledger.engine.begin() as conn:
        _hold_off_new_keys(conn)
        referenced = set(_key_usage(conn))
        unused = tuple(k for k in previous if k not in referenced)
        still_needed = tuple(sorted(k for k in referenced if k != current))
        _audit(
            ledger,
            conn,
            actor=actor,
            current=current,
            added=False,
            previous=previous,
            rewrapped=rewrapped,
            index_rewrapped=index_rewrapped,
            retired=(),
            still_needed=still_needed,
        )
    return RotationResult(
        key_id=current,
        added=False,
        rewrapped=rewrapped,
        index_rewrapped=index_rewrapped,
        retired=(),
        to_remove=unused,
        still_needed=still_needed,
    )


def _old_rows(conn: Connection, current: str, limit: int) -> list[tuple[str, str, bytes]]:
    query = (
        select(
            t.subject_keys.c.subject_id,
            t.subject_keys.c.master_key_id,
            t.subject_keys.c.wrapped_key,
        )
        .where(t.subject_keys.c.master_key_id != current)
        .order_by(t.subject_keys.c.subject_id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()  # an erasure of the same subject waits, or we do
    return [(row[0], row[1], row[2]) for row in conn.execute(query)]


_UPDATE_SUBJECT_KEY = (
    update(t.subject_keys)
    .where(
        t.subject_keys.c.subject_id == bindparam("sid"),
        t.subject_keys.c.master_key_id == bindparam("old"),  # unless changed meanwhile
    )
    .values(master_key_id=bindparam("new"), wrapped_key=bindparam("blob"))
)


def _rewrap_batch(ledger: Ledger, keys: KeyProvider, current: str, batch: int) -> int:
    """Re-wrap up to `batch` data keys still under an old key, in one short transaction."""
    with ledger.engine.begin() as conn:
        rows = _old_rows(conn, current, batch)
        if not rows:
            return 0
        params = []
        for subject_id, master_key_id, blob in rows:
            context = subject_id.encode()
            data_key = keys.unwrap(WrappedKey(master_key_id, blob), context=context)
            wrapped = keys.wrap(data_key, context=context)
            params.append(
                {
                    "sid": subject_id,
                    "old": master_key_id,
                    "new": wrapped.master_key_id,
                    "blob": wrapped.blob,
                }
            )
        conn.execute(_UPDATE_SUBJECT_KEY, params)
        return len(rows)


def _rewrap_subject_keys(
    ledger: Ledger, keys: KeyProvider, current: str, batch: int, progress: Progress | None
) -> int:
    with _reading(ledger) as conn:
        total = conn.execute(
            select(func.count())
            .select_from(t.subject_keys)
            .where(t.subject_keys.c.master_key_id != current)
        ).scalar_one()
    done = 0
    if progress is not None:
        progress(0, total)
    while True:
        count = _rewrap_batch(ledger, keys, current, batch)
        if not count:
            return done
        done += count
        if progress is not None:
            progress(done, max(total, done))


def _rewrap_index_key(ledger: Ledger, keys: KeyProvider, current: str) -> bool:
    """Re-wrap the service keys (blind index, registers); True when any was re-wrapped."""
    rewrapped = False
    for key_id, context in SERVICE_KEY_CONTEXTS.items():
        with ledger.engine.begin() as conn:
            query = select(t.index_keys).where(t.index_keys.c.id == key_id)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            row = conn.execute(query).first()
            if row is None or row.master_key_id == current:
                continue
            service_key = keys.unwrap(
                WrappedKey(row.master_key_id, row.wrapped_key), context=context
            )
            wrapped = keys.wrap(service_key, context=context)
            conn.execute(
                update(t.index_keys)
                .where(
                    t.index_keys.c.id == key_id,
                    t.index_keys.c.master_key_id == row.master_key_id,
                )
                .values(master_key_id=wrapped.master_key_id, wrapped_key=wrapped.blob)
            )
            rewrapped = True
    return rewrapped


def _hold_off_new_keys(conn: Connection) -> None:
    """Until this transaction ends no data key can be written, so what it checks holds.

    SQLite: every write transaction begins IMMEDIATE, so this one already excludes them.
    PostgreSQL: SHARE mode waits for transactions that have written a key to commit, and
    makes new writers wait for this one."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE subject_keys, index_keys IN SHARE MODE")


def _sweep(
    ledger: Ledger,
    holder: FileKeyProvider,
    keys: FileKeyProvider,
    current: str,
    retired: set[str],
    *,
    actor: str,
) -> int:
    """Re-wrap data keys written under a just-retired key by a process that wrapped before
    it saw the new key and committed after the check (possible on PostgreSQL only, in a
    window of microseconds); the old keys are still in `holder`'s memory."""
    if not retired:
        return 0
    swept = 0
    with ledger.engine.begin() as conn:
        rows = conn.execute(
            select(
                t.subject_keys.c.subject_id,
                t.subject_keys.c.master_key_id,
                t.subject_keys.c.wrapped_key,
            ).where(t.subject_keys.c.master_key_id.in_(sorted(retired)))
        ).all()
        params = []
        for subject_id, master_key_id, blob in rows:
            context = subject_id.encode()
            data_key = holder.unwrap(WrappedKey(master_key_id, blob), context=context)
            wrapped = keys.wrap(data_key, context=context)
            params.append(
                {
                    "sid": subject_id,
                    "old": master_key_id,
                    "new": wrapped.master_key_id,
                    "blob": wrapped.blob,
                }
            )
        if params:
            conn.execute(_UPDATE_SUBJECT_KEY, params)
            swept = len(params)
            append(
                conn,
                AuditEntry(
                    at=ledger.now(),
                    actor=actor,
                    action="key_rotation",
                    outcome="done",
                    detail={"key_id": current, "swept": swept},
                ),
            )
    return swept


def _audit(
    ledger: Ledger,
    conn: Connection,
    *,
    actor: str,
    current: str,
    added: bool,
    previous: list[str],
    rewrapped: int,
    index_rewrapped: bool,
    retired: tuple[str, ...],
    still_needed: tuple[str, ...],
) -> None:
    append(
        conn,
        AuditEntry(
            at=ledger.now(),
            actor=actor,
            action="key_rotation",
            outcome="done",
            detail={
                "key_id": current,
                "added": added,
                "previous": list(previous),
                "rewrapped": rewrapped,
                "index_rewrapped": index_rewrapped,
                "retired": list(retired),
                "still_needed": list(still_needed),
            },
        ),
    )
