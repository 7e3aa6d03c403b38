from __future__ import annotations

import pytest

from hogo.domain.anonymity import SUPPRESSED, Hierarchy, HierarchyError
from hogo.domain.anonymity.hierarchy import default_widths


def test_from_table_reads_arx_rows_and_adds_the_top() -> None:
    h = Hierarchy.from_table(
        [
            ["Bachelors", "Undergraduate", "Higher education"],
            ["Masters", "Graduate", "Higher education"],
            ["HS-grad", "High school", "Secondary education"],
        ]
    )
    assert h.height == 4
    assert h.generalize("Masters", 0) == "Masters"
    assert h.generalize("Masters", 2) == "Higher education"
    assert h.generalize("HS-grad", 3) == SUPPRESSED


def test_from_table_keeps_an_existing_top() -> None:
    h = Hierarchy.from_table([["a", "x", "*"], ["b", "x", "*"]])
    assert h.height == 3


def test_levels_that_do_not_nest_are_refused() -> None:
    with pytest.raises(HierarchyError, match="levels do not nest: 'x' at level 1"):
        Hierarchy.from_table([["a", "x", "p"], ["b", "x", "q"]])


def test_nesting_levels_are_accepted() -> None:
    Hierarchy.from_table([["a", "x", "p"], ["b", "x", "p"], ["c", "y", "p"]])


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "is empty"),
        ([["a", "x"], ["b"]], "row 2 of the hierarchy has 1 columns"),
        ([["a", "x"], ["a", "y"]], "'a' appears twice"),
        ([[]], "rows are empty"),
    ],
)
def test_malformed_tables_are_refused(rows: list[list[str]], message: str) -> None:
    with pytest.raises(HierarchyError, match=message):
        Hierarchy.from_table(rows)


def test_an_uncovered_value_is_named() -> None:
    h = Hierarchy.suppress_only(["a", "b"])
    assert h.covers("a") and not h.covers("z")
    with pytest.raises(HierarchyError, match="does not cover the value 'z'"):
        h.generalize("z", 1)
    with pytest.raises(HierarchyError, match="does not cover the value 'z' \\(and 1 more\\)"):
        h.restricted(["a", "z", "y"])
    with pytest.raises(HierarchyError, match="level 5 does not exist"):
        h.generalize("a", 5)


def test_from_functions_builds_each_level_and_checks_nesting() -> None:
    h = Hierarchy.from_functions(
        ["123-4567", "123-9999", "456-0000"], [lambda v: v[:3], lambda v: v[:1]]
    )
    assert [h.generalize("123-4567", i) for i in range(4)] == ["123-4567", "123", "1", "*"]
    with pytest.raises(HierarchyError, match="levels do not nest"):
        Hierarchy.from_functions(["ab", "ac"], [lambda v: v[0], lambda v: v])


def test_a_failing_function_is_reported() -> None:
    with pytest.raises(HierarchyError, match="level 1 cannot generalize the value 'x'"):
        Hierarchy.from_functions(["x"], [lambda v: str(int(v))])


def test_intervals_for_whole_numbers() -> None:
    h = Hierarchy.intervals(["17", "23", "24", "25", "90"], (5, 10, 20))
    assert [h.generalize("23", i) for i in range(5)] == ["23", "20-24", "20-29", "20-39", "*"]
    assert h.generalize("25", 1) == "25-29"
    assert h.generalize("17", 1) == "15-19"


def test_intervals_for_other_numbers() -> None:
    h = Hierarchy.intervals(["1.5", "-3", "7.25"], (2.5, 5))
    assert h.generalize("1.5", 1) == "[0,2.5)"
    assert h.generalize("-3", 1) == "[-5,-2.5)"
    assert h.generalize("7.25", 2) == "[5,10)"


@pytest.mark.parametrize(
    ("values", "widths", "message"),
    [
        (["1", "x"], (5,), "'x' is not a number"),
        (["1", "inf"], (5,), "not a finite number"),
        (["1"], (0,), "positive"),
        (["1"], (10, 5), "grow"),
        ([str(v) for v in range(100)], (5, 10, 25), "levels do not nest"),
    ],
)
def test_bad_intervals_are_refused(
    values: list[str], widths: tuple[float, ...], message: str
) -> None:
    with pytest.raises(HierarchyError, match=message):
        Hierarchy.intervals(values, widths)


def test_default_widths_give_about_twenty_intervals_then_double() -> None:
    assert default_widths([17.0, 90.0]) == (5.0, 10.0, 20.0, 40.0, 80.0)
    assert default_widths([0.1, 0.95]) == pytest.approx((0.05, 0.1, 0.2, 0.4, 0.8))
    assert default_widths([0.0, 1.0]) == (1.0,)  # whole numbers: whole widths
    assert default_widths([3.0, 3.0]) == ()
    h = Hierarchy.intervals([str(a) for a in range(17, 91)])
    assert h.height == 7 and h.generalize("42", 1) == "40-44"


def test_suppress_only() -> None:
    h = Hierarchy.suppress_only(["M", "F", "M"])
    assert h.values == ("M", "F")
    assert h.levels == (("M", "F"), ("*", "*"))


def test_restricted_keeps_the_values_present_in_their_order() -> None:
    h = Hierarchy.from_table([["a", "x"], ["b", "x"], ["c", "y"]]).restricted(["c", "a", "c"])
    assert h.values == ("c", "a")
    assert h.levels[1] == ("y", "x")


def test_direct_construction_is_validated() -> None:
    with pytest.raises(HierarchyError, match="last level"):
        Hierarchy(values=("a",), levels=(("a",), ("x",)))
    with pytest.raises(HierarchyError, match="level 0"):
        Hierarchy(values=("a",), levels=(("b",), ("*",)))
    with pytest.raises(HierarchyError, match="at least two levels"):
        Hierarchy(values=("a",), levels=(("a",),))
    with pytest.raises(HierarchyError, match="level 1 has 1 entries for 2 values"):
        Hierarchy(values=("a", "b"), levels=(("a", "b"), ("*",)))
