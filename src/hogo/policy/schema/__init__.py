"""hogo.yaml: the one definition of every key of the policy file.

Structure and types are enforced here (unknown keys are refused, values are typed);
legal completeness is judged by `hogo.policy.check`, so a policy that is lawful in
shape but incomplete in substance still loads and gets findings rather than a crash.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hogo.policy.schema.common import (
    LANGS,
    MAX_LIST,
    CountryCode,
    Email,
    Id,
    ItemKind,
    Lang,
    Model,
    PeriodField,
    Text,
    Url,
)
from hogo.policy.schema.data import (
    Basis,
    Item,
    ItemFormat,
    NoticeMethod,
    Purpose,
    PurposeNotice,
    RetentionEvent,
    RetentionRule,
    Source,
    SourceKind,
    SubjectKind,
)
from hogo.policy.schema.organization import (
    AccreditedOrganization,
    Company,
    Compliance,
    Contact,
    ContactChannel,
    Hours,
    Law,
    LawKind,
    Organization,
    PolicyMeta,
    Precedence,
    PrecedenceRule,
    ReceptionDays,
)
from hogo.policy.schema.procedures import (
    Agents,
    AnonymizedDataset,
    ChangeNotice,
    Fees,
    ForeignCountry,
    ForeignEnvironment,
    Leakage,
    MarketingOptOut,
    PolicyChanges,
    Publication,
    RequestChannel,
    RequestKind,
    RequestProcedures,
    Security,
    Statement,
    StatisticsRelease,
)
from hogo.policy.schema.sharing import (
    Entrustment,
    JointUse,
    JointUser,
    Module,
    ModuleKind,
    NotThirdParty,
    OptOutProvision,
    PpcFiling,
    Recipient,
    RecipientBasis,
    ResponsibleParty,
    StatutoryException,
    SubEntrustment,
    ThirdParty,
    Vendor,
)

FORMAT_VERSION = 1


class Policy(Model):
    """A whole hogo.yaml."""

    hogo: Literal[1] = Field(description="format version of the file")
    policy: PolicyMeta
    organization: Organization
    compliance: Compliance = Field(default_factory=Compliance)
    publication: Publication = Field(default_factory=Publication)
    items: list[Item] = Field(min_length=1, max_length=MAX_LIST)
    sources: list[Source] = Field(default_factory=list, max_length=MAX_LIST)
    purposes: list[Purpose] = Field(min_length=1, max_length=MAX_LIST)
    retention: list[RetentionRule] = Field(default_factory=list, max_length=MAX_LIST)
    third_party: ThirdParty = Field(default_factory=ThirdParty)
    entrustment: Entrustment = Field(default_factory=Entrustment)
    joint_use: list[JointUse] = Field(default_factory=list, max_length=MAX_LIST)
    modules: list[Module] = Field(default_factory=list, max_length=MAX_LIST)
    security: Security = Field(default_factory=Security)
    requests: RequestProcedures = Field(default_factory=RequestProcedures)
    statistics: list[StatisticsRelease] = Field(default_factory=list, max_length=MAX_LIST)
    anonymized: list[AnonymizedDataset] = Field(default_factory=list, max_length=MAX_LIST)
    changes: PolicyChanges = Field(default_factory=PolicyChanges)
    leakage: Leakage = Field(default_factory=Leakage)
    statements: list[Statement] = Field(default_factory=list, max_length=MAX_LIST)

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items if item.id == item_id), None)

    def purpose(self, purpose_id: str) -> Purpose | None:
        return next((p for p in self.purposes if p.id == purpose_id), None)

    def retention_rule(self, rule_id: str) -> RetentionRule | None:
        return next((r for r in self.retention if r.id == rule_id), None)


__all__ = [
    "FORMAT_VERSION",
    "LANGS",
    "AccreditedOrganization",
    "Agents",
    "AnonymizedDataset",
    "Basis",
    "ChangeNotice",
    "Company",
    "Compliance",
    "Contact",
    "ContactChannel",
    "CountryCode",
    "Email",
    "Entrustment",
    "Fees",
    "ForeignCountry",
    "ForeignEnvironment",
    "Hours",
    "Id",
    "Item",
    "ItemFormat",
    "ItemKind",
    "JointUse",
    "JointUser",
    "Lang",
    "Law",
    "LawKind",
    "Leakage",
    "MarketingOptOut",
    "Model",
    "Module",
    "ModuleKind",
    "NotThirdParty",
    "NoticeMethod",
    "OptOutProvision",
    "Organization",
    "PeriodField",
    "Policy",
    "PolicyChanges",
    "PolicyMeta",
    "PpcFiling",
    "Precedence",
    "PrecedenceRule",
    "Publication",
    "Purpose",
    "PurposeNotice",
    "ReceptionDays",
    "Recipient",
    "RecipientBasis",
    "RequestChannel",
    "RequestKind",
    "RequestProcedures",
    "ResponsibleParty",
    "RetentionEvent",
    "RetentionRule",
    "Security",
    "Source",
    "SourceKind",
    "Statement",
    "StatisticsRelease",
    "StatutoryException",
    "SubEntrustment",
    "SubjectKind",
    "Text",
    "ThirdParty",
    "Url",
    "Vendor",
]
