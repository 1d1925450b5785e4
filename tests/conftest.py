"""Shared fixtures: real content trees on disk, real builds, real output."""

from __future__ import annotations

import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest

from generator.pipeline import build

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "content"
EDITING = REPO / "tests" / "fixtures" / "editing" / "content"  # small tree the editors' tools rewrite
TODAY = date(2026, 11, 23)

MINIMAL = {
    "site.yaml": """\
        name: 测试市营商环境公开平台
        region: 测试市
        publisher: 测试市营商环境建设局
        base_url: https://example.gov.cn/
        """,
    "departments.yaml": """\
        - id: shichang
          name: 测试市市场监督管理局
          region: 市本级
          phone: '0411-12345678'
        """,
    "powers/shichang.yaml": """\
        - id: sc-1
          code: '0123'
          name: 食品生产许可
          category: 行政许可
          basis:
            - law: 《中华人民共和国食品安全法》
              article: 第三十五条
          status: 有效
        """,
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write a content tree; values are dedented YAML text (or bytes, written as-is)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), "utf-8")
    return root


@pytest.fixture
def tree(tmp_path):
    """A factory: tree({...overrides}) writes MINIMAL plus overrides and returns the content dir."""

    def make(files: dict[str, str] | None = None, base: dict[str, str] | None = None) -> Path:
        content = tmp_path / "content"
        merged = dict(MINIMAL if base is None else base)
        merged.update(files or {})
        return write_tree(content, {k: v for k, v in merged.items() if v is not None})

    return make


@pytest.fixture(scope="module")
def build_once(tmp_path_factory):
    """A factory for sites that a module's tests only read: MINIMAL plus `files`, built once."""

    def make(files: dict[str, str], base: dict[str, str] | None = None) -> Path:
        root = tmp_path_factory.mktemp("site")
        merged = {**(MINIMAL if base is None else base), **files}
        content = write_tree(root / "content", {k: v for k, v in merged.items() if v is not None})
        build(content, root / "site", TODAY, log=lambda line: None)
        return root / "site"

    return make


@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """The bundled example content, built once for the session."""
    out = tmp_path_factory.mktemp("example") / "site"
    build(EXAMPLE, out, TODAY, log=lambda line: None)
    return out


@pytest.fixture
def chdir_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def copy_example(dest: Path) -> Path:
    shutil.copytree(EXAMPLE, dest)
    return dest


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current output")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def browser():
    """One real Chromium (Debian's package) for the whole run, driven by Playwright."""
    from browser import CHROMIUM_ARGS, chromium_path

    playwright_api = pytest.importorskip("playwright.sync_api")
    path = chromium_path()
    if path is None:
        pytest.fail("Chromium is not installed: apt-get install chromium (nox -s tests does this as root)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def base_url(example_site):
    """The example site served on loopback."""
    from browser import serve_directory

    with serve_directory(example_site) as url:
        yield url


def checked_page(browser, **options):
    """A fresh desktop page in its own context; a script error on it fails the test."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


@pytest.fixture
def page(browser):
    yield from checked_page(browser)


@pytest.fixture
def content(tmp_path, monkeypatch) -> Path:
    """A writable copy of the editors' fixture tree, with the working directory beside it."""
    monkeypatch.chdir(tmp_path)
    return Path(shutil.copytree(EDITING, tmp_path / "content"))
