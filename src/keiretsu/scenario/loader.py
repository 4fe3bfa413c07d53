"""The only YAML reader: scenario and plan files to frozen specs, with located errors.

* Safe loading only (no Python tags); oversized files and alias-expansion bombs are
  refused (:data:`MAX_FILE_BYTES`, :data:`MAX_NODES`, :data:`MAX_DEPTH`); duplicate keys
  are errors, not silent overwrites.
* Every problem of a file is reported at once as ``FILE:LINE:COL: field.path: message``
  (schema errors and cross-reference errors together).
* ``extends: base.yaml`` (relative to the file): deep merge, mappings merged key by key,
  lists and scalars replaced; chains allowed, cycles detected.
* ``--set dotted.path=value`` overrides: the value is read as a YAML scalar/flow value and
  typed by the schema; list items are addressed by index or by ``id``
  (``parts.CELL-NMC.revenue_per_unit=120`` or ``parts[0].revenue_per_unit=120``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from keiretsu.errors import Problem, ScenarioError
from keiretsu.scenario.checks import plan_problems, scenario_problems
from keiretsu.scenario.model import Plan, Scenario

MAX_FILE_BYTES = 8 * 1024 * 1024
"""Largest scenario or plan file read (8 MiB; the largest realistic network is far below)."""
MAX_NODES = 2_000_000
"""Most YAML nodes after alias expansion (refuses 'billion laughs' documents)."""
MAX_DEPTH = 64
"""Deepest nesting accepted."""

Key = str | int
Position = tuple[str, int, int]

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass
class Document:
    """Plain data read from YAML, with the source position of every value."""

    data: Any
    positions: dict[tuple, Position] = field(default_factory=dict)
    sources: list[Path] = field(default_factory=list)

    def locate(self, path: Sequence[Key]) -> Position:
        """Position of ``path`` or of its nearest located ancestor."""
        path = tuple(path)
        for n in range(len(path), -1, -1):
            if path[:n] in self.positions:
                return self.positions[path[:n]]
        return (str(self.sources[0]) if self.sources else "<input>", 1, 1)


# ----------------------------------------------------------------------------- reading


class _Reader:
    def __init__(self, text: str, file: str):
        self.file = file
        self.loader = yaml.SafeLoader(text)
        self.nodes = 0
        self.positions: dict[tuple, Position] = {}
        self.problems: list[Problem] = []
        self._flat: dict[int, list[tuple[yaml.Node, yaml.Node]]] = {}

    def problem(self, node: yaml.Node, message: str, path: tuple = ()) -> None:
        mark = node.start_mark
        self.problems.append(
            Problem(self.file, mark.line + 1, mark.column + 1, format_path(path), message)
        )

    def read(self) -> Any:
        try:
            node = self.loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            what = " ".join(x for x in (exc.context, exc.problem) if x)
            raise ScenarioError(
                Problem(self.file, line, col, "", f"YAML syntax error: {what}")
            ) from None
        except yaml.YAMLError as exc:
            raise ScenarioError(Problem(self.file, 0, 0, "", f"YAML error: {exc}")) from None
        finally:
            self.loader.dispose()
        if node is None:
            raise ScenarioError(Problem(self.file, 1, 1, "", "the file is empty"))
        data = self.convert(node, (), 0)
        if self.problems:
            raise ScenarioError(self.problems)
        return data

    def convert(self, node: yaml.Node, path: tuple, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.problems.append(
                Problem(
                    self.file,
                    0,
                    0,
                    "",
                    f"refused: more than {MAX_NODES:,} YAML nodes after "
                    "expanding aliases (an alias-expansion bomb?)",
                )
            )
            raise ScenarioError(self.problems)
        if depth > MAX_DEPTH:
            self.problem(node, f"refused: nesting deeper than {MAX_DEPTH} levels", path)
            raise ScenarioError(self.problems)
        self.positions.setdefault(
            path, (self.file, node.start_mark.line + 1, node.start_mark.column + 1)
        )
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _PLAIN_TAGS:
                self.problem(
                    node, f"unsupported YAML tag {node.tag!r} (only plain data is read)", path
                )
                return None
            try:
                return self.loader.construct_object(node)
            except (yaml.YAMLError, ValueError) as exc:
                self.problem(node, f"cannot read value {node.value!r}: {exc}", path)
                return None
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self.problem(node, f"unsupported YAML tag {node.tag!r}", path)
            return [self.convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                self.problem(node, f"unsupported YAML tag {node.tag!r}", path)
            result: dict[Any, Any] = {}
            first_seen: dict[Any, int] = {}
            for key_node, value_node in self._flatten(node):
                key = self.convert(key_node, (*path, "<key>"), depth + 1)
                self.positions.pop((*path, "<key>"), None)
                if not isinstance(key, str | int) or isinstance(key, bool):
                    self.problem(
                        key_node, f"mapping keys must be text or integers, not {key!r}", path
                    )
                    continue
                if key in first_seen:
                    self.problem(
                        key_node,
                        f"duplicate key {key!r} (first at line {first_seen[key]})",
                        (*path, key),
                    )
                    continue
                first_seen[key] = key_node.start_mark.line + 1
                self.positions[(*path, key)] = (
                    self.file,
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                result[key] = self.convert(value_node, (*path, key), depth + 1)
            return result
        self.problem(node, "unsupported YAML node", path)
        return None

    def _flatten(
        self, node: yaml.MappingNode, active: frozenset[int] = frozenset()
    ) -> list[tuple[yaml.Node, yaml.Node]]:
        """Key/value pairs with YAML merge keys (``<<: *anchor``) expanded.

        Own keys win over merged ones, earlier merge sources over later ones (YAML merge
        key spec). Each mapping is flattened once (memoized), so nested merges of the same
        anchor cannot blow up, and a merge that refers back to its own mapping is refused.
        """
        cached = self._flat.get(id(node))
        if cached is not None:
            return cached
        own, merged = [], []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for src in sources:
                    if not isinstance(src, yaml.MappingNode):
                        self.problem(src, "a merge key (<<) needs a mapping")
                    elif id(src) in active or src is node:
                        self.problem(src, "a merge key (<<) refers to the mapping that holds it")
                    else:
                        merged.extend(self._flatten(src, active | {id(node)}))
            else:
                own.append((key_node, value_node))
        seen = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
        result = list(own)
        for k, v in merged:
            if isinstance(k, yaml.ScalarNode):
                if k.value in seen:
                    continue
                seen.add(k.value)
            result.append((k, v))
        self._flat[id(node)] = result
        return result


def read_yaml(path: str | Path) -> Document:
    """Read one YAML file (no ``extends`` processing)."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScenarioError(Problem(name, 0, 0, "", "file not found")) from None
    except OSError as exc:
        raise ScenarioError(Problem(name, 0, 0, "", f"cannot read: {exc.strerror}")) from None
    if path.is_dir():
        raise ScenarioError(Problem(name, 0, 0, "", "is a directory, not a YAML file"))
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            Problem(
                name, 0, 0, "", f"refused: {size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit"
            )
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(Problem(name, 0, 0, "", f"not UTF-8 text ({exc.reason})")) from None
    try:
        reader = _Reader(text, name)
    except yaml.reader.ReaderError as exc:  # a control character PyYAML refuses to read
        pos = exc.position
        line, col = text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)
        what = str(exc).splitlines()[0]
        raise ScenarioError(Problem(name, line, col, "", f"YAML error: {what}")) from None
    data = reader.read()
    return Document(data, reader.positions, [path])


