"""How the promise is kept: security measures, requests, statistics, changes and leaks."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from hogo.policy.schema.common import (
    MAX_LIST,
    Count,
    CountryCode,
    Flag,
    Id,
    Model,
    ShortStr,
    Text,
    Url,
)
from hogo.policy.schema.hierarchies import HierarchySpec

Measures = list[Text]


class ForeignCountry(Model):
    country: CountryCode
    system: Text | None = None
    purpose: Text | None = None


class ForeignEnvironment(Model):
    """Where data is stored abroad and what the company knows of that country's rules."""

    countries: list[ForeignCountry] = Field(default_factory=list, max_length=250)
    measures: Measures = Field(default_factory=list, max_length=100)


class Security(Model):
    """Security control measures by area (Art. 23; PPC guideline section 10)."""

    responsible: Text | None = None
    basic_policy: Measures = Field(default_factory=list, max_length=100)
    rules: Measures = Field(default_factory=list, max_length=100)
    organizational: Measures = Field(default_factory=list, max_length=100)
    human: Measures = Field(default_factory=list, max_length=100)
    physical: Measures = Field(default_factory=list, max_length=100)
    technical: Measures = Field(default_factory=list, max_length=100)
    foreign_environment: ForeignEnvironment | None = None


class RequestKind(StrEnum):
    """The requests a person may make (Arts. 32–35)."""

    PURPOSE_NOTICE = "purpose_notice"
    DISCLOSURE = "disclosure"
    PROVISION_RECORDS = "provision_records"
    CORRECTION = "correction"
    ADDITION = "addition"
    DELETION = "deletion"
    SUSPENSION_OF_USE = "suspension_of_use"
    ERASURE = "erasure"
    STOP_PROVISION = "stop_provision"


class RequestChannel(StrEnum):
    PORTAL = "portal"
    EMAIL = "email"
    POST = "post"
    PHONE = "phone"
    COUNTER = "counter"
    FORM = "form"


class Agents(Model):
    allowed: Flag = True
    documents: Measures = Field(default_factory=list, max_length=50)


class Fees(Model):
    """Fees in yen per request kind; Art. 38(1) admits fees for purpose notice and disclosure (provision records included)."""

    amounts: dict[RequestKind, Annotated[Count, Field(ge=0, le=10_000_000)]] = Field(
        default_factory=dict
    )
    payment: Text | None = None


class MarketingOptOut(Model):
    """How a person stops marketing messages, and what to write when asking (seed: Kaji Group)."""

    channels: list[RequestChannel] = Field(min_length=1, max_length=10)
    required_items: list[Id] = Field(default_factory=list, max_length=50)
    note: Text | None = None


class RequestProcedures(Model):
    kinds: list[RequestKind] = Field(default_factory=lambda: list(RequestKind), max_length=20)
    channels: list[RequestChannel] = Field(default_factory=list, max_length=10)
    identity_verification: Measures = Field(default_factory=list, max_length=50)
    agents: Agents | None = None
    fees: Fees | None = None
    response_days: Count = Field(default=14, ge=1, le=365)
    refusal: Text | None = None
    marketing_opt_out: MarketingOptOut | None = None
    note: Text | None = None


class StatisticsRelease(Model):
    """Statistics made from personal data in a form that identifies no one (Art. 2(6) outside)."""

    id: Id
    label: Text
    purpose: Id
    items: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    min_cell: Count = Field(default=10, ge=1, le=10_000)
    provided_to_third_parties: Flag = False


class AnonymizedDataset(Model):
    """Anonymously processed information (Arts. 43–46): its items are published when created.

    `generalizations` says how each quasi-identifier may be made coarser; it is part of
    the processing method, which the rendered policy never shows (Art. 43(2)).
    """

    id: Id
    label: Text
    items: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    created: date | None = None
    provided_to: list[Text] = Field(default_factory=list, max_length=100)
    provision_method: Text | None = None
    generalizations: dict[Id, HierarchySpec] = Field(default_factory=dict, max_length=MAX_LIST)

    @model_validator(mode="after")
    def _generalizes_its_own_items(self) -> AnonymizedDataset:
        stray = [item for item in self.generalizations if item not in self.items]
        if stray:
            raise ValueError(
                f"generalizations names {', '.join(map(repr, stray))}, not among the "
                f"dataset's items ({', '.join(self.items)}); generalise only items it contains"
            )
        return self


class ChangeNotice(StrEnum):
    WEBSITE = "website"
    EMAIL = "email"
    IN_SERVICE = "in_service"


class PolicyChanges(Model):
    """How a revised policy is announced and when it applies (Arts. 17(2), 21(3))."""

    notice: list[ChangeNotice] = Field(
        default_factory=lambda: [ChangeNotice.WEBSITE], max_length=10
    )
    advance_notice_days: Count | None = Field(default=None, ge=0, le=365)
    consent_when_required: Flag = True
    statement: Text | None = None


class Leakage(Model):
    """What the company does on a leak (Art. 26): report to the PPC and notify the people affected."""

    notify_subjects: Flag = True
    report_to_ppc: Flag = True
    publish: Flag = True
    statement: Text | None = None


class Statement(Model):
    """A free clause the seed makes that has no structured home, rendered in its section."""

    section: ShortStr
    text: Text

    @model_validator(mode="after")
    def _known_section(self) -> Statement:
        from hogo.policy.sections import SECTION_KEYS

        if self.section not in SECTION_KEYS:
            raise ValueError(f"section {self.section!r} is not one of: {', '.join(SECTION_KEYS)}")
        return self


class Publication(Model):
    url: Url | None = None
    service_pages: Url | None = None
