"""The register of data-subject requests (APPI Arts. 32–39), its history, and record history.

A request's id is a random opaque string, not a counter: the portal shows a request's
status by its id, and a guessable id would let anyone read the register. Everything said
by or about a person (address, agent, verification evidence, reasons, notes) is encrypted
with the register key, because the requester may be no subject, or no longer one: the
answer to a deletion request outlives the subject's key. The answer package holds the
person's data itself and is encrypted with the subject's key, so it is shredded with them.

`record_history` keeps the ciphertext a correction (Art. 34) replaced, still under the
subject's key: the correction can be shown later, and erasing the subject destroys it too.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)

from hogo.ledger.tables import Id, ItemId, SubjectId, metadata

RequestId = String(32)

_KINDS = (
    "'purpose_notice', 'disclosure', 'provision_records', 'correction', 'addition', "
    "'deletion', 'suspension_of_use', 'erasure', 'stop_provision'"
)
_STATES = "'received', 'verifying', 'in_progress', 'answered', 'refused', 'withdrawn'"

requests = Table(
    "requests",
    metadata,
    Column("id", RequestId, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("subject_id", SubjectId, ForeignKey("subjects.id")),
    Column("contact", LargeBinary),
    Column("contact_index", LargeBinary),
    Column("agent_name", LargeBinary),
    Column("agent_authority", LargeBinary),
    Column("channel", String(16), nullable=False),
    Column("lang", String(2), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("policy_version_id", Id, ForeignKey("policy_versions.id"), nullable=False),
    Column("verified_at", DateTime(timezone=True)),
    Column("verification_method", String(32)),
    Column("verification_evidence", LargeBinary),
    Column("verification_items", JSON),
    Column("fee_yen", Integer),
    Column("possibly_repeated", Boolean, nullable=False, default=False),
    Column("repeat_of", RequestId, ForeignKey("requests.id")),
    Column("closed_at", DateTime(timezone=True)),
    Column("refusal_ground", String(32)),
    Column("reason", LargeBinary),
    Column("answer", LargeBinary),
    CheckConstraint(f"kind in ({_KINDS})", name="kind"),
    CheckConstraint(f"state in ({_STATES})", name="state"),
    CheckConstraint("lang in ('ja', 'en')", name="lang"),
    Index("ix_requests_state_due", "state", "due_on"),
    Index("ix_requests_subject_kind", "subject_id", "kind"),
    Index("ix_requests_contact_kind", "contact_index", "kind"),
)

request_events = Table(
    "request_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("request_id", RequestId, ForeignKey("requests.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("note", LargeBinary),
    UniqueConstraint("request_id", "seq"),
)
"""Every transition of every request, numbered per request (seq binds the note's cipher)."""

record_history = Table(
    "record_history",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", SubjectId, ForeignKey("subjects.id"), nullable=False),
    Column("record_id", Id, nullable=False),
    Column("item", ItemId, nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("request_id", RequestId, ForeignKey("requests.id"), nullable=False),
    Column("replaced_at", DateTime(timezone=True), nullable=False),
    Index("ix_record_history_subject_item", "subject_id", "item"),
)
"""record_id has no foreign key: the record may be erased later, its history with it."""
