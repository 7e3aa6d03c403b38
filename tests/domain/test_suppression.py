from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hogo.domain.suppression import TOTAL, Reason, lines, recoverable, suppress, table


def test_a_table_sums_every_margin_and_fills_zero_cells() -> None:
    shape = table([["a", "b"], ["x", "y"]], {("a", "x"): 3, ("b", "y"): 4})
    assert shape.counts[("a", "y")] == 0
    assert shape.counts[("a", TOTAL)] == 3
    assert shape.counts[(TOTAL, "y")] == 4
    assert shape.counts[(TOTAL, TOTAL)] == 7
    assert len(shape.counts) == 9
    assert len(lines(shape)) == 2 + 2 + 1 + 1  # rows, columns, and the two margins


def test_a_table_refuses_a_cell_outside_its_categories() -> None:
    with pytest.raises(ValueError, match="not in the table"):
        table([["a"]], {("b",): 1})
    with pytest.raises(ValueError, match="negative"):
        table([["a"]], {("a",): -1})
    with pytest.raises(ValueError, match="twice"):
        table([["a", "a"]], {})


def test_nothing_is_hidden_when_every_entry_is_large_enough() -> None:
    shape = table([["a", "b", "c"]], {("a",): 10, ("b",): 12, ("c",): 30})
    assert suppress(shape, min_cell=10) == {}


def test_one_small_cell_takes_the_smallest_other_with_it() -> None:
    shape = table([["a", "b", "c"]], {("a",): 3, ("b",): 12, ("c",): 30})
    hidden = suppress(shape, min_cell=10)
    assert hidden == {("a",): Reason.PRIMARY, ("b",): Reason.COMPLEMENTARY}
    assert recoverable(shape, hidden) == []


def test_two_small_cells_in_a_line_need_no_complement() -> None:
    shape = table([["a", "b", "c"]], {("a",): 3, ("b",): 4, ("c",): 30})
    hidden = suppress(shape, min_cell=10)
    assert hidden == {("a",): Reason.PRIMARY, ("b",): Reason.PRIMARY}


def test_zero_cells_are_shown_and_not_chosen_before_non_zero_ones() -> None:
    shape = table([["a", "b", "c"]], {("a",): 3, ("b",): 0, ("c",): 30})
    hidden = suppress(shape, min_cell=10)
    assert ("b",) not in hidden
    assert hidden[("c",)] is Reason.COMPLEMENTARY


def test_a_small_total_is_hidden_too() -> None:
    shape = table([["a", "b"]], {("a",): 3, ("b",): 4})
    hidden = suppress(shape, min_cell=10)
    assert hidden[(TOTAL,)] is Reason.PRIMARY


def test_a_single_category_hides_its_total_with_its_cell() -> None:
    shape = table([["a"], ["x", "y"]], {("a", "x"): 3, ("a", "y"): 20})
    hidden = suppress(shape, min_cell=10)
    assert hidden[("a", "x")] is Reason.PRIMARY
    assert (TOTAL, "x") in hidden  # equals (a, x): a column of one
    assert recoverable(shape, hidden) == []


def test_the_two_way_pattern_spreads_to_a_rectangle() -> None:
    shape = table(
        [["r1", "r2", "r3"], ["c1", "c2", "c3"]],
        {
            ("r1", "c1"): 2,
            ("r1", "c2"): 15,
            ("r1", "c3"): 20,
            ("r2", "c1"): 11,
            ("r2", "c2"): 30,
            ("r2", "c3"): 40,
            ("r3", "c1"): 25,
            ("r3", "c2"): 35,
            ("r3", "c3"): 45,
        },
    )
    hidden = suppress(shape, min_cell=10)
    assert hidden[("r1", "c1")] is Reason.PRIMARY
    assert hidden[("r1", "c2")] is Reason.COMPLEMENTARY  # smallest other of row r1
    assert hidden[("r2", "c1")] is Reason.COMPLEMENTARY  # smallest other of column c1
    assert hidden[("r2", "c2")] is Reason.COMPLEMENTARY  # closes the rectangle
    assert len(hidden) == 4
    assert recoverable(shape, hidden) == []


def test_counts_of_records_are_suppressed_by_the_people_behind_them() -> None:
    cells: dict[tuple[str, ...], int] = {("a",): 40, ("b",): 30}
    people: dict[tuple[str | None, ...], int] = {("a",): 2, ("b",): 25, (TOTAL,): 27}
    hidden = suppress(table([["a", "b"]], cells, people), min_cell=10)
    assert hidden[("a",)] is Reason.PRIMARY  # 40 purchases, but by 2 people
    assert hidden[("b",)] is Reason.COMPLEMENTARY


def test_min_cell_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        suppress(table([["a"]], {("a",): 1}), min_cell=0)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[list[str]], dict[tuple[str, ...], int]]:
    dims = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 4)) for _ in range(dims)]
    categories = [[f"{d}{i}" for i in range(size)] for d, size in enumerate(sizes)]
    count = st.one_of(st.just(0), st.integers(1, 12), st.integers(10, 60))
    cells: dict[tuple[str, ...], int] = {}
    shape = table(categories, {})
    for key in shape.entries():
        if shape.is_cell(key):
            cells[tuple(str(v) for v in key)] = draw(count)
    return categories, cells


@settings(max_examples=300, deadline=None)
@given(tables(), st.integers(1, 15))
def test_no_hidden_entry_can_be_worked_out_from_a_line(
    drawn: tuple[list[list[str]], dict[tuple[str, ...], int]], min_cell: int
) -> None:
    categories, cells = drawn
    shape = table(categories, cells)
    hidden = suppress(shape, min_cell=min_cell)
    for total, members in lines(shape):
        secret = [key for key in (total, *members) if key in hidden]
        assert len(secret) != 1, (total, secret)
        if len(secret) >= 2 and total not in hidden:
            # total minus the visible members gives only the sum of the hidden ones
            assert sum(shape.counts[key] for key in secret) == shape.counts[total] - sum(
                shape.counts[key] for key in members if key not in hidden
            )
    for key, count in shape.counts.items():
        if 0 < count < min_cell:
            assert hidden.get(key) is Reason.PRIMARY
        elif key in hidden:
            assert hidden[key] is Reason.COMPLEMENTARY
    assert recoverable(shape, hidden) == []
