"""The kinds of content file, by place under content/, and the model each one holds."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator.kinds import KINDS
from generator.kinds.site import Department, SiteInfo

# A field whose Chinese title names one of these holds a code or phone number: always text, quoted.
_CODE_WORDS = ("编码", "代码", "电话", "热线")


@dataclass(frozen=True)
class FileKind:
    """One kind of content file: its name, glob under content/, and shape."""

    name: str  # also the schema file: schemas/<name>.schema.json
    glob: str  # relative to content/
    title: str
    model: type[BaseModel]
    is_list: bool


def file_kinds() -> list[FileKind]:
    kinds = [
        FileKind("site", "site.yaml", "网站信息", SiteInfo, False),
        FileKind("departments", "departments.yaml", "部门登记册", Department, True),
    ]
    for kind in KINDS.values():
        kinds.append(FileKind(kind.name, f"{kind.name}/*.yaml", kind.label, kind.model, kind.per_file == "list"))
    return kinds


def kind_of(path: Path, content_root: Path) -> FileKind | None:
    """The kind of the file at `path`, judged by its place under `content_root` only."""
    try:
        rel = path.resolve().relative_to(content_root.resolve()).as_posix()
    except ValueError:
        return None
    for kind in file_kinds():
        if Path(rel).match(kind.glob) and rel.count("/") == kind.glob.count("/"):
            return kind
    return None


def holds(annotation: Any, cls: type) -> bool:
    """Whether `cls` appears anywhere in a (possibly Optional, Annotated, list) annotation."""
    if annotation is cls:
        return True
    return any(holds(arg, cls) for arg in typing.get_args(annotation))


def is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    return any(is_list(arg) for arg in typing.get_args(annotation) if typing.get_origin(annotation) is not typing.Annotated)


def is_code(info: FieldInfo) -> bool:
    return any(word in (info.title or "") for word in _CODE_WORDS) and holds(info.annotation, str)
