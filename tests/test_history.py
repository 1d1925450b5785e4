"""Change history from git: record pages, 最近更新, Atom feeds; shallow clones and no git at all."""

from __future__ import annotations

import hashlib
import os
import subprocess
import textwrap
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from conftest import MINIMAL, TODAY, write_tree
from generator.site import gitdata
from generator.pipeline import build
from test_build import BOARD

ATOM = "{http://www.w3.org/2005/Atom}"


def run_git(repo: Path, *args: str, when: str = "2025-01-05T10:00:00+08:00") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when, GIT_CONFIG_NOSYSTEM="1", HOME=str(repo))
    done = subprocess.run(["git", "-c", "user.name=编辑", "-c", "user.email=editor@example.gov.cn",
                           "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                          cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


class Repo:
    """A content repository: content/ inside a git work tree, committed on given dates."""

    def __init__(self, root: Path):
        self.root = root
        self.content = root / "content"
        root.mkdir(parents=True, exist_ok=True)
        run_git(root, "init", "-q")

    def commit(self, files: dict, when: str, message: str = "更新") -> None:
        write_tree(self.content, {k: v for k, v in files.items() if v is not None})
        for rel, text in files.items():
            if text is None:
                (self.content / rel).unlink()
        run_git(self.root, "add", "-A", when=when)
        run_git(self.root, "commit", "-q", "-m", message, when=when)


POWERS_V2 = """\
    - id: sc-1
      code: '0123'
      name: 食品生产许可（含特殊食品）
      category: 行政许可
      basis:
        - law: 《中华人民共和国食品安全法》
          article: 第三十五条
      status: 已下放
      changes:
        - date: 2025-02-20
          action: 下放
          note: 下放至区市场监管局
          document: 测政发〔2025〕1号
    - id: sc-2
      name: 食品抽检
      category: 行政检查
      basis:
        - law: 《中华人民共和国食品安全法》
      status: 有效
    """


@pytest.fixture
def repo(tmp_path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.commit(MINIMAL, "2025-01-05T10:00:00+08:00", "首次导入")
    repo.commit({"powers/shichang.yaml": POWERS_V2}, "2025-03-01T23:30:00+08:00", "下放")
    return repo


def built(content: Path, tmp_path: Path, name: str = "site", **options) -> Path:
    out = tmp_path / name
    build(content, out, TODAY, log=lambda line: None, **options)
    return out


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text("utf-8"), "html.parser")


def history_rows(page: BeautifulSoup) -> list[tuple[str, str, list[str]]]:
    return [(tr.td.get_text(strip=True), tr.select_one(".change").get_text(strip=True),
             [li.get_text("", strip=True) for li in tr.select("ul.fields li")])
            for tr in page.select("section.history tbody tr")]


def test_record_page_shows_when_added_and_what_changed(repo, tmp_path):
    page = soup(built(repo.content, tmp_path), "powers/sc-1")
    section = page.select_one("section.history")
    assert section.h2.get_text() == "修改历史"
    assert "首次公开：2025-01-05；最近修改：2025-03-01。" in section.get_text()
    assert history_rows(page) == [
        ("2025-03-01", "下放", ["职权名称：原为食品生产许可→改为食品生产许可（含特殊食品）", "事项状态：原为有效→改为已下放",
                                "变更记录：0 项 → 1 项"]),
        ("2025-01-05", "新增", []),
    ]
    assert "变更说明：2025-02-20 下放至区市场监管局 测政发〔2025〕1号" in section.get_text()
    assert history_rows(soup(built(repo.content, tmp_path, "b"), "powers/sc-2")) == [("2025-03-01", "新增", [])]


def test_change_type_inferred_from_status_when_no_changes_entry(repo, tmp_path):
    repo.commit({"powers/shichang.yaml": POWERS_V2.replace("status: 有效", "status: 已取消")},
                "2025-04-01T09:00:00+08:00")
    assert history_rows(soup(built(repo.content, tmp_path), "powers/sc-2"))[0] == (
        "2025-04-01", "取消", ["事项状态：原为有效→改为已取消"])


def test_layout_only_commits_are_not_changes(repo, tmp_path):
    repo.commit({"powers/shichang.yaml": "# 只加了注释\n" + textwrap.dedent(POWERS_V2)}, "2025-05-01T09:00:00+08:00")
    assert [r[0] for r in history_rows(soup(built(repo.content, tmp_path), "powers/sc-1"))] == ["2025-03-01", "2025-01-05"]


def test_changes_page_lists_every_change_and_removals(repo, tmp_path):
    repo.commit({"powers/shichang.yaml": MINIMAL["powers/shichang.yaml"]}, "2025-06-01T09:00:00+08:00")
    article = soup(built(repo.content, tmp_path), "changes").select_one("article")
    days = [h.get_text() for h in article.find_all("h2")]
    assert days == ["2025-06-01", "2025-03-01", "2025-01-05"]
    items = [li.get_text(" ", strip=True) for li in article.select("ul.change-list li")]
    assert items[0].startswith("调整 食品生产许可 ：职权名称 食品生产许可（含特殊食品） → 食品生产许可；")
    assert items[1] == "删除 食品抽检（已不再公示）"
    assert items[2].startswith("下放 食品生产许可（含特殊食品）")
    assert items[3] == "新增 食品抽检（已不再公示）"  # its page is gone: no dead link
    assert article.select_one("ul.change-list a")["href"] == "../powers/sc-1/"
    assert article.select_one("p.batch").get_text() == "权责事项：调整 1 项，删除 1 项"


def test_atom_feed_per_kind(repo, tmp_path):
    site = built(repo.content, tmp_path)
    feed = ElementTree.parse(site / "feeds/powers.xml").getroot()
    entries = list(feed.iter(ATOM + "entry"))
    assert [e.find(ATOM + "title").text for e in entries] == [
        "权责事项下放：食品生产许可（含特殊食品）", "权责事项新增：食品抽检", "权责事项新增：食品生产许可"]
    assert entries[0].find(ATOM + "updated").text == "2025-03-01T23:30:00+08:00"
    assert entries[0].find(ATOM + "link").get("href") == "https://example.gov.cn/powers/sc-1/"
    assert "事项状态：有效 → 已下放" in entries[0].find(ATOM + "summary").text
    assert len({e.find(ATOM + "id").text for e in entries}) == 3
    assert feed.find(ATOM + "updated").text == "2025-03-01T23:30:00+08:00"
    for kind in ("policies", "boards", "measures"):
        assert ElementTree.parse(site / f"feeds/{kind}.xml").getroot().tag == ATOM + "feed"


def test_feed_links_are_relative_without_base_url(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.commit({**MINIMAL, "site.yaml": "name: 测试\nregion: 测试市\npublisher: 测试局\n"}, "2025-01-05T10:00:00+08:00")
    feed = ElementTree.parse(built(repo.content, tmp_path) / "feeds/powers.xml").getroot()
    assert feed.find(f"{ATOM}entry/{ATOM}link").get("href") == "../powers/sc-1/"


def test_no_git_repository_degrades_with_a_message(tree, tmp_path):
    site = built(tree(), tmp_path)
    note = soup(site, "powers/sc-1").select_one("section.history .history-note").get_text()
    assert note == "内容目录不在 git 仓库中，无法显示修改历史。"
    changes = soup(site, "changes").select_one("article")
    assert "内容目录不在 git 仓库中" in changes.select_one(".history-note").get_text()
    assert changes.find("h2", string="内容中记载的变更")
    assert (site / "feeds/powers.xml").is_file()


def test_no_git_program_degrades_with_a_message(tree, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    note = soup(built(tree(), tmp_path), "powers/sc-1").select_one(".history-note").get_text()
    assert note == "构建环境没有安装 git，无法显示修改历史。"


def test_uncommitted_content_says_so(tmp_path):
    repo = Repo(tmp_path / "repo")
    write_tree(repo.content, MINIMAL)
    page = soup(built(repo.content, tmp_path), "powers/sc-1")
    assert page.select_one(".history-note").get_text() == "内容目录尚无提交记录，暂无修改历史。"


def test_shallow_clone_says_history_is_incomplete(repo, tmp_path):
    repo.commit({"powers/shichang.yaml": POWERS_V2.replace("name: 食品抽检", "name: 食品安全抽检")},
                "2025-04-01T09:00:00+08:00")
    clone = tmp_path / "clone"
    run_git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo.root}", str(clone))
    site = built(clone / "content", tmp_path)
    page = soup(site, "powers/sc-2")
    note = page.select_one(".history-note").get_text()
    assert note == ("本站构建时只获取了部分提交记录（浅克隆），2025-03-01 以前的修改未列出。"
                    "持续集成中请在检出步骤设置 fetch-depth: 0。")
    assert history_rows(page) == [("2025-04-01", "调整", ["职权名称：原为食品抽检→改为食品安全抽检"])]
    assert "2025-03-01 以前已公开" in page.select_one("section.history").get_text()
    assert "2025-03-01 以前已公开，此后未修改。" in soup(site, "powers/sc-1").select_one("section.history").get_text()


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_commit_gives_identical_output(repo, tmp_path):
    assert _digest(built(repo.content, tmp_path, "a")) == _digest(built(repo.content, tmp_path, "b"))


def test_git_runs_a_fixed_number_of_times_whatever_the_number_of_records(tmp_path, monkeypatch):
    powers = "".join(f"- id: p{i}\n  name: 事项{i}\n  category: 行政许可\n  basis:\n    - law: 《某法》\n  status: 有效\n"
                     for i in range(60))
    repo = Repo(tmp_path / "repo")
    repo.commit({**MINIMAL, "powers/shichang.yaml": powers}, "2025-01-05T10:00:00+08:00")
    repo.commit({"powers/shichang.yaml": powers.replace("事项7\n", "事项七\n")}, "2025-02-05T10:00:00+08:00")
    calls = []
    real_popen = subprocess.Popen  # subprocess.run goes through Popen too

    def popen(args, **kw):
        calls.append(args[7:] if args[0] == "git" else args)
        return real_popen(args, **kw)

    monkeypatch.setattr(subprocess, "Popen", popen)
    site = built(repo.content, tmp_path, workers=1)
    assert [c[:2] for c in calls] == [["rev-parse", "--git-dir"], ["rev-parse", "--is-shallow-repository"],
                                      ["log", "--first-parent"], ["cat-file", "--batch"]]
    assert history_rows(soup(site, "powers/p7"))[0] == ("2025-02-05", "调整", ["职权名称：原为事项7→改为事项七"])


def test_final_versions_in_the_work_tree_are_not_parsed(tmp_path, monkeypatch):
    repo = Repo(tmp_path / "repo")
    repo.commit(MINIMAL, "2025-01-05T10:00:00+08:00")
    parsed = []
    real = gitdata.parse_yaml
    monkeypatch.setattr(gitdata, "parse_yaml", lambda raw: parsed.append(raw) or real(raw))
    site = built(repo.content, tmp_path)
    assert parsed == []
    assert history_rows(soup(site, "powers/sc-1")) == [("2025-01-05", "新增", [])]


def test_withheld_board_entries_leave_no_trace_in_history(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.commit({**MINIMAL, "boards/2026-01.yaml": BOARD}, "2025-01-05T10:00:00+08:00")
    repo.commit({"boards/2026-01.yaml": BOARD.replace("过期事实EXPIREDFACT", "过期事实EXPIREDFACT2")},
                "2025-02-05T10:00:00+08:00")
    site = built(repo.content, tmp_path)
    assert history_rows(soup(site, "boards/2026-01"))[0] == ("2025-02-05", "调整", ["条目：条目有更新"])
    for path in site.rglob("*"):
        if path.is_file():
            for secret in ("EXPIREDFACT", "black-expired", "过期公示单位甲"):
                assert secret.encode() not in path.read_bytes(), (path, secret)


def test_department_pages_have_history_too(repo, tmp_path):
    repo.commit({"departments.yaml": MINIMAL["departments.yaml"].replace("12345678", "87654321")},
                "2025-04-01T09:00:00+08:00")
    rows = history_rows(soup(built(repo.content, tmp_path), "departments/shichang"))
    assert rows[0] == ("2025-04-01", "调整", ["服务电话：原为0411-12345678→改为0411-87654321"])


def test_old_versions_with_aliases_are_not_compared():
    """A shared mapping reached by many paths would make comparing versions explode."""
    bomb = b"a: &a {x: 1}\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert gitdata.parse_yaml(bomb) is None
    assert gitdata.parse_yaml(b"- id: x\n  name: y\n") == [{"id": "x", "name": "y"}]
    assert gitdata.parse_yaml(b"a: [unclosed\n") is None
