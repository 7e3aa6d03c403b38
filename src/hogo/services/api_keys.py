"""API keys: an application may act only for the purposes and items its key names.

This is the minimum-necessary rule (APPI Art. 23; PPC guideline 10-6, access control) at
the door: a key made for the shop's order system cannot read for marketing, whatever the
policy allows marketing to do. The purpose check still runs behind it on every use.

A key is `hogo_<prefix>_<secret>`: the prefix finds the row, the secret is compared by its
SHA-256 in constant time. It is shown once, at creation; hogo keeps only the hash.

A server process remembers a key it has checked for KEY_CACHE_SECONDS, so a busy client
costs one hash and one dictionary look-up per call instead of a database read. The price
is a bound on revocation: `revoke_key` forgets the key at once in the process that calls
it, and every other process (another `hogo serve`, after `hogo apikey revoke` on the
command line) refuses it within KEY_CACHE_SECONDS.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update

from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.engine import READ_ONLY
from hogo.ledger.tables_access import api_keys
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger

NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
TOKEN = re.compile(r"^hogo_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
OPERATIONS = "@operations"
"""A key made with `operations=True` (`hogo apikey create --ops`) may also work the request
register, incidents and inquiries through the API. The capability is stored as this marker
in the key's item list (no item can be named so: names start with a letter or digit), which
keeps the api_keys table as it is; `items` never shows it, `operations` does."""


@dataclass(frozen=True)
class ApiClient:
    """Who is calling, as the API sees it: the key's name and what it may touch."""

    name: str
    purposes: frozenset[str]
    items: frozenset[str]
    operations: bool = False

    @property
    def actor(self) -> str:
        return f"api:{self.name}"


@dataclass(frozen=True)
class KeyRow:
    name: str
    prefix: str
    purposes: tuple[str, ...]
    items: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    operations: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "prefix": self.prefix,
            "purposes": list(self.purposes),
            "items": list(self.items),
            "operations": self.operations,
            "created_at": self.created_at.isoformat(),
            "revoked_at": None if self.revoked_at is None else self.revoked_at.isoformat(),
        }


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def create_key(
    ledger: Ledger,
    *,
    name: str,
    purposes: Sequence[str],
    items: Sequence[str],
    actor: str,
    operations: bool = False,
) -> tuple[str, KeyRow]:
    """A new key for `name`; returns the token (shown once) and what was stored. With
    `operations` it may also work requests, incidents and inquiries (see OPERATIONS)."""
    if not isinstance(name, str) or not NAME.match(name):
        raise BadInput(
            f"key name {name!r} must be 1–63 lower-case letters, digits, '.', '_' or '-'"
        )
    wanted_purposes = tuple(dict.fromkeys(purposes))
    wanted_items = tuple(dict.fromkeys(items))
    if not wanted_purposes or not wanted_items:
        raise BadInput("a key needs at least one purpose and one item: --purposes and --items")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with ledger.engine.begin() as conn:
        version = ledger.policy_in_force(conn)
        unknown = [p for p in wanted_purposes if p not in version.compiled.purposes]
        if unknown:
            known = ", ".join(sorted(version.compiled.purposes))
            raise BadInput(f"unknown purpose {unknown[0]!r}; the policy declares: {known}")
        unknown = [i for i in wanted_items if i not in version.items]
        if unknown:
            raise BadInput(
                f"unknown item {unknown[0]!r}; the policy declares: {', '.join(version.items)}"
            )
        if conn.execute(select(api_keys.c.id).where(api_keys.c.name == name)).first():
            raise BadInput(f"a key named {name!r} exists; revoke it or choose another name")
        now = ledger.now()
        conn.execute(
            insert(api_keys).values(
                name=name,
                prefix=prefix,
                secret_hash=_digest(secret),
                purposes=list(wanted_purposes),
                items=[*wanted_items, *([OPERATIONS] if operations else [])],
                created_at=now,
            )
        )
        append(
            conn,
            AuditEntry(
                at=now,
                actor=actor,
                action="apikey_create",
                outcome="done",
                items=wanted_items,
                detail={
                    "name": name,
                    "prefix": prefix,
                    "purposes": list(wanted_purposes),
                    "operations": operations,
                },
            ),
        )
    row = KeyRow(name, prefix, wanted_purposes, wanted_items, now, None, operations)
    return f"hogo_{prefix}_{secret}", row


def _token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def remembered(ledger: Ledger, token: str) -> ApiClient | None:
    """The client of a token this process checked less than KEY_CACHE_SECONDS ago, or None
    (then `authenticate` reads the key's row). No database access: the API calls it on the
    event loop and moves to a worker thread only when it answers None."""
    if not isinstance(token, str):
        return None
    return ledger.api_clients.get(_token_digest(token))


def authenticate(ledger: Ledger, token: str) -> ApiClient | None:
    """The client a token belongs to, or None (malformed, unknown, wrong or revoked).

    A key found good is remembered for KEY_CACHE_SECONDS (see `remembered`); a refusal is
    not, so a key created elsewhere works at once and guessing fills no memory."""
    client = remembered(ledger, token)
    if client is not None:
        return client
    match = TOKEN.match(token) if isinstance(token, str) else None
    if match is None:
        return None
    prefix, secret = match.groups()
    generation = ledger.api_clients.generation
    # A read: on SQLite it must not take the write lock, which every use holds.
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        row = conn.execute(select(api_keys).where(api_keys.c.prefix == prefix)).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, _digest(secret)):
        return None
    stored = frozenset(row.items)
    client = ApiClient(
        row.name, frozenset(row.purposes), stored - {OPERATIONS}, OPERATIONS in stored
    )
    ledger.api_clients.remember(_token_digest(token), client, generation=generation)
    return client


def list_keys(ledger: Ledger) -> list[KeyRow]:
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(api_keys).order_by(api_keys.c.name)).all()
    return [
        KeyRow(
            r.name,
            r.prefix,
            tuple(r.purposes),
            tuple(i for i in r.items if i != OPERATIONS),
            r.created_at,
            r.revoked_at,
            OPERATIONS in r.items,
        )
        for r in rows
    ]


def revoke_key(ledger: Ledger, name: str, *, actor: str) -> None:
    with ledger.engine.begin() as conn:
        row = conn.execute(select(api_keys).where(api_keys.c.name == name)).first()
        if row is None:
            raise NotFound(f"no API key named {name!r}")
        if row.revoked_at is not None:
            raise BadInput(f"the key {name!r} is already revoked")
        now = ledger.now()
        conn.execute(update(api_keys).where(api_keys.c.id == row.id).values(revoked_at=now))
        append(
            conn,
            AuditEntry(
                at=now,
                actor=actor,
                action="apikey_revoke",
                outcome="done",
                detail={"name": name, "prefix": row.prefix},
            ),
        )
    # After the commit: a check that read the row before it cannot store it after this.
    ledger.api_clients.forget(lambda client: client.name == name)
