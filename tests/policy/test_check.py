"""Every rule fires on a policy broken in exactly its way, and stays silent otherwise."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import yaml

from hogo.policy.check import all_rules, check_policy
from hogo.policy.loader import load_policy_text
from tests.conftest import FIXTURES

TODAY = date(2026, 11, 24)
KINDS = [
    "purpose_notice",
    "disclosure",
    "provision_records",
    "correction",
    "addition",
    "deletion",
    "suspension_of_use",
    "erasure",
    "stop_provision",
]
BASE: dict[str, Any] = yaml.safe_load((FIXTURES / "full.yaml").read_text("utf-8"))

Mutation = Callable[[dict[str, Any]], None]


def findings_for(mutate: Mutation | None = None, today: date = TODAY) -> list[Any]:
    data = copy.deepcopy(BASE)
    if mutate is not None:
        mutate(data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return check_policy(load_policy_text(text, "p.yaml", strict=False), today=today)


def rule_ids(mutate: Mutation | None = None, today: date = TODAY) -> set[str]:
    return {f.rule for f in findings_for(mutate, today)}


def purpose(data: dict[str, Any], pid: str) -> dict[str, Any]:
    return next(p for p in data["purposes"] if p["id"] == pid)


def recipient(data: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(r for r in data["third_party"]["recipients"] if r["id"] == rid)


def vendor(data: dict[str, Any]) -> dict[str, Any]:
    return data["entrustment"]["vendors"][0]


def _add_item(
    data: dict[str, Any], item: dict[str, Any], *, collect: bool, use: str | None
) -> None:
    data["items"].append(item)
    if collect:
        data["sources"][0]["items"].append(item["id"])
    if use:
        purpose(data, use)["items"].append(item["id"])


def dataset(data: dict[str, Any]) -> dict[str, Any]:
    first: dict[str, Any] = data["anonymized"][0]
    return first


def generalize(data: dict[str, Any], item: str, spec: Any) -> None:
    dataset(data)["items"].append(item)
    dataset(data).setdefault("generalizations", {})[item] = spec


def _free_text_in_dataset(data: dict[str, Any]) -> None:
    item = {"id": "review", "label": {"ja": "レビュー", "en": "review"}, "kind": "free_text"}
    _add_item(data, item, collect=True, use="orders")
    dataset(data)["items"].append("review")


FIRES: dict[str, Mutation] = {
    "HG001": lambda d: purpose(d, "orders")["items"].append("fax"),
    "HG002": lambda d: recipient(d, "partner_us")["purposes"].append("profiling"),
    "HG003": lambda d: purpose(d, "orders").update(retention="ten_years"),
    "HG004": lambda d: d["retention"].append(
        {"id": "seven_years", "period": "1y", "from": "collection"}
    ),
    "HG005": lambda d: _add_item(
        d, {"id": "fax", "label": {"ja": "FAX番号", "en": "fax number"}}, collect=True, use=None
    ),
    "HG006": lambda d: _add_item(
        d,
        {"id": "fax", "label": {"ja": "FAX番号", "en": "fax number"}},
        collect=False,
        use="orders",
    ),
    "HG007": lambda d: purpose(d, "orders").pop("retention"),
    "HG008": lambda d: purpose(d, "wellness").update(basis="announced"),
    "HG009": lambda d: purpose(d, "orders").update(
        description={"ja": "事業活動に用いるため", "en": "For business activities"}
    ),
    "HG010": lambda d: d["sources"][0].pop("purpose_notice"),
    "HG011": lambda d: d["items"].append({"id": "fax", "label": {"ja": "FAX番号", "en": "fax"}}),
    "HG012": lambda d: d["third_party"]["opt_out"]["items"].append("health"),
    "HG013": lambda d: d["third_party"]["opt_out"].pop("update_method"),
    "HG014": lambda d: d["third_party"]["opt_out"].pop("ppc_filing"),
    "HG015": lambda d: d["third_party"].pop("opt_out"),
    "HG016": lambda d: recipient(d, "partner_us").update(country=None, abroad=True),
    "HG017": lambda d: recipient(d, "partner_us").pop("foreign_system"),
    "HG018": lambda d: recipient(d, "partner_us")["items"].append("purchases"),
    "HG019": lambda d: vendor(d).pop("confidentiality_clause"),
    "HG020": lambda d: vendor(d).update(last_audit="2025-10-01"),
    "HG021": lambda d: vendor(d).pop("sub_entrustment"),
    "HG022": lambda d: d["joint_use"][0]["responsible"].pop("representative"),
    "HG023": lambda d: d["joint_use"][0].update(items=[]),
    "HG024": lambda d: d["modules"][0].pop("opt_out_url"),
    "HG025": lambda d: d["organization"].pop("complaint_contact"),
    "HG026": lambda d: d["organization"].pop("representative"),
    "HG027": lambda d: d["organization"].pop("contact"),
    "HG028": lambda d: d["requests"]["fees"]["amounts"].update(correction=1000),
    "HG029": lambda d: d["security"].pop("physical"),
    "HG030": lambda d: d["security"].pop("foreign_environment"),
    "HG031": lambda d: d["requests"].update(response_days=30),
    "HG032": lambda d: d["policy"].update(last_revised="2019-01-01"),
    "HG033": lambda d: d["statistics"][0]["items"].append("health"),
    "HG034": lambda d: d["third_party"].update(
        other_grounds=[{"ja": "正当な理由がある場合", "en": "for legitimate reasons"}]
    ),
    "HG035": lambda d: d["requests"].update(kinds=["disclosure", "correction"]),
    "HG036": lambda d: d["organization"]["complaint_contact"].update(channels=[], email=None),
    "HG037": lambda d: recipient(d, "list_broker").pop("address"),
    "HG040": lambda d: dataset(d)["items"].append("name"),
    "HG041": lambda d: dataset(d)["items"].append("email"),
    "HG042": lambda d: generalize(d, "email", "age5"),
    "HG043": lambda d: dataset(d).update(provided_to=[{"ja": "研究機関", "en": "researchers"}]),
    "HG044": lambda d: _free_text_in_dataset(d),
}


def test_at_least_twenty_rules_with_stable_ids() -> None:
    ids = [r.id for r in all_rules()]
    assert len(ids) >= 20
    assert ids == sorted(ids)
    assert all(r.article and r.title_en and r.title_ja for r in all_rules())


def test_every_rule_has_a_firing_test() -> None:
    assert set(FIRES) == {r.id for r in all_rules()}


def test_the_full_policy_has_no_findings() -> None:
    assert findings_for() == []


# Breaking one thing may legitimately break another promise too.
ALSO_FIRES = {"HG026": {"HG013"}}  # an opt-out provider must name its representative too


@pytest.mark.parametrize("rule_id", sorted(FIRES))
def test_rule_fires(rule_id: str) -> None:
    findings = findings_for(FIRES[rule_id])
    assert {f.rule for f in findings} == {rule_id} | ALSO_FIRES.get(rule_id, set())
    finding = next(f for f in findings if f.rule == rule_id)
    assert finding.line > 0 and finding.file == "p.yaml"
    assert finding.message and finding.article


# Near misses: the situation a rule is about, done right, must not fire it.
NEAR_MISSES: list[tuple[str, Mutation, date]] = [
    ("HG041", lambda d: generalize(d, "email", "email_domain"), TODAY),
    ("HG042", lambda d: generalize(d, "email", "email_domain"), TODAY),
    ("HG042", lambda d: generalize(d, "email", {"a@b.jp": ["b.jp", "*"]}), TODAY),
    (
        "HG043",
        lambda d: dataset(d).update(
            provided_to=[{"ja": "研究機関", "en": "researchers"}],
            provision_method={"ja": "暗号化して送付", "en": "sent encrypted"},
        ),
        TODAY,
    ),
    ("HG008", lambda d: purpose(d, "wellness").update(basis="consent"), TODAY),
    (
        "HG009",
        lambda d: purpose(d, "orders").update(
            description={
                "ja": "マーケティング活動として新商品の案内をメールで送るため",
                "en": "To e-mail you about new products as part of marketing",
            }
        ),
        TODAY,
    ),
    (
        "HG010",
        lambda d: d["sources"][0].update(
            direct=False, provider={"ja": "提携先", "en": "a partner"}
        ),
        TODAY,
    ),
    ("HG010", lambda d: d["sources"][0].update(in_writing=False), TODAY),
    ("HG016", lambda d: recipient(d, "partner_us").update(abroad=True), TODAY),
    ("HG017", lambda d: recipient(d, "list_broker").pop("foreign_system", None), TODAY),
    ("HG020", lambda d: vendor(d).update(last_audit="2025-11-24"), TODAY),  # due today: not overdue
    ("HG020", lambda d: vendor(d).pop("audit_interval"), TODAY),
    (
        "HG024",
        lambda d: d["modules"][0].update(behavioural_advertising=False, opt_out_url=None),
        TODAY,
    ),
    ("HG028", lambda d: d["requests"]["fees"]["amounts"].update(provision_records=300), TODAY),
    ("HG028", lambda d: d["requests"]["fees"]["amounts"].update(correction=0), TODAY),
    ("HG031", lambda d: d["requests"].update(response_days=14), TODAY),
    ("HG032", lambda d: d["policy"].update(last_revised="2020-04-01"), TODAY),
    (
        "HG037",
        lambda d: recipient(d, "partner_us").pop("address"),
        TODAY,
    ),  # by consent: name suffices
    (
        "HG034",
        lambda d: d["third_party"].update(
            exceptions=["law", "life", "public_health", "state", "research"]
        ),
        TODAY,
    ),
    (
        "HG035",
        lambda d: d["requests"].update(
            kinds=list(reversed(BASE["requests"].get("kinds") or KINDS))
        ),
        TODAY,
    ),
    (
        "HG036",
        lambda d: d["organization"]["complaint_contact"].update(
            channels=["post"], email=None, postal_address={"ja": "東京都", "en": "Tokyo"}
        ),
        TODAY,
    ),
]


@pytest.mark.parametrize(("rule_id", "mutate", "today"), NEAR_MISSES)
def test_rule_does_not_fire_on_near_miss(rule_id: str, mutate: Mutation, today: date) -> None:
    assert rule_id not in rule_ids(mutate, today)


def test_audit_overdue_depends_on_today() -> None:
    overdue_tomorrow = lambda d: vendor(d).update(last_audit="2025-11-24")  # noqa: E731
    assert "HG020" not in rule_ids(overdue_tomorrow, date(2026, 11, 24))
    assert "HG020" in rule_ids(overdue_tomorrow, date(2026, 11, 25))


def test_never_audited_vendor_is_overdue_once_the_interval_has_passed() -> None:
    never = lambda d: vendor(d).pop("last_audit")  # noqa: E731
    assert "HG020" in rule_ids(never, date(2021, 4, 2))
    assert "HG020" not in rule_ids(never, date(2021, 3, 31))


def test_opt_out_reports_each_missing_item_and_the_providers_details() -> None:
    def strip(d: dict[str, Any]) -> None:
        d["third_party"]["opt_out"] = {"items": ["name"]}
        d["organization"].pop("address")

    messages = [f.message for f in findings_for(strip) if f.rule == "HG013"]
    for key in (
        "purpose",
        "acquisition_method",
        "provision_method",
        "stop_on_request",
        "request_method",
        "update_method",
        "start_date",
        "address",
    ):
        assert any(key in m for m in messages), key


def test_reference_findings_name_both_ends_and_suggest() -> None:
    findings = findings_for(lambda d: purpose(d, "orders")["items"].append("emial"))
    (hg001,) = [f for f in findings if f.rule == "HG001"]
    assert "purpose 'orders'" in hg001.message and "'emial'" in hg001.message
    assert "did you mean 'email'" in hg001.message
    assert hg001.path == "purposes[0].items[4]"


def test_finding_points_at_the_line_of_the_offending_value() -> None:
    text = (
        (FIXTURES / "full.yaml")
        .read_text("utf-8")
        .replace("retention: seven_years", "retention: ten_years")
    )
    findings = check_policy(load_policy_text(text, "full.yaml", strict=False), today=TODAY)
    (hg003,) = [f for f in findings if f.rule == "HG003"]
    line = text.splitlines()[hg003.line - 1]
    assert "ten_years" in line


def test_errors_sort_before_warnings() -> None:
    def two(d: dict[str, Any]) -> None:
        purpose(d, "orders").pop("retention")  # warning
        d["organization"].pop("complaint_contact")  # error

    severities = [f.severity.value for f in findings_for(two)]
    assert severities == sorted(severities)  # "error" < "warning"
