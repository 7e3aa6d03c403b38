"""Local recoding (partition.py): the guarantees on the released table, recounted here.

Every check reads the released cells back without the engine's code: a range "lo-hi" covers
the distinct values of its column between its ends, a hierarchy label the values under it,
"a|b" the values it names. pycanon (tests/verify) measures k and l on the released strings,
which is what a recipient sees.
"""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hogo.domain.anonymity import Anonymization, Hierarchy, NoSolution, anonymize
from hogo.domain.anonymity.partition import escape
from tests.conftest import AnonymityVerifier

EDUCATION = [
    ["Preschool", "Primary", "*"],
    ["1st-4th", "Primary", "*"],
    ["HS-grad", "Secondary", "*"],
    ["12th", "Secondary", "*"],
    ["Bachelors", "Higher", "*"],
    ["Masters", "Higher", "*"],
]


def cover(cell: str, domain: list[str], hierarchy: Hierarchy, *, numeric: bool) -> set[str]:
    """The original values a released cell stands for."""
    if numeric:
        if cell in domain:
            return {cell}
        low, high = (float(x) for x in re.fullmatch(r"(-?[\d.]+)-(-?[\d.]+)", cell).groups())  # type: ignore[union-attr]
        return {v for v in domain if low <= float(v) <= high}
    if cell not in domain and "|" not in cell and "\\" not in cell:
        under = {
            v
            for v in domain
            for level in range(1, hierarchy.height)
            if hierarchy.generalize(v, level) == cell
        }
        if under:
            return under
    return {re.sub(r"\\(.)", r"\1", p) for p in re.split(r"(?<!\\)\|", cell)}


def check_local(
    result: Anonymization,
    columns: dict[str, list[str]],
    quasi: dict[str, Hierarchy],
    sensitive: list[str],
    *,
    k: int,
    l: int | None,  # noqa: E741
    pycanon: AnonymityVerifier,
) -> None:
    n = len(columns["id"])
    assert result.recoding == "local" and result.levels == {} and result.suppressed == 0
    # Every input row is released exactly once, each cell covering the row's own value.
    assert Counter(result.columns["id"]) == Counter(columns["id"])
    by_id = {columns["id"][r]: r for r in range(n)}
    domains = {q: sorted(set(columns[q])) for q in quasi}
    numeric = {q: all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in domains[q]) for q in quasi}
    covers: dict[tuple[str, str], set[str]] = {}
    total = 0.0
    for i, ident in enumerate(result.columns["id"]):
        r = by_id[ident]
        for s in sensitive:
            assert result.columns[s][i] == columns[s][r]
        for q, hierarchy in quasi.items():
            cell = result.columns[q][i]
            if (q, cell) not in covers:
                covers[q, cell] = cover(cell, domains[q], hierarchy, numeric=bool(numeric[q]))
            assert columns[q][r] in covers[q, cell]
            d = len(domains[q])
            total += (len(covers[q, cell]) - 1) / (d - 1) if d > 1 else 0.0
    assert result.loss == pytest.approx(total / (n * len(quasi)), abs=1e-12)
    # The classes: at least k rows, at least l distinct sensitive values.
    rows: dict[tuple[str, ...], list[int]] = {}
    for i, key in enumerate(zip(*(result.columns[q] for q in quasi), strict=True)):
        rows.setdefault(key, []).append(i)
    assert len(rows) == result.classes
    assert min(len(v) for v in rows.values()) == result.k >= k
    if sensitive:
        found = min(
            len({result.columns[s][i] for i in v}) for s in sensitive for v in rows.values()
        )
        assert found == result.l
        assert l is None or found >= l
    # Strict partitions: any two classes are disjoint in at least one quasi-identifier.
    keys = list(rows)
    for a in range(len(keys)):
        for b in range(a + 1, len(keys)):
            assert any(
                not covers[q, keys[a][j]] & covers[q, keys[b][j]] for j, q in enumerate(quasi)
            ), (keys[a], keys[b])
    pycanon.verify(result.columns, list(quasi), sensitive, k=result.k, l=result.l)


