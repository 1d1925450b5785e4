"""Load and validate the whole content/ tree into models, collecting every problem.

The kind of a record comes from its folder, never from its fields. Each record keeps
its `Source` (file and path inside the document) so later stages can report problems
at the right line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import personal_data
from generator.cache import ParseCache
from generator.errors import Pending, Problem
from generator.kinds import KINDS
from generator.kinds.site import Department, SiteInfo
from generator.load import Loaded, Locator, load_file, position
from generator.validate import validate_record


@dataclass(frozen=True)
class Source:
    file: Path
    path: tuple = ()

    def at(self, *steps: Any) -> tuple[Path, tuple]:
        return self.file, self.path + steps


@dataclass
class Content:
    root: Path
    site: SiteInfo | None = None
    departments: list[tuple[Department, Source]] = field(default_factory=list)
    records: dict[str, list[tuple[Any, Source]]] = field(default_factory=lambda: {name: [] for name in KINDS})
    problems: list[Problem] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    files: int = 0
    locator: Locator = field(default_factory=Locator)

    def add(self, file: Path, path: tuple, message: str, at_key: bool = False, severity: str = "error") -> None:
        self.pending.append(Pending(file, path, message, at_key, severity))

    def all_problems(self) -> list[Problem]:
        """Every problem, located, in file and line order."""
        located = [self.locator.resolve(p, display_path(p.file)) for p in self.pending]
        return sorted(set(self.problems + located), key=lambda p: (p.file, p.line, p.column, p.message))

    def errors(self) -> list[Problem]:
        return [p for p in self.all_problems() if p.severity == "error"]


def display_path(path: Path) -> str:
    """PATH as printed in problem lines: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path, Path.cwd()) if path.is_absolute() else str(path)
    except ValueError:
        return str(path)


def content_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


@dataclass
class Tree:
    """Every content file loaded (parsed, not yet validated)."""

    root: Path
    files: dict[Path, Loaded]
    problems: list[Problem]


def load_tree(root: Path, cache: ParseCache | None = None) -> Tree:
    """Load stage: parse every file under `root`, refusing files outside the layout.

    With a `cache`, files whose bytes were parsed before are not parsed again."""
    cache = cache or ParseCache(None)
    root = root.resolve()
    tree = Tree(root, {}, [])
    if not root.is_dir():
        tree.problems.append(Problem(display_path(root), 1, 1, "内容目录不存在"))
        return tree
    for name in ("site.yaml", "departments.yaml"):
        if not (root / name).is_file():
            tree.problems.append(Problem(display_path(root / name), 1, 1, f"缺少文件 {name}"))
    for path in content_files(root):
        parts = path.relative_to(root).parts
        known = (len(parts) == 1 and path.name in ("site.yaml", "departments.yaml")) or (
            len(parts) == 2 and parts[0] in KINDS and path.suffix == ".yaml")
        if not known:
            tree.problems.append(Problem(
                display_path(path), 1, 1,
                "不认识的文件：content/ 下只能有 site.yaml、departments.yaml 和 "
                + "、".join(f"{name}/*.yaml" for name in KINDS),
            ))
            continue
        rel = display_path(path)
        loaded = cache.get(path.read_bytes(), rel, lambda: load_file(path, rel))
        tree.problems.extend(loaded.problems)
        tree.files[path] = loaded
    return tree


def validate_tree(tree: Tree) -> Content:
    """Validate stage: every loaded file to models, every problem collected."""
    content = Content(tree.root, problems=list(tree.problems), files=len(tree.files))
    usable = {path: loaded for path, loaded in tree.files.items() if not loaded.problems}

    site = usable.get(tree.root / "site.yaml")
    if site is not None:
        content.site = _one(content, SiteInfo, site, ())
    departments = usable.get(tree.root / "departments.yaml")
    if departments is not None:
        for i, item in _items(content, departments, "部门登记册应为列表（每个部门以“- ”开头）"):
            model = _one(content, Department, departments, (i,), item)
            if model is not None:
                content.departments.append((model, Source(departments.path, (i,))))

    for loaded in usable.values():
        content.problems.extend(personal_data_problems(loaded))

    for kind in KINDS.values():
        for path, loaded in usable.items():
            if path.parent != tree.root / kind.name:
                continue
            if kind.per_file == "list":
                for i, item in _items(content, loaded, f"{kind.label}文件应为列表（每条以“- ”开头）"):
                    model = _one(content, kind.model, loaded, (i,), item)
                    if model is not None:
                        content.records[kind.name].append((model, Source(path, (i,))))
            else:
                model = _one(content, kind.model, loaded, ())
                if model is not None:
                    content.records[kind.name].append((model, Source(path, ())))
    return content


_LONG_NUMBER = re.compile(r"[0-9０-９][0-9０-９Xx Ｘｘ\-－+＋]{9,}")


def personal_data_problems(loaded: Loaded) -> list[Problem]:
    """ID-card, mobile and bank-card numbers anywhere in a file, located to the character."""
    problems = []
    for match in _LONG_NUMBER.finditer(loaded.text):
        start = max(0, match.start() - 4)
        for finding in personal_data.find_personal_data(loaded.text[start:match.end() + 4]):
            line, column = position(loaded.text, start + finding.start)
            problems.append(Problem(loaded.rel, line, column, finding.message))
    return sorted(set(problems))


def load_content(root: Path) -> Content:
    return validate_tree(load_tree(root))


def _items(content: Content, loaded: Loaded, message: str) -> list[tuple[int, Any]]:
    if not isinstance(loaded.data, list):
        content.add(loaded.path, (), message)
        return []
    return list(enumerate(loaded.data))


def _one(content: Content, model: type, loaded: Loaded, path: tuple, data: Any = None) -> Any:
    data = loaded.data if data is None else data
    record, pending = validate_record(model, data, loaded.path, path, content.locator)
    content.pending.extend(pending)
    return record
