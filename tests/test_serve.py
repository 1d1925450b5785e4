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
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from browser import preview_server
from conftest import EDITING

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
