"""Provision to third parties (Arts. 27–29) and receipt from them (Art. 30), with their records.

`provide` hands personal data of one or more subjects to a recipient the policy declares,
on one basis, and writes the provider's record (Art. 29) with exactly the matters that
basis requires (PPC Rules Art. 20):

| basis | provided_on | recipient name | address, representative | consent_confirmed |
|---|---|---|---|---|
| opt_out | the date | yes | yes (representative when declared) | false |
| consent | — (no date needed) | yes | — | true |

Provision under a statutory exception (Art. 27(1)) and provision to a government body
(`government: true`) need no record (Art. 29(1) proviso); they are audited all the same.
Entrustment, joint use and business succession are not provision to a third party (Art.
27(5)): handing data to a vendor, a joint-use group or a successor (`recipient` a vendor
id, a joint-use group id, or "succession") is audited as a "handover" and writes no
record; the items must be within what the vendor or group declares. The basis is not
checked for a handover (none is needed), nor a suspension of provision, which concerns
third parties (Art. 35(3)).

`receive` writes the recipient's record (Art. 30; Rules Arts. 22–24): the provider's name,
address and representative, how the provider acquired the data, the items, the subject,
and the fact of consent or, for data received by opt-out, the date and the PPC's
publication of the provider's filing.

Both records are kept 3 years (Rules Arts. 21(iii), 25(iii)). The 1-year case, where a
contract or similar document made for the provision serves as the record (Rules Arts. 19
and 21(i)), and the bulk-record case counted from the last provision (Rules Art. 21(ii))
are not modelled: hogo makes one record per provision, so 3 years from that provision is
never shorter than the law requires.

Not modelled either: that a consent to provision abroad was given with the information
Art. 28(2) requires (a recorded consent to one of the recipient's purposes is taken as
given on the terms the policy publishes), the equivalent-system and adequacy cases of
Art. 28(1) (declare such a recipient `abroad: false`), and data acquired wrongfully, which
Art. 27(2) also excludes from opt-out. "Received by opt-out" is known only from receipt
records that name the subject (`receive(subject_id=...)`).

Everything is checked before anything is written; a refused or invalid call writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.engine import Connection

from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append_many
from hogo.policy.schema import Policy
from hogo.policy.schema.sharing import Recipient, RecipientBasis, StatutoryException
from hogo.services.errors import BadInput, Refused
from hogo.services.ledger import Ledger, japan_date
from hogo.services.provision_common import (
    MAX_NOTE_CHARS,
    actor_name,
    declared_items,
    free_text,
    live_subjects,
    record_text,
)
from hogo.services.provision_records import (
    RECORD_RETENTION,
    ProvisionRecord,
    ReceiptRecord,
    list_provisions,
    list_receipts,
    provisions_csv,
    receipts_csv,
    records_json,
)
from hogo.services.receipts import receive
from hogo.services.restrictions import active_provision_suspension

"""Rules Arts. 21(iii) and 25(iii): records are kept 3 years (the 1-year contract case is
not modelled)."""
MAX_SUBJECTS = 10_000
SUCCESSION = "succession"


class Handover(StrEnum):
    """Handing data over that is not provision to a third party (Art. 27(5))."""

    ENTRUSTMENT = "entrustment"
    JOINT_USE = "joint_use"
    SUCCESSION = "succession"


@dataclass(frozen=True)
class ProvisionBasis:
    """A parsed --basis: consent, opt_out, or a statutory exception."""

    kind: str  # consent | opt_out | exception
    exception: StatutoryException | None = None

    def __str__(self) -> str:
        return f"exception:{self.exception.value}" if self.exception else self.kind


def parse_basis(text: str) -> ProvisionBasis:
    """ "consent", "opt_out"/"opt-out", "exception:law|life|public_health|state|research"."""
    cleaned = text.strip().lower().replace("-", "_") if isinstance(text, str) else ""
    if cleaned in ("consent", "opt_out"):
        return ProvisionBasis(cleaned)
    head, sep, tail = cleaned.partition(":")
    if head == "exception" and sep:
        try:
            return ProvisionBasis("exception", StatutoryException(tail.strip()))
        except ValueError:
            pass
    known = ", ".join(e.value.replace("_", "-") for e in StatutoryException)
    raise BadInput(f"unknown basis {text!r}; use consent, opt-out or exception:<{known}>")


@dataclass(frozen=True)
class ProvisionResult:
    recipient: str
    basis: str
    kind: str
    """"provision" for a third party; entrustment, joint_use or succession for a handover."""
    subject_ids: tuple[str, ...]
    items: tuple[str, ...]
    recorded: bool
    """Whether an Art. 29 record was written (no: exception, government body, handover)."""
    record_ids: tuple[int, ...]
    provided_on: date
    retain_until: date | None

    def to_dict(self) -> dict[str, object]:
        return {
            "recipient": self.recipient,
            "basis": self.basis,
            "kind": self.kind,
            "subject_ids": list(self.subject_ids),
            "items": list(self.items),
            "recorded": self.recorded,
            "record_ids": list(self.record_ids),
            "provided_on": self.provided_on.isoformat(),
            "retain_until": self.retain_until.isoformat() if self.retain_until else None,
        }


def _latest_consents(
    conn: Connection, subject_ids: Sequence[str], purposes: Iterable[str]
) -> dict[str, dict[str, bool]]:
    latest: dict[str, dict[str, bool]] = defaultdict(dict)
    wanted = list(set(purposes))
    if not wanted:
        return latest
    for row in conn.execute(
        select(t.consents.c.subject_id, t.consents.c.purpose, t.consents.c.granted)
        .where(t.consents.c.subject_id.in_(subject_ids), t.consents.c.purpose.in_(wanted))
        .order_by(t.consents.c.id)
    ):
        latest[row.subject_id][row.purpose] = bool(row.granted)
    return latest


def _suspended(conn: Connection, subject_ids: Sequence[str], purposes: Sequence[str]) -> str | None:
    """The first subject whose provision is suspended (Art. 35(3)-(5) requests, legal holds)
    for every purpose or for one of the recipient's purposes; None when none is."""
    for subject_id in subject_ids:
        if any(active_provision_suspension(conn, subject_id, p) for p in purposes):
            return subject_id
    return None


