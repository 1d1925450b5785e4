"""The history cache: a build replays only commits new since the cached one, and its output is
byte for byte the output of a build without the cache — after new commits, after a history
rewrite, with a damaged cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINIMAL
from generator.cli import main
from generator.site import gitdata
from test_history import POWERS_V2, Repo, _digest, built, run_git, soup

DEPARTMENTS_V2 = MINIMAL["departments.yaml"].replace("12345678", "87654321")


@pytest.fixture
def repo(tmp_path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.commit(MINIMAL, "2025-01-05T10:00:00+08:00", "首次导入")
    repo.commit({"powers/shichang.yaml": POWERS_V2}, "2025-03-01T23:30:00+08:00", "下放")
    repo.commit({"policies/p-1.yaml": "id: p-1\ntitle: 测试政策\nissuers: [shichang]\nissued: 2025-01-01\n"
                 "status: 有效\nsummary: 摘要\n"}, "2025-03-05T09:00:00+08:00", "政策")
    return repo


def parsed_during(monkeypatch) -> list[bytes]:
    """Every old file version the history parses from now on."""
    parsed: list[bytes] = []
    real = gitdata.parse_yaml
    monkeypatch.setattr(gitdata, "parse_yaml", lambda raw: parsed.append(raw) or real(raw))
    return parsed


def same_with_and_without_cache(repo: Repo, tmp_path: Path, cache: Path, name: str) -> dict:
    """Builds without the cache and with it; returns the output's digest after checking both agree."""
    fresh = _digest(built(repo.content, tmp_path, f"{name}-fresh"))
    assert _digest(built(repo.content, tmp_path, f"{name}-cached", cache=cache)) == fresh
    return fresh


def test_cold_and_warm_cache_give_the_output_of_no_cache(repo, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    same_with_and_without_cache(repo, tmp_path, cache, "cold")
    assert list((cache / "history").rglob("*.pickle")), "the replayed history is kept"
    parsed = parsed_during(monkeypatch)
    assert _digest(built(repo.content, tmp_path, "warm", cache=cache)) == _digest(tmp_path / "cold-fresh")
    assert parsed == [], "a warm build with no new commit replays nothing"


def test_only_new_commits_are_replayed_and_output_is_unchanged(repo, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    built(repo.content, tmp_path, "first", cache=cache)
    repo.commit({"departments.yaml": DEPARTMENTS_V2}, "2025-04-01T09:00:00+08:00")
    parsed = parsed_during(monkeypatch)
    built(repo.content, tmp_path, "second", cache=cache)
    assert len(parsed) == 2 and all(raw.lstrip().startswith(b"- id: shichang\n") for raw in parsed), \
        "only the two versions of the departments file that the new commit changed are read, once each"
    parsed.clear()
    policy = (repo.content / "policies/p-1.yaml").read_text("utf-8")
    repo.commit({"policies/p-1.yaml": policy.replace("测试政策", "测试政策（修订）")}, "2025-04-15T09:00:00+08:00")
    built(repo.content, tmp_path, "second-b", cache=cache)
    assert len(parsed) == 2 and all(raw.startswith(b"id: p-1\n") for raw in parsed), \
        "versions compared by earlier builds (the first import's powers) are not read again"
    parsed.clear()
    # the power added by the first commit is renamed, its final version removed, a policy deleted
    repo.commit({"powers/shichang.yaml": POWERS_V2.replace("食品抽检", "食品安全抽检")}, "2025-05-01T09:00:00+08:00")
    repo.commit({"policies/p-1.yaml": None}, "2025-06-01T09:00:00+08:00")
    digest = same_with_and_without_cache(repo, tmp_path, cache, "third")
    assert digest == _digest(built(repo.content, tmp_path, "third-warm", cache=cache))
    changes = soup(tmp_path / "third-cached", "changes").select("ul.change-list li")
    assert [li.get_text(" ", strip=True) for li in changes][:2] == [
        "删除 测试政策（修订）（已不再公示）", "调整 食品安全抽检 ：职权名称 食品抽检 → 食品安全抽检"]


def test_a_first_version_without_a_name_is_titled_by_the_current_name(tmp_path):
    """The title of an old version that has none comes from the site as it is now, so a
    cached history cannot keep the name the record had when the cache was written."""
    repo = Repo(tmp_path / "repo")
    nameless = "".join(line for line in MINIMAL["powers/shichang.yaml"].splitlines(True) if "name:" not in line)
    repo.commit({**MINIMAL, "powers/shichang.yaml": nameless}, "2025-01-05T10:00:00+08:00")
    repo.commit({"powers/shichang.yaml": MINIMAL["powers/shichang.yaml"]}, "2025-02-05T10:00:00+08:00")
    cache = tmp_path / "cache"
    built(repo.content, tmp_path, "first", cache=cache)
    renamed = MINIMAL["powers/shichang.yaml"].replace("食品生产许可", "食品生产许可（新）")
    repo.commit({"powers/shichang.yaml": renamed}, "2025-03-05T10:00:00+08:00")
    same_with_and_without_cache(repo, tmp_path, cache, "second")
    items = [li.get_text(" ", strip=True) for li in soup(tmp_path / "second-cached", "changes").select("ul.change-list li")]
    assert "新增 食品生产许可（新）" in items, items


def test_a_rewritten_history_ignores_the_cache(repo, tmp_path):
    cache = tmp_path / "cache"
    built(repo.content, tmp_path, "first", cache=cache)
    run_git(repo.root, "reset", "-q", "--hard", "HEAD~2")
    repo.commit({"powers/shichang.yaml": POWERS_V2.replace("食品抽检", "食品安全抽检")}, "2025-02-01T09:00:00+08:00")
    digest = same_with_and_without_cache(repo, tmp_path, cache, "rewritten")
    run_git(repo.root, "commit", "-q", "--amend", "-m", "改写", when="2025-02-02T09:00:00+08:00")
    assert same_with_and_without_cache(repo, tmp_path, cache, "amended") != digest  # the date moved


def test_a_history_from_another_repository_or_damaged_is_ignored(repo, tmp_path):
    cache = tmp_path / "cache"
    other = Repo(tmp_path / "other")
    other.commit(MINIMAL, "2024-01-05T10:00:00+08:00")
    built(other.content, tmp_path, "other-site", cache=cache)
    same_with_and_without_cache(repo, tmp_path, cache, "first")
    for path in (cache / "history").rglob("*.pickle"):
        path.write_bytes(b"not a pickle")
    same_with_and_without_cache(repo, tmp_path, cache, "damaged")


def test_build_command_keeps_the_history_with_the_parse_cache(repo, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--content", str(repo.content), "-o", "site", "--today", "2026-11-23"]) == 0
    head = run_git(repo.root, "rev-parse", "HEAD").strip()
    assert [p.name for p in (tmp_path / ".cache/parsed/history").rglob("*.pickle")] == [f"{head}.pickle"]
