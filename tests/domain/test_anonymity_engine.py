"""The k-anonymity engine: the optimum, the guarantees on the released table, the figures.

Every released table is also measured by pycanon (tests/verify), an implementation that is
not ours, through the `pycanon` fixture.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hogo.domain.anonymity import Anonymization, Hierarchy, NoSolution, anonymize
from hogo.domain.anonymity.engine import Problem
from hogo.domain.anonymity.lattice import brute_force
from tests.conftest import AnonymityVerifier


def classes_of(result: Anonymization, quasi: Sequence[str]) -> Counter[tuple[str, ...]]:
    return Counter(zip(*(result.columns[q] for q in quasi), strict=True))


def check_release(
    result: Anonymization,
    columns: dict[str, list[str]],
    quasi: dict[str, Hierarchy],
    sensitive: list[str],
    *,
    k: int,
    l: int | None,  # noqa: E741
    max_suppression: float,
    pycanon: AnonymityVerifier,
) -> None:
    """What must hold of any released table, recounted here without the engine's code."""
    n = len(next(iter(columns.values())))
    released = len(next(iter(result.columns.values())))
    assert released + result.suppressed == n
    assert result.suppressed <= max_suppression * n + 1e-9
    sizes = classes_of(result, list(quasi))
    assert min(sizes.values()) == result.k >= k
    assert len(sizes) == result.classes
    if sensitive:
        distinct = min(
            len({result.columns[s][r] for r in rows})
            for s in sensitive
            for rows in _rows_by_class(result, list(quasi)).values()
        )
        assert distinct == result.l
        if l is not None:
            assert distinct >= l
    else:
        assert result.l is None
    assert result.risk_highest == pytest.approx(1 / min(sizes.values()))
    assert result.risk_average == pytest.approx(
        sum(size * (1 / size) for size in sizes.values()) / released
    )
    assert result.loss == pytest.approx(ncp(result, columns, quasi))
    # Each released row is an input row generalized at the reported levels.
    expected = Counter(
        tuple(
            quasi[c].generalize(columns[c][r], result.levels[c]) if c in quasi else columns[c][r]
            for c in columns
        )
        for r in range(n)
    )
    got = Counter(zip(*result.columns.values(), strict=True))
    assert not got - expected
    pycanon.verify(result.columns, list(quasi), sensitive, k=result.k, l=result.l)


def _rows_by_class(result: Anonymization, quasi: list[str]) -> dict[tuple[str, ...], list[int]]:
    found: dict[tuple[str, ...], list[int]] = {}
    for r, key in enumerate(zip(*(result.columns[q] for q in quasi), strict=True)):
        found.setdefault(key, []).append(r)
    return found


def ncp(result: Anonymization, columns: dict[str, list[str]], quasi: dict[str, Hierarchy]) -> float:
    """NCP recomputed from the released cells: each maps back to the originals it covers."""
    n = len(next(iter(columns.values())))
    total = 0.0
    for name, hierarchy in quasi.items():
        domain = sorted(set(columns[name]))
        level = result.levels[name]
        covers = Counter(hierarchy.generalize(v, level) for v in domain)
        for cell in result.columns[name]:
            total += (covers[cell] - 1) / (len(domain) - 1) if len(domain) > 1 else 0.0
        total += result.suppressed  # a removed row loses everything
    return total / (n * len(quasi))


def table(n: int, seed: int = 7) -> dict[str, list[str]]:
    rng = random.Random(seed)
    return {
        "id": [f"r{i}" for i in range(n)],
        "age": [str(rng.randint(18, 90)) for _ in range(n)],
        "sex": [rng.choice("MF") for _ in range(n)],
        "zip": [str(rng.randint(100, 130)) for _ in range(n)],
        "disease": [rng.choice(["flu", "cold", "ulcer", "none", "asthma"]) for _ in range(n)],
    }


def quasi_for(columns: dict[str, list[str]]) -> dict[str, Hierarchy]:
    return {
        "age": Hierarchy.intervals(columns["age"], (5, 10, 20, 40)),
        "sex": Hierarchy.suppress_only(columns["sex"]),
        "zip": Hierarchy.intervals(columns["zip"], (2, 4, 8)),
    }


