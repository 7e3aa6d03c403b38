"""Sentences that name what changed by its id and label, as the policy's reader knows it."""

from __future__ import annotations

from hogo.policy.diff.walk import Difference, Key, Path, dotted, is_text, resolve, shape

MAX_QUOTE = 60
"""Longest quoted text in a message: enough to recognise a clause, short enough for a terminal."""

MAX_VALUES = 8
"""Most values listed in one message; the full list is in the change's old/new."""

ENTITY_KINDS: dict[str, str] = {
    "items": "item",
    "sources": "source",
    "purposes": "purpose",
    "retention": "retention rule",
    "third_party.recipients": "recipient",
    "entrustment.vendors": "vendor",
    "joint_use": "joint use group",
    "modules": "module",
    "statistics": "statistics release",
    "anonymized": "anonymised dataset",
}


def label_of(value: object) -> str:
    """The human name of an entry: its label, else its name, in English when there is one."""
    if not isinstance(value, dict):
        return ""
    for field in ("label", "name"):
        found = value.get(field)
        if is_text(found) and isinstance(found, dict):
            return str(found.get("en") or found.get("ja") or "")
        if isinstance(found, str):
            return found
    return ""


def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MAX_QUOTE:
        text = text[: MAX_QUOTE - 1].rstrip() + "…"
    return f'"{text}"'


def show(value: object) -> str:
    """A value as a reader would recognise it: English text quoted, ids bare, lists joined."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, list):
        if not value:
            return "none"
        shown = [show(v) for v in value[:MAX_VALUES]]
        if len(value) > MAX_VALUES:
            shown.append(f"and {len(value) - MAX_VALUES} more")
        return ", ".join(shown)
    if isinstance(value, dict):
        if is_text(value):
            return _quote(str(value.get("en") or value.get("ja") or ""))
        if isinstance(value.get("id"), str):
            label = label_of(value)
            return f"{value['id']} ({_quote(label)})" if label else str(value["id"])
        label = label_of(value)
        return _quote(label) if label else _fields(value)
    return _quote(str(value))


def _fields(value: dict[str, object]) -> str:
    """A small structure as `{key: value, …}`, leaving out what is unset."""
    shown = [f"{k}: {show(v)}" for k, v in value.items() if v not in (None, [], {})]
    text = "{" + ", ".join(shown) + "}"
    return text if len(text) <= 2 * MAX_QUOTE else text[: 2 * MAX_QUOTE - 2] + "…}"


def entity(path: Path, old_root: object, new_root: object) -> tuple[str, Path] | None:
    """The innermost entry with an id on `path`, named, and the path below it."""
    index = max((i for i, s in enumerate(path) if isinstance(s, Key)), default=None)
    if index is None:
        return None
    key = path[index]
    assert isinstance(key, Key)
    kind = ENTITY_KINDS.get(shape(path[:index]), f"entry of {dotted(path[:index])}")
    entry = resolve(new_root, path[: index + 1]) or resolve(old_root, path[: index + 1])
    label = label_of(entry)
    name = f"{kind} {key.id} ({_quote(label)})" if label else f"{kind} {key.id}"
    return name, path[index + 1 :]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def describe(diff: Difference, old_root: object, new_root: object) -> str:
    """One sentence saying what changed, where, from what to what.

    Below an entry with an id the sentence starts with that entry, named, and then uses
    the key as written in hogo.yaml: 'Purpose ads ("Advertising"): basis changed …'.
    """
    found = entity(diff.path, old_root, new_root)
    if found is None:
        lead, rest = "", diff.path
    else:
        name, rest = found
        if not rest:
            verb = {"added": "was added", "removed": "was removed", "changed": "changed"}[diff.kind]
            return f"{_sentence(name)} {verb}."
        lead = f"{_sentence(name)}: "
    what = dotted(rest)
    if diff.reordered:
        return _sentence(f"{lead}the order of {what} changed.")
    if diff.kind == "changed":
        verb = "was reworded" if is_text(diff.old) and is_text(diff.new) else "changed"
        return f"{lead}{what} {verb} from {show(diff.old)} to {show(diff.new)}."
    added = diff.kind == "added"
    value = diff.new if added else diff.old
    where = "added to" if added else "removed from"
    if isinstance(value, list):
        were = "was" if len(value) == 1 else "were"
        return f"{lead}{show(value)} {were} {where} {what}."
    if isinstance(rest[-1], int):
        return f"{lead}{show(value)} was {where} {dotted(rest[:-1])}."
    if added:
        return f"{lead}{what} was set to {show(value)}."
    return f"{lead}{what} was removed (it was {show(value)})."
