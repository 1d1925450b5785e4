"""Identifier fields (codes, document numbers, credit codes, phone numbers) are checked by their
own format rules, not by the personal-data scan of free text; free text stays strictly checked.

A city's power codes are 15 digits (`210200201024277`: region, date, sequence) and look exactly
like an old 15-digit ID-card number: the scan must not refuse them where they are codes, and must
still refuse the same digits written in a sentence."""

from __future__ import annotations

import random
import textwrap
from datetime import date, timedelta

import pytest

from conftest import MINIMAL
from generator.content import personal_data
from generator.cli import main

ID_MSG = "包含身份证号码，公开前必须删除或脱敏"
MOBILE_MSG = "包含手机号码，公开前必须删除或脱敏"
DALIAN_DISTRICTS = ("00", "02", "03", "04", "11", "12", "13", "14", "81", "82", "83")
BOTH = "110102199012283031"  # a valid 统一社会信用代码 that is also a valid 18-digit ID-card number


def dalian_codes(n: int) -> list[str]:
    """`n` distinct 15-digit power codes of the Dalian shape 2102 + district + yymmdd + sequence."""
    rng, codes = random.Random(10), set()
    while len(codes) < n:
        day = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
        codes.add(f"2102{rng.choice(DALIAN_DISTRICTS)}{day:%y%m%d}{rng.randrange(1000):03d}")
    return sorted(codes)


def validate(tree, monkeypatch, capsys, files: dict) -> list[str]:
    content = tree(files)
    monkeypatch.chdir(content.parent)
    code = main(["validate", "--content", "content", "--no-cache", "--today", "2026-11-23"])
    out = capsys.readouterr().out.splitlines()
    assert code == (1 if out else 0)
    return out


def powers(codes: list[str]) -> str:
    return "".join(
        f"- id: sc-{i}\n  code: '{code}'\n  name: 事项{i}\n  category: 行政许可\n"
        f"  subitems: [{{name: 新办, code: '{code}-01'}}, {{name: 变更, code: '{code}02'}}]\n"
        "  basis: [{law: 《中华人民共和国行政许可法》}]\n  status: 有效\n"
        for i, code in enumerate(codes))


def test_a_thousand_dalian_power_codes_are_codes_not_id_numbers(tree, monkeypatch, capsys):
    codes = dalian_codes(1000)
    assert all(personal_data.find_personal_data(code) for code in codes)  # each one looks like an old ID number
    assert validate(tree, monkeypatch, capsys, {"powers/shichang.yaml": powers(codes)}) == []


def test_the_same_digits_in_free_text_are_still_refused(tree, monkeypatch, capsys):
    code = "210200201024277"
    power = (powers([code]) + f"  implementer: 经办人身份证{code}\n"
             + "- id: sc-x\n  name: 事项\n  category: 行政许可\n  basis:\n    - law: 《法》\n      text: |\n"
             + f"        code: '{code}'\n  status: 有效\n")  # looks like a code, but inside free text
    files = {
        "powers/shichang.yaml": power,
        "policies/p1.yaml": (f"id: p1\ntitle: 政策\ndoc_number: 测发改〔2024〕3号\nissuers: [shichang]\n"
                             f"issued: 2024-01-01\nstatus: 有效\nsummary: 联系人证件 {code}。\n"
                             f"body: |\n  申请人：张某某，身份证号码 {code}\n"),
        "boards/2026-01.yaml": textwrap.dedent(f"""\
            id: 2026-01
            title: 红黑榜
            publisher: shichang
            published: 2026-01-10
            entries:
              - id: e-1
                board: red
                subject: 某某公司
                subject_kind: 企业
                credit_code: '{BOTH}'
                facts: 法定代表人身份证号{BOTH}，已表扬
                status: 公示中
            """),
    }
    assert validate(tree, monkeypatch, capsys, files) == [
        f"content/boards/2026-01.yaml:11:21: error: {ID_MSG}",
        f"content/policies/p1.yaml:7:16: error: {ID_MSG}",
        f"content/policies/p1.yaml:9:17: error: {ID_MSG}",
        f"content/powers/shichang.yaml:8:22: error: {ID_MSG}",
        f"content/powers/shichang.yaml:15:16: error: {ID_MSG}",
    ]


def test_credit_code_that_also_passes_as_an_id_number_is_a_credit_code(tree, monkeypatch, capsys):
    assert personal_data.credit_code_problem(BOTH) is None and personal_data.find_personal_data(BOTH)
    board = textwrap.dedent(f"""\
        id: 2026-01
        title: 红黑榜
        publisher: shichang
        published: 2026-01-10
        entries:
          - id: e-1
            board: red
            subject: 测试市某某中心
            subject_kind: 单位
            credit_code: '{BOTH}'
            facts: 表扬
            status: 公示中
        """)
    assert validate(tree, monkeypatch, capsys, {"boards/2026-01.yaml": board}) == []