@pytest.mark.parametrize(
    ("k", "l", "max_suppression"),
    [(2, None, 0.0), (5, None, 0.01), (5, 3, 0.02), (10, 2, 0.05), (25, 4, 0.0)],
)
def test_release_satisfies_and_is_the_brute_force_optimum(
    k: int,
    l: int | None,  # noqa: E741
    max_suppression: float,
    pycanon: AnonymityVerifier,
) -> None:
    columns = table(600)
    quasi = quasi_for(columns)
    problem = Problem(
        columns, quasi=quasi, sensitive=["disease"], k=k, l=l, max_suppression=max_suppression
    )
    result = problem.solve()
    check_release(
        result,
        columns,
        quasi,
        ["disease"],
        k=k,
        l=l,
        max_suppression=max_suppression,
        pycanon=pycanon,
    )
    reference = problem.solve(brute_force)
    assert result.loss == pytest.approx(reference.loss, abs=1e-12)
    assert result.levels == reference.levels
    assert result.nodes_checked < result.lattice_size  # the pruning works


def test_k_of_one_releases_the_table_as_it_is(pycanon: AnonymityVerifier) -> None:
    columns = table(50)
    result = anonymize(columns, quasi=quasi_for(columns), sensitive=["disease"], k=1)
    assert result.levels == {"age": 0, "sex": 0, "zip": 0}
    assert result.loss == 0 and result.suppressed == 0
    assert Counter(result.rows[i]["id"] for i in range(50)) == Counter(columns["id"])
    check_release(
        result,
        columns,
        quasi_for(columns),
        ["disease"],
        k=1,
        l=None,
        max_suppression=0,
        pycanon=pycanon,
    )


def test_other_columns_pass_through_and_the_order_forgets_the_input(
    pycanon: AnonymityVerifier,
) -> None:
    columns = table(300)
    result = anonymize(columns, quasi=quasi_for(columns), k=4, max_suppression=0.02)
    assert set(result.columns) == set(columns)
    assert set(result.columns["id"]) <= set(columns["id"])
    order = list(range(300))
    random.Random(3).shuffle(order)
    shuffled = {name: [cells[i] for i in order] for name, cells in columns.items()}
    again = anonymize(shuffled, quasi=quasi_for(shuffled), k=4, max_suppression=0.02)
    assert again.columns == result.columns
    pycanon.verify(result.columns, ["age", "sex", "zip"], [], k=result.k, l=None)


def test_suppression_limit_counts_whole_rows() -> None:
    # 20 rows in class "a" and one outlier: 5 % of 21 rows is 1.05, so 1 row may go.
    columns = {"q": ["a"] * 20 + ["b"]}
    quasi = {"q": Hierarchy.suppress_only(columns["q"])}
    kept = anonymize(columns, quasi=quasi, k=2, max_suppression=0.05)
    assert kept.levels == {"q": 0} and kept.suppressed == 1
    generalized = anonymize(columns, quasi=quasi, k=2, max_suppression=0.04)
    assert generalized.levels == {"q": 1} and generalized.suppressed == 0
    assert generalized.columns["q"] == ["*"] * 21


def test_l_diversity_generalizes_further_than_k_alone() -> None:
    columns = {"q": ["a", "a", "b", "b"], "s": ["x", "x", "y", "z"]}
    quasi = {"q": Hierarchy.suppress_only(columns["q"])}
    plain = anonymize(columns, quasi=quasi, sensitive=["s"], k=2)
    assert plain.levels == {"q": 0} and plain.l == 1
    diverse = anonymize(columns, quasi=quasi, sensitive=["s"], k=2, l=2)
    assert diverse.levels == {"q": 1} and diverse.l == 3


def test_no_solution_when_too_few_rows() -> None:
    columns = {"q": ["a", "b", "c"]}
    with pytest.raises(NoSolution, match="3 rows, fewer than k = 5"):
        anonymize(columns, quasi={"q": Hierarchy.suppress_only(columns["q"])}, k=5)


def test_no_solution_when_too_few_sensitive_values() -> None:
    columns = {"q": ["a", "b", "c", "d"], "s": ["x", "y", "x", "y"]}
    with pytest.raises(NoSolution, match="only 2 distinct values, fewer than l = 3"):
        anonymize(
            columns,
            quasi={"q": Hierarchy.suppress_only(columns["q"])},
            sensitive=["s"],
            k=2,
            l=3,
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "k must be"),
        ({"k": 2, "l": 2}, "needs at least one sensitive"),
        ({"k": 2, "max_suppression": 1.0}, "suppression limit"),
        ({"k": 2, "sensitive": ["q"]}, "both quasi-identifier and sensitive"),
        ({"k": 2, "sensitive": ["nope"]}, "no column 'nope'"),
    ],
)
def test_bad_calls_are_refused(kwargs: dict[str, object], message: str) -> None:
    columns = {"q": ["a", "b"], "s": ["x", "y"]}
    with pytest.raises(ValueError, match=message):
        anonymize(columns, quasi={"q": Hierarchy.suppress_only(columns["q"])}, **kwargs)  # type: ignore[arg-type]


