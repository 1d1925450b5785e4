"""The preview's output: the Output interface (write/root/commit/abort, write.py), written in place.

The preview folder is private (served by `serve`, never published), so a rebuild writes into
it directly instead of staging a whole new site: only files whose bytes changed are written,
record pages the preview judged unchanged are kept (`keep`), and `commit` removes what the
previous build produced and this one no longer does. MkDocs writes its own files (assets, the
section pages) into `root` itself; those it overwrites each time.
"""

from __future__ import annotations

from pathlib import Path

from generator.publish.write import MARKER, MARKER_TEXT


class InPlace:
    def __init__(self, target: Path, before: set[str]):
        self.target = self.root = Path(target).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.before = before  # what the previous build produced
        self.paths: list[str] = []
        self.write(MARKER, MARKER_TEXT)  # a `build -o` into the preview folder may replace it

    def write(self, rel: str, data: bytes | str) -> None:
        data = data.encode("utf-8") if isinstance(data, str) else data
        path = self.root / rel
        self.paths.append(rel)
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return
        except OSError:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def keep(self, rel: str) -> None:
        """A file of the previous build that this one produces again as it is."""
        self.paths.append(rel)

    def commit(self, wait: bool = True) -> None:
        """Remove what the previous build produced and this one did not."""
        for rel in self.before - set(self.paths):
            path = self.root / rel
            path.unlink(missing_ok=True)
            if path.name == "index.html":
                try:
                    path.parent.rmdir()  # a record page's folder
                except OSError:
                    pass

    def abort(self) -> None:
        """Nothing to undo: what was written stays until the next build (the preview shows the
        last good build and the problems above it)."""