POWER = textwrap.dedent(MINIMAL["powers/shichang.yaml"])
CODE_MSG = ("职权编码“{}”格式不对：编码只能由字母、数字和 - _ . / 组成，不能有空格或汉字，"
            "例如 '210200201024277'、'CF-219900-0002-001-01'")


@pytest.mark.parametrize("code, ok", [
    ("210200201024277", True), ("CF-219900-0002-001-01", True), ("0123", True), ("２１０２００２０１０２４２７７", True),
    ("XK.2102/001_a", True), ("2102 0020 1024", False), ("许可001", False), ("", False),
])
def test_power_codes_follow_their_own_format(tree, monkeypatch, capsys, code, ok):
    out = validate(tree, monkeypatch, capsys, {"powers/shichang.yaml": POWER.replace("'0123'", f"'{code}'")})
    assert out == ([] if ok else [f"content/powers/shichang.yaml:2:9: error: {CODE_MSG.format(code)}"])


def test_subitem_codes_follow_the_same_format(tree, monkeypatch, capsys):
    power = POWER + "  subitems:\n    - name: 新办\n      code: 'XK 01'\n"
    assert validate(tree, monkeypatch, capsys, {"powers/shichang.yaml": power}) == [
        "content/powers/shichang.yaml:11:13: error: 子项编码“XK 01”格式不对：编码只能由字母、数字和 - _ . / 组成，"
        "不能有空格或汉字，例如 '210200201024277'、'CF-219900-0002-001-01'"]


@pytest.mark.parametrize("doc_number, ok", [
    ("大发改法规字〔2021〕374号", True), ("国务院令第722号", True), ("财政部 税务总局公告2023年第12号", True),
    ("大发改法规字〔2021〕374", False), ("见附件", False),
])
def test_document_numbers_follow_their_own_format(tree, monkeypatch, capsys, doc_number, ok):
    policy = (f"id: p1\ntitle: 政策\ndoc_number: {doc_number}\nissuers: [shichang]\nissued: 2024-01-01\n"
              "status: 有效\nsummary: 概述\n")
    out = validate(tree, monkeypatch, capsys, {"policies/p1.yaml": policy})
    assert out == ([] if ok else [f"content/policies/p1.yaml:3:13: error: 发文字号“{doc_number}”格式不对："
                                  "发文字号以“号”结尾，例如 大发改法规字〔2021〕374号"])


PHONE_MSG = ("{}“{}”不是电话号码：只写号码，例如 '0411-12345678'、'12345'；分机写成 '0411-12345678转8001'，"
             "多个号码用“、”分开")
MOBILE_FIELD_MSG = "{}不能填写手机号码：手机号码属于个人信息，请改为办公电话或服务热线，例如 '0411-12345678'"


@pytest.mark.parametrize("phone, message", [
    ("0411-12345678", None), ("12345", None), ("(0411) 8363 1230", None), ("０４１１－８３６３１２３０", None),
    ("0411-12345678转8001", None), ("0411-83631230、0411-83631231", None), ("+86-411-83631230", None),
    ("13812345678", MOBILE_FIELD_MSG.format("监督电话")), ("0411-83631230、138 1234 5678", MOBILE_FIELD_MSG.format("监督电话")),
    ("210200201024277", PHONE_MSG.format("监督电话", "210200201024277")),
    ("找王科长", PHONE_MSG.format("监督电话", "找王科长")),
])
def test_phone_numbers_follow_their_own_rules(tree, monkeypatch, capsys, phone, message):
    out = validate(tree, monkeypatch, capsys, {"powers/shichang.yaml": POWER + f"  supervision_phone: '{phone}'\n"})
    assert out == ([] if message is None else [f"content/powers/shichang.yaml:9:22: error: {message}"])


def test_every_phone_field_is_a_phone_field(tree, monkeypatch, capsys):
    site = textwrap.dedent(MINIMAL["site.yaml"]) + "complaint_hotline: '13812345678'\ncontact: {phone: '找办公室'}\n"
    departments = textwrap.dedent(MINIMAL["departments.yaml"]).replace("'0411-12345678'", "'13912345678'")
    assert validate(tree, monkeypatch, capsys, {"site.yaml": site, "departments.yaml": departments}) == [
        "content/departments.yaml:4:10: error: " + MOBILE_FIELD_MSG.format("服务电话"),
        "content/site.yaml:5:20: error: " + MOBILE_FIELD_MSG.format("投诉热线"),
        "content/site.yaml:6:18: error: " + PHONE_MSG.format("联系电话", "找办公室"),
    ]


def test_ids_made_from_codes_are_identifiers_too(tree, monkeypatch, capsys):
    """`import` gives a row without an id the id <department>-<code> (editing/ids.py): a
    15-digit code inside an id is no ID number either."""
    text = powers(dalian_codes(3)).replace("- id: sc-", "- id: shichang-")
    for i, code in enumerate(dalian_codes(3)):
        text = text.replace(f"- id: shichang-{i}\n", f"- id: shichang-{code}\n", 1)
    assert "shichang-2102" in text
    assert validate(tree, monkeypatch, capsys, {"powers/shichang.yaml": text}) == []
