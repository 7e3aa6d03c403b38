"""What a collected value must look like, and the normalised form it is stored and found by.

Normalisation matters for the blind index: "Hanako@Example.JP" and "hanako@example.jp",
"03-1234-5678" and "+81 3 1234 5678" must find the same person.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

DEFAULT_MAX_CHARS = {
    "text": 1_000,
    "email": 254,
    "phone_jp": 32,
    "postal_code_jp": 16,
    "date": 32,
    "url": 2_000,
    "number": 64,
    "ip_address": 64,
}
"""Longest value accepted when the item declares no max_length."""

FREE_TEXT_MAX_CHARS = 10_000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_POSTAL = re.compile(r"^(\d{3})-?(\d{4})$")
_SURROGATE = re.compile("[\ud800-\udfff]")
"""Lone surrogates: how Python carries bytes that were not valid UTF-8 (surrogateescape)."""


class InvalidValue(ValueError):
    """A value that does not fit its item; the message says why, without echoing the value."""


@dataclass(frozen=True, slots=True)
class Normalized:
    stored: str
    """The value as kept (encrypted) and returned on use."""
    lookup: str
    """The form compared through the blind index."""


def normalize(fmt: str, value: str, *, max_chars: int) -> Normalized:
    """Validate `value` for format `fmt`; raises InvalidValue naming what is wrong."""
    if _SURROGATE.search(value):
        raise InvalidValue("is not valid UTF-8")
    if len(value) > max_chars:
        raise InvalidValue(f"is {len(value):,} characters long; at most {max_chars:,} are accepted")
    if _CONTROL.search(value):
        raise InvalidValue("contains control characters")
    value = unicodedata.normalize("NFC", value)
    if fmt == "text":
        if not value.strip():
            raise InvalidValue("is empty")
        return Normalized(value, unicodedata.normalize("NFKC", value).strip().casefold())
    compact = unicodedata.normalize("NFKC", value).strip()
    if fmt == "email":
        return _email(compact)
    if fmt == "phone_jp":
        return _phone(compact)
    if fmt == "postal_code_jp":
        match = _POSTAL.match(compact)
        if not match:
            raise InvalidValue("is not a Japanese postal code such as 100-0001")
        return Normalized(f"{match[1]}-{match[2]}", f"{match[1]}{match[2]}")
    if fmt == "date":
        try:
            day = date.fromisoformat(compact)
        except ValueError:
            raise InvalidValue("is not a date in YYYY-MM-DD form") from None
        return Normalized(day.isoformat(), day.isoformat())
    if fmt == "url":
        if not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", compact):
            raise InvalidValue("is not an http(s) URL")
        return Normalized(compact, compact)
    if fmt == "number":
        try:
            number = Decimal(compact)
        except InvalidOperation:
            raise InvalidValue("is not a number") from None
        if not number.is_finite():
            raise InvalidValue("is not a finite number")
        return Normalized(compact, str(number.normalize()))
    if fmt == "ip_address":
        try:
            address = ipaddress.ip_address(compact)
        except ValueError:
            raise InvalidValue("is not an IP address") from None
        return Normalized(str(address), str(address))
    raise InvalidValue(f"has an unknown format {fmt!r}")


# A conservative subset of the addresses email-validator accepts: ASCII dot-atoms, a domain
# of letter/digit/hyphen labels and an alphabetic top-level label. It exists for speed only
# (email-validator's Unicode checks cost ~100 µs an address); whatever it does not match is
# judged by email-validator, and a property test holds that it never accepts what
# email-validator refuses, nor normalises differently.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SIMPLE_EMAIL = re.compile(rf"^({_ATOM}(?:\.{_ATOM})*)@((?:{_LABEL}\.)+[A-Za-z]{{2,63}})$")
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)


def _simple_email(value: str) -> Normalized | None:
    match = _SIMPLE_EMAIL.match(value)
    if match is None or len(value) > 254 or len(match[1]) > 64:
        return None
    domain = match[2].lower()
    if any(domain == name or domain.endswith("." + name) for name in _SPECIAL_USE):
        return None
    normalized = f"{match[1]}@{domain}"
    return Normalized(normalized, normalized.casefold())


def _email(value: str) -> Normalized:
    simple = _simple_email(value)
    if simple is not None:
        return simple
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidValue(f"is not an e-mail address ({exc})") from None
    return Normalized(result.normalized, result.normalized.casefold())


def _phone(value: str) -> Normalized:
    try:
        number = phonenumbers.parse(value, "JP")
    except phonenumbers.NumberParseException:
        raise InvalidValue("is not a telephone number") from None
    if not phonenumbers.is_valid_number(number) or number.country_code != 81:
        raise InvalidValue("is not a valid Japanese telephone number")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Normalized(national, e164)
