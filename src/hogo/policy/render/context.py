"""The Jinja2 environment and what the section templates see.

Templates hold the wording; everything that needs the policy as a whole (looking up an
item's label by id, working out a retention period, grouping request kinds) is done here
so the templates stay readable by the people who review the wording. Every filter that
prints text from hogo.yaml escapes it, so a template cannot forget to.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from hogo.policy.render.countries import country_name
from hogo.policy.render.escape import md_block, md_inline, md_mailto, md_url
from hogo.policy.render.vocab import (
    DOCUMENT_TITLE,
    article_ref,
    format_date,
    format_hours,
    format_yen,
    join_words,
    word,
)
from hogo.policy.schema import (
    Hours,
    Item,
    Lang,
    Policy,
    Purpose,
    RequestKind,
    RetentionEvent,
    SourceKind,
    Text,
)

_DEFAULT_SUBJECT: dict[Lang, str] = {"ja": "ご本人", "en": "you"}


def _autoescape(name: str | None) -> bool:
    """Only the HTML page is HTML; the section templates produce Markdown."""
    return name is not None and name.endswith(".html.j2")


@functools.cache
def environment() -> Environment:
    """The one environment, built on first use so that importing hogo stays cheap."""
    env = Environment(
        loader=PackageLoader("hogo.policy.render"),
        undefined=StrictUndefined,
        autoescape=_autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        {
            "t": _text,
            "tb": _text_block,
            "md": md_inline,
            "url": md_url,
            "mailto": md_mailto,
            "labels": _labels,
            "words": _words,
            "item_labels": _item_labels,
            "item_list": _item_list,
            "purpose_labels": _purpose_labels,
            "word": _word,
            "date": _date,
            "yen": _yen,
            "country": _country,
            "hours": _hours,
            "retention": _retention,
            "lines": _lines,
            "retention_note": _retention_note,
            "request_word": _request_word,
            "upper_first": _upper_first,
        }
    )
    return env


def _lang(ctx: Context) -> Lang:
    lang: Lang = ctx["lang"]
    return lang


def _policy(ctx: Context) -> Policy:
    policy: Policy = ctx["policy"]
    return policy


def _upper_first(text: str) -> str:
    """Capitalise a label that starts an English heading or item; the rest is left alone."""
    return text[:1].upper() + text[1:]


def _lines(lines: Iterable[str]) -> str:
    """Lines kept apart by hard breaks, so that an address reads as an address."""
    return "\\\n".join(line for line in lines if line)


@pass_context
def _text(ctx: Context, value: Text) -> str:
    return md_inline(value[_lang(ctx)])


@pass_context
def _text_block(ctx: Context, value: Text) -> str:
    return md_block(value[_lang(ctx)])


@pass_context
def _labels(ctx: Context, values: Iterable[Text]) -> list[str]:
    return [md_inline(value[_lang(ctx)]) for value in values]


@pass_context
def _words(ctx: Context, words: Iterable[str], conjunction: str = "and") -> str:
    return join_words(list(words), _lang(ctx), conjunction=conjunction)


def _items(policy: Policy, ids: Iterable[str]) -> list[Item]:
    return [item for item in (policy.item(i) for i in ids) if item is not None]


@pass_context
def _item_labels(ctx: Context, ids: Iterable[str]) -> list[str]:
    return [md_inline(item.label[_lang(ctx)]) for item in _items(_policy(ctx), ids)]


@pass_context
def _item_list(ctx: Context, ids: Iterable[str]) -> str:
    """Labels on one line, or a nested list when any item explains itself."""
    lang, items = _lang(ctx), _items(_policy(ctx), ids)
    if not any(item.description for item in items):
        return join_words([md_inline(item.label[lang]) for item in items], lang)
    colon = "：" if lang == "ja" else ": "
    lines = []
    for item in items:
        line = md_inline(item.label[lang])
        if item.description is not None:
            line += colon + md_inline(item.description[lang])
        lines.append(f"\n  - {line}")
    return "".join(lines)


@pass_context
def _purpose_labels(ctx: Context, ids: Iterable[str]) -> list[str]:
    policy, lang = _policy(ctx), _lang(ctx)
    purposes = [p for p in (policy.purpose(i) for i in ids) if p is not None]
    return [md_inline(p.label[lang]) for p in purposes]


@pass_context
def _word(ctx: Context, member: StrEnum) -> str:
    return word(member, _lang(ctx))


@pass_context
def _date(ctx: Context, value: date) -> str:
    return format_date(value, _lang(ctx))


@pass_context
def _yen(ctx: Context, amount: int) -> str:
    return format_yen(amount, _lang(ctx))


@pass_context
def _country(ctx: Context, code: str) -> str:
    return md_inline(country_name(code, _lang(ctx)))


@pass_context
def _hours(ctx: Context, hours: Hours) -> str:
    """平日10:00〜18:00（土日祝日を除きます） / weekdays 10:00–18:00 (closed on …)."""
    lang = _lang(ctx)
    text = format_hours(hours, lang)
    if hours.closed_on is not None:
        closed = md_inline(hours.closed_on[lang])
        text += f"（{closed}を除きます）" if lang == "ja" else f"; closed on {closed}"
    return text


_UNTIL_WITHDRAWN: dict[Lang, str] = {"ja": "同意の撤回まで", "en": "until consent is withdrawn"}
_NO_RULE: dict[Lang, str] = {
    "ja": "利用目的の達成に必要な期間",
    "en": "as long as needed to achieve the purpose",
}


_ERASE_AT_ONCE: dict[Lang, dict[RetentionEvent, str]] = {
    "ja": {
        RetentionEvent.COLLECTION: "利用後、遅滞なく消去",
        RetentionEvent.LAST_CONTACT: "お問い合わせへの対応後、遅滞なく消去",
        RetentionEvent.CONTRACT_END: "契約終了後、遅滞なく消去",
        RetentionEvent.APPLICATION_DECISION: "選考結果の確定後、遅滞なく消去",
        RetentionEvent.PURPOSE_FULFILLED: "利用目的の達成後、遅滞なく消去",
    },
    "en": {
        RetentionEvent.COLLECTION: "erased without delay after use",
        RetentionEvent.LAST_CONTACT: "erased without delay once the inquiry is answered",
        RetentionEvent.CONTRACT_END: "erased without delay when the contract ends",
        RetentionEvent.APPLICATION_DECISION: "erased without delay once the application is decided",
        RetentionEvent.PURPOSE_FULFILLED: "erased without delay once the purpose is achieved",
    },
}
"""A zero period ("0d") means the data goes as soon as the event happens: say so, not "0 days"."""


@pass_context
def _retention(ctx: Context, purpose: Purpose) -> str:
    """3年（最終のお問い合わせから） / 3 years from the last contact."""
    policy, lang = _policy(ctx), _lang(ctx)
    rule = policy.retention_rule(purpose.retention) if purpose.retention else None
    if rule is None:
        return _NO_RULE[lang]
    if rule.until == "consent_withdrawn" or rule.period is None or rule.from_ is None:
        return _UNTIL_WITHDRAWN[lang]
    if rule.period.is_zero():
        return _ERASE_AT_ONCE[lang][rule.from_]
    period, event = rule.period.describe(lang), word(rule.from_, lang)
    return f"{period}（{event}）" if lang == "ja" else f"{period} {event}"


@pass_context
def _retention_note(ctx: Context, rule_id: str | None) -> str:
    rule = _policy(ctx).retention_rule(rule_id) if rule_id else None
    return md_inline(rule.note[_lang(ctx)]) if rule is not None and rule.note is not None else ""


@pass_context
def _request_word(ctx: Context, kind: RequestKind) -> str:
    return _REQUEST_WORDS[_lang(ctx)][kind]


_REQUEST_GROUPS: tuple[tuple[RequestKind, ...], ...] = (
    (RequestKind.PURPOSE_NOTICE,),
    (RequestKind.DISCLOSURE, RequestKind.PROVISION_RECORDS),
    (RequestKind.CORRECTION, RequestKind.ADDITION, RequestKind.DELETION),
    (RequestKind.SUSPENSION_OF_USE, RequestKind.ERASURE),
    (RequestKind.STOP_PROVISION,),
)

_REQUEST_WORDS: dict[Lang, dict[RequestKind, str]] = {
    "ja": {
        RequestKind.PURPOSE_NOTICE: "利用目的の通知",
        RequestKind.DISCLOSURE: "開示",
        RequestKind.PROVISION_RECORDS: "第三者提供記録の開示",
        RequestKind.CORRECTION: "訂正",
        RequestKind.ADDITION: "追加",
        RequestKind.DELETION: "削除",
        RequestKind.SUSPENSION_OF_USE: "利用の停止",
        RequestKind.ERASURE: "消去",
        RequestKind.STOP_PROVISION: "第三者への提供の停止",
    },
    "en": {
        RequestKind.PURPOSE_NOTICE: "notice of the purposes of use",
        RequestKind.DISCLOSURE: "disclosure",
        RequestKind.PROVISION_RECORDS: "disclosure of the records of provision to third parties",
        RequestKind.CORRECTION: "correction",
        RequestKind.ADDITION: "addition",
        RequestKind.DELETION: "deletion",
        RequestKind.SUSPENSION_OF_USE: "suspension of use",
        RequestKind.ERASURE: "erasure",
        RequestKind.STOP_PROVISION: "stop of provision to third parties",
    },
}


def request_lines(kinds: Iterable[RequestKind], lang: Lang) -> list[str]:
    """The accepted requests as the law groups them: 内容の訂正、追加又は削除, and so on."""
    accepted = set(kinds)
    words = _REQUEST_WORDS[lang]
    lines = []
    for group in _REQUEST_GROUPS:
        present = [kind for kind in group if kind in accepted]
        if not present:
            continue
        if group[0] is RequestKind.DISCLOSURE:
            if RequestKind.DISCLOSURE in accepted and RequestKind.PROVISION_RECORDS in accepted:
                lines.append(
                    "開示（第三者提供記録の開示を含みます。）"
                    if lang == "ja"
                    else "disclosure, including the records of provision to third parties"
                )
            else:
                lines.append(words[present[0]])
        elif group[0] is RequestKind.CORRECTION:
            joined = join_words([words[k] for k in present], lang, conjunction="or")
            if lang == "ja":
                lines.append("内容の" + _ja_or(joined))
            else:
                lines.append(f"{joined} of the content")
        elif len(present) > 1:
            joined = join_words([words[k] for k in present], lang, conjunction="or")
            lines.append(_ja_or(joined) if lang == "ja" else joined)
        else:
            lines.append(words[present[0]])
    return lines


def _ja_or(joined: str) -> str:
    """訂正、追加、削除 -> 訂正、追加又は削除 (the statutory way of writing "or")."""
    head, sep, last = joined.rpartition("、")
    return f"{head}又は{last}" if sep else joined


class Numbering:
    """（1）（2）… in Japanese, 1. 2. … in English, counted per block of a template."""

    def __init__(self, lang: Lang, enabled: bool = True) -> None:
        self._lang = lang
        self._enabled = enabled
        self._count = 0

    def __call__(self) -> str:
        """The next number; nothing when a block has a single paragraph and needs none."""
        self._count += 1
        if not self._enabled:
            return ""
        return f"（{self._count}）" if self._lang == "ja" else f"{self._count}. "


def subject_terms(policy: Policy, lang: Lang) -> dict[str, str]:
    """How the person is named: ご本人 / "you", or the policy's own term.

    An English term written as a defined name ("Information Provider") gets "the" in
    running text, so that "without the Information Provider's consent" reads as English.
    """
    term = policy.policy.subject_term
    if term is None or not term[lang].strip():
        subj = _DEFAULT_SUBJECT[lang]
        return {
            "subj": subj,
            "Subj": subj.capitalize(),
            "subj_poss": "your",
            "subj_defined": subj,
            "custom": "",
        }
    defined = md_inline(term[lang])
    subj = defined
    if lang == "en" and not defined.lower().startswith(("the ", "a ", "an ", "you")):
        subj = "the " + defined
    return {
        "subj": subj,
        "Subj": subj[:1].upper() + subj[1:],
        "subj_poss": subj + "'s",
        "subj_defined": defined,
        "custom": "1",
    }


def document_title(policy: Policy, lang: Lang) -> str:
    title = policy.policy.title
    return (
        title[lang].strip() if title is not None and title[lang].strip() else DOCUMENT_TITLE[lang]
    )


def section_context(policy: Policy, lang: Lang, numbers: dict[str, int]) -> dict[str, Any]:
    """What every section template may use, besides the filters."""
    sourced = {item_id for source in policy.sources for item_id in source.items}
    kinds = {source.kind for source in policy.sources}
    make_numbering: Callable[..., Numbering] = functools.partial(Numbering, lang)
    return {
        "policy": policy,
        "lang": lang,
        "org": md_inline(policy.organization.name[lang]),
        "doc_title": md_inline(document_title(policy, lang)),
        "refs": {key: article_ref(number, lang) for key, number in numbers.items()},
        "numbering": make_numbering,
        "request_lines": request_lines(policy.requests.kinds, lang),
        "unsourced_items": [item.id for item in policy.items if item.id not in sourced],
        "special_care_items": [item.id for item in policy.items if item.special_care],
        "uses_cookies": bool(kinds & {SourceKind.COOKIE, SourceKind.WEBSITE})
        or bool(policy.modules),
        "receives_from_third_parties": SourceKind.THIRD_PARTY in kinds,
        "collects_in_writing": any(s.direct and s.in_writing for s in policy.sources),
        **subject_terms(policy, lang),
    }