def read_document(path: str | Path, _stack: tuple[Path, ...] = ()) -> Document:
    """Read a YAML file and resolve its ``extends:`` chain."""
    path = Path(path)
    doc = read_yaml(path)
    if not isinstance(doc.data, dict) or "extends" not in doc.data:
        return doc
    ref = doc.data.pop("extends")
    where = doc.positions.pop(("extends",), (str(path), 1, 1))
    if not isinstance(ref, str) or not ref:
        raise ScenarioError(Problem(*where, "extends", "must be the path of a base YAML file"))
    base_path = (path.parent / ref).resolve()
    chain = (*_stack, path.resolve())
    if base_path in chain:
        cycle = " -> ".join(str(p) for p in (*chain, base_path))
        raise ScenarioError(Problem(*where, "extends", f"cycle in extends: {cycle}"))
    if not base_path.is_file():
        raise ScenarioError(Problem(*where, "extends", f"base file not found: {base_path}"))
    base = read_document(base_path, chain)
    return merge_documents(base, doc)


def merge_documents(base: Document, over: Document) -> Document:
    """Deep merge: mappings merged key by key, anything else in ``over`` replaces ``base``."""
    replaced: list[tuple] = []

    def merge(b: Any, o: Any, path: tuple) -> Any:
        if isinstance(b, dict) and isinstance(o, dict):
            result = dict(b)
            for key, value in o.items():
                result[key] = merge(b[key], value, (*path, key)) if key in b else value
            return result
        replaced.append(path)
        return o

    data = merge(base.data, over.data, ())
    positions = {
        p: pos for p, pos in base.positions.items() if not any(p[: len(r)] == r for r in replaced)
    }
    positions.update(over.positions)
    return Document(data, positions, [*over.sources, *base.sources])


