"""inquiries (APPI Art. 40) and vendor audits (Art. 25)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "inquiries",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handle_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("subject_id", sa.String(length=32), nullable=True),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("contact", sa.LargeBinary(), nullable=True),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("answer", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind in ('question', 'opinion', 'complaint')", name=op.f("ck_inquiries_kind")
        ),
        sa.CheckConstraint(
            "channel in ('email', 'form', 'phone', 'post', 'counter', 'portal')",
            name=op.f("ck_inquiries_channel"),
        ),
        sa.CheckConstraint(
            "acknowledged in ('within_hours', 'no_hours', 'queued', 'no_contact', 'opened_since')",
            name=op.f("ck_inquiries_ack"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_inquiries_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiries")),
    )
    op.create_index("ix_inquiries_open", "inquiries", ["answered_at", "received_at"])
    op.create_index("ix_inquiries_subject", "inquiries", ["subject_id"])
    op.create_table(
        "vendor_audits",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("vendor", sa.String(length=63), nullable=False),
        sa.Column("audited_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "result in ('pass', 'findings', 'fail')", name=op.f("ck_vendor_audits_result")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_audits")),
    )
    op.create_index("ix_vendor_audits_vendor", "vendor_audits", ["vendor", "audited_on"])


def downgrade() -> None:
    op.drop_index("ix_vendor_audits_vendor", table_name="vendor_audits")
    op.drop_table("vendor_audits")
    op.drop_index("ix_inquiries_subject", table_name="inquiries")
    op.drop_index("ix_inquiries_open", table_name="inquiries")
    op.drop_table("inquiries")
