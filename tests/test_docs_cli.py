"""docs/cli.md documents every command and every option the CLI has."""

from __future__ import annotations

from typing import Any

import typer.main

from hogo.cli.main import app
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "cli.md").read_text("utf-8")


def commands() -> dict[str, Any]:
    """Every leaf command by its full name ("policy publish"), walking command groups.

    Typer vendors its own click, so groups and parameters are told apart by duck typing.
    """
    found: dict[str, Any] = {}

    def walk(prefix: str, command: Any) -> None:
        for name, child in command.commands.items():
            full = f"{prefix} {name}".strip()
            if hasattr(child, "commands"):
                walk(full, child)
            else:
                found[full] = child

    walk("", typer.main.get_command(app))
    return found


def test_every_command_has_a_section() -> None:
    for name in commands():
        assert f"## `hogo {name}`" in DOC, f"docs/cli.md has no section for hogo {name}"


def test_every_option_and_argument_is_documented() -> None:
    for name, command in commands().items():
        section = DOC.split(f"## `hogo {name}`", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            if param.param_type_name == "option":
                for flag in param.opts:
                    assert f"`{flag}`" in section, f"hogo {name}: {flag} is undocumented"
            else:
                assert f"`{param.name.upper()}`" in section, (
                    f"hogo {name}: {param.name} is undocumented"
                )


def test_no_documented_command_is_missing() -> None:
    documented = {
        line[len("## `hogo ") : -1] for line in DOC.splitlines() if line.startswith("## `hogo ")
    }
    assert documented == set(commands())


def test_every_rule_is_in_the_rules_page() -> None:
    from hogo.services.policy_documents import list_rules

    page = (ROOT / "docs" / "rules.md").read_text("utf-8")
    for rule in list_rules():
        row = f"| {rule.id} | {rule.severity.value} | {rule.title_en} | {rule.title_ja} | {rule.article} |"
        assert row in page, f"docs/rules.md is out of date for {rule.id}"