# ----------------------------------------------------------------------------- overrides

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]*$")
_SEGMENT = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


def _split_override(text: str) -> tuple[list[str], str]:
    if "=" not in text:
        raise ValueError("expected dotted.path=value")
    lhs, value = text.split("=", 1)
    lhs = lhs.strip()
    segments = [m.group(1) or m.group(2) for m in _SEGMENT.finditer(lhs)]
    if not lhs or not segments or "".join(_SEGMENT.sub("", lhs).split(".")):
        raise ValueError(f"cannot read the path {lhs!r}")
    return segments, value


def apply_overrides(doc: Document, overrides: Iterable[str]) -> Document:
    """Apply ``--set path=value`` overrides (see module docstring); returns a new document."""
    import copy

    data = copy.deepcopy(doc.data)
    positions = dict(doc.positions)
    problems: list[Problem] = []
    for text in overrides:
        source = f"--set {text}"
        try:
            segments, raw = _split_override(text)
            value = yaml.safe_load(raw) if raw.strip() else ""
        except (ValueError, yaml.YAMLError) as exc:
            problems.append(Problem(source, 0, 0, "", str(exc).splitlines()[0]))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(source, 0, 0, "", "the document is not a mapping"))
            continue
        node: Any = data
        path: tuple = ()
        created: tuple = ()  # the first mapping this override had to create, if any
        error = None
        for i, seg in enumerate(segments):
            last = i == len(segments) - 1
            if isinstance(node, list):
                index = _list_index(node, seg)
                if index is None:
                    ids = [_item_key(x) for x in node if _item_key(x) is not None]
                    error = f"no item {seg!r} in {format_path(path) or 'the document'}" + (
                        f" (ids: {', '.join(map(str, ids))})" if ids else ""
                    )
                    break
                key: Key = index
            elif isinstance(node, dict):
                key = int(seg) if seg.isdigit() and int(seg) in node else seg
                if not last and not isinstance(node.get(key), dict | list):
                    if node.get(key) is not None:
                        error = f"{format_path((*path, key))} is a value, not a mapping or list"
                        break
                    node[key] = {}
                    created = created or (*path, key)
            else:
                error = f"{format_path(path)} is a value, not a mapping or list"
                break
            path = (*path, key)
            if last:
                node[key] = value
            else:
                node = node[key]
        if error:
            problems.append(Problem(source, 0, 0, ".".join(segments), error))
            continue
        anchor = created or path  # errors in what the override wrote point at the override
        positions = {p: pos for p, pos in positions.items() if p[: len(anchor)] != anchor}
        positions[anchor] = (source, 0, 0)
    if problems:
        raise ScenarioError(problems)
    return Document(data, positions, doc.sources)


def _item_key(item: Any) -> Any:
    """What names a list item in a ``--set`` path: its ``id``, or, for an item without one
    (a contract), the ``supplier`` it is with."""
    if not isinstance(item, dict):
        return None
    return item.get("id", item.get("supplier"))


def _list_index(items: list, seg: str) -> int | None:
    if seg.lstrip("-").isdigit():
        index = int(seg)
        return index if -len(items) <= index < len(items) else None
    for i, item in enumerate(items):
        if _item_key(item) == seg:
            return i
    return None


# ----------------------------------------------------------------------------- validation


def format_path(path: Sequence[Key], data: Any = None) -> str:
    """``('suppliers', 0, 'offers', 1)`` -> ``suppliers[CELLCO-A].offers[1]`` (ids where known)."""
    out = ""
    node = data
    for key in path:
        if isinstance(key, int) and isinstance(node, list):
            item = node[key] if -len(node) <= key < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            out += f"[{ident}]" if isinstance(ident, str) else f"[{key}]"
            node = item
        else:
            if isinstance(key, str) and _PLAIN_KEY.match(key):
                out += f".{key}" if out else key
            else:
                out += f"[{key!r}]"
            node = node.get(key) if isinstance(node, dict) else None
    return out


