"""data-subject requests, their events, and the history of corrected records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_KINDS = (
    "'purpose_notice', 'disclosure', 'provision_records', 'correction', 'addition', "
    "'deletion', 'suspension_of_use', 'erasure', 'stop_provision'"
)
_STATES = "'received', 'verifying', 'in_progress', 'answered', 'refused', 'withdrawn'"


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=True),
        sa.Column("contact", sa.LargeBinary(), nullable=True),
        sa.Column("contact_index", sa.LargeBinary(), nullable=True),
        sa.Column("agent_name", sa.LargeBinary(), nullable=True),
        sa.Column("agent_authority", sa.LargeBinary(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("policy_version_id", Id, nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verification_method", sa.String(length=32), nullable=True),
        sa.Column("verification_evidence", sa.LargeBinary(), nullable=True),
        sa.Column("verification_items", sa.JSON(), nullable=True),
        sa.Column("fee_yen", sa.Integer(), nullable=True),
        sa.Column("possibly_repeated", sa.Boolean(), nullable=False),
        sa.Column("repeat_of", sa.String(length=32), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refusal_ground", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.LargeBinary(), nullable=True),
        sa.Column("answer", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint(f"kind in ({_KINDS})", name=op.f("ck_requests_kind")),
        sa.CheckConstraint(f"state in ({_STATES})", name=op.f("ck_requests_state")),
        sa.CheckConstraint("lang in ('ja', 'en')", name=op.f("ck_requests_lang")),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["policy_versions.id"],
            name=op.f("fk_requests_policy_version_id_policy_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["repeat_of"], ["requests.id"], name=op.f("fk_requests_repeat_of_requests")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_requests_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
    )
    op.create_index("ix_requests_state_due", "requests", ["state", "due_on"], unique=False)
    op.create_index("ix_requests_subject_kind", "requests", ["subject_id", "kind"], unique=False)
    op.create_index("ix_requests_contact_kind", "requests", ["contact_index", "kind"], unique=False)
    op.create_table(
        "request_events",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_request_events_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_events")),
        sa.UniqueConstraint("request_id", "seq", name=op.f("uq_request_events_request_id_seq")),
    )
    op.create_table(
        "record_history",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("record_id", Id, nullable=False),
        sa.Column("item", sa.String(length=63), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_record_history_request_id_requests")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_record_history_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_history")),
    )
    op.create_index(
        "ix_record_history_subject_item", "record_history", ["subject_id", "item"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_record_history_subject_item", table_name="record_history")
    op.drop_table("record_history")
    op.drop_table("request_events")
    op.drop_index("ix_requests_contact_kind", table_name="requests")
    op.drop_index("ix_requests_subject_kind", table_name="requests")
    op.drop_index("ix_requests_state_due", table_name="requests")
    op.drop_table("requests")
