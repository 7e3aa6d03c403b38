from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.support import hogo
from tests.conftest import FIXTURES


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A project made by `hogo init` (key file included), pointed at the full fixture policy."""
    assert hogo({}, "init", str(tmp_path))[0] == 0
    return {
        "HOGO_DATABASE_URL": f"sqlite:///{tmp_path / 'hogo.db'}",
        "HOGO_KEY_FILE": str(tmp_path / ".hogo" / "master.key"),
        "HOGO_POLICY": str(FIXTURES / "full.yaml"),
    }


@pytest.fixture
def ready(env: dict[str, str]) -> dict[str, str]:
    """The same, migrated, with the policy published and in force."""
    assert hogo(env, "db", "upgrade")[0] == 0
    assert hogo(env, "policy", "publish", "--effective", "2026-01-01")[0] == 0
    return env
