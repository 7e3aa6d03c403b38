"""Validation shared by provision and receipt: free text, the actor, items, policy texts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.engine import Connection

from hogo.domain.values import InvalidValue, normalize
from hogo.ledger import tables as t
from hogo.policy.schema import Policy
from hogo.policy.schema.common import Text
from hogo.services.errors import BadInput, NotFound, Refused

MAX_NOTE_CHARS = 2_000
MAX_PARTY_CHARS = 1_000


def free_text(name: str, value: str | None, limit: int, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadInput(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise BadInput(f"{name} must be text, not {type(value).__name__}")
    try:
        return normalize("text", value, max_chars=limit).stored
    except InvalidValue as exc:
        raise BadInput(f"{name}: the text {exc}") from None


def actor_name(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise BadInput("an actor is required: who provides the data?")
    return actor


def declared_items(policy: Policy, items: Sequence[str]) -> tuple[str, ...]:
    if isinstance(items, str):
        items = [items]
    wanted = tuple(dict.fromkeys(i.strip() for i in items if isinstance(i, str) and i.strip()))
    if not wanted:
        raise BadInput("no items given: name at least one, e.g. --items name,email")
    for item_id in wanted:
        if policy.item(item_id) is None:
            raise BadInput(f"unknown item {item_id!r}; it is not declared in the policy")
    return wanted


def record_text(policy: Policy, text: Text | None) -> str | None:
    """A policy text as a record holds it: in the policy's authoritative language."""
    return None if text is None else text[policy.policy.authoritative_language]


def live_subjects(conn: Connection, subject_ids: Sequence[str]) -> None:
    """Every subject exists and is not erased (locked against a concurrent erasure)."""
    rows = {
        row.id: row.erased_at
        for row in conn.execute(
            select(t.subjects.c.id, t.subjects.c.erased_at)
            .where(t.subjects.c.id.in_(subject_ids))
            .with_for_update()
        )
    }
    for subject_id in subject_ids:
        if subject_id not in rows:
            raise NotFound(f"no subject {subject_id}")
        if rows[subject_id] is not None:
            raise Refused(f"subject {subject_id} has been erased", code="erased")


# --- provide ----------------------------------------------------------------------------
