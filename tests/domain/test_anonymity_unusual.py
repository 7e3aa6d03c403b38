"""Unusual values (個人情報保護法施行規則 Art. 34(iv)): top/bottom-coding and rare categories."""

from __future__ import annotations

import pytest

from hogo.domain.anonymity import replace_unusual


def test_numbers_beyond_the_quantiles_are_top_and_bottom_coded() -> None:
    ages = [str(a) for a in range(20, 118)] + ["116", "3"]  # 100 values
    found = replace_unusual(ages, lower=0.01, upper=0.99)
    assert found.method == "top_bottom"
    assert (found.low, found.high) == ("20", "116")
    assert found.values[-1] == "20"  # 3 raised to the bottom code
    assert found.values.count("116") == 3 and "117" not in found.values
    assert found.replaced == 2


def test_ordinary_numbers_are_left_alone() -> None:
    values = ["5"] * 50 + ["6"] * 50
    found = replace_unusual(values)
    assert found.replaced == 0 and found.values == values


def test_decimals_keep_their_form_and_blanks_stay_blank() -> None:
    values = ["1.5", "2.0", "", "2.5", "1000.0"]
    found = replace_unusual(values, lower=0, upper=0.75)
    assert found.values == ["1.5", "2.0", "", "2.5", "2.5"]
    assert found.high == "2.5" and found.replaced == 1


def test_rare_categories_are_replaced() -> None:
    values = ["会社員"] * 6 + ["学生"] * 5 + ["宇宙飛行士"]
    found = replace_unusual(values, min_count=5)
    assert found.method == "rare"
    assert found.values[-1] == "*" and found.values.count("学生") == 5
    assert found.replaced == 1


def test_common_categories_are_left_alone() -> None:
    values = ["a"] * 5 + ["b"] * 5
    assert replace_unusual(values, min_count=5).replaced == 0


def test_numbers_can_be_treated_as_categories() -> None:
    found = replace_unusual(["1"] * 5 + ["2"], numeric=False, replacement="その他")
    assert found.values[-1] == "その他"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lower": 0.5, "upper": 0.5}, "quantiles"),
        ({"min_count": 0}, "min_count"),
        ({"numeric": True}, "not numeric"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace_unusual(["a", "1"], **kwargs)  # type: ignore[arg-type]
