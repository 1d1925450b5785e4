"""一件事 (events/<id>.yaml): a kind added by one module, its templates and one registry line."""

from __future__ import annotations

import csv
import io
import json

import pytest
from bs4 import BeautifulSoup

from conftest import EXAMPLE, TODAY
from generator.pipeline import build, check, search_docs

EIGHT = ("企业开办", "开办餐饮店", "开办药店", "建设项目开工", "二手房转移登记", "新生儿出生", "退休", "企业注销")

EVENT = """\
    id: kaiban-canyin
    title: 开办餐饮店
    audience: 企业
    aliases: [开饭店, 开餐馆]
    summary: 开办一家餐饮店需要办理的营业执照、食品经营许可等事项，一次申请、并联办理。
    lead: shichang
    steps:
      - power: sc-2
        note: 先领营业执照
      - power: sc-1
    promised_days: 5
    channels:
      online: https://zwfw.example.gov.cn/yijianshi/canyin
      hall: 测试市政务服务中心一楼“一件事”综合窗口
    materials:
      - 经营场所使用证明
      - 从业人员健康证明
    status: 有效
    """

POWER_2 = """\
    - id: sc-2
      name: 企业设立登记
      category: 行政许可
      basis:
        - law: 《中华人民共和国市场主体登记管理条例》
          article: 第三条
      time_limit: {statutory_days: 3, promised_days: 1}
      channels:
        online: https://zwfw.example.gov.cn/item/sc-2
        hall: 测试市政务服务中心二楼市场准入窗口
      status: 有效
    """


def article(site, url) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text("utf-8"), "html.parser").select_one("article")


@pytest.fixture
def small(tree, tmp_path):
    from conftest import MINIMAL
    import textwrap

    powers = textwrap.dedent(MINIMAL["powers/shichang.yaml"]) + textwrap.dedent(POWER_2)
    content = tree({"powers/shichang.yaml": powers, "events/kaiban-canyin.yaml": EVENT})
    return content


def test_example_has_the_eight_events_with_known_powers():
    content, site = check(EXAMPLE, TODAY)
    assert content.all_problems() == []
    events = site.records["events"]
    assert len(events) >= 8
    assert set(EIGHT) <= {e.title for e in events}
    for event in events:
        assert len(event.steps) >= 2, event.id
        assert all(site.record("powers", s.power) is not None for s in event.steps), event.id


def test_event_page_lists_the_steps_in_order_with_departments(small, tmp_path):
    out = tmp_path / "site"
    build(small, out, TODAY, log=lambda line: None)
    body = article(out, "events/kaiban-canyin")
    assert body.h1.get_text(" ", strip=True) == "开办餐饮店 有效"
    steps = body.select("ol.steps > li")
    assert [li.select_one("a.step-power").get_text(strip=True) for li in steps] == ["企业设立登记", "食品生产许可"]
    assert [li.select_one("a.step-power")["href"] for li in steps] == ["../../powers/sc-2/", "../../powers/sc-1/"]
    assert [li.select_one("a.step-department")["href"] for li in steps] == ["../../departments/shichang/"] * 2
    first = {tr.th.get_text(strip=True): tr.td.get_text(" ", strip=True) for tr in steps[0].select("tr")}
    assert first["办理部门"] == "测试市市场监督管理局"
    assert first["法定时限"] == "3 个工作日" and first["承诺时限"] == "1 个工作日"
    assert first["线下办理"] == "测试市政务服务中心二楼市场准入窗口"
    assert steps[0].select_one("p.step-note").get_text(strip=True) == "先领营业执照"
    facts = {tr.th.get_text(strip=True): tr.td.get_text(" ", strip=True) for tr in body.select_one("table.facts").select("tr")}
    assert facts["牵头部门"] == "测试市市场监督管理局"
    assert facts["办理对象"] == "企业"
    assert facts["承诺时限"] == "5 个工作日"
    assert facts["线下办理"] == "测试市政务服务中心一楼“一件事”综合窗口"
    assert [li.get_text(strip=True) for li in body.select("#materials + ul li")] == ["经营场所使用证明", "从业人员健康证明"]


