"""hogo provide, receive, records and erase: exit codes 0/2/3, CSV and JSON output."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import create_engine, text

from tests.cli.support import hogo


def collect(env: dict[str, str], email: str, *consents: str) -> str:
    args = ["collect", "--source", "shop", "--value", "name=佐藤花子", "--value", f"email={email}"]
    for consent in consents:
        args += ["--consent", consent]
    code, out, err = hogo(env, *args)
    assert code == 0, err
    return out.strip()


def test_provide_with_consent_and_list_the_records(ready: dict[str, str]) -> None:
    a = collect(ready, "a@example.jp", "newsletter=yes")
    b = collect(ready, "b@example.jp", "newsletter=yes")
    code, out, _ = hogo(
        ready, "provide", a, b, "--recipient", "partner_us", "--items", "name,email",
        "--basis", "consent", "--actor", "ops", "--json",
    )  # fmt: skip
    body = json.loads(out)
    assert code == 0 and body["ok"] is True and body["recorded"] is True
    assert body["subject_ids"] == [a, b] and len(body["record_ids"]) == 2
    assert body["retain_until"] is not None

    code, out, _ = hogo(ready, "records", "provisions", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["subject_id"] for r in rows] == [a, b]
    assert rows[0]["items"] == "name email" and rows[0]["consent_confirmed"] == "true"
    assert rows[0]["recipient_name"] == "パートナー社" and rows[0]["provided_on"] == ""

    code, out, _ = hogo(ready, "records", "provisions", "--subject", b, "--format", "json")
    (record,) = json.loads(out)
    assert code == 0 and record["subject_id"] == b and record["basis"] == "consent"

    code, out, _ = hogo(ready, "records", "provisions")
    assert code == 0 and out.count("partner_us") == 2 and "consent confirmed" in out


def test_provide_refused_exits_3(ready: dict[str, str]) -> None:
    s = collect(ready, "c@example.jp")
    code, _, err = hogo(
        ready, "provide", s, "--recipient", "partner_us", "--items", "email", "--basis", "consent"
    )
    assert code == 3 and "consent_missing" in err
    code, out, _ = hogo(
        ready, "provide", s, "--recipient", "list_broker", "--items", "health",
        "--basis", "opt-out", "--json",
    )  # fmt: skip
    assert code == 3 and json.loads(out)["error"] == "special_care_by_opt_out"
    code, out, _ = hogo(ready, "records", "provisions", "--format", "json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--recipient", "nobody", "--items", "email", "--basis", "consent"], "unknown recipient"),
        (["--recipient", "partner_us", "--items", "fax", "--basis", "consent"], "unknown item"),
        (["--recipient", "partner_us", "--items", "email", "--basis", "maybe"], "unknown basis"),
        (
            ["--recipient", "partner_us", "--items", "email", "--basis", "exception:law"],
            "note is required",
        ),
    ],
)
def test_provide_bad_input_exits_2(ready: dict[str, str], args: list[str], message: str) -> None:
    s = collect(ready, "d@example.jp")
    code, _, err = hogo(ready, "provide", s, *args)
    assert code == 2 and message in err


def test_an_exception_and_a_handover_write_no_record(ready: dict[str, str]) -> None:
    s = collect(ready, "e@example.jp")
    code, out, _ = hogo(
        ready, "provide", s, "--recipient", "partner_us", "--items", "name",
        "--basis", "exception:public-health", "--note", "保健所の照会",
    )  # fmt: skip
    assert code == 0 and "no provision record is required" in out
    code, out, _ = hogo(
        ready, "provide", s, "--recipient", "courier", "--items", "name", "--basis", "consent",
        "--json",
    )  # fmt: skip
    body = json.loads(out)
    assert code == 0 and body["kind"] == "entrustment" and body["recorded"] is False
    code, out, _ = hogo(ready, "records", "provisions")
    assert code == 0 and out.strip() == "no records"


def test_receive_and_list_receipts(ready: dict[str, str]) -> None:
    s = collect(ready, "f@example.jp")
    base = [
        "receive", "--provider-name", "名簿元", "--provider-address", "大阪府",
        "--acquisition-method", "懸賞応募", "--items", "email", "--basis", "opt-out",
        "--subject", s,
    ]  # fmt: skip
    code, _, err = hogo(ready, *base, "--ppc-publication", "PPC 2026-10-01")
    assert code == 2 and "date it was received" in err
    code, _, err = hogo(ready, *base, "--received-on", "2026-11-01")
    assert code == 3 and "ppc_publication_unconfirmed" in err
    code, out, _ = hogo(
        ready, *base, "--received-on", "2026-11-01", "--ppc-publication", "PPC 2026-10-01",
        "--json",
    )  # fmt: skip
    body = json.loads(out)
    assert code == 0 and body["basis"] == "opt_out" and body["received_on"] == "2026-11-01"
    assert body["retain_until"] == "2029-11-01"
    code, out, _ = hogo(ready, "records", "receipts", "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and row["provider_name"] == "名簿元" and row["subject_id"] == s


def test_erase_a_subject_and_items(ready: dict[str, str]) -> None:
    s = collect(ready, "g@example.jp", "newsletter=yes")
    hogo(ready, "provide", s, "--recipient", "partner_us", "--items", "email", "--basis", "consent")
    code, out, _ = hogo(ready, "erase", s, "--items", "email", "--json")
    body = json.loads(out)
    assert code == 0 and body["scope"] == "items" and body["records_deleted"] == 1
    code, _, err = hogo(ready, "erase", s, "--items", "fax")
    assert code == 2 and "unknown item" in err
    code, out, _ = hogo(ready, "erase", s, "--reason", "削除請求")
    assert code == 0 and "key destroyed" in out
    code, _, err = hogo(ready, "erase", s)
    assert code == 2 and "already erased" in err
    code, out, _ = hogo(ready, "use", s, "--purpose", "orders", "--items", "name", "--actor", "x")
    assert code == 3 and "erased" in out
    code, out, _ = hogo(ready, "records", "provisions", "--subject", s, "--format", "json")
    assert code == 0 and len(json.loads(out)) == 1  # the record the law requires stays
    code, _, err = hogo(ready, "erase", "0" * 32)
    assert code == 2 and "no subject" in err


def test_erase_under_legal_hold_exits_3(ready: dict[str, str]) -> None:
    s = collect(ready, "h@example.jp")
    engine = create_engine(ready["HOGO_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE records SET legal_hold = 1 WHERE item = 'email'"))
    engine.dispose()
    code, out, _ = hogo(ready, "erase", s, "--json")
    body = json.loads(out)
    assert code == 3 and body["error"] == "legal_hold" and "email" in body["message"]
    code, out, _ = hogo(ready, "erase", s, "--items", "name")
    assert code == 0 and "1 record(s) of name deleted" in out
