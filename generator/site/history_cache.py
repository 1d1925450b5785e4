"""The history cache: the replayed git history kept between builds, keyed by commit.

Replaying every commit costs time in proportion to the repository's age; a city's content
repository gains a commit a day and a scheduled rebuild besides. The state left by replaying
the commits up to HEAD (history.Replay) is kept as `<folder>/<version>/<commit>.pickle`, and
the next build replays only the commits after the nearest cached commit on its own
first-parent line. A cache written for another repository, or before a history rewrite (the
cached commit is not on the line), or by other code (`version`), or damaged, is not used:
the history is replayed from the first commit, as without a cache. What the cache holds is
taken from git alone, never from the site or the work tree, so the output is the same with
and without it.

The build keeps the folder under the parse cache's (`.cache/parsed/history/`), so CI keeps
both with one `actions/cache` step. Only the few newest states are kept.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import generator
from generator.site.gitdata import git

KEEP = 3  # newest states kept: a branch switch or two still finds its own

# What a replay depends on besides git: the history code, the old-version loader, the kinds'
# field titles and the personal-data mask. Any change to them misses.
_SOURCES = ("site/history.py", "site/history_cache.py", "site/gitdata.py", "content/load.py",
            "content/personal_data.py", *(f"kinds/{p.name}" for p in sorted((Path(generator.__file__).parent / "kinds").glob("*.py"))))
_VERSION = hashlib.blake2b(b"".join(
    (Path(generator.__file__).parent / name).read_bytes() for name in _SOURCES), digest_size=8).hexdigest()


@dataclass
class Replay:
    """Every commit replayed so far, from git's data only (history._replay): what is kept."""

    head: str = ""  # the commit replayed up to ("": none, or not known)
    commits: int = 0  # commits that touched content/
    last_blob: dict[str, str] = field(default_factory=dict)  # path -> its latest version
    compared: set[str] = field(default_factory=set)  # versions on either side of a modification
    changes: list = field(default_factory=list)  # history.Change
    known_since: dict[tuple[str, str], date] = field(default_factory=dict)


class HistoryCache:
    """The states kept for one content folder of one repository (its place in the repository
    is part of the key: the history's paths are relative to it)."""

    def __init__(self, folder: Path, content_dir: Path):
        prefix = git(content_dir, "rev-parse", "--show-prefix").strip()
        self.line = git(content_dir, "rev-list", "--first-parent", "HEAD").split()  # HEAD first
        self.head = self.line[0]
        self.folder = folder / f"{_VERSION}-{hashlib.blake2b(prefix.encode(), digest_size=6).hexdigest()}"

    def load(self) -> Replay:
        """The cached state nearest HEAD on its first-parent line, or an empty one (history.Replay)."""
        position = {sha: i for i, sha in enumerate(self.line)}
        try:
            cached = [(position[p.stem], p) for p in self.folder.glob("*.pickle") if p.stem in position]
        except OSError:
            cached = []
        for _, path in sorted(cached)[:1]:
            try:
                with open(path, "rb") as f:
                    state = pickle.load(f)
            except Exception:  # noqa: BLE001 — a damaged or foreign file is only a miss
                break
            if isinstance(state, Replay) and state.head == path.stem:
                return state
        return Replay()

    def save(self, state: Replay) -> None:
        """Keep `state` as HEAD's; drop all but the newest few and other versions' folders."""
        state.head = self.head
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / f"{self.head}.pickle")
            kept = sorted(self.folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
            for old in kept[KEEP:]:
                old.unlink(missing_ok=True)
            for other in self.folder.parent.iterdir():
                if other.is_dir() and not other.name.startswith(_VERSION):
                    for old in other.glob("*.pickle"):
                        old.unlink(missing_ok=True)
        except OSError:
            pass  # a cache that cannot be written is only slower
