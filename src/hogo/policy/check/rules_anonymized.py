"""Rules on anonymously processed information: what a dataset may contain (APPI Art. 43(1),
Rules Art. 34) and what is published before it is provided (Art. 43(4), Rules Art. 37)."""

from __future__ import annotations

from collections.abc import Iterator

from hogo.domain.generalizations import BUILT_IN
from hogo.policy.check.registry import Context, Hit, Severity, rule
from hogo.policy.schema import ItemKind

IDENTIFYING_KINDS = frozenset({ItemKind.IDENTIFIER, ItemKind.ONLINE_IDENTIFIER})
"""Kinds deleted whole (Rules Art. 34(i)–(iii)): names and identification codes describe
a person by themselves; member numbers, cookie and advertising ids, IP addresses link a
row back to the person's records."""


@rule(
    "HG040",
    Severity.ERROR,
    "APPI Art. 43(1); PPC Rules Art. 34(i)-(iii)",
    en="anonymised dataset contains an identifier, identification code or linking code",
    ja="匿名加工情報に氏名、個人識別符号又は連結符号を含めている",
)
def anonymized_identifier(context: Context) -> Iterator[Hit]:
    policy = context.policy
    for i, dataset in enumerate(policy.anonymized):
        for j, item_id in enumerate(dataset.items):
            item = policy.item(item_id)
            if item is not None and item.kind in IDENTIFYING_KINDS:
                yield Hit(
                    ("anonymized", i, "items", j),
                    f"anonymised dataset {dataset.id!r} contains {item_id!r} (kind "
                    f"{item.kind.value}), which must be deleted, not published",
                )


@rule(
    "HG041",
    Severity.ERROR,
    "APPI Art. 43(1); PPC Rules Art. 34(i)",
    en="anonymised dataset contains contact details that are not generalised",
    ja="匿名加工情報に連絡先を一般化せずに含めている",
)
def anonymized_contact(context: Context) -> Iterator[Hit]:
    policy = context.policy
    for i, dataset in enumerate(policy.anonymized):
        for j, item_id in enumerate(dataset.items):
            item = policy.item(item_id)
            contact = item is not None and item.kind is ItemKind.CONTACT
            if contact and item_id not in dataset.generalizations:
                yield Hit(
                    ("anonymized", i, "items", j),
                    f"anonymised dataset {dataset.id!r} contains contact item {item_id!r} "
                    "with no generalization: declare one under generalizations "
                    "(an address as its prefecture, a postal code as its first digits)",
                )


@rule(
    "HG042",
    Severity.ERROR,
    "APPI Art. 43(1); PPC Rules Art. 34",
    en="built-in generalization that cannot read the item's format",
    ja="項目の形式に合わない一般化の指定",
)
def generalization_format(context: Context) -> Iterator[Hit]:
    policy = context.policy
    for i, dataset in enumerate(policy.anonymized):
        for item_id, spec in dataset.generalizations.items():
            item = policy.item(item_id)
            if item is None or not isinstance(spec, str):
                continue
            formats = BUILT_IN[spec].formats
            if formats and item.format.value not in formats:
                yield Hit(
                    ("anonymized", i, "generalizations", item_id),
                    f"generalization {spec!r} reads {', '.join(sorted(formats))} values, but "
                    f"item {item_id!r} has format {item.format.value}",
                )


@rule(
    "HG043",
    Severity.ERROR,
    "APPI Art. 43(4); PPC Rules Art. 37(1)",
    en="anonymised dataset provided to third parties without a published method of provision",
    ja="匿名加工情報の第三者提供の方法を公表していない",
)
def anonymized_provision_method(context: Context) -> Iterator[Hit]:
    for i, dataset in enumerate(context.policy.anonymized):
        if dataset.provided_to and dataset.provision_method is None:
            yield Hit(
                ("anonymized", i, "provided_to"),
                f"anonymised dataset {dataset.id!r} is provided to third parties, but "
                "provision_method does not say how: it is published beforehand",
            )


@rule(
    "HG044",
    Severity.WARNING,
    "APPI Art. 43(1); PPC Rules Art. 34(i), (iv)",
    en="anonymised dataset contains free text",
    ja="匿名加工情報に自由記述を含めている",
)
def anonymized_free_text(context: Context) -> Iterator[Hit]:
    policy = context.policy
    for i, dataset in enumerate(policy.anonymized):
        for j, item_id in enumerate(dataset.items):
            item = policy.item(item_id)
            if item is not None and item.kind is ItemKind.FREE_TEXT:
                yield Hit(
                    ("anonymized", i, "items", j),
                    f"anonymised dataset {dataset.id!r} contains free text {item_id!r}, which "
                    "may hold names and unusual descriptions; hogo anonymize cannot process "
                    "it, so it must be reviewed and rewritten by hand",
                )
