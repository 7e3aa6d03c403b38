"""hogo.yaml -> Policy, with every error as FILE:LINE:COL naming the key.

PyYAML is used only to parse and compose nodes; the conversion to Python values is ours
so that every value keeps its position, duplicate keys are refused (PyYAML silently keeps
the last one), and hostile files (alias bombs, deep nesting, huge or non-UTF-8 files) end
in a clear message instead of a traceback or an exhausted machine.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from hogo.policy.schema import Policy

MAX_FILE_BYTES = 2 * 1024 * 1024
"""A policy is a few hundred lines; anything past 2 MiB is a mistake or an attack."""

MAX_NODES = 200_000
"""Values after alias expansion: stops 'billion laughs' documents."""

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a policy file, located to the line and column."""

    file: str
    line: int
    column: int
    message: str
    path: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class PolicyLoadError(Exception):
    """The file is not a valid hogo.yaml; `diagnostics` says where and why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))


@dataclass(frozen=True)
class SourceMap:
    """Where each value of the file stands: keys map to their key, list entries to the entry."""

    file: str
    key_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    value_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: PathKey, *, prefer_key: bool = False) -> tuple[int, int]:
        """The position of `path`, or of its closest ancestor present in the file."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            first, second = (
                (self.key_positions, self.value_positions)
                if prefer_key or end < len(path)
                else (self.value_positions, self.key_positions)
            )
            if prefix in first:
                return first[prefix]
            if prefix in second:
                return second[prefix]
        return (1, 1)

    def diagnostic(self, path: PathKey, message: str, *, prefer_key: bool = False) -> Diagnostic:
        line, column = self.position(path, prefer_key=prefer_key)
        return Diagnostic(self.file, line, column, message, dotted(path))


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    source: SourceMap
    text: str
    digest: str


