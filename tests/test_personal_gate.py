"""The personal-data gate, end to end: `validate` and `build` refuse ID-card, mobile and bank
card numbers in any field (however written), unmasked person subjects and bad credit codes,
each at its exact file:line:column."""

from __future__ import annotations

import pytest

from conftest import MINIMAL
from generator.content import personal_data
from generator.cli import main

ID_CARD = "11010519491231002X"  # valid GB 11643 checksum; not a real person's
WRONG_ID = "110105194912310021"  # checksum wrong: an ordinary number
MOBILE = "13812345678"


def luhn_number(prefix: str, length: int) -> str:
    """A number of `length` digits starting with `prefix` that passes the Luhn check."""
    body = prefix + "0" * (length - len(prefix) - 1)
    for check in "0123456789":
        if personal_data._luhn_ok(body + check):
            return body + check
    raise AssertionError


BANK_CARD = luhn_number("622202", 19)
FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")

ID_MSG = "包含身份证号码，公开前必须删除或脱敏"
MOBILE_MSG = "包含手机号码，公开前必须删除或脱敏"
BANK_MSG = "包含银行卡号，公开前必须删除或脱敏"


def power_with(field: str, value: str) -> str:
    """A valid power whose `field` (on line 3) holds `value` as YAML text."""
    return (f"- id: sc-1\n  category: 行政许可\n  {field}: {value}\n"
            + ("  name: 食品生产许可\n" if field != "name" else "")
            + "  basis: [{law: 《食品安全法》}]\n  status: 有效\n")


def validate(tree, monkeypatch, capsys, files: dict[str, str]) -> list[str]:
    content = tree(files)
    monkeypatch.chdir(content.parent)
    code = main(["validate", "--content", "content", "--today", "2026-11-23"])
    out = capsys.readouterr().out.splitlines()
    assert code == (1 if out else 0)
    return out


NUMBERS = {
    "ID card": ("name", f"申请人{ID_CARD}", 12, ID_MSG),
    "ID card, lower-case x": ("name", f"申请人{ID_CARD.lower()}", 12, ID_MSG),
    "ID card, full-width": ("name", f"申请人{ID_CARD.translate(FULL)}", 12, ID_MSG),
    "ID card, spaced": ("name", "申请人 110105 19491231 002X", 13, ID_MSG),
    "ID card, grouped by four": ("implementer", "'1101 0519 4912 3100 2X'", 17, ID_MSG),
    "ID card, ideographic spaces": ("implementer", "证号110105\u300019491231\u3000002X", 18, ID_MSG),
    "old 15-digit ID card": ("implementer", "证号110105491231002", 18, ID_MSG),
    # (a mobile number in a phone field is refused by the phone rule: test_identifier_fields.py)
    "mobile": ("implementer", f"'{MOBILE}'", 17, MOBILE_MSG),
    "mobile, spaced": ("implementer", "'联系 138 1234 5678'", 20, MOBILE_MSG),
    "mobile, +86 and hyphens": ("implementer", "'+86 138-1234-5678'", 17, MOBILE_MSG),
    "mobile, full-width": ("level", f"联系{MOBILE.translate(FULL)}", 12, MOBILE_MSG),
    "bank card, 19 digits": ("implementer", f"账号{BANK_CARD}", 18, BANK_MSG),
    "bank card, groups of four": ("implementer", "账号 " + " ".join(BANK_CARD[i:i + 4] for i in range(0, 19, 4)), 19, BANK_MSG),
    "test card number 4111…": ("implementer", "卡号4111111111111111", 18, BANK_MSG),
}


@pytest.mark.parametrize("field, value, column, message", NUMBERS.values(), ids=NUMBERS.keys())
def test_personal_numbers_in_any_field_are_refused_at_their_place(tree, monkeypatch, capsys, field, value, column, message):
    out = validate(tree, monkeypatch, capsys, {"powers/shichang.yaml": power_with(field, value)})
    assert out == [f"content/powers/shichang.yaml:3:{column}: error: {message}"]


NOT_PERSONAL = {
    "wrong ID checksum": ("implementer", f"编号{WRONG_ID}"),
    "landline": ("supervision_phone", "'0411-12345678'"),
    "hotline": ("supervision_phone", "'12345'"),
    "power code": ("implementer", "'CF-219900-0002-001-01'"),
    "document number": ("implementer", "大发改法规字〔2021〕374号"),
    "not Luhn": ("implementer", f"账号{BANK_CARD[:-1]}{(int(BANK_CARD[-1]) + 1) % 10}"),
    "credit code is not a bank card": ("implementer", "91350100M000100Y43"),
}


@pytest.mark.parametrize("field, value", NOT_PERSONAL.values(), ids=NOT_PERSONAL.keys())
def test_ordinary_numbers_pass(tree, monkeypatch, capsys, field, value):
    assert validate(tree, monkeypatch, capsys, {"powers/shichang.yaml": power_with(field, value)}) == []


