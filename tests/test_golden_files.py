"""Goldens of the published file formats: Atom feeds, sitemaps and robots.txt, open data
(CSV, JSON, /datapackage.json) and the facet data the list pages read.

Two small real sites are built from the YAML below by the real pipeline, and every file of
theirs that these goldens cover is compared with its copy under tests/golden/:

- tests/golden/site/ — a content repository with three commits on fixed dates (so the feeds
  come from the git history, with field-by-field summaries), a base_url (absolute links) and
  the sitemap limit lowered to 8 URLs (so /sitemap.xml is a sitemap index of its parts), and
  no events (the kind with no records: its CSV is its header alone). Every file the build writes
  besides pages, static assets and the build marker has a golden here (data/manifest.json,
  the drop guard's counts, too), so a new published file fails
  `test_every_published_file_has_a_golden` until it has one.
- tests/golden/site-no-git/ — the same content outside git and without a base_url, for the files
  whose format depends on those (NO_GIT_COVERED): the feeds fall back to the dates the records
  state, links and open-data URLs are relative, robots.txt names no sitemap.

The sites are small, so a golden holds the whole file: a CSV's header row and all its rows.

Stable by construction: the build date is fixed (conftest.TODAY); the commits have fixed
dates, author, committer and message and a SHA-1 repository (feed entry ids carry commit ids),
so their ids are the same on every machine; nothing the build writes holds a temp path.

Readable as a diff: a golden is the file's text, except that CSV goldens are stored without the
BOM and with LF line ends, and facet data (compact one-line JSON) is stored one item a line;
in both cases the test also checks that the file's bytes are exactly the golden's in the
published encoding (BOM and CRLF; compact separators), so no byte goes unchecked.

Updating: after an intended format change, run

    /work/venv/bin/python -m pytest tests/test_golden_files.py --update-golden

(the same flag as the page goldens, conftest.py), which rewrites tests/golden/site*/ from the
current output, adding and deleting files as the build does; review `git diff tests/golden/`.

The search index (search/: meta.json, tags.json, fold.json, the shards g/, the text chunks t/
(what a result shows and the texts it is checked against), and p/ when a gram's postings have
a file of their own) is compact JSON, stored one item a line like the facet data.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import TODAY, write_tree
from generator.kinds import KINDS
from generator.output import sitemap
from generator.pipeline import build
from test_history import run_git

GOLDEN = Path(__file__).parent / "golden"
BOM = "\ufeff"

SITE = """\
    name: 测试市营商环境公开平台
    region: 测试市
    publisher: 测试市营商环境建设局
    base_url: https://example.gov.cn/
    license: 本站开放数据采用 CC BY 4.0 许可，使用时请注明来源。
    """
DEPARTMENTS = """\
    - id: shichang
      name: 测试市市场监督管理局
      short_name: 市场监管局
      region: 市本级
      phone: '0411-12345678'
    - id: shuiwu
      name: 测试市税务局
      region: 市本级
    """
POWERS_V1 = """\
    - id: sc-1
      code: '0123'
      name: 食品生产许可
      category: 行政许可
      basis:
        - law: 《中华人民共和国食品安全法》
          article: 第三十五条
      status: 有效
    """
POWERS_V2 = """\
    - id: sc-1
      code: '0123'
      name: 食品生产许可（含特殊食品）
      category: 行政许可
      basis:
        - law: 《中华人民共和国食品安全法》
          article: 第三十五条
      status: 已下放
      effective: 2025-02-20
      changes:
        - date: 2025-02-20
          action: 下放
          note: 下放至区市场监管局
    - id: sc-2
      code: '0124'
      name: 食品安全抽样检验
      category: 行政检查
      basis:
        - law: 《中华人民共和国食品安全法》
      status: 有效
    """
POLICY_P1 = """\
    id: p1
    title: 关于支持小微企业发展的若干措施
    doc_number: 测政发〔2025〕3号
    issuers: [shichang, 国务院办公厅]
    issued: 2025-02-01
    published: 2025-02-05
    status: 有效
    topics: [融资支持, 减税降费]
    beneficiaries: [小微企业]
    summary: 支持小微企业 & 个体工商户发展。
    related_powers: [sc-1]
    """
POLICY_P2 = """\
    id: p2
    title: 关于进一步减轻企业负担的通知
    issuers: [shuiwu]
    issued: 2024-06-01
    status: {status}
    topics: [减税降费]
    summary: 减轻企业负担。
    """
BOARD = """\
    id: 2025-01
    title: 2025年第1期优化营商环境红黑榜
    publisher: shichang
    published: 2025-03-10
    entries:
      - id: red-1
        board: red
        subject: 测试市某某科技有限公司
        subject_kind: 企业
        facts: 主动为企业代办证照
        status: 公示中
      - id: black-1
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
        facts: 公示期已过，不再公开
        publish_until: 2026-06-30
        status: 公示中
    """
MEASURES = """\
    id: 2025-zhongdian
    title: 2025年优化营商环境重点任务清单
    source: 测政发〔2025〕1号
    published: 2025-03-15
    items:
      - id: rw-01
        text: 推行涉企行政检查“综合查一次”。
        lead_units: [shichang]
        responsible_units: [shuiwu, 各区人民政府]
        deadline: 2025-12-31
        status: 推进中
    """
# (committer date, files): no events — the kind with no records, whose CSV is its header alone
COMMITS = [
    ("2025-01-05T10:00:00+08:00", {"site.yaml": SITE, "departments.yaml": DEPARTMENTS,
                                   "powers/shichang.yaml": POWERS_V1,
                                   "policies/p2.yaml": POLICY_P2.format(status="有效")}),
    ("2025-03-01T23:30:00+08:00", {"powers/shichang.yaml": POWERS_V2, "policies/p1.yaml": POLICY_P1}),
    ("2025-03-20T09:00:00+08:00", {"boards/2025-01.yaml": BOARD, "measures/2025-zhongdian.yaml": MEASURES,
                                   "policies/p2.yaml": POLICY_P2.format(status="已废止")}),
]
NO_GIT_COVERED = ("feed.xml", "feeds/", "sitemap", "robots.txt", "data/powers.csv")  # one CSV for the relative URLs


def covered(rel: str) -> bool:
    """Whether an output file is a published format with a golden: everything but pages, static
    assets and the build marker."""
    return not (rel.endswith(".html") or rel.startswith("assets/") or rel == ".yingshang-build")


def published(site: Path, golden: str) -> dict[str, bytes]:
    files = {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*")) if p.is_file()}
    if golden == "site-no-git":
        return {rel: p.read_bytes() for rel, p in files.items() if rel.startswith(NO_GIT_COVERED)}
    return {rel: p.read_bytes() for rel, p in files.items() if covered(rel)}


def goldens(golden: str) -> list[str]:
    folder = GOLDEN / golden
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def one_per_line(value, indent: str = "") -> str:
    """JSON with one member or item a line, lists of plain values kept on one line."""
    inner = indent + " "
    if isinstance(value, dict) and value:
        members = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {one_per_line(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(members) + f"\n{indent}}}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(inner + one_per_line(v, inner) for v in value) + f"\n{indent}]"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def readable(rel: str, data: bytes) -> str:
    """The golden text of an output file, after checking the bytes it leaves out (module docstring)."""
    text = data.decode("utf-8")
    if rel.endswith(".csv"):
        body = text.removeprefix(BOM).replace("\r\n", "\n")
        assert data == (BOM + body.replace("\n", "\r\n")).encode("utf-8"), f"{rel}: not UTF-8 with BOM and CRLF"
        return body
    if rel.startswith(("facets/", "search/")):
        value = json.loads(text)
        assert text == json.dumps(value, ensure_ascii=False, separators=(",", ":")), f"{rel}: not compact JSON"
        return one_per_line(value) + "\n"
    return text


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """Both sites, built once for the module: golden folder name -> built site."""
    root = tmp_path_factory.mktemp("golden")
    repo = root / "repo"
    repo.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        # feed entry ids carry commit ids: SHA-1 objects, and no user configuration (run_git sets
        # HOME and keeps out the system's; this keeps out ~/.config/git) that could change a commit
        patch.setenv("XDG_CONFIG_HOME", str(root))
        run_git(repo, "init", "-q", "--object-format=sha1")
        for when, files in COMMITS:
            write_tree(repo / "content", files)
            run_git(repo, "add", "-A", when=when)
            run_git(repo, "commit", "-q", "-m", "更新", when=when)
        patch.setattr(sitemap, "MAX_URLS", 8)  # a sitemap index of parts, as past 50,000 URLs
        build(repo / "content", root / "site", TODAY, log=lambda line: None)

    plain = shutil.copytree(repo / "content", root / "plain")
    site_yaml = plain / "site.yaml"
    site_yaml.write_text(site_yaml.read_text("utf-8").replace("base_url: https://example.gov.cn/\n", ""), "utf-8")
    build(plain, root / "site-no-git", TODAY, log=lambda line: None)
    return {"site": root / "site", "site-no-git": root / "site-no-git"}


@pytest.mark.parametrize("golden", ["site", "site-no-git"])
def test_every_published_file_has_a_golden(sites, golden, update_golden):
    """No file goes unseen: the golden folder lists exactly the covered files the build wrote."""
    files = published(sites[golden], golden)
    if update_golden:
        shutil.rmtree(GOLDEN / golden, ignore_errors=True)
        for rel, data in files.items():
            (GOLDEN / golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / golden / rel).write_text(readable(rel, data), "utf-8")
    assert sorted(files) == goldens(golden), f"tests/golden/{golden}/ and the build differ; if intended: --update-golden"


@pytest.mark.parametrize("golden, rel", [(g, rel) for g in ("site", "site-no-git") for rel in goldens(g)])
def test_published_file_matches_its_golden(sites, golden, rel, update_golden):
    if update_golden:
        pytest.skip("--update-golden: test_every_published_file_has_a_golden rewrites the goldens")
    path = sites[golden] / rel
    assert path.is_file(), f"the build no longer writes {rel}"
    assert readable(rel, path.read_bytes()) == (GOLDEN / golden / rel).read_text("utf-8"), \
        f"{rel} differs from tests/golden/{golden}/{rel}; if the change is intended: --update-golden, review the diff"


def test_the_sites_show_what_the_goldens_are_for(sites):
    """The goldens pin what matters: summaries field by field from git, entries dated by the
    records without git, a sitemap index, a kind with no records (its header alone), withheld
    board entries absent."""
    site, plain = sites["site"], sites["site-no-git"]
    assert "职权名称：食品生产许可 → 食品生产许可（含特殊食品）" in (site / "feeds/powers.xml").read_text("utf-8")
    assert "<updated>2025-02-05T00:00:00+08:00</updated>" in (plain / "feeds/policies.xml").read_text("utf-8")
    assert "<sitemapindex " in (site / "sitemap.xml").read_text("utf-8")
    assert (site / "data/events.csv").read_bytes() == (BOM + ",".join(KINDS["events"].data_columns) + "\r\n").encode()
    assert "black-expired" not in (site / "data/boards.csv").read_text("utf-8")
