"""Who may call hogo: API keys for applications and staff accounts for the console."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
)

from hogo.ledger.tables import Id, metadata

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(63), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("secret_hash", LargeBinary, nullable=False),
    Column("purposes", JSON, nullable=False),
    Column("items", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)
"""A key is shown once and stored as a SHA-256 of its secret: 32 random bytes need no slow
hash (nothing to guess), and checking one must cost microseconds on every API call."""

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(63), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True)),
    CheckConstraint("role in ('officer', 'operator', 'auditor')", name="role"),
)
"""Passwords are argon2id hashes (argon2-cffi): people choose guessable passwords."""

portal_codes = Table(
    "portal_codes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("address_index", LargeBinary, nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("code_hash", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("used_at", DateTime(timezone=True)),
    Index("ix_portal_codes_address", "address_index", "purpose", "created_at"),
)
"""One-time codes the portal e-mails. The address is kept only as a blind index (keyed
HMAC), the code only as a keyed hash: the table says nothing about who asked."""
