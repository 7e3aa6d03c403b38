from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "policy" / "fixtures"
STARTER = ROOT / "src" / "hogo" / "policy" / "starter" / "hogo.yaml"


@pytest.fixture
def full_policy_path() -> Path:
    return FIXTURES / "full.yaml"


@pytest.fixture
def starter_path() -> Path:
    return STARTER


class AnonymityVerifier:
    """Checks a released table's k and l with pycanon (an implementation that is not ours)."""

    def __init__(self) -> None:
        from tests.verify import pycanon_client

        self.process = pycanon_client.Pycanon() if pycanon_client.available() else None
        self.checked = 0

    def verify(
        self,
        columns: dict[str, list[str]],
        quasi: list[str],
        sensitive: list[str],
        *,
        k: int,
        l: int | None,  # noqa: E741
    ) -> None:
        """pycanon's k and l equal the reported ones (no-op when .venv-verify is absent)."""
        if self.process is None or not next(iter(columns.values()), []):
            return
        found = self.process.measure(columns, quasi, sensitive)
        assert found["k"] == k, f"pycanon finds k = {found['k']}, hogo reported {k}"
        if sensitive:
            assert found["l"] == l, f"pycanon finds l = {found['l']}, hogo reported {l}"
        self.checked += 1


@pytest.fixture(scope="session")
def pycanon() -> Iterator[AnonymityVerifier]:
    verifier = AnonymityVerifier()
    yield verifier
    if verifier.process is not None:
        verifier.process.close()
