"""Detection and masking of personal data in text that is about to be published.

Pure functions only (no I/O, no clock).  Code and comments are in English;
messages shown to users are in Chinese.

Numbers are recognised after NFKC normalisation (full-width ０-９, Ｘ, the
ideographic space and the full-width hyphen become ASCII), but every reported
position refers to the caller's original string.

A "run" is a chain of digit groups joined by exactly one space or hyphen,
e.g. ``138 1234 5678``.  A candidate is a contiguous slice of a run's groups,
so a number is only found when it is not glued to further digits (a digit
directly before or after it makes it part of a longer number).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

ID_CARD, MOBILE, BANK_CARD = "id_card", "mobile", "bank_card"

_MESSAGES = {
    ID_CARD: "包含身份证号码，公开前必须删除或脱敏",
    MOBILE: "包含手机号码，公开前必须删除或脱敏",
    BANK_CARD: "包含银行卡号，公开前必须删除或脱敏",
}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: ``text[start:end]`` of the original text."""

    kind: str  # 'id_card' | 'mobile' | 'bank_card'
    start: int
    end: int
    message: str


# --- Resident ID card (GB 11643-1999) ---------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
# Province-level prefixes (81/82/83: Hong Kong, Macao, Taiwan residence permits).
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)


def _plausible_birth_date(yyyymmdd: str) -> bool:
    """A real calendar date between 1900 and 2099 (deterministic on purpose)."""
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2099


def _is_id_card(s: str) -> bool:
    """18-char number with valid checksum, or 15-digit pre-1999 number."""
    s = s.upper()
    if len(s) == 18 and s[:17].isdigit() and s[:2] in _PROVINCES:
        total = sum(int(c) * w for c, w in zip(s, _ID_WEIGHTS))
        return _ID_CHECK_CHARS[total % 11] == s[17] and _plausible_birth_date(s[6:14])
    if len(s) == 15 and s.isdigit() and s[:2] in _PROVINCES:
        return _plausible_birth_date("19" + s[6:12])
    return False


# --- Mobile and bank card ----------------------------------------------------

_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


# --- Unified social credit code (GB 32100-2015) ------------------------------

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 chars: no I O S V Z
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_problem(code: str) -> str | None:
    """Return None for a valid 统一社会信用代码, otherwise what is wrong (Chinese).

    Checks, in order: length, character set, registration authority (1st char:
    1-9, A, N, Y), organisation type (2nd char: digit 1-9), administrative
    division (3rd-8th chars: digits) and the GB 32100-2015 check character.
    """
    code = code.strip()
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实际为{len(code)}位"
    for pos, ch in enumerate(code, 1):
        if ch not in _CREDIT_CHARS:
            return (f"统一社会信用代码第{pos}位“{ch}”为非法字符"
                    "（只能使用数字和除I、O、S、V、Z以外的大写字母）")
    if code[0] not in "123456789ANY":
        return f"统一社会信用代码第1位（登记管理部门代码）“{code[0]}”无效，应为1-9、A、N或Y"
    if code[1] not in "123456789":
        return f"统一社会信用代码第2位（机构类别代码）“{code[1]}”无效，应为数字1-9"
    if not code[2:8].isdigit():
        return "统一社会信用代码第3-8位（登记管理机关行政区划码）应为6位数字"
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(code, _CREDIT_WEIGHTS))
    expected = _CREDIT_CHARS[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第18位应为“{expected}”，实际为“{code[17]}”"
    return None


# --- Masked person names -----------------------------------------------------

_COMPOUND_SURNAMES = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 长孙 宇文 司徒 司空 夏侯 "
    "轩辕 端木 独孤 南宫 西门 百里 呼延 万俟 闻人 澹台 公冶 宗政 濮阳 淳于 单于 "
    "太叔 申屠 仲孙 钟离 鲜于 闾丘 司寇 亓官 赫连 拓跋 第五 左丘 东郭 梁丘"
).split()
_MASKED_NAME = re.compile(
    r"(?:%s|(?!某)[\u4e00-\u9fff])(?:某{1,2}|[*＊×]{1,2})(?:[（(][^（）()]{1,20}[）)])?"
    % "|".join(_COMPOUND_SURNAMES)
)


def is_masked_person_name(name: str) -> bool:
    """True for a masked natural-person name such as 张某某, 欧阳某, 李*, 王**,
    optionally followed by a role in brackets: 张某某（法定代表人）."""
    return _MASKED_NAME.fullmatch(name.strip()) is not None


# --- Scanning ----------------------------------------------------------------

# A digit group; a trailing X counts only if no digit follows it.
_GROUP = re.compile(r"[0-9]+(?:[Xx](?![0-9]))?")
_MAX_GROUPS = 5  # longest grouping considered, e.g. 1101 0519 4912 3100 2X


def _normalise(text: str) -> tuple[str, list[int]]:
    """NFKC-normalise char by char; origin[k] = original index of norm[k]."""
    if text.isascii():  # every ASCII character is its own NFKC form
        return text, list(range(len(text)))
    norm: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        piece = unicodedata.normalize("NFKC", ch)
        norm.append(piece)
        origin.extend([index] * len(piece))
    return "".join(norm), origin


