"""The leakage incident register (APPI Art. 26): incidents, their history, their scope.

Free text about an incident (the summary, how it was found, the cause, the measures…) may
name people, so each field is encrypted with the register key, its associated data naming
the incident and the field (`incident:{id}:{field}`). The scope lists the subjects affected
with the items of theirs involved: ids only, nothing to decrypt.
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
    LargeBinary,
    String,
    Table,
)

from hogo.ledger.tables import Id, ItemId, SubjectId, metadata

INCIDENT_TEXT_FIELDS = (
    "summary",
    "discovered_how",
    "medium",
    "cause",
    "secondary_damage",
    "measures",
    "publication",
    "prevention_done",
    "prevention_planned",
    "other",
)
"""The encrypted free-text columns, each one report item or part of one (Rules Art. 8(1))."""

incidents = Table(
    "incidents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("state", String(16), nullable=False),
    Column("known_on", Date, nullable=False),
    Column("occurred_on", Date),
    Column("discovered_on", Date),
    Column("vendor", ItemId),
    Column("unlawful_purpose_suspected", Boolean, nullable=False, default=False),
    Column("strongly_encrypted", Boolean, nullable=False, default=False),
    Column("preliminary_due", Date, nullable=False),
    Column("final_due", Date, nullable=False),
    Column("preliminary_filed_on", Date),
    Column("final_filed_on", Date),
    *(Column(name, LargeBinary, nullable=name != "summary") for name in INCIDENT_TEXT_FIELDS),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    CheckConstraint("state in ('open', 'closed')", name="state"),
    Index("ix_incidents_state", "state", "known_on"),
)

incident_events = Table(
    "incident_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("incident_id", Id, ForeignKey("incidents.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("detail", JSON),
    Index("ix_incident_events_incident", "incident_id", "id"),
)
"""What happened to an incident, in order: opened, updated (which fields), scoped, notified,
closed. Field names and counts only; the values are in the encrypted columns."""

incident_subjects = Table(
    "incident_subjects",
    metadata,
    Column("incident_id", Id, ForeignKey("incidents.id"), primary_key=True),
    Column("subject_id", SubjectId, ForeignKey("subjects.id"), primary_key=True),
    Column("items", JSON, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("notified_at", DateTime(timezone=True)),
    Index("ix_incident_subjects_subject", "subject_id"),
)
"""The scope: each subject affected once per incident, with the items of theirs involved."""