def _data_path(loc: Sequence[Any], data: Any) -> tuple:
    """Map a pydantic error location onto the data (dropping union tags and other extras)."""
    path: list[Key] = []
    node = data
    for key in loc:
        if isinstance(node, dict) and key in node:
            node = node[key]
            path.append(key)
        elif isinstance(node, dict) and isinstance(key, str) and key.isdigit() and int(key) in node:
            node = node[int(key)]
            path.append(int(key))
        elif isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
            node = node[key]
            path.append(key)
        elif isinstance(node, dict | list):
            if key == "[key]":
                continue
            # a key the data lacks (missing field) is still part of the path;
            # a union tag (e.g. 'normal') is not
            if isinstance(node, dict) and isinstance(key, str) and key not in _union_tags(node):
                path.append(key)
                node = None
        else:
            break
    return tuple(path)


def _union_tags(node: dict) -> set:
    return {v for k, v in node.items() if k in ("kind", "policy") and isinstance(v, str)}


def _vocabulary() -> list[str]:
    names: set[str] = set()
    seen: set[type] = set()

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            names.add(info.alias or name)
            for arg in _model_args(info.annotation):
                visit(arg)

    visit(Scenario)
    visit(Plan)
    return sorted(names)


def _model_args(annotation: Any) -> list[type[BaseModel]]:
    import typing

    found = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    for arg in typing.get_args(annotation):
        found.extend(_model_args(arg))
    return found


def _message(err: Mapping[str, Any], loc_key: Any) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        suggestion = difflib.get_close_matches(str(loc_key), _vocabulary(), n=1, cutoff=0.75)
        hint = f"; did you mean {suggestion[0]!r}?" if suggestion else ""
        return f"unknown field {loc_key!r}{hint}"
    if kind == "missing":
        return f"required field {loc_key!r} is missing" if isinstance(loc_key, str) else "required"
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    value = err.get("input")
    if kind not in ("value_error", "union_tag_invalid", "union_tag_not_found") and isinstance(
        value, str | int | float | bool
    ):
        msg = f"{msg} (got {value!r})"
    return msg


def _problems_from(exc: ValidationError, doc: Document) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        path = _data_path(loc, doc.data)
        file, line, col = doc.locate(path)
        problems.append(
            Problem(
                file, line, col, format_path(path, doc.data), _message(err, loc[-1] if loc else "")
            )
        )
    return problems


def _located(items: list[tuple[tuple, str]], doc: Document) -> list[Problem]:
    out = []
    for path, message in items:
        file, line, col = doc.locate(path)
        out.append(Problem(file, line, col, format_path(path, doc.data), message))
    return out


def _raise_sorted(problems: list[Problem]) -> None:
    unique = list(dict.fromkeys(problems))
    unique.sort(key=lambda p: (p.file.startswith("--set"), p.file, p.line, p.column))
    raise ScenarioError(unique)


def validate_scenario(doc: Document) -> Scenario:
    """Validate a document as a scenario, reporting every problem at once."""
    problems: list[Problem] = []
    scenario = None
    if not isinstance(doc.data, dict):
        file, line, col = doc.locate(())
        raise ScenarioError(Problem(file, line, col, "", "a scenario must be a YAML mapping"))
    try:
        scenario = Scenario.model_validate(doc.data, context={"defer_reference_checks": True})
    except ValidationError as exc:
        problems.extend(_problems_from(exc, doc))
    problems.extend(_located(scenario_problems(doc.data), doc))
    if problems:
        _raise_sorted(problems)
    assert scenario is not None
    return scenario


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Read, merge (``extends``), override (``--set``) and validate a scenario file."""
    doc = read_document(path)
    overrides = list(overrides)
    if overrides:
        doc = apply_overrides(doc, overrides)
    return validate_scenario(doc)


def load_plan(path: str | Path, scenario: Scenario) -> Plan:
    """Read a plan file and check it against ``scenario``."""
    doc = read_document(path)
    if not isinstance(doc.data, dict):
        file, line, col = doc.locate(())
        raise ScenarioError(Problem(file, line, col, "", "a plan must be a YAML mapping"))
    problems: list[Problem] = []
    plan = None
    try:
        plan = Plan.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(_problems_from(exc, doc))
    network = scenario.model_dump(mode="python")
    problems.extend(_located(plan_problems(doc.data, network, prefix=()), doc))
    if problems:
        _raise_sorted(problems)
    assert plan is not None
    return plan
