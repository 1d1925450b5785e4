"""Post-build scan of the whole output, run on the staging directory before it is published.

Two promises are checked on every HTML page, whatever template or content produced it:

- **No markup from data.** The only scripts are our own files under `assets/` and inline
  scripts that the page's own Content-Security-Policy allows by their hash (`csp.py`: the
  theme writes the hashes of the inline scripts it writes);
  there is no event-handler attribute, no `javascript:`-style URL, no iframe, frame, object,
  embed, applet, base, portal or math element, no form but our search forms (exact known
  markup), no <meta>/<link> outside <head>, and no bidirectional or zero-width character.
- **Every internal link and #anchor resolves** to a file of the output (and an id in it).

Speed (24,000 pages, about 400 MB): each page is read once and searched with a handful of
byte regular expressions that start with a literal, so they run at memory speed; matches
are rare and only they are examined closely. Links repeated on every page (navigation,
header, footer) are resolved once per directory depth. Pages are split over forked workers.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import posixpath
import re
from collections.abc import Callable
from functools import lru_cache
from html import unescape
from pathlib import Path
from urllib.parse import unquote

from generator.publish.csp import source_hash
from generator.errors import ContentError, Problem

# Each pattern starts with a literal, so the regular expression engine skips ahead at memory speed.
_TAG = re.compile(rb"<(script|iframe|frame|object|embed|applet|base|form|portal|math)\b")
_HEAD_TAG = re.compile(rb"<(meta|link)\b")
_HANDLER = re.compile(rb"on(?<=[\s/\"']on)[a-z]+\s*=")  # "on…=" right after a space, slash or quote
_SCHEME_WORD = re.compile(rb"script:")
_INVISIBLE = re.compile(rb"\xe2(?:\x80[\x8b-\x8f\xaa-\xae]|\x81[\xa0-\xa4\xa6-\xa9])")  # bidi, zero-width
_HREF = re.compile(rb' href="([^"]*)"')
_LOOSE_HREF = re.compile(rb'href\s*=\s*[^"\s]')  # every href of ours is double-quoted
_CSP_META = re.compile(rb'<meta http-equiv="content-security-policy" content="([^"]*)"')
_ATTR = re.compile(rb'\s*([^\s"\'>/=]+)(?:\s*=\s*(?:"[^"]*"|\'[^\']*\'|[^\s>]*))?|\s*/')
_SCRIPT_SRC = re.compile(rb'<script src="([^"<>]+)"(?: defer)?>\Z')  # main.html defers them
_FORM = re.compile(rb'<form class="(?:site|home)-search" role="search" action="([^"<>]*)" method="get"'
                   rb'(?: data-site-root="[^"<>]*")?(?: id="[a-z-]+")?>\Z')
_CONFIG = b'<script id="__config" type="application/json">'
_URL_ATTRS = frozenset((b"href", b"src", b"action", b"formaction", b"xlink:href", b"data", b"poster", b"background",
                        b"cite", b"srcset", b"ping", b"manifest", b"codebase", b"archive", b"longdesc", b"usemap"))
_SAFE_SCHEMES = frozenset(("http", "https", "mailto", "tel"))
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


class UnsafeOutput(ContentError):
    """The built site failed the scan; it is not published."""


def scan_site(root: Path, shown_as: str = "site", base_path: str = "/", workers: int = 1) -> list[Problem]:
    """Every problem in the site built in `root`, reported as `shown_as/<page>:line:column`.

    `base_path` is the URL path the site is served under (from site.yaml's base_url)."""
    files = _all_files(root)
    pages = sorted(f for f in files if f.endswith(".html"))
    global _STATE
    _STATE = (root, files, base_path if base_path.endswith("/") else base_path + "/")
    try:
        if workers > 1 and len(pages) > 2000 and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                parts = pool.map(_scan_pages, [pages[i::workers] for i in range(workers)])
        else:
            parts = [_scan_pages(pages)]
    finally:
        _STATE = None
    problems = [p for part in parts for p in part]
    return sorted(Problem(f"{shown_as}/{p.file}", p.line, p.column, p.message) for p in problems)


def check_site(root: Path, shown_as: str = "site", base_path: str = "/", workers: int = 1) -> None:
    """Raise `UnsafeOutput` with every problem if the built site must not be published."""
    problems = scan_site(root, shown_as, base_path, workers)
    if problems:
        raise UnsafeOutput(problems)


_STATE: tuple[Path, set[str], str] | None = None  # (root, files, base_path), inherited by forked workers


def _all_files(root: Path) -> set[str]:
    found: set[str] = set()
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((prefix + entry.name + "/", entry.path))
                else:
                    found.add(prefix + entry.name)
    return found


def _scan_pages(pages: list[str]) -> list[Problem]:
    assert _STATE is not None, "scan_site sets the state its workers read"
    root, files, base_path = _STATE
    links = _Links(files, base_path)
    problems: list[Problem] = []
    for rel in pages:
        with open(os.path.join(root, rel), "rb") as f:
            data = f.read()
        problems += _Page(rel, data, links).problems()
    targets: dict[str, bytes] = {}
    for rel, data, raw, href, target, fragment in links.fragments:
        if target not in targets:
            targets[target] = Path(root, target).read_bytes()
        if not _has_id(targets[target], fragment):
            page = _Page(rel, data, links)
            page.fail_href(raw, f"站内链接 {href} 的锚点 #{fragment} 在目标页面中不存在")
            problems += page.found
    return problems


def _problem(rel: str, data: bytes, offset: int, message: str) -> Problem:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return Problem(rel, data.count(b"\n", 0, offset) + 1, column, message)


def _has_id(data: bytes, fragment: str) -> bool:
    needle = fragment.replace("&", "&amp;").replace('"', "&#34;").encode("utf-8")
    if b' id="' + needle + b'"' in data or b' name="' + needle + b'"' in data:
        return True
    return any(unescape(m.decode("utf-8", "replace")) == fragment
               for m in re.findall(rb'\s(?:id|name)="([^"]*)"', data))


class _Page:
    """One page's bytes, examined where the fast searches found something."""

    def __init__(self, rel: str, data: bytes, links: "_Links"):
        self.rel, self.data, self.links = rel, data, links
        self.low = data.lower()  # ASCII only: offsets stay the same
        self.found: list[Problem] = []
        self.scripts: list[tuple[int, int]] = []  # (start, end) of every script element

    def fail(self, offset: int, message: str) -> None:
        self.found.append(_problem(self.rel, self.data, offset, message))

    def problems(self) -> list[Problem]:
        low, data = self.low, self.data
        head_end = low.find(b"</head>")
        csp = _CSP_META.search(low, 0, head_end if head_end >= 0 else len(low))
        allowed: frozenset[str] | None = _script_sources(data[csp.start(1):csp.end(1)]) if csp else frozenset()
        if csp is None and head_end >= 0:
            self.fail(0, "页面缺少 Content-Security-Policy（generator/templates/overrides/main.html 的 extrahead）")
            allowed = None  # its inline scripts cannot be told apart: the missing policy is the problem
        for match in _HEAD_TAG.finditer(low, max(head_end, 0)):
            self.fail(match.start(), f"<{match.group(1).decode()}> 只能出现在 <head> 中，这一处可能来自内容数据")
        for match in _TAG.finditer(low):
            name, at = match.group(1).decode(), match.start()
            if name == "script":
                self.script(at, allowed)
            elif name == "form":
                self.form(at)
            else:
                self.fail(at, f"页面中不允许出现 <{name}> 元素（可能来自内容数据）：{self.snippet(at)}")
        for match in _HANDLER.finditer(low):
            attribute = self.attribute_at(match.start())
            if attribute is not None and attribute[1] == match.start():
                self.fail(match.start(), f"页面中不允许出现事件属性 {attribute[0].decode()}=（可能来自内容数据）")
        for match in _SCHEME_WORD.finditer(low):
            attribute = self.attribute_at(match.start())
            if attribute is not None and attribute[0] in _URL_ATTRS and attribute[0] != b"href":  # hrefs: below
                self.fail(attribute[1], f"页面中不允许出现脚本链接：{self.snippet(attribute[1])}")
        hrefs = _HREF.findall(data)
        if low.count(b"href") != len(hrefs):  # a link of ours is always written href="…"
            for match in _LOOSE_HREF.finditer(low):
                attribute = self.attribute_at(match.start())
                if attribute is not None and attribute[1] == match.start():
                    self.fail(match.start(), f"链接地址没有用双引号括起（可能来自内容数据）：{self.snippet(match.start())}")
        invisible = _INVISIBLE.search(data)
        if invisible:
            char = invisible.group().decode("utf-8")
            self.fail(invisible.start(), f"页面含有双向控制或零宽字符 U+{ord(char):04X}（可能来自内容数据）")
        self.links.check(self, set(hrefs))
        return self.found

    def fail_href(self, raw: bytes, message: str) -> None:
        """Report a bad href where it is an attribute of a tag (the same text in a text node,
        quotes unescaped by the markdown renderer, is harmless and not reported)."""
        needle = b' href="' + raw + b'"'
        at = self.data.find(needle)
        while at >= 0:
            attribute = self.attribute_at(at + 1)
            if attribute is not None and attribute[1] == at + 1:
                self.fail(at + 7, message)
                return
            at = self.data.find(needle, at + 1)

    def snippet(self, at: int) -> str:
        return self.data[max(at, 0):max(at, 0) + 80].decode("utf-8", "replace").split("\n")[0]

    def in_script(self, at: int) -> bool:
        return any(start < at < end for start, end in self.scripts)

    def attribute_at(self, at: int) -> tuple[bytes, int] | None:
        """(name, name offset) of the attribute of a start tag that covers offset `at`."""
        low = self.low
        lt = low.rfind(b"<", 0, at)
        if lt < 0 or low.rfind(b">", 0, at) > lt or self.in_script(at):
            return None
        name_end = lt + 1
        while name_end < len(low) and low[name_end:name_end + 1] not in b" \t\n\r\f/>":
            name_end += 1
        pos = name_end
        while pos < len(low) and low[pos:pos + 1] != b">":
            match = _ATTR.match(low, pos)
            if match is None or match.end() == pos:
                pos += 1
                continue
            if match.start(1) <= at < match.end() and match.group(1) is not None:
                return match.group(1), match.start(1)
            pos = match.end()
        return None

    def scope(self, tag: bytes, attribute: bytes) -> object:
        """What a tag's verdict depends on: the page's depth when its URL (if any) climbs to
        the site root or is absolute, else the page itself."""
        depth = self.rel.count("/")
        if attribute not in tag or attribute + b"../" * depth in tag or attribute + b"/" in tag:
            return depth
        return self.rel

    def verdict(self, key: tuple, judge: Callable[[], str | None]) -> str | None:
        """Markup repeated on every page is judged once."""
        verdicts = self.links.verdicts
        if key not in verdicts:
            verdicts[key] = judge()
        return verdicts[key]

    def script(self, at: int, allowed: frozenset[str] | None) -> None:
        low, data = self.low, self.data
        open_end = low.find(b">", at) + 1
        close = low.find(b"</script", open_end)
        close = close if close >= 0 else len(low)
        self.scripts.append((at, close))
        tag, body = data[at:open_end], data[open_end:close]
        key = ("script", self.scope(tag, b' src="'), tag, body, allowed)
        message = self.verdict(key, lambda: self.judge_script(tag, body, allowed))
        if message:
            self.fail(at, message + self.snippet(at))

    def judge_script(self, tag: bytes, body: bytes, allowed: frozenset[str] | None) -> str | None:
        if tag == b"<script>" and (allowed is None or source_hash(body) in allowed):
            return None  # the theme's (main.html lists the hash of each inline script it writes),
            # or a page without a policy at all, which fails on that alone
        if tag == _CONFIG and _is_json(body):
            return None
        src = _SCRIPT_SRC.match(tag)
        if src and not body.strip():
            target = self.links.target(self.rel, unescape(src.group(1).decode("utf-8", "replace")))
            if isinstance(target, str) and target.startswith("assets/") and target.endswith(".js"):
                return None
        return "<script> 不是本站的脚本文件，也不是主题的已知内联脚本（可能来自内容数据）："

    def form(self, at: int) -> None:
        tag = self.data[at:self.low.find(b">", at) + 1]

        def judge() -> str | None:
            known = _FORM.match(tag)
            if known and self.links.target(self.rel, unescape(known.group(1).decode())) == "search/index.html":
                return None
            return "<form> 不是本站的搜索表单（可能来自内容数据）："

        message = self.verdict(("form", self.scope(tag, b' action="'), tag), judge)
        if message:
            self.fail(at, message + self.snippet(at))


@lru_cache(maxsize=64)
def _script_sources(policy: bytes) -> frozenset[str]:
    """The sources a Content-Security-Policy allows scripts from (script-src, else default-src)."""
    text = unescape(policy.decode("utf-8", "replace"))
    directives = {d.split()[0].lower(): d.split()[1:] for d in text.split(";") if d.split()}
    return frozenset(directives.get("script-src", directives.get("default-src", [])))


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


class _Links:
    """Resolves a page's hrefs against the set of output files."""

    def __init__(self, files: set[str], base_path: str):
        self.files = files
        self.base_path = base_path
        self.good: dict[str, set[bytes]] = {"": set()}  # folder -> hrefs that resolve from any page below it
        self.verdicts: dict[tuple, str | None] = {}  # repeated markup -> its problem (None: fine)
        self.fragments: list[tuple] = []  # cross-page anchors, checked once all pages are read

    def check(self, page: _Page, hrefs: set[bytes]) -> None:
        """Check a page's hrefs. One that climbs k folders ("../" k times) resolves the same
        from every page in the same folder k levels up, so it is checked once per such folder."""
        folders = page.rel.split("/")[:-1]
        depth = len(folders)
        scopes = ["/".join(folders[:i]) for i in range(depth)]  # "", "powers", … (not the page's own)
        for scope in scopes:
            hrefs = hrefs - self.good.setdefault(scope, set())
        for raw in hrefs:
            href = unescape(raw.decode("utf-8", "replace"))
            url = re.sub(r"[\t\n\r]", "", href).strip("\x00- ")
            scheme = _URL_SCHEME.match(url)
            if scheme or url.startswith("//"):
                if scheme and scheme.group(1).lower() not in _SAFE_SCHEMES:
                    page.fail_href(raw, f"链接使用了不允许的协议 {scheme.group(1)}:（只允许 http、https、mailto、tel 和站内链接）")
                elif raw.startswith((b"http", b"mailto:", b"tel:")):
                    self.good[""].add(raw)
                continue
            path, _, fragment = url.partition("#")
            path = path.partition("?")[0]
            fragment = unquote(fragment)
            if not path:
                if fragment and not _has_id(page.data, fragment):
                    page.fail_href(raw, f"页内链接 {href} 的锚点在本页中不存在")
                continue
            target = self.target(page.rel, path)
            if target is None:
                page.fail_href(raw, f"站内链接 {href} 指向的页面或文件不存在")
            elif fragment:
                self.fragments.append((page.rel, page.data, raw, href, target, fragment))
            elif path.startswith("/"):
                self.good[""].add(raw)
            else:
                climbs = 0
                while path.startswith("../", 3 * climbs):
                    climbs += 1
                if climbs:
                    self.good[scopes[max(depth - climbs, 0)]].add(raw)

    def target(self, page: str, path: str) -> str | None:
        """The output file a link from `page` leads to, or None if there is none."""
        path = unquote(path.partition("#")[0].partition("?")[0])
        if path.startswith("/"):
            if not path.startswith(self.base_path):
                return None
            joined = path[len(self.base_path):]
        else:
            joined = posixpath.join(posixpath.dirname(page), path)
        normal = posixpath.normpath(joined) if joined else "."
        if normal == ".." or normal.startswith("../"):
            return None
        normal = "" if normal == "." else normal
        if path.endswith("/") or not normal:
            candidate = posixpath.join(normal, "index.html")
            return candidate if candidate in self.files else None
        if normal in self.files:
            return normal
        candidate = normal + "/index.html"
        return candidate if candidate in self.files else None
