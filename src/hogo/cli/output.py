"""Printing for the CLI: Rich on a terminal, plain text in pipes, JSON for scripts.

User-supplied text (policy labels, file names) is never parsed as Rich markup.
"""

from __future__ import annotations

import json
import sys
from enum import IntEnum, StrEnum
from typing import Any

from rich.console import Console


class ExitCode(IntEnum):
    """Exit codes shared by every command (documented in docs/cli.md)."""

    OK = 0
    FAILED = 1
    BAD_INPUT = 2
    REFUSED = 3


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
