"""the leakage incident register: incidents, incident_events, incident_subjects

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

TEXT_FIELDS = (
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


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("known_on", sa.Date(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("discovered_on", sa.Date(), nullable=True),
        sa.Column("vendor", sa.String(length=63), nullable=True),
        sa.Column("unlawful_purpose_suspected", sa.Boolean(), nullable=False),
        sa.Column("strongly_encrypted", sa.Boolean(), nullable=False),
        sa.Column("preliminary_due", sa.Date(), nullable=False),
        sa.Column("final_due", sa.Date(), nullable=False),
        sa.Column("preliminary_filed_on", sa.Date(), nullable=True),
        sa.Column("final_filed_on", sa.Date(), nullable=True),
        *(sa.Column(name, sa.LargeBinary(), nullable=name != "summary") for name in TEXT_FIELDS),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state in ('open', 'closed')", name=op.f("ck_incidents_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index("ix_incidents_state", "incidents", ["state", "known_on"], unique=False)
    op.create_table(
        "incident_events",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("incident_id", Id, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_events_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_events")),
    )
    op.create_index(
        "ix_incident_events_incident", "incident_events", ["incident_id", "id"], unique=False
    )
    op.create_table(
        "incident_subjects",
        sa.Column("incident_id", Id, nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_subjects_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_incident_subjects_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("incident_id", "subject_id", name=op.f("pk_incident_subjects")),
    )
    op.create_index(
        "ix_incident_subjects_subject", "incident_subjects", ["subject_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_incident_subjects_subject", table_name="incident_subjects")
    op.drop_table("incident_subjects")
    op.drop_index("ix_incident_events_incident", table_name="incident_events")
    op.drop_table("incident_events")
    op.drop_index("ix_incidents_state", table_name="incidents")
    op.drop_table("incidents")
