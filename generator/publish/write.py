"""Output: build into a staging directory beside the target, then swap it in at once.

What may be replaced (`check_target`): a build replaces its output directory as a whole, so
it refuses a directory that holds the content or this repository, lies inside the content,
is the working directory, or is not empty without being a previous build of the site. Every
build carries the marker file `.yingshang-build`; a folder whose only file is the
`data/manifest.json` fetched for the drop guard (or a build made before the marker, which
has one) counts as a previous build too.

One build at a time (`exclusive`): builds into the same output take an flock on
`.NAME.lock` beside it; a second build waits for the first (it then builds on what the first
published, drop guard included). The lock file stays: removing it would let a waiting build
lock a file nobody else sees.

Nothing half-made is published, whenever the build stops (an error, a full disk, SIGKILL):

- the new site is written into `.NAME.building-XXXXXXXX`, marked first thing, beside the
  output (same file system, so a rename can publish it);
- on Linux the swap is one renameat2(RENAME_EXCHANGE) call: the output path holds the old
  site or the new one, never neither, and stays a plain directory that rsync,
  upload-pages-artifact and nginx read as before (a symlink flip would make it a link, which
  `cp -r`, `rsync -a site …` and the manifest fetch into `site/data/` treat differently).
  Elsewhere it is two renames (output → `.NAME.old-XXXXXXXX`, staging → output);
- the next build, holding the lock, removes the staging and backup folders of builds that
  did not finish — only marked or empty ones — and first puts a backup back if a kill
  between the two renames of the portable swap left no output at all.

Nothing outside the output directory is removed except those folders of our own.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Protocol

from generator.content.tree import display_path

try:
    import fcntl
except ImportError:  # Windows: no lock (nor renameat2); the staging swap still applies
    fcntl = None  # type: ignore[assignment]

MARKER = ".yingshang-build"
MARKER_TEXT = "本目录由 python -m generator build 生成，每次生成时整个替换；请勿在此存放其他文件。\n"
_RENAME_EXCHANGE = 2
_ELSEWHERE = "请用 -o 指定内容目录以外的单独目录，例如 -o site"
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


class OutputRefused(Exception):
    """The output directory given cannot be replaced: a usage error (exit status 2)."""

    def __init__(self, path: Path, message: str):
        super().__init__(message)
        self.path = path
        self.message = message

    def format(self) -> str:
        return f"{display_path(self.path)}: error: {self.message}"


def disk_full(target: Path) -> str:
    """The message for a build that ran out of disk space (the output was left as it was)."""
    shown = display_path(Path(target))
    return (f"{shown}: error: 磁盘空间不足，网站没有生成完：{shown} 保持原样，没有改动。"
            f"请清理 {display_path(Path(target).parent)} 所在磁盘的空间（或用 -o 换到空间足够的位置）后重新生成")


def _holds(outer: Path, inner: Path) -> bool:
    return outer == inner or outer in inner.parents


def check_target(target: Path, content_dir: Path, repo: Path) -> None:
    """Raise OutputRefused unless a build may replace `target` as a whole."""
    out, content, repo = (Path(p).resolve() for p in (target, content_dir, repo))
    shown = display_path(Path(content_dir))
    if _holds(out, content):
        raise OutputRefused(target, f"输出目录包含内容目录 {shown}：生成网站时输出目录会被整个替换，内容会被删除。{_ELSEWHERE}")
    if content in out.parents:
        raise OutputRefused(target, f"输出目录在内容目录 {shown} 里面：生成的文件会被当作内容读取。{_ELSEWHERE}")
    if _holds(out, repo):
        raise OutputRefused(target, f"输出目录包含本项目的仓库 {display_path(repo)}：生成网站时输出目录会被整个替换，"
                                    "仓库会被删除。请用 -o 指定一个单独的目录，例如 -o site")
    if _holds(out, Path.cwd().resolve()):
        raise OutputRefused(target, "输出目录是当前工作目录或它的上级目录：生成网站时输出目录会被整个替换。"
                                    "请用 -o 指定一个单独的子目录，例如 -o site")
    if out.exists() and not out.is_dir():
        raise OutputRefused(target, "这不是目录，而是一个文件。请用 -o 指定一个目录，例如 -o site")
    if out.is_dir() and not replaceable(out):
        raise OutputRefused(target, f"目录不是空的，也不是本工具以前生成的网站（没有 {MARKER} 标记文件）：生成网站时输出目录"
                                    "会被整个替换，其中的文件会被删除。请用 -o 指定一个新目录或空目录；如确要替换这个目录，请先手动删除或改名")


def is_build(folder: Path) -> bool:
    """A site this tool built: it carries the marker, or (built before the marker) a manifest."""
    if (folder / MARKER).is_file():
        return True
    try:
        data = json.loads((folder / "data/manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("version") == 1 and isinstance(data.get("counts"), dict)


def replaceable(folder: Path) -> bool:
    """A previous build, or a folder with no file but the drop guard's data/manifest.json."""
    if is_build(folder):
        return True
    for path in folder.rglob("*"):
        if not path.is_dir() or path.is_symlink():
            if path.relative_to(folder).as_posix() != "data/manifest.json":
                return False
    return True


