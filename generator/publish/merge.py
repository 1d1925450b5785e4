"""Join the pieces of N slices (slices.py) into one site: the files a single build makes.

`join` is also how a whole build (slice 1/1) writes its search index, open data and
sitemap, so a merge cannot drift from a build: both run this code on the same pieces.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Iterator

from generator.errors import ContentError
from generator.output.search import join_index
from generator.output.sitemap import robots_txt, sitemap_files
from generator.publish.manifest import MANIFEST, count_drops
from generator.publish.slices import Pieces, SliceDir
from generator.publish.write import Output

_BOM = "\ufeff".encode("utf-8")


def join(pieces: list[Pieces], base_url: str | None,
         search: dict[str, bytes] | None = None) -> Iterator[tuple[str, bytes]]:
    """The search index (unless `search` holds its files already joined), the open data files
    made of rows and the sitemap, from every slice's pieces."""
    for rel, data in (search if search is not None else join_index([p.search for p in pieces])).items():
        yield f"search/{rel}", data
    for rel in pieces[0].data:
        blobs = [p.data[rel] for p in pieces]
        yield rel, (_join_csv(blobs) if rel.endswith(".csv") else _join_json(blobs))
    lastmod = {page: day for p in pieces for page, day in p.lastmod.items()}
    yield from sitemap_files(base_url, [page for p in pieces for page in p.pages], lastmod).items()
    yield "robots.txt", robots_txt(base_url)


def _join_csv(blobs: list[bytes]) -> bytes:
    """CSV with BOM and header (export._csv): one header, then every slice's rows."""
    if len(blobs) == 1:
        return blobs[0]
    header, rows = b"", []
    for blob in blobs:
        head, _, body = blob.removeprefix(_BOM).partition(b"\r\n")
        if head and header and head != header:
            raise ValueError(f"slices disagree on CSV columns: {head!r} and {header!r}")
        header = header or head
        rows.append(body)
    return _BOM + header + b"\r\n" + b"".join(rows)


def _join_json(blobs: list[bytes]) -> bytes:
    """JSON lists written with indent=1 (export._json): "[\\n <item>,\\n <item>\\n]" or "[]"."""
    if len(blobs) == 1:
        return blobs[0]
    items = [blob[2:-2] for blob in blobs if blob != b"[]"]
    return b"[\n" + b",\n".join(items) + b"\n]" if items else b"[]"


def check_drop(slices: list[SliceDir], out_dir: Path, allow: bool) -> None:
    """The drop guard of a build (manifest.py), for the merged site against the one it replaces."""
    if allow:
        return
    now = json.loads((slices[0].path / "site" / MANIFEST).read_text("utf-8"))["counts"]
    problems = count_drops(now, out_dir, Path(slices[0].stamp["content_dir"]))
    if problems:
        raise ContentError(problems)


def link_site(s: SliceDir, output: Output) -> int:
    """Put the slice's finished files into the site being written: hard links when the slice
    is on the same file system (250,000 pages are not copied), copies otherwise. A slice folder
    is replaced whole by the next `build --slice`, never edited in place, so links are safe."""
    source = s.path / "site"
    count = 0
    for folder, dirs, files in os.walk(source):
        target = output.root / os.path.relpath(folder, source)
        target.mkdir(exist_ok=True)
        for name in files:
            try:
                os.link(os.path.join(folder, name), target / name)
            except OSError as exc:
                if isinstance(exc, FileExistsError):
                    raise ValueError(f"{target / name} is in two slices") from None
                shutil.copyfile(os.path.join(folder, name), target / name)
            count += 1
    return count
