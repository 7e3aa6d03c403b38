"""The ledger's tables, in SQLAlchemy Core with portable types (SQLite and PostgreSQL).

Core rather than the ORM: the hot paths (use, collect, eligible) are a handful of
statements each, and the ORM's identity map and unit-of-work bookkeeping would cost more
than the statements. Every per-person table carries subject_id so the ledger can be
distributed by subject later (Citus-style).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

# Named constraints so migrations can refer to them on both databases.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = BigInteger().with_variant(Integer(), "sqlite")
"""SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL wants 64 bits for growth."""

SubjectId = String(32)
PurposeId = String(63)
ItemId = String(63)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("version", String(500), nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("text", Text, nullable=False),
)

index_keys = Table(
    "index_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("master_key_id", String(64), nullable=False),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

subjects = Table(
    "subjects",
    metadata,
    Column("id", SubjectId, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("policy_version_id", Id, ForeignKey("policy_versions.id"), nullable=False),
    Column("erased_at", DateTime(timezone=True)),
    Column("lang", String(2)),
)

subject_keys = Table(
    "subject_keys",
    metadata,
    Column("subject_id", SubjectId, ForeignKey("subjects.id"), primary_key=True),
    Column("master_key_id", String(64), nullable=False, index=True),
    Column("wrapped_key", LargeBinary, nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", SubjectId, ForeignKey("subjects.id"), nullable=False),
    Column("item", ItemId, nullable=False),
    Column("source", String(63), nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("blind_index", LargeBinary),
    Column("collected_at", DateTime(timezone=True), nullable=False),
    Column("policy_version_id", Id, ForeignKey("policy_versions.id"), nullable=False),
    Column("retention_due", Date),
    Column("legal_hold", Boolean, nullable=False, default=False),
    Index("ix_records_subject_item", "subject_id", "item"),
    Index("ix_records_lookup", "item", "blind_index"),
    Index("ix_records_retention_due", "retention_due"),
)

consents = Table(
    "consents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", SubjectId, ForeignKey("subjects.id"), nullable=False),
    Column("purpose", PurposeId, nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("policy_version_id", Id, ForeignKey("policy_versions.id"), nullable=False),
    Column("method", String(16), nullable=False),
    Column("evidence", Text),
    Index("ix_consents_subject_purpose", "subject_id", "purpose", "id"),
    Index("ix_consents_purpose", "purpose", "subject_id", "id"),
)

restrictions = Table(
    "restrictions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", SubjectId, ForeignKey("subjects.id"), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("purpose", PurposeId),
    Column("reason", Text, nullable=False),
    Column("origin", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("lifted_at", DateTime(timezone=True)),
    Column("lift_reason", Text),
    CheckConstraint("scope in ('use', 'provision')", name="scope"),
    CheckConstraint("origin in ('request', 'legal_hold', 'officer')", name="origin"),
    Index("ix_restrictions_subject", "subject_id", "lifted_at"),
)

provision_records = Table(
    "provision_records",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", SubjectId, ForeignKey("subjects.id"), nullable=False),
    Column("recipient", String(63), nullable=False),
    Column("recipient_name", Text, nullable=False),
    Column("recipient_address", Text),
    Column("recipient_representative", Text),
    Column("basis", String(32), nullable=False),
    Column("items", JSON, nullable=False),
    Column("provided_on", Date),
    Column("consent_confirmed", Boolean, nullable=False, default=False),
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("retain_until", Date),
    Index("ix_provision_records_subject", "subject_id"),
    Index("ix_provision_records_retain_until", "retain_until"),
)

receipt_records = Table(
    "receipt_records",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", SubjectId, ForeignKey("subjects.id")),
    Column("provider_name", Text, nullable=False),
    Column("provider_address", Text, nullable=False),
    Column("provider_representative", Text),
    Column("acquisition_method", Text, nullable=False),
    Column("items", JSON, nullable=False),
    Column("basis", String(32), nullable=False),
    Column("received_on", Date),
    Column("ppc_publication", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("retain_until", Date),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("subject_id", SubjectId),
    Column("purpose", PurposeId),
    Column("items", JSON),
    Column("outcome", String(16), nullable=False),
    Column("reason", String(63)),
    Column("detail", JSON),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_subject", "subject_id", "id"),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("last_id", Id, nullable=False),
    Column("last_hash", String(64), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)
"""One row: the chain's head. Appending locks it (FOR UPDATE), so two writers never fork
the chain, and the next hash needs no scan of the audit table."""

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(63), nullable=False),
    Column("lang", String(2), nullable=False),
    Column("subject_id", SubjectId, ForeignKey("subjects.id")),
    Column("ref", String(63)),
    Column("dedupe_key", String(200), unique=True),
    Column("message_id", String(200), nullable=False, unique=True),
    Column("recipient", LargeBinary),
    Column("content", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("send_after", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("claimed_by", String(64)),
    Column("claimed_until", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("failed_at", DateTime(timezone=True)),
    Index("ix_outbox_pending", "sent_at", "failed_at", "send_after"),
    Index("ix_outbox_subject", "subject_id"),
)
"""Every message to a person, written in the transaction of the change that causes it.

Recipient and content are encrypted with the register key and emptied once the message is
sent or given up on: the outbox keeps that a message went, not what it said."""

job_leases = Table(
    "job_leases",
    metadata,
    Column("job", String(63), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
"""Which server process runs each periodic job (`hogo serve`): the holder renews its lease
while it runs; another process takes the job over only once the lease has lapsed."""

# The operational registers define their tables on the same metadata, in their own modules;
# importing them here puts every table in `metadata` (migrations compare against it).
from hogo.ledger import tables_access as _tables_access  # noqa: E402, F401
from hogo.ledger import tables_anonymized as _tables_anonymized  # noqa: E402, F401
from hogo.ledger import tables_incidents as _tables_incidents  # noqa: E402, F401
from hogo.ledger import tables_policy_changes as _tables_policy_changes  # noqa: E402, F401
from hogo.ledger import tables_registers as _tables_registers  # noqa: E402, F401
from hogo.ledger import tables_requests as _tables_requests  # noqa: E402, F401