def test_numbers_written_as_escapes_or_folded_across_lines(tree, monkeypatch, capsys):
    escaped = "".join(f"\\x{ord(c):02x}" for c in MOBILE)
    files = {
        "powers/shichang.yaml": power_with("implementer", f'"联系 {escaped}"'),
        "policies/p1.yaml": ("id: p1\ntitle: 政策\nissuers: [shichang]\nissued: 2024-01-01\nstatus: 有效\n"
                             f"summary: 身份证号 {ID_CARD[:10]}\n  {ID_CARD[10:]} 的申请人\n"),
    }
    assert validate(tree, monkeypatch, capsys, files) == [
        "content/policies/p1.yaml:6:10: error: 包含身份证号码，公开前必须删除或脱敏（号码由转义符或折行拼接而成）",
        "content/powers/shichang.yaml:3:16: error: 包含手机号码，公开前必须删除或脱敏（号码由转义符或折行拼接而成）",
    ]


def test_comments_are_public_too(tree, monkeypatch, capsys):
    text = f"# 联系人 {MOBILE}\n" + MINIMAL["powers/shichang.yaml"]
    assert validate(tree, monkeypatch, capsys, {"powers/shichang.yaml": text}) == [
        f"content/powers/shichang.yaml:1:7: error: {MOBILE_MSG}"]


BOARD = """\
id: 2026-01
title: 红黑榜
publisher: shichang
published: 2026-01-10
entries:
  - id: e-1
    board: black
    subject: {subject}
    subject_kind: {kind}
    {extra}facts: 事实
    publish_until: 2027-06-30
    status: 公示中
"""


def board(subject: str, kind: str = "个人", extra: str = "") -> dict[str, str]:
    return {"boards/2026-01.yaml": BOARD.format(subject=subject, kind=kind, extra=extra)}


@pytest.mark.parametrize("subject", ["张某某", "欧阳某", "李*", "王**", "张某某（法定代表人）", "司马某某"])
def test_masked_person_subjects_pass(tree, monkeypatch, capsys, subject):
    assert validate(tree, monkeypatch, capsys, board(subject)) == []


@pytest.mark.parametrize("subject", ["张三", "张三丰", "某某", "Zhang San", "张某某等"])
def test_unmasked_person_subject_is_refused(tree, monkeypatch, capsys, subject):
    out = validate(tree, monkeypatch, capsys, board(subject))
    assert f"content/boards/2026-01.yaml:8:14: error: 个人对象必须脱敏后公开，例如“张某某”，不能写“{subject}”" in out


def test_credit_codes_checked_against_gb_32100(tree, monkeypatch, capsys):
    assert validate(tree, monkeypatch, capsys, board("某公司", "企业", "credit_code: 91350100M000100Y43\n    ")) == []
    out = validate(tree, monkeypatch, capsys, board("某公司", "企业", "credit_code: 91350100M000100Y44\n    "))
    assert out == ["content/boards/2026-01.yaml:10:18: error: 统一社会信用代码校验位错误：第18位应为“3”，实际为“4”"]
    out = validate(tree, monkeypatch, capsys, board("某公司", "企业", "credit_code: 91350100M00010\n    "))
    assert out == ["content/boards/2026-01.yaml:10:18: error: 统一社会信用代码应为18位，实际为14位"]
    out = validate(tree, monkeypatch, capsys, board("张某某", "个人", "credit_code: 91350100M000100Y43\n    "))
    assert out == ["content/boards/2026-01.yaml:10:18: error: 统一社会信用代码只适用于组织，个人对象不得填写"]


def test_build_refuses_too_and_leaves_no_site(tree, monkeypatch, capsys):
    content = tree(board("张三"))
    monkeypatch.chdir(content.parent)
    assert main(["build", "--content", "content", "-o", "site", "--today", "2026-11-23"]) == 1
    assert "个人对象必须脱敏后公开" in capsys.readouterr().out
    assert not (content.parent / "site").exists()


def test_one_masking_function_serves_every_output():
    """Templates (`| mask`), the site model and anything else mask through personal_data.mask."""
    import inspect
    import pathlib

    import generator
    from generator.site.model import Site
    from generator.output.render import environment

    assert environment().filters["mask"] is Site.mask
    assert Site.mask(f"电话{MOBILE}") == personal_data.mask(f"电话{MOBILE}") == "电话138****5678"
    masking = sorted(path.name for path in pathlib.Path(inspect.getfile(generator)).parent.rglob("*.py")
                     if "def mask(" in path.read_text("utf-8"))
    assert masking == ["model.py", "personal_data.py"]
    assert "return personal_data.mask(text)" in inspect.getsource(Site.mask)  # a delegate, not a second rule
    assert personal_data.find_personal_data(personal_data.mask(f"{ID_CARD} {BANK_CARD} {MOBILE}")) == []
