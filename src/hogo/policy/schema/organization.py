"""Who makes the promise and how to reach them (APPI Art. 32(1): name, address, representative)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from hogo.policy.schema.common import (
    MAX_LIST,
    Clock,
    Email,
    Lang,
    Model,
    ShortStr,
    Text,
    Url,
)


class Company(Model):
    name: Text
    address: Text | None = None
    representative: Text | None = None
    url: Url | None = None


class ContactChannel(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    FORM = "form"
    POST = "post"
    COUNTER = "counter"


class ReceptionDays(StrEnum):
    WEEKDAYS = "weekdays"
    WEEKDAYS_AND_SATURDAY = "weekdays_and_saturday"
    EVERY_DAY = "every_day"


class Hours(Model):
    """Reception hours, e.g. weekdays 10:00–18:00, closed at the year end."""

    days: ReceptionDays = ReceptionDays.WEEKDAYS
    open: Clock
    close: Clock
    closed_on: Text | None = None

    @model_validator(mode="after")
    def _open_before_close(self) -> Hours:
        if self.open >= self.close:
            raise ValueError(f"reception opens at {self.open} but closes at {self.close}")
        return self


class Contact(Model):
    name: Text
    channels: list[ContactChannel] = Field(default_factory=list, max_length=10)
    email: Email | None = None
    phone: ShortStr | None = None
    form_url: Url | None = None
    postal_address: Text | None = None
    hours: Hours | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _channels_have_details(self) -> Contact:
        needs = {
            ContactChannel.EMAIL: self.email,
            ContactChannel.PHONE: self.phone,
            ContactChannel.FORM: self.form_url,
            ContactChannel.POST: self.postal_address,
        }
        for channel in self.channels:
            if channel in needs and needs[channel] is None:
                detail = {"email": "email", "phone": "phone", "form": "form_url"}.get(
                    channel.value, "postal_address"
                )
                raise ValueError(f"channel {channel.value!r} is listed but {detail} is not given")
        return self


class AccreditedOrganization(Model):
    """認定個人情報保護団体 (APPI Art. 47): named in the public notice when the company is a member."""

    name: Text
    complaint_contact: Text | None = None
    url: Url | None = None


class Organization(Model):
    name: Text
    group_name: Text | None = None
    address: Text | None = None
    representative: Text | None = None
    url: Url | None = None
    group_companies: list[Company] = Field(default_factory=list, max_length=MAX_LIST)
    contact: Contact | None = None
    complaint_contact: Contact | None = None
    accredited_organization: AccreditedOrganization | None = None


class LawKind(StrEnum):
    LAW = "law"
    GUIDELINE = "guideline"
    INDUSTRY_STANDARD = "industry_standard"
    INTERNAL_RULES = "internal_rules"


class Law(Model):
    name: Text
    kind: LawKind = LawKind.LAW


class PrecedenceRule(StrEnum):
    THIS_POLICY_PREVAILS = "this_policy_prevails"
    OTHER_DOCUMENTS_PREVAIL = "other_documents_prevail"


class Precedence(Model):
    """How this policy relates to other documents (terms of use, service-specific policies)."""

    other_documents: Text
    rule: PrecedenceRule = PrecedenceRule.THIS_POLICY_PREVAILS


class Compliance(Model):
    laws: list[Law] = Field(default_factory=list, max_length=100)
    precedence: Precedence | None = None


def _version_text(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f'write the version as text in quotes, e.g. version: "{value}"')
    return value


class PolicyMeta(Model):
    """The policy's own identity: its version and dates, and which language is authoritative."""

    version: Annotated[ShortStr, BeforeValidator(_version_text)]
    title: Text | None = None
    established: date
    last_revised: date | None = None
    authoritative_language: Lang = "ja"
    preamble: Text | None = None
    subject_term: Text | None = None