def dotted(path: Iterable[str | int]) -> str:
    """('purposes', 2, 'items') -> 'purposes[2].items'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


MAX_DEPTH = 200
"""Nesting levels; a policy uses about eight. LibYAML's parser recurses and crashes the
process (not an exception) on flow collections nested ~100,000 deep, so depth is checked
before parsing."""

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """YAML 1.2 core scalars: `NO` stays the string for Norway, 10:00 is not the number 600."""


_YAML11_ONLY = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML11_ONLY]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    # Digits with a leading zero stay text: they are telephone numbers and postal codes,
    # never octal (YAML 1.1) and never a number that silently loses its zero.
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?[0-9]+[eE][-+]?[0-9]+"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


class _Converter:
    """Turns composed YAML nodes into plain values while recording where each one stood."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.constructor = yaml.constructor.SafeConstructor()
        self.count = 0
        self.errors: list[Diagnostic] = []

    @staticmethod
    def _pos(node: yaml.Node) -> tuple[int, int]:
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def convert(self, node: yaml.Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge(node)
        self.source.value_positions.setdefault(path, self._pos(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            out_list = []
            for index, child in enumerate(node.value):
                self.source.key_positions.setdefault((*path, index), self._pos(child))
                out_list.append(self.convert(child, (*path, index)))
            return out_list
        return self._scalar(node, path)

    def _scalar(self, node: yaml.Node, path: PathKey) -> Any:
        try:
            return self.constructor.construct_object(node)
        except (ValueError, OverflowError) as exc:
            # e.g. a timestamp-shaped value that is no date: 2026-02-30
            raise _BadScalar(
                self._at(node, path, f"{dotted(path)}: cannot read {node.value!r}: {exc}")
            ) from None

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.errors.append(self._at(key_node, path, "a key must be a plain name"))
                continue
            key = self._scalar(key_node, path)
            if not isinstance(key, str):
                key = str(key)
            child = (*path, key)
            if key in out:
                first = self.source.key_positions[child]
                self.errors.append(
                    self._at(
                        key_node,
                        child,
                        f"duplicate key {dotted(child)!r} (first given at line {first[0]})",
                    )
                )
                continue
            self.source.key_positions[child] = self._pos(key_node)
            out[key] = self.convert(value_node, child)
        return out

    def _at(self, node: yaml.Node, path: PathKey, message: str) -> Diagnostic:
        line, column = self._pos(node)
        return Diagnostic(self.source.file, line, column, message, dotted(path))


class _BadScalar(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


class _TooLarge(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


def _decode(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise PolicyLoadError(
            [
                Diagnostic(
                    name,
                    line,
                    column,
                    f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; "
                    "save the file as UTF-8",
                )
            ]
        ) from None
    return text


def read_policy_bytes(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refusing what is missing, not a file, or too large to be a policy."""
    name = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise PolicyLoadError([Diagnostic(name, 1, 1, "no such file")]) from None
    except IsADirectoryError:
        raise PolicyLoadError(
            [Diagnostic(name, 1, 1, "is a directory, not a policy file")]
        ) from None
    except OSError as exc:
        raise PolicyLoadError([Diagnostic(name, 1, 1, f"cannot read: {exc.strerror}")]) from None
    if len(data) > max_bytes:
        raise PolicyLoadError(
            [Diagnostic(name, 1, 1, f"file is larger than {max_bytes:,} bytes; not a policy file")]
        )
    return data


_BRACKETS = re.compile(r"[\[\]{}]")


def _check_depth(text: str, name: str) -> None:
    """Refuse flow collections nested past MAX_DEPTH before LibYAML recurses into them.

    Brackets inside quoted strings are counted too: the estimate errs on the side of
    refusing, and a real policy is nowhere near the limit. Block nesting needs
    indentation, which the file-size limit already bounds.
    """
    depth = 0
    for match in _BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            before = text[: match.start()]
            line = before.count("\n") + 1
            column = match.start() - (before.rfind("\n") + 1) + 1
            raise PolicyLoadError(
                [
                    Diagnostic(
                        name, line, column, f"YAML is nested more than {MAX_DEPTH} levels deep"
                    )
                ]
            )


def parse_document(text: str, name: str) -> tuple[Any, SourceMap]:
    """YAML text -> plain values and their positions, or PolicyLoadError."""
    source = SourceMap(name)
    _check_depth(text, name)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "malformed YAML"
        raise PolicyLoadError([Diagnostic(name, line, column, f"YAML: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise PolicyLoadError([Diagnostic(name, 1, 1, f"YAML: {exc}")]) from None
    except RecursionError:
        raise PolicyLoadError([Diagnostic(name, 1, 1, "YAML is nested too deeply")]) from None
    if not nodes:
        raise PolicyLoadError([Diagnostic(name, 1, 1, "the file is empty")])
    if len(nodes) > 1:
        line = nodes[1].start_mark.line + 1
        raise PolicyLoadError(
            [Diagnostic(name, line, 1, "more than one YAML document; a policy is one document")]
        )
    converter = _Converter(source)
    try:
        data = converter.convert(nodes[0], ())
    except _TooLarge as exc:
        line, column = _Converter._pos(exc.node)
        raise PolicyLoadError(
            [Diagnostic(name, line, column, f"more than {MAX_NODES:,} values (alias expansion?)")]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise PolicyLoadError([Diagnostic(name, line, column, f"YAML: {exc.problem}")]) from None
    except _BadScalar as exc:
        raise PolicyLoadError([exc.diagnostic]) from None
    except RecursionError:
        raise PolicyLoadError([Diagnostic(name, 1, 1, "YAML is nested too deeply")]) from None
    if converter.errors:
        raise PolicyLoadError(converter.errors)
    if not isinstance(data, dict):
        raise PolicyLoadError(
            [Diagnostic(name, 1, 1, "a policy file is a mapping of keys (hogo:, policy:, …)")]
        )
    return data, source


def _known_keys(error_loc: PathKey) -> list[str]:
    """The keys a model at `error_loc`'s parent accepts, for "did you mean" hints."""
    model: Any = Policy
    for part in error_loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        info = getattr(model, "model_fields", {}).get(part) or next(
            (f for f in getattr(model, "model_fields", {}).values() if f.alias == part), None
        )
        if info is None:
            return []
        model = _model_of(info.annotation)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_of(annotation: Any) -> Any:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _clean_loc(loc: tuple[Any, ...], data: Any) -> PathKey:
    """Drop pydantic's union/tag markers so the path names keys of the file."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        ):
            path.append(part)
            current = current[part]
        elif isinstance(part, str) and (part.startswith(("function-", "[")) or part[:1].isupper()):
            continue
        else:
            path.append(part)
            current = None
    return tuple(path)


def _describe(error: Any, path: PathKey) -> tuple[str, bool]:
    kind = error["type"]
    where = dotted(path)
    if kind == "extra_forbidden":
        key = str(path[-1])
        hint = difflib.get_close_matches(key, _known_keys(path), n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        parent = dotted(path[:-1]) or "the top level"
        return f"unknown key {key!r} in {parent}{suggestion}", True
    if kind == "missing":
        parent = dotted(path[:-1]) or "the top level"
        return f"{parent}: missing required key {path[-1]!r}", True
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return f"{where}: {message}" if where else message, False


def validation_diagnostics(exc: ValidationError, data: Any, source: SourceMap) -> list[Diagnostic]:
    out = []
    for error in exc.errors():
        path = _clean_loc(tuple(error["loc"]), data)
        message, prefer_key = _describe(error, path)
        out.append(source.diagnostic(path, message, prefer_key=prefer_key))
    return sorted(out, key=lambda d: (d.line, d.column))


def load_policy_text(text: str, name: str = "<policy>", *, strict: bool = True) -> LoadedPolicy:
    """Parse and validate policy text; with `strict`, unresolved references are errors too."""
    data, source = parse_document(text, name)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyLoadError(validation_diagnostics(exc, data, source)) from None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    loaded = LoadedPolicy(policy=policy, source=source, text=text, digest=digest)
    if strict:
        from hogo.policy.references import broken_references

        broken = broken_references(policy)
        if broken:
            raise PolicyLoadError(
                [source.diagnostic(ref.path, ref.message, prefer_key=False) for ref in broken]
            )
    return loaded


def load_policy(path: Path | str, *, strict: bool = True) -> LoadedPolicy:
    """Read, decode, parse and validate a policy file; PolicyLoadError says what is wrong."""
    path = Path(path)
    data = read_policy_bytes(path)
    text = _decode(data, str(path))
    return load_policy_text(text, str(path), strict=strict)
