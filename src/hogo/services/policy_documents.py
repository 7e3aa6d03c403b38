"""Policy documents as a use case: load, check, render, diff and scaffold hogo.yaml.

The CLI (and later the API and console) call these functions only; they never reach into
`hogo.policy` themselves, so the rules of how a policy is read stay in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

from hogo.config import DEFAULT_KEY_FILE
from hogo.ledger.crypto import FileKeyProvider
from hogo.policy.announcements import CreatedDataset
from hogo.policy.check import Finding, Rule, Severity, all_rules, check_policy
from hogo.policy.diff import PolicyDiff, diff_policies
from hogo.policy.loader import Diagnostic, LoadedPolicy, PolicyLoadError, load_policy
from hogo.policy.render import render_html, render_markdown
from hogo.policy.schema import LANGS, Lang

Format = Literal["md", "html"]

__all__ = [
    "LANGS",
    "CheckReport",
    "Diagnostic",
    "Finding",
    "Format",
    "Lang",
    "PolicyDiff",
    "PolicyLoadError",
    "Rule",
    "ScaffoldExistsError",
    "Scaffolded",
    "Severity",
    "SiteFiles",
    "check_file",
    "diff_files",
    "list_rules",
    "load",
    "render_file",
    "render_site",
    "scaffold",
]


def load(path: Path | str) -> LoadedPolicy:
    """A policy ready to enforce: valid and with every reference resolved."""
    return load_policy(path, strict=True)


@dataclass(frozen=True)
class CheckReport:
    """The outcome of `hogo check`: either the file did not load, or the rules' findings."""

    file: str
    diagnostics: tuple[Diagnostic, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def errors(self) -> int:
        return len(self.diagnostics) + sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "ok": self.ok,
            "errors": self.errors,
            "warnings": self.warnings,
            "load_errors": [
                {"file": d.file, "line": d.line, "column": d.column, "message": d.message}
                for d in self.diagnostics
            ],
            "findings": [f.to_dict() for f in self.findings],
        }


def check_file(path: Path | str, *, today: date | None = None) -> CheckReport:
    """Check a policy file; broken references come back as findings, not as a load failure."""
    try:
        loaded = load_policy(path, strict=False)
    except PolicyLoadError as exc:
        if exc.diagnostics and exc.diagnostics[0].message in _UNREADABLE:
            raise
        return CheckReport(str(path), diagnostics=tuple(exc.diagnostics))
    return CheckReport(str(path), findings=tuple(check_policy(loaded, today=today)))


# A file that cannot be read at all is a usage error (exit 2), not a policy with errors.
_UNREADABLE = {"no such file", "is a directory, not a policy file"}


def list_rules() -> list[Rule]:
    return all_rules()


def render_file(
    path: Path | str, lang: Lang, fmt: Format, *, created: Sequence[CreatedDataset] = ()
) -> str:
    """The policy file rendered; `created` are the anonymised datasets the ledger made,
    announced with their items (APPI Art. 43(3))."""
    policy = load(path).policy
    if fmt == "md":
        return render_markdown(policy, lang, created=created)
    other = "en" if lang == "ja" else "ja"
    return render_html(policy, lang, other_language_href=f"../{other}/", created=created)


@dataclass(frozen=True)
class SiteFiles:
    root: Path
    files: tuple[Path, ...]


def render_site(
    path: Path | str, directory: Path, *, created: Sequence[CreatedDataset] = ()
) -> SiteFiles:
    """The published policy as a static site: /ja/ and /en/ in HTML and Markdown, and an index."""
    policy = load(path).policy
    written: list[Path] = []
    for lang in LANGS:
        folder = directory / lang
        folder.mkdir(parents=True, exist_ok=True)
        other = "en" if lang == "ja" else "ja"
        html = render_html(policy, lang, other_language_href=f"../{other}/", created=created)
        for name, text in (
            ("index.html", html),
            ("privacy-policy.md", render_markdown(policy, lang, created=created)),
        ):
            target = folder / name
            target.write_text(text, encoding="utf-8")
            written.append(target)
    index = directory / "index.html"
    authoritative = policy.policy.authoritative_language
    index.write_text(_site_index(authoritative), encoding="utf-8")
    written.insert(0, index)
    return SiteFiles(directory, tuple(written))


def _site_index(lang: Lang) -> str:
    """A language chooser that sends browsers to the authoritative version by default."""
    return (
        '<!doctype html>\n<html lang="ja"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={lang}/">'
        "<title>プライバシーポリシー / Privacy Policy</title></head><body><ul>"
        '<li><a href="ja/" hreflang="ja">プライバシーポリシー（日本語）</a></li>'
        '<li><a href="en/" hreflang="en">Privacy Policy (English)</a></li>'
        "</ul></body></html>\n"
    )


def diff_files(old: Path | str, new: Path | str) -> PolicyDiff:
    return diff_policies(load(old).policy, load(new).policy)


class ScaffoldExistsError(FileExistsError):
    """hogo init never overwrites a policy someone has started writing."""


@dataclass(frozen=True)
class Scaffolded:
    policy: Path
    key_file: Path | None
    """The master key file created, or None when one already existed."""


def scaffold(directory: Path, *, force: bool = False) -> Scaffolded:
    """Write a commented starter hogo.yaml that passes `hogo check`, and a master key file.

    The key file is created only when missing: replacing it would make every value
    encrypted under it unreadable. Its folder gets a .gitignore so it is never committed.
    """
    target = directory / "hogo.yaml"
    if target.exists() and not force:
        raise ScaffoldExistsError(f"{target} already exists; use --force to replace it")
    directory.mkdir(parents=True, exist_ok=True)
    starter = resources.files("hogo.policy").joinpath("starter/hogo.yaml").read_text("utf-8")
    target.write_text(starter, encoding="utf-8")
    key_file = directory / DEFAULT_KEY_FILE
    if key_file.exists():
        return Scaffolded(target, None)
    FileKeyProvider.create(key_file)
    (key_file.parent / ".gitignore").write_text("# master keys never go into version control\n*\n")
    return Scaffolded(target, key_file)
