"""docs/policy-file.md documents every key of hogo.yaml, and nothing that is not one.

The key paths are computed from the pydantic models, starting at `Policy`, so a field
added to the schema makes this test fail until the reference documents it. Notation, as
used in the docs:

- `a.b`      key `b` of the mapping under key `a` (the alias when the field has one);
- `a[].b`    key `b` of every entry of the list under `a`;
- `a{}.b`    key `b` of every value of the mapping under `a` (keys chosen by the writer).

Models listed in `VALUE_TYPES` (the bilingual `Text`) are documented once, as a type, in
the introduction rather than under every field that uses them.
"""

from __future__ import annotations

import collections.abc
import re
import types
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from hogo.policy.loader import PolicyLoadError, load_policy_text, parse_document
from hogo.policy.schema import Policy, Text
from hogo.policy.sections import SECTION_KEYS

DOC = Path(__file__).resolve().parents[1] / "docs" / "policy-file.md"

VALUE_TYPES: tuple[type[BaseModel], ...] = (Text,)
"""Models documented once as a type of value (`{ja: …, en: …}`), not as keys of each field."""

_SEQUENCES = {list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.Set}
_MAPPINGS = {dict, collections.abc.Mapping}


@dataclass
class Schema:
    """What the docs must cover: key paths, enums, literal values, value-type models."""

    paths: list[str] = field(default_factory=list)
    enums: set[type[Enum]] = field(default_factory=set)
    literals: set[str] = field(default_factory=set)
    value_types: set[type[BaseModel]] = field(default_factory=set)


def _key(name: str, info: Any) -> str:
    """The name a field has in YAML: its validation alias or alias when it has one."""
    if isinstance(info.validation_alias, str):
        return str(info.validation_alias)
    return str(info.alias or name)


def _walk_model(model: type[BaseModel], prefix: str, out: Schema, stack: tuple[type, ...]) -> None:
    if model in stack:
        raise AssertionError(f"recursive model {model.__name__} at {prefix}: extend the walker")
    for name, info in model.model_fields.items():
        key = _key(name, info)
        path = f"{prefix}.{key}" if prefix else key
        out.paths.append(path)
        _walk_type(info.annotation, path, out, (*stack, model))


def _walk_type(tp: Any, path: str, out: Schema, stack: tuple[type, ...]) -> None:
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is Annotated:
        _walk_type(args[0], path, out, stack)
    elif origin is Union or origin is types.UnionType:
        for arg in args:
            _walk_type(arg, path, out, stack)
    elif origin is Literal:
        out.literals.update(str(a.value if isinstance(a, Enum) else a) for a in args)
    elif origin in _SEQUENCES:
        for arg in args:
            if arg is not Ellipsis:
                _walk_type(arg, f"{path}[]", out, stack)
    elif origin in _MAPPINGS:
        key_type, value_type = args
        _walk_type(key_type, f"{path}{{key}}", out, stack)
        _walk_type(value_type, f"{path}{{}}", out, stack)
    elif origin is not None:
        raise AssertionError(f"{path}: unknown generic {tp!r}; teach the walker about it")
    elif isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp in VALUE_TYPES:
            out.value_types.add(tp)
        else:
            _walk_model(tp, path, out, stack)
    elif isinstance(tp, type) and issubclass(tp, Enum):
        out.enums.add(tp)
    elif tp is Any:
        raise AssertionError(f"{path}: typed Any; the docs cannot say what it holds")


def schema_keys() -> Schema:
    out = Schema()
    _walk_model(Policy, "", out, ())
    return out


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _without_fences(text: str) -> str:
    return re.sub(r"^```.*?^```[ \t]*$", "", text, flags=re.MULTILINE | re.DOTALL)


def _inline_code(text: str) -> set[str]:
    return set(re.findall(r"`([^`\n]+)`", _without_fences(text)))


def _row_keys(text: str) -> set[str]:
    """Keys that have their own table row: the backticked first cell, `| `key` | … |`."""
    return set(re.findall(r"^\|\s*`([^`\n]+)`\s*\|", _without_fences(text), flags=re.MULTILINE))


SCHEMA = schema_keys()


