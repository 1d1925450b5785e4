"""One build as N slices: `build --slice I/N -o DIR` in each of N parallel CI jobs, then `merge`.

Every slice loads, validates and assembles the whole tree (ids and references are checked
across the site; the shared parse cache makes this cheap), then takes a deterministic
share of the per-record work: the I-th of N consecutive runs, in the site's own order, of
each kind's record pages and department pages, of the search documents and of each
kind's open-data rows. Slice 1 also makes everything that is not per record (section
pages, theme assets, feeds, facets, departments.json, the manifest). A whole build is
slice 1/1: it makes the same pieces and joins them the same way (merge.py), which is why a
merge of N slices is byte for byte the site that one `build` makes.

A slice folder holds:
  slice.json          which slice of what: I, N, --today, fingerprint of content and
                      generator, base_url, the pages it rendered
  site/               files that go into the site as they are
  parts/search.json   its part of the search index (search.index_part)
  parts/data/…        its rows of the open data (data/<kind>.csv and .json)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from generator.content.tree import content_files, display_path
from generator.errors import ContentError, Problem
from generator.kinds import KINDS
from generator.output.render import TEMPLATES
from generator.publish.write import Destination

VERSION = 1
STAMP = "slice.json"
_GENERATOR = Path(__file__).resolve().parents[1]
T = TypeVar("T")


@dataclass(frozen=True)
class Slice:
    """Slice `number` (1-based, as in `--slice 2/4`) of `count`."""

    number: int = 1
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> "Slice":
        number, _, count = text.partition("/")
        if not (number.isdigit() and count.isdigit() and 1 <= int(number) <= int(count)):
            raise ValueError(f"分片应写作 I/N，例如 2/4（1 ≤ I ≤ N）：{text}")
        return cls(int(number), int(count))

    @property
    def whole(self) -> bool:
        return self.count == 1

    @property
    def first(self) -> bool:
        return self.number == 1

    def bounds(self, n: int) -> tuple[int, int]:
        """[start, stop) of this slice's consecutive share of n items."""
        return n * (self.number - 1) // self.count, n * self.number // self.count

    def share(self, items: list[T]) -> list[T]:
        start, stop = self.bounds(len(items))
        return items[start:stop]

    def view(self, site: Any) -> Any:
        """The site with only this slice's share of each kind's records (for per-record files)."""
        return site if self.whole else dataclasses.replace(site, records={k: self.share(v) for k, v in site.records.items()})

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"


WHOLE = Slice()


def joined_files() -> set[str]:
    """Site files made of per-record rows, which each slice writes for its share (export.open_data)."""
    return {f"data/{kind.name}.{ext}" for kind in KINDS.values() if kind.data_rows is not None for ext in ("csv", "json")}


@dataclass
class Pieces:
    """What one slice contributes beyond the files it writes as they are."""

    pages: list[str] = field(default_factory=list)  # site-relative folders of the pages it rendered
    search: dict = field(default_factory=dict)  # search.index_part
    data: dict[str, bytes] = field(default_factory=dict)  # its rows of every joined file
    lastmod: dict[str, str] = field(default_factory=dict)  # page -> ISO date of its last change (sitemap.py)


class Part:
    """Where a build's files go: straight into the site (a whole build), or into a slice folder."""

    def __init__(self, slice_: Slice, output: Destination):
        self.slice = slice_
        self.output = output
        self.prefix = "" if slice_.whole else "site/"
        self.pieces = Pieces()
        self._joined = joined_files()

    @property
    def site_dir(self) -> Path:
        return self.output.root / self.prefix

    def write_page(self, rel: str, data: bytes | str) -> None:
        """A page of this slice's share."""
        self.output.write(self.prefix + rel, data)

    def write(self, rel: str, data: bytes) -> None:
        """Any other file: rows of a joined file are kept; the rest only slice 1 writes."""
        if rel in self._joined:
            self.pieces.data[rel] = data
        elif self.slice.first:
            self.output.write(self.prefix + rel, data)

    def save(self, content_dir: Path, today: date, base_url: str | None) -> None:
        """Write the slice's stamp and pieces (not for a whole build, which joins them at once)."""
        stamp = {"version": VERSION, "slice": self.slice.number, "of": self.slice.count, "today": today.isoformat(),
                 "content": fingerprint(content_dir), "content_dir": display_path(content_dir),
                 "base_url": base_url, "pages": sorted(self.pieces.pages),
                 "lastmod": dict(sorted(self.pieces.lastmod.items()))}
        self.output.write("parts/search.json", _json(self.pieces.search))
        for rel, data in self.pieces.data.items():
            self.output.write(f"parts/{rel}", data)
        self.output.write(STAMP, _json(stamp))


