"""A cache of parsed content files, keyed by their bytes.

Parsing is the slowest part of validating a city's content; most commits touch a few
files. An entry is found by a hash of the file's bytes, its path, its display path and the
loader's own source, so an edited file, a moved working directory or a changed loader simply
miss, and an entry never names another tree's file.
Entries are never invalidated, only missed; delete the folder to reclaim space.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Callable

import generator.content.load

# What a cached parse depends on besides the file: the loader and what it calls.
_LOADER_VERSION = hashlib.blake2b(b"".join(
    (Path(generator.content.load.__file__).parent / name).read_bytes() for name in ("load.py", "refusals.py", "personal_data.py")
), digest_size=8).hexdigest()


class ParseCache:
    def __init__(self, folder: Path | None, memory: bool = False):
        self.folder = folder
        self.memory: dict[str, Any] | None = {} if memory else None  # a long-running preview's
        self.hits = self.misses = 0

    def get(self, raw: bytes, path: Path, rel: str, parse: Callable[[], Any]) -> Any:
        """`parse()`'s result for the file at `path` (shown as `rel`) holding `raw`."""
        if self.folder is None and self.memory is None:
            return parse()
        key = hashlib.blake2b(b"\0".join((_LOADER_VERSION.encode(), os.fsencode(path), rel.encode(), raw)),
                              digest_size=20).hexdigest()
        if self.memory is not None:
            if key not in self.memory:
                self.memory[key] = parse()
                self.misses += 1
            else:
                self.hits += 1
            return self.memory[key]
        path = self.folder / key[:2] / f"{key}.pickle"
        try:
            with open(path, "rb") as f:
                value = pickle.load(f)
            self.hits += 1
            return value
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass
        value = parse()
        self.misses += 1
        self._store(path, value)
        return value

    @staticmethod
    def _store(path: Path, value: Any) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written is only slower