def test_ragged_and_empty_tables_are_refused() -> None:
    quasi = {"q": Hierarchy.suppress_only(["a"])}
    with pytest.raises(ValueError, match="same number of rows"):
        anonymize({"q": ["a"], "s": []}, quasi=quasi, k=1)
    with pytest.raises(ValueError, match="no rows"):
        anonymize({"q": []}, quasi=quasi, k=1)


def test_a_value_outside_its_hierarchy_is_refused() -> None:
    with pytest.raises(ValueError, match="column 'q': the hierarchy does not cover the value 'c'"):
        anonymize({"q": ["a", "c"]}, quasi={"q": Hierarchy.suppress_only(["a", "b"])}, k=1)


def test_a_lattice_too_large_is_refused() -> None:
    deep = Hierarchy.from_functions(["1"], [lambda v, i=i: f"{v}/{i}" for i in range(20)])
    columns = {f"c{i}": ["1"] for i in range(5)}
    with pytest.raises(ValueError, match="combinations of levels to search"):
        anonymize(columns, quasi=dict.fromkeys(columns, deep), k=1)


# --- the search against brute force on small random tables -----------------------------


@st.composite
def problems(
    draw: st.DrawFn,
) -> tuple[dict[str, list[str]], dict[str, Hierarchy], dict[str, object]]:
    n = draw(st.integers(min_value=1, max_value=40))
    width = draw(st.integers(min_value=1, max_value=3))
    columns: dict[str, list[str]] = {}
    quasi: dict[str, Hierarchy] = {}
    for q in range(width):
        values = draw(st.lists(st.integers(0, 15), min_size=n, max_size=n))
        name = f"q{q}"
        columns[name] = [str(v) for v in values]
        widths = draw(st.sampled_from([(), (2,), (2, 4), (4, 8), (2, 4, 8)]))
        quasi[name] = Hierarchy.intervals(columns[name], widths)
    columns["s"] = [str(v) for v in draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))]
    options: dict[str, object] = {
        "k": draw(st.integers(1, 6)),
        "l": draw(st.none() | st.integers(1, 3)),
        "max_suppression": draw(st.sampled_from([0.0, 0.05, 0.1, 0.3])),
        "sensitive": ["s"],
    }
    return columns, quasi, options


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=problems())
def test_the_pruned_search_finds_the_brute_force_optimum(
    pycanon: AnonymityVerifier,
    case: tuple[dict[str, list[str]], dict[str, Hierarchy], dict[str, object]],
) -> None:
    columns, quasi, options = case
    problem = Problem(columns, quasi=quasi, **options)  # type: ignore[arg-type]
    try:
        result = problem.solve()
    except NoSolution:
        with pytest.raises(NoSolution):
            problem.solve(brute_force)
        return
    reference = problem.solve(brute_force)
    assert math.isclose(result.loss, reference.loss, abs_tol=1e-12)
    assert result.levels == reference.levels
    check_release(
        result,
        columns,
        quasi,
        ["s"],
        k=options["k"],  # type: ignore[arg-type]
        l=options["l"],  # type: ignore[arg-type]
        max_suppression=options["max_suppression"],  # type: ignore[arg-type]
        pycanon=pycanon,
    )


def test_grouping_works_on_wide_key_ranges_too() -> None:
    from hogo.domain.anonymity.coding import count_distinct as _distinct
    from hogo.domain.anonymity.coding import dense as _dense

    for top, span in ((1000, 1001), (10**7, 1 << 50)):  # a presence table, then sorting
        key = np.array([5, top, 5, 3], dtype=np.int64)
        numbered, count = _dense(key, span)
        assert numbered.tolist() == [1, 2, 1, 0] and count == 3
    group = np.array([0, 0, 1, 1, 1], dtype=np.int64)
    values = np.array([4, 4, 1, 2, 3], dtype=np.int64)
    assert _distinct(group, 2, values, 5).tolist() == [1, 3]
    assert _distinct(group, 2, values, 1 << 30).tolist() == [1, 3]
