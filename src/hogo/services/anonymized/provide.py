"""Providing an anonymised dataset to a third party, with the notice the law requires.

Before the provision the company publishes the items and how they are provided, and it
tells the recipient the data is anonymously processed information (APPI Art. 43(4),
Rules Art. 37). So a provision is refused unless the policy in force announces provision
of that dataset, its method of provision, and every item the creation holds; when it
goes ahead, the record and its audit entry are written together and the notice comes
back in Japanese and English for the recipient.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.tables_anonymized import anonymized_provisions
from hogo.policy.render.vocab import format_date, join_words
from hogo.policy.schema import LANGS, AnonymizedDataset, Policy
from hogo.services.anonymized.register import (
    Creation,
    Provision,
    check_actor,
    get_creation,
)
from hogo.services.errors import BadInput, Refused
from hogo.services.ledger import Ledger
from hogo.services.outbox import Rendered, render

MAX_RECIPIENT_CHARS = 500
MAX_METHOD_CHARS = 2_000
NOTICE_KIND = "anonymized_notice"


@dataclass(frozen=True)
class Provided:
    provision: Provision
    notices: dict[str, Rendered]
    """The notice to the recipient by language (ja, en)."""

    def to_dict(self) -> dict[str, object]:
        return {
            **self.provision.to_dict(),
            "notices": {
                lang: {"subject": n.subject, "body": n.body} for lang, n in self.notices.items()
            },
        }


def _text(what: str, value: object, limit: int, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"the {what} must not be empty")
    if len(value) > limit:
        raise BadInput(f"the {what} is {len(value):,} characters long; at most {limit:,}")
    if "\x00" in value:
        raise BadInput(f"the {what} contains a NUL character")
    return value.strip()


def announced_dataset(policy: Policy, creation: Creation) -> AnonymizedDataset:
    """The policy's dataset entry that announces this provision, or Refused saying why."""
    dataset = next((d for d in policy.anonymized if d.id == creation.dataset), None)
    if dataset is None:
        raise Refused(
            f"the policy in force no longer declares the anonymised dataset "
            f"{creation.dataset!r}; declare it with its recipients and method of provision "
            "before providing it (APPI Art. 43(4))",
            code="provision_not_announced",
        )
    if not dataset.provided_to:
        raise Refused(
            f"the policy in force does not announce that anonymised dataset {dataset.id!r} is "
            f"provided to third parties: add anonymized[].provided_to and publish the policy "
            "first (APPI Art. 43(4), Rules Art. 37(1))",
            code="provision_not_announced",
        )
    if dataset.provision_method is None:
        raise Refused(
            f"the policy in force does not publish how anonymised dataset {dataset.id!r} is "
            "provided: add anonymized[].provision_method and publish the policy first "
            "(APPI Art. 43(4), Rules Art. 37(1))",
            code="provision_method_not_announced",
        )
    unannounced = [item for item in creation.items if item not in dataset.items]
    if unannounced:
        raise Refused(
            f"creation #{creation.id} holds item(s) {', '.join(unannounced)} that the policy in "
            f"force does not publish for dataset {dataset.id!r}; the items provided are "
            "published beforehand (APPI Art. 43(4))",
            code="items_not_announced",
        )
    return dataset


def _notices(
    policy: Policy,
    dataset: AnonymizedDataset,
    creation: Creation,
    provision: Provision,
) -> dict[str, Rendered]:
    out: dict[str, Rendered] = {}
    for lang in LANGS:
        published = dataset.provision_method
        assert published is not None  # announced_dataset refuses a dataset without one
        out[lang] = render(
            NOTICE_KIND,
            lang,
            {
                "company": policy.organization.name[lang],
                "recipient": provision.recipient,
                "number": provision.id,
                "label": creation.label[lang],
                "created_on": format_date(creation.created_on, lang),
                "items": join_words([creation.item_labels[i][lang] for i in creation.items], lang),
                "published_method": published[lang],
                "method": provision.method,
                "provided_on": format_date(provision.provided_on, lang),
            },
        )
    return out


def _insert(
    ledger: Ledger, conn: Connection, creation: Creation, recipient: str, method: str | None,
    actor: str, version_id: int,
) -> Provision:  # fmt: skip
    now = ledger.now()
    today = ledger.today()
    provision_id = int(
        conn.execute(
            anonymized_provisions.insert()
            .values(
                creation_id=creation.id,
                provided_at=now,
                provided_on=today,
                actor=actor,
                recipient=recipient,
                method=method,
                items=list(creation.items),
                policy_version_id=version_id,
            )
            .returning(anonymized_provisions.c.id)
        ).scalar_one()
    )
    append(
        conn,
        AuditEntry(
            at=now,
            actor=actor,
            action="anonymized_provide",
            outcome="done",
            items=creation.items,
            detail={
                "provision_id": provision_id,
                "creation_id": creation.id,
                "dataset": creation.dataset,
                "recipient": recipient,
                "policy_version_id": version_id,
            },
        ),
    )
    return Provision(
        id=provision_id,
        creation_id=creation.id,
        provided_at=now,
        provided_on=today,
        actor=actor,
        recipient=recipient,
        method=method,
        items=creation.items,
    )


def provide(
    ledger: Ledger,
    creation_id: int,
    *,
    recipient: str,
    method: str | None = None,
    actor: str,
) -> Provided:
    """Record the provision of a creation to `recipient` and write the notice to it.

    The notice is rendered inside the transaction: a template that fails leaves no record
    of a provision whose notice could not be written.
    """
    check_actor(actor)
    recipient_text = _text("recipient", recipient, MAX_RECIPIENT_CHARS, required=True)
    assert recipient_text is not None
    method_text = _text("method of provision", method, MAX_METHOD_CHARS, required=False)
    with ledger.engine.begin() as conn:
        version = ledger.policy_in_force(conn)
        creation = get_creation(conn, creation_id)
        dataset = announced_dataset(version.policy, creation)
        provision = _insert(
            ledger, conn, creation, recipient_text, method_text, actor, version.version_id
        )
        notices = _notices(version.policy, dataset, creation, provision)
    return Provided(provision, notices)
