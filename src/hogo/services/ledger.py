"""The ledger as the use cases see it: engine, keys and the policy in force, from settings.

The policy enforced is the version in force in the database (published with
`hogo policy publish`), not whatever hogo.yaml says today: every process enforces the
same published promise, and a draft on disk changes nothing until it is published.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from hogo.config import Settings
from hogo.domain.purpose_check import CompiledPolicy, Reconsent
from hogo.domain.retention import RetentionTerm
from hogo.ledger import tables as t
from hogo.ledger.crypto import (
    BlindIndex,
    EnvKeyProvider,
    FileKeyProvider,
    KeyProvider,
    KeyringError,
    SubjectCipher,
    WrappedKey,
    new_data_key,
)
from hogo.ledger.engine import make_engine
from hogo.ledger.hot import HotConnection
from hogo.ledger.migrate import current_revision, head_revision
from hogo.ledger.sql import insert_if_absent
from hogo.ledger.tables_policy_changes import reconsent_requirements
from hogo.policy.compile import compile_policy
from hogo.policy.loader import load_policy_text
from hogo.policy.schema import Item, Policy, RetentionRule
from hogo.services.errors import NotReady
from hogo.services.memo import Expiring

if TYPE_CHECKING:
    from hogo.services.api_keys import ApiClient

Clock = Callable[[], datetime]
T = TypeVar("T")
JAPAN = ZoneInfo("Asia/Tokyo")

INDEX_KEY_CONTEXT = b"hogo:blind-index-key"
REGISTER_KEY_CONTEXT = b"hogo:register-key"
SESSION_KEY_CONTEXT = b"hogo:session-key"
INDEX_KEY_ID = 1
REGISTER_KEY_ID = 2
SESSION_KEY_ID = 3
SERVICE_KEY_CONTEXTS: Mapping[int, bytes] = MappingProxyType(
    {
        INDEX_KEY_ID: INDEX_KEY_CONTEXT,
        REGISTER_KEY_ID: REGISTER_KEY_CONTEXT,
        SESSION_KEY_ID: SESSION_KEY_CONTEXT,
    }
)
"""The rows of `index_keys`: keys that belong to the service, not to one subject. The
register key encrypts what the operational registers hold about people who may not (or
no longer) be subjects: a requester's address, the outbox's messages, notes on requests."""

CIPHER_CACHE = 4096
"""Subjects whose unwrapped data key a process keeps; emptied when full."""
KEY_CACHE_SECONDS = 5.0
"""How long a process trusts an API key it has checked before reading its row again: the
longest a key revoked by another process keeps working in this one."""
KEY_CACHE_SIZE = 1024
"""API keys a process remembers at most; emptied when full (a process serves few keys)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def japan_date(at: datetime) -> date:
    """The calendar day in Japan at `at`: the day APPI's periods and deadlines count."""
    return at.astimezone(JAPAN).date()


@dataclass(frozen=True)
class PolicyInForce:
    """A published version, parsed and compiled once, with what collection needs of it."""

    version_id: int
    digest: str
    version: str
    effective_date: date
    policy: Policy
    compiled: CompiledPolicy
    retention_of_item: Mapping[str, tuple[RetentionTerm | None, ...]]
    items: Mapping[str, Item]
    """Items by id: the hot paths look items up per value."""
    opt_out_purposes: frozenset[str]


def _term(rule: RetentionRule | None) -> RetentionTerm | None:
    if rule is None:
        return None
    if rule.until is not None:
        return RetentionTerm(None, None, until_withdrawn=True)
    return RetentionTerm(rule.period, rule.from_.value if rule.from_ else None)


def _retention_of_item(policy: Policy) -> Mapping[str, tuple[RetentionTerm | None, ...]]:
    terms: dict[str, list[RetentionTerm | None]] = {}
    for purpose in policy.purposes:
        rule = policy.retention_rule(purpose.retention) if purpose.retention else None
        for item in purpose.items:
            terms.setdefault(item, []).append(_term(rule))
    return MappingProxyType({item: tuple(found) for item, found in terms.items()})


