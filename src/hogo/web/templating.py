"""Jinja2 for the web pages: autoescaped, from the package, UI words in both languages."""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from hogo.web.words import WORDS


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("hogo.web", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["WORDS"] = WORDS
    return env


def render(name: str, **context: Any) -> str:
    lang = context.setdefault("lang", "ja")
    context.setdefault("t", lambda key: WORDS[key][lang])
    return environment().get_template(name).render(**context)


def say(key: str, lang: str, **values: object) -> str:
    """A UI sentence in `lang` with its {placeholders} filled (an error shown by a field)."""
    text = WORDS[key][lang]
    return text.format(**values) if values else text
