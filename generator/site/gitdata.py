"""Reading a content repository with git: the few commands the history and editions need.

Every call goes through `git()` or one long-lived `git cat-file --batch` (`Blobs`), with the
user's and system's git configuration kept out of the way (no pager, no signatures, no
fsmonitor hook, paths unquoted), so the same commit gives the same output on any machine.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import Any

from generator.content.load import decode, load_text

OLD_VERSION = "（历史版本）"  # the display path of a version read from git: its problems are never shown


class GitError(Exception):
    """git is missing, or refused (not a repository, unknown revision): the message says which."""


def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(LC_ALL="C", GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0")
    return env


GIT_OPTIONS = ["-c", "core.quotepath=off", "-c", "core.fsmonitor=false", "-c", "log.showSignature=false"]


def git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *GIT_OPTIONS, *args], cwd=cwd, env=_git_env(), capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("构建环境没有安装 git，无法显示修改历史。") from None
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip())
    return done.stdout.decode("utf-8", "replace")


class Blobs:
    """One `git cat-file --batch` process: blob contents parsed once each, on demand."""

    def __init__(self, cwd: Path):
        self.proc = subprocess.Popen(["git", *GIT_OPTIONS, "cat-file", "--batch"], cwd=cwd, env=_git_env(),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self.proc.stdin is not None and self.proc.stdout is not None  # both are pipes
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        self.parsed: dict[str, Any] = {}

    def data(self, sha: str) -> Any:
        if sha not in self.parsed:
            self.stdin.write(sha.encode() + b"\n")
            self.stdin.flush()
            header = self.stdout.readline().split()
            if len(header) < 3 or header[1] != b"blob":
                self.parsed[sha] = None
            else:
                raw = self.stdout.read(int(header[2]) + 1)[:-1]
                self.parsed[sha] = parse_yaml(raw)
        return self.parsed[sha]

    def close(self) -> None:
        self.stdin.close()
        self.proc.wait()


def parse_yaml(raw: bytes) -> Any:
    """An old file version as plain data, read by the build's own loader (load.py: YAML 1.2
    scalars, so `NO` stays text and quoting never changes a value); None if it does not load
    or uses aliases (which could make comparing versions explode: a shared mapping is
    reached by exponentially many paths). Values the build would refuse read as None."""
    text, _ = decode(raw, OLD_VERSION)
    if text is None:
        return None
    data, _ = load_text(text, OLD_VERSION)
    return data


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
