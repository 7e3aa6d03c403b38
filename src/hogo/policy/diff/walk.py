"""The structural comparison under every rule: each difference of two policy dumps, located.

The walk knows nothing of the schema. It compares the JSON dumps of two policies, so a
field added to the schema later is compared like any other and no difference can go
unreported for want of a rule; the rules only decide how demanding each difference is.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from hogo.policy.diff.model import ChangeKind


@dataclass(frozen=True)
class Key:
    """A list entry found by its id, so that moving it within the list is no change."""

    id: str


Segment = str | int | Key
Path = tuple[Segment, ...]


@dataclass(frozen=True)
class Difference:
    """One located difference: a value added, removed or changed at `path`.

    For lists of plain values (ids, enum values) an addition or removal carries the list
    of values added or removed, not the whole list. `reordered` marks a list of texts
    whose entries are the same but in another order.
    """

    path: Path
    kind: ChangeKind
    old: object
    new: object
    reordered: bool = False


def dotted(path: Path) -> str:
    """('purposes', Key('ads'), 'items') -> 'purposes[ads].items'; indexes print as [0]."""
    out = ""
    for segment in path:
        if isinstance(segment, Key):
            out += f"[{segment.id}]"
        elif isinstance(segment, int):
            out += f"[{segment}]"
        else:
            out += f".{segment}" if out else segment
    return out


def shape(path: Path) -> str:
    """The path with ids as [*] and indexes as [#], which is what rules are written against."""
    out = ""
    for segment in path:
        if isinstance(segment, Key):
            out += "[*]"
        elif isinstance(segment, int):
            out += "[#]"
        else:
            out += f".{segment}" if out else segment
    return out


def is_text(value: object) -> bool:
    """A bilingual text is one value to a reader, so it is compared whole, not per language."""
    return isinstance(value, dict) and set(value) == {"ja", "en"}


def resolve(root: object, path: Path) -> object:
    """The value at `path` in a dump, or None when it is not there."""
    node = root
    for segment in path:
        if isinstance(segment, Key):
            node = (
                next((e for e in node if isinstance(e, dict) and e.get("id") == segment.id), None)
                if isinstance(node, list)
                else None
            )
        elif isinstance(segment, int):
            node = node[segment] if isinstance(node, list) and 0 <= segment < len(node) else None
        else:
            node = node.get(segment) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def walk(old: object, new: object, path: Path = ()) -> Iterator[Difference]:
    """Every difference between two JSON values, deepest first reached, in document order."""
    if old == new:
        return
    if old is None:
        yield Difference(path, "added", None, new)
    elif new is None:
        yield Difference(path, "removed", old, None)
    elif isinstance(old, dict) and isinstance(new, dict) and not (is_text(old) or is_text(new)):
        for key in [*old, *(k for k in new if k not in old)]:
            if key not in new:
                yield Difference((*path, key), "removed", old[key], None)
            elif key not in old:
                yield Difference((*path, key), "added", None, new[key])
            else:
                yield from walk(old[key], new[key], (*path, key))
    elif isinstance(old, list) and isinstance(new, list):
        yield from _walk_list(old, new, path)
    else:
        yield Difference(path, "changed", old, new)


def _ids(entries: list[object]) -> list[str] | None:
    ids = [e.get("id") for e in entries if isinstance(e, dict)]
    if len(ids) != len(entries) or not all(isinstance(i, str) for i in ids):
        return None
    strings = [i for i in ids if isinstance(i, str)]
    return strings if len(set(strings)) == len(strings) else None


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _walk_list(old: list[object], new: list[object], path: Path) -> Iterator[Difference]:
    old_ids, new_ids = _ids(old), _ids(new)
    if old_ids is not None and new_ids is not None:
        # Entries with ids (purposes, items, recipients…) are a set keyed by id.
        old_by = dict(zip(old_ids, old, strict=True))
        new_by = dict(zip(new_ids, new, strict=True))
        for entry_id in old_ids:
            if entry_id not in new_by:
                yield Difference((*path, Key(entry_id)), "removed", old_by[entry_id], None)
        for entry_id in new_ids:
            if entry_id not in old_by:
                yield Difference((*path, Key(entry_id)), "added", None, new_by[entry_id])
            else:
                yield from walk(old_by[entry_id], new_by[entry_id], (*path, Key(entry_id)))
        return
    if not any(isinstance(v, dict | list) for v in (*old, *new)):
        # Plain values (item ids, channels, exceptions) are a set too: their order means nothing.
        removed = Counter(_canonical(v) for v in old) - Counter(_canonical(v) for v in new)
        added = Counter(_canonical(v) for v in new) - Counter(_canonical(v) for v in old)
        if removed:
            yield Difference(path, "removed", _take(old, removed), None)
        if added:
            yield Difference(path, "added", None, _take(new, added))
        return
    yield from _walk_sequence(old, new, path)


def _take(values: list[object], wanted: Counter[str]) -> list[object]:
    """The values counted in `wanted`, in the order the list gives them."""
    left = Counter(wanted)
    taken: list[object] = []
    for value in values:
        key = _canonical(value)
        if left[key] > 0:
            left[key] -= 1
            taken.append(value)
    return taken


def _walk_sequence(old: list[object], new: list[object], path: Path) -> Iterator[Difference]:
    """Lists of texts or unnamed entries: matched by content, then position within a change.

    Their order is what a reader reads, so a pure reordering is reported. Added and
    changed entries are located by their index in the new list, removed ones in the old.
    """
    old_keys, new_keys = [_canonical(v) for v in old], [_canonical(v) for v in new]
    if sorted(old_keys) == sorted(new_keys):
        yield Difference(path, "changed", old, new, reordered=True)
        return
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1)
        for k in range(pairs):
            yield from walk(old[i1 + k], new[j1 + k], (*path, j1 + k))
        for i in range(i1 + pairs, i2):
            yield Difference((*path, i), "removed", old[i], None)
        for j in range(j1 + pairs, j2):
            yield Difference((*path, j), "added", None, new[j])
