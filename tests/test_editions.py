"""Edition comparison between two git refs: a page per department and the delta as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import MINIMAL
from generator.output.editions import COLUMNS, main
from test_history import Repo, run_git

DEPARTMENTS = """\
    - id: shichang
      name: 测试市市场监督管理局
      region: 市本级
    - id: zhujian
      name: 测试市住房和城乡建设局
      region: 市本级
    """


def power(pid: str, name: str, category: str = "行政许可", status: str = "有效", code: str = "") -> str:
    return (f"- id: {pid}\n" + (f"  code: '{code}'\n" if code else "") + f"  name: {name}\n  category: {category}\n"
            f"  basis:\n    - law: 《某法》\n  status: {status}\n")


@pytest.fixture
def repo(tmp_path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.commit({**MINIMAL, "departments.yaml": DEPARTMENTS,
                 "powers/shichang.yaml": power("sc-1", "食品生产许可", code="01") + power("sc-2", "食品抽检", "行政检查")
                 + power("sc-old", "已废除的审批"),
                 "powers/zhujian.yaml": power("zj-1", "施工许可")}, "2024-01-10T10:00:00+08:00")
    run_git(repo.root, "tag", "2024版")
    repo.commit({"powers/shichang.yaml": power("sc-1", "食品生产许可（含特殊食品）", code="01")
                 + power("sc-2", "食品抽检", "行政检查", status="已下放") + power("sc-new", "新设许可", code="09"),
                 "powers/zhujian.yaml": power("zj-1", "施工许可")}, "2025-01-10T10:00:00+08:00")
    run_git(repo.root, "tag", "2025版")
    return repo


@pytest.fixture
def compared(repo, tmp_path) -> Path:
    out = tmp_path / "compare"
    assert main(["2024版", "2025版", "-o", str(out), "--content", str(repo.content)]) == 0
    return out


def page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def test_index_lists_every_department_with_counts(compared, capsys):
    soup = page(compared / "index.html")
    assert soup.html["lang"] == "zh-CN" and soup.title.get_text() == "权责清单版本比较：2024版 → 2025版"
    assert "共新增权责事项1项，删除1项，调整2项，涉及1个部门" in soup.select_one("p.lead").get_text().replace(" ", "")
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in soup.select("tbody tr")]
    assert rows == [["测试市市场监督管理局", "市本级", "3", "3", "1", "1", "2"],
                    ["测试市住房和城乡建设局", "市本级", "1", "1", "0", "0", "0"]]
    assert soup.select_one("tbody a")["href"] == "shichang/"
    assert (compared / "edition.css").is_file() and soup.find("link")["href"] == "edition.css"
    assert not soup.find_all("script")


def test_department_page_lists_added_removed_and_changed(compared):
    soup = page(compared / "shichang/index.html")
    assert soup.h1.get_text() == "测试市市场监督管理局"
    added = soup.find("h2", id="added").find_next("table")
    assert [tr.th.get_text(strip=True) for tr in added.select("tbody tr")] == ["新设许可"]
    assert added.select_one("tbody a")["href"] == "https://example.gov.cn/powers/sc-new/"
    removed = soup.find("h2", id="removed").find_next("table")
    assert [tr.th.get_text(strip=True) for tr in removed.select("tbody tr")] == ["已废除的审批"]
    assert not removed.find("a")  # no page any more
    changed = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
               for tr in soup.find("h2", id="changed").find_next("table").select("tbody tr")]
    assert changed == [["食品生产许可（含特殊食品）", "调整", "职权名称： 食品生产许可 → 食品生产许可（含特殊食品）"],
                       ["食品抽检", "下放", "事项状态： 有效 → 已下放"]]
    assert page(compared / "shichang/index.html").find("link")["href"] == "../edition.css"


def test_delta_csv(compared):
    raw = (compared / "delta.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == COLUMNS
    assert [(r["change"], r["id"], r["status_before"], r["status_after"], r["fields"]) for r in rows] == [
        ("新增", "sc-new", "", "有效", ""),
        ("删除", "sc-old", "有效", "", ""),
        ("调整", "sc-1", "有效", "有效", "职权名称"),
        ("下放", "sc-2", "有效", "已下放", "事项状态"),
    ]
    assert rows[2]["details"] == "职权名称：食品生产许可 → 食品生产许可（含特殊食品）"
    assert (compared / "zhujian/delta.csv").read_bytes().decode("utf-8-sig") == ",".join(COLUMNS) + "\r\n"


def test_power_moved_between_departments_is_a_change(repo, tmp_path):
    repo.commit({"powers/shichang.yaml": power("sc-1", "食品生产许可（含特殊食品）", code="01")
                 + power("sc-2", "食品抽检", "行政检查", status="已下放"),
                 "powers/zhujian.yaml": power("zj-1", "施工许可") + power("sc-new", "新设许可", code="09")},
                "2025-02-10T10:00:00+08:00")
    out = tmp_path / "moved"
    assert main(["2025版", "HEAD", "-o", str(out), "--content", str(repo.content)]) == 0
    rows = list(csv.DictReader(io.StringIO((out / "delta.csv").read_text("utf-8-sig"))))
    assert [(r["department"], r["change"], r["id"], r["details"]) for r in rows] == [
        ("zhujian", "调整", "sc-new", "实施部门：测试市市场监督管理局 → 测试市住房和城乡建设局")]


def test_same_refs_same_bytes(repo, tmp_path):
    outs = []
    for name in ("a", "b"):
        assert main(["2024版", "2025版", "-o", str(tmp_path / name), "--content", str(repo.content)]) == 0
        outs.append({p.relative_to(tmp_path / name): p.read_bytes() for p in (tmp_path / name).rglob("*") if p.is_file()})
    assert outs[0] == outs[1]


def test_unknown_ref_is_a_clear_error(repo, tmp_path, capsys):
    assert main(["2023版", "2025版", "-o", str(tmp_path / "x"), "--content", str(repo.content)]) == 1
    assert capsys.readouterr().err.startswith("无法读取版本：")
    assert not (tmp_path / "x").exists()


def test_usage_error_exit_status(capsys):
    assert main(["only-one-ref"]) == 2


def test_compare_command(repo, tmp_path, capsys):
    from generator.cli import main as cli

    out = tmp_path / "cli-compare"
    assert cli(["compare", "2024版", "2025版", "-o", str(out), "--content", str(repo.content)]) == 0
    assert capsys.readouterr().out.startswith("2024版 → 2025版：")
    assert (out / "delta.csv").read_bytes().startswith("\ufeff".encode())


def test_edition_pages_carry_a_strict_policy(compared):
    for path in compared.rglob("*.html"):
        meta = page(path).find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert meta["content"].startswith("default-src 'none'"), path
        assert not page(path).find_all("script"), path
