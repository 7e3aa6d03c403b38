"""Every difference between two policies is reported, and classified by the governing article.

Each rule is shown firing on a policy changed in exactly its way, and shown not firing
(a milder class) on the nearest change that should not reach as far.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hogo.policy.diff import ChangeClass, PolicyDiff, diff_policies
from hogo.policy.diff.walk import walk
from hogo.policy.loader import load_policy_text
from hogo.policy.references import broken_references
from hogo.policy.schema import Policy
from tests.conftest import STARTER

STARTER_TEXT = STARTER.read_text("utf-8")
STARTER_POLICY = load_policy_text(STARTER_TEXT).policy

Mutation = Callable[[dict[str, Any]], None]

E, N, C = "editorial", "notify", "consent"

ART_17 = "APPI Art. 17(2), 21(3)"
ART_18 = "APPI Art. 18(1)"
ART_20 = "APPI Art. 20(2)"
ART_21 = "APPI Art. 21"
ART_21_SOURCE = "APPI Art. 21(1)/(2)"
ART_22 = "APPI Art. 22"
ART_23 = "APPI Art. 23"
ART_25 = "APPI Art. 25, 27(5)(i)"
ART_27 = "APPI Art. 27(1)"
ART_OPT_OUT = "APPI Art. 27(2)/(3) (notify subjects and file with the PPC in advance)"
ART_JOINT = "APPI Art. 27(5)(iii), 27(6)"
ART_28 = "APPI Art. 28(1)"
ART_TBA = "Telecommunications Business Act Art. 27-12"
ART_31 = "APPI Art. 31(1)"
ART_32_I = "APPI Art. 32(1)(i)"
ART_32 = "APPI Art. 32(1)"
ART_32_IV = "APPI Art. 32(1)(iv)"
ART_32_III = "APPI Art. 32(1)(iii)"
ART_43 = "APPI Art. 43(3)"


def text(en: str, ja: str = "日本語の文") -> dict[str, str]:
    return {"ja": ja, "en": en}


def _rich() -> dict[str, Any]:
    """The starter policy plus one of everything the rules speak about."""
    data: dict[str, Any] = STARTER_POLICY.model_dump(mode="json", by_alias=True)
    data["items"] += [
        {"id": "age", "label": text("age", "年齢"), "kind": "demographic"},
        {"id": "health", "label": text("health condition", "健康状態"), "special_care": True},
        {"id": "cookie_id", "label": text("cookie ID", "クッキーID"), "kind": "online_identifier"},
    ]
    data["purposes"].append(
        {
            "id": "newsletter",
            "label": text("Sending the newsletter", "ニュースレターの送付"),
            "description": text("To send our news by e-mail", "メールでお知らせを送るため"),
            "items": ["name", "email"],
            "basis": "consent",
            "retention": "inquiry_3y",
        }
    )
    data["third_party"]["recipients"] = [
        {
            "id": "partner",
            "name": text("Partner K.K.", "パートナー株式会社"),
            "country": "JP",
            "items": ["name", "email"],
            "purposes": ["newsletter"],
        }
    ]
    data["third_party"]["opt_out"] = {
        "purpose": "newsletter",
        "items": ["name"],
        "acquisition_method": text("registration on our site"),
        "provision_method": text("electronic file"),
        "stop_on_request": True,
        "request_method": text("by e-mail"),
        "update_method": text("monthly"),
        "start_date": "2026-04-01",
        "ppc_filing": {"date": "2026-03-01", "reference": "PPC-0001"},
    }
    data["joint_use"] = [
        {
            "id": "group",
            "label": text("Group companies", "グループ会社"),
            "users": [{"name": text("Example Logistics K.K.", "エグザンプル物流株式会社")}],
            "scope": text("our consolidated subsidiaries", "当社の連結子会社"),
            "items": ["name", "email"],
            "purposes": ["inquiry_response"],
            "responsible": {
                "name": text("Example K.K.", "株式会社エグザンプル"),
                "address": text("1-1-1 Marunouchi", "丸の内一丁目1番1号"),
                "representative": text("Taro Yamada", "山田太郎"),
            },
        }
    ]
    data["modules"] = [
        {
            "id": "analytics",
            "name": "Example Analytics",
            "provider": "Analytics Inc.",
            "purpose": text("Measuring visits", "アクセス解析"),
            "items": ["cookie_id"],
        }
    ]
    data["statistics"] = [
        {
            "id": "monthly",
            "label": text("Monthly inquiry counts", "月次の問合せ件数"),
            "purpose": "inquiry_response",
            "items": ["age"],
        }
    ]
    data["anonymized"] = [
        {"id": "usage", "label": text("Usage data", "利用データ"), "items": ["age"]}
    ]
    return data


RICH: dict[str, Any] = Policy.model_validate(_rich()).model_dump(mode="json", by_alias=True)


# --- mutations, addressed by the same dotted paths the diff reports -------------------


def _steps(path: str) -> list[str]:
    return [a or b for a, b in re.findall(r"([a-z_]+)|\[([a-z0-9_]+)\]", path)]


def _child(node: Any, step: str) -> Any:
    if isinstance(node, list):
        return node[int(step)] if step.isdigit() else next(e for e in node if e["id"] == step)
    return node[step]


def at(data: Any, path: str) -> Any:
    for step in _steps(path):
        data = _child(data, step)
    return data


def put(path: str, value: Any) -> Mutation:
    *parent, last = _steps(path)

    def apply(data: dict[str, Any]) -> None:
        node: Any = data
        for step in parent:
            node = _child(node, step)
        if isinstance(node, list):
            node[node.index(_child(node, last))] = copy.deepcopy(value)
        else:
            node[last] = copy.deepcopy(value)

    return apply


def add(path: str, *values: Any) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        at(data, path).extend(copy.deepcopy(list(values)))

    return apply


def drop(path: str, value: Any = None) -> Mutation:
    """Remove a value from the list at `path`, or the list entry that `path` names."""

    def apply(data: dict[str, Any]) -> None:
        *parent, last = _steps(path)
        container: Any = at(data, ".".join(parent)) if parent else data
        if value is not None:
            container = _child(container, last)
            container.remove(value)
        else:
            container.remove(_child(container, last))

    return apply


def both(*mutations: Mutation) -> Mutation:
    def apply(data: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(data)

    return apply


def policy_of(data: dict[str, Any]) -> Policy:
    return Policy.model_validate(data)


def diff_of(new: Mutation, old: Mutation | None = None) -> PolicyDiff:
    """The diff from RICH (changed by `old`, if given) to that same policy changed by `new`."""
    before = copy.deepcopy(RICH)
    if old is not None:
        old(before)
    after = copy.deepcopy(before)
    new(after)
    return diff_policies(policy_of(before), policy_of(after))


def summary(result: PolicyDiff) -> list[tuple[str, str, str, str]]:
    return sorted((c.path, c.kind, c.change_class.value, c.article) for c in result.changes)


AD_PURPOSE = {
    "id": "ads",
    "label": text("Advertising", "広告配信"),
    "description": text("To show you advertisements", "広告を配信するため"),
    "items": ["email"],
}
OTHER_PURPOSE = {
    "id": "ad_research",
    "label": text("Advertising research", "広告の調査"),
    "description": text("To measure advertisements", "広告効果を測定するため"),
    "related_to": ["ads"],
}
RECIPIENT = {
    "id": "reseller",
    "name": text("Reseller Inc.", "リセラー社"),
    "country": "JP",
    "items": ["name"],
    "purposes": ["newsletter"],
}
MODULE = {
    "id": "tag",
    "name": "Example Tag",
    "provider": "Tag Inc.",
    "purpose": text("Measuring campaigns", "キャンペーン測定"),
}
VENDOR = {"id": "cloud", "name": text("Cloud K.K.", "クラウド株式会社"), "tasks": [text("hosting")]}
ITEM_FAX = {"id": "fax", "label": text("fax number", "FAX番号"), "kind": "contact"}
ITEM_RELIGION = {"id": "religion", "label": text("religion", "信条"), "special_care": True}
SOURCE = {
    "id": "event",
    "label": text("event sign-up sheet", "イベント申込用紙"),
    "kind": "paper",
    "items": ["name", "phone"],
}
NO_OPT_OUT = put("third_party.opt_out", None)
NO_JOINT_USE = put("joint_use", [])


def case(
    name: str, new: Mutation, *expected: tuple[str, str, str, str], old: Mutation | None = None
) -> Any:
    """`new` applied to RICH (first changed by `old`) yields exactly `expected`."""
    return pytest.param(new, old, list(expected), id=name)


CASES = [
    # Policy metadata, security, entrustment, statements, labels: editorial.
    case("version", put("policy.version", "1.1"), ("policy.version", "changed", E, "")),
    case("title", put("policy.title", text("Privacy Policy")), ("policy.title", "added", E, "")),
    case(
        "security-measure",
        add("security.technical", text("Logs are kept.")),
        ("security.technical[1]", "added", E, ART_23),
    ),
    case(
        "vendor-added",
        add("entrustment.vendors", VENDOR),
        ("entrustment.vendors[cloud]", "added", E, ART_25),
    ),
    case(
        "vendor-items",
        add("entrustment.vendors[mail_host].items", "phone"),
        ("entrustment.vendors[mail_host].items", "added", E, ART_25),
    ),
    case(
        "statement",
        add("statements", {"section": "general", "text": text("We care.")}),
        ("statements[0]", "added", E, ""),
    ),
    case(
        "item-label",
        put("items[name].label", text("full name", "氏名")),
        ("items[name].label", "changed", E, ""),
    ),
    case(
        "changes-section",
        put("changes.advance_notice_days", 30),
        ("changes.advance_notice_days", "added", E, ""),
    ),
    case(
        "leakage-section",
        put("leakage.notify_subjects", False),
        ("leakage.notify_subjects", "changed", E, ""),
    ),
    # Purposes: Art. 18(1) beyond the announced purposes, Art. 17(2)/21(3) within.
    case("purpose-new", add("purposes", AD_PURPOSE), ("purposes[ads]", "added", C, ART_18)),
    case(
        "purpose-new-related",
        add("purposes", {**AD_PURPOSE, "related_to": ["inquiry_response"]}),
        ("purposes[ads]", "added", N, ART_17),
    ),
    case(
        "purpose-related-only-to-a-new-purpose",
        add("purposes", AD_PURPOSE, OTHER_PURPOSE),
        ("purposes[ad_research]", "added", C, ART_18),
        ("purposes[ads]", "added", C, ART_18),
    ),
    case(
        "purpose-description",
        put("purposes[inquiry_response].description", text("To answer you")),
        ("purposes[inquiry_response].description", "changed", N, ART_17),
    ),
    case(
        "purpose-label",
        put("purposes[inquiry_response].label", text("Answering inquiries")),
        ("purposes[inquiry_response].label", "changed", N, ART_17),
    ),
    case(
        "purpose-details",
        add("purposes[inquiry_response].details", text("including by post")),
        ("purposes[inquiry_response].details[0]", "added", N, ART_17),
    ),
    case(
        "purpose-removed",
        drop("purposes[newsletter]"),
        ("purposes[newsletter]", "removed", N, ART_17),
    ),
    case(
        "basis-consent-to-announced",
        put("purposes[newsletter].basis", "announced"),
        ("purposes[newsletter].basis", "changed", C, ART_18),
    ),
    case(
        "basis-consent-to-opt-out",
        put("purposes[newsletter].basis", "opt_out"),
        ("purposes[newsletter].basis", "changed", C, ART_18),
    ),
    case(
        "basis-opt-out-to-announced",
        put("purposes[inquiry_response].basis", "announced"),
        ("purposes[inquiry_response].basis", "changed", C, ART_18),
        old=put("purposes[inquiry_response].basis", "opt_out"),
    ),
    case(
        "basis-announced-to-consent",
        put("purposes[inquiry_response].basis", "consent"),
        ("purposes[inquiry_response].basis", "changed", N, ART_17),
    ),
    case(
        "basis-announced-to-opt-out",
        put("purposes[inquiry_response].basis", "opt_out"),
        ("purposes[inquiry_response].basis", "changed", N, ART_17),
    ),
    case(
        "purpose-items-added",
        add("purposes[newsletter].items", "age"),
        ("purposes[newsletter].items", "added", C, ART_18),
    ),
    case(
        "purpose-items-removed",
        drop("purposes[inquiry_response].items", "phone"),
        ("purposes[inquiry_response].items", "removed", N, ART_17),
    ),
    case(
        "purpose-retention",
        put("purposes[newsletter].retention", None),
        ("purposes[newsletter].retention", "removed", N, ART_22),
    ),
    case(
        "retention-period",
        put("retention[inquiry_3y].period", "5y"),
        ("retention[inquiry_3y].period", "changed", N, ART_22),
    ),
    case(
        "retention-note",
        put("retention[inquiry_3y].note", text("kept for claims")),
        ("retention[inquiry_3y].note", "added", E, ""),
    ),
    case(
        "purpose-provision-on",
        put("purposes[newsletter].third_party_provision", True),
        ("purposes[newsletter].third_party_provision", "changed", C, "APPI Art. 18(1), 27(1)"),
    ),
    case(
        "purpose-provision-off",
        put("purposes[newsletter].third_party_provision", False),
        ("purposes[newsletter].third_party_provision", "changed", N, ART_17),
        old=put("purposes[newsletter].third_party_provision", True),
    ),
    # Items: Art. 20(2) special care-required, Art. 21 otherwise.
    case("item-special-care", add("items", ITEM_RELIGION), ("items[religion]", "added", C, ART_20)),
    case("item-ordinary", add("items", ITEM_FAX), ("items[fax]", "added", N, ART_21)),
    case(
        "item-becomes-special-care",
        put("items[age].special_care", True),
        ("items[age].special_care", "changed", C, ART_20),
    ),
    case(
        "item-no-longer-special-care",
        put("items[health].special_care", False),
        ("items[health].special_care", "changed", N, "APPI Art. 2(3), 20(2)"),
    ),
    case("item-removed", drop("items[age]"), ("items[age]", "removed", E, "")),
    # Sources: Art. 21(1)/(2).
    case("source-added", add("sources", SOURCE), ("sources[event]", "added", N, ART_21_SOURCE)),
    case(
        "source-items-added",
        add("sources[inquiry_form].items", "age"),
        ("sources[inquiry_form].items", "added", N, ART_21_SOURCE),
    ),
    case(
        "source-items-removed",
        drop("sources[inquiry_form].items", "phone"),
        ("sources[inquiry_form].items", "removed", E, ""),
    ),
    case(
        "source-label",
        put("sources[inquiry_form].label", text("contact form")),
        ("sources[inquiry_form].label", "changed", E, ""),
    ),
    # Third parties: Art. 27(1), 28(1), 27(2)/(3).
    case(
        "recipient-added",
        add("third_party.recipients", RECIPIENT),
        ("third_party.recipients[reseller]", "added", C, ART_27),
    ),
    case(
        "recipient-added-abroad",
        add("third_party.recipients", {**RECIPIENT, "country": "US"}),
        ("third_party.recipients[reseller]", "added", C, "APPI Art. 27(1), 28(1)"),
    ),
    case(
        "recipient-items-added",
        add("third_party.recipients[partner].items", "phone"),
        ("third_party.recipients[partner].items", "added", C, ART_27),
    ),
    case(
        "recipient-purposes-added",
        add("third_party.recipients[partner].purposes", "inquiry_response"),
        ("third_party.recipients[partner].purposes", "added", C, ART_27),
    ),
    case(
        "recipient-items-removed",
        drop("third_party.recipients[partner].items", "email"),
        ("third_party.recipients[partner].items", "removed", N, ART_27),
    ),
    case(
        "recipient-removed",
        drop("third_party.recipients[partner]"),
        ("third_party.recipients[partner]", "removed", N, ART_27),
    ),
    case(
        "recipient-moves-abroad",
        put("third_party.recipients[partner].country", "US"),
        ("third_party.recipients[partner].country", "changed", C, ART_28),
    ),
    case(
        "recipient-moves-home",
        put("third_party.recipients[partner].country", "JP"),
        ("third_party.recipients[partner].country", "changed", N, ART_27),
        old=put("third_party.recipients[partner].country", "US"),
    ),
    case(
        "recipient-moves-to-another-country",
        put("third_party.recipients[partner].country", "DE"),
        ("third_party.recipients[partner].country", "changed", C, ART_28),
        old=put("third_party.recipients[partner].country", "US"),
    ),
    case(
        "recipient-already-abroad-declared",
        put("third_party.recipients[partner].abroad", True),
        ("third_party.recipients[partner].abroad", "added", N, ART_27),
        old=put("third_party.recipients[partner].country", "US"),
    ),
    case(
        "recipient-declared-abroad",
        put("third_party.recipients[partner].abroad", True),
        ("third_party.recipients[partner].abroad", "added", C, ART_28),
    ),
    case(
        "recipient-renamed",
        put("third_party.recipients[partner].name", text("Partner Holdings K.K.")),
        ("third_party.recipients[partner].name", "changed", N, ART_27),
    ),
    case(
        "recipient-basis-opt-out",
        put("third_party.recipients[partner].basis", "opt_out"),
        ("third_party.recipients[partner].basis", "changed", N, ART_OPT_OUT),
    ),
    case(
        "exceptions",
        add("third_party.exceptions", "research"),
        ("third_party.exceptions", "added", N, ART_27),
    ),
    case(
        "other-grounds",
        add("third_party.other_grounds", text("for legitimate reasons")),
        ("third_party.other_grounds[0]", "added", N, ART_27),
    ),
    case(
        "not-third-party",
        add("third_party.not_third_party", "joint_use"),
        ("third_party.not_third_party", "added", E, "APPI Art. 27(5)"),
    ),
    case(
        "opt-out-added",
        put("third_party.opt_out", RICH["third_party"]["opt_out"]),
        ("third_party.opt_out", "added", N, ART_OPT_OUT),
        old=NO_OPT_OUT,
    ),
    case(
        "opt-out-items",
        add("third_party.opt_out.items", "email"),
        ("third_party.opt_out.items", "added", N, ART_OPT_OUT),
    ),
    case("opt-out-removed", NO_OPT_OUT, ("third_party.opt_out", "removed", N, ART_OPT_OUT)),
    case(
        "opt-out-filing-record",
        put("third_party.opt_out.ppc_filing.reference", "PPC-0002"),
        ("third_party.opt_out.ppc_filing.reference", "changed", E, "APPI Art. 27(2)"),
    ),
    # Joint use: Art. 27(5)(iii), 27(6).
    case(
        "joint-use-added",
        put("joint_use", RICH["joint_use"]),
        ("joint_use[group]", "added", C, ART_JOINT),
        old=NO_JOINT_USE,
    ),
    case("joint-use-removed", NO_JOINT_USE, ("joint_use[group]", "removed", N, ART_JOINT)),
    case(
        "joint-use-items-added",
        add("joint_use[group].items", "phone"),
        ("joint_use[group].items", "added", C, ART_JOINT),
    ),
    case(
        "joint-use-items-removed",
        drop("joint_use[group].items", "email"),
        ("joint_use[group].items", "removed", N, ART_JOINT),
    ),
    case(
        "joint-user-added",
        add("joint_use[group].users", {"name": text("Example Travel K.K.")}),
        ("joint_use[group].users[1]", "added", C, ART_JOINT),
    ),
    case(
        "joint-user-removed",
        put("joint_use[group].users", []),
        ("joint_use[group].users[0]", "removed", N, ART_JOINT),
    ),
    case(
        "joint-user-renamed",
        put("joint_use[group].users[0].name", text("Example Travel K.K.")),
        ("joint_use[group].users[0].name", "changed", C, ART_JOINT),
    ),
    case(
        "joint-user-url",
        put("joint_use[group].users[0].url", "https://logistics.example.co.jp/"),
        ("joint_use[group].users[0].url", "added", E, ""),
    ),
    case(
        "joint-use-scope",
        put("joint_use[group].scope", text("our group companies in Japan")),
        ("joint_use[group].scope", "changed", C, ART_JOINT),
    ),
    case(
        "joint-use-purposes",
        add("joint_use[group].purposes", "newsletter"),
        ("joint_use[group].purposes", "added", N, "APPI Art. 27(5)(iii), 27(6) (in advance)"),
    ),
    case(
        "joint-use-responsible",
        put("joint_use[group].responsible.representative", text("Hanako Sato", "佐藤花子")),
        (
            "joint_use[group].responsible.representative",
            "changed",
            N,
            "APPI Art. 27(5)(iii), 27(6) (without delay)",
        ),
    ),
    case(
        "joint-use-label",
        put("joint_use[group].label", text("Our group")),
        ("joint_use[group].label", "changed", E, ""),
    ),
    # Modules: Telecommunications Business Act Art. 27-12; APPI Art. 31.
    case("module-added", add("modules", MODULE), ("modules[tag]", "added", N, ART_TBA)),
    case(
        "module-added-behavioural",
        add("modules", {**MODULE, "behavioural_advertising": True}),
        ("modules[tag]", "added", C, ART_31),
    ),
    case(
        "module-added-consent-required",
        add("modules", {**MODULE, "consent_required": True}),
        ("modules[tag]", "added", C, ART_31),
    ),
    case("module-removed", drop("modules[analytics]"), ("modules[analytics]", "removed", E, "")),
    case(
        "module-becomes-behavioural",
        put("modules[analytics].behavioural_advertising", True),
        ("modules[analytics].behavioural_advertising", "changed", C, ART_31),
    ),
    case(
        "module-stops-behavioural",
        put("modules[analytics].behavioural_advertising", False),
        ("modules[analytics].behavioural_advertising", "changed", N, ART_TBA),
        old=put("modules[analytics].behavioural_advertising", True),
    ),
    case(
        "module-items",
        add("modules[analytics].items", "email"),
        ("modules[analytics].items", "added", N, ART_TBA),
    ),
    case(
        "module-items-behavioural",
        add("modules[analytics].items", "email"),
        ("modules[analytics].items", "added", C, ART_31),
        old=put("modules[analytics].behavioural_advertising", True),
    ),
    case(
        "module-provider",
        put("modules[analytics].provider", "Other Analytics Inc."),
        ("modules[analytics].provider", "changed", N, ART_TBA),
    ),
    case(
        "module-name",
        put("modules[analytics].name", "Example Analytics 4"),
        ("modules[analytics].name", "changed", E, ""),
    ),
    # The public notice (Art. 32(1)).
    case(
        "organization-name",
        put("organization.name", text("Example Holdings K.K.", "株式会社エグザンプルHD")),
        ("organization.name", "changed", N, ART_32_I),
    ),
    case(
        "organization-representative",
        put("organization.representative", text("Hanako Sato", "佐藤花子")),
        ("organization.representative", "changed", N, ART_32_I),
    ),
    case(
        "contact",
        put("organization.contact.email", "privacy-desk@example.co.jp"),
        ("organization.contact.email", "changed", N, ART_32),
    ),
    case(
        "complaint-contact",
        put("organization.complaint_contact.hours.close", "17:00"),
        ("organization.complaint_contact.hours.close", "changed", N, ART_32_IV),
    ),
    case(
        "accredited-organization",
        put("organization.accredited_organization", {"name": text("Example Association")}),
        ("organization.accredited_organization", "added", N, ART_32_IV),
    ),
    case(
        "request-response-days",
        put("requests.response_days", 10),
        ("requests.response_days", "changed", N, ART_32_III),
    ),
    case(
        "organization-url",
        put("organization.url", "https://example.com/"),
        ("organization.url", "changed", E, ""),
    ),
    case(
        "request-channels",
        add("requests.channels", "post"),
        ("requests.channels", "added", N, ART_32_III),
    ),
    case(
        "request-fees",
        put("requests.fees", {"amounts": {"disclosure": 1000}}),
        ("requests.fees", "added", N, "APPI Art. 32(1)(iii), 38"),
    ),
    case(
        "request-note",
        put("requests.note", text("We answer in Japanese.")),
        ("requests.note", "added", E, ""),
    ),
    # Statistics and anonymised datasets: Art. 43(3), (4).
    case(
        "statistics-added",
        add("statistics", {**at(RICH, "statistics[monthly]"), "id": "yearly"}),
        ("statistics[yearly]", "added", E, ""),
    ),
    case(
        "statistics-items",
        add("statistics[monthly].items", "email"),
        ("statistics[monthly].items", "added", E, ""),
    ),
    case(
        "anonymized-added",
        add("anonymized", {"id": "visits", "label": text("Visits"), "items": ["cookie_id"]}),
        ("anonymized[visits]", "added", N, ART_43),
    ),
    case(
        "anonymized-items",
        add("anonymized[usage].items", "cookie_id"),
        ("anonymized[usage].items", "added", N, ART_43),
    ),
    case(
        "anonymized-provided",
        add("anonymized[usage].provided_to", text("Research Institute")),
        ("anonymized[usage].provided_to[0]", "added", N, "APPI Art. 43(4)"),
    ),
    case(
        "anonymized-label",
        put("anonymized[usage].label", text("Service usage data")),
        ("anonymized[usage].label", "changed", E, ""),
    ),
    case("anonymized-removed", drop("anonymized[usage]"), ("anonymized[usage]", "removed", E, "")),
]


def test_rich_base_is_a_valid_policy() -> None:
    assert broken_references(policy_of(RICH)) == []


@pytest.mark.parametrize(("new", "old", "expected"), CASES)
def test_rule(
    new: Mutation, old: Mutation | None, expected: list[tuple[str, str, str, str]]
) -> None:
    assert summary(diff_of(new, old)) == sorted(expected)


# --- no change where there is none ---------------------------------------------------


def test_identical_policies_have_no_changes() -> None:
    result = diff_policies(STARTER_POLICY, load_policy_text(STARTER_TEXT).policy)
    assert result.changes == ()
    assert result.highest is None
    assert not result.requires_consent
    assert not result.requires_notice
    assert result.to_dict()["changes"] == []


def test_reordering_entries_with_ids_and_lists_of_ids_is_no_change() -> None:
    def reorder(data: dict[str, Any]) -> None:
        for key in ("items", "purposes", "modules"):
            data[key].reverse()
        data["third_party"]["recipients"].reverse()
        at(data, "purposes[inquiry_response].items").reverse()
        at(data, "sources[inquiry_form].items").reverse()
        data["organization"]["contact"]["channels"].reverse()
        data["third_party"]["exceptions"].reverse()

    assert diff_of(reorder).changes == ()


def test_reordering_texts_is_an_editorial_change() -> None:
    def reverse(data: dict[str, Any]) -> None:
        data["security"]["technical"].reverse()

    result = diff_of(reverse, add("security.technical", text("Logs are kept.")))
    (change,) = result.changes
    assert (change.path, change.kind, change.change_class) == (
        "security.technical",
        "changed",
        "editorial",
    )
    assert "order" in change.message


# --- nothing is ever silently ignored ---------------------------------------------------

OBSCURE = [
    put("items[email].lookup", False),
    put("items[name].financial_risk", True),
    put("organization.contact.hours.open", "09:30"),
    put("compliance.precedence", {"other_documents": text("the terms of use")}),
    put("publication.url", "https://example.co.jp/privacy"),
    put("purposes[inquiry_response].actors", ["support_team"]),
    put("policy.authoritative_language", "en"),
    put("sources[inquiry_form].purpose_notice.method", "service_page"),
    put("entrustment.vendors[mail_host].audit_interval", "2y"),
    put("retention[inquiry_3y].from", "collection"),
    put("requests.agents.documents", []),
    put("changes.consent_when_required", False),
    put("security.foreign_environment", {"countries": [{"country": "US"}]}),
    put("third_party.recipients[partner].government", True),
    put("joint_use[group].since", "2026-04-01"),
    put("modules[analytics].opt_out_url", "https://analytics.example/opt-out"),
]


@pytest.mark.parametrize("mutation", OBSCURE)
def test_a_difference_in_any_field_is_a_change(mutation: Mutation) -> None:
    result = diff_of(mutation)
    assert result.changes
    assert all(c.message and c.path for c in result.changes)


class FuturePolicy(Policy):
    """A later schema with a field no rule knows yet."""

    review_cycle: str | None = None


def test_a_field_without_a_rule_is_still_reported() -> None:
    old = FuturePolicy.model_validate(RICH)
    new = FuturePolicy.model_validate({**RICH, "review_cycle": "yearly"})
    (change,) = diff_policies(old, new).changes
    assert (change.path, change.kind, change.change_class) == ("review_cycle", "added", "editorial")
    assert "No hogo rule classifies this field" in change.message


def _normal(value: Any) -> Any:
    """What the walk treats as equal: entries with ids and plain values are sets."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        ids = [e.get("id") for e in value if isinstance(e, dict)]
        if (
            len(ids) == len(value)
            and all(isinstance(i, str) for i in ids)
            and len(set(ids)) == len(ids)
        ):
            return ("ids", {e["id"]: _normal(e) for e in value})
        if not any(isinstance(v, dict | list) for v in value):
            return ("set", Counter(json.dumps(v) for v in value))
        return [_normal(v) for v in value]
    return value


