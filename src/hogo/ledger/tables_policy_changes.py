"""What publishing a revised policy recorded: its changes, the notices owed, re-consents.

A revision's obligations are fixed when it is published (APPI Arts. 17(2), 21(3)): the
changes as the diff classified them then, the notice step's progress (so that a crash
half way resumes where it stopped and writes to no one twice), and, per purpose changed
beyond its old scope, the requirement that the purpose check refuses uses of data held
before the change until the person consents again (Art. 18(1)).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from hogo.ledger.tables import Id, PurposeId, SubjectId, metadata

CHANGE_CLASSES = "('editorial', 'notify', 'consent')"

policy_revisions = Table(
    "policy_revisions",
    metadata,
    Column("version_id", Id, ForeignKey("policy_versions.id"), primary_key=True),
    Column("previous_version_id", Id, ForeignKey("policy_versions.id"), nullable=False),
    Column("highest", String(16)),
    Column("notice", String(16), nullable=False),
    Column("advance_notice_days", Integer),
    Column("last_subject_id", SubjectId),
    Column("reached", Integer, nullable=False, default=0),
    Column("queued", Integer, nullable=False, default=0),
    Column("without_address", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("notices_done_at", DateTime(timezone=True)),
    CheckConstraint(f"highest is null or highest in {CHANGE_CLASSES}", name="highest"),
    CheckConstraint("notice in ('none', 'published', 'pending', 'done')", name="notice"),
)
"""One row per published version that had a predecessor. `notice`: none (nothing needs
notice), published (notice by publishing the policy: `changes.notice` lists no e-mail),
pending (e-mails being queued; `last_subject_id` is how far), done."""

policy_changes = Table(
    "policy_changes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("version_id", Id, ForeignKey("policy_versions.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("path", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("change_class", String(16), nullable=False),
    Column("article", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("reach", String(16), nullable=False),
    Column("purposes", JSON, nullable=False),
    Column("items", JSON, nullable=False),
    Column("sources", JSON, nullable=False),
    Column("notice_ja", Text, nullable=False),
    Column("notice_en", Text, nullable=False),
    CheckConstraint(f"change_class in {CHANGE_CLASSES}", name="change_class"),
    CheckConstraint("reach in ('everyone', 'holders', 'nobody')", name="reach"),
    UniqueConstraint("version_id", "position"),
)
"""Each change of a revision, in the diff's order (most demanding first), with whom it
reaches: everyone, the holders of `items` or of records from `sources`, or nobody in the
ledger (what only the published policy tells, such as website modules), and the sentence
a notice tells people about it in each language."""

reconsent_requirements = Table(
    "reconsent_requirements",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("version_id", Id, ForeignKey("policy_versions.id"), nullable=False),
    Column("purpose", PurposeId, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("after_consent_id", Id, nullable=False),
    Column("article", Text, nullable=False),
    UniqueConstraint("version_id", "purpose"),
    Index("ix_reconsent_requirements_purpose", "purpose", "version_id"),
)
"""A purpose changed so that uses of data held before need consent again: consents with an
id above `after_consent_id` (the last one when the revision was published, at `since`)
were given after the change."""
