"""One record of a content file, rewritten in place for the form editor.

The form sends a record as plain JSON. It is merged into the file's ruamel round-trip
data (comments kept, keys that did not change left as they were, new keys placed in the
model's order, new values in `fmt`'s canonical form), and only the lines of that record
are replaced: every other line of the file stays byte for byte as it was.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.editing.fmt import canonicalize, yaml_rt
from generator.kinds.base import submodel


def _yaml() -> YAML:
    y = yaml_rt()
    y.preserve_quotes = True  # a quoted value the editor did not touch keeps its quotes
    return y


def plain(node: Any) -> Any:
    """ruamel data as JSON: what the form shows (dates as YYYY-MM-DD)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, date):
        return node.isoformat()
    if isinstance(node, str):
        return str(node)
    return node


def _commented(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((k, _commented(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_commented(v) for v in value)
    return value


def _fresh(key: str, value: Any, model: type[BaseModel] | None) -> Any:
    """A new value in canonical form (codes quoted, dates plain, block style)."""
    holder = CommentedMap([(key, _commented(value))])
    return canonicalize(holder, model)[key]


def merge(node: Any, value: Any, model: type[BaseModel] | None) -> Any:
    """`node` (a map, or a list of maps, of `model`) changed in place to hold `value`,
    keeping whatever of it did not change; None when it must be replaced as a whole."""
    if isinstance(node, CommentedMap) and isinstance(value, dict) and model is not None:
        fields = model.model_fields
        order = list(fields)
        for key in [k for k in node if k not in value]:
            del node[key]
        for key, item in value.items():
            info = fields.get(key)
            sub = submodel(info.annotation) if info else None
            if key in node:
                old = node[key]
                if plain(old) != item:
                    merged = merge(old, item, sub) if isinstance(old, (CommentedMap, CommentedSeq)) else None
                    node[key] = merged if merged is not None else _fresh(key, item, model)
                continue
            rank = order.index(key) if key in order else len(order)
            at = sum(1 for k in node if (order.index(k) if k in order else len(order)) <= rank)
            node.insert(at, key, _fresh(key, item, model))
        return node
    if isinstance(node, CommentedSeq) and isinstance(value, list) and model is not None \
            and all(isinstance(v, dict) for v in value) and all(isinstance(v, CommentedMap) for v in node):
        for i, item in enumerate(value):
            if i < len(node):
                node[i] = merge(node[i], item, model)
            else:
                node.append(canonicalize(_commented(item), model))
        del node[len(value):]
        return node
    return None


def _dump(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def read_records(text: str) -> Any:
    return _yaml().load(text)


def replace_in_list(text: str, index: int, value: dict, model: type[BaseModel]) -> str:
    """The file's text with record `index` of its list replaced by `value`."""
    seq = read_records(text)
    lines = text.splitlines(keepends=True)
    start = seq.lc.item(index)[0]
    end = seq.lc.item(index + 1)[0] if index + 1 < len(seq) else len(lines)
    item = merge(seq[index], value, model)
    if item is None:
        item = canonicalize(_commented(value), model)
    replaced = _dump(CommentedSeq([item]))
    if end == len(lines) and lines and not lines[-1].endswith("\n"):
        replaced = replaced.rstrip("\n")
    return "".join(lines[:start]) + replaced + "".join(lines[end:])


def append_to_list(text: str, value: dict, model: type[BaseModel]) -> str:
    """The file's text with `value` added as its last record."""
    item = _dump(CommentedSeq([canonicalize(_commented(value), model)]))
    if not text.strip():
        return item
    return text.rstrip("\n") + "\n" + item


def replace_whole(text: str, value: dict, model: type[BaseModel]) -> str:
    """A file that is one record, changed to `value` (its comments kept)."""
    data = read_records(text) if text.strip() else None
    if not isinstance(data, CommentedMap):
        return _dump(canonicalize(_commented(value), model))
    return _dump(merge(data, value, model))  # a map of `model`: merged, never None
