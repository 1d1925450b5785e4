"""The form editor's server side, driven over HTTP as the form drives it: a save is checked
with validate's own rules, rewrites only its record's lines, and only the preview's own
pages may make one."""

from __future__ import annotations

import difflib
import json
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from browser import preview_server
from conftest import EDITING, TODAY
from generator.pipeline import build
from test_serve import fetch, wait_for


@pytest.fixture
def preview(tmp_path):
    content = Path(shutil.copytree(EDITING, tmp_path / "content"))
    with preview_server(content, tmp_path / "preview") as base:
        wait_for(base + "/", lambda s, p: s == 200)
        yield content, base


def record(base: str, kind: str, record_id: str) -> dict:
    return json.loads(fetch(f"{base}/__preview__/record?kind={kind}&id={record_id}")[1])


def save(base: str, payload: dict, origin: str | None = None, host: str | None = None) -> tuple[int, dict]:
    origin = base if origin is None else origin
    headers = {"Content-Type": "application/json", "Origin": origin}
    if host:
        headers["Host"] = host
    request = urllib.request.Request(base + "/__preview__/save", json.dumps(payload).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_the_form_gets_the_record_schema_and_pickers(preview):
    content, base = preview
    form = record(base, "powers", "sc-xk-001")
    assert form["data"]["time_limit"] == {"statutory_days": 20, "promised_days": 10, "note": "不含现场核查时间"}
    assert form["data"]["effective"] == "2020-01-01"
    assert form["schema"] == {"$ref": "#/$defs/Power"}
    assert form["defs"]["Power"]["properties"]["category"]["title"] == "职权类型"
    assert ["shichang", "测试市市场监督管理局"] in form["choices"]["departments"]
    assert record(base, "policies", "rencai-2024")["references"] == {
        "issuers": "departments", "related_powers": "powers"}


def test_a_save_from_another_origin_or_host_is_refused(preview):
    content, base = preview
    file = content / "powers" / "shichang.yaml"
    before = file.read_text("utf-8")
    data = record(base, "powers", "sc-xk-001")["data"]
    data["name"] = "被篡改的事项"
    payload = {"kind": "powers", "id": "sc-xk-001", "data": data}
    port = base.rsplit(":", 1)[1]
    assert save(base, payload, origin="https://evil.example") == (403, {"error": "拒绝：只有本机预览页面可以修改内容"})
    assert save(base, payload, origin="", host=None)[0] == 403  # no Origin at all
    assert save(base, payload, origin=f"http://attacker.example:{port}", host=f"attacker.example:{port}")[0] == 403
    assert save(base, payload, host=f"attacker.example:{port}")[0] == 403  # rebound DNS name, our Origin replayed
    assert file.read_text("utf-8") == before


def test_an_invalid_save_writes_nothing_and_names_the_field(preview):
    content, base = preview
    file = content / "powers" / "shichang.yaml"
    before = file.read_text("utf-8")
    data = record(base, "powers", "sc-xk-001")["data"]
    data["time_limit"]["promised_days"] = 30
    data["category"] = "行政许可证"
    status, answer = save(base, {"kind": "powers", "id": "sc-xk-001", "data": data})
    assert status == 422
    assert answer["problems"] == [
        {"path": ["category"], "message": "“行政许可证”不是有效的职权类型，应为以下之一：行政许可、行政处罚、行政强制、行政征收、行政给付、"
                                          "行政检查、行政确认、行政奖励、行政裁决、其他行政权力、公共服务。您是不是要写 行政许可？",
         "where": answer["problems"][0]["where"]},
        {"path": ["time_limit"], "message": "承诺时限 30 个工作日超过了法定时限 20 个工作日，承诺时限不得超过法定时限",
         "where": answer["problems"][1]["where"]},
    ]
    assert answer["problems"][0]["where"].endswith("powers/shichang.yaml:5:13")
    assert file.read_text("utf-8") == before


def test_a_save_checks_the_whole_site_with_validates_messages(preview):
    """An id already used by another record: the editor says what `validate` says of the same file."""
    content, base = preview
    file = content / "powers" / "shichang.yaml"
    before = file.read_text("utf-8")
    data = record(base, "powers", "sc-cf-002")["data"]
    data["id"] = "sc-xk-001"
    status, answer = save(base, {"kind": "powers", "id": "sc-cf-002", "data": data})
    assert status == 422 and file.read_text("utf-8") == before
    file.write_text(before.replace("- id: sc-cf-002", "- id: sc-xk-001"), "utf-8")
    validate = subprocess.run([sys.executable, "-m", "generator", "validate", "--content", str(content)],
                              capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    reported = [f"{p['where']}: error: {p['message']}" for p in answer["problems"]]
    assert validate.returncode == 1 and reported
    assert [line for line in validate.stdout.splitlines() if ": error: " in line] == reported


def test_a_valid_save_rewrites_only_that_record(preview):
    content, base = preview
    file = content / "powers" / "shichang.yaml"
    before = file.read_text("utf-8")
    data = record(base, "powers", "sc-xk-001")["data"]
    data["time_limit"]["promised_days"] = 5
    data["responsibilities"].append("决定责任：作出准予或不予许可的决定。")
    status, answer = save(base, {"kind": "powers", "id": "sc-xk-001", "data": data})
    assert status == 200, answer
    assert answer["url"] == "/powers/sc-xk-001/"
    after = file.read_text("utf-8")
    assert changed_lines(before, after) == ["+    - 决定责任：作出准予或不予许可的决定。", "-    promised_days: 10",
                                            "+    promised_days: 5"]
    assert after.startswith("# 测试市市场监督管理局 权责清单\n")
    wait_for(base + "/powers/sc-xk-001/", lambda s, p: "决定责任：作出准予或不予许可的决定。" in p)


def test_a_new_power_is_added_at_the_end_of_its_department_file(preview):
    content, base = preview
    file = content / "powers" / "shichang.yaml"
    before = file.read_text("utf-8")
    data = {"id": "sc-xk-009", "code": "0012100009", "name": "食品小作坊登记", "category": "行政许可",
            "basis": [{"law": "《辽宁省食品安全条例》"}], "status": "有效", "effective": "2024-09-01"}
    status, answer = save(base, {"kind": "powers", "id": None, "department": "shichang", "data": data})
    assert status == 200, answer
    assert file.read_text("utf-8") == before + (
        "- id: sc-xk-009\n  code: '0012100009'\n  name: 食品小作坊登记\n  category: 行政许可\n  basis:\n"
        "    - law: 《辽宁省食品安全条例》\n  status: 有效\n  effective: 2024-09-01\n")
    wait_for(base + "/powers/sc-xk-009/", lambda s, p: s == 200 and "食品小作坊登记" in p)


def test_a_new_power_needs_a_department(preview):
    content, base = preview
    status, answer = save(base, {"kind": "powers", "id": None, "department": "", "data": {"id": "x-1"}})
    assert (status, answer["problems"]) == (422, [{"path": ["__department"], "message": "请选择所属部门", "where": ""}])


def test_save_and_commit_when_the_content_is_in_git(tmp_path):
    repo = tmp_path / "repo"  # the content in a repository, as editors keep it
    content = Path(shutil.copytree(EDITING, repo / "content"))
    git = ["git", "-C", str(repo), "-c", "user.name=测试", "-c", "user.email=t@example.gov.cn"]
    subprocess.run([*git[:3], "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "初始"], check=True)
    env = {"GIT_AUTHOR_NAME": "编辑", "GIT_AUTHOR_EMAIL": "e@example.gov.cn",
           "GIT_COMMITTER_NAME": "编辑", "GIT_COMMITTER_EMAIL": "e@example.gov.cn"}
    with preview_server(content, tmp_path / "preview", env=env) as base:
        wait_for(base + "/", lambda s, p: s == 200)
        form = record(base, "powers", "sc-xk-001")
        assert form["git"] is True
        form["data"]["level"] = "区县级"
        status, answer = save(base, {"kind": "powers", "id": "sc-xk-001", "data": form["data"], "commit": True,
                                     "message": "食品经营许可下放到区县"})
    assert (status, answer["committed"], answer["commit_error"]) == (200, True, "")
    log = subprocess.run([*git[:3], "log", "-1", "--format=%s|%an", "--name-only"], capture_output=True, text=True)
    assert log.stdout.split() == ["食品经营许可下放到区县|编辑", "content/powers/shichang.yaml"]
    assert subprocess.run([*git[:3], "status", "--porcelain"], capture_output=True, text=True).stdout == ""


def test_a_published_build_has_no_trace_of_the_editor(tmp_path):
    out = tmp_path / "site"
    build(EDITING, out, TODAY, log=lambda line: None)
    markers = ("__preview__", "编辑此事项", "preview-tools", "preview.js", "editor.js", "preview-problems")
    found = [(str(p.relative_to(out)), m) for p in out.rglob("*") if p.is_file()
             for m in markers if m.encode("utf-8") in p.read_bytes()]
    assert found == []


def tool_links(page: str) -> list[tuple[str, str]]:
    nav = BeautifulSoup(page, "html.parser").find("nav", class_="preview-tools")
    return [(a.get_text(), a["href"]) for a in nav.find_all("a")] if nav else []


def test_record_pages_have_edit_and_lists_have_new(preview):
    content, base = preview
    for kind, record_id in (("powers", "sc-xk-001"), ("policies", "rencai-2024"), ("boards", "2024-01"),
                            ("measures", "yhzg-2024")):
        assert tool_links(fetch(f"{base}/{kind}/{record_id}/")[1]) == [
            ("编辑此事项", f"/__preview__/edit?kind={kind}&id={record_id}")]
    for kind, label in (("powers", "权责事项"), ("policies", "政策"), ("boards", "红黑榜"), ("measures", "任务清单")):
        links = tool_links(fetch(f"{base}/{kind}/")[1])
        assert [text for text, _ in links] == [f"新增{label}"] and links[0][1] == f"/__preview__/edit?kind={kind}"
    assert tool_links(fetch(f"{base}/departments/shichang/")[1]) == [
        ("新增权责事项", "/__preview__/edit?kind=powers&department=shichang")]
    assert tool_links(fetch(f"{base}/stats/")[1]) == []
    for kind, record_id in (("policies", "rencai-2024"), ("boards", "2024-01"), ("measures", "yhzg-2024")):
        assert record(base, kind, record_id)["data"]["id"] == record_id


def test_the_preview_listens_on_loopback_only(preview):
    content, base = preview
    port = int(base.rsplit(":", 1)[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:  # the address others reach us at
        try:
            probe.connect(("198.51.100.1", 9))  # no packet is sent: this only picks the outgoing interface
        except OSError:
            pytest.skip("this machine has no network but loopback")
        outside = probe.getsockname()[0]
    if outside.startswith("127."):
        pytest.skip("this machine has no address but loopback")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((outside, port), timeout=5).close()
