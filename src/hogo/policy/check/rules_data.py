"""Rules on what is collected and why: references, minimisation, purposes, retention."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hogo.policy.check.registry import Context, Hit, Severity, rule
from hogo.policy.references import broken_references, references
from hogo.policy.schema import Basis


def _broken(context: Context, kind: str) -> Iterator[Hit]:
    for broken in broken_references(context.policy):
        if broken.kind == kind:
            yield Hit(broken.path, broken.message)


@rule(
    "HG001",
    Severity.ERROR,
    "APPI Art. 17(1)",
    en="item used but not declared",
    ja="宣言されていない項目の参照",
)
def undeclared_item(context: Context) -> Iterator[Hit]:
    yield from _broken(context, "items")


@rule(
    "HG002",
    Severity.ERROR,
    "APPI Art. 17(1)",
    en="purpose referenced but not declared",
    ja="宣言されていない利用目的の参照",
)
def undeclared_purpose(context: Context) -> Iterator[Hit]:
    yield from _broken(context, "purposes")


@rule(
    "HG003",
    Severity.ERROR,
    "APPI Art. 22",
    en="retention rule referenced but not declared",
    ja="宣言されていない保存期間の参照",
)
def undeclared_retention(context: Context) -> Iterator[Hit]:
    yield from _broken(context, "retention")


@rule("HG004", Severity.ERROR, "hogo", en="id declared twice", ja="IDの重複")
def duplicate_id(context: Context) -> Iterator[Hit]:
    yield from _broken(context, "duplicate")


def _used_items(context: Context) -> set[str]:
    return {item for purpose in context.policy.purposes for item in purpose.items}


@rule(
    "HG005",
    Severity.WARNING,
    "APPI Art. 17(1), 18(1)",
    en="item collected but used by no purpose (collect only what is needed)",
    ja="利用目的のない項目の取得（必要な範囲を超える取得）",
)
def collected_not_used(context: Context) -> Iterator[Hit]:
    used = _used_items(context)
    for i, source in enumerate(context.policy.sources):
        for j, item in enumerate(source.items):
            if item not in used and context.policy.item(item) is not None:
                yield Hit(
                    ("sources", i, "items", j),
                    f"source {source.id!r} collects item {item!r}, but no purpose uses it",
                )


@rule(
    "HG006",
    Severity.WARNING,
    "APPI Art. 20(1), 21",
    en="item used by a purpose but collected by no source",
    ja="取得元のない項目の利用",
)
def used_not_collected(context: Context) -> Iterator[Hit]:
    collected = {item for source in context.policy.sources for item in source.items}
    for i, purpose in enumerate(context.policy.purposes):
        for j, item in enumerate(purpose.items):
            if item not in collected and context.policy.item(item) is not None:
                yield Hit(
                    ("purposes", i, "items", j),
                    f"purpose {purpose.id!r} uses item {item!r}, but no source collects it: "
                    "declare where it comes from",
                )


@rule(
    "HG007",
    Severity.WARNING,
    "APPI Art. 22",
    en="purpose without retention",
    ja="保存期間のない利用目的",
)
def purpose_without_retention(context: Context) -> Iterator[Hit]:
    for i, purpose in enumerate(context.policy.purposes):
        if purpose.retention is None and purpose.items:
            yield Hit(
                ("purposes", i, "id"),
                f"purpose {purpose.id!r} has no retention: say how long its data is kept "
                "and from which event",
            )


@rule(
    "HG008",
    Severity.ERROR,
    "APPI Art. 20(2)",
    en="special care-required item used under a basis other than consent",
    ja="同意以外の根拠による要配慮個人情報の利用",
)
def special_care_without_consent(context: Context) -> Iterator[Hit]:
    for i, purpose in enumerate(context.policy.purposes):
        if purpose.basis is Basis.CONSENT:
            continue
        for j, item_id in enumerate(purpose.items):
            item = context.policy.item(item_id)
            if item is not None and item.special_care:
                yield Hit(
                    ("purposes", i, "items", j),
                    f"purpose {purpose.id!r} uses special care-required item {item_id!r} "
                    f"on basis {purpose.basis.value!r}; it needs prior consent",
                )


# The PPC's own examples of purposes too vague to be "specified" (Guidelines 3-1-1).
_GENERIC_EN = re.compile(
    r"^(?:for |to use (?:it )?for |used? for )?(?:our |the )?"
    r"(?:business|business activities|marketing(?: activities)?|service improvement|"
    r"improving (?:our )?services|operations|operational|internal|other|various) ?(?:purposes?)?\.?$",
    re.IGNORECASE,
)
_GENERIC_JA = re.compile(
    r"^(?:当社の)?(?:事業活動|事業|業務|マーケティング活動|マーケティング|お客様のサービスの向上|サービスの向上|その他)"
    r"(?:に用いる|に利用する|のために利用する|の)?(?:ため|目的)?。?$"
)
_MIN_EN, _MIN_JA = 12, 6


@rule(
    "HG009",
    Severity.ERROR,
    "APPI Art. 17(1)",
    en="purpose description empty or generic",
    ja="利用目的の記述が空または抽象的",
)
def generic_purpose(context: Context) -> Iterator[Hit]:
    for i, purpose in enumerate(context.policy.purposes):
        en = purpose.description.en.strip()
        ja = purpose.description.ja.strip()
        path = ("purposes", i, "description")
        if not en or not ja:
            missing = "Japanese" if not ja else "English"
            yield Hit(path, f"purpose {purpose.id!r} has no {missing} description")
        elif (
            _GENERIC_EN.match(en) or _GENERIC_JA.match(ja) or len(en) < _MIN_EN or len(ja) < _MIN_JA
        ):
            yield Hit(
                path,
                f"purpose {purpose.id!r} is described too generally ({en!r}); say concretely "
                "what the data is used for, as the PPC guidelines ask",
            )


@rule(
    "HG010",
    Severity.ERROR,
    "APPI Art. 21(2)",
    en="direct written collection without the purpose shown in advance",
    ja="書面による直接取得時の利用目的の明示がない",
)
def direct_collection_without_notice(context: Context) -> Iterator[Hit]:
    for i, source in enumerate(context.policy.sources):
        if source.direct and source.in_writing and source.purpose_notice is None:
            yield Hit(
                ("sources", i, "id"),
                f"source {source.id!r} collects directly in writing (forms included) but has "
                "no purpose_notice: the purpose must be stated before collection",
            )


@rule(
    "HG011",
    Severity.WARNING,
    "JIS Q 15001 A.3.3.1",
    en="item declared but never collected, used or shared",
    ja="取得・利用・提供のいずれもない項目",
)
def orphan_item(context: Context) -> Iterator[Hit]:
    referenced = {ref.target for ref in references(context.policy) if ref.kind == "items"}
    for i, item in enumerate(context.policy.items):
        if item.id not in referenced:
            yield Hit(
                ("items", i, "id"),
                f"item {item.id!r} is declared but no source, purpose, recipient or vendor "
                "refers to it: remove it or say where it is handled",
            )


@rule(
    "HG033",
    Severity.WARNING,
    "APPI Art. 18(1)",
    en="statistics made from items their purpose does not use",
    ja="利用目的の範囲外の項目からの統計作成",
)
def statistics_outside_purpose(context: Context) -> Iterator[Hit]:
    for i, release in enumerate(context.policy.statistics):
        purpose = context.policy.purpose(release.purpose)
        if purpose is None:
            continue
        for j, item in enumerate(release.items):
            if item not in purpose.items:
                yield Hit(
                    ("statistics", i, "items", j),
                    f"statistics {release.id!r} use item {item!r}, which purpose "
                    f"{purpose.id!r} does not use",
                )