_SCALARS = st.none() | st.integers(-2, 2) | st.sampled_from(["a", "b", "c"])
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["ja", "en", "x", "y"]), inner, max_size=3)
        | st.lists(
            st.fixed_dictionaries({"id": st.sampled_from(["p", "q", "r"]), "v": inner}),
            max_size=3,
            unique_by=lambda e: e["id"],
        )
    ),
    max_leaves=12,
)


@given(_JSON, _JSON)
def test_the_walk_reports_a_difference_exactly_when_the_values_differ(old: Any, new: Any) -> None:
    assert bool(list(walk(old, new))) == (_normal(old) != _normal(new))


@given(_JSON)
def test_the_walk_finds_nothing_between_a_value_and_itself(value: Any) -> None:
    assert list(walk(value, copy.deepcopy(value))) == []


# --- changes read from the YAML text itself --------------------------------------------


def test_changes_in_the_yaml_text() -> None:
    revised = STARTER_TEXT.replace('version: "1.0"', 'version: "1.1"').replace(
        "basis: announced", "basis: consent"
    )
    result = diff_policies(STARTER_POLICY, load_policy_text(revised).policy)
    assert summary(result) == [
        ("policy.version", "changed", E, ""),
        ("purposes[inquiry_response].basis", "changed", N, ART_17),
    ]
    assert result.highest is ChangeClass.NOTIFY
    assert result.requires_notice and not result.requires_consent


