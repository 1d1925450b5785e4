"""Who still names a record: checked before an import removes it, so validate stays clean."""

from __future__ import annotations

from pathlib import Path

from generator.content.tree import display_path, load_content
from generator.errors import Pending
from generator.kinds import KINDS


def referrers(content_root: Path, kind: str, ids: set[str]) -> dict[str, list[str]]:
    """For each of `ids` (records of `kind`) that another record names: `PATH:LINE:COLUMN` of
    every reference to it. References from records that are themselves in `ids` do not count."""
    if not ids:
        return {}
    content = load_content(content_root)
    found: dict[str, list[str]] = {}
    for other in KINDS.values():
        for record, source in content.records[other.name]:
            if other.name == kind and record.id in ids:
                continue
            for ref in other.references(record):
                if ref.kind == kind and ref.id in ids:
                    at = content.locator.resolve(Pending(source.file, source.path + ref.path, ""), display_path(source.file))
                    found.setdefault(ref.id, []).append(f"{at.file}:{at.line}:{at.column}")
    return found
