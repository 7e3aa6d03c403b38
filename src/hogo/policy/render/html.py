"""The HTML page: section Markdown converted by markdown-it, wrapped in an accessible page.

The Markdown is the reviewed text; HTML is only its presentation, so the page is built
from the same section bodies rather than from separate HTML templates. Raw HTML in the
Markdown is switched off, so even a template mistake cannot put markup from hogo.yaml
into the page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markupsafe import Markup

from hogo.policy.render.context import document_title, environment
from hogo.policy.render.vocab import UI, format_date, heading
from hogo.policy.schema import Lang, Policy

if TYPE_CHECKING:
    from hogo.policy.render import RenderedSection


@functools.cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown_to_html(markdown: str) -> Markup:
    """Trusted because markdown-it escapes all text and raw HTML is disabled."""
    return Markup(_markdown().render(markdown))


@dataclass(frozen=True)
class _PageSection:
    key: str
    heading: str
    html: Markup


def _check_href(href: str) -> str:
    """A relative path or an http(s) URL; a javascript: link in the page would run script."""
    scheme = urlsplit(href).scheme.lower()
    if scheme not in ("", "http", "https"):
        raise ValueError(f"other_language_href {href!r} must be relative or http(s)")
    return href


def page(
    policy: Policy,
    lang: Lang,
    sections: list[RenderedSection],
    *,
    notice: str,
    footer: str,
    other_language_href: str | None,
) -> str:
    meta = policy.policy
    template = environment().get_template("page.html.j2")
    return template.render(
        lang=lang,
        ui=UI[lang],
        title=document_title(policy, lang),
        organization=policy.organization.name[lang],
        organization_url=policy.organization.url,
        version=meta.version,
        last_revised=format_date(meta.last_revised or meta.established, lang),
        notice=markdown_to_html(notice) if notice else None,
        footer=markdown_to_html(footer),
        other_language_href=(
            _check_href(other_language_href) if other_language_href is not None else None
        ),
        sections=[
            _PageSection(s.key, heading(s.number, s.title, lang), markdown_to_html(s.body))
            for s in sections
        ],
    )
