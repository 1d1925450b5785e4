"""`fmt`: rewrite content files in their canonical form, keeping comments.

The canonical form: keys in the order of the model (unknown keys after, untouched);
codes and phone numbers single-quoted; dates plain `YYYY-MM-DD`; multi-line text as
`|` blocks; block style everywhere; two-space indentation with sequences indented
(`  - `) under their key; UTF-8 without BOM, one trailing newline.

The round trip uses ruamel.yaml, and every rewrite is checked with our own loader: if
the data would read differently after formatting, the file is left alone.
"""

from __future__ import annotations

import io
import sys
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString, SingleQuotedScalarString

from generator.editing.files import FileKind, holds, is_code, kind_of
from generator.kinds.base import submodel
from generator.errors import Problem
from generator.content.load import load_text

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


class _Emitter(Emitter):
    """ruamel's emitter, but a top-level sequence starts at column 1 (`- id: …`).

    Nested sequences keep the `  - ` indentation under their key."""

    _root_sequence = False

    def expect_block_sequence(self) -> None:
        if self.indent is None:
            self._root_sequence = True
        super().expect_block_sequence()

    def expect_block_sequence_item(self, first: bool = False) -> None:
        if not (self._root_sequence and self.indent == 0):
            return super().expect_block_sequence_item(first)
        offset = self.sequence_dash_offset
        self.sequence_dash_offset = 0
        try:
            super().expect_block_sequence_item(first)
        finally:
            self.sequence_dash_offset = offset

    def increase_indent(self, flow: bool = False, sequence: bool | None = None, indentless: bool = False) -> None:
        at_root_item = self._root_sequence and self.indent == 0 and not flow
        super().increase_indent(flow, sequence, indentless)
        if at_root_item:
            self.indent = self.best_map_indent


def yaml_rt() -> YAML:
    """The round-trip reader/writer, set up for the canonical form."""
    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 1_000_000  # never fold long (Chinese) lines
    y.preserve_quotes = False
    y.allow_unicode = True
    y.Emitter = _Emitter
    return y


def _text(value: str) -> str:
    if isinstance(value, (LiteralScalarString, FoldedScalarString)):
        return value  # a block scalar stays one, folded where the editor folded it
    if "\n" in value.rstrip("\n") or value.endswith("\n"):
        return LiteralScalarString(value)
    return str(value)


def _scalar(value: Any, info) -> Any:
    if isinstance(value, str) and holds(info.annotation, date) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, str) and is_code(info):
        return SingleQuotedScalarString(value)
    if isinstance(value, str):
        return _text(value)
    return value


def canonicalize(node: Any, model: type[BaseModel] | None, as_list: bool = False) -> Any:
    """Put `node` (ruamel round-trip data) in canonical form in place; returns it."""
    if isinstance(node, CommentedSeq):
        node.fa.set_block_style()
        for i, item in enumerate(node):
            node[i] = canonicalize(item, model) if isinstance(item, (CommentedMap, CommentedSeq)) else (
                _text(item) if isinstance(item, str) else item)
        return node
    if not isinstance(node, CommentedMap) or model is None:
        return node
    node.fa.set_block_style()
    fields = model.model_fields
    for key in [k for k in fields if k in node] + [k for k in list(node) if k not in fields]:
        node.move_to_end(key)
    for key in list(node):
        info = fields.get(key)
        value = node[key]
        if info is None:
            continue
        sub = submodel(info.annotation)
        if isinstance(value, (CommentedMap, CommentedSeq)):
            node[key] = canonicalize(value, sub)
            if isinstance(value, CommentedSeq) and sub is None:
                for i, item in enumerate(value):
                    value[i] = _scalar(item, info)
        else:
            node[key] = _scalar(value, info)
    return node


def dump(data: Any) -> str:
    out = io.StringIO()
    yaml_rt().dump(data, out)
    return out.getvalue().rstrip("\n") + "\n"


def format_text(text: str, kind: FileKind | None) -> str:
    """The canonical form of one file's text (raises ruamel's YAMLError on bad YAML)."""
    data = yaml_rt().load(text)
    if data is None:
        return text
    canonicalize(data, kind.model if kind else None)
    return dump(data)


@dataclass
class Outcome:
    path: Path
    changed: bool
    problem: Problem | None = None


def _ruamel_problem(exc: YAMLError, rel: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    reason = (getattr(exc, "problem", None) or str(exc)).strip()
    return Problem(rel, line, col, f"YAML 格式错误，未格式化：{reason}")


def format_file(path: Path, rel: str, content_root: Path, check: bool) -> Outcome:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Outcome(path, False, Problem(rel, 1, 1, "文件不是 UTF-8 编码，未格式化：请先“另存为 UTF-8”"))
    before, problems = load_text(text, rel)
    if problems:
        return Outcome(path, False, problems[0])
    try:
        formatted = format_text(text, kind_of(path, content_root))
    except (MarkedYAMLError, YAMLError) as exc:
        return Outcome(path, False, _ruamel_problem(exc, rel))
    after, problems = load_text(formatted, rel)
    if problems or after != before:
        return Outcome(path, False, Problem(rel, 1, 1, "无法在不改变内容的前提下格式化此文件，已保持原样"))
    changed = formatted.encode("utf-8") != raw
    if changed and not check:
        path.write_text(formatted, "utf-8")
    return Outcome(path, changed)


def content_yaml_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.yaml") if p.is_file() and not p.name.startswith(".")))
        else:
            files.append(path)
    return files


def run_fmt(paths: list[Path], content_root: Path, check: bool, style: str = "text") -> int:
    """The `fmt` command: 0 when nothing is wrong (and, with --check, nothing would change)."""
    from generator.content.tree import display_path

    problems, changed, files = [], [], content_yaml_files(paths)
    for path in files:
        if not path.is_file():
            problems.append(Problem(display_path(path), 1, 1, "文件不存在"))
            continue
        rel = display_path(path)
        outcome = format_file(path, rel, content_root, check)
        if outcome.problem:
            problems.append(outcome.problem)
        elif outcome.changed:
            changed.append(rel)
    for problem in problems:
        print(problem.format(style))
    for rel in changed:
        if check:
            print(Problem(rel, 1, 1, f"格式不规范：请运行 python -m generator fmt {rel}").format(style))
        else:
            print(f"已整理 {rel}")
    unchanged = len(files) - len(changed) - len(problems)
    verb = "需要整理" if check else "已整理"
    print(f"{verb} {len(changed)} 个文件，{unchanged} 个无需改动" + (f"，{len(problems)} 个有错误未处理" if problems else ""),
          file=sys.stderr)
    return 1 if problems or (check and changed) else 0
