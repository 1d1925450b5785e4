"""The preview in a real Chromium, under the site's own Content-Security-Policy: an edit on
disk shows in the open page, a broken file shows a panel in view with every problem, and
the form editor changes and adds records as an editor would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser import preview_server
from conftest import EDITING
from test_serve import wait_for

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

# Reported to the test from every document the tab loads (a reload starts a new one).
REPORT = """
document.addEventListener('securitypolicyviolation', e => window.reportViolation(
  e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));
"""
WAIT = 20_000  # ms: generous for a loaded CI machine; the timings themselves are in docs/performance.md


@pytest.fixture
def live(tmp_path):
    content = Path(shutil.copytree(EDITING, tmp_path / "content"))
    with preview_server(content, tmp_path / "preview") as base:
        wait_for(base + "/", lambda s, p: s == 200)
        yield content, base


@pytest.fixture
def tab(browser):
    """A page whose CSP violations and script errors (on any document it loads) fail the test."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.expose_function("reportViolation", lambda text: problems.append(text))
    page.add_init_script(REPORT)
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    yield page
    context.close()
    assert problems == []


def test_an_edit_on_disk_shows_in_the_open_page(live, tab):
    content, base = live
    tab.goto(base + "/powers/sc-xk-001/")
    expect(tab.locator("h1")).to_contain_text("食品经营许可")
    file = content / "powers" / "shichang.yaml"
    file.write_text(file.read_text("utf-8").replace("name: 食品经营许可\n", "name: 食品经营许可（2024年修订）\n"), "utf-8")
    expect(tab.locator("h1")).to_contain_text("食品经营许可（2024年修订）", timeout=WAIT)


def test_a_broken_file_shows_every_problem_in_view_until_it_is_fixed(live, tab):
    content, base = live
    file = content / "powers" / "shichang.yaml"
    good = file.read_text("utf-8")
    tab.goto(base + "/powers/sc-xk-001/")
    file.write_text(good.replace("category: 行政处罚", "category: 行政处罚书").replace("status: 已下放", "status: 下放"), "utf-8")
    panel = tab.locator("#preview-problems")
    panel.wait_for(state="visible", timeout=WAIT)
    items = panel.locator("li")
    assert [text.split("content/", 1)[1] for text in items.all_inner_texts()] == [
        "powers/shichang.yaml:40:13: error: “行政处罚书”不是有效的职权类型，应为以下之一：行政许可、行政处罚、行政强制、行政征收、"
        "行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力、公共服务。您是不是要写 行政处罚？",
        "powers/shichang.yaml:52:11: error: “下放”不是有效的事项状态，应为以下之一：有效、已取消、已下放、已调整、暂停。"
        "您是不是要写 已下放？",
    ]
    assert items.first.locator("a").get_attribute("href") == f"vscode://file{file.resolve()}:40:13"
    # In view and styled: fixed at the top, on top of the page, in the panel's colours.
    box = panel.bounding_box()
    assert box["y"] == 0 and box["x"] == 0 and box["width"] == 1280 and 60 < box["height"] <= 900
    style = panel.evaluate("e => { const s = getComputedStyle(e); return [s.position, s.backgroundColor, s.borderBottomColor] }")
    assert style == ["fixed", "rgb(255, 243, 243)", "rgb(204, 0, 0)"]
    assert tab.evaluate("document.elementFromPoint(640, 20).closest('#preview-problems') !== null")
    expect(tab.locator("h1")).to_contain_text("食品经营许可")  # the last good page underneath
    file.write_text(good, "utf-8")
    panel.wait_for(state="detached", timeout=WAIT)


def open_editor(tab, base: str, page: str, link: str) -> None:
    tab.goto(base + page)
    tab.get_by_role("link", name=link).click()
    tab.get_by_role("button", name="保存", exact=True).wait_for()


