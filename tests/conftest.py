from __future__ import annotations

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