def _runs(norm: str) -> list[list[re.Match]]:
    """Digit groups chained by a single space or hyphen."""
    runs: list[list[re.Match]] = []
    for m in _GROUP.finditer(norm):
        if runs and m.start() == runs[-1][-1].end() + 1 and norm[m.start() - 1] in " -":
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


# Characters a finding's groups add up to: ID card 18 (or 15 in one group), mobile 11 (or 13
# starting with a group of 86…), bank card 16-19 (see _classify).
_LENGTHS = frozenset((11, 13, 15, 16, 17, 18, 19))


def _classify(groups: list[re.Match], norm: str) -> tuple[str, int, int, int, str] | None:
    """(kind, start, body_start, end, body) in normalised indices, or None."""
    chunks = [g.group() for g in groups]
    lens = tuple(len(c) for c in chunks)
    seps = {norm[g.end()] for g in groups[:-1]}
    s = "".join(chunks)
    start, end = groups[0].start(), groups[-1].end()
    if any(c[-1] in "Xx" for c in chunks[:-1]):
        return None
    # ID card: up to 5 groups of at least 2 chars, one kind of separator. The old 15-digit
    # form has no checksum, so only an unbroken run counts (codes like 219900-0004-058-02 don't).
    if (len(groups) <= 5 and min(lens) >= 2 and len(seps) <= 1 and (len(s) == 18 or len(groups) == 1)
            and _is_id_card(s)):
        return ID_CARD, start, start, end, s.upper()
    if not s.isdigit():
        return None
    # Mobile: 11 digits or 3-4-4, optionally after 86 / +86.
    if len(s) == 11 or (len(s) == 13 and s.startswith("86") and lens[0] >= 2):
        body_start, body_lens, body_seps = start, lens, seps
        if len(s) == 13:  # strip the country code, a group of its own or not
            if lens[0] == 2:
                body_start, body_lens = groups[1].start(), lens[1:]
                body_seps = {norm[g.end()] for g in groups[1:-1]}
            else:
                body_start, body_lens = start + 2, (lens[0] - 2,) + lens[1:]
        if (body_lens in ((11,), (3, 4, 4)) and len(body_seps) <= 1
                and _MOBILE.fullmatch(s[-11:])):
            plus = len(s) == 13 and start > 0 and norm[start - 1] == "+"
            return MOBILE, start - 1 if plus else start, body_start, end, s[-11:]
    # Bank card: 16-19 digits, Luhn, one block or blocks of four.
    blocks_ok = len(groups) == 1 or (set(lens[:-1]) == {4} and lens[-1] <= 4)
    if (16 <= len(s) <= 19 and blocks_ok and len(seps) <= 1 and _luhn_ok(s)
            and not (len(s) == 18 and credit_code_problem(s) is None)):
        return BANK_CARD, start, start, end, s
    return None


def _masked(kind: str, body: str) -> str:
    if kind == ID_CARD:
        return body[:6] + "*" * (len(body) - 10) + body[-4:]
    if kind == MOBILE:
        return body[:3] + "****" + body[-4:]
    return body[:4] + "****" + body[-4:]


def _scan(text: str) -> list[tuple[Finding, str]]:
    """Findings in text order, each with its replacement for mask()."""
    norm, origin = _normalise(text)
    results: list[tuple[Finding, str]] = []
    for run in _runs(norm):
        lengths = [g.end() - g.start() for g in run]
        i = 0
        while i < len(run):
            best = None  # the longest candidate starting at group i wins
            total = 0
            for j in range(i, min(len(run), i + _MAX_GROUPS)):
                total += lengths[j]
                if total not in _LENGTHS or (total == 15 and j > i) or (
                        total == 13 and not (lengths[i] >= 2 and norm.startswith("86", run[i].start()))):
                    continue  # no kind has this shape (most candidates: codes, landlines, dates)
                hit = _classify(run[i:j + 1], norm)
                if hit:
                    best = j, hit
            if best is None:
                i += 1
                continue
            j, (kind, nstart, nbody, nend, body) = best
            start, end = origin[nstart], origin[nend - 1] + 1
            prefix = text[start:origin[nbody]]  # '+86 ' kept as written
            results.append((Finding(kind, start, end, _MESSAGES[kind]),
                            prefix + _masked(kind, body)))
            i = j + 1
    return results


def find_personal_data(text: str) -> list[Finding]:
    """All ID-card, mobile and bank-card numbers in text, in order."""
    return [finding for finding, _ in _scan(text)]


def mask(text: str) -> str:
    """Replace every detected number by its masked form; other text unchanged.

    ID: 110105********002X, mobile: 138****5678, bank card: 6222****0018.
    Repeated until nothing is detected (each pass removes digits, so this
    terminates), which guarantees find_personal_data(mask(t)) == [].
    """
    while True:
        hits = _scan(text)
        if not hits:
            return text
        for finding, replacement in reversed(hits):
            text = text[:finding.start] + replacement + text[finding.end:]
