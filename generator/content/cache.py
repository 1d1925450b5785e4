"""A cache of parsed content files, keyed by their bytes.

Parsing is the slowest part of validating a city's content; most commits touch a few
files. An entry is found by a hash of everything a parse depends on: the loader's own
source, the file's full display path (problems carry it) and its bytes, so an edited
file, a moved working directory or a changed loader simply miss. What an entry stores
never overrides the tree being built: the caller's path and display path are put back
on every value it returns. Entries are never invalidated, only missed; delete the
folder to reclaim space.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Callable, TypeVar

import generator.content.load

# What a cached parse depends on besides the file: the loader and what it calls.
_LOADER_VERSION = hashlib.blake2b(b"".join(
    (Path(generator.content.load.__file__).parent / name).read_bytes() for name in ("load.py", "refusals.py", "personal_data.py")
), digest_size=8).hexdigest()


T = TypeVar("T")


def cache_key(raw: bytes, rel: str) -> str:
    """The name of a parse: loader version, the whole display path and the whole content."""
    digest = hashlib.blake2b(digest_size=20)
    for part in (_LOADER_VERSION.encode(), rel.encode("utf-8", "surrogatepass"), raw):
        digest.update(len(part).to_bytes(8, "big"))  # length-prefixed: no two keys run together
        digest.update(part)
    return digest.hexdigest()


class ParseCache:
    def __init__(self, folder: Path | None, memory: bool = False):
        self.folder = folder
        self.memory: dict[str, Any] | None = {} if memory else None  # a long-running preview's
        self.hits = self.misses = 0

    @property
    def used(self) -> bool:
        """Whether parses are kept at all (in a folder or in memory)."""
        return self.folder is not None or self.memory is not None

    def get(self, raw: bytes, rel: str, parse: Callable[[], T], place: Callable[[T], T] = lambda value: value) -> T:
        """The parse of `raw` at display path `rel`; `place` puts the current tree's own
        paths back on a value that came from the cache (it never names another tree's file)."""
        if not self.used:
            return parse()
        return place(self._get(cache_key(raw, rel), parse))

    def _get(self, key: str, parse: Callable[[], Any]) -> Any:
        if self.memory is not None:
            if key not in self.memory:
                self.memory[key] = parse()
                self.misses += 1
            else:
                self.hits += 1
            return self.memory[key]
        assert self.folder is not None  # get() parses without a cache when there is neither
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