def _reconsents(conn: Connection, version_id: int, effective: date) -> dict[str, Reconsent]:
    """The latest re-consent requirement per purpose that the version carries forward.

    A requirement of version R binds while version V is in force when R was published no
    later than V and applies no later than V (Art. 17(2), 18(1)): V's text then includes
    R's change. Only the latest per purpose matters, since a consent given after it is
    also after every earlier one. Fixed once V is published, so it is cached with V.
    """
    r, v = reconsent_requirements, t.policy_versions
    rows = conn.execute(
        select(r.c.purpose, r.c.version_id, r.c.after_consent_id, v.c.version)
        .join(v, v.c.id == r.c.version_id)
        .where(r.c.version_id <= version_id, v.c.effective_date <= effective)
        .order_by(r.c.version_id)
    )
    return {
        row.purpose: Reconsent(int(row.version_id), int(row.after_consent_id), row.version)
        for row in rows
    }


def with_reconsent(compiled: CompiledPolicy, reconsent: Mapping[str, Reconsent]) -> CompiledPolicy:
    """The compiled policy with each purpose's re-consent requirement attached."""
    if not reconsent:
        return compiled
    purposes = {
        pid: replace(purpose, reconsent=reconsent[pid]) if pid in reconsent else purpose
        for pid, purpose in compiled.purposes.items()
    }
    return CompiledPolicy(purposes=purposes, digest=compiled.digest)


def key_provider(settings: Settings) -> KeyProvider:
    if settings.master_key is not None:
        return EnvKeyProvider(settings.master_key.get_secret_value())
    return FileKeyProvider(settings.key_file)