def _subject_ids(subject_ids: Sequence[str]) -> list[str]:
    if isinstance(subject_ids, str):
        subject_ids = [subject_ids]
    unique = list(dict.fromkeys(subject_ids))
    if not unique:
        raise BadInput("no subjects given")
    if len(unique) > MAX_SUBJECTS:
        raise BadInput(f"at most {MAX_SUBJECTS:,} subjects in one provision")
    for subject_id in unique:
        if not isinstance(subject_id, str) or not subject_id.strip() or len(subject_id) > 32:
            raise BadInput(f"{subject_id!r} is not a subject id")
    return unique


def _not_declared(recipient: str, items: Iterable[str], declared: Iterable[str]) -> None:
    extra = [i for i in items if i not in set(declared)]
    if extra:
        raise Refused(
            f"{recipient!r} is not declared to receive {', '.join(extra)}; it receives: "
            f"{', '.join(declared) or 'nothing'}",
            code="item_not_declared_for_recipient",
        )


def _handover(policy: Policy, recipient: str, items: tuple[str, ...]) -> Handover | None:
    """The kind of handover `recipient` names, after checking the items; None otherwise."""
    if recipient == SUCCESSION:
        return Handover.SUCCESSION
    vendor = next((v for v in policy.entrustment.vendors if v.id == recipient), None)
    if vendor is not None:
        _not_declared(recipient, items, vendor.items)
        return Handover.ENTRUSTMENT
    group = next((g for g in policy.joint_use if g.id == recipient), None)
    if group is not None:
        _not_declared(recipient, items, group.items)
        return Handover.JOINT_USE
    return None


def _check_static(
    policy: Policy, recipient: Recipient, basis: ProvisionBasis, items: tuple[str, ...]
) -> None:
    """What depends on the policy alone, not on any subject."""
    third_party = policy.third_party
    if basis.kind == "opt_out":
        _opt_out_allowed(policy, recipient, items)
        return
    _not_declared(recipient.id, items, recipient.items)
    if basis.exception is not None:
        if basis.exception not in third_party.exceptions:
            announced = ", ".join(e.value for e in third_party.exceptions) or "none"
            raise Refused(
                f"the policy does not announce the exception {basis.exception.value!r} "
                f"(third_party.exceptions: {announced})",
                code="exception_not_announced",
            )
        return
    if recipient.basis is not RecipientBasis.CONSENT:
        raise Refused(
            f"recipient {recipient.id!r} is declared to receive data by "
            f"{recipient.basis.value.replace('_', '-')}, not by consent",
            code="basis_not_declared_for_recipient",
        )


