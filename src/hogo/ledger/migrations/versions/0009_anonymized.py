"""register of anonymously processed information: creations and provisions (APPI Arts. 43–44)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "anonymized_creations",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("dataset", sa.String(length=63), nullable=False),
        sa.Column("label", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("item_labels", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=63), nullable=False),
        sa.Column("policy_version_id", Id, nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("l", sa.Integer(), nullable=True),
        sa.Column("classes", sa.Integer(), nullable=False),
        sa.Column("rows_released", sa.Integer(), nullable=False),
        sa.Column("suppressed", sa.Integer(), nullable=False),
        sa.Column("subjects_refused", sa.Integer(), nullable=False),
        sa.Column("loss", sa.Float(), nullable=False),
        sa.Column("risk_highest", sa.Float(), nullable=False),
        sa.Column("risk_average", sa.Float(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("method", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("k >= 1", name=op.f("ck_anonymized_creations_k")),
        sa.CheckConstraint("l is null or l >= 1", name=op.f("ck_anonymized_creations_l")),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["policy_versions.id"],
            name=op.f("fk_anonymized_creations_policy_version_id_policy_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymized_creations")),
    )
    op.create_index(
        "ix_anonymized_creations_dataset",
        "anonymized_creations",
        ["dataset", "created_at"],
        unique=False,
    )
    op.create_table(
        "anonymized_provisions",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("creation_id", Id, nullable=False),
        sa.Column("provided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provided_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("policy_version_id", Id, nullable=False),
        sa.ForeignKeyConstraint(
            ["creation_id"],
            ["anonymized_creations.id"],
            name=op.f("fk_anonymized_provisions_creation_id_anonymized_creations"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["policy_versions.id"],
            name=op.f("fk_anonymized_provisions_policy_version_id_policy_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymized_provisions")),
    )
    op.create_index(
        "ix_anonymized_provisions_creation_id",
        "anonymized_provisions",
        ["creation_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_anonymized_provisions_creation_id", table_name="anonymized_provisions")
    op.drop_table("anonymized_provisions")
    op.drop_index("ix_anonymized_creations_dataset", table_name="anonymized_creations")
    op.drop_table("anonymized_creations")
