"""Issue 10, nothing lost and nothing wrong published: where `build` may write, and what a
killed build, a full disk or two builds at once leave behind. Real `python -m generator`
processes on real content; the published tree is compared byte for byte."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from conftest import EDITING, EXAMPLE, TODAY
from generator.publish import write
from generator.pipeline import build

REPO = Path(__file__).resolve().parent.parent
EARLIER = "2026-06-30"  # the last day of 2026-01-black-01: the two dates give different sites
LATER = "2026-11-23"


def digest(root: Path) -> dict[str, str] | None:
    if not root.is_dir():
        return None
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def env(repo: Path = REPO) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(repo)}


def run(cwd: Path, *args: str, repo: Path = REPO, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(command(*args), cwd=cwd, env=env(repo), capture_output=True, text=True, timeout=timeout)


def start(cwd: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(command(*args), cwd=cwd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def build_args(out: str, today: str) -> tuple[str, ...]:
    return ("build", "--content", str(EXAMPLE), "-o", out, "--today", today)


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> dict[str, dict]:
    """The example built on each date, by one uninterrupted build."""
    root = tmp_path_factory.mktemp("references")
    found = {}
    for today in (EARLIER, LATER):
        build(EXAMPLE, root / today, date.fromisoformat(today), log=lambda line: None)
        found[today] = digest(root / today)
    assert found[EARLIER] != found[LATER]
    return found


# --- 1. where a build may write --------------------------------------------------------

@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project (the package with its templates, example content) in a scratch folder,
    so that a build pointed at "the repository" can only ever reach the copy."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "generator", repo / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(EDITING, repo / "content")
    (repo / "README.md").write_text("项目说明\n", "utf-8")
    return repo


def refused(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


ELSEWHERE = "请用 -o 指定内容目录以外的单独目录，例如 -o site"


def test_build_refuses_an_output_that_holds_or_sits_in_the_content(project):
    before = digest(project)
    assert refused(run(project, "build", "-o", "content", "--today", LATER, repo=project)) == (
        f"content: error: 输出目录包含内容目录 content：生成网站时输出目录会被整个替换，内容会被删除。{ELSEWHERE}\n")
    assert refused(run(project / "content", "build", "--content", ".", "-o", "..", "--today", LATER, repo=project)) == (
        f"..: error: 输出目录包含内容目录 .：生成网站时输出目录会被整个替换，内容会被删除。{ELSEWHERE}\n")
    assert refused(run(project, "build", "-o", "content/powers/site", "--today", LATER, repo=project)) == (
        f"content/powers/site: error: 输出目录在内容目录 content 里面：生成的文件会被当作内容读取。{ELSEWHERE}\n")
    assert digest(project) == before


def test_build_refuses_the_repository_and_the_working_directory(project, tmp_path):
    content = Path(shutil.move(project / "content", tmp_path / "content"))
    before = digest(project), digest(content)
    assert refused(run(project, "build", "--content", str(content), "-o", ".", "--today", LATER, repo=project)) == (
        ".: error: 输出目录包含本项目的仓库 .：生成网站时输出目录会被整个替换，仓库会被删除。请用 -o 指定一个单独的目录，例如 -o site\n")
    assert refused(run(tmp_path, "build", "--content", "content", "-o", ".", "--today", LATER, repo=project)) == (
        f".: error: 输出目录包含内容目录 content：生成网站时输出目录会被整个替换，内容会被删除。{ELSEWHERE}\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert refused(run(empty, "build", "--content", str(content), "-o", ".", "--today", LATER, repo=project)) == (
        ".: error: 输出目录是当前工作目录或它的上级目录：生成网站时输出目录会被整个替换。请用 -o 指定一个单独的子目录，例如 -o site\n")
    assert (digest(project), digest(content)) == before


def test_build_refuses_a_file_or_a_folder_that_is_not_a_previous_build(project, tmp_path):
    (project / "notes.txt").write_text("备忘\n", "utf-8")
    (project / "docs").mkdir()
    (project / "docs/deploy.md").write_text("# 部署\n", "utf-8")
    before = digest(project)
    assert refused(run(project, "build", "-o", "notes.txt", "--today", LATER, repo=project)) == (
        "notes.txt: error: 这不是目录，而是一个文件。请用 -o 指定一个目录，例如 -o site\n")
    assert refused(run(project, "build", "-o", "docs", "--today", LATER, repo=project)) == (
        "docs: error: 目录不是空的，也不是本工具以前生成的网站（没有 .yingshang-build 标记文件）：生成网站时输出目录会被整个替换，"
        "其中的文件会被删除。请用 -o 指定一个新目录或空目录；如确要替换这个目录，请先手动删除或改名\n")
    assert digest(project) == before
    assert sorted(p.name for p in project.iterdir()) == ["README.md", "content", "docs", "generator",
                                                          "notes.txt"]  # no staging, backup or lock


def test_build_replaces_an_empty_folder_a_previous_build_or_the_published_manifest(project):
    (project / "empty").mkdir()
    assert run(project, "build", "-o", "empty", "--today", LATER, repo=project).returncode == 0
    assert (project / "empty/.yingshang-build").is_file()  # every build carries the marker
    assert (project / "empty/index.html").is_file()
    assert run(project, "build", "-o", "empty", "--today", LATER, repo=project).returncode == 0
    # CI fetches the published data/manifest.json into site/data/ before building (docs/deploy.md)
    (project / "site/data").mkdir(parents=True)
    (project / "site/data/manifest.json").write_text(
        '{"version": 1, "region": null, "counts": {"powers": 1000}}', "utf-8")
    result = run(project, "build", "-o", "site", "--today", LATER, repo=project)
    assert result.returncode == 1 and "权责事项将从 1,000 条减少到" in result.stdout  # the drop guard saw it
    assert run(project, "build", "-o", "site", "--today", LATER, "--allow-drop", repo=project).returncode == 0
    (project / "early").mkdir()
    (project / "early/data").mkdir()  # curl failed: an empty folder
    assert run(project, "build", "-o", "early", "--today", LATER, repo=project).returncode == 0


def test_serve_refuses_the_content_folder_as_its_output(tmp_path):
    content = Path(shutil.copytree(EDITING, tmp_path / "content"))
    before = digest(content)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run(tmp_path, "serve", "-o", "content", "--port", str(port), "--today", LATER, timeout=60)
    assert refused(result).endswith(
        f"content: error: 输出目录包含内容目录 content：生成网站时输出目录会被整个替换，内容会被删除。{ELSEWHERE}\n")
    assert digest(content) == before


# --- 2. faults -------------------------------------------------------------------------

def settled(parent: Path) -> list[str]:
    """The names in `parent` once the previous site, removed in the background by `build`, is gone."""
    deadline = time.monotonic() + 60
    while any(".site.old-" in name for name in os.listdir(parent)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return sorted(os.listdir(parent))


def staging(parent: Path) -> set[str]:
    return {name for name in os.listdir(parent) if ".site.building-" in name}


def records_started(folder: Path) -> bool:
    return (folder / "powers").is_dir() and len(os.listdir(folder / "powers")) > 60


# (what the build is doing, a test on the new staging folder S / the parent P that says it has got there)
KILL_POINTS = [
    ("interpreter starting", 0.05),
    ("loading content", 0.45),
    ("staging created", lambda s, p: s is not None),
    ("MkDocs wrote the theme", lambda s, p: s is not None and (s / "index.html").exists()),
    ("record pages being written", lambda s, p: s is not None and records_started(s)),
    ("search index", lambda s, p: s is not None and (s / "search").exists()),
    ("open data", lambda s, p: s is not None and (s / "data/powers.csv").exists()),
    ("scan (manifest written)", lambda s, p: s is not None and (s / "data/manifest.json").exists()),
    ("swap", lambda s, p: any(".site.old-" in n for n in os.listdir(p)) or (s is not None and not s.exists())),
    ("after 0.7 s", 0.7),
    ("after 0.9 s", 0.9),
    ("after 1.1 s", 1.1),
    ("after 1.3 s", 1.3),
]
BEFORE_SWAP = {"staging created", "MkDocs wrote the theme", "record pages being written"}


def kill_when(process: subprocess.Popen, parent: Path, earlier: set[str], when) -> bool:
    """SIGKILL the build once `when` holds (or after `when` seconds); True if it was still running."""
    if isinstance(when, float):
        time.sleep(when)
    else:
        folder = None
        while process.poll() is None:
            new = staging(parent) - earlier
            if folder is None and new:
                folder = parent / new.pop()
            if when(folder, parent):
                break
            time.sleep(0.001)
    running = process.poll() is None
    process.kill()
    process.communicate()
    return running


def test_a_build_killed_at_any_moment_leaves_a_whole_site_and_the_next_build_succeeds(tmp_path, references):
    parent = tmp_path / "public"
    parent.mkdir()
    assert run(tmp_path, *build_args("public/site", EARLIER)).returncode == 0
    current = EARLIER
    killed = []
    for name, when in KILL_POINTS:
        target = LATER if current == EARLIER else EARLIER
        process = start(tmp_path, *build_args("public/site", target))
        running = kill_when(process, parent, staging(parent), when)
        now = digest(parent / "site")
        assert now in (references[current], references[target]), f"killed at {name}: neither site"
        if name in BEFORE_SWAP:
            assert running, f"the build ended before {name}"
            assert now == references[current], f"killed at {name}: the previous site changed"
        if running:
            killed.append(name)
        current = target if now == references[target] else current
    assert len(killed) >= len(KILL_POINTS) - 3, killed  # nearly every moment was a real kill
    result = run(tmp_path, *build_args("public/site", LATER))
    assert result.returncode == 0, result.stderr
    assert digest(parent / "site") == references[LATER]
    assert settled(parent) == [".site.lock", "site"]  # leftovers of the killed builds are gone


def test_a_build_interrupted_between_the_two_renames_of_the_portable_swap_is_repaired(tree, tmp_path, monkeypatch):
    """Where renameat2 is missing (not Linux, or a file system without RENAME_EXCHANGE) the swap
    is two renames; a build killed between them leaves the old site as a backup, put back first."""
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    content = tree()
    out = tmp_path / "public/site"
    build(content, out, TODAY, log=lambda line: None, workers=1)
    build(content, out, TODAY, log=lambda line: None, workers=1)  # the portable swap works
    before = digest(out)
    assert sorted(os.listdir(out.parent)) == [".site.lock", "site"]
    os.rename(out, out.parent / ".site.old-k1ll3d00")  # the state such a kill leaves
    (content / "site.yaml").write_text("name: [\n", "utf-8")
    result = run(tmp_path, "build", "--content", "content", "-o", "public/site", "--today", LATER)
    assert result.returncode == 1 and "未生成网站：public/site 保持不变" in result.stderr
    assert digest(out) == before
    assert sorted(os.listdir(out.parent)) == [".site.lock", "site"]


def test_a_full_disk_gives_a_clear_error_and_keeps_the_site(tmp_path, references):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(disk)], capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        assert run(tmp_path, *build_args("disk/site", EARLIER)).returncode == 0
        stat = os.statvfs(disk)
        with open(disk / "filler", "wb") as filler:  # leave 1 MB: a tenth of the site
            filler.write(b"\0" * (stat.f_bavail * stat.f_frsize - 1024 * 1024))
        result = run(tmp_path, *build_args("disk/site", LATER))
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert result.stderr.endswith(
            "disk/site: error: 磁盘空间不足，网站没有生成完：disk/site 保持原样，没有改动。"
            "请清理 disk 所在磁盘的空间（或用 -o 换到空间足够的位置）后重新生成\n")
        assert digest(disk / "site") == references[EARLIER]
        assert sorted(os.listdir(disk)) == [".site.lock", "filler", "site"]  # the half-written copy is gone
        (disk / "filler").unlink()
        assert run(tmp_path, *build_args("disk/site", LATER)).returncode == 0
        assert digest(disk / "site") == references[LATER]
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def test_two_builds_started_at_once_take_turns(tmp_path, references):
    parent = tmp_path / "public"
    parent.mkdir()
    gate = os.open(parent / ".site.lock", os.O_RDWR | os.O_CREAT, 0o644)
    os.write(gate, str(os.getpid()).encode())
    fcntl.flock(gate, fcntl.LOCK_EX)  # as if a build were running: held until both builds wait at the gate
    waiting = f"另一个生成进程（进程号 {os.getpid()}）正在写入 public/site，等它结束后继续……"
    logs = {today: tmp_path / f"{today}.log" for today in (EARLIER, LATER)}
    builds = {}
    for today, log in logs.items():
        with open(log, "w") as stderr:
            builds[today] = subprocess.Popen(command(*build_args("public/site", today)), cwd=tmp_path, env=env(),
                                             stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        while (any(p.poll() is None for p in builds.values())
               and not all(waiting in log.read_text("utf-8") for log in logs.values())):
            time.sleep(0.01)
    finally:
        fcntl.flock(gate, fcntl.LOCK_UN)
        os.close(gate)
    most = 0
    while any(p.poll() is None for p in builds.values()):
        most = max(most, len(staging(parent)))
        time.sleep(0.001)
    for today, log in logs.items():
        assert builds[today].returncode == 0, log.read_text("utf-8")
        assert waiting in log.read_text("utf-8")
    assert most == 1  # one build at a time: never two half-built sites side by side
    last = int((parent / ".site.lock").read_text())  # the process that held the lock last
    published = next(today for today, p in builds.items() if p.pid == last)
    assert digest(parent / "site") == references[published]
    assert settled(parent) == [".site.lock", "site"]
