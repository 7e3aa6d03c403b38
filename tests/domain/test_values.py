from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hogo.domain.values import InvalidValue, normalize


@pytest.mark.parametrize(
    ("fmt", "value", "stored", "lookup"),
    [
        ("email", " Hanako@Example.JP ", "Hanako@example.jp", "hanako@example.jp"),
        ("phone_jp", "03-1234-5678", "03-1234-5678", "+81312345678"),
        ("phone_jp", "+81 3 1234 5678", "03-1234-5678", "+81312345678"),
        ("phone_jp", "０９０－１２３４－５６７８", "090-1234-5678", "+819012345678"),
        ("postal_code_jp", "1000001", "100-0001", "1000001"),
        ("postal_code_jp", "１００－０００１", "100-0001", "1000001"),
        ("date", "2026-11-24", "2026-11-24", "2026-11-24"),
        ("number", "1.50", "1.50", "1.5"),
        ("ip_address", "2001:DB8::1", "2001:db8::1", "2001:db8::1"),
        ("url", "https://example.jp/a", "https://example.jp/a", "https://example.jp/a"),
        ("text", "山田　花子", "山田　花子", "山田 花子"),
    ],
)
def test_valid_values_are_normalised(fmt: str, value: str, stored: str, lookup: str) -> None:
    result = normalize(fmt, value, max_chars=100)
    assert (result.stored, result.lookup) == (stored, lookup)


@pytest.mark.parametrize(
    ("fmt", "value", "message"),
    [
        ("email", "not-an-address", "is not an e-mail address"),
        ("phone_jp", "12345", "telephone number"),
        ("phone_jp", "+1 212 555 0100", "is not a valid Japanese telephone number"),
        ("postal_code_jp", "100-00011", "is not a Japanese postal code"),
        ("date", "2026-02-30", "is not a date"),
        ("number", "NaN", "is not a finite number"),
        ("number", "ten", "is not a number"),
        ("ip_address", "999.1.1.1", "is not an IP address"),
        ("url", "javascript:alert(1)", "is not an http(s) URL"),
        ("text", "   ", "is empty"),
        ("text", "a\x00b", "control characters"),
        ("text", "caf\udce9", "is not valid UTF-8"),
        ("text", "x" * 101, "at most 100 are accepted"),
        ("weird", "x", "unknown format"),
    ],
)
def test_invalid_values_are_refused_without_echoing_them(
    fmt: str, value: str, message: str
) -> None:
    with pytest.raises(InvalidValue, match=re.escape(message)) as info:
        normalize(fmt, value, max_chars=100)
    if len(value) > 3:
        assert value not in str(info.value)


def test_line_breaks_are_allowed_in_text() -> None:
    assert normalize("text", "1行目\n2行目\tタブ", max_chars=100).stored == "1行目\n2行目\tタブ"


# The fast path for plain addresses must never disagree with email-validator.
_LOCAL = st.from_regex(r"[A-Za-z0-9._+\-!#'~]{1,20}", fullmatch=True)
_DOMAIN = st.from_regex(r"([A-Za-z0-9\-]{1,12}\.){1,3}[A-Za-z0-9\-]{1,8}", fullmatch=True)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.builds(lambda a, b: f"{a}@{b}", _LOCAL, _DOMAIN), st.text(max_size=40)))
def test_the_email_fast_path_agrees_with_email_validator(address: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    from hogo.domain.values import _simple_email

    fast = _simple_email(address)
    if fast is None:
        return  # email-validator decides these
    try:
        expected = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise AssertionError(
            f"fast path accepted {address!r}, email-validator refuses: {exc}"
        ) from None
    assert fast.stored == expected


@pytest.mark.parametrize(
    "address", ["a@b.test", "x@example.localhost", "a..b@x.jp", "a@-b.jp", "a@b.j2", "ä@b.jp"]
)
def test_addresses_outside_the_fast_path_go_to_email_validator(address: str) -> None:
    from hogo.domain.values import _simple_email

    assert _simple_email(address) is None
