"""The loader turns every bad file into located messages, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hogo.policy.loader import (
    MAX_FILE_BYTES,
    PolicyLoadError,
    load_policy,
    load_policy_text,
)
from tests.conftest import STARTER

GOOD = STARTER.read_text("utf-8")


def errors_of(text: str, *, strict: bool = True) -> list[str]:
    with pytest.raises(PolicyLoadError) as info:
        load_policy_text(text, "p.yaml", strict=strict)
    return [str(d) for d in info.value.diagnostics]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_starter_loads() -> None:
    loaded = load_policy_text(GOOD, "p.yaml")
    assert loaded.policy.organization.name.ja == "株式会社エグザンプル"
    assert len(loaded.digest) == 64


def test_unknown_key_is_refused_with_location_and_hint() -> None:
    text = GOOD.replace("    basis: announced", "    basis: announced\n    retension: inquiry_3y")
    (message,) = errors_of(text)
    assert message.startswith(f"p.yaml:{line_of(text, 'retension')}:5: ")
    assert "unknown key 'retension' in purposes[0]" in message
    assert "did you mean 'retention'?" in message


def test_wrong_type_names_the_key_and_points_at_the_value() -> None:
    text = GOOD.replace("lookup: true                #", "lookup: maybe                #")
    (message,) = errors_of(text)
    assert f"p.yaml:{line_of(text, 'lookup: maybe')}:13: items[1].lookup:" in message


def test_missing_key_points_at_its_parent() -> None:
    text = GOOD.replace("  established: 2026-04-01\n", "")
    (message,) = errors_of(text)
    assert message.startswith(
        f"p.yaml:{line_of(text, 'policy:')}:1: policy: missing required key 'established'"
    )


def test_enum_value_lists_the_choices() -> None:
    (message,) = errors_of(GOOD.replace("basis: announced", "basis: sometimes"))
    assert "purposes[0].basis" in message and "'consent'" in message and "'opt_out'" in message


def test_broken_reference_names_both_ends() -> None:
    (message,) = errors_of(GOOD.replace("retention: inquiry_3y", "retention: inquiry_5y"))
    assert "purpose 'inquiry_response'" in message
    assert "retention rule 'inquiry_5y'" in message and "did you mean 'inquiry_3y'" in message


def test_broken_reference_is_allowed_when_not_strict() -> None:
    text = GOOD.replace("retention: inquiry_3y", "retention: inquiry_5y")
    assert load_policy_text(text, strict=False).policy.purposes[0].retention == "inquiry_5y"


def test_duplicate_key_is_refused() -> None:
    text = GOOD.replace("hogo: 1 ", "hogo: 1\nhogo: 1 ", 1)
    (message,) = errors_of(text)
    assert "duplicate key 'hogo' (first given at line" in message


def test_duplicate_id_is_refused() -> None:
    text = GOOD.replace("  - id: phone\n", "  - id: email\n")
    assert any("id 'email' is declared twice in items" in m for m in errors_of(text))


def test_malformed_yaml_gives_line_and_column() -> None:
    (message,) = errors_of("hogo: 1\npolicy: [unclosed\nitems: x\n")
    assert message.startswith("p.yaml:3:") and "YAML:" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("- a\n- b\n", "mapping of keys"),
        ("hogo: 1\n---\nhogo: 1\n", "more than one YAML document"),
        ("a: &x [*x]\n", "nested too deeply"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 200 levels"),
        ("a: " + "{a: " * 300 + "}" * 300 + "\n", "nested more than 200 levels"),
        ("? [a, b]\n: c\n", "a key must be a plain name"),
    ],
)
def test_hostile_or_odd_documents(text: str, expected: str) -> None:
    assert any(expected in m for m in errors_of(text))


def test_flow_nesting_that_would_crash_libyaml_is_refused_first() -> None:
    (message,) = errors_of("hogo: 1\npolicy: " + "[" * 1_000_000)
    assert message == "p.yaml:2:209: YAML is nested more than 200 levels deep"


def test_deep_block_nesting_within_the_size_limit_is_handled() -> None:
    text = "".join(" " * i + f"k{i}:\n" for i in range(1500)) + " " * 1500 + "v\n"
    assert len(text.encode()) < MAX_FILE_BYTES
    assert errors_of(text)  # refused as a policy, without crashing the process


def test_alias_bomb_is_stopped() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    (message,) = errors_of("\n".join(lines) + "\n")
    assert "alias expansion" in message


def test_yaml_12_scalars_keep_country_codes_and_times() -> None:
    text = GOOD.replace("      country: JP", "      country: NO").replace(
        'open: "10:00"', "open: 10:00"
    )
    policy = load_policy_text(text).policy
    assert policy.entrustment.vendors[0].country == "NO"
    assert policy.organization.contact is not None and policy.organization.contact.hours is not None
    assert policy.organization.contact.hours.open == "10:00"


def test_numeric_version_gets_a_hint() -> None:
    (message,) = errors_of(GOOD.replace('version: "1.0"', "version: 1.0"))
    assert 'write the version as text in quotes, e.g. version: "1.0"' in message


def test_non_utf8_file_names_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"hogo: 1\npolicy:\n  version: caf\xe9\n")
    with pytest.raises(PolicyLoadError) as info:
        load_policy(path)
    assert (
        str(info.value)
        == f"{path}:3:15: not UTF-8: byte 0xe9 cannot be decoded; save the file as UTF-8"
    )


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_policy(path).policy.hogo == 1


def test_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    with path.open("wb") as handle:
        handle.write(b"#" * (MAX_FILE_BYTES + 10))
    with pytest.raises(PolicyLoadError, match="larger than"):
        load_policy(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(PolicyLoadError, match="no such file"):
        load_policy(tmp_path / "absent.yaml")
    with pytest.raises(PolicyLoadError, match="is a directory"):
        load_policy(tmp_path)


def test_oversized_text_value_is_refused() -> None:
    text = GOOD.replace(
        "ja: お問い合わせの内容を確認し", "ja: " + "あ" * 10_001 + "お問い合わせの内容を確認し"
    )
    assert any("purposes[0].description.ja" in m for m in errors_of(text))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise_anything_else(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "p.yaml"
    path.write_bytes(data)
    with pytest.raises(PolicyLoadError):
        load_policy(path)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises_anything_else(text: str) -> None:
    with pytest.raises(PolicyLoadError):
        load_policy_text(text)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(GOOD) - 1),
    st.sampled_from([":", "-", "[", "{", "'", "\t", "&a", "*"]),
)
def test_corrupting_a_good_policy_gives_a_located_error_or_loads(position: int, junk: str) -> None:
    text = GOOD[:position] + junk + GOOD[position:]
    try:
        load_policy_text(text, "p.yaml")
    except PolicyLoadError as exc:
        assert all(d.line >= 1 and d.column >= 1 for d in exc.diagnostics)


def test_leading_zero_digits_stay_text() -> None:
    text = GOOD.replace("    form_url:", "    phone: 0312345678\n    form_url:", 1)
    contact = load_policy_text(text).policy.organization.contact
    assert contact is not None and contact.phone == "0312345678"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("lookup: true ", "lookup: off ", "items[1].lookup: Input should be a valid boolean"),
        ("lookup: true ", "lookup: 1 ", "items[1].lookup: Input should be a valid boolean"),
        (
            "response_days: 14",
            "response_days: true",
            "requests.response_days: Input should be a valid integer",
        ),
        (
            "established: 2026-04-01",
            "established: 2026-02-30",
            "policy.established: cannot read '2026-02-30'",
        ),
    ],
)
def test_scalars_are_not_guessed(old: str, new: str, expected: str) -> None:
    (message,) = errors_of(GOOD.replace(old, new, 1))
    assert expected in message