# --- the report ------------------------------------------------------------------------


def test_messages_name_the_thing_by_id_and_label() -> None:
    (change,) = diff_of(add("purposes", AD_PURPOSE)).changes
    assert change.message.startswith('Purpose ads ("Advertising") was added.')
    assert "consent" in change.message
    (change,) = diff_of(add("purposes[newsletter].items", "age")).changes
    assert change.message.startswith(
        'Purpose newsletter ("Sending the newsletter"): "age" was added to items.'
    )
    (change,) = diff_of(put("organization.contact.email", "desk@example.co.jp")).changes
    assert change.message.startswith("organization.contact.email changed from")
    (change,) = diff_of(drop("purposes[newsletter]")).changes
    assert 'newsletter ("Sending the newsletter") was removed' in change.message


def test_changes_are_sorted_most_demanding_first_then_by_path() -> None:
    result = diff_of(
        both(
            put("policy.version", "2.0"),
            add("purposes", AD_PURPOSE),
            put("organization.name", text("New K.K.")),
            add("items", ITEM_FAX, ITEM_RELIGION),
        )
    )
    assert [(c.change_class.value, c.path) for c in result.changes] == [
        (C, "items[religion]"),
        (C, "purposes[ads]"),
        (N, "items[fax]"),
        (N, "organization.name"),
        (E, "policy.version"),
    ]
    assert result.highest is ChangeClass.CONSENT
    assert result.requires_consent and result.requires_notice


def test_editorial_changes_need_neither_notice_nor_consent() -> None:
    result = diff_of(put("policy.version", "1.1"))
    assert result.highest is ChangeClass.EDITORIAL
    assert not result.requires_notice and not result.requires_consent


def test_change_classes_order_by_severity() -> None:
    severities = [
        c.severity for c in (ChangeClass.EDITORIAL, ChangeClass.NOTIFY, ChangeClass.CONSENT)
    ]
    assert severities == sorted(severities) and len(set(severities)) == 3


def test_to_dict_is_json() -> None:
    result = diff_of(
        both(
            add("purposes", AD_PURPOSE),
            put("requests.fees", {"amounts": {"disclosure": 1000}}),
            put("retention[inquiry_3y].period", "5y"),
            put("third_party.opt_out.start_date", "2026-05-01"),
        )
    )
    data = result.to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["highest"] == "consent" and data["requires_consent"] is True
    changes = data["changes"]
    assert isinstance(changes, list)
    first = changes[0]
    assert set(first) == {"path", "kind", "change_class", "article", "message", "old", "new"}
    assert first["path"] == "purposes[ads]" and first["new"]["id"] == "ads"