def test_power_page_links_the_events_it_belongs_to(small, tmp_path):
    out = tmp_path / "site"
    build(small, out, TODAY, log=lambda line: None)
    for power in ("sc-1", "sc-2"):
        links = article(out, f"powers/{power}").select("#events + ul a")
        assert [(a.get_text(), a["href"]) for a in links] == [("开办餐饮店", "../../events/kaiban-canyin/")]


def test_events_list_open_data_search_and_navigation(small, tmp_path):
    out = tmp_path / "site"
    build(small, out, TODAY, log=lambda line: None)
    rows = article(out, "events").select("table.records tbody tr")
    assert [(tr.a.get_text(), tr.a["href"]) for tr in rows] == [("开办餐饮店", "../events/kaiban-canyin/")]
    data = list(csv.DictReader(io.StringIO((out / "data/events.csv").read_text("utf-8-sig"))))
    assert data == [{"id": "kaiban-canyin", "title": "开办餐饮店", "audience": "企业", "aliases": "开饭店；开餐馆",
                     "lead": "shichang", "lead_name": "测试市市场监督管理局", "steps": "sc-2；sc-1",
                     "promised_days": "5", "status": "有效", "url": "https://example.gov.cn/events/kaiban-canyin/"}]
    assert json.loads((out / "data/events.json").read_text("utf-8"))[0]["steps"] == "sc-2；sc-1"
    home = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    tabs = [a.get_text(strip=True) for a in home.select(".md-tabs__link")]
    assert tabs[tabs.index("任务清单") + 1] == "一件事"
    assert home.select_one('.md-tabs a.md-tabs__link[href="events/"]') is not None


def test_search_finds_an_event_by_its_alias(small):
    _, site = check(small, TODAY)
    docs = [d for d in search_docs(site) if d["url"] == "events/kaiban-canyin/"]
    assert len(docs) == 1 and docs[0]["kind"] == "一件事"
    assert "开饭店" in docs[0]["text"] and "企业设立登记" in docs[0]["text"]


def test_events_csv_has_its_header_without_events(tree, tmp_path):
    out = tmp_path / "site"
    build(tree(), out, TODAY, log=lambda line: None)
    assert (out / "data/events.csv").read_bytes() == (
        "\ufeffid,title,audience,aliases,lead,lead_name,steps,promised_days,status,url\r\n".encode("utf-8"))


def test_unknown_power_and_lead_are_located_errors(tree, monkeypatch):
    bad = EVENT.replace("power: sc-2", "power: sc-404").replace("lead: shichang", "lead: nowhere")
    content_dir = tree({"events/kaiban-canyin.yaml": bad})
    monkeypatch.chdir(content_dir.parent)
    content, site = check(content_dir, TODAY)
    assert site is None
    assert [p.format() for p in content.all_problems()] == [
        "content/events/kaiban-canyin.yaml:6:7: error: 引用了不存在的部门标识 nowhere",
        "content/events/kaiban-canyin.yaml:8:12: error: 引用了不存在的权责事项标识 sc-404：您是不是要写 sc-1？",
    ]


def test_example_event_pages_parsed(example_site):
    """Every example event: its steps in order, each power's department, and the power pages linking back."""
    _, site = check(EXAMPLE, TODAY)
    for event in site.records["events"]:
        body = article(example_site, f"events/{event.id}")
        steps = body.select("ol.steps > li")
        assert [li.select_one("a.step-power")["href"] for li in steps] == [
            f"../../powers/{s.power}/" for s in event.steps]
        assert [li.select_one("a.step-department")["href"] for li in steps] == [
            f"../../departments/{site.relations['powers'].department[s.power].id}/" for s in event.steps]
        for step in event.steps:
            backlinks = [a["href"] for a in article(example_site, f"powers/{step.power}").select("#events + ul a")]
            assert f"../../events/{event.id}/" in backlinks
    listed = [tr.a["href"] for tr in article(example_site, "events").select("table.records tbody tr")]
    assert sorted(listed) == sorted(f"../events/{e.id}/" for e in site.records["events"])
