"""anonymized[].generalizations: built-in chains and tables, refused with the line when wrong."""

from __future__ import annotations

import pytest

from hogo.policy.loader import PolicyLoadError, load_policy_text
from tests.conftest import FIXTURES

BASE = (FIXTURES / "full.yaml").read_text("utf-8")
ANCHOR = "    label: {ja: 購買データ, en: purchase data}\n    items: [purchases]\n"
assert BASE.count(ANCHOR) == 1 and BASE.index(ANCHOR) > BASE.index("anonymized:")


def _with(extra: str, items: str = "[purchases, email]") -> str:
    head = ANCHOR.split("\n")[0]
    return BASE.replace(ANCHOR, f"{head}\n    items: {items}\n    generalizations:\n{extra}")


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _errors(text: str) -> list[str]:
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_text(text, "p.yaml")
    return [str(d) for d in caught.value.diagnostics]


def test_a_built_in_name_and_a_table_load() -> None:
    text = _with(
        "      email: email_domain\n"
        "      purchases:\n"
        "        book: [media, goods]\n"
        "        film: [media, goods]\n"
        "        kettle: [kitchen, goods]\n"
        "        7: [numbers, goods]\n"
    )
    dataset = load_policy_text(text, "p.yaml").policy.anonymized[0]
    assert dataset.generalizations["email"] == "email_domain"
    assert dataset.generalizations["purchases"] == {
        "book": ["media", "goods"],
        "film": ["media", "goods"],
        "kettle": ["kitchen", "goods"],
        "7": ["numbers", "goods"],
    }


def test_an_unknown_built_in_is_refused_at_its_line() -> None:
    text = _with("      email: email_domian\n")
    (error,) = _errors(text)
    assert error.startswith(f"p.yaml:{_line_of(text, 'email_domian')}:")
    assert "no generalization is called 'email_domian'" in error and "email_domain" in error


def test_a_ragged_table_is_refused_naming_the_rows() -> None:
    text = _with("      purchases:\n        book: [media, goods]\n        kettle: [kitchen]\n")
    (error,) = _errors(text)
    assert "anonymized[0].generalizations.purchases" in error
    assert "row 'kettle' has 1 level(s) but row 'book' has 2" in error
    assert error.startswith(f"p.yaml:{_line_of(text, 'book:')}:")


def test_a_table_that_is_not_a_tree_is_refused() -> None:
    text = _with(
        "      purchases:\n        book: [media, goods]\n        film: [media, services]\n"
    )
    (error,) = _errors(text)
    assert "'media' goes up to 'services' in row 'film' but to 'goods' in row 'book'" in error


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("      purchases: {}\n", "needs at least one row"),
        ("      purchases:\n        book: []\n", "must list its coarser levels"),
        ("      purchases:\n        book: media\n", "must list its coarser levels"),
        ("      purchases:\n        book: [[a]]\n", "write a plain value"),
        ("      purchases:\n        book: ['']\n", "is empty"),
        ("      purchases: 5\n", "the name of a built-in one"),
    ],
)
def test_malformed_tables_are_refused(extra: str, message: str) -> None:
    (error,) = _errors(_with(extra))
    assert message in error


def test_an_item_the_dataset_does_not_contain_is_refused() -> None:
    text = _with("      email: email_domain\n", items="[purchases]")
    (error,) = _errors(text)
    assert "generalizations names 'email', not among the dataset's items (purchases)" in error


def test_an_undeclared_item_is_a_broken_reference() -> None:
    text = _with("      fax: postal3\n", items="[purchases, fax]")
    errors = _errors(text)
    assert any("names item 'fax', which is not declared" in e for e in errors)
