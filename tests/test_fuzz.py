"""Property-based tests: random and mutated YAML never crashes the loader; random valid
records go through the real renderer and every page keeps the HTML invariants."""

from __future__ import annotations

import re
from datetime import date

import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, TODAY, write_tree
from generator.errors import ContentError
from generator.content.load import load_file, load_text
from generator.pipeline import build
from generator.content.refusals import FORBIDDEN_CHARS
from generator.publish.scan import UnsafeOutput, scan_site

SEEDS = [p.read_text("utf-8")[:3000] for p in sorted(EXAMPLE.rglob("*.yaml"))[:12]]
YAML_CHARS = list("-:?[]{},&*!|>'\"%@`#\n\t \\") + ["\x00", "\u202e", "\ufeff", "\u200b", "\ud800", "---\n", "...\n",
                                                    "&a ", "*a", "!!python/object ", "%YAML 1.1\n", "\\u202e", "\\x00",
                                                    "#N/A", "_x000D_", "1.23E+11", "    ", "\r\n", "？", "：", "１３８"]


def plain(value):
    """Only the plain types a loader may return."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and not FORBIDDEN_CHARS.search(k) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    if isinstance(value, str):
        return not FORBIDDEN_CHARS.search(value)
    return value is None or isinstance(value, (bool, int, float))


def check_loader(text: str) -> None:
    data, problems = load_text(text, "content/x.yaml")  # must not raise (hypothesis' deadline catches a hang)
    for problem in problems:
        assert problem.file == "content/x.yaml" and problem.line >= 1 and problem.column >= 1 and problem.message
        assert not problem.message.startswith("YAML 格式错误"), problem.message  # every libyaml message translated
    if not problems:
        assert plain(data), data  # nothing the loader lets through carries a forbidden character


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.characters(codec="utf-8") | st.sampled_from(YAML_CHARS), max_size=120).map("".join))
def test_random_text_never_crashes_the_loader(text):
    check_loader(text)


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        piece = draw(st.sampled_from(YAML_CHARS) | st.text(max_size=4))
        if op == "insert":
            text = text[:at] + piece + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        elif op == "replace":
            text = text[:at] + piece + text[at + len(piece):]
        else:
            text = text[:at] + text[at:at + 40] * draw(st.integers(2, 30)) + text[at + 40:]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_content_never_crashes_the_loader(text):
    check_loader(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=400) | mutated().map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_random_bytes_never_crash_load_file(tmp_path, raw):
    path = tmp_path / "x.yaml"
    path.write_bytes(raw)
    loaded = load_file(path, "content/x.yaml")
    if not loaded.problems:
        assert plain(loaded.data)


# --- random valid records through the real renderer ------------------------------------

# Any text a department might send, markup and template syntax included, but no digits (a
# random digit run may be a phone number, which the gate rightly refuses) and nothing the
# loader refuses anyway.
TEXT = st.lists(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Nd"))
    | st.sampled_from(["<script>", "</script>", "<img src=x onerror=alert(1)>", "{{ 7*7 }}", "{% if 1 %}", "&amp;",
                       "javascript:", "\"", "'", "<", ">", "&", "]]>", "-->", "${x}", "#{x}", "<!--", "\\", "政策", "事项"]),
    min_size=1, max_size=24,
).map("".join).map(lambda s: s.replace("\ufffd", "").strip()).filter(lambda s: s and not re.search(r"#(N/A|REF!|VALUE!|DIV/0!|NAME\?|NUM!|NULL!)|_x[0-9A-Fa-f]{4}_", s))
MARKDOWN = st.lists(TEXT | st.sampled_from(["## 标题", "- 项", "1. 项", "> 引", "`code`", "**粗**", "[链接](https://a.example/)",
                                            "[坏](javascript:alert(1))", "| a |\n|---|\n| b |", "```\n<script>\n```"]),
                    max_size=6).map("\n\n".join)
# The site's name goes into mkdocs-material's own templates, which do not escape: theme.py must
# escape it (reported in issue 6; tests/test_scan.py checks it with markup). Here: no markup.
NAME = TEXT.filter(lambda s: not set(s) & set("<>&\"'"))
DAY = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def site_tree(draw) -> dict[str, str]:
    powers = [{"id": f"sc-{i}", "name": draw(TEXT), "category": "行政许可", "basis": [{"law": draw(TEXT), "text": draw(TEXT)}],
               "status": draw(st.sampled_from(["有效", "已取消", "已下放"])), "responsibilities": draw(st.lists(TEXT, max_size=3)) or None,
               "process": draw(st.lists(TEXT, max_size=3)) or None, "implementer": draw(TEXT)}
              for i in range(1, draw(st.integers(1, 4)) + 1)]
    policy = {"id": "p1", "title": draw(TEXT), "issuers": ["shichang", "国务院" + draw(TEXT)], "issued": draw(DAY), "status": "有效",
              "summary": draw(TEXT), "body": draw(MARKDOWN), "topics": draw(st.lists(TEXT, max_size=3)) or None,
              "interpretation": {"by": draw(TEXT), "text": draw(MARKDOWN)}, "related_powers": ["sc-1"]}
    entries = [{"id": f"e-{i}", "board": board, "subject": draw(TEXT), "subject_kind": draw(st.sampled_from(["单位", "企业"])),
                "facts": draw(TEXT), "outcome": draw(TEXT), "status": draw(st.sampled_from(["公示中", "已整改", "已撤销"])),
                **({"publish_until": draw(DAY)} if board == "black" else {})}
               for i, board in enumerate(draw(st.lists(st.sampled_from(["red", "black"]), min_size=1, max_size=4)))]
    issue = {"id": "2026-01", "title": draw(TEXT), "publisher": "shichang", "published": date(2026, 1, 10), "entries": entries}
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)  # noqa: E731
    return {
        "site.yaml": dump({"name": draw(NAME), "region": draw(TEXT), "publisher": draw(TEXT), "base_url": "https://example.gov.cn/"}),
        "departments.yaml": dump([{"id": "shichang", "name": draw(TEXT), "region": draw(TEXT)}]),
        "powers/shichang.yaml": dump([{k: v for k, v in p.items() if v is not None} for p in powers]),
        "policies/p1.yaml": dump({k: v for k, v in policy.items() if v is not None}),
        "boards/2026-01.yaml": dump(issue),
    }


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=site_tree())
def test_random_records_render_with_the_html_invariants(tmp_path_factory, files):
    root = tmp_path_factory.mktemp("fuzz")
    content = write_tree(root / "content", files)
    try:
        build(content, root / "site", TODAY, log=lambda line: None, workers=1)  # the post-build scan runs inside
    except UnsafeOutput:
        raise  # markup from data reached a page: the failure this test is for
    except ContentError:
        return  # content the gates refuse is a located problem, not a crash
    site = root / "site"
    assert scan_site(site) == []
    policy = yaml.safe_load(files["policies/p1.yaml"])
    soup = BeautifulSoup((site / "policies/p1/index.html").read_text("utf-8"), "html.parser")
    assert " ".join(soup.select_one("article h1").get_text().split()).startswith(" ".join(policy["title"].split()))
    assert " ".join(policy["summary"].split()) in " ".join(soup.get_text().split())
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for tag in soup.find_all(True):
            assert not [a for a in tag.attrs if a.lower().startswith("on")], (page, tag)
            if tag.name == "a":
                assert not re.match(r"\s*(javascript|vbscript|data):", tag.get("href", ""), re.I), (page, tag)
        assert not soup.find_all(["iframe", "object", "embed", "img"]), page
        for script in soup.find_all("script"):
            assert script.get("src", "").endswith(".js") or not script.get("src"), page
            assert "alert" not in script.get_text(), page
