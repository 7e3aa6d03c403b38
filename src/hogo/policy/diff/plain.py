"""What a change means to the person it is about, in plain Japanese and English.

The diff's messages are written for the privacy office ("Purpose ads ("Advertising"):
basis changed …"). A notice to people says the same thing as a person reads a privacy
policy: by the names the published policy uses (labels, not ids), one short sentence per
change, in the notice's language. Sentences are built from the change's path and both
policies; a change no sentence below fits is still told, as a change to the part of the
policy it is in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hogo.policy.diff.model import Change
from hogo.policy.schema import Policy, Text

_KEYED = re.compile(r"^(?P<section>[a-z_.]+?)\[(?P<id>[a-z][a-z0-9_]*)\](?:\.(?P<rest>.*))?$")


@dataclass(frozen=True)
class Words:
    """One sentence in both languages."""

    ja: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


SECTIONS: dict[str, Words] = {
    "organization": Words("当社の概要", "who we are"),
    "items": Words("取得する個人情報", "the personal information we acquire"),
    "sources": Words("個人情報の取得方法", "how we acquire personal information"),
    "purposes": Words("利用目的", "the purposes of use"),
    "retention": Words("保存期間", "retention periods"),
    "third_party": Words("第三者提供", "provision to third parties"),
    "entrustment": Words("業務の委託", "entrustment"),
    "joint_use": Words("共同利用", "joint use"),
    "modules": Words("外部送信", "information sent to other providers"),
    "security": Words("安全管理措置", "security measures"),
    "requests": Words("開示等の請求の手続", "how to make requests"),
    "statistics": Words("統計情報", "statistics"),
    "anonymized": Words("匿名加工情報", "anonymously processed information"),
}

BASES: dict[str, Words] = {
    "announced": Words("公表した利用目的の範囲で行う", "within the purposes we have announced"),
    "consent": Words("ご本人の同意を得て行う", "only with your consent"),
    "opt_out": Words(
        "ご本人のお申し出があれば停止する方法（オプトアウト）で行う",
        "unless you ask us to stop (opt-out)",
    ),
}
"""How data is used under each basis, as the notice's sentence ends."""


def _label(text: Text | None, fallback: str) -> Words:
    return Words(text.ja, text.en) if text is not None else Words(fallback, fallback)


def _name(section: str, entry: str, old: Policy, new: Policy) -> Words:
    """The name a reader knows an entry by: its label (or name) in the newer policy."""
    for policy in (new, old):
        found: Text | None = None
        if section == "purposes" and (purpose := policy.purpose(entry)):
            found = purpose.label
        elif section == "items" and (item := policy.item(entry)):
            found = item.label
        elif section == "sources":
            found = next((s.label for s in policy.sources if s.id == entry), None)
        elif section == "retention" and (rule := policy.retention_rule(entry)):
            found = rule.label
        elif section == "third_party.recipients":
            found = next((r.name for r in policy.third_party.recipients if r.id == entry), None)
        elif section == "joint_use":
            found = next((g.label for g in policy.joint_use if g.id == entry), None)
        elif section == "entrustment.vendors":
            found = next((v.name for v in policy.entrustment.vendors if v.id == entry), None)
        elif section == "anonymized":
            found = next((a.label for a in policy.anonymized if a.id == entry), None)
        elif section == "modules":
            module = next((m for m in policy.modules if m.id == entry), None)
            if module is not None:
                return Words(module.name, module.name)
        if found is not None:
            return _label(found, entry)
    return Words(entry, entry)


def _item_names(values: object, old: Policy, new: Policy) -> Words:
    ids = [str(v) for v in values] if isinstance(values, list) else []
    names = [_name("items", i, old, new) for i in ids]
    return Words("、".join(f"「{n.ja}」" for n in names), ", ".join(f"“{n.en}”" for n in names))


def _purpose(change: Change, entry: str, rest: str, old: Policy, new: Policy) -> Words:
    n = _name("purposes", entry, old, new)
    if not rest:
        if change.kind == "added":
            return Words(f"利用目的「{n.ja}」を追加します。", f"We add the purpose “{n.en}”.")
        if change.kind == "removed":
            return Words(f"利用目的「{n.ja}」を廃止します。", f"We end the purpose “{n.en}”.")
    if rest == "items":
        items = _item_names(change.new if change.kind == "added" else change.old, old, new)
        if change.kind == "added":
            return Words(
                f"利用目的「{n.ja}」に利用する項目として{items.ja}を加えます。",
                f"The purpose “{n.en}” will also use {items.en}.",
            )
        return Words(
            f"利用目的「{n.ja}」で利用する項目から{items.ja}を除きます。",
            f"The purpose “{n.en}” will no longer use {items.en}.",
        )
    if rest == "basis" and str(change.new) in BASES:
        basis = BASES[str(change.new)]
        return Words(
            f"利用目的「{n.ja}」での個人データの利用を、{basis.ja}ものとします。",
            f"For the purpose “{n.en}”, we will use your data {basis.en}.",
        )
    if rest == "third_party_provision":
        if change.new is True:
            return Words(
                f"利用目的「{n.ja}」に第三者への提供を含めます。",
                f"The purpose “{n.en}” will include providing your data to third parties.",
            )
        return Words(
            f"利用目的「{n.ja}」に第三者への提供を含めないこととします。",
            f"The purpose “{n.en}” will no longer include provision to third parties.",
        )
    if rest == "retention":
        return Words(
            f"利用目的「{n.ja}」の保存期間を変更します。",
            f"We change how long we keep data for the purpose “{n.en}”.",
        )
    return Words(f"利用目的「{n.ja}」の内容を変更します。", f"We change the purpose “{n.en}”.")


