"""`serve`: a real preview server in a subprocess, rebuilding on change, errors in the page."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from browser import preview_server
from conftest import EDITING, EXAMPLE

REPO = Path(__file__).resolve().parent.parent
FIXTURE = EDITING


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def wait_for(url: str, predicate, timeout: float = 90.0) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    last = (0, "")
    while time.monotonic() < deadline:
        try:
            last = fetch(url)
            if predicate(*last):
                return last
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {url}; last answer: {last[0]} {last[1][:500]}")


def problems_banner(page: str) -> str | None:
    """The problem panel's heading and one line per problem, as the editor reads them."""
    node = BeautifulSoup(page, "html.parser").find(id="preview-problems")
    return "\n".join([node.strong.get_text(), *(li.get_text("") for li in node.find_all("li"))]) if node else None


def site_title(page: str) -> str:
    return BeautifulSoup(page, "html.parser").title.get_text()


@pytest.fixture
def preview(tmp_path):
    """Start `python -m generator serve` on a copy of the fixture; stop it afterwards."""
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    with preview_server(content, tmp_path / "preview") as base:
        yield content, base


def test_serve_rebuilds_on_change_and_shows_errors_in_the_page(preview):
    content, base = preview
    status, page = wait_for(base + "/", lambda s, p: s == 200)
    assert "测试市营商环境公开平台" in site_title(page)
    assert problems_banner(page) is None
    soup = BeautifulSoup(page, "html.parser")  # reload and panel styles are files the site's CSP allows
    assert soup.head.find("script", src="/__preview__/preview.js") is not None
    assert soup.head.find("link", rel="stylesheet", href="/__preview__/preview.css") is not None
    assert "/__preview__/state" in fetch(base + "/__preview__/preview.js")[1]
    version = json.loads(fetch(base + "/__preview__/state")[1])["version"]

    # An edit shows up without restarting the server.
    site = content / "site.yaml"
    site.write_text(site.read_text("utf-8").replace("测试市营商环境公开平台", "改名后的公开平台"), "utf-8")
    wait_for(base + "/", lambda s, p: "改名后的公开平台" in site_title(p))
    wait_for(base + "/__preview__/state", lambda s, p: json.loads(p)["version"] > version)

    # A broken file: every page carries the located problem; the last good build stays underneath.
    powers = content / "powers" / "shichang.yaml"
    good = powers.read_text("utf-8")
    powers.write_text(good.replace("category: 行政处罚", "category: 行政处罚书"), "utf-8")
    status, page = wait_for(base + "/powers/sc-xk-001/", lambda s, p: problems_banner(p) is not None)
    assert status == 200
    banner = problems_banner(page)
    assert "内容有 1 个问题，网站没有更新" in banner
    assert "shichang.yaml:40:13: error: “行政处罚书”不是有效的职权类型" in banner
    assert "食品经营许可" in page
    assert problems_banner(fetch(base + "/policies/")[1]) == banner
    assert json.loads(fetch(base + "/__preview__/state")[1])["problems"] == 1

    # Fixed again: the banner goes away.
    powers.write_text(good, "utf-8")
    wait_for(base + "/powers/sc-xk-001/", lambda s, p: problems_banner(p) is None)
    assert fetch(base + "/no/such/page/")[0] == 404


def test_serve_with_broken_content_from_the_start_shows_the_errors_at_every_url(tmp_path):
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    (content / "departments.yaml").write_text("- id: Bad_Id\n  name: 部门\n  region: 市本级\n", "utf-8")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content), "-o", str(tmp_path / "preview"),
         "--port", str(port), "--today", "2024-10-01"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        status, page = wait_for(base + "/anything/", lambda s, p: s == 500)
        banner = problems_banner(page)
        assert "尚无成功生成的版本" in banner
        assert "departments.yaml:1:7: error: 部门标识“Bad_Id”格式不对" in banner
        assert fetch(base + "/")[0] == 500
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_port_in_use_is_reported(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "generator", "serve", "--content", str(FIXTURE), "-o", str(tmp_path / "p"),
             "--port", str(port)], cwd=REPO, capture_output=True, text=True, timeout=60,
            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 1
    assert f"无法使用端口 {port}" in result.stderr


# The preview's incremental build (preview/incremental.py): pipeline.build with the preview's state,
# record pages re-rendered by what they read while rendering (preview/record.py).

PREVIEW_DAY = date(2026, 11, 23)


@pytest.fixture
def example_preview(tmp_path):
    from generator.preview.incremental import Incremental

    content = Path(shutil.copytree(EXAMPLE, tmp_path / "content"))
    builder = Incremental(content, tmp_path / "preview")
    builder.build(PREVIEW_DAY, log=lambda line: None)
    return content, builder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def rebuild(builder) -> set[str]:
    builder.build(PREVIEW_DAY, log=lambda line: None)
    return set(builder.state.rendered)


def page(builder, rel: str) -> str:
    return (builder.out_dir / rel).read_text("utf-8")