@dataclass
class Ledger:
    """What every use case needs. Built by `open_ledger`; close it to release the engine."""

    settings: Settings
    engine: Engine
    keys: KeyProvider
    clock: Clock = utc_now
    _versions: dict[int, PolicyInForce] = field(default_factory=dict, repr=False)
    _index: BlindIndex | None = field(default=None, repr=False)
    _register: SubjectCipher | None = field(default=None, repr=False)
    _signing: bytes | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _hot: HotConnection | None = field(default=None, repr=False)
    _kept: dict[str, Any] = field(default_factory=dict, repr=False)
    _ciphers: dict[tuple[str, str, bytes], SubjectCipher] = field(default_factory=dict, repr=False)
    api_clients: Expiring[bytes, ApiClient] = field(
        default_factory=lambda: Expiring(KEY_CACHE_SECONDS, KEY_CACHE_SIZE), repr=False
    )
    """API keys this process has checked, by the SHA-256 of the whole token
    (`hogo.services.api_keys` keeps it)."""

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """The date in Japan: APPI's days (retention, request and report deadlines) are
        Japanese calendar days, and at 08:00 in Tokyo it is still yesterday in UTC."""
        return japan_date(self.clock())

    def close(self) -> None:
        with self._lock:
            kept, self._kept = list(self._kept.values()), {}
        for helper in kept:  # first: they may still be writing (the use group commit)
            if hasattr(helper, "close"):
                helper.close()
        with self._lock:
            hot, self._hot = self._hot, None
        if hot is not None:
            hot.close()
        self.engine.dispose()

    def subject_cipher(self, subject_id: str, wrapped: WrappedKey) -> SubjectCipher:
        """The subject's cipher, unwrapping its data key once per process.

        Keyed by the wrapped key itself: an erased subject has no wrapped key left to look
        up, and a key re-wrapped by rotation is a new entry, so nothing stale is served.
        """
        cache_key = (subject_id, wrapped.master_key_id, wrapped.blob)
        cipher = self._ciphers.get(cache_key)
        if cipher is None:
            key = self.keys.unwrap(wrapped, context=subject_id.encode())
            cipher = SubjectCipher(key, subject_id)
            with self._lock:
                if len(self._ciphers) >= CIPHER_CACHE:
                    self._ciphers.clear()
                self._ciphers[cache_key] = cipher
        return cipher

    def hot_cursor(self) -> AbstractContextManager[Any]:
        """A DB-API cursor for one single-call hot-path transaction (`hogo.ledger.hot`)."""
        hot = self._hot
        if hot is None:
            with self._lock:
                hot = self._hot = self._hot or HotConnection(self.engine)
        return hot.cursor()

    def kept(self, name: str, make: Callable[[], T]) -> T:
        """A helper a service keeps with this ledger for its life, made on first use (the
        `use` group commit): nothing is made at import time, and each ledger (each
        database) has its own."""
        found = self._kept.get(name)
        if found is None:
            with self._lock:
                found = self._kept.get(name)
                if found is None:
                    found = self._kept[name] = make()
        return found

    def policy_in_force(self, conn: Connection, on: date | None = None) -> PolicyInForce:
        """The latest published version effective on `on` (today by default)."""
        on = on or self.today()
        row = conn.execute(
            select(t.policy_versions.c.id)
            .where(t.policy_versions.c.effective_date <= on)
            .order_by(t.policy_versions.c.effective_date.desc(), t.policy_versions.c.id.desc())
            .limit(1)
        ).first()
        if row is None:
            raise NotReady(f"no policy is in force on {on}: publish one with `hogo policy publish`")
        return self.policy_version(conn, int(row.id))

    def policy_version(self, conn: Connection, version_id: int) -> PolicyInForce:
        cached = self._versions.get(version_id)
        if cached is not None:
            return cached
        row = conn.execute(
            select(t.policy_versions).where(t.policy_versions.c.id == version_id)
        ).one()
        loaded = load_policy_text(row.text, f"policy version {row.version}")
        compiled = with_reconsent(
            compile_policy(loaded.policy, row.digest),
            _reconsents(conn, int(row.id), row.effective_date),
        )
        version = PolicyInForce(
            version_id=int(row.id),
            digest=row.digest,
            version=row.version,
            effective_date=row.effective_date,
            policy=loaded.policy,
            compiled=compiled,
            retention_of_item=_retention_of_item(loaded.policy),
            items=MappingProxyType({item.id: item for item in loaded.policy.items}),
            opt_out_purposes=frozenset(
                p for p, c in compiled.purposes.items() if c.basis == "opt_out"
            ),
        )
        with self._lock:
            self._versions[version_id] = version
        return version

    def cached_policy_version(self, version_id: int) -> PolicyInForce | None:
        """A version already parsed in this process, or None (no database access)."""
        return self._versions.get(version_id)

    def blind_index(self, conn: Connection) -> BlindIndex:
        """The blind-index key, created on first use and kept wrapped by the master key."""
        if self._index is None:
            key = self._service_key(conn, INDEX_KEY_ID)
            with self._lock:
                self._index = BlindIndex(key)
        return self._index

    def register_cipher(self, conn: Connection) -> SubjectCipher:
        """The cipher of the operational registers (requests, incidents, outbox).

        Not a subject's key: a deletion request's answer must still be readable after the
        subject's key is destroyed, and a request may come from someone who is no subject.
        """
        if self._register is None:
            key = self._service_key(conn, REGISTER_KEY_ID)
            with self._lock:
                self._register = SubjectCipher(key, "hogo-register")
        return self._register

    def signing_secret(self) -> bytes:
        """The secret that signs console sessions and portal links: kept in the database,
        wrapped by the master key, so every `hogo serve` process signs alike and a restart
        logs nobody out; rotating the master key re-wraps it like the other service keys.
        Read once per process, like the blind-index key: every opt-out link needs it."""
        if self._signing is None:
            with self.engine.begin() as conn:
                secret = self._service_key(conn, SESSION_KEY_ID)
            with self._lock:
                self._signing = secret
        return self._signing

    def _service_key(self, conn: Connection, key_id: int) -> bytes:
        context = SERVICE_KEY_CONTEXTS[key_id]
        query = select(t.index_keys).where(t.index_keys.c.id == key_id)
        row = conn.execute(query).first()
        if row is None:
            wrapped = self.keys.wrap(new_data_key(), context=context)
            insert_if_absent(
                conn,
                t.index_keys,
                {
                    "id": key_id,
                    "master_key_id": wrapped.master_key_id,
                    "wrapped_key": wrapped.blob,
                    "created_at": self.now(),
                },
            )
            row = conn.execute(query).one()
        return self.keys.unwrap(WrappedKey(row.master_key_id, row.wrapped_key), context=context)


def open_ledger(settings: Settings, *, clock: Clock = utc_now, check_schema: bool = True) -> Ledger:
    """Connect to the database and the key provider; refuse a database that needs migrating."""
    try:
        keys = key_provider(settings)
    except KeyringError as exc:
        raise NotReady(str(exc)) from None
    engine = make_engine(settings.database_url)
    if check_schema:
        current = current_revision(engine)
        if current != head_revision():
            engine.dispose()
            state = "is empty" if current is None else f"is at revision {current}"
            raise NotReady(f"the database {state}: run `hogo db upgrade`")
    return Ledger(settings=settings, engine=engine, keys=keys, clock=clock)