def table(n: int, seed: int = 7) -> tuple[dict[str, list[str]], dict[str, Hierarchy]]:
    rng = random.Random(seed)
    columns = {
        "id": [f"r{i}" for i in range(n)],
        "age": [str(rng.randint(18, 90)) for _ in range(n)],
        "sex": [rng.choice("MF") for _ in range(n)],
        "education": [rng.choice(EDUCATION)[0] for _ in range(n)],
        "disease": [rng.choice(["flu", "cold", "ulcer", "none", "asthma"]) for _ in range(n)],
    }
    quasi = {
        "age": Hierarchy.intervals(columns["age"], (5, 10, 20)),
        "sex": Hierarchy.suppress_only(columns["sex"]),
        "education": Hierarchy.from_table(EDUCATION),
    }
    return columns, quasi


@pytest.mark.parametrize(("k", "l"), [(1, None), (2, None), (5, 3), (10, 2), (40, 5)])
def test_local_release_holds_k_and_l_and_reports_its_loss(
    k: int,
    l: int | None,  # noqa: E741
    pycanon: AnonymityVerifier,
) -> None:
    columns, quasi = table(400)
    result = anonymize(columns, quasi=quasi, sensitive=["disease"], k=k, l=l, recoding="local")
    check_local(result, columns, quasi, ["disease"], k=k, l=l, pycanon=pycanon)


def test_local_loses_less_than_global_here(pycanon: AnonymityVerifier) -> None:
    columns, quasi = table(600)
    local = anonymize(columns, quasi=quasi, k=5, recoding="local")
    whole = anonymize(columns, quasi=quasi, k=5, max_suppression=0.02)
    assert whole.recoding == "global" and whole.levels
    assert local.loss < whole.loss / 2
    check_local(local, columns, quasi, [], k=5, l=None, pycanon=pycanon)


def test_a_set_that_is_a_whole_hierarchy_node_shows_its_label() -> None:
    # Two classes of 3 by sex; inside each, education cannot be split further (k = 3).
    columns = {
        "id": [f"r{i}" for i in range(6)],
        "sex": ["M", "M", "M", "F", "F", "F"],
        "education": ["Bachelors", "Masters", "Masters", "HS-grad", "12th", "Bachelors"],
    }
    quasi = {
        "sex": Hierarchy.suppress_only(columns["sex"]),
        "education": Hierarchy.from_table(EDUCATION),
    }
    result = anonymize(columns, quasi=quasi, k=3, recoding="local")
    released = dict(zip(result.columns["sex"], result.columns["education"], strict=True))
    assert released == {"M": "Higher", "F": "HS-grad|12th|Bachelors"}
    assert result.classes == 2


def test_categories_follow_the_hierarchy_order_and_numbers_their_value() -> None:
    columns = {
        "id": [f"r{i}" for i in range(8)],
        "age": ["9", "10", "100", "11", "9", "10", "100", "11"],
        "education": ["Masters", "Preschool", "Bachelors", "1st-4th"] * 2,
    }
    quasi = {
        "age": Hierarchy.suppress_only(columns["age"]),
        "education": Hierarchy.from_table(EDUCATION),
    }
    by_age = anonymize(columns, quasi={"age": quasi["age"]}, k=4, recoding="local")
    assert set(by_age.columns["age"]) == {"9-10", "11-100"}  # numeric, not "10" < "9"
    by_education = anonymize(
        columns, quasi={"education": quasi["education"]}, k=4, recoding="local"
    )
    assert set(by_education.columns["education"]) == {"Primary", "Higher"}


def test_a_value_holding_the_separator_is_escaped() -> None:
    assert escape("a|b\\c") == "a\\|b\\\\c"
    columns = {"id": ["1", "2", "3", "4"], "q": ["x|y", "z", "x|y", "z"]}
    quasi = {"q": Hierarchy.suppress_only(columns["q"])}
    result = anonymize(columns, quasi=quasi, k=4, recoding="local")
    assert set(result.columns["q"]) == {"*"}  # the whole column: the hierarchy's top
    rows = {"id": [str(i) for i in range(6)], "q": ["x|y", "z", "z", "w", "w", "w"]}
    quasi = {"q": Hierarchy.from_table([["x|y", "g", "*"], ["z", "h", "*"], ["w", "h", "*"]])}
    result = anonymize(rows, quasi=quasi, k=3, recoding="local")
    assert Counter(result.columns["q"]) == {"x\\|y|z": 3, "w": 3}


