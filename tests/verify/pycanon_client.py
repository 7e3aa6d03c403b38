"""Checks every dataset the anonymity tests produce with pycanon, in its own venv.

pycanon pins typer and typing_extensions to versions that clash with hogo's, so it lives in
.venv-verify (`make verify-venv`; `make test` makes it first). Without that venv the
verification is skipped locally with a clear reason, and fails in CI.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv-verify" / "bin" / "python"
SERVER = Path(__file__).with_name("pycanon_server.py")
MISSING = (
    "pycanon's environment .venv-verify is missing: run `make verify-venv` "
    "(make test does) to verify k and l with pycanon"
)


class Pycanon:
    """A long-lived pycanon process: one request per dataset, answers in milliseconds."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [str(PYTHON), str(SERVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def measure(
        self, columns: Mapping[str, Sequence[str]], quasi: Sequence[str], sensitive: Sequence[str]
    ) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        request = {
            "columns": {name: list(cells) for name, cells in columns.items()},
            "quasi": list(quasi),
            "sensitive": list(sensitive),
        }
        self.process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        reply: dict[str, Any] = json.loads(self.process.stdout.readline())
        assert "error" not in reply, reply
        return reply

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def available() -> bool:
    return PYTHON.exists()


def required() -> bool:
    """In CI the verification must run: a missing venv is a failure there, not a skip."""
    return bool(os.environ.get("CI"))
