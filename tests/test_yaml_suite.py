"""The official YAML test suite through the loader (402 cases, vendored in
tests/fixtures/yaml-test-suite/): every invalid input is refused at a place, every valid one is
read to the suite's JSON or refused by design with a located message — never a crash, never a
misread. The counts are published in docs/editors.md, and this test keeps them true."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from conftest import REPO
from generator.content.load import load_text
from generator.content.refusals import FORBIDDEN_CHARS

SUITE = Path(__file__).parent / "fixtures" / "yaml-test-suite" / "cases.json"
CASES = json.loads(SUITE.read_text("utf-8"))
DOCS = REPO / "docs" / "editors.md"

# Valid YAML the loader refuses on purpose: the message says which rule, and the case must
# really use what the rule is about (read from the suite's own event tree, not from our parse).
BY_DESIGN = {
    "不支持锚点和别名": lambda c: "anchor" in c.features,
    "不支持 YAML 标签": lambda c: "tag" in c.features,
    "一个文件只能有一个 YAML 文档": lambda c: c.documents > 1,
    "不支持 YAML 指令": lambda c: re.search(r"^%", c.yaml, re.M) is not None,
    "文件是空的": lambda c: c.documents == 0,
    "字段名必须是简单文本": lambda c: {"complex key", "tag"} & c.features,
    "字段名不能为空": lambda c: "empty key" in c.features,
    "Tab": lambda c: "\t" in c.yaml or "control" in c.features,
    "块文本（“|”或“>”）的内容须缩进": lambda c: "block at top" in c.features,
    "不可见或控制字符": lambda c: "control" in c.features,
    # libyaml reads these by YAML 1.1's rules, or cannot read them: refused, never misread
    "方括号或花括号中": lambda c: "flow" in c.features,
}


class Case:
    """One suite case and what its event tree says about it."""

    def __init__(self, raw: dict):
        self.id, self.name, self.yaml, self.fail = raw["id"], raw["name"], raw["yaml"], raw["fail"]
        self.features: set[str] = set()
        tree_docs = _tree_documents(raw["tree"] or "", self.features) if raw["tree"] else None
        if raw["json"] is not None:
            self.expected = _json_documents(raw["json"])
        else:
            self.expected = tree_docs
        self.documents = len(self.expected) if self.expected is not None else 0
        if "[" in self.yaml or "{" in self.yaml:
            self.features.add("flow")


def _json_documents(text: str) -> list:
    decoder, docs, at = json.JSONDecoder(), [], 0
    text = text.strip()
    while at < len(text):
        value, at = decoder.raw_decode(text, at)
        docs.append(value)
        while at < len(text) and text[at].isspace():
            at += 1
    return docs


_TREE_ESCAPES = {"\\\\": "\\", "\\n": "\n", "\\t": "\t", "\\b": "\b", "\\r": "\r"}
_NOKEY = object()


def _core(text: str):
    """A plain scalar under the YAML 1.2 core schema (the suite's JSON follows it too)."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return text[0] in "tT"
    if re.fullmatch(r"[-+]?[0-9]+", text):
        return int(text)
    if re.fullmatch(r"0o[0-7]+", text):
        return int(text[2:], 8)
    if re.fullmatch(r"0x[0-9a-fA-F]+", text):
        return int(text[2:], 16)
    if re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", text):
        return float(text)
    if re.fullmatch(r"[-+]?\.(inf|Inf|INF)", text):
        return -math.inf if text[0] == "-" else math.inf
    if re.fullmatch(r"\.(nan|NaN|NAN)", text):
        return math.nan
    return text


def _tree_documents(tree: str, features: set[str]) -> list:
    """The documents a test.event stream describes, as plain data (keys as written)."""
    docs: list = []
    stack: list[list] = []  # [container, pending key]

    def add(value, key_text: str | None, empty_plain: bool) -> None:
        if not stack:
            docs.append(value)
            return
        frame = stack[-1]
        if isinstance(frame[0], list):
            frame[0].append(value)
        elif frame[1] is _NOKEY:
            if key_text is None:
                features.add("complex key")
            elif empty_plain:
                features.add("empty key")
            frame[1] = key_text if key_text is not None else ""
        else:
            frame[0][frame[1]] = value
            frame[1] = _NOKEY

    for line in tree.splitlines():
        event, _, rest = line.strip().partition(" ")
        words = rest.split(" ")
        while words and (words[0][:1] in ("&", "<") or words[0] in ("{}", "[]")):
            prop = words.pop(0)
            features.add("anchor" if prop[0] == "&" else "tag" if prop[0] == "<" else "flow")
        rest = " ".join(words)
        if event in ("+MAP", "+SEQ"):
            stack.append([{} if event == "+MAP" else [], _NOKEY])
        elif event in ("-MAP", "-SEQ"):
            add(stack.pop()[0], None, False)
        elif event == "=ALI":
            features.add("anchor")
            add(None, None, False)
        elif event == "=VAL":
            style, text = rest[:1], re.sub(r"\\.", lambda m: _TREE_ESCAPES.get(m.group(), m.group()), rest[1:])
            if FORBIDDEN_CHARS.search(text):
                features.add("control")
            if not stack and style in "|>":
                features.add("block at top")
            add(_core(text) if style == ":" else text, text, style == ":" and text == "")
    return docs


def _same(a, b) -> bool:
    """Equal with types (True is not 1, "1" is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


@cache
def outcome(case_id: str) -> tuple[str, str]:
    """(kind, detail): kind is one of read, by design, refused (the good ones) or crash,
    accepted invalid, misread, refused valid (the failures)."""
    case = Case(next(c for c in CASES if c["id"] == case_id))
    try:
        data, problems = load_text(case.yaml, "content/x.yaml")
    except Exception as exc:  # noqa: BLE001 — the point is that there is none
        return "crash", repr(exc)
    lines = case.yaml.count("\n") + 1
    for p in problems:
        if not (p.file == "content/x.yaml" and 1 <= p.line <= lines and p.column >= 1 and p.message):
            return "crash", f"problem without a place: {p}"
        if p.message.startswith("YAML 格式错误") or not re.search(r"[\u4e00-\u9fff]", p.message):
            return "crash", f"untranslated message: {p}"
    shown = "; ".join(p.format() for p in problems)
    if case.fail:
        return ("refused", shown) if problems else ("accepted invalid", json.dumps(data, ensure_ascii=False))
    if problems:
        for p in problems:
            rules = [rule for rule in BY_DESIGN if rule in p.message]
            if not (rules and all(BY_DESIGN[rule](case) for rule in rules)):
                return "refused valid", shown
        return "by design", shown
    if case.expected is None or len(case.expected) != 1 or not _same(data, case.expected[0]):
        return "misread", f"got {json.dumps(data, ensure_ascii=False)}, the suite expects {case.expected}"
    return "read", ""


@pytest.mark.parametrize("case_id", [c["id"] for c in CASES])
def test_suite_case(case_id):
    kind, detail = outcome(case_id)
    assert kind in ("read", "by design", "refused"), f"{case_id}: {kind}: {detail}"


def test_counts_are_published():
    counts = Counter(outcome(c["id"])[0] for c in CASES)
    valid = sum(not c["fail"] for c in CASES)
    assert counts["read"] + counts["by design"] == valid and counts["refused"] == len(CASES) - valid
    sentence = (f"官方 YAML 测试套件（yaml-test-suite）共 {len(CASES)} 例：有效的 {valid} 例中，"
                f"{counts['read']} 例读出的数据与套件给出的 JSON 一致，{counts['by design']} 例按本节规则拒绝"
                f"（给出位置和改法）；无效的 {len(CASES) - valid} 例全部拒绝。")
    assert sentence in DOCS.read_text("utf-8")

