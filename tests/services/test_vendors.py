"""Vendor supervision (APPI Art. 25): audit schedules from the policy and the ledger."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.ledger.tables_registers import vendor_audits
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger
from hogo.services.vendors import audit_history, audits_due, record_audit, vendor_statuses
from tests.services.consent_support import publish_variant

MORE_VENDORS = """      sub_entrustment: prior_approval
    - id: cloud
      name: {ja: クラウド社, en: Cloud Inc.}
      tasks: [{ja: サーバーの運用, en: running servers}]
      items: [name, email, purchases]
      country: US
      contract_date: 2026-01-10
      confidentiality_clause: 2026-01-10
      audit_clause: true
      audit_interval: 6m
      sub_entrustment: prior_report
    - id: printer
      name: {ja: 印刷社, en: Printer Co.}
      tasks: [{ja: 宛名の印刷, en: printing addresses}]
      items: [name]
      confidentiality_clause: 2026-01-10
    - id: newcomer
      name: {ja: 新委託社, en: Newcomer Co.}
      tasks: [{ja: 問い合わせ対応, en: answering inquiries}]
      audit_interval: 1y
      confidentiality_clause: 2026-01-10
joint_use:"""


def counts(ledger: Ledger) -> dict[str, int]:
    with ledger.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (vendor_audits, t.audit)
        }


def more_vendors(ledger: Ledger, tmp_path: Path) -> None:
    publish_variant(
        ledger,
        tmp_path,
        {"      sub_entrustment: prior_approval\njoint_use:": MORE_VENDORS},
        date(2026, 2, 1),
    )


def test_last_audit_from_the_policy_until_one_is_recorded(ledger: Ledger) -> None:
    [courier] = vendor_statuses(ledger)
    assert (courier.id, courier.name["ja"], courier.audit_interval) == ("courier", "配送社", "1y")
    assert (courier.last_audit, courier.last_audit_from) == (date(2026, 3, 1), "policy")
    assert (courier.next_due, courier.overdue, courier.days_left) == (date(2027, 3, 1), False, 97)
    late = vendor_statuses(ledger, today=date(2027, 3, 2))[0]
    assert (late.overdue, late.days_left) == (True, -1)


def test_a_recorded_audit_moves_the_due_date_and_is_audited(ledger: Ledger) -> None:
    recorded = record_audit(
        ledger,
        "courier",
        audited_on=date(2026, 11, 20),
        result="findings",
        note="倉庫の施錠に不備があり、担当の山田氏に改善を依頼",
        actor="officer",
    )
    assert recorded.status.last_audit == date(2026, 11, 20)
    assert recorded.status.last_audit_from == "ledger"
    assert recorded.status.last_result == "findings"
    assert recorded.status.next_due == date(2027, 11, 20)
    [courier] = vendor_statuses(ledger)
    assert courier.to_dict() == recorded.status.to_dict()
    assert courier.audits_recorded == 1
    with ledger.engine.connect() as conn:
        row = conn.execute(select(vendor_audits)).one()
        entry = conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()
    assert "山田".encode() not in row.note
    assert entry.action == "vendor_audit" and entry.detail["vendor"] == "courier"
    [history] = audit_history(ledger, "courier", actor="officer")
    assert history.note == "倉庫の施錠に不備があり、担当の山田氏に改善を依頼"


def test_an_older_recorded_audit_does_not_hide_the_policys_later_one(ledger: Ledger) -> None:
    record_audit(ledger, "courier", audited_on=date(2025, 12, 1), result="pass", actor="officer")
    [courier] = vendor_statuses(ledger)
    assert (courier.last_audit, courier.last_audit_from) == (date(2026, 3, 1), "policy")
    assert courier.audits_recorded == 1


def test_never_audited_vendors_and_vendors_without_interval(ledger: Ledger, tmp_path: Path) -> None:
    more_vendors(ledger, tmp_path)
    by_id = {s.id: s for s in vendor_statuses(ledger)}
    assert list(by_id) == ["courier", "cloud", "printer", "newcomer"]
    cloud = by_id["cloud"]
    assert (cloud.last_audit, cloud.next_due, cloud.overdue) == (None, date(2026, 7, 10), True)
    printer = by_id["printer"]
    assert (printer.next_due, printer.overdue, printer.audit_interval) == (None, False, None)
    newcomer = by_id["newcomer"]
    assert (newcomer.next_due, newcomer.overdue, newcomer.days_left) == (None, True, None)


def test_audits_due_within_days_soonest_first(ledger: Ledger, tmp_path: Path) -> None:
    assert audits_due(ledger, within_days=96) == []
    assert [s.id for s in audits_due(ledger, within_days=97)] == ["courier"]
    more_vendors(ledger, tmp_path)
    assert [s.id for s in audits_due(ledger, within_days=30)] == ["newcomer", "cloud"]
    assert [s.id for s in audits_due(ledger, within_days=365)] == ["newcomer", "cloud", "courier"]
    with pytest.raises(BadInput, match="whole number"):
        audits_due(ledger, within_days=-1)


@pytest.mark.parametrize(
    ("vendor", "audited_on", "result", "message"),
    [
        (
            "nobody",
            date(2026, 11, 1),
            "pass",
            "unknown vendor 'nobody'; the policy in force names: courier",
        ),
        ("courier", date(2026, 11, 25), "pass", "future date"),
        ("courier", date(2026, 11, 1), "ok", "unknown result 'ok'"),
    ],
)
def test_bad_audits_write_nothing(
    ledger: Ledger, vendor: str, audited_on: date, result: str, message: str
) -> None:
    before = counts(ledger)
    with pytest.raises(BadInput, match=message):
        record_audit(ledger, vendor, audited_on=audited_on, result=result, actor="officer")
    with pytest.raises(BadInput, match="note is 10,001 characters"):
        record_audit(
            ledger,
            "courier",
            audited_on=date(2026, 11, 1),
            result="pass",
            note="x" * 10_001,
            actor="officer",
        )
    assert counts(ledger) == before


def test_history_of_an_unknown_vendor_is_bad_input(ledger: Ledger) -> None:
    with pytest.raises(BadInput, match="unknown vendor 'nobody'"):
        audit_history(ledger, "nobody", actor="officer")
    assert audit_history(ledger, "courier", actor="officer") == []
