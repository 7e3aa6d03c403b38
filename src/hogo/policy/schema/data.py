"""What is collected, from where, for which purposes, and for how long (APPI Arts. 17–22)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from hogo.policy.schema.common import MAX_LIST, Count, Flag, Id, ItemKind, Model, PeriodField, Text


class ItemFormat(StrEnum):
    """How a collected value is validated and normalised (issue: the ledger checks these)."""

    TEXT = "text"
    EMAIL = "email"
    PHONE_JP = "phone_jp"
    POSTAL_CODE_JP = "postal_code_jp"
    DATE = "date"
    URL = "url"
    NUMBER = "number"
    IP_ADDRESS = "ip_address"


class Item(Model):
    """One item of personal information (項目): name, e-mail address, résumé…"""

    id: Id
    label: Text
    kind: ItemKind = ItemKind.OTHER
    format: ItemFormat = ItemFormat.TEXT
    max_length: Count | None = Field(default=None, ge=1, le=1_000_000)
    special_care: Flag = False
    lookup: Flag = False
    financial_risk: Flag = False
    description: Text | None = None


class SourceKind(StrEnum):
    WEB_FORM = "web_form"
    WEBSITE = "website"
    COOKIE = "cookie"
    RECRUITMENT = "recruitment"
    CONTRACT = "contract"
    EMAIL = "email"
    PHONE = "phone"
    PAPER = "paper"
    IN_PERSON = "in_person"
    THIRD_PARTY = "third_party"
    PUBLIC = "public"


class SubjectKind(StrEnum):
    CUSTOMER = "customer"
    USER = "user"
    VISITOR = "visitor"
    APPLICANT = "applicant"
    BUSINESS_CONTACT = "business_contact"
    EMPLOYEE = "employee"
    SHAREHOLDER = "shareholder"
    OTHER = "other"


class NoticeMethod(StrEnum):
    """How the purpose is shown to the person when the data is collected (Art. 21)."""

    ON_FORM = "on_form"
    WRITTEN_DOCUMENT = "written_document"
    SERVICE_PAGE = "service_page"
    PUBLISHED_POLICY = "published_policy"
    VERBAL = "verbal"


class PurposeNotice(Model):
    method: NoticeMethod
    text: Text | None = None


class Source(Model):
    """Where data comes from: a form, the website, a recruitment channel, a contract…"""

    id: Id
    label: Text
    kind: SourceKind
    subject_kind: SubjectKind = SubjectKind.CUSTOMER
    items: list[Id] = Field(min_length=1, max_length=MAX_LIST)
    direct: Flag = True
    in_writing: Flag = True
    purpose_notice: PurposeNotice | None = None
    provider: Text | None = None
    description: Text | None = None


class Basis(StrEnum):
    """Why a purpose may use a subject's data: announced in advance, consent, or unless opted out."""

    ANNOUNCED = "announced"
    CONSENT = "consent"
    OPT_OUT = "opt_out"


class Purpose(Model):
    """A purpose of use (利用目的), specified as concretely as possible (Art. 17(1))."""

    id: Id
    label: Text
    description: Text
    details: list[Text] = Field(default_factory=list, max_length=100)
    items: list[Id] = Field(default_factory=list, max_length=MAX_LIST)
    basis: Basis = Basis.ANNOUNCED
    retention: Id | None = None
    actors: list[Id] = Field(default_factory=list, max_length=100)
    related_to: list[Id] = Field(default_factory=list, max_length=100)
    third_party_provision: Flag = False


class RetentionEvent(StrEnum):
    """The event a retention period is counted from."""

    COLLECTION = "collection"
    LAST_CONTACT = "last_contact"
    CONTRACT_END = "contract_end"
    APPLICATION_DECISION = "application_decision"
    PURPOSE_FULFILLED = "purpose_fulfilled"


class RetentionRule(Model):
    """How long data is kept: a period counted from an event, or until consent is withdrawn."""

    id: Id
    label: Text | None = None
    period: PeriodField | None = None
    from_: RetentionEvent | None = Field(default=None, alias="from")
    until: Literal["consent_withdrawn"] | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _one_way_of_ending(self) -> RetentionRule:
        if self.until is not None:
            if self.period is not None or self.from_ is not None:
                raise ValueError("give either until, or period with from, not both")
        elif self.period is None or self.from_ is None:
            missing = "period" if self.period is None else "from"
            raise ValueError(f"{missing} is missing: give period and from, or until")
        return self