def test_preview_edit_of_one_power_renders_its_page_its_department_and_the_pages_that_show_it(example_preview):
    content, builder = example_preview
    assert rebuild(builder) == set()  # nothing changed, nothing rendered
    edit(content / "powers/fagai.yaml", "name: 企业投资项目备案", "name: 企业投资项目备案（改）")
    rendered = rebuild(builder)
    assert rendered == {
        "powers/fagai-qt-001/index.html",
        "departments/fagai/index.html",
        "events/jianshe-kaigong/index.html",  # lists its steps' powers by name
        "policies/dafagai-2021-374/index.html",  # 相关事项: the powers it names
        "policies/dafagai-2024-58/index.html",
    }
    assert builder.rendered == 5
    assert "企业投资项目备案（改）" in page(builder, "events/jianshe-kaigong/index.html")
    assert "企业投资项目备案（改）" in page(builder, "policies/dafagai-2024-58/index.html")


def test_preview_policy_title_change_renders_the_power_pages_listing_it(example_preview):
    content, builder = example_preview
    edit(content / "policies/caizheng-shuiwu-2023-12.yaml", "title: ", "title: 新标题")
    rendered = rebuild(builder)
    assert "powers/shuiwu-zs-002/index.html" in rendered  # 相关政策 names the policy by title
    assert "新标题" in page(builder, "powers/shuiwu-zs-002/index.html")
    assert "powers/fagai-xk-001/index.html" not in rendered  # does not show it


def test_preview_follows_whatever_a_template_reads(example_preview, tmp_path, monkeypatch):
    """No hand-kept list: a template that reads something new is followed by what it read."""
    from generator.output import render

    content, builder = example_preview
    templates = Path(shutil.copytree(render.TEMPLATES, tmp_path / "templates"))
    power = templates / "records/power.html"
    power.write_text(power.read_text("utf-8")
                     + '<p id="newest">{{ site.record("policies", "dafagai-2025-112").title }}</p>\n', "utf-8")
    monkeypatch.setattr(render, "TEMPLATES", templates)
    assert "powers/fagai-xk-001/index.html" in rebuild(builder)  # a template changed: every page
    assert rebuild(builder) == set()
    edit(content / "policies/dafagai-2025-112.yaml", "title: ", "title: 改过的")
    rendered = rebuild(builder)
    assert "powers/shuiwu-zs-002/index.html" in rendered and "powers/fagai-xk-001/index.html" in rendered
    assert '<p id="newest">改过的' in page(builder, "powers/fagai-xk-001/index.html")
    assert "events/qiye-kaiban/index.html" not in rendered


def test_preview_event_page_follows_the_name_of_a_power_in_its_steps(example_preview):
    content, builder = example_preview
    edit(content / "powers/ziran.yaml", "id: ziran-xk-003\n", "id: ziran-xk-003\n")  # bytes unchanged: nothing
    assert rebuild(builder) == set()
    text = (content / "powers/ziran.yaml").read_text("utf-8")
    block = text[text.index("id: ziran-xk-003"):]
    name = block[block.index("name: ") + 6:].split("\n", 1)[0]
    edit(content / "powers/ziran.yaml", f"name: {name}\n", f"name: {name}（新）\n")
    rendered = rebuild(builder)
    assert "events/jianshe-kaigong/index.html" in rendered
    assert f"{name}（新）" in page(builder, "events/jianshe-kaigong/index.html")
    assert "events/qiye-kaiban/index.html" not in rendered  # its steps name other powers
    assert "powers/ziran-xk-001/index.html" not in rendered  # same file, unchanged power


# What only a full build writes into its output; the preview leaves it out (none at present).
FULL_BUILD_ONLY: set[str] = set()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_preview_output_equals_a_full_build_of_the_same_content(example_preview, tmp_path):
    content, builder = example_preview
    edit(content / "powers/fagai.yaml", "name: 企业投资项目核准", "name: 企业投资项目核准（改）")
    rebuild(builder)
    edit(content / "policies/caizheng-shuiwu-2023-12.yaml", "title: ", "title: 新标题")
    rebuild(builder)
    events = sorted((content / "events").glob("*.yaml"))
    removed = events[0].read_bytes()
    events[0].unlink()  # a page the build no longer produces goes away
    rebuild(builder)
    assert not (builder.out_dir / "events" / events[0].stem).exists()
    events[0].write_bytes(removed)  # and comes back with its record
    assert f"events/{events[0].stem}/index.html" in rebuild(builder)
    events[1].unlink()
    rebuild(builder)
    assert not (builder.out_dir / "events" / events[1].stem).exists()
    same_as_full_build(content, builder, tmp_path / "full-1")
    edit(content / "site.yaml", "name: ", "name: 新")  # new shells: every page
    rebuild(builder)
    same_as_full_build(content, builder, tmp_path / "full-2")


def same_as_full_build(content: Path, builder, out: Path) -> None:
    from generator.pipeline import build

    build(content, out, PREVIEW_DAY, log=lambda line: None, workers=2, allow_drop=True)
    preview, full = tree(builder.out_dir), tree(out)
    assert set(full) - set(preview) == FULL_BUILD_ONLY
    assert set(preview) - set(full) == set()
    assert [rel for rel in full if preview[rel] != full[rel]] == []
