"""Running hogo commands in-process for the CLI tests."""

from __future__ import annotations

from typer.testing import CliRunner

from hogo.cli.main import app

runner = CliRunner()


def hogo(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run `hogo ARGS` with `env`; returns (exit code, stdout, stderr)."""
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr
