"""Output: build into a staging directory beside the target, then swap it in at once.

A failed build removes only its staging directory, so the previous site stays byte for
byte as it was. On Linux the swap is one renameat2(RENAME_EXCHANGE) call; elsewhere two
renames in quick succession.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


class Output:
    """A site being written; `commit()` publishes it, `abort()` forgets it."""

    def __init__(self, target: Path):
        self.target = target.resolve()
        if self.target in (Path("/"), Path.home(), Path.cwd()):
            raise ValueError(f"refusing to replace {self.target}")
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.building-", dir=self.target.parent))
        self.paths: list[str] = []

    def write(self, rel: str, data: bytes | str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.paths.append(rel)

    def commit(self, wait: bool = True) -> None:
        """Swap the new site in. The previous one is removed afterwards; with `wait=False`
        by a detached `rm -rf`, since deleting 25,000 pages takes seconds nobody waits for."""
        os.chmod(self.root, 0o755)
        if not self.target.exists():
            os.rename(self.root, self.target)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.old-", dir=self.target.parent))
        if _exchange(self.root, self.target):
            os.rmdir(old)
            os.rename(self.root, old)
        else:
            os.rmdir(old)
            os.rename(self.target, old)
            os.rename(self.root, self.target)
        if wait or not shutil.which("rm"):
            shutil.rmtree(old)
        else:
            subprocess.Popen(["rm", "-rf", "--", str(old)], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def abort(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