@contextmanager
def exclusive(target: Path, log: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock of `target` (waiting for another build that holds it) for the block.

    Processes forked meanwhile (render workers) share the lock: a build killed while its
    workers still run is not overtaken before they have stopped writing."""
    if fcntl is None:
        yield
        return
    out = Path(target).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out.parent / f".{out.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            who = f"（进程号 {holder}）" if holder.isdigit() else ""
            log(f"另一个生成进程{who}正在写入 {display_path(target)}，等它结束后继续……")
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:  # for the message above, in the next build; only a hint (a full disk may refuse it)
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        except OSError:
            pass
        yield
    finally:
        os.close(fd)  # releases the lock (for this process; forked workers release theirs on exit)


def _leftovers(target: Path, kind: str) -> list[Path]:
    pattern = re.compile(rf"\.{re.escape(target.name)}\.{kind}-[a-z0-9_]{{8}}")
    try:
        names = os.listdir(target.parent)
    except FileNotFoundError:
        return []
    found = [target.parent / n for n in names if pattern.fullmatch(n)]
    return [p for p in found if p.is_dir() and not p.is_symlink() and (is_build(p) or not any(p.iterdir()))]


def tidy(target: Path) -> None:
    """Clear what builds that did not finish left beside `target` (call with the lock held)."""
    target = Path(target).resolve()
    backups = sorted(_leftovers(target, "old"), key=lambda p: p.stat().st_mtime_ns)
    if not os.path.lexists(target) and backups and is_build(backups[-1]):
        os.rename(backups.pop(), target)  # a portable swap was cut between its two renames
    for folder in backups + _leftovers(target, "building"):
        try:
            remove(folder)
        except OSError:
            pass  # left for a later build: never published, never read


def remove(folder: Path) -> None:
    """Remove a folder of ours, its marker last: a removal cut short leaves a folder that the
    next build still recognises (and removes), never an unmarked remnant."""
    marker = folder / MARKER
    try:
        if not marker.is_file() and any(folder.iterdir()):
            marker.write_text(MARKER_TEXT, "utf-8")  # a build made before the marker
        for child in folder.iterdir():
            if child.name == MARKER:
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        marker.unlink(missing_ok=True)
        folder.rmdir()
    except FileNotFoundError:
        pass  # removed meanwhile (a detached rm of an earlier build)


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


class Destination(Protocol):
    """Where a build writes: an Output, or the preview's InPlace (publish/inplace.py)."""

    root: Path
    paths: list[str]

    def write(self, rel: str, data: bytes | str) -> None: ...

    def commit(self, wait: bool = True) -> None: ...

    def abort(self) -> None: ...


class Output:
    """A site being written; `commit()` publishes it, `abort()` forgets it."""

    def __init__(self, target: Path):
        self.target = Path(target).resolve()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.building-", dir=self.target.parent))
        self.paths: list[str] = []
        try:
            self.write(MARKER, MARKER_TEXT)  # first: a leftover of a killed build is recognisably ours
        except OSError:
            remove(self.root)
            raise

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
            os.rename(self.root, old)  # onto the empty folder: atomic, nothing unnamed in between
        else:
            os.rename(self.target, old)
            os.rename(self.root, self.target)
        if wait or not shutil.which("rm"):
            remove(old)
        else:
            subprocess.Popen(["rm", "-rf", "--", str(old)], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def abort(self) -> None:
        remove(self.root)
