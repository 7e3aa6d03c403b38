"""Provision to third parties (Arts. 27-29) and receipt (Art. 30), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.services.collect import Collection, collect
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger
from hogo.services.policy_versions import publish
from hogo.services.provision import (
    list_provisions,
    list_receipts,
    parse_basis,
    provide,
    provisions_csv,
    receipts_csv,
    receive,
    records_json,
)
from hogo.services.provision_records import PROVISION_COLUMNS
from tests.conftest import FIXTURES

TODAY = date(2026, 11, 24)  # the fixture clock
IN_THREE_YEARS = date(2029, 11, 24)


def counts(ledger: Ledger) -> dict[str, int]:
    """Rows in every table of the ledger."""
    with ledger.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in t.metadata.sorted_tables
        }


def publish_variant(
    ledger: Ledger, tmp_path: Path, change: Callable[[dict[str, Any]], None]
) -> None:
    """Publish full.yaml changed by `change`, in force from 2026-06-01 (before the clock)."""
    data = yaml.safe_load((FIXTURES / "full.yaml").read_text("utf-8"))
    change(data)
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    publish(ledger, path, actor="officer", effective=date(2026, 6, 1), allow_errors=True)


def recipient(data: dict[str, Any], recipient_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        r for r in data["third_party"]["recipients"] if r["id"] == recipient_id
    )
    return found


def broker_with_address(data: dict[str, Any]) -> None:
    broker = recipient(data, "list_broker")
    broker["address"] = {"ja": "東京都中央区銀座一丁目1番1号", "en": "1-1-1 Ginza, Chuo-ku, Tokyo"}
    broker["representative"] = {"ja": "代表取締役 名簿太郎", "en": "Taro Meibo, CEO"}


@pytest.fixture
def opt_out_ready(ledger: Ledger, tmp_path: Path) -> Ledger:
    """full.yaml with an address and a representative for the opt-out recipient."""
    publish_variant(ledger, tmp_path, broker_with_address)
    return ledger


def subject(ledger: Ledger, email: str = "hanako@example.jp", **consents: bool) -> str:
    return collect(
        ledger,
        Collection("shop", {"name": "佐藤花子", "email": email}, consents=consents),
        actor="shop-app",
    ).subject_id


def last_audit(ledger: Ledger) -> Any:
    with ledger.engine.connect() as conn:
        return conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()


def refused(ledger: Ledger, code: str, *args: Any, **kwargs: Any) -> Refused:
    """Call provide, expect a refusal with `code`, and check nothing was written."""
    before = counts(ledger)
    with pytest.raises(Refused) as info:
        provide(ledger, *args, **kwargs)
    assert info.value.code == code, info.value.message
    assert counts(ledger) == before
    return info.value


# --- basis parsing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("consent", "consent"),
        ("opt-out", "opt_out"),
        ("opt_out", "opt_out"),
        ("exception:law", "exception:law"),
        ("exception:public-health", "exception:public_health"),
        ("exception:public_health", "exception:public_health"),
        (" Exception:Research ", "exception:research"),
    ],
)
def test_bases_are_read_with_dashes_or_underscores(text: str, expected: str) -> None:
    assert str(parse_basis(text)) == expected


@pytest.mark.parametrize("text", ["", "contract", "exception", "exception:", "exception:whim"])
def test_unknown_bases_are_bad_input(text: str) -> None:
    with pytest.raises(BadInput, match="unknown basis"):
        parse_basis(text)


# --- consent ------------------------------------------------------------------------------


def test_consent_provision_records_exactly_what_art_29_requires(ledger: Ledger) -> None:
    s = subject(ledger, newsletter=True)
    result = provide(
        ledger, [s], recipient="partner_us", items=["name", "email"], basis="consent", actor="ops"
    )
    assert result.recorded and result.kind == "provision" and len(result.record_ids) == 1
    assert result.retain_until == IN_THREE_YEARS
    (record,) = list_provisions(ledger)
    assert record.id == result.record_ids[0]
    assert (record.subject_id, record.recipient, record.basis) == (s, "partner_us", "consent")
    assert record.recipient_name == "パートナー社"  # the authoritative language (ja)
    assert record.items == ("name", "email")
    assert record.consent_confirmed is True
    # Rules Art. 20(1)(ii): no date, no address or representative for a consent provision.
    assert record.provided_on is None
    assert record.recipient_address is None and record.recipient_representative is None
    assert record.retain_until == IN_THREE_YEARS
    entry = last_audit(ledger)
    assert (entry.action, entry.outcome, entry.subject_id, entry.reason) == (
        "provide",
        "done",
        s,
        "consent",
    )
    assert entry.detail["recipient"] == "partner_us" and entry.detail["abroad"] is True
    assert entry.detail["record_id"] == record.id


def test_consent_provision_needs_the_subjects_consent(ledger: Ledger) -> None:
    without = subject(ledger)
    error = refused(
        ledger,
        "consent_missing",
        [without],
        recipient="partner_us",
        items=["email"],
        basis="consent",
        actor="ops",
    )
    assert "not recorded" in error.message
    withdrawn = subject(ledger, "w@example.jp", newsletter=False)
    error = refused(
        ledger,
        "consent_missing",
        [withdrawn],
        recipient="partner_us",
        items=["email"],
        basis="consent",
        actor="ops",
    )
    assert "withdrawn" in error.message


def test_the_latest_consent_counts(ledger: Ledger) -> None:
    s = subject(ledger, newsletter=False)
    collect(
        ledger,
        Collection("shop", {"email": "hanako@example.jp"}, consents={"newsletter": True}),
        actor="shop-app",
    )
    assert provide(
        ledger, [s], recipient="partner_us", items=["email"], basis="consent", actor="ops"
    ).recorded


def test_a_batch_is_provided_whole_or_not_at_all(ledger: Ledger) -> None:
    yes = subject(ledger, "a@example.jp", newsletter=True)
    no = subject(ledger, "b@example.jp")
    error = refused(
        ledger,
        "consent_missing",
        [yes, no],
        recipient="partner_us",
        items=["email"],
        basis="consent",
        actor="ops",
    )
    assert no in error.message
    both = subject(ledger, "c@example.jp", newsletter=True)
    result = provide(
        ledger,
        [yes, both, yes],
        recipient="partner_us",
        items=["email"],
        basis="consent",
        actor="o",
    )
    assert result.subject_ids == (yes, both) and len(result.record_ids) == 2
    assert [r.subject_id for r in list_provisions(ledger)] == [yes, both]


def test_consent_basis_must_be_the_recipients(ledger: Ledger) -> None:
    s = subject(ledger, list_sales=True)
    refused(
        ledger,
        "basis_not_declared_for_recipient",
        [s],
        recipient="list_broker",
        items=["email"],
        basis="consent",
        actor="ops",
    )


def test_items_must_be_declared_for_the_recipient(ledger: Ledger) -> None:
    s = subject(ledger, newsletter=True)
    error = refused(
        ledger,
        "item_not_declared_for_recipient",
        [s],
        recipient="partner_us",
        items=["name", "purchases"],
        basis="consent",
        actor="ops",
    )
    assert "purchases" in error.message


# --- opt-out --------------------------------------------------------------------------------


def test_opt_out_provision_records_date_and_recipients_address(opt_out_ready: Ledger) -> None:
    ledger = opt_out_ready
    s = subject(ledger)
    result = provide(
        ledger, [s], recipient="list_broker", items=["name", "email"], basis="opt-out", actor="ops"
    )
    assert result.recorded and result.basis == "opt_out" and result.provided_on == TODAY
    (record,) = list_provisions(ledger)
    assert record.basis == "opt_out"
    # Rules Art. 20(1)(i): the date, the recipient's name, address and representative.
    assert record.provided_on == TODAY
    assert record.recipient_name == "名簿社"
    assert record.recipient_address == "東京都中央区銀座一丁目1番1号"
    assert record.recipient_representative == "代表取締役 名簿太郎"
    assert record.consent_confirmed is False
    assert (record.subject_id, record.items) == (s, ("name", "email"))
    assert record.retain_until == IN_THREE_YEARS


def test_opt_out_record_needs_the_recipients_address(ledger: Ledger, tmp_path: Path) -> None:
    # hogo check reports this policy (HG037); published anyway, provision still refuses.
    publish_variant(ledger, tmp_path, lambda data: recipient(data, "list_broker").pop("address"))
    s = subject(ledger)
    refused(
        ledger,
        "recipient_address_missing",
        [s],
        recipient="list_broker",
        items=["email"],
        basis="opt_out",
        actor="ops",
    )


def test_opt_out_needs_a_ppc_filing(ledger: Ledger, tmp_path: Path) -> None:
    def unfiled(data: dict[str, Any]) -> None:
        broker_with_address(data)
        del data["third_party"]["opt_out"]["ppc_filing"]

    publish_variant(ledger, tmp_path, unfiled)
    s = subject(ledger)
    refused(
        ledger,
        "opt_out_not_filed",
        [s],
        recipient="list_broker",
        items=["email"],
        basis="opt_out",
        actor="ops",
    )


def test_opt_out_filed_after_today_is_not_filed_in_advance(ledger: Ledger, tmp_path: Path) -> None:
    def later(data: dict[str, Any]) -> None:
        broker_with_address(data)
        data["third_party"]["opt_out"]["ppc_filing"]["date"] = date(2026, 12, 1)

    publish_variant(ledger, tmp_path, later)
    s = subject(ledger)
    refused(
        ledger,
        "opt_out_not_filed",
        [s],
        recipient="list_broker",
        items=["email"],
        basis="opt_out",
        actor="ops",
    )


def test_opt_out_not_before_its_announced_start(ledger: Ledger, tmp_path: Path) -> None:
    def later(data: dict[str, Any]) -> None:
        broker_with_address(data)
        data["third_party"]["opt_out"]["start_date"] = date(2027, 1, 1)

    publish_variant(ledger, tmp_path, later)
    s = subject(ledger)
    refused(
        ledger,
        "opt_out_not_started",
        [s],
        recipient="list_broker",
        items=["email"],
        basis="opt_out",
        actor="ops",
    )


def test_opt_out_basis_must_be_the_recipients(opt_out_ready: Ledger) -> None:
    s = subject(opt_out_ready, newsletter=True)
    refused(
        opt_out_ready,
        "basis_not_declared_for_recipient",
        [s],
        recipient="partner_us",
        items=["email"],
        basis="opt_out",
        actor="ops",
    )


def test_special_care_data_is_never_provided_by_opt_out(opt_out_ready: Ledger) -> None:
    s = collect(
        opt_out_ready,
        Collection(
            "shop", {"email": "h@example.jp", "health": "良好"}, consents={"wellness": True}
        ),
        actor="shop-app",
    ).subject_id
    error = refused(
        opt_out_ready,
        "special_care_by_opt_out",
        [s],
        recipient="list_broker",
        items=["email", "health"],
        basis="opt_out",
        actor="ops",
    )
    assert "health" in error.message


def test_opt_out_items_must_be_announced_for_opt_out(ledger: Ledger, tmp_path: Path) -> None:
    def wider(data: dict[str, Any]) -> None:
        broker_with_address(data)
        recipient(data, "list_broker")["items"] = ["name", "email", "purchases"]

    publish_variant(ledger, tmp_path, wider)
    s = subject(ledger)
    error = refused(
        ledger,
        "item_not_in_opt_out",
        [s],
        recipient="list_broker",
        items=["email", "purchases"],
        basis="opt_out",
        actor="ops",
    )
    assert "purchases" in error.message


def test_opt_out_to_a_recipient_abroad_is_refused(ledger: Ledger, tmp_path: Path) -> None:
    def abroad(data: dict[str, Any]) -> None:
        broker_with_address(data)
        recipient(data, "list_broker")["country"] = "US"

    publish_variant(ledger, tmp_path, abroad)
    s = subject(ledger)
    refused(
        ledger,
        "opt_out_abroad",
        [s],
        recipient="list_broker",
        items=["email"],
        basis="opt_out",
        actor="ops",
    )


def test_data_received_by_opt_out_is_not_provided_by_opt_out(opt_out_ready: Ledger) -> None:
    ledger = opt_out_ready
    s = subject(ledger)
    receive(
        ledger,
        subject_id=s,
        provider_name="名簿元株式会社",
        provider_address="大阪府大阪市北区1-1",
        acquisition_method="懸賞応募",
        items=["email"],
        basis="opt-out",
        received_on=date(2026, 11, 1),
        ppc_publication="PPC website, 2026-10-01",
        actor="ops",
    )
    error = refused(
        ledger,
        "received_by_opt_out",
        [s],
        recipient="list_broker",
        items=["name", "email"],
        basis="opt_out",
        actor="ops",
    )
    assert "email" in error.message
    # The name was not received by opt-out: it may be provided.
    assert provide(
        ledger, [s], recipient="list_broker", items=["name"], basis="opt_out", actor="ops"
    ).recorded


def test_data_received_with_consent_may_be_provided_by_opt_out(opt_out_ready: Ledger) -> None:
    s = subject(opt_out_ready)
    receive(
        opt_out_ready,
        subject_id=s,
        provider_name="提携社",
        provider_address="東京都",
        acquisition_method="会員登録",
        items=["email"],
        basis="consent",
        actor="ops",
    )
    assert provide(
        opt_out_ready, [s], recipient="list_broker", items=["email"], basis="opt_out", actor="o"
    ).recorded


def test_a_subject_who_opted_out_is_not_provided(opt_out_ready: Ledger) -> None:
    s = subject(opt_out_ready, list_sales=False)
    refused(
        opt_out_ready,
        "opted_out",
        [s],
        recipient="list_broker",
        items=["email"],
        basis="opt_out",
        actor="ops",
    )
    other = subject(opt_out_ready, "o@example.jp", newsletter=False)  # another purpose
    assert provide(
        opt_out_ready, [other], recipient="list_broker", items=["email"], basis="opt_out", actor="o"
    ).recorded


# --- suspension and subjects ---------------------------------------------------------------


def suspend_provision(ledger: Ledger, subject_id: str, *, purpose: str | None = None) -> int:
    with ledger.engine.begin() as conn:
        return int(
            conn.execute(
                t.restrictions.insert()
                .values(
                    subject_id=subject_id,
                    scope="provision",
                    purpose=purpose,
                    reason="the person asked (Art. 35(3))",
                    origin="request",
                    created_at=datetime(2026, 11, 1, tzinfo=UTC),
                )
                .returning(t.restrictions.c.id)
            ).scalar_one()
        )


def test_a_provision_suspension_refuses_until_lifted(ledger: Ledger) -> None:
    s = subject(ledger, newsletter=True)
    restriction = suspend_provision(ledger, s)
    refused(
        ledger,
        "provision_suspended",
        [s],
        recipient="partner_us",
        items=["email"],
        basis="consent",
        actor="ops",
    )
    with ledger.engine.begin() as conn:
        conn.execute(
            t.restrictions.update()
            .where(t.restrictions.c.id == restriction)
            .values(lifted_at=datetime(2026, 11, 20, tzinfo=UTC), lift_reason="withdrawn")
        )
    assert provide(
        ledger, [s], recipient="partner_us", items=["email"], basis="consent", actor="ops"
    ).recorded


def test_a_suspension_for_another_purpose_does_not_apply(ledger: Ledger) -> None:
    s = subject(ledger, newsletter=True)
    suspend_provision(ledger, s, purpose="list_sales")
    assert provide(
        ledger, [s], recipient="partner_us", items=["email"], basis="consent", actor="ops"
    ).recorded
    suspend_provision(ledger, s, purpose="newsletter")  # one of partner_us's purposes
    refused(
        ledger,
        "provision_suspended",
        [s],
        recipient="partner_us",
        items=["email"],
        basis="consent",
        actor="ops",
    )


def test_an_erased_subject_is_not_provided(ledger: Ledger) -> None:
    s = subject(ledger, newsletter=True)
    with ledger.engine.begin() as conn:
        conn.execute(
            t.subjects.update()
            .where(t.subjects.c.id == s)
            .values(erased_at=datetime(2026, 11, 1, tzinfo=UTC))
        )
    refused(
        ledger,
        "erased",
        [s],
        recipient="partner_us",
        items=["email"],
        basis="consent",
        actor="ops",
    )


# --- exceptions and government bodies ------------------------------------------------------


def test_an_exception_writes_no_record_but_is_audited(ledger: Ledger) -> None:
    s = subject(ledger)  # no consent at all
    result = provide(
        ledger,
        [s],
        recipient="partner_us",
        items=["name"],
        basis="exception:public-health",
        note="保健所からの照会 2026-11-20 第12号",
        actor="officer",
    )
    assert not result.recorded and result.record_ids == () and result.retain_until is None
    assert list_provisions(ledger) == []
    entry = last_audit(ledger)
    assert (entry.action, entry.reason, entry.subject_id) == (
        "provide",
        "exception:public_health",
        s,
    )
    assert entry.detail["note"] == "保健所からの照会 2026-11-20 第12号"
    assert entry.detail["record_id"] is None


def test_an_exception_needs_a_note(ledger: Ledger) -> None:
    s = subject(ledger)
    before = counts(ledger)
    for note in (None, "", "   "):
        with pytest.raises(BadInput, match="note is required"):
            provide(
                ledger,
                [s],
                recipient="partner_us",
                items=["name"],
                basis="exception:law",
                note=note,
                actor="officer",
            )
    assert counts(ledger) == before


def test_an_exception_must_be_announced(ledger: Ledger) -> None:
    s = subject(ledger)
    refused(
        ledger,
        "exception_not_announced",
        [s],
        recipient="partner_us",
        items=["name"],
        basis="exception:research",  # full.yaml announces law, life, public_health, state
        note="大学との共同研究",
        actor="officer",
    )


def test_a_government_recipient_needs_no_record(ledger: Ledger, tmp_path: Path) -> None:
    def city(data: dict[str, Any]) -> None:
        data["third_party"]["recipients"].append(
            {
                "id": "city_office",
                "name": {"ja": "港区役所", "en": "Minato City Office"},
                "country": "JP",
                "items": ["name", "email"],
                "purposes": ["newsletter"],
                "government": True,
            }
        )

    publish_variant(ledger, tmp_path, city)
    s = subject(ledger, newsletter=True)
    result = provide(
        ledger, [s], recipient="city_office", items=["name"], basis="consent", actor="o"
    )
    assert not result.recorded and list_provisions(ledger) == []
    entry = last_audit(ledger)
    assert entry.action == "provide" and entry.detail["government"] is True
    # A government body still needs the basis to hold.
    refused(
        ledger,
        "consent_missing",
        [subject(ledger, "n@example.jp")],
        recipient="city_office",
        items=["name"],
        basis="consent",
        actor="o",
    )


# --- not a third party (Art. 27(5)) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("to", "items", "kind"),
    [
        ("courier", ["name"], "entrustment"),
        ("group", ["name", "email"], "joint_use"),
        ("succession", ["name", "email", "purchases"], "succession"),
    ],
)
def test_handovers_are_audited_without_a_record(
    ledger: Ledger, to: str, items: list[str], kind: str
) -> None:
    s = subject(ledger)
    before = counts(ledger)
    result = provide(ledger, [s], recipient=to, items=items, basis="consent", actor="ops")
    assert (result.kind, result.recorded, result.record_ids) == (kind, False, ())
    after = counts(ledger)
    assert after["provision_records"] == before["provision_records"]
    assert after["audit"] == before["audit"] + 1
    entry = last_audit(ledger)
    assert (entry.action, entry.subject_id, tuple(entry.items)) == ("handover", s, tuple(items))
    assert entry.detail["kind"] == kind and entry.detail["to"] == to


@pytest.mark.parametrize(("to", "item"), [("courier", "email"), ("group", "purchases")])
def test_handovers_stay_within_what_is_declared(ledger: Ledger, to: str, item: str) -> None:
    s = subject(ledger)
    error = refused(
        ledger,
        "item_not_declared_for_recipient",
        [s],
        recipient=to,
        items=["name", item],
        basis="consent",
        actor="ops",
    )
    assert item in error.message


# --- bad input writes nothing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"recipient": "nobody"}, BadInput, "unknown recipient 'nobody'"),
        ({"items": ["fax"]}, BadInput, "unknown item 'fax'"),
        ({"items": []}, BadInput, "no items given"),
        ({"basis": "contract"}, BadInput, "unknown basis"),
        ({"actor": " "}, BadInput, "an actor is required"),
        ({"subject_ids": []}, BadInput, "no subjects given"),
        ({"subject_ids": ["0" * 32]}, NotFound, "no subject"),
        ({"note": "x" * 2001}, BadInput, "at most 2,000"),
        ({"note": "bad\x00note"}, BadInput, "control characters"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    ledger: Ledger, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    s = subject(ledger, newsletter=True)
    call: dict[str, Any] = {
        "subject_ids": [s],
        "recipient": "partner_us",
        "items": ["email"],
        "basis": "consent",
        "actor": "ops",
        **kwargs,
    }
    before = counts(ledger)
    with pytest.raises(error, match=message):
        provide(ledger, call.pop("subject_ids"), **call)
    assert counts(ledger) == before


# --- receive (Art. 30) ----------------------------------------------------------------------


def test_receive_by_consent_records_the_confirmed_matters(ledger: Ledger) -> None:
    s = subject(ledger)
    record = receive(
        ledger,
        subject_id=s,
        provider_name="提携社",
        provider_address="東京都千代田区1-1",
        provider_representative="代表取締役 提携一郎",
        acquisition_method="会員登録フォーム",
        items=["name", "email"],
        basis="consent",
        actor="ops",
    )
    (stored,) = list_receipts(ledger)
    assert stored == record
    assert (stored.provider_name, stored.provider_address, stored.provider_representative) == (
        "提携社",
        "東京都千代田区1-1",
        "代表取締役 提携一郎",
    )
    assert (stored.acquisition_method, stored.items, stored.basis) == (
        "会員登録フォーム",
        ("name", "email"),
        "consent",
    )
    assert stored.received_on is None and stored.ppc_publication is None
    assert stored.retain_until == IN_THREE_YEARS
    entry = last_audit(ledger)
    assert (entry.action, entry.subject_id, entry.reason) == ("receive", s, "consent")


def test_receive_by_opt_out_needs_the_date_and_the_ppc_publication(ledger: Ledger) -> None:
    common: dict[str, Any] = {
        "provider_name": "名簿元",
        "provider_address": "大阪府",
        "acquisition_method": "懸賞応募",
        "items": ["email"],
        "basis": "opt-out",
        "actor": "ops",
    }
    before = counts(ledger)
    with pytest.raises(BadInput, match="date it was received"):
        receive(ledger, ppc_publication="PPC 2026-10-01", **common)
    with pytest.raises(Refused) as info:
        receive(ledger, received_on=date(2026, 11, 1), **common)
    assert info.value.code == "ppc_publication_unconfirmed"
    assert counts(ledger) == before
    record = receive(
        ledger, received_on=date(2025, 11, 1), ppc_publication="PPC 2026-10-01", **common
    )
    assert record.subject_id is None and record.basis == "opt_out"
    assert record.retain_until == date(2028, 11, 1)  # 3 years from the day received


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"items": ["fax"]}, BadInput, "unknown item 'fax'"),
        ({"items": []}, BadInput, "no items given"),
        ({"provider_name": " "}, BadInput, "provider name is required"),
        ({"provider_address": ""}, BadInput, "provider address is required"),
        ({"acquisition_method": ""}, BadInput, "acquisition method is required"),
        ({"basis": "contract"}, BadInput, "unknown basis"),
        ({"received_on": date(2026, 12, 1)}, BadInput, "in the future"),
        ({"ppc_publication": "PPC"}, BadInput, "only for data received by opt-out"),
        ({"subject_id": "0" * 32}, NotFound, "no subject"),
        ({"actor": ""}, BadInput, "an actor is required"),
    ],
)
def test_bad_receipts_write_nothing(
    ledger: Ledger, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    call: dict[str, Any] = {
        "provider_name": "提携社",
        "provider_address": "東京都",
        "acquisition_method": "会員登録",
        "items": ["email"],
        "basis": "consent",
        "actor": "ops",
        **kwargs,
    }
    before = counts(ledger)
    with pytest.raises(error, match=message):
        receive(ledger, **call)
    assert counts(ledger) == before


def test_special_care_data_is_not_received_by_opt_out(ledger: Ledger) -> None:
    before = counts(ledger)
    with pytest.raises(Refused) as info:
        receive(
            ledger,
            provider_name="名簿元",
            provider_address="大阪府",
            acquisition_method="健診",
            items=["health"],
            basis="opt_out",
            received_on=TODAY,
            ppc_publication="PPC",
            actor="ops",
        )
    assert info.value.code == "special_care_by_opt_out"
    assert counts(ledger) == before


# --- listing and export ----------------------------------------------------------------------


def test_list_by_subject_and_export_as_csv_and_json(opt_out_ready: Ledger) -> None:
    ledger = opt_out_ready
    a = subject(ledger, "a@example.jp", newsletter=True)
    b = subject(ledger, "b@example.jp")
    provide(
        ledger, [a], recipient="partner_us", items=["name", "email"], basis="consent", actor="o"
    )
    provide(ledger, [a, b], recipient="list_broker", items=["email"], basis="opt_out", actor="o")
    assert [r.basis for r in list_provisions(ledger, a)] == ["consent", "opt_out"]
    assert [r.subject_id for r in list_provisions(ledger, b)] == [b]
    records = list_provisions(ledger)
    rows = list(csv.DictReader(io.StringIO(provisions_csv(records))))
    assert tuple(rows[0]) == PROVISION_COLUMNS
    assert rows[0]["items"] == "name email" and rows[0]["provided_on"] == ""
    assert rows[0]["consent_confirmed"] == "true" and rows[0]["recipient_address"] == ""
    assert rows[1]["provided_on"] == "2026-11-24" and rows[1]["consent_confirmed"] == "false"
    assert rows[1]["retain_until"] == "2029-11-24"
    parsed = json.loads(records_json(records))
    assert [p["subject_id"] for p in parsed] == [a, a, b]
    assert parsed[2]["items"] == ["email"] and parsed[2]["recipient_address"] is not None
    assert provisions_csv([]) == ",".join(PROVISION_COLUMNS) + "\n"
    assert receipts_csv([]).startswith("id,subject_id,provider_name")
