"""policy revisions: their changes, the notice step's progress, re-consent requirements

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CLASSES = "('editorial', 'notify', 'consent')"


def upgrade() -> None:
    op.create_table(
        "policy_revisions",
        sa.Column("version_id", Id, nullable=False),
        sa.Column("previous_version_id", Id, nullable=False),
        sa.Column("highest", sa.String(length=16), nullable=True),
        sa.Column("notice", sa.String(length=16), nullable=False),
        sa.Column("advance_notice_days", sa.Integer(), nullable=True),
        sa.Column("last_subject_id", sa.String(length=32), nullable=True),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.Column("without_address", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notices_done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            f"highest is null or highest in {CLASSES}", name=op.f("ck_policy_revisions_highest")
        ),
        sa.CheckConstraint(
            "notice in ('none', 'published', 'pending', 'done')",
            name=op.f("ck_policy_revisions_notice"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["policy_versions.id"],
            name=op.f("fk_policy_revisions_version_id_policy_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["previous_version_id"],
            ["policy_versions.id"],
            name=op.f("fk_policy_revisions_previous_version_id_policy_versions"),
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_policy_revisions")),
    )
    op.create_table(
        "policy_changes",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("version_id", Id, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("change_class", sa.String(length=16), nullable=False),
        sa.Column("article", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("reach", sa.String(length=16), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("notice_ja", sa.Text(), nullable=False),
        sa.Column("notice_en", sa.Text(), nullable=False),
        sa.CheckConstraint(
            f"change_class in {CLASSES}", name=op.f("ck_policy_changes_change_class")
        ),
        sa.CheckConstraint(
            "reach in ('everyone', 'holders', 'nobody')", name=op.f("ck_policy_changes_reach")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["policy_versions.id"],
            name=op.f("fk_policy_changes_version_id_policy_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_changes")),
        sa.UniqueConstraint(
            "version_id", "position", name=op.f("uq_policy_changes_version_id_position")
        ),
    )
    op.create_table(
        "reconsent_requirements",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("version_id", Id, nullable=False),
        sa.Column("purpose", sa.String(length=63), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("after_consent_id", Id, nullable=False),
        sa.Column("article", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["policy_versions.id"],
            name=op.f("fk_reconsent_requirements_version_id_policy_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconsent_requirements")),
        sa.UniqueConstraint(
            "version_id", "purpose", name=op.f("uq_reconsent_requirements_version_id_purpose")
        ),
    )
    op.create_index(
        "ix_reconsent_requirements_purpose",
        "reconsent_requirements",
        ["purpose", "version_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_reconsent_requirements_purpose", table_name="reconsent_requirements")
    op.drop_table("reconsent_requirements")
    op.drop_table("policy_changes")
    op.drop_table("policy_revisions")
