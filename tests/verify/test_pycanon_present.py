"""The independent check of k and l runs: pycanon's environment is there (always in CI)."""

from __future__ import annotations

import pytest

from tests.conftest import AnonymityVerifier
from tests.verify import pycanon_client


def test_pycanon_environment_is_there(pycanon: AnonymityVerifier) -> None:
    if not pycanon_client.available():
        if pycanon_client.required():
            pytest.fail(pycanon_client.MISSING)
        pytest.skip(pycanon_client.MISSING)
    pycanon.verify({"a": ["1", "1", "2", "2"], "s": ["x", "y", "x", "x"]}, ["a"], ["s"], k=2, l=1)


def test_pycanon_disagreement_is_caught(pycanon: AnonymityVerifier) -> None:
    if not pycanon_client.available():
        pytest.skip(pycanon_client.MISSING)
    with pytest.raises(AssertionError, match="pycanon finds k = 2"):
        pycanon.verify({"a": ["1", "1", "2", "2"]}, ["a"], [], k=3, l=None)
