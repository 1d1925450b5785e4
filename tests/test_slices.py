"""A large site as parallel slices: `build --slice I/N` in each CI job, `merge` into one site that
is byte for byte the site a single `build` makes; the sitemap index past 50,000 URLs."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import EXAMPLE, REPO, TODAY
from generator.cli import main
from generator.output import sitemap as sitemap_module

sys.path.insert(0, str(REPO / "benchmarks"))

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def run(*argv: str) -> int:
    return main([*argv, "--today", TODAY.isoformat()])


def build_one_and_sliced(content: Path, work: Path, n: int = 3, order: tuple[int, ...] = ()) -> tuple[Path, Path]:
    """The single build and the merge of `n` slices (given to merge in `order`) of `content`."""
    assert run("build", "--content", str(content), "--no-cache", "-o", str(work / "one")) == 0
    for i in range(1, n + 1):
        assert run("build", "--content", str(content), "--no-cache", "--slice", f"{i}/{n}",
                   "-o", str(work / f"slice-{i}")) == 0
    dirs = [str(work / f"slice-{i}") for i in (order or range(1, n + 1))]
    assert main(["merge", *dirs, "-o", str(work / "merged")]) == 0
    return work / "one", work / "merged"


@pytest.fixture(scope="module")
def example_slices(tmp_path_factory):
    """The example content built once whole and once as 3 slices merged (given out of order)."""
    work = tmp_path_factory.mktemp("slices")
    one, merged = build_one_and_sliced(EXAMPLE, work, order=(3, 1, 2))
    return work, one, merged


def test_three_slices_merged_are_byte_identical_to_one_build(example_slices):
    _, one, merged = example_slices
    whole = digest(one)
    assert len(whole) > 100 and digest(merged) == whole


def test_each_slice_renders_a_deterministic_third_of_the_record_pages(example_slices):
    work, one, _ = example_slices
    everything = {p.parent.name for p in (one / "powers").glob("*/index.html")}
    shares = [{p.parent.name for p in (work / f"slice-{i}/site/powers").glob("*/index.html")} for i in (1, 2, 3)]
    assert set().union(*shares) == everything
    assert sum(len(s) for s in shares) == len(everything)  # no page rendered twice
    assert all(abs(len(s) - len(everything) / 3) <= 1 for s in shares)
    assert (work / "slice-1/site/index.html").is_file() and not (work / "slice-2/site/index.html").exists()
    stamp = json.loads((work / "slice-2/slice.json").read_text("utf-8"))
    assert (stamp["slice"], stamp["of"], stamp["today"]) == (2, 3, TODAY.isoformat())


def test_slices_of_synthetic_content_merge_to_the_single_build(tmp_path):
    from synth import generate

    generate(tmp_path / "content", 1500, force=True)
    one, merged = build_one_and_sliced(tmp_path / "content", tmp_path)
    whole = digest(one)
    assert len([p for p in whole if p.startswith("powers/")]) > 1000
    assert len([p for p in whole if p.startswith("search/g/")]) > 8  # postings joined across slices
    assert digest(merged) == whole


def test_sitemap_becomes_an_index_past_the_limit_in_a_build_and_a_merge(tmp_path, monkeypatch):
    monkeypatch.setattr(sitemap_module, "MAX_URLS", 40)
    one, merged = build_one_and_sliced(EXAMPLE, tmp_path, n=2)
    assert digest(merged) == digest(one)
    index = ElementTree.parse(one / "sitemap.xml").getroot()
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    parts = [loc.text for loc in index.findall("s:sitemap/s:loc", NS)]
    assert len(parts) >= 3 and parts[0] == "https://yingshang.example.gov.cn/sitemap-1.xml"
    urls = []
    for n in range(1, len(parts) + 1):
        part = ElementTree.parse(one / f"sitemap-{n}.xml").getroot()
        found = [loc.text for loc in part.findall("s:url/s:loc", NS)]
        assert 0 < len(found) <= 40
        urls += found
    pages = {str(p.parent.relative_to(one)) for p in one.rglob("index.html")}
    assert len(urls) == len(set(urls)) == len(pages)
    assert "https://yingshang.example.gov.cn/powers/" in urls


def test_a_small_site_keeps_one_sitemap(example_slices):
    _, one, _ = example_slices
    root = ElementTree.parse(one / "sitemap.xml").getroot()
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    assert not list(one.glob("sitemap-*.xml"))


# --- merge refuses what would not make the single build -----------------------------------

@pytest.fixture
def two_slices(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for i in (1, 2):
        assert run("build", "--content", str(EXAMPLE), "--no-cache", "--slice", f"{i}/2", "-o", f"s{i}") == 0
    return tmp_path


def refusal(capsys, *argv: str) -> list[str]:
    capsys.readouterr()
    assert main(["merge", *argv]) == 1
    out, err = capsys.readouterr()
    assert "未合并：site 保持不变" in err
    return out.splitlines()


def test_merge_refuses_missing_and_repeated_slices(two_slices, capsys):
    assert refusal(capsys, "s1", "-o", "site") == [
        "s1/slice.json:1:1: error: 缺少第 2 片（共 2 片）：请把全部 2 个分片的输出都交给 merge"]
    assert refusal(capsys, "s1", "s1", "s2", "-o", "site") == [
        "s1/slice.json:1:1: error: 第 1 片给了两次（s1 与 s1）：每个分片只给一次"]
    assert not (two_slices / "site").exists()


def test_merge_refuses_slices_of_other_dates_counts_or_content(two_slices, capsys, tmp_path):
    assert main(["build", "--content", str(EXAMPLE), "--no-cache", "--slice", "2/2", "-o", "late",
                 "--today", "2026-11-24"]) == 0
    assert main(["build", "--content", str(EXAMPLE), "--no-cache", "--slice", "2/3", "-o", "three",
                 "--today", TODAY.isoformat()]) == 0
    assert refusal(capsys, "s1", "late", "-o", "site") == [
        "late/slice.json:1:1: error: 分片的生成日期不同：本片按 2026-11-24，s1 按 2026-11-23；"
        "请用同一个 --today 重新生成全部分片"]
    assert refusal(capsys, "s1", "three", "-o", "site") == [
        "three/slice.json:1:1: error: 分片数不同：本片是 3 片中的第 2 片，s1 是 2 片中的第 1 片；"
        "请用同一个 --slice I/N 的 N 重新生成全部分片"]
    stamp = json.loads((tmp_path / "s2/slice.json").read_text("utf-8"))
    (tmp_path / "s2/slice.json").write_text(json.dumps({**stamp, "content": "0" * 32}), "utf-8")
    assert refusal(capsys, "s1", "s2", "-o", "site") == [
        "s2/slice.json:1:1: error: 分片来自不同的内容（内容或生成器与 s1 不同）：请在同一提交上重新生成全部分片"]


def test_merge_refuses_a_folder_that_is_not_a_slice(two_slices, capsys):
    (two_slices / "empty").mkdir()
    assert refusal(capsys, "s1", "empty", "-o", "site") == [
        "empty/slice.json:1:1: error: 这不是分片的输出：请先运行 build --slice I/N -o empty"]


def test_merge_scans_the_merged_site_and_leaves_the_old_one(two_slices, capsys):
    assert main(["merge", "s1", "s2", "-o", "site"]) == 0
    before = digest(two_slices / "site")
    page = next((two_slices / "s2/site/powers").glob("*/index.html"))
    html = page.read_bytes().replace(b"</article>", b"<script>alert(1)</script></article>", 1)
    page.unlink()  # a new file, as a new `build --slice` writes (the merged site holds links to the old ones)
    page.write_bytes(html)
    capsys.readouterr()
    assert main(["merge", "s1", "s2", "-o", "site"]) == 1
    out, err = capsys.readouterr()
    assert f"site/{page.relative_to(two_slices / 's2/site')}:" in out and "script" in out
    assert digest(two_slices / "site") == before
    assert sorted(p.name for p in two_slices.iterdir() if p.name.startswith(".site")) == [".site.lock"]  # the lock stays (write.exclusive)


def test_merge_keeps_the_drop_guard(two_slices, capsys):
    assert main(["merge", "s1", "s2", "-o", "site"]) == 0
    manifest = json.loads((two_slices / "site/data/manifest.json").read_text("utf-8"))
    manifest["counts"]["powers"] *= 2
    shutil.rmtree(two_slices / "site")  # as CI does: the published site's manifest, fetched
    (two_slices / "site/data").mkdir(parents=True)
    (two_slices / "site/data/manifest.json").write_text(json.dumps(manifest), "utf-8")
    lines = refusal(capsys, "s1", "s2", "-o", "site")
    assert lines and all("请加 --allow-drop 重新生成" in line for line in lines)
    assert main(["merge", "s1", "s2", "-o", "site", "--allow-drop"]) == 0


def test_slice_argument_is_checked(capsys):
    for bad in ("0/3", "4/3", "2", "a/b"):
        assert main(["build", "--slice", bad]) == 2
        assert f"分片应写作 I/N，例如 2/4（1 ≤ I ≤ N）：{bad}" in capsys.readouterr().err


def test_region_shards_are_gone():
    assert main(["build", "--region", "金普新区"]) == 2
    for doc in ("README.md", "docs/performance.md", "docs/deploy.md"):
        assert "--region" not in (REPO / doc).read_text("utf-8"), doc
    text = (REPO / "docs/performance.md").read_text("utf-8")
    assert "build --slice" in text and "site.yaml" in text and "base_url" in text
