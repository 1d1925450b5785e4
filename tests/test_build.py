"""Builds of real content trees, checked by parsing the output."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from conftest import TODAY
from generator.cli import main
from generator.errors import ContentError
from generator.pipeline import build

BOARD = """\
    id: 2026-01
    title: 2026年第1期优化营商环境红黑榜
    publisher: shichang
    published: 2026-01-10
    entries:
      - id: red-1
        board: red
        subject: 测试市某某科技有限公司
        subject_kind: 企业
        facts: 主动为企业代办证照
        status: 公示中
      - id: black-live
        board: black
        subject: 某区住建窗口
        subject_kind: 单位
        facts: 超时限办理施工许可
        publish_until: 2027-06-30
        status: 公示中
      - id: black-expired
        board: black
        subject: 过期公示单位甲
        subject_kind: 单位
        facts: 过期事实EXPIREDFACT
        credit_code: 91350100M000100Y43
        publish_until: 2026-06-30
        status: 公示中
      - id: black-revoked
        board: black
        subject: 撤销公示单位乙
        subject_kind: 单位
        facts: 撤销事实REVOKEDFACT
        publish_until: 2027-06-30
        status: 已撤销
    """

POLICY = """\
    id: p1
    title: 关于支持小微企业<script>alert(1)</script>发展的若干措施
    doc_number: 测政发〔2021〕374号
    issuers: [shichang, 国务院办公厅]
    issued: 2021-05-01
    status: 有效
    summary: 支持小微企业。<img src=x onerror=alert(1)>
    body: |
      ## 第一条
      支持 **小微企业**。<script>alert(2)</script> [链接](javascript:alert(3))
    related_powers: [sc-1]
    """


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text("utf-8"), "html.parser")


def article(soup: BeautifulSoup):
    return soup.select_one("article.md-content__inner")


@pytest.fixture(scope="module")
def small_site(build_once) -> Path:
    return build_once({"boards/2026-01.yaml": BOARD, "policies/p1.yaml": POLICY})


def test_pages_at_their_urls(small_site):
    for url in ("", "departments", "departments/shichang", "powers", "powers/sc-1", "policies", "policies/p1",
                "boards", "boards/2026-01", "measures", "search", "stats", "changes", "guide"):
        assert (small_site / url / "index.html").is_file(), url
    for data in ("powers.csv", "powers.json", "policies.csv", "policies.json", "boards.csv", "boards.json", "departments.json"):
        assert (small_site / "data" / data).is_file()
    assert (small_site / "__shell__").exists() is False
    assert not list(small_site.rglob("__shell__"))


def test_power_page_shows_its_fields(small_site):
    soup = page(small_site, "powers/sc-1")
    assert soup.title.string == "食品生产许可 - 测试市市场监督管理局 - 测试市营商环境公开平台"
    body = article(soup)
    assert body.h1.get_text(" ", strip=True) == "食品生产许可 有效"
    facts = {tr.th.get_text(strip=True): tr.td.get_text(strip=True) for tr in body.select("table.facts tr")}
    assert facts["职权编码"] == "0123"
    assert facts["实施部门"] == "测试市市场监督管理局（市本级）"
    assert [li.get_text(" ", strip=True) for li in body.select("ol.basis li")] == ["《中华人民共和国食品安全法》 第三十五条"]
    assert body.select_one("#policies + ul a")["href"] == "../../policies/p1/"
    assert soup.select_one("html")["lang"].startswith("zh")


def test_record_text_is_escaped_and_markdown_sanitised(small_site):
    html = (small_site / "policies/p1/index.html").read_text("utf-8")
    soup = BeautifulSoup(html, "html.parser")
    body = article(soup)
    assert body.h1.get_text().startswith("关于支持小微企业<script>alert(1)</script>发展的若干措施")
    assert "alert" not in "".join(s.get_text() for s in soup.find_all("script"))
    assert not body.find_all(["script", "img"])
    assert not any(a.get("href", "").startswith("javascript:") for a in body.find_all("a"))
    assert body.select_one(".prose strong").get_text() == "小微企业"
    assert soup.title.get_text().startswith("关于支持小微企业<script>")


def test_withheld_entries_absent_from_every_file(small_site, tree, tmp_path, capsys):
    for path in small_site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in ("EXPIREDFACT", "REVOKEDFACT", "过期公示单位甲", "撤销公示单位乙", "91350100M000100Y43",
                           "black-expired", "black-revoked"):
                assert secret.encode() not in data, (path, secret)
    board = article(page(small_site, "boards/2026-01"))
    assert [a["id"] for a in board.select("article.entry")] == ["red-1", "black-live"]
    assert "本期另有 2 条条目公示期已满或已撤销，依规不再公开" in board.get_text()
    rows = list(csv.DictReader(io.StringIO((small_site / "data/boards.csv").read_text("utf-8-sig"))))
    assert [r["id"] for r in rows] == ["red-1", "black-live"]


def test_build_reports_withheld_entries(tree, tmp_path, monkeypatch, capsys):
    content = tree({"boards/2026-01.yaml": BOARD})
    monkeypatch.chdir(content.parent)
    assert main(["build", "--content", "content", "-o", "out", "--today", "2026-11-23"]) == 0
    err = capsys.readouterr().err
    assert "未公开：红黑榜 2026-01 black-expired：公示期已于 2026-06-30 结束，不予公开" in err
    assert "未公开：红黑榜 2026-01 black-revoked：已撤销，不予公开" in err
    # The day before its period ends, the entry is published.
    assert main(["build", "--content", "content", "-o", "out", "--today", "2026-06-30"]) == 0
    assert "black-expired" in (content.parent / "out/boards/2026-01/index.html").read_text("utf-8")


def test_open_data(small_site):
    raw = (small_site / "data/powers.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["id"] == "sc-1" and rows[0]["code"] == "0123" and rows[0]["category"] == "行政许可"
    assert json.loads((small_site / "data/policies.json").read_text("utf-8"))[0]["doc_number"] == "测政发〔2021〕374号"
    assert json.loads((small_site / "data/departments.json").read_text("utf-8"))[0]["id"] == "shichang"
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(small_site / "feed.xml").getroot()
    assert [e.find(atom + "link").get("href") for e in feed.iter(atom + "entry")] == [
        "https://example.gov.cn/boards/2026-01/", "https://example.gov.cn/policies/p1/"]
    sitemap = (small_site / "sitemap.xml").read_text("utf-8")
    assert "<loc>https://example.gov.cn/powers/sc-1/</loc>" in sitemap


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_failed_build_leaves_previous_output_untouched(tree, tmp_path):
    content = tree({"boards/2026-01.yaml": BOARD})
    out = tmp_path / "site"
    build(content, out, TODAY, log=lambda line: None)
    before = _digest(out)
    (content / "powers/shichang.yaml").write_text("- id: sc-1\n  name: 缺字段\n", "utf-8")
    with pytest.raises(ContentError):
        build(content, out, TODAY, log=lambda line: None)
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "content", "site"]  # no staging left behind


def test_same_content_and_date_give_identical_output(tree, tmp_path):
    content = tree({"boards/2026-01.yaml": BOARD, "policies/p1.yaml": POLICY})
    build(content, tmp_path / "a", TODAY, log=lambda line: None)
    build(content, tmp_path / "b", TODAY, log=lambda line: None)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


GOLDEN_PAGES = ("powers/sc-1", "policies/p1", "boards/2026-01", "departments/shichang")


@pytest.mark.parametrize("url", GOLDEN_PAGES)
def test_golden_record_pages(small_site, url, update_golden):
    """The content area of record pages, reviewed as a diff (pytest --update-golden rewrites)."""
    html = article(page(small_site, url)).decode_contents().strip() + "\n"
    golden = Path(__file__).parent / "golden" / (url.replace("/", "__") + ".html")
    if update_golden:
        golden.write_text(html, "utf-8")
    assert html == golden.read_text("utf-8")
