"""Benchmark: build time against the repository's age, without and with the history cache.

    python benchmarks/history.py [--records 5000] [--commits 1 200 2000] [--work DIR] [--full]

Makes a git repository of synthetic content (synth.py): the first commit imports it all, and
each later commit, one a day, renames one power in each of two departments' files (written
with `git fast-import`, so 2,000 commits take seconds). For each age it checks that commit
out and times, each in a fresh process and with the parse cache warm:

    cold  a build at N commits with no history cache: every commit is replayed (and the
          cache is left holding commit N);
    warm  a build at N + 1 commits, the daily case: one commit new since the cached one.

It prints the wall time of load, validate, assemble and history (with `--full`, of the whole
build: the stages after the history do not depend on the repository's age) and the history
stage's own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

TODAY = date(2026, 11, 23)
START = 1577836800  # 2020-01-01 00:00 UTC; commit k is k days later
NAME = re.compile(r"^  name: [^\"'\n].*$", re.M)  # plain scalars: a suffix keeps them valid YAML


def git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="编辑", GIT_AUTHOR_EMAIL="editor@example.gov.cn", GIT_COMMITTER_NAME="编辑",
               GIT_COMMITTER_EMAIL="editor@example.gov.cn", GIT_AUTHOR_DATE=f"{START} +0800",
               GIT_COMMITTER_DATE=f"{START} +0800", GIT_CONFIG_NOSYSTEM="1")
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=repo,
                          env=env, input=stdin, capture_output=True, check=True)
    return done.stdout.decode()


def make_repository(repo: Path, records: int, commits: int) -> list[str]:
    """The repository's first-parent line, oldest first."""
    from synth import generate

    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    generate(repo / "content", records, force=True)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "首次导入")
    files = sorted((repo / "content" / "powers").glob("*.yaml"))
    texts = {p: p.read_text("utf-8") for p in files}
    stream = []
    for k in range(1, commits):
        stream.append(f"commit refs/heads/main\nmark :{k}\n"
                      f"committer 编辑 <editor@example.gov.cn> {START + k * 86400} +0800\n".encode())
        message = f"第{k}次更新".encode()
        stream.append(b"data %d\n%s\n" % (len(message), message))
        if k == 1:
            stream.append(b"from refs/heads/main^0\n")
        for path in (files[k % len(files)], files[(k * 7 + 3) % len(files)]):
            names = NAME.findall(texts[path])
            line = names[k % len(names)]
            texts[path] = texts[path].replace(line, re.sub(r"（第\d+次修订）$", "", line) + f"（第{k}次修订）", 1)
            data = texts[path].encode()
            rel = path.relative_to(repo).as_posix()
            stream.append(f"M 100644 inline {rel}\n".encode() + b"data %d\n" % len(data) + data + b"\n")
    if stream:
        git(repo, "fast-import", "--quiet", stdin=b"".join(stream))
    git(repo, "reset", "-q", "--hard", "main")
    return git(repo, "rev-list", "--first-parent", "--reverse", "main").split()


def child(content: Path, out: Path, cache: Path, full: bool) -> dict:
    """A whole build, or (`full` false) the stages up to and including the history."""
    from generator.pipeline import Timings, build, check, for_site, history_cache

    timings = Timings()
    start = time.perf_counter()
    if full:
        build(content, out, TODAY, timings=timings, log=lambda line: None, cache=cache)
    else:
        _, site = check(content, TODAY, timings, cache)
        with timings.stage("history"):
            for_site(site, history_cache(cache))
    return {"wall": time.perf_counter() - start, "history": dict((n, s) for n, s, _ in timings.stages)["history"]}


def measure(repo: Path, cache: Path, out: Path, full: bool) -> dict:
    cmd = [sys.executable, __file__, "--child", str(repo / "content"), str(out), str(cache), "full" if full else ""]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--commits", type=int, nargs="+", default=[1, 200, 2000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/yingshang-history-bench"))
    parser.add_argument("--full", action="store_true", help="time whole builds (default: up to the history stage)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*map(Path, args.child[:3]), full=args.child[3] == "full")))
        return 0

    print(f"# {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{date.today().isoformat()} · {args.records:,} records")
    repo, cache, out = args.work / "repo", args.work / "cache", args.work / "site"
    start = time.perf_counter()
    line = git(repo, "rev-list", "--first-parent", "--reverse", "main").split() if (repo / ".git").is_dir() else []
    if len(line) != max(args.commits) + 1 or f"records={args.records}," not in (repo / "content/site.yaml").read_text("utf-8"):
        line = make_repository(repo, args.records, max(args.commits) + 1)
        print(f"repository of {len(line):,} commits made in {time.perf_counter() - start:.1f} s")
    shutil.rmtree(cache, ignore_errors=True)
    git(repo, "checkout", "-q", "--detach", line[0])
    measure(repo, cache, out, args.full)  # fills the parse cache
    what = "build" if args.full else "to history"
    print(f"{'commits':>8} {'cold ' + what:>16} {'history':>8} {'+1 commit, warm':>16} {'history':>8}")
    for n in args.commits:
        shutil.rmtree(cache / "history", ignore_errors=True)
        git(repo, "checkout", "-q", "--detach", line[n - 1])
        cold = measure(repo, cache, out, args.full)  # and leaves the cache at n commits
        git(repo, "checkout", "-q", "--detach", line[n])
        warm = measure(repo, cache, out, args.full)
        print(f"{n:8,} {cold['wall']:14.2f} s {cold['history']:6.2f} s {warm['wall']:14.2f} s {warm['history']:6.2f} s",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
