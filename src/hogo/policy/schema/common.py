"""Building blocks shared by every part of hogo.yaml: bilingual text, ids, dates, periods."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
)

from hogo.domain.periods import Period, PeriodError

MAX_TEXT = 10_000
"""Longest text accepted in one field: a clause, not a book."""

MAX_LIST = 5_000
"""Longest list accepted anywhere in hogo.yaml."""

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")


class Model(BaseModel):
    """Base of every hogo.yaml model: unknown keys are refused, values are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        populate_by_name=True,
    )


Flag = Annotated[bool, Strict()]
"""true or false only: `off`, `no` or 1 are refused rather than guessed."""

Count = Annotated[int, Strict()]
"""A whole number written as a number: `true` is not 1."""

ShortStr = Annotated[str, StringConstraints(min_length=1, max_length=500)]
LongStr = Annotated[str, StringConstraints(max_length=MAX_TEXT)]

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$"),
    Field(description="lower-case letters, digits and _, starting with a letter"),
]


class Text(Model):
    """A text a person reads, in both languages: hogo publishes everything in ja and en."""

    ja: LongStr
    en: LongStr

    def __getitem__(self, lang: str) -> str:
        if lang == "ja":
            return self.ja
        if lang == "en":
            return self.en
        raise KeyError(lang)

    def is_blank(self) -> bool:
        return not (self.ja.strip() or self.en.strip())


def _country_code(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code such as JP or US")
    return value


CountryCode = Annotated[str, AfterValidator(_country_code)]


def _url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


Url = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_url)]


def _email(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"{value!r} is not an e-mail address: {exc}") from None


Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(_email)]


def _period(value: Any) -> Period:
    if isinstance(value, Period):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("a period is written as text such as 3y, 6m, 90d or P3Y")
    if isinstance(value, int):
        raise ValueError(f"{value} has no unit: write {value}y, {value}m or {value}d")
    try:
        return Period.parse(value)
    except PeriodError as exc:
        raise ValueError(str(exc)) from None


PeriodField = Annotated[Period, BeforeValidator(_period), PlainSerializer(str, return_type=str)]


def _clock(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 10:00 as the sexagesimal number 600.
        value = f"{value // 60:02d}:{value % 60:02d}"
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError(f"{value!r} is not a time of day in HH:MM (24-hour) form")
    return value


Clock = Annotated[str, BeforeValidator(_clock)]


class ItemKind(StrEnum):
    """What an item is about; drives rendering groups and the anonymisation defaults."""

    IDENTIFIER = "identifier"
    CONTACT = "contact"
    DEMOGRAPHIC = "demographic"
    ONLINE_IDENTIFIER = "online_identifier"
    DEVICE = "device"
    LOCATION = "location"
    FINANCIAL = "financial"
    EMPLOYMENT = "employment"
    EDUCATION = "education"
    FAMILY = "family"
    BEHAVIOURAL = "behavioural"
    PREFERENCE = "preference"
    TRANSACTION = "transaction"
    HEALTH = "health"
    FREE_TEXT = "free_text"
    OTHER = "other"
