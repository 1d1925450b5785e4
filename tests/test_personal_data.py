"""Tests for generator.content.personal_data.

All identity numbers are synthetic: their check characters are computed here
from the published algorithms, never copied from a real person.
"""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content.personal_data import (
    Finding,
    credit_code_problem,
    find_personal_data,
    is_masked_person_name,
    mask,
)

ID_MSG = "包含身份证号码，公开前必须删除或脱敏"
MOBILE_MSG = "包含手机号码，公开前必须删除或脱敏"
BANK_MSG = "包含银行卡号，公开前必须删除或脱敏"
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FULL_WIDTH = str.maketrans("0123456789Xx -", "０１２３４５６７８９Ｘｘ\u3000－")


# --- helpers -------------------------------------------------------------------

def make_id(first17: str) -> str:
    """Complete an 18-char ID number with its GB 11643-1999 check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def luhn_complete(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


def make_credit(first17: str) -> str:
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, weights))
    return first17 + CREDIT_CHARS[(31 - total % 31) % 31]


def kinds(text):
    return [f.kind for f in find_personal_data(text)]


ID_X = make_id("11010519491231002")        # 11010519491231002X
ID_DIGIT = make_id("44030419800101123")    # ends in a digit
BANK19 = luhn_complete("622202000000000001")
BANK16 = luhn_complete("622202000000000")


def test_helpers_produce_expected_fixtures():
    assert ID_X == "11010519491231002X"
    assert ID_DIGIT == "440304198001011239"
    assert BANK19 == "6222020000000000018"
    assert BANK16 == "6222020000000007"


# --- ID cards --------------------------------------------------------------------

@pytest.mark.parametrize("number", [ID_X, ID_X.lower(), ID_DIGIT,
                                    make_id("11010520000229001"),  # leap day
                                    "110105491231002"])            # 15-digit form
def test_valid_id_numbers_are_found(number):
    assert find_personal_data(number) == [Finding("id_card", 0, len(number), ID_MSG)]


@pytest.mark.parametrize("text", [
    "1101 0519 4912 3100 2X",
    "110105 19491231 002X",
    "110105-19491231-002X",
    "110105 1949 1231 002X",
    "１１０１０５１９４９１２３１００２Ｘ",
    "１１０１　０５１９　４９１２　３１００　２Ｘ",
])
def test_id_full_width_and_grouped_variants(text):
    assert find_personal_data(text) == [Finding("id_card", 0, len(text), ID_MSG)]


def test_id_embedded_in_chinese_text_reports_original_positions():
    text = "当事人张某某，身份证号码：" + ID_X + "，住址略。"
    start = text.index(ID_X)
    assert find_personal_data(text) == [Finding("id_card", start, start + 18, ID_MSG)]
    wide = "证号" + ID_X.translate(FULL_WIDTH) + "号"
    assert find_personal_data(wide) == [Finding("id_card", 2, 20, ID_MSG)]


def test_id_separated_from_other_numbers_by_space_is_found():
    assert kinds("2021 " + ID_X) == ["id_card"]


@pytest.mark.parametrize("text", [
    "110105194912310021",                   # wrong check character
    make_id("11010519491331002"),           # month 13
    make_id("11010519490230002"),           # 30 February
    make_id("00010519491231002"),           # no such province
    make_id("11010518891231002"),           # born before 1900
    "110105491331002",                      # 15-digit, month 13
    "9" + ID_X, ID_X + "5",                 # glued to more digits
    "11010519491231002X5",
])
def test_invalid_or_glued_id_numbers_are_not_id_cards(text):
    assert "id_card" not in kinds(text)


def test_id_number_passing_luhn_is_reported_only_as_id_card():
    candidates = (make_id("110105194912310%02d" % n) for n in range(100))
    number = next(n for n in candidates if n[-1] != "X" and luhn_ok(n))
    assert kinds(number) == ["id_card"]


# --- mobile numbers -----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "13812345678", "19912345678", "138 1234 5678", "138-1234-5678",
    "+8613812345678", "+86 138 1234 5678", "86-138-1234-5678", "86 13812345678",
    "１３８１２３４５６７８", "＋８６　１３８　１２３４　５６７８",
])
def test_mobile_variants(text):
    assert find_personal_data(text) == [Finding("mobile", 0, len(text), MOBILE_MSG)]


def test_mobile_embedded_and_two_in_a_row():
    text = "联系电话：13812345678、139 0000 1111。"
    assert find_personal_data(text) == [
        Finding("mobile", 5, 16, MOBILE_MSG),
        Finding("mobile", 17, 30, MOBILE_MSG),
    ]
    assert kinds("13812345678 13900001111") == ["mobile", "mobile"]


@pytest.mark.parametrize("text", [
    "12812345678",        # no 12x prefix
    "138123456789",       # 12 digits
    "1381234567",         # 10 digits
    "13 812 345 678",     # not 3-4-4
    "138 1234-5678",      # mixed separators
    "0411-12345678", "010-88888888", "(0411)87654321",
])
def test_not_mobile(text):
    assert kinds(text) == []


# --- bank cards ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    BANK19, BANK16, "4111111111111111", "4111 1111 1111 1111",
    "6222 0200 0000 0000 018", "6222-0200-0000-0000-018", BANK19.translate(FULL_WIDTH),
    "６２２２　０２００　００００　００００　０１８",
])
def test_bank_cards(text):
    assert find_personal_data(text) == [Finding("bank_card", 0, len(text), BANK_MSG)]


def test_bank_card_embedded():
    text = "退款至尾号账户（卡号" + BANK19 + "）"
    assert find_personal_data(text) == [Finding("bank_card", 10, 29, BANK_MSG)]


@pytest.mark.parametrize("text", [
    "6222020000000000019",          # Luhn fails
    "62220 20000 00000 0018",       # not blocks of four
    "6222 0200 0000-0000 018",      # mixed separators
    luhn_complete("62220200000000000001"),  # 21 digits
    "9" + BANK19,                   # glued into a longer number
])
def test_not_bank_card(text):
    assert kinds(text) == []


def test_numeric_credit_code_passing_luhn_is_not_a_bank_card():
    candidates = (make_credit("911101085923662%02d" % n) for n in range(100))
    code = next(c for c in candidates if c.isdigit() and luhn_ok(c))
    assert credit_code_problem(code) is None
    assert kinds(code) == []


# --- ordinary numbers must stay quiet -------------------------------------------------

@pytest.mark.parametrize("text", [
    "大政办发〔2021〕374号", "2021年3月15日", "2021-03-15", "2021-03-15 2021-04-01",
    "电话：0411-12345678", "户号123456789012", "电费户号：0101 2345 6789",
    "统一社会信用代码：91350100M000100Y43", "911101085923662400",
    "金额1234567.89元", "",
])
def test_ordinary_text_has_no_findings(text):
    assert find_personal_data(text) == []
    assert mask(text) == text


# --- masked names ----------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "张某某", "张某", "欧阳某某", "司马某", "李*", "王**", "赵＊", "钱×", "孙××",
    "张某某（法定代表人）", "李*(负责人)", " 周某 ",
])
def test_masked_names(name):
    assert is_masked_person_name(name)


@pytest.mark.parametrize("name", [
    "张三", "王小明", "欧阳娜娜", "某某", "张某某某", "王小某", "张*某", "张***",
    "张某某（）", "张某某（法定代表人", "Zhang某", "", "张某某 法定代表人",
])
def test_unmasked_names(name):
    assert not is_masked_person_name(name)


# --- credit codes -----------------------------------------------------------------------

@pytest.mark.parametrize("code", ["91350100M000100Y43", make_credit("12110000MB0123456"),
                                  make_credit("N2110000MB0123456"), " 91350100M000100Y43 "])
def test_valid_credit_codes(code):
    assert credit_code_problem(code) is None


@pytest.mark.parametrize("code, message", [
    ("91350100M000100Y4", "统一社会信用代码应为18位，实际为17位"),
    ("91350100M000100Y431", "统一社会信用代码应为18位，实际为19位"),
    ("91350100I000100Y43",
     "统一社会信用代码第9位“I”为非法字符（只能使用数字和除I、O、S、V、Z以外的大写字母）"),
    ("91350100m000100Y43",
     "统一社会信用代码第9位“m”为非法字符（只能使用数字和除I、O、S、V、Z以外的大写字母）"),
    ("01350100M000100Y43", "统一社会信用代码第1位（登记管理部门代码）“0”无效，应为1-9、A、N或Y"),
    ("B1350100M000100Y43", "统一社会信用代码第1位（登记管理部门代码）“B”无效，应为1-9、A、N或Y"),
    ("9A350100M000100Y43", "统一社会信用代码第2位（机构类别代码）“A”无效，应为数字1-9"),
    ("9135A100M000100Y43", "统一社会信用代码第3-8位（登记管理机关行政区划码）应为6位数字"),
    ("91350100M000100Y44", "统一社会信用代码校验位错误：第18位应为“3”，实际为“4”"),
])
def test_invalid_credit_codes(code, message):
    assert credit_code_problem(code) == message


# --- mask --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    (ID_X, "110105********002X"),
    (ID_X.lower(), "110105********002X"),
    ("1101 0519 4912 3100 2X", "110105********002X"),
    ("110105491231002", "110105*****1002"),
    ("13812345678", "138****5678"),
    ("+86 138-1234-5678", "+86 138****5678"),
    ("6222 0200 0000 0000 018", "6222****0018"),
    (BANK16, "6222****0007"),
    ("身份证" + ID_X.translate(FULL_WIDTH) + "，电话１３８ １２３４ ５６７８。",
     "身份证110105********002X，电话138****5678。"),
    ("当事人张某某（身份证号" + ID_X + "，手机13812345678，银行卡" + BANK19
     + "）于2021-03-15缴纳罚款，文号〔2021〕374号。",
     "当事人张某某（身份证号110105********002X，手机138****5678，银行卡6222****0018"
     "）于2021-03-15缴纳罚款，文号〔2021〕374号。"),
])
def test_mask_exact(text, expected):
    assert mask(text) == expected
    assert find_personal_data(mask(text)) == []


# --- property --------------------------------------------------------------------------

_ALPHABET = "0123456789" * 4 + "０１２３" + "Xx  -－　" + "号年月日身份证电话的"
_PIECES = st.sampled_from([ID_X, ID_DIGIT, "13812345678", "138 1234 5678", BANK19,
                           "6222 0200 0000 0000 018", "+86 ", "2021-03-15"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=_ALPHABET, max_size=25), _PIECES), max_size=8))
def test_mask_leaves_nothing_to_find(parts):
    text = "".join(parts)
    masked = mask(text)
    assert find_personal_data(masked) == []
    if not find_personal_data(text):
        assert masked == text


# --- cost: what validate scans in every content file --------------------------------

def test_numbers_of_a_length_no_finding_has_are_not_classified(monkeypatch):
    """Landline numbers, dates and document numbers are most of the long numbers in content
    (33,000 candidates at 25,000 records): no grouping of theirs adds up to the 11, 13, 15
    or 16–19 characters a mobile, ID-card or bank-card number has, so none is classified."""
    from generator.content import personal_data

    classified = []
    real = personal_data._classify
    monkeypatch.setattr(personal_data, "_classify",
                        lambda groups, norm: classified.append([g.group() for g in groups]) or real(groups, norm))
    text = "电话：0411-12345678，0411 8765 4321；2020-08-25 施行；登记号 2024-0001-0002"
    assert find_personal_data(text) == []
    assert classified == []
    assert kinds(f"电话 0411-12345678 或 138 1234 5678") == ["mobile"]  # what can be a finding still is
    assert classified == [["138", "1234", "5678"]]