def _item(change: Change, entry: str, rest: str, old: Policy, new: Policy) -> Words:
    n = _name("items", entry, old, new)
    if not rest and change.kind == "added":
        return Words(
            f"取得する個人情報に「{n.ja}」を加えます。",
            f"We will also acquire your {n.en}.",
        )
    if not rest and change.kind == "removed":
        return Words(f"「{n.ja}」を取得しないこととします。", f"We stop acquiring your {n.en}.")
    if rest == "special_care":
        if change.new is True:
            return Words(
                f"「{n.ja}」を要配慮個人情報として取り扱います。",
                f"We treat your {n.en} as special care-required personal information.",
            )
        return Words(
            f"「{n.ja}」を要配慮個人情報として取り扱わないこととします。",
            f"We no longer treat your {n.en} as special care-required personal information.",
        )
    return Words(f"「{n.ja}」の取扱いを変更します。", f"We change how we handle your {n.en}.")


def _recipient(change: Change, entry: str, rest: str, old: Policy, new: Policy) -> Words:
    n = _name("third_party.recipients", entry, old, new)
    if not rest and change.kind == "added":
        return Words(
            f"「{n.ja}」への個人データの提供を始めます。",
            f"We will provide personal data to {n.en}.",
        )
    if not rest and change.kind == "removed":
        return Words(
            f"「{n.ja}」への個人データの提供を終了します。",
            f"We stop providing personal data to {n.en}.",
        )
    if rest in ("country", "abroad"):
        return Words(
            f"個人データの提供先「{n.ja}」の所在国を変更します。",
            f"The country where {n.en}, to whom we provide personal data, is located changes.",
        )
    return Words(
        f"「{n.ja}」への個人データの提供の内容を変更します。",
        f"We change what we provide to {n.en}.",
    )


def _joint_use(change: Change, entry: str, rest: str, old: Policy, new: Policy) -> Words:
    if not rest and change.kind == "added":
        return Words("個人データの共同利用を始めます。", "We begin a joint use of personal data.")
    if not rest and change.kind == "removed":
        return Words("個人データの共同利用を終了します。", "We end a joint use of personal data.")
    if rest.startswith("responsible"):
        return Words(
            "共同利用の管理責任者を変更します。",
            "The party responsible for a joint use of personal data changes.",
        )
    return Words(
        "個人データの共同利用の内容（共同利用者、項目または目的）を変更します。",
        "We change a joint use of personal data (who uses it, which data or for what).",
    )


_ORGANIZATION: dict[str, Words] = {
    "organization.name": Words("当社の名称を変更します。", "Our company name changes."),
    "organization.address": Words("当社の住所を変更します。", "Our address changes."),
    "organization.representative": Words(
        "当社の代表者を変更します。", "Our representative changes."
    ),
    "organization.contact": Words("お問い合わせ窓口を変更します。", "Our contact desk changes."),
    "organization.complaint_contact": Words(
        "苦情の申出先を変更します。", "Where to make complaints changes."
    ),
    "organization.accredited_organization": Words(
        "当社が加入する認定個人情報保護団体を変更します。",
        "The accredited personal information protection organization we belong to changes.",
    ),
    "requests.fees": Words(
        "開示等の請求の手数料を変更します。", "The fees for requests for disclosure change."
    ),
    "third_party.opt_out": Words(
        "オプトアウトによる第三者提供の内容を変更します。",
        "We change our provision to third parties by opt-out.",
    ),
}


def plain(change: Change, old: Policy, new: Policy) -> Words:
    """One sentence telling a person what `change` (from `old` to `new`) changes."""
    keyed = _KEYED.match(change.path)
    if keyed is not None:
        section, entry, rest = keyed["section"], keyed["id"], keyed["rest"] or ""
        if section == "purposes":
            return _purpose(change, entry, rest, old, new)
        if section == "items":
            return _item(change, entry, rest, old, new)
        if section == "third_party.recipients":
            return _recipient(change, entry, rest, old, new)
        if section == "joint_use":
            return _joint_use(change, entry, rest, old, new)
        if section in ("sources", "retention", "modules", "anonymized", "entrustment.vendors"):
            n = _name(section, entry, old, new)
            part = SECTIONS[section.split(".")[0]]
            return Words(
                f"{part.ja}のうち「{n.ja}」に関する記載を変更します。",
                f"We change what our policy says about {part.en}: “{n.en}”.",
            )
    for prefix, words in _ORGANIZATION.items():
        if change.path == prefix or change.path.startswith((prefix + ".", prefix + "[")):
            return words
    top = re.split(r"[.\[]", change.path, maxsplit=1)[0]
    section = SECTIONS.get(top)
    if section is None:
        return Words(
            "プライバシーポリシーの記載を変更します。", "We change the text of our privacy policy."
        )
    return Words(
        f"プライバシーポリシーのうち「{section.ja}」に関する記載を変更します。",
        f"We change what our privacy policy says about {section.en}.",
    )


__all__ = ["Words", "plain"]
