"""Who else handles the data: third parties, vendors, joint users, tracking modules (Arts. 25–31)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from hogo.policy.schema.common import (
    MAX_LIST,
    CountryCode,
    Flag,
    Id,
    Model,
    PeriodField,
    ShortStr,
    Text,
    Url,
)


class StatutoryException(StrEnum):
    """Cases where provision needs no consent (Art. 27(1)); `research` covers items (v)–(vii)."""

    LAW = "law"
    LIFE = "life"
    PUBLIC_HEALTH = "public_health"
    STATE = "state"
    RESEARCH = "research"


class NotThirdParty(StrEnum):
    """Handing data over that is not provision to a third party (Art. 27(5))."""

    ENTRUSTMENT = "entrustment"
    SUCCESSION = "succession"
    JOINT_USE = "joint_use"


class RecipientBasis(StrEnum):
    CONSENT = "consent"
    OPT_OUT = "opt_out"


class Recipient(Model):
    """A third party that receives personal data (Art. 27), abroad included (Art. 28)."""

    id: Id
    name: Text
    address: Text | None = None
    representative: Text | None = None
    country: CountryCode | None = None
    abroad: Flag | None = None
    items: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    purposes: list[Id] = Field(min_length=1, max_length=100)
    recipient_purpose: Text | None = None
    basis: RecipientBasis = RecipientBasis.CONSENT
    foreign_system: Text | None = None
    recipient_measures: Text | None = None
    government: Flag = False

    @property
    def is_abroad(self) -> bool:
        if self.abroad is not None:
            return self.abroad
        return self.country is not None and self.country != "JP"


class PpcFiling(Model):
    """The filing of an opt-out provision with the Personal Information Protection Commission."""

    date: date
    reference: ShortStr | None = None


class OptOutProvision(Model):
    """Provision without consent unless the person objects (Art. 27(2)): every item it requires."""

    purpose: Id | None = None
    items: list[Id] = Field(default_factory=list, max_length=MAX_LIST)
    acquisition_method: Text | None = None
    provision_method: Text | None = None
    stop_on_request: Flag = False
    request_method: Text | None = None
    update_method: Text | None = None
    start_date: date | None = None
    ppc_filing: PpcFiling | None = None


class ThirdParty(Model):
    """Provision to third parties; `other_grounds` records promises the law does not allow.

    Real policies name grounds outside Art. 27(1) ("for legitimate reasons", "when necessary
    for other services"); they are kept as stated so the published text stays faithful, and
    `hogo check` reports each one.
    """

    exceptions: list[StatutoryException] = Field(default_factory=list, max_length=10)
    not_third_party: list[NotThirdParty] = Field(default_factory=list, max_length=10)
    recipients: list[Recipient] = Field(default_factory=list, max_length=MAX_LIST)
    opt_out: OptOutProvision | None = None
    other_grounds: list[Text] = Field(default_factory=list, max_length=50)
    statement: Text | None = None


class SubEntrustment(StrEnum):
    PROHIBITED = "prohibited"
    PRIOR_APPROVAL = "prior_approval"
    PRIOR_REPORT = "prior_report"
    ALLOWED = "allowed"


class Vendor(Model):
    """An entrustee (委託先) handling data on the company's behalf, supervised (Art. 25)."""

    id: Id
    name: Text
    tasks: list[Text] = Field(min_length=1, max_length=100)
    items: list[Id] = Field(default_factory=list, max_length=MAX_LIST)
    country: CountryCode | None = None
    contract_date: date | None = None
    confidentiality_clause: date | None = None
    audit_clause: Flag = False
    audit_interval: PeriodField | None = None
    last_audit: date | None = None
    sub_entrustment: SubEntrustment | None = None


class Entrustment(Model):
    selection: Text | None = None
    supervision: Text | None = None
    vendors: list[Vendor] = Field(default_factory=list, max_length=MAX_LIST)


class JointUser(Model):
    name: Text
    address: Text | None = None
    url: Url | None = None


class ResponsibleParty(Model):
    """The party responsible for jointly used data (Art. 27(5)(iii)): name, address, representative."""

    name: Text | None = None
    address: Text | None = None
    representative: Text | None = None


class JointUse(Model):
    """Data used jointly with named businesses (Art. 27(5)(iii)): not provision to a third party."""

    id: Id
    label: Text | None = None
    users: list[JointUser] = Field(default_factory=list, max_length=MAX_LIST)
    scope: Text | None = None
    items: list[Id] = Field(default_factory=list, max_length=MAX_LIST)
    purposes: list[Id] = Field(default_factory=list, max_length=100)
    responsible: ResponsibleParty | None = None
    since: date | None = None
    published_at: Url | None = None


class ModuleKind(StrEnum):
    ANALYTICS = "analytics"
    ADVERTISING = "advertising"
    SOCIAL = "social"
    OTHER = "other"


class Module(Model):
    """An information collection module (analytics, advertising) run by another provider."""

    id: Id
    name: ShortStr
    provider: ShortStr
    kind: ModuleKind = ModuleKind.ANALYTICS
    purpose: Text
    items: list[Id] = Field(default_factory=list, max_length=MAX_LIST)
    country: CountryCode | None = None
    policy_url: Url | None = None
    opt_out_url: Url | None = None
    behavioural_advertising: Flag = False
    consent_required: Flag = False
