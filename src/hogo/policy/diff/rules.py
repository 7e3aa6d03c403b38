"""How demanding each difference is under the APPI, and the article that says so.

Rules are written against the shape of a path (`purposes[*].items`: ids as [*], indexes
as [#]); a pattern ending in `.**` also covers everything below it. The most specific
pattern wins. A difference no rule covers is editorial, and its message says no rule
classified it, so a field added to the schema later shows up and can get a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from hogo.policy.diff.model import ChangeClass
from hogo.policy.diff.walk import Difference, Key, Path, shape
from hogo.policy.schema import Module, Policy, Recipient

EDITORIAL, NOTIFY, CONSENT = ChangeClass.EDITORIAL, ChangeClass.NOTIFY, ChangeClass.CONSENT

NO_ARTICLE = ""
ART_BEYOND_PURPOSE = "APPI Art. 18(1)"
ART_PURPOSE_CHANGE = "APPI Art. 17(2), 21(3)"
ART_PROVISION_PURPOSE = "APPI Art. 18(1), 27(1)"
ART_SPECIAL_CARE = "APPI Art. 20(2)"
ART_SPECIAL_CARE_LIFTED = "APPI Art. 2(3), 20(2)"
ART_ACQUISITION = "APPI Art. 21"
ART_SOURCE = "APPI Art. 21(1)/(2)"
ART_RETENTION = "APPI Art. 22"
ART_SECURITY = "APPI Art. 23"
ART_ENTRUSTMENT = "APPI Art. 25, 27(5)(i)"
ART_PROVISION = "APPI Art. 27(1)"
ART_OPT_OUT = "APPI Art. 27(2)/(3) (notify subjects and file with the PPC in advance)"
ART_OPT_OUT_FILING = "APPI Art. 27(2)"
ART_NOT_THIRD_PARTY = "APPI Art. 27(5)"
ART_JOINT_USE = "APPI Art. 27(5)(iii), 27(6)"
ART_JOINT_USE_PURPOSES = "APPI Art. 27(5)(iii), 27(6) (in advance)"
ART_JOINT_USE_RESPONSIBLE = "APPI Art. 27(5)(iii), 27(6) (without delay)"
ART_FOREIGN = "APPI Art. 28(1)"
ART_FOREIGN_INFO = "APPI Art. 28(2)/(3)"
ART_MODULE = "Telecommunications Business Act Art. 27-12"
ART_INDIVIDUAL_RELATED = "APPI Art. 31(1)"
ART_IDENTITY = "APPI Art. 32(1)(i)"
ART_PUBLIC_NOTICE = "APPI Art. 32(1)"
ART_PUBLIC_NOTICE_OTHER = "APPI Art. 32(1)(iv)"
ART_REQUESTS = "APPI Art. 32(1)(iii)"
ART_FEES = "APPI Art. 32(1)(iii), 38"
ART_ANONYMIZED = "APPI Art. 43(3)"
ART_ANONYMIZED_PROVISION = "APPI Art. 43(4)"

PUBLISH = "Publishing the revised policy is enough."


def _then_publish(reason: str) -> str:
    return f"{reason}; publishing the revised policy is enough."


UNCLASSIFIED = (
    "No hogo rule classifies this field, so it is reported as editorial: "
    "check whether people must be told."
)


class Verdict(NamedTuple):
    change_class: ChangeClass
    article: str
    why: str = ""


@dataclass(frozen=True)
class Context:
    """Both policies as models, for facts the dumps do not spell out (`is_abroad`)."""

    old: Policy
    new: Policy


Handler = Callable[[Difference, Context], Verdict]


def _each(prefix: str, fields: str, handler: Handler) -> dict[str, Handler]:
    """The same rule for several fields of one entry (and whatever lies below each)."""
    return {f"{prefix}.{field}.**": handler for field in fields.split()}


def fixed(change_class: ChangeClass, article: str, why: str = "") -> Handler:
    def handler(diff: Difference, ctx: Context) -> Verdict:
        return Verdict(change_class, article, why)

    return handler


def growing(more: Verdict, less: Verdict) -> Handler:
    """A list whose growth reaches further than before (`more`) and whose shrinking does not."""

    def handler(diff: Difference, ctx: Context) -> Verdict:
        return less if diff.kind == "removed" else more

    return handler


def _key(path: Path) -> str:
    return next((s.id for s in path if isinstance(s, Key)), "")


def _field(value: object, name: str) -> object:
    return value.get(name) if isinstance(value, dict) else None


def _recipient(policy: Policy, path: Path) -> Recipient | None:
    wanted = _key(path)
    return next((r for r in policy.third_party.recipients if r.id == wanted), None)


def _module(policy: Policy, path: Path) -> Module | None:
    wanted = _key(path)
    return next((m for m in policy.modules if m.id == wanted), None)


# --- purposes (Arts. 17, 18, 21) -------------------------------------------------------


def _purpose_entry(diff: Difference, ctx: Context) -> Verdict:
    if diff.kind != "added":
        # Art. 21(3): a changed set of purposes is notified or published.
        return Verdict(NOTIFY, ART_PURPOSE_CHANGE, "Tell people the purpose no longer applies.")
    related = _field(diff.new, "related_to")
    known = [p for p in (related if isinstance(related, list) else []) if ctx.old.purpose(str(p))]
    if known:
        # Art. 17(2): a change within what is reasonably related to an old purpose.
        names = ", ".join(str(p) for p in known)
        return Verdict(
            NOTIFY,
            ART_PURPOSE_CHANGE,
            f"It is reasonably related to {names} of the old policy, so notifying or "
            "publishing it before it applies is enough.",
        )
    # Art. 18(1): use beyond the announced purposes needs prior consent.
    return Verdict(
        CONSENT,
        ART_BEYOND_PURPOSE,
        "It is related to no purpose of the old policy: using personal data for it needs "
        "each person's prior consent.",
    )


BASIS_STRENGTH = {"announced": 0, "opt_out": 1, "consent": 2}
"""How much say the person has under each basis of a purpose, least first."""


def _purpose_basis(diff: Difference, ctx: Context) -> Verdict:
    before = BASIS_STRENGTH.get(str(diff.old))
    after = BASIS_STRENGTH.get(str(diff.new))
    if before is not None and after is not None and after < before:
        # Art. 18(1): people were promised more say than the new basis gives them.
        return Verdict(
            CONSENT,
            ART_BEYOND_PURPOSE,
            "The new basis gives people less say than the one they were promised: "
            "their prior consent is needed.",
        )
    return Verdict(NOTIFY, ART_PURPOSE_CHANGE, "Tell people before it applies.")


def _purpose_provision(diff: Difference, ctx: Context) -> Verdict:
    if diff.new is True:
        # Arts. 18(1), 27(1): provision to third parties was not among the announced uses.
        return Verdict(
            CONSENT,
            ART_PROVISION_PURPOSE,
            "Providing the data to third parties was not announced: it needs prior consent.",
        )
    return Verdict(NOTIFY, ART_PURPOSE_CHANGE, "Tell people before it applies.")


# --- items (Arts. 20(2), 21) -----------------------------------------------------------


def _item_entry(diff: Difference, ctx: Context) -> Verdict:
    if diff.kind == "removed":
        return Verdict(EDITORIAL, NO_ARTICLE, _then_publish("Less is acquired"))
    if _field(diff.new, "special_care") is True:
        # Art. 20(2): acquiring special care-required information needs prior consent.
        return Verdict(
            CONSENT,
            ART_SPECIAL_CARE,
            "It is special care-required: acquiring it needs each person's prior consent.",
        )
    # Art. 21: people are told what is acquired and for what.
    return Verdict(NOTIFY, ART_ACQUISITION, "Tell people what is newly acquired.")


def _item_special_care(diff: Difference, ctx: Context) -> Verdict:
    if diff.new is True:
        # Art. 20(2).
        return Verdict(
            CONSENT,
            ART_SPECIAL_CARE,
            "It is now special care-required: acquiring it needs each person's prior consent.",
        )
    return Verdict(NOTIFY, ART_SPECIAL_CARE_LIFTED, "Tell people it is no longer treated so.")


# --- third parties (Arts. 27, 28) ------------------------------------------------------


def _recipient_entry(diff: Difference, ctx: Context) -> Verdict:
    if diff.kind == "removed":
        return Verdict(NOTIFY, ART_PROVISION, "Tell people their data is no longer provided.")
    recipient = _recipient(ctx.new, diff.path)
    if recipient is not None and recipient.is_abroad:
        # Arts. 27(1), 28(1): consent to provision to a recipient in a foreign country.
        return Verdict(
            CONSENT,
            f"{ART_PROVISION}, 28(1)",
            "Provision to a third party abroad needs each person's prior consent, given "
            "knowing the country and its system (Art. 28(2)).",
        )
    # Art. 27(1).
    return Verdict(
        CONSENT, ART_PROVISION, "Provision to a new third party needs each person's prior consent."
    )


def _recipient_country(diff: Difference, ctx: Context) -> Verdict:
    before, after = _recipient(ctx.old, diff.path), _recipient(ctx.new, diff.path)
    newly_abroad = after is not None and (
        before is None
        or not before.is_abroad
        or (diff.path[-1] == "country" and after.country not in (None, "JP"))
    )
    if after is not None and after.is_abroad and newly_abroad:
        # Art. 28(1): consent to provision to a third party in a foreign country, given
        # knowing which country (Art. 28(2)); a new country needs it again.
        return Verdict(
            CONSENT,
            ART_FOREIGN,
            "The recipient is now in a foreign country: provision needs prior consent "
            "given knowing the country and its system.",
        )
    return Verdict(NOTIFY, ART_PROVISION, "Tell people where the recipient now is.")


def _recipient_basis(diff: Difference, ctx: Context) -> Verdict:
    if diff.new == "opt_out":
        # Art. 27(2): opt-out provision is notified and filed with the PPC in advance.
        return Verdict(NOTIFY, ART_OPT_OUT, "Provision by opt-out is notified and filed first.")
    return Verdict(NOTIFY, ART_PROVISION, "Tell people before it applies.")


# --- joint use (Art. 27(5)(iii), 27(6)) ------------------------------------------------

_JOINT_USE_CONSENT = (
    "Items and joint users are not changed without consent: sharing data already held "
    "this way needs each person's consent."
)


def _joint_use_entry(diff: Difference, ctx: Context) -> Verdict:
    if diff.kind == "removed":
        return Verdict(NOTIFY, ART_JOINT_USE, "Tell people the joint use ends.")
    return Verdict(
        CONSENT,
        ART_JOINT_USE,
        "Its items and joint users were never notified: using data already held this way "
        "needs each person's consent.",
    )


# --- modules (Telecommunications Business Act Art. 27-12; APPI Art. 31) ---------------


def _links_to_person(module: object) -> bool:
    return any(_field(module, f) is True for f in ("behavioural_advertising", "consent_required"))


_LINKED = (
    "The provider may link what it receives to a person (individual-related information): "
    "consent is needed."
)


def _module_entry(diff: Difference, ctx: Context) -> Verdict:
    if diff.kind == "removed":
        return Verdict(EDITORIAL, NO_ARTICLE, _then_publish("Nothing more is sent"))
    if _links_to_person(diff.new):
        # APPI Art. 31(1).
        return Verdict(CONSENT, ART_INDIVIDUAL_RELATED, _LINKED)
    # Telecommunications Business Act Art. 27-12: external transmission notice.
    return Verdict(NOTIFY, ART_MODULE, "Publish what it sends, to whom and why, before it runs.")


def _module_flag(diff: Difference, ctx: Context) -> Verdict:
    if diff.new is True:
        return Verdict(CONSENT, ART_INDIVIDUAL_RELATED, _LINKED)
    return Verdict(NOTIFY, ART_MODULE, "Update the external transmission notice.")


def _module_items(diff: Difference, ctx: Context) -> Verdict:
    if diff.kind == "removed":
        return Verdict(EDITORIAL, NO_ARTICLE, PUBLISH)
    module = _module(ctx.new, diff.path)
    if module is not None and (module.behavioural_advertising or module.consent_required):
        return Verdict(CONSENT, ART_INDIVIDUAL_RELATED, _LINKED)
    return Verdict(NOTIFY, ART_MODULE, "Update the external transmission notice before it runs.")


# --- the table -------------------------------------------------------------------------

_TELL = "Tell people before it applies."
_TELL_NOW = "Tell people without delay."
_WORDING = fixed(EDITORIAL, NO_ARTICLE, PUBLISH)

RULES: dict[str, Handler] = {
    # Policy metadata, statements, and the sections on changes and leaks: wording only.
    "hogo": _WORDING,
    "policy.**": _WORDING,
    "compliance.**": _WORDING,
    "publication.**": _WORDING,
    "statements.**": _WORDING,
    "changes.**": _WORDING,
    "leakage.**": _WORDING,
    # Art. 32(1)(i), (iv): who is responsible and where to complain are in the public notice.
    **_each("organization", "group_name url group_companies", _WORDING),
    "organization.name": fixed(NOTIFY, ART_IDENTITY, _TELL_NOW),
    "organization.address": fixed(NOTIFY, ART_IDENTITY, _TELL_NOW),
    "organization.representative": fixed(NOTIFY, ART_IDENTITY, _TELL_NOW),
    "organization.contact.**": fixed(NOTIFY, ART_PUBLIC_NOTICE, _TELL_NOW),
    "organization.complaint_contact.**": fixed(NOTIFY, ART_PUBLIC_NOTICE_OTHER, _TELL_NOW),
    "organization.accredited_organization.**": fixed(NOTIFY, ART_PUBLIC_NOTICE_OTHER, _TELL_NOW),
    # Items: Art. 20(2) for special care-required information, Art. 21 for the rest.
    "items[*]": _item_entry,
    "items[*].special_care": _item_special_care,
    **_each("items[*]", "label kind format max_length lookup financial_risk description", _WORDING),
    # Sources: Art. 21(1)/(2), what is acquired and how is told at acquisition.
    "sources[*]": growing(
        Verdict(NOTIFY, ART_SOURCE, "Tell people how data is newly acquired."),
        Verdict(EDITORIAL, NO_ARTICLE, PUBLISH),
    ),
    "sources[*].items": growing(
        Verdict(NOTIFY, ART_SOURCE, "Tell people what is newly acquired."),
        Verdict(EDITORIAL, NO_ARTICLE, PUBLISH),
    ),
    **_each("sources[*]", "label purpose_notice description", _WORDING),
    "sources[*].kind": fixed(NOTIFY, ART_SOURCE, _TELL),
    "sources[*].subject_kind": fixed(NOTIFY, ART_SOURCE, _TELL),
    "sources[*].direct": fixed(NOTIFY, ART_SOURCE, _TELL),
    "sources[*].in_writing": fixed(NOTIFY, ART_SOURCE, _TELL),
    "sources[*].provider": fixed(NOTIFY, ART_SOURCE, _TELL),
    # Purposes: Art. 17(2), 21(3) within a reasonably related scope, Art. 18(1) beyond it.
    "purposes[*]": _purpose_entry,
    "purposes[*].label": fixed(NOTIFY, ART_PURPOSE_CHANGE, _TELL),
    "purposes[*].description": fixed(NOTIFY, ART_PURPOSE_CHANGE, _TELL),
    "purposes[*].details.**": fixed(NOTIFY, ART_PURPOSE_CHANGE, _TELL),
    "purposes[*].basis": _purpose_basis,
    "purposes[*].items": growing(
        Verdict(
            CONSENT,
            ART_BEYOND_PURPOSE,
            "Using more items than announced for the purpose needs prior consent.",
        ),
        Verdict(NOTIFY, ART_PURPOSE_CHANGE, _TELL),
    ),
    "purposes[*].retention": fixed(NOTIFY, ART_RETENTION, _TELL),
    "purposes[*].third_party_provision": _purpose_provision,
    # Art. 23: who may use the data is an internal access control, not a promise to people.
    "purposes[*].actors": fixed(EDITORIAL, ART_SECURITY, "It governs internal access only."),
    "purposes[*].related_to": fixed(EDITORIAL, NO_ARTICLE, "It only records how purposes relate."),
    # Retention: the published period is a promise (Art. 22, erase when no longer needed).
    "retention[*]": fixed(EDITORIAL, NO_ARTICLE, "Purposes that use the rule are reported."),
    **_each("retention[*]", "label note", _WORDING),
    "retention[*].period": fixed(NOTIFY, ART_RETENTION, _TELL),
    "retention[*].from": fixed(NOTIFY, ART_RETENTION, _TELL),
    "retention[*].until": fixed(NOTIFY, ART_RETENTION, _TELL),
    # Provision to third parties: Art. 27(1) consent, Art. 28(1) abroad, 27(2)/(3) opt-out.
    "third_party.recipients[*]": _recipient_entry,
    "third_party.recipients[*].items": growing(
        Verdict(CONSENT, ART_PROVISION, "Providing more needs each person's prior consent."),
        Verdict(NOTIFY, ART_PROVISION, _TELL),
    ),
    "third_party.recipients[*].purposes": growing(
        Verdict(CONSENT, ART_PROVISION, "Providing for more purposes needs prior consent."),
        Verdict(NOTIFY, ART_PROVISION, _TELL),
    ),
    "third_party.recipients[*].country": _recipient_country,
    "third_party.recipients[*].abroad": _recipient_country,
    "third_party.recipients[*].basis": _recipient_basis,
    "third_party.recipients[*].name": fixed(NOTIFY, ART_PROVISION, _TELL),
    "third_party.recipients[*].address": fixed(NOTIFY, ART_PROVISION, _TELL),
    "third_party.recipients[*].representative": fixed(NOTIFY, ART_PROVISION, _TELL),
    "third_party.recipients[*].recipient_purpose": fixed(NOTIFY, ART_PROVISION, _TELL),
    "third_party.recipients[*].foreign_system": fixed(NOTIFY, ART_FOREIGN_INFO, _TELL),
    "third_party.recipients[*].recipient_measures": fixed(NOTIFY, ART_FOREIGN_INFO, _TELL),
    "third_party.recipients[*].government": _WORDING,
    "third_party.exceptions": fixed(NOTIFY, ART_PROVISION, _TELL),
    "third_party.other_grounds.**": fixed(NOTIFY, ART_PROVISION, _TELL),
    "third_party.not_third_party": fixed(EDITORIAL, ART_NOT_THIRD_PARTY, PUBLISH),
    "third_party.statement": _WORDING,
    "third_party.opt_out.**": fixed(
        NOTIFY, ART_OPT_OUT, "Notify people and file the change with the PPC before it applies."
    ),
    "third_party.opt_out.ppc_filing.**": fixed(
        EDITORIAL, ART_OPT_OUT_FILING, "This records the filing itself."
    ),
    # Entrustment is not provision (Art. 27(5)(i)); vendors are supervised (Art. 25).
    "entrustment.**": fixed(EDITORIAL, ART_ENTRUSTMENT, PUBLISH),
    # Joint use: Art. 27(5)(iii) notice in advance, Art. 27(6) for changes.
    "joint_use[*]": _joint_use_entry,
    "joint_use[*].items": growing(
        Verdict(CONSENT, ART_JOINT_USE, _JOINT_USE_CONSENT),
        Verdict(NOTIFY, ART_JOINT_USE, _TELL),
    ),
    "joint_use[*].users[#]": growing(
        Verdict(CONSENT, ART_JOINT_USE, _JOINT_USE_CONSENT),
        Verdict(NOTIFY, ART_JOINT_USE, _TELL),
    ),
    "joint_use[*].users[#].name": fixed(
        CONSENT,
        ART_JOINT_USE,
        "Another name may be another business, which changes the scope of joint users and "
        "needs consent; a rename of the same business only needs notice.",
    ),
    **_each("joint_use[*].users[#]", "address url", _WORDING),
    **_each("joint_use[*]", "label since published_at", _WORDING),
    "joint_use[*].scope": fixed(CONSENT, ART_JOINT_USE, _JOINT_USE_CONSENT),
    "joint_use[*].purposes": fixed(NOTIFY, ART_JOINT_USE_PURPOSES, _TELL),
    "joint_use[*].responsible.**": fixed(
        NOTIFY,
        ART_JOINT_USE_RESPONSIBLE,
        "Tell people without delay (in advance if the responsible party itself changes).",
    ),
    # Information collection modules: Telecommunications Business Act Art. 27-12; APPI Art. 31.
    "modules[*]": _module_entry,
    "modules[*].behavioural_advertising": _module_flag,
    "modules[*].consent_required": _module_flag,
    "modules[*].items": _module_items,
    **_each("modules[*]", "name kind country policy_url opt_out_url", _WORDING),
    "modules[*].provider": fixed(NOTIFY, ART_MODULE, "Update the external transmission notice."),
    "modules[*].purpose": fixed(NOTIFY, ART_MODULE, "Update the external transmission notice."),
    # Security measures (Art. 23) are published, not notified.
    "security.**": fixed(EDITORIAL, ART_SECURITY, PUBLISH),
    # Requests: procedures and fees are in the public notice (Art. 32(1)(iii), Art. 38).
    "requests.**": fixed(NOTIFY, ART_REQUESTS, _TELL),
    "requests.fees.**": fixed(NOTIFY, ART_FEES, _TELL),
    "requests.note": _WORDING,
    "requests.refusal": _WORDING,
    # Statistics identify no one; anonymised datasets publish their items (Art. 43(3), (4)).
    "statistics.**": fixed(EDITORIAL, NO_ARTICLE, _then_publish("Statistics identify no one")),
    "anonymized[*]": growing(
        Verdict(NOTIFY, ART_ANONYMIZED, "Publish its items when it is created."),
        Verdict(EDITORIAL, NO_ARTICLE, PUBLISH),
    ),
    **_each("anonymized[*]", "label created", _WORDING),
    "anonymized[*].items": fixed(NOTIFY, ART_ANONYMIZED, "Publish the items."),
    "anonymized[*].provided_to.**": fixed(
        NOTIFY, ART_ANONYMIZED_PROVISION, "Publish the items and the method before providing."
    ),
    "anonymized[*].provision_method": fixed(
        NOTIFY, ART_ANONYMIZED_PROVISION, "Publish the items and the method before providing."
    ),
}

_REORDERED = Verdict(EDITORIAL, NO_ARTICLE, "Only the order of the text changes.")
_UNCLASSIFIED = Verdict(EDITORIAL, NO_ARTICLE, UNCLASSIFIED)


def _specificity(pattern: str, path_shape: str) -> tuple[int, int] | None:
    """How closely `pattern` fits `path_shape`, or None when it does not apply."""
    if pattern.endswith(".**"):
        base = pattern[:-3]
        if path_shape == base or path_shape.startswith((base + ".", base + "[")):
            return (len(base), 0)
        return None
    return (len(pattern), 1) if pattern == path_shape else None


def rule_for(path: Path) -> Handler | None:
    """The most specific rule for `path`: the longest pattern, an exact one before `.**`."""
    path_shape = shape(path)
    best: tuple[tuple[int, int], Handler] | None = None
    for pattern, handler in RULES.items():
        fit = _specificity(pattern, path_shape)
        if fit is not None and (best is None or fit > best[0]):
            best = (fit, handler)
    return None if best is None else best[1]


def classify(diff: Difference, ctx: Context) -> Verdict:
    if diff.reordered:
        return _REORDERED
    handler = rule_for(diff.path)
    return _UNCLASSIFIED if handler is None else handler(diff, ctx)