def _opt_out_allowed(policy: Policy, recipient: Recipient, items: tuple[str, ...]) -> None:
    """Opt-out provision, Art. 27(2)-(4): filed, announced, never special care-required."""
    opt_out = policy.third_party.opt_out
    if opt_out is None or opt_out.ppc_filing is None:
        raise Refused(
            "the policy declares no opt-out provision filed with the PPC "
            "(third_party.opt_out.ppc_filing): opt-out provision is not allowed (Art. 27(2))",
            code="opt_out_not_filed",
        )
    special = [i for i in items if (item := policy.item(i)) is not None and item.special_care]
    if special:
        raise Refused(
            f"{', '.join(special)} is special care-required: never provided by opt-out "
            "(Art. 27(2))",
            code="special_care_by_opt_out",
        )
    if recipient.basis is not RecipientBasis.OPT_OUT:
        raise Refused(
            f"recipient {recipient.id!r} is declared to receive data by consent, not by opt-out",
            code="basis_not_declared_for_recipient",
        )
    _not_declared(recipient.id, items, recipient.items)
    outside = [i for i in items if i not in opt_out.items]
    if outside:
        raise Refused(
            f"the opt-out provision does not cover {', '.join(outside)} "
            f"(third_party.opt_out.items: {', '.join(opt_out.items) or 'none'})",
            code="item_not_in_opt_out",
        )
    if recipient.is_abroad:
        raise Refused(
            f"recipient {recipient.id!r} is abroad ({recipient.country or 'country unknown'}): "
            "provision to a third party in a foreign country needs consent (Art. 28(1))",
            code="opt_out_abroad",
        )
    if recipient.address is None:
        raise Refused(
            f"recipient {recipient.id!r} has no address in the policy: the record of an "
            "opt-out provision must state it (Art. 29(1); Rules Art. 20(1)(i))",
            code="recipient_address_missing",
        )


def _filed_in_advance(policy: Policy, today: date) -> None:
    opt_out = policy.third_party.opt_out
    assert opt_out is not None and opt_out.ppc_filing is not None
    if opt_out.ppc_filing.date > today:
        raise Refused(
            f"the opt-out provision is filed on {opt_out.ppc_filing.date}: it must be filed "
            "with the PPC before provision (Art. 27(2))",
            code="opt_out_not_filed",
        )
    if opt_out.start_date is not None and opt_out.start_date > today:
        raise Refused(
            f"the opt-out provision starts on {opt_out.start_date}, as announced",
            code="opt_out_not_started",
        )


def _received_by_opt_out(
    conn: Connection, subject_ids: Sequence[str], items: tuple[str, ...]
) -> tuple[str, list[str]] | None:
    """A subject and items of it that were themselves received by opt-out (Art. 27(2))."""
    for row in conn.execute(
        select(t.receipt_records.c.subject_id, t.receipt_records.c["items"])
        .where(
            t.receipt_records.c.subject_id.in_(subject_ids),
            t.receipt_records.c.basis == "opt_out",
        )
        .order_by(t.receipt_records.c.id)
    ):
        held = row[1] or []
        overlap = [i for i in items if i in held]
        if overlap:
            return row.subject_id, overlap
    return None


def _check_subjects(
    conn: Connection,
    policy: Policy,
    recipient: Recipient,
    basis: ProvisionBasis,
    subject_ids: list[str],
    items: tuple[str, ...],
) -> None:
    live_subjects(conn, subject_ids)
    suspended = _suspended(conn, subject_ids, recipient.purposes)
    if suspended is not None:
        raise Refused(
            f"provision of subject {suspended}'s data to third parties is suspended",
            code="provision_suspended",
        )
    if basis.kind == "consent":
        latest = _latest_consents(conn, subject_ids, recipient.purposes)
        for subject_id in subject_ids:
            given = latest.get(subject_id, {})
            if not any(given.get(p) is True for p in recipient.purposes):
                state = "withdrawn" if any(v is False for v in given.values()) else "not recorded"
                raise Refused(
                    f"subject {subject_id}'s consent to provision to {recipient.id!r} is {state} "
                    f"(a consent to one of: {', '.join(recipient.purposes)})",
                    code="consent_missing",
                )
    elif basis.kind == "opt_out":
        opt_out = policy.third_party.opt_out
        assert opt_out is not None
        found = _received_by_opt_out(conn, subject_ids, items)
        if found is not None:
            raise Refused(
                f"subject {found[0]}'s {', '.join(found[1])} was itself received by opt-out: "
                "it cannot be provided by opt-out again (Art. 27(2))",
                code="received_by_opt_out",
            )
        if opt_out.purpose is not None:
            latest = _latest_consents(conn, subject_ids, [opt_out.purpose])
            for subject_id in subject_ids:
                if latest.get(subject_id, {}).get(opt_out.purpose) is False:
                    raise Refused(
                        f"subject {subject_id} has opted out of {opt_out.purpose!r}: provision "
                        "stops on request (Art. 27(2))",
                        code="opted_out",
                    )


