"""The Jinja2 environment and what the section templates see.

Templates hold the wording; everything that needs the policy as a whole (looking up an
item's label by id, working out a retention period, grouping request kinds) is done here
so the templates stay readable by the people who review the wording. Every filter that
prints text from hogo.yaml escapes it, so a template cannot forget to.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from hogo.policy.announcements import (
    LISTED_DATES,
    CreatedDataset,
    for_datasets,
    group_creations,
)
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
    Basis,
    Contact,
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
            "request_word": _request_word,
            "upper_first": _upper_first,
            "party": _party,
            "and_words": _and_words,
            "created_on": _created_on,
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


@pass_context
def _and_words(ctx: Context, words: Iterable[str]) -> str:
    """お問い合わせ、開示等の請求及び苦情 / questions, requests and complaints."""
    lang, listed = _lang(ctx), list(words)
    if lang == "ja":
        return _ja_and(join_words(listed, lang))
    if len(listed) > 2:  # the phrases contain "and" themselves: a serial comma keeps them apart
        return f"{', '.join(listed[:-1])}, and {listed[-1]}"
    return join_words(listed, lang)


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
def _created_on(ctx: Context, dates: Sequence[date]) -> str:
    """2026年6月1日、2026年7月1日 / June 1, 2026 and July 1, 2026: a long run is shortened
    to its first and latest day and a count, so monthly creations do not swamp the policy."""
    lang = _lang(ctx)
    if len(dates) <= LISTED_DATES:
        return join_words([format_date(d, lang) for d in dates], lang)
    first, last = format_date(dates[0], lang), format_date(dates[-1], lang)
    if lang == "ja":
        return f"{first}から{last}まで（{len(dates)}回）"
    return f"{len(dates)} times between {first} and {last}"


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


_PARTY_WORDS: dict[Lang, tuple[str, str, str]] = {
    "ja": ("氏名又は名称", "住所", "代表者の氏名"),
    "en": ("name", "address", "representative"),
}


@pass_context
def _party(ctx: Context, party: Any) -> dict[str, str] | None:
    """A business's name, address and representative, as far as hogo.yaml gives them.

    `label` names exactly the details that follow (氏名又は名称及び住所 when there is no
    representative), so a notice never promises a detail it does not show; nothing at
    all without a name, because an address alone identifies no one.
    """
    lang = _lang(ctx)
    if party is None or party.name is None:
        return None
    given = [
        (word, text)
        for word, text in zip(
            _PARTY_WORDS[lang], (party.name, party.address, party.representative), strict=True
        )
        if text is not None
    ]
    words = [word for word, _ in given]
    label = _ja_and(join_words(words, lang)) if lang == "ja" else join_words(words, lang)
    separator = "、" if lang == "ja" else "; "
    return {"label": label, "value": separator.join(md_inline(text[lang]) for _, text in given)}


def _ja_and(joined: str) -> str:
    """氏名、住所、代表者 -> 氏名、住所及び代表者."""
    head, sep, last = joined.rpartition("、")
    return f"{head}及び{last}" if sep else joined


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


_DEFINES_WE: dict[Lang, re.Pattern[str]] = {
    "ja": re.compile("「当社」"),
    "en": re.compile(r"[\"“]we[\"”]", re.IGNORECASE),
}


def preamble_defines(policy: Policy, lang: Lang) -> dict[str, bool]:
    """Which of the policy's defined terms its own preamble already defines.

    A preamble replaces the standard opening sentence, which is where "当社"/"we" and a
    custom subject term are defined; whatever the preamble leaves undefined is defined
    in one sentence after it, and nothing is defined twice.
    """
    preamble = policy.policy.preamble
    text = preamble[lang] if preamble is not None else ""
    term = policy.policy.subject_term
    subject = term[lang].strip() if term is not None else ""
    if lang == "ja":
        quoted = [f"「{subject}」"]
    else:
        quoted = [f'"{subject}"'.lower(), f"“{subject}”".lower()]
    return {
        "we": bool(_DEFINES_WE[lang].search(text)),
        "subject": not subject or any(q in text.lower() for q in quoted),
    }


def same_desk(first: Contact | None, second: Contact | None) -> bool:
    """Two contacts that are one desk: same name and the same ways to reach it."""
    if first is None or second is None:
        return False

    def reach(c: Contact) -> tuple[object, ...]:
        return (c.name, c.email, c.phone, c.form_url, c.postal_address)

    return reach(first) == reach(second)


def shared_items(policy: Policy) -> list[str]:
    """The item list most purposes share, said once before the purposes instead of under each.

    Only when every purpose names its items and at least two name the same ones; the
    purposes whose items differ keep their own line.
    """
    purposes = policy.purposes
    if len(purposes) < 2 or not all(p.items for p in purposes):
        return []
    items, count = Counter(tuple(p.items) for p in purposes).most_common(1)[0]
    return list(items) if count >= 2 else []


def common_basis(policy: Policy) -> str | None:
    """Consent or opt-out, when every purpose (two or more) has it: said once, not per purpose."""
    bases = {p.basis for p in policy.purposes}
    if len(policy.purposes) < 2 or len(bases) != 1:
        return None
    (basis,) = bases
    return str(basis) if basis in (Basis.CONSENT, Basis.OPT_OUT) else None


def retention_notes(policy: Policy, lang: Lang) -> list[tuple[str, str]]:
    """Each distinct retention note once: (the purposes it concerns, or "" for all; the note)."""
    by_note: dict[str, list[str]] = {}
    for purpose in policy.purposes:
        rule = policy.retention_rule(purpose.retention) if purpose.retention else None
        if rule is not None and rule.note is not None:
            labels = by_note.setdefault(md_inline(rule.note[lang]), [])
            labels.append(md_inline(purpose.label[lang]))
    return [
        ("" if len(labels) == len(policy.purposes) else join_words(labels, lang), note)
        for note, labels in by_note.items()
    ]


def document_title(policy: Policy, lang: Lang) -> str:
    title = policy.policy.title
    return (
        title[lang].strip() if title is not None and title[lang].strip() else DOCUMENT_TITLE[lang]
    )


def section_context(
    policy: Policy,
    lang: Lang,
    numbers: dict[str, int],
    *,
    created: Sequence[CreatedDataset] = (),
) -> dict[str, Any]:
    """What every section template may use, besides the filters."""
    created_of, created_elsewhere = for_datasets(
        group_creations(created), [d.id for d in policy.anonymized]
    )
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
        "written_without_notice": any(
            s.direct and s.in_writing and s.purpose_notice is None for s in policy.sources
        ),
        "defines": preamble_defines(policy, lang),
        "complaints_at_contact": same_desk(
            policy.organization.contact, policy.organization.complaint_contact
        ),
        "shared_items": shared_items(policy),
        "common_basis": common_basis(policy),
        "retention_notes": retention_notes(policy, lang),
        "created_of": created_of,
        "created_elsewhere": created_elsewhere,
        "ad_opt_out": any(
            m.opt_out_url is not None for m in policy.modules if m.behavioural_advertising
        ),
        **subject_terms(policy, lang),
    }
