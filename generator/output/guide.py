"""The editors' guide (编辑指南), generated from the models' own field labels.

Every field of every content file is listed with its Chinese name and description, so
the guide cannot drift from what the validator accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from generator.kinds import KINDS
from generator.kinds.site import Department, SiteInfo
from generator.kinds.base import submodel


@dataclass(frozen=True)
class GuideField:
    key: str  # dotted path, e.g. "basis.law"
    title: str
    required: bool
    description: str


@dataclass(frozen=True)
class GuideSection:
    id: str
    title: str
    path: str
    fields: tuple[GuideField, ...]


def model_fields(model: type[BaseModel], prefix: str = "") -> list[GuideField]:
    out = []
    for key, info in model.model_fields.items():
        sub = submodel(info.annotation)
        desc = info.description or ""
        if sub is not None and "list" in str(info.annotation):
            desc = (desc + "；列表，每项包含下列字段").lstrip("；")
        out.append(GuideField(prefix + key, info.title or key, info.is_required(), desc if desc != info.title else ""))
        if sub is not None:
            out.extend(model_fields(sub, f"{prefix}{key}."))
    return out


def guide_sections() -> list[GuideSection]:
    sections = [
        GuideSection("site", "网站信息", "content/site.yaml", tuple(model_fields(SiteInfo))),
        GuideSection("departments", "部门登记册", "content/departments.yaml（列表）", tuple(model_fields(Department))),
    ]
    for kind in KINDS.values():
        where = f"content/{kind.name}/<部门标识>.yaml（列表）" if kind.per_file == "list" else f"content/{kind.name}/<标识>.yaml"
        sections.append(GuideSection(kind.name, kind.label, where, tuple(model_fields(kind.model))))
    return sections
