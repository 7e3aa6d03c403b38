"""The published privacy policy, rendered from hogo.yaml in Japanese and English.

The policy a company publishes and the policy hogo enforces must be the same document,
so the public text is generated from hogo.yaml rather than written beside it. Each
section has one Jinja2 template per language (written as a Japanese or an English
company writes a policy, not translated word for word); the templates produce Markdown,
which is also the source of the HTML page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hogo.policy.announcements import CreatedDataset
from hogo.policy.render.context import document_title, environment, section_context
from hogo.policy.render.escape import md_block, md_inline
from hogo.policy.render.vocab import heading, section_title
from hogo.policy.schema import LANGS, Lang, NotThirdParty, Policy
from hogo.policy.sections import SECTION_KEYS

__all__ = [
    "RenderedSection",
    "render_html",
    "render_markdown",
    "render_sections",
    "section_heading",
]


@dataclass(frozen=True)
class RenderedSection:
    """One article of the policy; `title` is the bare title, `body` is Markdown."""

    key: str
    number: int
    title: str
    body: str


def section_heading(section: RenderedSection, lang: Lang) -> str:
    """第1条（基本方針） / Article 1 (General Provisions)."""
    return heading(section.number, section.title, lang)


def _has_content(key: str, policy: Policy, created: Sequence[CreatedDataset]) -> bool:
    """Whether the structured part of hogo.yaml gives a section anything to say.

    Sections the law requires in every public notice (purposes, provision, security,
    requests, contact…) are always present: their core is a promise the company makes
    whatever it has configured.
    """
    if key == "opt_out":
        return policy.third_party.opt_out is not None
    if key == "entrustment":
        entrustment = policy.entrustment
        return bool(
            entrustment.vendors
            or entrustment.selection
            or entrustment.supervision
            or NotThirdParty.ENTRUSTMENT in policy.third_party.not_third_party
        )
    if key == "joint_use":
        return bool(policy.joint_use)
    if key == "modules":
        return bool(policy.modules)
    if key == "statistics":
        return bool(policy.statistics or policy.anonymized or created)
    return True


def _check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGS)}")
    checked: Lang = "ja" if lang == "ja" else "en"
    return checked


_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


def _tidy(markdown: str) -> str:
    """Templates leave runs of blank lines, and trailing spaces, where optional parts were skipped."""
    return _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("", markdown)).strip()


def render_sections(
    policy: Policy, lang: Lang, *, created: Sequence[CreatedDataset] = ()
) -> list[RenderedSection]:
    """The articles in SECTION_KEYS order, numbered after empty sections are dropped.

    `created` are the anonymised datasets the ledger records as made, announced with
    their items and dates (APPI Art. 43(3)).
    """
    lang = _check_lang(lang)
    present = [
        key
        for key in SECTION_KEYS
        if _has_content(key, policy, created) or any(s.section == key for s in policy.statements)
    ]
    numbers = {key: index for index, key in enumerate(present, start=1)}
    context = section_context(policy, lang, numbers, created=created)
    env = environment()
    sections = []
    for key in present:
        body = env.get_template(f"{lang}/{key}.md.j2").render(context)
        extra = [md_block(s.text[lang]) for s in policy.statements if s.section == key]
        body = _tidy("\n\n".join([body, *extra]))
        title = section_title(key, lang, policy)
        sections.append(RenderedSection(key, numbers[key], title, body))
    return sections


def _document_parts(policy: Policy, lang: Lang) -> tuple[str, str]:
    """The translation notice shown under the title, and the dates at the end (Markdown)."""
    env = environment()
    context = section_context(policy, lang, {})
    notice = _tidy(env.get_template(f"{lang}/_notice.md.j2").render(context))
    footer = _tidy(env.get_template(f"{lang}/_footer.md.j2").render(context))
    return notice, footer


def render_markdown(policy: Policy, lang: Lang, *, created: Sequence[CreatedDataset] = ()) -> str:
    """The whole policy as one Markdown document."""
    lang = _check_lang(lang)
    notice, footer = _document_parts(policy, lang)
    title = md_inline(document_title(policy, lang))
    parts = [f"# {title}"]
    if notice:
        parts.append("\n".join(f"> {line}" if line else ">" for line in notice.splitlines()))
    for section in render_sections(policy, lang, created=created):
        parts.append(f"## {md_inline(section_heading(section, lang))}")
        parts.append(section.body)
    parts.extend(["---", footer])
    return "\n\n".join(part for part in parts if part) + "\n"


def render_html(
    policy: Policy,
    lang: Lang,
    *,
    other_language_href: str | None = None,
    created: Sequence[CreatedDataset] = (),
) -> str:
    """A standalone, printable HTML page; `other_language_href` links the other language."""
    from hogo.policy.render.html import page

    lang = _check_lang(lang)
    notice, footer = _document_parts(policy, lang)
    return page(
        policy,
        lang,
        render_sections(policy, lang, created=created),
        notice=notice,
        footer=footer,
        other_language_href=other_language_href,
    )
