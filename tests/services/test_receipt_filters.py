"""Filtering the recipient's records (Art. 30) and the policy's choices for forms."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hogo.services.choices import choices, unknown
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger
from hogo.services.provision_records import list_receipts
from hogo.services.receipts import receive
from tests.services.conftest import FixedClock


def _receive(ledger: Ledger, items: list[str], basis: str, on: date | None) -> int:
    return receive(
        ledger,
        provider_name="提携社",
        provider_address="東京都千代田区",
        acquisition_method="会員登録",
        items=items,
        basis=basis,
        received_on=on,
        ppc_publication="PPC website, 2026-09-01" if basis == "opt_out" else None,
        actor="ops",
    ).id


def test_receipts_filter_by_basis_item_and_period(ledger: Ledger, clock: FixedClock) -> None:
    autumn = _receive(ledger, ["name", "email"], "opt_out", date(2026, 10, 1))
    clock.now = datetime(2026, 11, 10, 16, 0, tzinfo=UTC)  # 11-11 01:00 in Japan
    undated = _receive(ledger, ["purchases"], "consent", None)

    def ids(**filters: object) -> list[int]:
        return [r.id for r in list_receipts(ledger, **filters)]  # type: ignore[arg-type]

    assert ids() == [autumn, undated]
    assert ids(basis="opt_out") == [autumn] and ids(basis="consent") == [undated]
    assert ids(item="email") == [autumn] and ids(item="card") == []
    # A record without a date of receipt counts from the day, in Japan, it was written.
    assert ids(received_from=date(2026, 11, 11)) == [undated]
    assert ids(received_to=date(2026, 11, 10)) == [autumn]
    assert ids(received_from=date(2026, 10, 1), received_to=date(2026, 10, 1)) == [autumn]


@pytest.mark.parametrize(
    "filters",
    [
        {"basis": "bought"},
        {"received_from": "2026-10-01"},
        {"received_from": date(2026, 11, 2), "received_to": date(2026, 11, 1)},
    ],
)
def test_receipt_filters_refuse_what_is_wrong(ledger: Ledger, filters: dict[str, object]) -> None:
    with pytest.raises(BadInput):
        list_receipts(ledger, **filters)  # type: ignore[arg-type]


def test_choices_are_the_policy_s_in_its_order_and_name_the_undeclared(ledger: Ledger) -> None:
    offered = choices(ledger, "ja")
    assert [i for i, _ in offered.items] == ["name", "email", "purchases", "card", "health"]
    assert ("shop", "オンラインショップ") in offered.sources
    assert ("partner_us", "パートナー社") in offered.recipients
    assert offered.vendors == (("courier", "配送社"),)
    assert offered.label("purposes", "newsletter") == "メールマガジン"
    assert offered.label("items", "gone") == "gone"
    assert unknown(["email", "x", "email", "x"], offered.items) == ["x"]
    assert unknown(["email"], offered.items) == []
    with pytest.raises(BadInput):
        choices(ledger, "fr")