def _handover_entries(
    kind: Handover,
    to: str,
    subject_ids: Sequence[str],
    items: tuple[str, ...],
    note: str | None,
    actor: str,
    now: datetime,
    version_id: int,
) -> list[AuditEntry]:
    """A handover is not provision to a third party (Art. 27(5)): audited, no record."""
    detail = {"kind": kind.value, "to": to, "note": note, "policy_version_id": version_id}
    return [
        AuditEntry(
            at=now,
            actor=actor,
            action="handover",
            outcome="done",
            subject_id=s,
            items=items,
            reason=kind.value,
            detail=detail,
        )
        for s in subject_ids
    ]


def provide(
    ledger: Ledger,
    subject_ids: Sequence[str],
    *,
    recipient: str,
    items: Sequence[str],
    basis: str,
    note: str | None = None,
    actor: str,
) -> ProvisionResult:
    """Provide items of subjects to a recipient: all subjects, or none with the reason."""
    actor = actor_name(actor)
    parsed = parse_basis(basis)
    unique = _subject_ids(subject_ids)
    note = free_text("note", note, MAX_NOTE_CHARS, required=parsed.kind == "exception")
    if not isinstance(recipient, str) or not recipient.strip():
        raise BadInput("a recipient is required")
    now = ledger.now()
    today = japan_date(now)
    with ledger.engine.begin() as conn:
        version = ledger.policy_in_force(conn)
        policy = version.policy
        wanted = declared_items(policy, items)
        declared = next((r for r in policy.third_party.recipients if r.id == recipient), None)
        handover = None if declared is not None else _handover(policy, recipient, wanted)
        if declared is None and handover is None:
            known = [r.id for r in policy.third_party.recipients]
            others = [v.id for v in policy.entrustment.vendors] + [g.id for g in policy.joint_use]
            raise BadInput(
                f"unknown recipient {recipient!r}; the policy declares recipients: "
                f"{', '.join(known) or 'none'}"
                + (f" (not third parties: {', '.join([*others, SUCCESSION])})")
            )
        if handover is not None:
            live_subjects(conn, unique)
            append_many(
                conn,
                _handover_entries(
                    handover, recipient, unique, wanted, note, actor, now, version.version_id
                ),
            )
            return ProvisionResult(
                recipient,
                "not_third_party",
                handover.value,
                tuple(unique),
                wanted,
                False,
                (),
                today,
                None,
            )
        assert declared is not None
        _check_static(policy, declared, parsed, wanted)
        if parsed.kind == "opt_out":
            _filed_in_advance(policy, today)
        _check_subjects(conn, policy, declared, parsed, unique, wanted)
        recorded = parsed.kind != "exception" and not declared.government
        retain_until = RECORD_RETENTION.after(today) if recorded else None
        record_ids: list[int] = []
        if recorded:
            by_opt_out = parsed.kind == "opt_out"
            row = {
                "recipient": declared.id,
                "recipient_name": record_text(policy, declared.name),
                "recipient_address": record_text(policy, declared.address) if by_opt_out else None,
                "recipient_representative": record_text(policy, declared.representative)
                if by_opt_out
                else None,
                "basis": parsed.kind,
                "items": list(wanted),
                "provided_on": today if by_opt_out else None,
                "consent_confirmed": not by_opt_out,
                "note": note,
                "created_at": now,
                "retain_until": retain_until,
            }
            inserted = conn.execute(
                t.provision_records.insert().returning(
                    t.provision_records.c.id, sort_by_parameter_order=True
                ),
                [{**row, "subject_id": subject_id} for subject_id in unique],
            )
            record_ids = [int(r.id) for r in inserted]
        append_many(
            conn,
            [
                AuditEntry(
                    at=now,
                    actor=actor,
                    action="provide",
                    outcome="done",
                    subject_id=s,
                    items=wanted,
                    reason=str(parsed),
                    detail={
                        "recipient": declared.id,
                        "basis": str(parsed),
                        "abroad": declared.is_abroad,
                        "government": declared.government,
                        "record_id": record_ids[i] if recorded else None,
                        "note": note,
                        "policy_version_id": version.version_id,
                    },
                )
                for i, s in enumerate(unique)
            ],
        )
    return ProvisionResult(
        declared.id,
        str(parsed),
        "provision",
        tuple(unique),
        wanted,
        recorded,
        tuple(record_ids),
        today,
        retain_until,
    )


# --- receive ----------------------------------------------------------------------------


__all__ = [
    "RECORD_RETENTION",
    "Handover",
    "ProvisionBasis",
    "ProvisionRecord",
    "ProvisionResult",
    "ReceiptRecord",
    "list_provisions",
    "list_receipts",
    "parse_basis",
    "provide",
    "provisions_csv",
    "receipts_csv",
    "receive",
    "records_json",
]
