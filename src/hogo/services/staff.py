"""Staff accounts for the console: officers, operators and auditors.

Roles (issue: the web): auditors read but never change anything or reveal a value;
operators work the request queue; officers do everything. Passwords are hashed with
argon2id (argon2-cffi's defaults, RFC 9106); a log-in for an unknown user still spends one
hash, so the answer time does not tell which usernames exist.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update

from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.tables_access import staff_users
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger

ROLES = ("officer", "operator", "auditor")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.@-]{0,62}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1_000


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.cache
def _decoy() -> str:
    return _hasher().hash("hogo decoy password, never valid")


@dataclass(frozen=True)
class StaffUser:
    username: str
    role: str
    created_at: datetime
    disabled_at: datetime | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "username": self.username,
            "role": self.role,
            "created_at": self.created_at.isoformat(),
            "disabled_at": None if self.disabled_at is None else self.disabled_at.isoformat(),
        }


def _check_password(password: str) -> None:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise BadInput(f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD:,} characters")


def add_user(ledger: Ledger, *, username: str, role: str, password: str, actor: str) -> StaffUser:
    if not isinstance(username, str) or not USERNAME.match(username):
        raise BadInput(
            f"username {username!r} must be 1–63 lower-case letters, digits, '.', '_', '@' or '-'"
        )
    if role not in ROLES:
        raise BadInput(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
    _check_password(password)
    hashed = _hasher().hash(password)
    with ledger.engine.begin() as conn:
        if conn.execute(select(staff_users.c.id).where(staff_users.c.username == username)).first():
            raise BadInput(f"a user named {username!r} exists")
        now = ledger.now()
        conn.execute(
            insert(staff_users).values(
                username=username, password_hash=hashed, role=role, created_at=now
            )
        )
        append(
            conn,
            AuditEntry(
                at=now,
                actor=actor,
                action="user_add",
                outcome="done",
                detail={"username": username, "role": role},
            ),
        )
    return StaffUser(username, role, now)


def authenticate(ledger: Ledger, username: str, password: str) -> StaffUser | None:
    """The user when the password is right and the account enabled; None otherwise."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return None
    with ledger.engine.connect() as conn:
        row = conn.execute(select(staff_users).where(staff_users.c.username == username)).first()
    try:
        _hasher().verify(_decoy() if row is None else row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled_at is not None:
        return None
    return StaffUser(row.username, row.role, row.created_at)


def list_users(ledger: Ledger) -> list[StaffUser]:
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(staff_users).order_by(staff_users.c.username)).all()
    return [StaffUser(r.username, r.role, r.created_at, r.disabled_at) for r in rows]


def disable_user(ledger: Ledger, username: str, *, actor: str) -> None:
    with ledger.engine.begin() as conn:
        row = conn.execute(select(staff_users).where(staff_users.c.username == username)).first()
        if row is None:
            raise NotFound(f"no user named {username!r}")
        if row.disabled_at is not None:
            raise BadInput(f"the user {username!r} is already disabled")
        now = ledger.now()
        conn.execute(update(staff_users).where(staff_users.c.id == row.id).values(disabled_at=now))
        append(
            conn,
            AuditEntry(
                at=now,
                actor=actor,
                action="user_disable",
                outcome="done",
                detail={"username": username},
            ),
        )


def get_user(ledger: Ledger, username: str) -> StaffUser | None:
    """The enabled account `username`, or None: every console request re-reads it, so a
    disabled account or a changed role takes effect at once, not when the cookie expires."""
    with ledger.engine.connect() as conn:
        row = conn.execute(select(staff_users).where(staff_users.c.username == username)).first()
    if row is None or row.disabled_at is not None:
        return None
    return StaffUser(row.username, row.role, row.created_at)
