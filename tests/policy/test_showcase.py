"""examples/showcase/hogo.yaml: the complete demo policy that `make demo` checks and renders.

It must load strictly, pass every rule of `hogo check` with no finding (today and until
the vendor audits fall due), use every part of hogo.yaml, and be fully bilingual.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from hogo.policy.check import check_policy
from hogo.policy.loader import LoadedPolicy, load_policy
from hogo.policy.schema import (
    Basis,
    NotThirdParty,
    Policy,
    RecipientBasis,
    RequestKind,
    Security,
    Text,
)

SHOWCASE = Path(__file__).resolve().parents[2] / "examples" / "showcase" / "hogo.yaml"


@cache
def loaded() -> LoadedPolicy:
    return load_policy(SHOWCASE, strict=True)


def policy() -> Policy:
    return loaded().policy


def texts(value: object) -> Iterator[Text]:
    """Every bilingual text anywhere in the policy."""
    if isinstance(value, Text):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from texts(getattr(value, name))
    elif isinstance(value, list | tuple):
        for entry in value:
            yield from texts(entry)
    elif isinstance(value, dict):
        for entry in value.values():
            yield from texts(entry)


def test_loads_with_strict_references() -> None:
    assert policy().hogo == 1


def test_header_says_what_the_file_is() -> None:
    header = SHOWCASE.read_text(encoding="utf-8").split("\nhogo:")[0]
    assert "demo policy" in header and "hogo check" in header
    assert "fictional" in header


@pytest.mark.parametrize("today", [date(2026, 11, 24), date(2027, 8, 31)])
def test_passes_every_rule(today: date) -> None:
    findings = check_policy(loaded(), today=today)
    assert findings == [], "\n".join(f"{f.rule} {f.message}" for f in findings)


def test_uses_every_top_level_key() -> None:
    raw = yaml.safe_load(SHOWCASE.read_text(encoding="utf-8"))
    assert set(raw) == set(Policy.model_fields)


def test_states_measures_in_every_security_area() -> None:
    security = policy().security
    for area in Security.model_fields:
        assert getattr(security, area), f"security.{area} is empty"
    environment = security.foreign_environment
    assert environment is not None and environment.measures
    for country in environment.countries:
        assert country.system is not None and country.purpose is not None


def test_offers_every_request_kind_with_lawful_fees() -> None:
    requests = policy().requests
    assert set(requests.kinds) == set(RequestKind)
    assert requests.channels and requests.identity_verification
    assert requests.agents is not None and requests.agents.documents
    assert requests.fees is not None and requests.fees.payment is not None
    assert {RequestKind.PURPOSE_NOTICE, RequestKind.DISCLOSURE} <= set(requests.fees.amounts)
    assert requests.response_days <= 14
    assert requests.refusal is not None and requests.marketing_opt_out is not None


def test_provides_on_every_basis_with_statutory_lists() -> None:
    third_party = policy().third_party
    assert {r.basis for r in third_party.recipients} == set(RecipientBasis)
    assert third_party.exceptions
    assert set(third_party.not_third_party) == set(NotThirdParty)
    assert any(r.is_abroad for r in third_party.recipients)
    assert any(not r.is_abroad for r in third_party.recipients)
    opt_out = third_party.opt_out
    assert opt_out is not None and opt_out.ppc_filing is not None
    assert not third_party.other_grounds


def test_uses_every_purpose_basis_and_special_care_only_under_consent() -> None:
    p = policy()
    assert {purpose.basis for purpose in p.purposes} == set(Basis)
    special = {item.id for item in p.items if item.special_care}
    assert special
    for purpose in p.purposes:
        if special & set(purpose.items):
            assert purpose.basis is Basis.CONSENT, purpose.id


def test_vendors_are_fully_supervised_and_one_is_abroad() -> None:
    vendors = policy().entrustment.vendors
    assert len(vendors) == 3
    assert any(v.country not in (None, "JP") for v in vendors)
    for vendor in vendors:
        assert vendor.confidentiality_clause is not None and vendor.audit_clause
        assert vendor.audit_interval is not None and vendor.last_audit is not None
        assert vendor.sub_entrustment is not None


def test_every_text_is_in_both_languages() -> None:
    found = list(texts(policy()))
    assert found
    for text in found:
        assert text.ja.strip() and text.en.strip(), f"half-empty text {text!r}"


_KANA = r"[ぁ-んァ-ヶー]"


def test_japanese_has_no_folded_line_spaces() -> None:
    """A folded YAML scalar joins lines with a space, which Japanese prose never has."""
    for text in texts(policy()):
        assert not re.search(rf"{_KANA} {_KANA}|[、。] ", text.ja), f"stray space: {text.ja!r}"
