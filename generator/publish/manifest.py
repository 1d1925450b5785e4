"""What a build published, kept with the output so that the next build can notice a loss.

`data/manifest.json` records how many records each list holds: every record kind, board
parts of records (board entries, measure items), departments, and each department's powers. Counts are taken from
the validated content, *before* the publication rules, so an entry that expires or is
withdrawn on schedule is not a loss; a file truncated by a bad import or a broken merge is.

A build that would drop more than `max_drop` (default 10 %) of a list compared with the
manifest of the output it replaces stops with a located message, unless it is allowed
(`build --allow-drop`). The file holds counts only — no time, no names — so two builds of
the same content are byte-identical.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from generator.content.tree import Content, display_path
from generator.errors import ContentError, Problem
from generator.kinds import KINDS

MANIFEST = "data/manifest.json"
DEFAULT_MAX_DROP = 0.10


def counts(content: Content) -> dict[str, int]:
    """List name -> number of records, e.g. {"powers": 23000, "powers/shichang": 140, "entries": 250, …}.

    Every kind counts its records, the parts it declares (Kind.parts) and, when its files
    are a department's, each department's records."""
    found: dict[str, int] = {"departments": len(content.departments)}
    for kind in KINDS.values():
        records = content.records[kind.name]
        found[kind.name] = len(records)
        for part in kind.parts if records else ():  # a kind with no records has no parts to lose
            found[part.key] = sum(part.count(record) for record, _ in records)
        if kind.file_must_be == "department":
            per_department = Counter(source.file.stem for _, source in records)
            found.update({f"{kind.name}/{dept}": n for dept, n in sorted(per_department.items())})
    return found


def _described(name: str) -> tuple[str, str]:
    """(label, file or folder under content/) of a manifest list name without its department."""
    if name == "departments":
        return "部门", "departments.yaml"
    if name in KINDS:
        return KINDS[name].label, name
    owner = next(((kind, part) for kind in KINDS.values() for part in kind.parts if part.key == name), None)
    return (owner[1].label, owner[0].name) if owner else (name, "departments.yaml")


def manifest_bytes(content: Content) -> bytes:
    data: dict[str, Any] = {"version": 1, "counts": counts(content)}
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def previous_counts(out_dir: Path) -> dict[str, int] | None:
    """The counts of the output a build would replace (None: nothing comparable there)."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("region") is not None or not isinstance(data.get("counts"), dict):
        return None  # a `region` names a shard of the former `build --region`: not this site
    return {k: v for k, v in data["counts"].items() if isinstance(k, str) and isinstance(v, int)}


def drop_problems(content: Content, out_dir: Path, max_drop: float = DEFAULT_MAX_DROP) -> list[Problem]:
    """A located problem for every list that would lose more than `max_drop` of its records."""
    return count_drops(counts(content), out_dir, content.root, max_drop)


def count_drops(now: dict[str, int], out_dir: Path, root: Path, max_drop: float = DEFAULT_MAX_DROP) -> list[Problem]:
    """drop_problems for counts `now` of the content at `root` (merge reads them from slice 1)."""
    before = previous_counts(out_dir)
    if not before:
        return []
    problems = []
    for name, old in sorted(before.items()):
        new = now.get(name, 0)
        if old <= 0 or (old - new) / old <= max_drop:
            continue
        kind, _, dept = name.partition("/")
        label, folder = _described(kind)
        where = root / (f"{kind}/{dept}.yaml" if dept else folder)
        what = f"部门 {dept} 的{label}" if dept else label
        problems.append(Problem(
            display_path(where), 1, 1,
            f"{what}将从 {old:,} 条减少到 {new:,} 条（减少 {(old - new) / old:.0%}，超过上次发布的 {max_drop:.0%}）："
            f"如确属有意（例如整批删除），请加 --allow-drop 重新生成；否则请检查文件是否被截断或误删"))
    return problems


def check_drop(content: Content, out_dir: Path, allow: bool = False, max_drop: float = DEFAULT_MAX_DROP) -> None:
    if not allow:
        problems = drop_problems(content, out_dir, max_drop)
        if problems:
            raise ContentError(problems)