@dataclass
class SliceDir:
    """A slice folder given to merge, read back."""

    path: Path
    stamp: dict

    @property
    def shown(self) -> str:
        return display_path(self.path)

    def pieces(self) -> Pieces:
        search = json.loads((self.path / "parts/search.json").read_bytes())
        data = {rel: (self.path / "parts" / rel).read_bytes() for rel in sorted(joined_files())
                if (self.path / "parts" / rel).is_file()}
        return Pieces(self.stamp["pages"], search, data, self.stamp.get("lastmod", {}))


def read_slices(paths: list[Path]) -> list[SliceDir]:
    """The slices in order; refuses (ContentError) folders that are not slices, or slices that
    do not make one site together: other content, generator, date or N, one missing or repeated."""
    found: list[SliceDir] = []
    problems: list[Problem] = []

    def refuse(where: SliceDir | Path, message: str) -> None:
        path = where.path if isinstance(where, SliceDir) else where
        problems.append(Problem(display_path(path / STAMP), 1, 1, message))

    for path in paths:
        try:
            stamp = json.loads((path / STAMP).read_text("utf-8"))
            ok = isinstance(stamp, dict) and stamp.get("version") == VERSION
        except (OSError, ValueError):
            ok = False
        if not ok:
            refuse(path, f"这不是分片的输出：请先运行 build --slice I/N -o {display_path(path)}")
            continue
        found.append(SliceDir(path, stamp))
    if problems or not found:
        raise ContentError(problems)
    first = found[0]
    for other in found[1:]:
        a, b = first.stamp, other.stamp
        if b["today"] != a["today"]:
            refuse(other, f"分片的生成日期不同：本片按 {b['today']}，{first.shown} 按 {a['today']}；"
                          "请用同一个 --today 重新生成全部分片")
        elif b["of"] != a["of"]:
            refuse(other, f"分片数不同：本片是 {b['of']} 片中的第 {b['slice']} 片，{first.shown} 是 {a['of']} 片中的第 "
                          f"{a['slice']} 片；请用同一个 --slice I/N 的 N 重新生成全部分片")
        elif b["content"] != a["content"] or b["base_url"] != a["base_url"]:
            refuse(other, f"分片来自不同的内容（内容或生成器与 {first.shown} 不同）：请在同一提交上重新生成全部分片")
    if problems:
        raise ContentError(problems)
    by_number: dict[int, SliceDir] = {}
    for s in found:
        if s.stamp["slice"] in by_number:
            refuse(by_number[s.stamp["slice"]], f"第 {s.stamp['slice']} 片给了两次（{by_number[s.stamp['slice']].shown} 与 "
                                               f"{s.shown}）：每个分片只给一次")
        by_number.setdefault(s.stamp["slice"], s)
    count = first.stamp["of"]
    missing = [n for n in range(1, count + 1) if n not in by_number]
    if missing and not problems:
        refuse(first, f"缺少第 {'、'.join(map(str, missing))} 片（共 {count} 片）：请把全部 {count} 个分片的输出都交给 merge")
    if problems:
        raise ContentError(problems)
    return [by_number[n] for n in range(1, count + 1)]


def fingerprint(content_dir: Path) -> str:
    """What makes two slices parts of one site: every content file (path and bytes), the git
    commit the change history is read from, and the generator's own code and templates."""
    h = hashlib.blake2b(digest_size=16)
    root = content_dir.resolve()
    for path in content_files(root):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            pass
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, check=False).stdout
    except OSError:
        head = b""
    h.update(b"\0git\0" + head)
    for path in sorted([*_GENERATOR.rglob("*.py"), *_GENERATOR.rglob("*.yaml"), *TEMPLATES.rglob("*")]):
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
