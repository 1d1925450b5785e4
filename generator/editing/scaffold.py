"""`new`: scaffold a record with its required fields and a Chinese comment on each field.

Required fields are written with empty values (`''`) so that `validate` points at every
one still to fill in, instead of publishing a placeholder. Optional fields follow as
commented-out lines: delete the `# ` to use one. A new power is appended to its
department's file; every other kind gets a new file named after its id.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator.content.advice import department_advice
from generator.editing.targets import read_registry
from generator.editing.files import is_list
from generator.kinds.base import submodel
from generator.kinds import KINDS
from generator.content.load import load_file, load_text

_ID = re.compile(r"^[A-Za-z0-9-]+$")
# Sensible first values: a new record starts as current / in progress.
_START = {"status": ("有效", "公示中", "未开始")}


class ScaffoldError(Exception):
    """The record cannot be created as asked; the message says why."""


@dataclass(frozen=True)
class Created:
    path: Path
    appended: bool


def _literal(annotation: Any) -> tuple[str, ...]:
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(typing.get_args(annotation))
    for arg in typing.get_args(annotation):
        found = _literal(arg)
        if found:
            return found
    return ()


def _comment(info: FieldInfo) -> str:
    words = [info.title or ""]
    if info.description and info.description != info.title:
        words.append(info.description)
    choices = _literal(info.annotation)
    if choices and not any(c in (info.description or "") for c in choices):
        words.append("取值：" + " / ".join(choices))
    text = "：".join(w for w in words if w)
    return f"{text}（必填）" if info.is_required() else text


def _value(key: str, info: FieldInfo, given: dict[str, str]) -> str:
    if key in given:
        return _quote(given[key])
    choices = _literal(info.annotation)
    for start in _START.get(key, ()):
        if start in choices:
            return start
    return "''"


def _quote(text: str) -> str:
    """Plain when it reads back as the same text, single-quoted otherwise."""
    if _ID.match(text) and load_text(f"x: {text}", "")[0] == {"x": text}:
        return text
    return "'" + text.replace("'", "''") + "'"


def _lines(model: type[BaseModel], indent: int, given: dict[str, str], first_prefix: str = "") -> list[str]:
    """The fields of `model`: required ones filled in, optional ones commented out."""
    pad = " " * indent
    lines: list[str] = []
    optional: list[str] = []
    for key, info in model.model_fields.items():
        lead = first_prefix if not lines and first_prefix else pad
        sub = submodel(info.annotation)
        if not info.is_required():
            optional.append(f"{pad}# {key}:  # {_comment(info)}")
            continue
        if sub is not None and is_list(info.annotation):
            lines.append(f"{lead}{key}:  # {_comment(info)}")
            child = {"id": f"{given['id']}-1"} if "id" in given and "id" in sub.model_fields else {}
            lines.extend(_lines(sub, indent + 4, child, first_prefix=f"{pad}  - "))
        elif sub is not None:
            lines.append(f"{lead}{key}:  # {_comment(info)}")
            lines.extend(_lines(sub, indent + 2, {}))
        elif is_list(info.annotation):
            lines.append(f"{lead}{key}:  # {_comment(info)}")
            lines.append(f"{pad}  - ''")
        else:
            lines.append(f"{lead}{key}: {_value(key, info, given)}  # {_comment(info)}")
    if optional:
        lines.append(f"{pad}# 以下为选填字段，需要时删去行首的“# ”并填写：")
        lines.extend(optional)
    return lines


def record_text(kind: str, record_id: str, given: dict[str, str] | None = None) -> str:
    """The YAML text of a new record of `kind` (a list item for list files)."""
    descriptor = KINDS[kind]
    values = {"id": record_id, **(given or {})}
    if descriptor.per_file == "list":
        return "\n".join(_lines(descriptor.model, 2, values, first_prefix="- ")) + "\n"
    return "\n".join(_lines(descriptor.model, 0, values)) + "\n"


def _known_ids(folder: Path) -> dict[str, Path]:
    ids: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        loaded = load_file(path, path.name)
        items = loaded.data if isinstance(loaded.data, list) else [loaded.data]
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                ids[item["id"]] = path
    return ids


def _departments(content_root: Path) -> list[str]:
    registry = content_root / "departments.yaml"
    if not registry.is_file():
        return []
    data = load_file(registry, registry.name).data
    return [d["id"] for d in data if isinstance(d, dict) and isinstance(d.get("id"), str)] if isinstance(data, list) else []


def create(kind: str, record_id: str, content_root: Path, department: str | None = None,
           given: dict[str, str] | None = None) -> Created:
    if kind not in KINDS:
        raise ScaffoldError(f"不认识的记录类型“{kind}”，可用：{'、'.join(KINDS)}")
    if not _ID.match(record_id):
        raise ScaffoldError(f"标识“{record_id}”只能使用字母、数字和连字符")
    descriptor = KINDS[kind]
    folder = content_root / kind
    existing = _known_ids(folder) if folder.is_dir() else {}
    if record_id in existing:
        raise ScaffoldError(f"{descriptor.label}标识 {record_id} 已在 {existing[record_id]} 中使用")
    text = record_text(kind, record_id, given)
    if descriptor.per_file == "list":
        if not department:
            raise ScaffoldError(f"新建{descriptor.label}需要 --department（部门标识）")
        if department not in _departments(content_root):
            registry = [(d.id, d.name, d.short_name) for d in read_registry(content_root)]
            raise ScaffoldError(department_advice(department, registry))
        path = folder / f"{department}.yaml"
        folder.mkdir(parents=True, exist_ok=True)
        old = path.read_text("utf-8-sig") if path.is_file() else ""
        if old.strip() in ("", "[]"):
            old = f"# {department} 的{descriptor.label}\n"
        path.write_text(old.rstrip("\n") + "\n" + text, "utf-8")
        return Created(path, True)
    path = folder / f"{record_id}.yaml"
    if path.exists():
        raise ScaffoldError(f"{path} 已存在")
    folder.mkdir(parents=True, exist_ok=True)
    header = f"# {descriptor.label}：{record_id}。带“（必填）”的字段都要填写；填写后运行 python -m generator validate 检查。\n"
    path.write_text(header + text, "utf-8")
    return Created(path, False)


KIND_WORDS = {"power": "powers", "policy": "policies", "board": "boards", "measures": "measures"}


def run_new(word: str, record_id: str, content_root: Path, department: str | None) -> int:
    """The `new` command."""
    import sys

    kind = KIND_WORDS.get(word, word)
    try:
        created = create(kind, record_id, content_root, department)
    except ScaffoldError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    where = f"已在 {created.path} 末尾添加" if created.appended else f"已新建 {created.path}："
    print(f"{where}{KINDS[kind].label} {record_id}。请填写带“（必填）”的字段，然后运行 python -m generator validate")
    return 0