def test_l_diversity_stops_a_cut_that_k_allows() -> None:
    columns = {"id": list("abcd"), "q": ["1", "1", "2", "2"], "s": ["x", "x", "y", "z"]}
    quasi = {"q": Hierarchy.suppress_only(columns["q"])}
    plain = anonymize(columns, quasi=quasi, sensitive=["s"], k=2, recoding="local")
    assert plain.classes == 2 and plain.l == 1
    diverse = anonymize(columns, quasi=quasi, sensitive=["s"], k=2, l=2, recoding="local")
    assert diverse.classes == 1 and diverse.l == 3 and diverse.columns["q"] == ["1-2"] * 4


def test_no_solution_when_even_the_whole_table_fails() -> None:
    columns = {"q": ["a", "b", "c", "d"], "s": ["x", "y", "x", "y"]}
    quasi = {"q": Hierarchy.suppress_only(columns["q"])}
    with pytest.raises(NoSolution, match="only 2 distinct values, fewer than l = 3"):
        anonymize(columns, quasi=quasi, sensitive=["s"], k=2, l=3, recoding="local")
    with pytest.raises(NoSolution, match="4 rows, fewer than k = 5"):
        anonymize(columns, quasi=quasi, k=5, recoding="local")


def test_bad_calls_are_refused_as_for_global() -> None:
    columns = {"q": ["a", "b"], "s": ["x", "y"]}
    quasi = {"q": Hierarchy.suppress_only(columns["q"])}
    with pytest.raises(ValueError, match="needs at least one sensitive"):
        anonymize(columns, quasi=quasi, k=2, l=2, recoding="local")
    with pytest.raises(ValueError, match="recoding must be"):
        anonymize(columns, quasi=quasi, k=2, recoding="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="column 'q': the hierarchy does not cover"):
        anonymize(
            {"q": ["a", "c"]}, quasi={"q": Hierarchy.suppress_only(["a"])}, k=1, recoding="local"
        )


def test_the_order_of_the_output_forgets_the_input() -> None:
    columns, quasi = table(200)
    result = anonymize(columns, quasi=quasi, k=4, recoding="local")
    order = list(range(200))
    random.Random(3).shuffle(order)
    shuffled = {name: [cells[i] for i in order] for name, cells in columns.items()}
    again = anonymize(shuffled, quasi=quasi, k=4, recoding="local")
    assert again.columns["age"] == result.columns["age"]
    assert again.loss == pytest.approx(result.loss)


@st.composite
def problems(draw: st.DrawFn) -> tuple[dict[str, list[str]], dict[str, Hierarchy], int, int | None]:
    n = draw(st.integers(min_value=1, max_value=40))
    columns: dict[str, list[str]] = {"id": [str(i) for i in range(n)]}
    quasi: dict[str, Hierarchy] = {}
    for q in range(draw(st.integers(1, 3))):
        values = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
        if draw(st.booleans()):
            columns[f"n{q}"] = [str(v) for v in values]
            quasi[f"n{q}"] = Hierarchy.intervals(columns[f"n{q}"], (4,))
        else:
            columns[f"c{q}"] = [f"v{v}" for v in values]
            quasi[f"c{q}"] = Hierarchy.from_functions(columns[f"c{q}"], [lambda v: v[:2]])
    columns["s"] = [str(v) for v in draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))]
    return columns, quasi, draw(st.integers(1, 6)), draw(st.none() | st.integers(1, 3))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=problems())
def test_random_tables(
    pycanon: AnonymityVerifier,
    case: tuple[dict[str, list[str]], dict[str, Hierarchy], int, int | None],
) -> None:
    columns, quasi, k, l = case  # noqa: E741
    n, diverse = len(columns["id"]), len(set(columns["s"]))
    if n < k or (l is not None and diverse < l):
        with pytest.raises(NoSolution):
            anonymize(columns, quasi=quasi, sensitive=["s"], k=k, l=l, recoding="local")
        return
    result = anonymize(columns, quasi=quasi, sensitive=["s"], k=k, l=l, recoding="local")
    check_local(result, columns, quasi, ["s"], k=k, l=l, pycanon=pycanon)
