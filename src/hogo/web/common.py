"""What the console, the portal and their error pages share."""

from __future__ import annotations

from fastapi import Request

LANGS = ("ja", "en")


class LoginRequired(Exception):
    """Raised by the console's role dependency; answered with a redirect to the log-in page."""


def lang_of(request: Request) -> str:
    """?lang= first, then the remembered choice, then Japanese."""
    lang = request.query_params.get("lang") or request.cookies.get("hogo_lang") or "ja"
    return lang if lang in LANGS else "ja"
