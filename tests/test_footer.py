"""Every page's footer shows who runs the site, its registrations and how to reach it (site.yaml,
content model v1.1: sponsor, operator, identifiers), phone numbers as tel: links."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import MINIMAL, TODAY, write_tree
from generator.pipeline import build

SITE = """\
    name: 测试市营商环境公开平台
    region: 测试市
    publisher: 测试市营商环境建设局
    base_url: https://example.gov.cn/
    contact:
      phone: '0411-39026100'
      email: gongkai@example.gov.cn
      address: 测试市中山路1号
    complaint_hotline: '12345'
    sponsor: 测试市人民政府办公室
    operator: 测试市大数据中心
    identifiers:
      website_code: '2102000046'
      icp: 辽ICP备05012345号
      public_security: 辽公网安备21020202000123号
    """
PAGES = ("index.html", "powers/index.html", "powers/sc-1/index.html", "departments/shichang/index.html",
         "guide/index.html", "404.html")


def footer(site: Path, rel: str):
    return BeautifulSoup((site / rel).read_text("utf-8"), "html.parser").select_one("footer .md-copyright")


def items(site: Path, rel: str) -> list[str]:
    return [span.get_text(strip=True) for span in footer(site, rel).select(".site-footer__item")]


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    built = {}
    for name, site_yaml in (("full", SITE), ("minimal", MINIMAL["site.yaml"])):
        root = tmp_path_factory.mktemp(name)
        content = write_tree(root / "content", {**MINIMAL, "site.yaml": site_yaml})
        build(content, root / "site", TODAY, log=lambda line: None)
        built[name] = root / "site"
    return built


@pytest.mark.parametrize("rel", PAGES)
def test_every_footer_names_the_sponsor_operator_registrations_contact_and_hotline(sites, rel):
    assert items(sites["full"], rel) == [
        "主办单位：测试市人民政府办公室", "承办单位：测试市大数据中心",
        "网站标识码：2102000046", "ICP备案号：辽ICP备05012345号", "公安机关备案号：辽公网安备21020202000123号",
        "联系电话：0411-39026100", "电子邮箱：gongkai@example.gov.cn", "地址：测试市中山路1号", "营商环境投诉热线：12345"]
    links = {a.get_text(strip=True): a["href"] for a in footer(sites["full"], rel).find_all("a")}
    assert links["0411-39026100"] == "tel:0411-39026100"
    assert links["12345"] == "tel:12345"
    assert links["辽ICP备05012345号"] == "https://beian.miit.gov.cn/"


@pytest.mark.parametrize("rel", ("index.html", "powers/sc-1/index.html"))
def test_sponsor_defaults_to_the_publisher_and_absent_lines_are_left_out(sites, rel):
    assert items(sites["minimal"], rel) == ["主办单位：测试市营商环境建设局"]


def test_the_example_site_shows_its_dalian_registrations(example_site):
    shown = items(example_site, "policies/index.html")
    assert shown[:5] == ["主办单位：大连市营商环境建设局", "承办单位：大连市大数据中心", "网站标识码：2102000046",
                         "ICP备案号：辽ICP备05012345号", "公安机关备案号：辽公网安备21020202000123号"]
    assert "营商环境投诉热线：12345" in shown
    assert footer(example_site, "policies/index.html").find("a", href="tel:0411-39026100") is not None


def test_identifiers_are_checked_like_every_other_key(tmp_path, capsys):
    from generator.cli import main

    site_yaml = textwrap.dedent(MINIMAL["site.yaml"]) + "identifiers:\n  icp_no: 辽ICP备05012345号\n"
    content = write_tree(tmp_path / "content", {**MINIMAL, "site.yaml": site_yaml})
    assert main(["validate", "--content", str(content)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("content/", 1)[1] for line in lines] == [
        "site.yaml:6:3: error: 未知字段 icp_no：您是不是要写 icp？这里可用的字段有：website_code、icp、public_security"]