def test_the_walker_sees_nested_keys() -> None:
    """Guard the walker itself: these shapes (nested, list, alias, dict) must be found."""
    for path in (
        "organization.contact.hours.open",
        "purposes[].items",
        "third_party.recipients[].country",
        "requests.fees.amounts",
        "retention[].from",
    ):
        assert path in SCHEMA.paths
    assert "retention[].from_" not in SCHEMA.paths
    assert len(SCHEMA.paths) == len(set(SCHEMA.paths))
    assert SCHEMA.enums, "no enums found: the walker is broken"


@pytest.mark.parametrize("path", SCHEMA.paths)
def test_every_key_is_documented(path: str) -> None:
    if path not in _row_keys(_doc()):
        pytest.fail(
            f"{path} is a key of hogo.yaml but docs/policy-file.md has no row `| `{path}` |`"
        )


def test_value_types_are_documented() -> None:
    documented = _row_keys(_doc())
    for model in SCHEMA.value_types:
        for name, info in model.model_fields.items():
            key = _key(name, info)
            if key not in documented:
                pytest.fail(f"{model.__name__}.{key} has no row `| `{key}` |` in the docs")


@pytest.mark.parametrize(
    "enum", sorted(SCHEMA.enums, key=lambda e: e.__name__), ids=lambda e: e.__name__
)
def test_every_enum_value_is_documented(enum: type[Enum]) -> None:
    documented = _row_keys(_doc())
    missing = [str(member.value) for member in enum if str(member.value) not in documented]
    assert not missing, f"{enum.__name__} values without a row `| `value` |` in the docs: {missing}"


def test_every_literal_value_is_documented() -> None:
    documented = _inline_code(_doc())
    missing = sorted(value for value in SCHEMA.literals if value not in documented)
    assert not missing, f"literal values not documented in backticks: {missing}"


def test_every_statement_section_is_documented() -> None:
    documented = _row_keys(_doc())
    missing = [key for key in SECTION_KEYS if key not in documented]
    assert not missing, f"statements[].section values not documented: {missing}"


def _top_level() -> list[str]:
    return [_key(name, info) for name, info in Policy.model_fields.items()]


_FILE_NAME = re.compile(r"\.(?:ya?ml|md|py|toml|json)$")
"""`hogo.yaml` is the file, not the key `yaml` under `hogo`."""


def test_no_stale_key_paths() -> None:
    """A backticked `top.x` or `top[].x` in the docs must be a real key path."""
    real = set(SCHEMA.paths)
    tops = "|".join(re.escape(k) for k in _top_level())
    shaped = re.compile(rf"^(?:{tops})(?:\[\d*\]|\{{\}}|\.[A-Za-z_][A-Za-z0-9_]*)+$")
    stale = []
    for token in sorted(_inline_code(_doc())):
        if not shaped.match(token) or _FILE_NAME.search(token):
            continue
        normal = re.sub(r"\[\d+\]", "[]", token)  # purposes[2].items, as in an error message
        normal = re.sub(r"(\[\]|\{\})$", "", normal)  # `purposes[]` names the list itself
        if normal not in real:
            stale.append(token)
    assert not stale, f"docs/policy-file.md names keys that do not exist: {stale}"


def test_one_section_per_top_level_key_in_schema_order() -> None:
    headings = [
        match.group(1)
        for match in re.finditer(r"^## `([a-z_]+)`", _without_fences(_doc()), re.MULTILINE)
    ]
    assert headings == _top_level()


def _yaml_examples(text: str) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```[ \t]*$", text, flags=re.MULTILINE | re.DOTALL)


def test_examples_together_are_a_valid_policy() -> None:
    """The ```yaml examples, one per section, join into one policy that loads strictly."""
    merged: dict[str, str] = {}
    for number, block in enumerate(_yaml_examples(_doc()), start=1):
        data, _ = parse_document(block, f"example {number}")
        for key in data:
            assert key not in merged, f"example {number} repeats top-level key {key!r}"
            merged[key] = block
    assert list(merged) == _top_level(), "give one ```yaml example per top-level key, in order"
    joined = "\n".join(dict.fromkeys(merged.values()))
    try:
        load_policy_text(joined, "examples")
    except PolicyLoadError as exc:
        pytest.fail(f"the examples of docs/policy-file.md, joined in order, do not load:\n{exc}")
