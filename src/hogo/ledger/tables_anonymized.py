"""Tables of the register of anonymously processed information (APPI Arts. 43–44).

One row per creation and one per provision to a third party. What a creation contains
(dataset, items, date) is published (Art. 43(3)), so it is kept in plain text; how it was
processed (the generalisation levels and hierarchies chosen, the values replaced) is the
"processing method" that must be kept secret (Art. 43(2), Rules Art. 35), so it is
encrypted with the register key and read only through an audited path.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from hogo.ledger.tables import Id, PurposeId, metadata

anonymized_creations = Table(
    "anonymized_creations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dataset", String(63), nullable=False),
    Column("label", JSON, nullable=False),
    Column("items", JSON, nullable=False),
    Column("item_labels", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_on", Date, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("purpose", PurposeId, nullable=False),
    Column("policy_version_id", Id, ForeignKey("policy_versions.id"), nullable=False),
    Column("k", Integer, nullable=False),
    Column("l", Integer),
    Column("classes", Integer, nullable=False),
    Column("rows_released", Integer, nullable=False),
    Column("suppressed", Integer, nullable=False),
    Column("subjects_refused", Integer, nullable=False),
    Column("loss", Float, nullable=False),
    Column("risk_highest", Float, nullable=False),
    Column("risk_average", Float, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("method", LargeBinary, nullable=False),
    CheckConstraint("k >= 1", name="k"),
    CheckConstraint("l is null or l >= 1", name="l"),
    Index("ix_anonymized_creations_dataset", "dataset", "created_at"),
)
"""One anonymised dataset made from the ledger. `label` and `item_labels` ({ja, en}) are
copied from the policy in force, so the announcement stays whole after the policy drops
the dataset or an item. `created_on` is the day in Japan, the day published. `digest` is
the SHA-256 of the file written, which tells later which file a provision sent. `method`
is the encrypted processing method (JSON)."""

anonymized_provisions = Table(
    "anonymized_provisions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("creation_id", Id, ForeignKey("anonymized_creations.id"), nullable=False, index=True),
    Column("provided_at", DateTime(timezone=True), nullable=False),
    Column("provided_on", Date, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("method", Text),
    Column("items", JSON, nullable=False),
    Column("policy_version_id", Id, ForeignKey("policy_versions.id"), nullable=False),
)
"""One provision of a creation to a third party, with the notice that it is anonymously
processed information (Art. 43(4), Rules Art. 37). `method` is how this provision was
made, when told; the published method of provision is the policy's."""
