"""Putting text from hogo.yaml into Markdown without letting it become markup.

Names, labels and clauses in hogo.yaml are written by people who are not thinking about
Markdown (a company called "*Star* K.K.", an item "A|B"), and the rendered policy is
published: a stray character must not turn into a table, a link or raw HTML. Every value
is backslash-escaped, which CommonMark defines for all ASCII punctuation, so the
rendered text reads exactly as written.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
"""Characters that start markup anywhere on a line (emphasis, links, raw HTML, tables)."""

_LINE_START = re.compile(
    r"^(?:[-+#](?=\s|$)|#{2,6}(?=\s|$)|-(?=-+\s*$)|=(?==*\s*$)|\d{1,9}(?P<mark>[.)])(?=\s|$))"
)
"""What starts a block at line start: a list item, a heading, a thematic break, a setext line."""

_SPACES = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")

_URL_SAFE = ":/?#@!$&'*+,;=%-._~"
"""Reserved and unreserved URL characters (RFC 3986) kept as they are; the rest is encoded."""


def _escape_line(line: str) -> str:
    escaped = _INLINE.sub(r"\\\1", line)
    match = _LINE_START.match(escaped)
    if match is None:
        return escaped
    if match.group("mark"):
        cut = match.start("mark")
        return escaped[:cut] + "\\" + escaped[cut:]
    return "\\" + escaped


def md_inline(text: str) -> str:
    """One line of literal text: whitespace runs (newlines included) become one space.

    Used where a line break would end the construct the text sits in: a list item,
    a table cell, a heading.
    """
    return _escape_line(_SPACES.sub(" ", text).strip())


def md_block(text: str) -> str:
    """Literal paragraphs: blank lines separate paragraphs, single newlines stay line breaks."""
    paragraphs = []
    for paragraph in _PARAGRAPH_BREAK.split(text.strip()):
        lines = [_escape_line(" ".join(line.split())) for line in paragraph.splitlines()]
        lines = [line for line in lines if line]
        if lines:
            paragraphs.append("\\\n".join(lines))
    return "\n\n".join(paragraphs)


def md_url(url: str) -> str:
    """An autolink; characters that could end it early or break out of it are percent-encoded."""
    return f"<{quote(url, safe=_URL_SAFE)}>"


def md_mailto(address: str) -> str:
    """A mailto link whose visible text is the address as written."""
    return f"[{md_inline(address)}](mailto:{quote(address, safe='@.+-_')})"
