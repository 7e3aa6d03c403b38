"""examples/: one hogo.yaml per seed policy, each expressing that seed's promises.

Every example loads with strict references, names the seed it comes from in its header,
and states the seed's key promises in structured keys (the tables below). `hogo check`
reports what the seed lacks (a missing address, contact, retention…) and nothing that
would be a mistake of the example itself (a broken reference, a generic purpose).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from pydantic import BaseModel

from hogo.policy.check import check_policy
from hogo.policy.loader import LoadedPolicy, load_policy
from hogo.policy.render import render_html, render_markdown, render_sections, section_heading
from hogo.policy.schema import (
    Basis,
    ContactChannel,
    Lang,
    LawKind,
    NotThirdParty,
    Policy,
    PrecedenceRule,
    ReceptionDays,
    RequestChannel,
    RequestKind,
    RetentionEvent,
    StatutoryException,
    Text,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def require_seeds() -> None:
    """The seeds live beside the repository (as in CI); a lone clone skips, CI never does."""
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have shared/ beside the repository: {SEEDS} is missing")
        pytest.skip(f"{SEEDS} is not beside this checkout")


TODAY = date(2026, 11, 24)

PLACEHOLDER_DATE = date(1970, 1, 1)
"""`policy.established` of the examples whose seed gives no date (documented in the header)."""

SEED_OF = {
    "exrant.yaml": "000_e046359bc528486a.txt",
    "xtra.yaml": "001_5d1ecae8f362b082.txt",
    "kaji_group.yaml": "002_80fac6e9b547f872.txt",
    "telecom_carrier.yaml": "003_6dad1f3cc8479d22.txt",
    "campaign_service.yaml": "004_bbc0fd3f53a5c5fc.txt",
}

_HEADER = re.compile(r"\A# Source: shared/seeds/(?P<seed>[0-9]{3}_[0-9a-f]+\.txt) \(")


@cache
def loaded(name: str) -> LoadedPolicy:
    return load_policy(EXAMPLES / name, strict=True)


def policy(name: str) -> Policy:
    return loaded(name).policy


def purpose_items(p: Policy, purpose_id: str) -> set[str]:
    found = p.purpose(purpose_id)
    assert found is not None, f"no purpose {purpose_id!r}"
    return set(found.items)


def statement_texts(p: Policy, section: str) -> list[str]:
    return [s.text.en for s in p.statements if s.section == section]


def rendered(p: Policy, section: str) -> str:
    """A section of the English rendering: what the renderer says from structured keys."""
    return next(s.body for s in render_sections(p, "en") if s.key == section)


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


# ---------------------------------------------------------------------------------------
# Every file: loads, names its seed, is bilingual.


def test_one_example_per_seed() -> None:
    require_seeds()
    assert sorted(path.name for path in EXAMPLES.glob("*.yaml")) == sorted(SEED_OF)
    assert sorted(SEED_OF.values()) == sorted(path.name for path in SEEDS.glob("*.txt"))


@pytest.mark.parametrize("name", sorted(SEED_OF))
def test_loads_with_strict_references(name: str) -> None:
    assert loaded(name).policy.hogo == 1


@pytest.mark.parametrize("name", sorted(SEED_OF))
def test_header_names_an_existing_seed(name: str) -> None:
    require_seeds()
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    match = _HEADER.match(text)
    assert match, f"{name} must start with '# Source: shared/seeds/<seed file> (...)'"
    assert (SEEDS / match.group("seed")).is_file(), f"{match.group('seed')} is not a seed"
    assert match.group("seed") == SEED_OF[name]


@pytest.mark.parametrize("name", sorted(SEED_OF))
def test_every_text_is_in_both_languages(name: str) -> None:
    for text in texts(policy(name)):
        assert text.ja.strip() and text.en.strip(), f"{name}: half-empty text {text!r}"


_CJK = r"[ぁ-んァ-ヶー一-龯、。「」（）]"


@pytest.mark.parametrize("name", sorted(SEED_OF))
def test_japanese_has_no_folded_line_spaces(name: str) -> None:
    """A folded YAML scalar joins lines with a space, which Japanese never has."""
    for text in texts(policy(name)):
        assert not re.search(rf"{_CJK} {_CJK}", text.ja), f"{name}: stray space in {text.ja!r}"


@pytest.mark.parametrize("name", ["telecom_carrier.yaml", "campaign_service.yaml"])
def test_undated_seeds_use_the_documented_placeholder(name: str) -> None:
    assert policy(name).policy.established == PLACEHOLDER_DATE
    header = (EXAMPLES / name).read_text(encoding="utf-8").split("\nhogo:")[0]
    assert "PLACEHOLDER" in header and "no date" in header
    assert "not stated" in policy(name).organization.name.en


# ---------------------------------------------------------------------------------------
# Each seed's key promises.

Promise = Callable[[Policy], object]

_EXRANT: dict[str, Promise] = {
    "established 2004-04-01, last revised 2011-03-29": lambda p: (
        p.policy.established == date(2004, 4, 1) and p.policy.last_revised == date(2011, 3, 29)
    ),
    "§1 acquisition only after notifying the purpose and with prior consent": lambda p: all(
        x.basis is Basis.CONSENT for x in p.purposes
    ),
    "§1 purposes within services and recruiting": lambda p: (
        {x.id for x in p.purposes} == {"service_provision", "recruitment"}
    ),
    "§1 proper and fair acquisition": lambda p: "fair means" in rendered(p, "acquisition"),
    "§2 use only within the purposes; beyond them with prior consent": lambda p: (
        any("in advance" in t for t in statement_texts(p, "purposes"))
        and "beyond what these purposes need without your prior consent" in rendered(p, "purposes")
    ),
    "§3 access control, take-out restriction, intrusion, loss and alteration": lambda p: (
        len(p.security.technical) == 3 and p.security.physical and p.security.organizational
    ),
    "§4 entrustment with strict selection, confidentiality contract and supervision": lambda p: (
        p.entrustment.selection is not None and "confidentiality" in p.entrustment.supervision.en  # type: ignore[union-attr]
    ),
    "§5 case 2 (legal obligation) and case 3 (life, health, property)": lambda p: (
        {StatutoryException.LAW, StatutoryException.LIFE} <= set(p.third_party.exceptions)
    ),
    "§5 case 4 (permitted by the Act): the remaining statutory exceptions": lambda p: (
        {StatutoryException.PUBLIC_HEALTH, StatutoryException.STATE}
        <= set(p.third_party.exceptions)
    ),
    "§5 the necessary minimum range, as the seed words it": lambda p: (
        p.third_party.statement is not None and "minimum" in p.third_party.statement.en
    ),
    "§5 the entrustee is not a third party": lambda p: (
        p.third_party.not_third_party == [NotThirdParty.ENTRUSTMENT]
    ),
    "§6 changes without prior notice, effective when published on the website": lambda p: (
        p.changes.advance_notice_days == 0 and [c.value for c in p.changes.notice] == ["website"]
    ),
    "seed lacks: contact, address, representative, request procedure": lambda p: (
        p.organization.contact is None
        and p.organization.address is None
        and p.organization.representative is None
        and p.requests.kinds == []
    ),
}

_XTRA_SERVICE_ITEMS = {
    "name",
    "company_name",
    "phone",
    "email",
    "device_id",
    "ip_address",
    "request_time",
    "operation_history",
    "service_usage",
    "cookie_id",
}
_XTRA_APPLICANT_ITEMS = {
    "name",
    "postal_address",
    "phone",
    "email",
    "education",
    "job_history",
    "family_structure",
    "resume_other",
    "selection_information",
}


def _xtra_contact_ok(p: Policy) -> bool:
    contact = p.organization.contact
    assert contact is not None and contact.hours is not None
    return (
        contact.email == "info@x-tra.jp"
        and contact.channels == [ContactChannel.EMAIL]
        and contact.hours.days is ReceptionDays.WEEKDAYS
        and (contact.hours.open, contact.hours.close) == ("10:00", "18:00")
    )


_XTRA: dict[str, Promise] = {
    "set on 2019-08-01; the Japanese original is authoritative": lambda p: (
        p.policy.established == date(2019, 8, 1) and p.policy.authoritative_language == "ja"
    ),
    "'Information Provider' is the subject term": lambda p: (
        p.policy.subject_term is not None and p.policy.subject_term.en == "Information Provider"
    ),
    "Art. 1(2) this policy prevails over other policies and terms of use": lambda p: (
        p.compliance.precedence is not None
        and p.compliance.precedence.rule is PrecedenceRule.THIS_POLICY_PREVAILS
    ),
    "Art. 2 three sources: inquiry page, website (with cookies), recruitment": lambda p: (
        {s.kind.value for s in p.sources} == {"web_form", "website", "cookie", "recruitment"}
    ),
    "Art. 3(1)(1) service purpose with user, terminal, log and cookie information": lambda p: (
        purpose_items(p, "service") == _XTRA_SERVICE_ITEMS
    ),
    "Art. 3(1)(2) notification purpose with name, phone and e-mail": lambda p: (
        purpose_items(p, "notification") == {"name", "phone", "email"}
    ),
    "Art. 3(1)(3) applicant selection with the applicant information": lambda p: (
        purpose_items(p, "applicant_selection") == _XTRA_APPLICANT_ITEMS
        and set(next(s for s in p.sources if s.id == "recruitment").items) == _XTRA_APPLICANT_ITEMS
    ),
    "Art. 4(1) statutory exceptions and business succession": lambda p: (
        set(p.third_party.exceptions)
        == {
            StatutoryException.LAW,
            StatutoryException.LIFE,
            StatutoryException.PUBLIC_HEALTH,
            StatutoryException.STATE,
        }
        and NotThirdParty.SUCCESSION in p.third_party.not_third_party
    ),
    "Art. 4(2), 4(4) provision records are promised": lambda p: (
        p.third_party.opt_out is not None
        and "the fact that the Information Provider consented" in rendered(p, "third_party")
        and "the date of provision" in rendered(p, "third_party")
    ),
    "Art. 4(3) opt-out provision by e-mail, stopped on request": lambda p: (
        p.third_party.opt_out is not None
        and p.third_party.opt_out.stop_on_request
        and p.third_party.opt_out.provision_method is not None
        and p.purpose("third_party_provision").basis is Basis.OPT_OUT  # type: ignore[union-attr]
        and p.purpose("third_party_provision").third_party_provision  # type: ignore[union-attr]
    ),
    "Art. 4(3) seed lacks: the PPC filing and the items": lambda p: (
        p.third_party.opt_out is not None
        and p.third_party.opt_out.ppc_filing is None
        and not p.third_party.opt_out.items
    ),
    "Art. 5 entrustment under a confidentiality agreement and supervision": lambda p: (
        NotThirdParty.ENTRUSTMENT in p.third_party.not_third_party
        and p.entrustment.supervision is not None
    ),
    "Art. 6 shared use with affiliated companies": lambda p: (
        [g.id for g in p.joint_use] == ["affiliated_services"]
        and NotThirdParty.JOINT_USE in p.third_party.not_third_party
    ),
    "Arts. 7-8 Google Analytics and Google AdSense, behavioural advertising": lambda p: (
        {m.id for m in p.modules if m.behavioural_advertising}
        == {"google_analytics", "google_adsense"}
        and all(m.provider == "Google Inc." and m.policy_url for m in p.modules)
    ),
    "Art. 8 behavioural advertising uses activity history and terminal information": lambda p: (
        {"operation_history", "service_usage", "device_id"}
        <= purpose_items(p, "behavioural_advertising")
    ),
    "Art. 9 access restriction, minimum access holders, security software": lambda p: (
        len(p.security.technical) == 2 and p.security.organizational
    ),
    "Art. 9(2) the Representative Director manages personal information": lambda p: (
        p.security.responsible is not None
        and "Representative Director" in p.security.responsible.en
    ),
    "Art. 10 disclosure etc. by e-mail; repeated requests may be refused": lambda p: (
        {
            RequestKind.DISCLOSURE,
            RequestKind.CORRECTION,
            RequestKind.DELETION,
            RequestKind.SUSPENSION_OF_USE,
        }
        <= set(p.requests.kinds)
        and p.requests.channels == [RequestChannel.EMAIL]
        and p.requests.refusal is not None
        and "excessive technical work" in p.requests.refusal.en
        and "repeated without good reason" in rendered(p, "requests")
    ),
    "Art. 11 changes posted on the website; consent where the law requires": lambda p: (
        p.changes.consent_when_required and [c.value for c in p.changes.notice] == ["website"]
    ),
    "Art. 12 info@x-tra.jp, weekdays 10:00-18:00, also for complaints": lambda p: (
        _xtra_contact_ok(p)
        and p.organization.complaint_contact is not None
        and p.organization.complaint_contact.email == "info@x-tra.jp"
    ),
}

_KAJI_DEFINITION = [
    "name",
    "date_of_birth",
    "age",
    "gender",
    "postal_address",
    "phone",
    "family_structure",
    "hobbies",
    "tastes",
    "email",
    "company_name",
    "department",
    "company_address",
    "company_phone",
    "credit_card_number",
    "bank_account",
    "customer_number",
    "customer_codes",
    "purchases",
    "web_access",
    "inquiries",
]


def _kaji_formats(p: Policy) -> bool:
    formats = {item.id: item.format.value for item in p.items}
    return (
        formats["date_of_birth"] == "date"
        and formats["email"] == "email"
        and formats["phone"] == "phone_jp"
        and formats["company_phone"] == "phone_jp"
    )


_KAJI: dict[str, Promise] = {
    "dated 2010-10-01": lambda p: p.policy.established == date(2010, 10, 1),
    "the definition list is declared item by item": lambda p: (
        [item.id for item in p.items] == _KAJI_DEFINITION
    ),
    "card number and bank account carry financial risk": lambda p: (
        {item.id for item in p.items if item.financial_risk}
        == {"credit_card_number", "bank_account"}
    ),
    "e-mail, phone and customer number are look-up items": lambda p: (
        {item.id for item in p.items if item.lookup} == {"email", "phone", "customer_number"}
    ),
    "items carry their formats": _kaji_formats,
    "marketing by e-mail or printed matter, unless the customer opts out": lambda p: (
        p.purpose("marketing").basis is Basis.OPT_OUT  # type: ignore[union-attr]
        and {"name", "postal_address", "email"} <= purpose_items(p, "marketing")
    ),
    "marketing stop by e-mail with customer number, name, address, inquiry": lambda p: (
        p.requests.marketing_opt_out is not None
        and p.requests.marketing_opt_out.channels == [RequestChannel.EMAIL]
        and p.requests.marketing_opt_out.required_items
        == ["customer_number", "name", "postal_address", "inquiries"]
    ),
    "use only for purposes specified before collection": lambda p: any(
        "shown to them before it is collected" in t for t in statement_texts(p, "acquisition")
    ),
    "no disclosure without consent unless required by law or for legitimate reasons": lambda p: (
        p.third_party.exceptions == [StatutoryException.LAW]
        and [g.en for g in p.third_party.other_grounds] == ["where there are legitimate reasons"]
    ),
    "outsourcing firms are supervised": lambda p: p.entrustment.supervision is not None,
    "security against unauthorised access and viruses; education; compliance program": lambda p: (
        "viruses" in p.security.technical[0].en
        and p.security.human
        and "compliance program" in p.security.organizational[0].en
    ),
    "the APPI and the Group's internal rules": lambda p: (
        [law.kind for law in p.compliance.laws] == [LawKind.LAW, LawKind.INTERNAL_RULES]
    ),
    "inquiries to soumu@kajigroup.co.jp": lambda p: (
        p.organization.contact is not None
        and p.organization.contact.email == "soumu@kajigroup.co.jp"
    ),
    "seed lacks: request procedure and complaint contact": lambda p: (
        p.requests.kinds == [] and p.organization.complaint_contact is None
    ),
}

_TELECOM: dict[str, Promise] = {
    "the Telecommunications Business guideline and the secrecy of communications": lambda p: (
        any(
            law.kind is LawKind.GUIDELINE and "Telecommunications Businesses" in law.name.en
            for law in p.compliance.laws
        )
        and any("Telecommunications Business Act" in law.name.en for law in p.compliance.laws)
    ),
    "joint use limited to group companies": lambda p: (
        len(p.joint_use) == 1
        and p.joint_use[0].scope is not None
        and "group companies" in p.joint_use[0].scope.en
        and not p.joint_use[0].users
    ),
    "joint-use details published on each service page": lambda p: (
        len(statement_texts(p, "joint_use")) == 1
    ),
    "purposes announced in advance; clarified when collected by contract": lambda p: (
        p.sources[0].kind.value == "contract" and p.sources[0].purpose_notice is not None
    ),
    "use beyond the purposes only under Guideline Art. 6(3)": lambda p: any(
        "Article 6" in t for t in statement_texts(p, "purposes")
    ),
    "retention within the purpose; erased promptly when fulfilled": lambda p: (
        [r.from_ for r in p.retention] == [RetentionEvent.PURPOSE_FULFILLED]
        and all(x.retention == p.retention[0].id for x in p.purposes)
    ),
    "Guideline Art. 15(1) exceptions; Art. 15(4) not a third party": lambda p: (
        set(p.third_party.exceptions)
        == {
            StatutoryException.LAW,
            StatutoryException.LIFE,
            StatutoryException.PUBLIC_HEALTH,
            StatutoryException.STATE,
        }
        and set(p.third_party.not_third_party) == set(NotThirdParty)
    ),
    "vendors selected and supervised with audit terms in the contract": lambda p: (
        p.entrustment.selection is not None and "audit" in p.entrustment.supervision.en  # type: ignore[union-attr]
    ),
    "employees supervised and trained; internal rules and audit": lambda p: (
        len(p.security.human) == 2 and p.security.rules and p.security.organizational
    ),
    "all seven request kinds of the seed": lambda p: (
        set(p.requests.kinds)
        == {
            RequestKind.PURPOSE_NOTICE,
            RequestKind.DISCLOSURE,
            RequestKind.CORRECTION,
            RequestKind.ADDITION,
            RequestKind.DELETION,
            RequestKind.SUSPENSION_OF_USE,
            RequestKind.STOP_PROVISION,
        }
    ),
    "complaints handled promptly; contacts on each service page": lambda p: (
        p.organization.complaint_contact is not None
        and "service page" in p.organization.complaint_contact.name.en
        and "appropriately and promptly" in rendered(p, "contact")
    ),
    "leaks: immediate response and notice to customers": lambda p: (
        p.leakage.notify_subjects and "we promptly act" in rendered(p, "leakage")
    ),
}

_CAMPAIGN_PURPOSES = [
    "service_contact",
    "prize_delivery",
    "product_development",
    "product_information",
    "request_response",
    "usage_statistics",
    "individually_agreed",
]

_CAMPAIGN: dict[str, Promise] = {
    "Section 1: seven purposes, in the seed's order": lambda p: (
        [x.id for x in p.purposes] == _CAMPAIGN_PURPOSES
    ),
    "Section 1(7): purposes agreed individually need consent": lambda p: (
        [x.id for x in p.purposes if x.basis is Basis.CONSENT] == ["individually_agreed"]
    ),
    "Section 1(6), 3(2): statistics identifying no one, provided to third parties": lambda p: (
        len(p.statistics) == 1
        and p.statistics[0].provided_to_third_parties
        and p.statistics[0].purpose == "usage_statistics"
    ),
    "Section 3(3), 3(5): public authorities and the law": lambda p: (
        set(p.third_party.exceptions) == {StatutoryException.LAW, StatutoryException.STATE}
    ),
    "Section 3: the five cases, measures required of recipients, disclaimer": lambda p: (
        p.third_party.statement is not None
        and [g.en for g in p.third_party.other_grounds]
        == ["when it is necessary for the operation of other services"]
        and "prevent leaks" in p.third_party.statement.en
        and "no responsibility" in p.third_party.statement.en
    ),
    "Section 2: strict management, no leaks": lambda p: len(p.security.basic_policy) == 1,
    "Section 4: shipping, e-mail magazines and systems entrusted with safety measures": lambda p: (
        p.entrustment.supervision is not None
        and "e-mail magazines" in p.entrustment.supervision.en
        and not p.entrustment.vendors
    ),
    "Section 1(5): requests for disclosure, correction, deletion": lambda p: (
        p.requests.kinds == [RequestKind.DISCLOSURE, RequestKind.CORRECTION, RequestKind.DELETION]
    ),
    "Sections 1, 5: purpose changes announced on the website": lambda p: (
        [c.value for c in p.changes.notice] == ["website"] and p.changes.statement is not None
    ),
}

PROMISES: dict[str, dict[str, Promise]] = {
    "exrant.yaml": _EXRANT,
    "xtra.yaml": _XTRA,
    "kaji_group.yaml": _KAJI,
    "telecom_carrier.yaml": _TELECOM,
    "campaign_service.yaml": _CAMPAIGN,
}


def test_every_example_has_a_table_of_promises() -> None:
    assert sorted(PROMISES) == sorted(SEED_OF)


@pytest.mark.parametrize(
    ("name", "promise"),
    [(name, promise) for name, table in PROMISES.items() for promise in table],
)
def test_example_expresses_the_seed_promise(name: str, promise: str) -> None:
    assert PROMISES[name][promise](policy(name)), f"{name}: {promise}"


# ---------------------------------------------------------------------------------------
# `hogo check`: reports what each seed lacks, and no mistake of the example itself.

LACKS: dict[str, set[str]] = {
    # no address/representative, no contact at all, no concrete items or sources, no
    # retention, missing security areas, no procedure for requests
    "exrant.yaml": {"HG006", "HG007", "HG025", "HG026", "HG027", "HG029", "HG035"},
    # no address/representative; opt-out incomplete and unfiled; joint use without its
    # details; no opt-out for behavioural ads; forms without a purpose notice; only four
    # of the nine request kinds
    "xtra.yaml": {
        "HG007",
        "HG010",
        "HG013",
        "HG014",
        "HG022",
        "HG023",
        "HG024",
        "HG026",
        "HG029",
        "HG035",
    },
    # no complaint contact or address; listed items without a purpose; "legitimate reasons"
    # as a ground for provision without consent
    "kaji_group.yaml": {"HG007", "HG011", "HG025", "HG026", "HG029", "HG034", "HG035"},
    # no address; contacts without channels; joint use without its details
    "telecom_carrier.yaml": {
        "HG006",
        "HG022",
        "HG023",
        "HG026",
        "HG027",
        "HG029",
        "HG035",
        "HG036",
    },
    # no contact at all; no sources; no retention; security barely stated; "operation of
    # other services" as a ground for provision without consent
    "campaign_service.yaml": {
        "HG006",
        "HG007",
        "HG025",
        "HG026",
        "HG027",
        "HG029",
        "HG034",
        "HG035",
    },
}

NEVER = {"HG001", "HG002", "HG003", "HG004", "HG008", "HG009", "HG012", "HG032"}
"""Findings that would be mistakes of the example (references, generic purposes, dates)."""


@pytest.mark.parametrize("name", sorted(SEED_OF))
def test_check_reports_what_the_seed_lacks(name: str) -> None:
    found = {finding.rule for finding in check_policy(loaded(name), today=TODAY)}
    assert found == LACKS[name], (
        f"{name}: missing {LACKS[name] - found}, unexpected {found - LACKS[name]}"
    )
    assert not found & NEVER, f"{name}: findings that are the example's own mistakes"


# ---------------------------------------------------------------------------------------
# Rendering: every section the seed has appears, in both languages and both formats.

SEED_SECTIONS: dict[str, set[str]] = {
    # 1 acquisition, 2 utilization, 3 management and protection, 4 commission,
    # 5 disclosure to a third party, 6 changes; preamble on laws and guidelines
    "exrant.yaml": {
        "general",
        "acquisition",
        "purposes",
        "security",
        "entrustment",
        "third_party",
        "changes",
    },
    # Articles 1–12: general, acquisition, purposes, third party (with opt-out provision),
    # entrustment, shared use, modules, behavioural advertising, safety management,
    # disclosure requests, changes, inquiries
    "xtra.yaml": {
        "general",
        "acquisition",
        "purposes",
        "third_party",
        "opt_out",
        "entrustment",
        "joint_use",
        "modules",
        "security",
        "requests",
        "changes",
        "contact",
    },
    # acquisition/use/provision/deposit, prevention of loss and leakage, compliance,
    # improvement of the compliance program, objectives and inquiries (stopping mail)
    "kaji_group.yaml": {
        "general",
        "acquisition",
        "purposes",
        "third_party",
        "entrustment",
        "security",
        "requests",
        "contact",
    },
    # compliance, purposes, use within purposes, retention, safety management, supervision
    # of employees and trustees, provision, information sharing, requests, complaints,
    # leakage, continuous improvement
    "telecom_carrier.yaml": {
        "general",
        "purposes",
        "retention",
        "security",
        "entrustment",
        "third_party",
        "joint_use",
        "requests",
        "contact",
        "leakage",
    },
    # Section 1 purposes, 2 management, 3 disclosure to third parties (statistics),
    # 4 outsourcing, 5 change of terms
    "campaign_service.yaml": {
        "purposes",
        "security",
        "third_party",
        "statistics",
        "entrustment",
        "changes",
    },
}


@pytest.mark.parametrize("name", sorted(SEED_OF))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_rendering_has_every_section_the_seed_has(name: str, lang: Lang) -> None:
    sections = render_sections(policy(name), lang)
    keys = {section.key for section in sections}
    assert SEED_SECTIONS[name] <= keys, f"{name} ({lang}): missing {SEED_SECTIONS[name] - keys}"
    markdown = render_markdown(policy(name), lang)
    html = render_html(policy(name), lang)
    for section in sections:
        if section.key in SEED_SECTIONS[name]:
            assert section_heading(section, lang) in markdown
            assert f'id="{section.key}"' in html
            assert section.body.strip(), f"{name} ({lang}): empty section {section.key}"


_NOT_A_PARAGRAPH = ("#", "|", "- ", "---", ">")
"""Headings, table rows, list entries (an item's attributes, which may match another item's)
and the translation note."""


@pytest.mark.parametrize("name", sorted(SEED_OF))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_paragraph_is_said_twice(name: str, lang: Lang) -> None:
    """The standard text and the example's own clauses never restate each other word for word."""
    lines = [line.strip() for line in render_markdown(policy(name), lang).splitlines()]
    paragraphs = [
        line for line in lines if len(line) > 20 and not line.startswith(_NOT_A_PARAGRAPH)
    ]
    repeated = sorted({line for line in paragraphs if paragraphs.count(line) > 1})
    assert repeated == [], f"{name} ({lang}) says twice: {repeated}"


@pytest.mark.parametrize("name", sorted(SEED_OF))
def test_the_company_is_defined_once(name: str) -> None:
    ja, en = render_markdown(policy(name), "ja"), render_markdown(policy(name), "en")
    assert ja.count("以下「当社」") + ja.count("「当社」とは") == 1, name
    assert en.count('("we"') + en.count('"we", "us" and "our" mean') == 1, name