def test_the_form_changes_a_time_limit_and_adds_a_responsibility(live, tab):
    content, base = live
    file = content / "powers" / "shichang.yaml"
    before = file.read_text("utf-8")
    open_editor(tab, base, "/powers/sc-xk-001/", "编辑此事项")
    assert tab.get_by_label("职权类型（必填）").evaluate("e => e.tagName") == "SELECT"
    assert tab.get_by_label("生效日期").get_attribute("type") == "date"
    promised = tab.get_by_label("承诺时限（工作日）")
    expect(promised).to_have_value("10")
    assert promised.evaluate("e => document.getElementById(e.getAttribute('aria-describedby')).textContent") == "不得超过法定时限"
    promised.fill("5")
    tab.get_by_role("button", name="添加责任事项").click()
    tab.get_by_label("责任事项 第 3 项").fill("决定责任：作出准予或不予许可的决定。")
    tab.get_by_role("button", name="上移责任事项第 3 项").click()  # reordered: the new one becomes the second
    tab.get_by_role("button", name="保存", exact=True).click()
    tab.wait_for_url(base + "/powers/sc-xk-001/", timeout=WAIT)
    expect(tab.locator("#responsibilities + ol li")).to_have_text(
        ["受理责任：公示依法应当提交的材料。", "决定责任：作出准予或不予许可的决定。", "审查责任：对申请材料进行审查。"], timeout=WAIT)
    expect(tab.get_by_text("5 个工作日")).to_be_visible()
    assert file.read_text("utf-8") == before.replace(
        "    - 受理责任：公示依法应当提交的材料。\n",
        "    - 受理责任：公示依法应当提交的材料。\n    - 决定责任：作出准予或不予许可的决定。\n").replace(
        "promised_days: 10\n", "promised_days: 5\n")


def test_the_form_adds_a_power_from_the_department_page(live, tab):
    content, base = live
    file = content / "powers" / "shichang.yaml"
    before = file.read_text("utf-8")
    open_editor(tab, base, "/departments/shichang/", "新增权责事项")
    expect(tab.get_by_label("所属部门（必填）")).to_have_value("shichang")
    tab.get_by_label("事项标识（必填）").fill("sc-xk-009")
    tab.get_by_label("职权名称（必填）").fill("食品小作坊登记")
    tab.get_by_label("职权类型（必填）").select_option("行政许可")
    tab.get_by_role("button", name="添加设定依据").click()
    tab.get_by_label("法律法规名称（必填）").fill("《辽宁省食品安全条例》")
    tab.get_by_label("事项状态（必填）").select_option("有效")
    tab.get_by_role("button", name="保存", exact=True).click()
    tab.wait_for_url(base + "/powers/sc-xk-009/", timeout=WAIT)
    expect(tab.locator("h1")).to_contain_text("食品小作坊登记", timeout=WAIT)
    assert file.read_text("utf-8") == before + (
        "- id: sc-xk-009\n  name: 食品小作坊登记\n  category: 行政许可\n  basis:\n"
        "    - law: 《辽宁省食品安全条例》\n  status: 有效\n")


def test_the_form_shows_an_invalid_value_next_to_its_field_and_writes_nothing(live, tab):
    content, base = live
    file = content / "powers" / "shichang.yaml"
    before = file.read_text("utf-8")
    open_editor(tab, base, "/powers/sc-xk-001/", "编辑此事项")
    tab.get_by_label("承诺时限（工作日）").fill("30")
    tab.get_by_role("button", name="保存", exact=True).click()
    error = tab.locator("fieldset[data-key='time_limit'] > .field-error")  # next to the 办理时限 fields
    error.wait_for(timeout=WAIT)
    text = error.inner_text()
    assert text.startswith("承诺时限 30 个工作日超过了法定时限 20 个工作日，承诺时限不得超过法定时限（")
    assert text.endswith("powers/shichang.yaml:22:5）")
    expect(tab.get_by_role("status")).to_have_text("有 1 个问题，文件没有修改。请按提示改正后再保存。")
    assert file.read_text("utf-8") == before
    assert tab.url.startswith(base + "/__preview__/edit")


def test_references_are_searchable_pickers_fed_by_the_sites_ids_and_names(live, tab):
    content, base = live
    file = content / "policies" / "rencai-2024.yaml"
    before = file.read_text("utf-8")
    open_editor(tab, base, "/policies/rencai-2024/", "编辑此事项")
    tab.get_by_role("button", name="添加相关权责事项").click()
    picker = tab.get_by_label("相关权责事项 第 1 项", exact=True)
    assert picker.get_attribute("list") == "choices-powers"
    options = tab.locator("#choices-powers option")
    assert options.evaluate_all("os => os.map(o => [o.value, o.label])")[0] == ["sc-xk-001", "食品经营许可（sc-xk-001）"]
    assert tab.get_by_label("发文机关 第 1 项", exact=True).get_attribute("list") == "choices-departments"
    picker.fill("sc-cf-002")
    tab.get_by_role("button", name="保存", exact=True).click()
    tab.wait_for_url(base + "/policies/rencai-2024/", timeout=WAIT)
    assert file.read_text("utf-8").replace("related_powers:\n  - sc-cf-002\n", "") == before
