"""The editors' guide cannot go stale: every model field and every key of the spec is in it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.output.guide import guide_sections
from generator.kinds import KINDS
from generator.kinds.site import Department, SiteInfo
from generator.pipeline import build
from generator.kinds.base import submodel
from conftest import EDITING

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "docs" / "spec" / "content-model.md"  # in step with the shared spec (test_spec_docs.py)
FIXTURE = EDITING
CJK = re.compile(r"[\u4e00-\u9fff]")
SECTION_OF_HEADING = {"site.yaml": "site", "departments.yaml": "departments", "powers/": "powers",
                      "policies/": "policies", "boards/": "boards", "measures/": "measures",
                      "events/": "events"}


def model_keys(model, prefix=""):
    for key, info in model.model_fields.items():
        yield prefix + key, info
        sub = submodel(info.annotation)
        if sub is not None:
            yield from model_keys(sub, f"{prefix}{key}.")


MODELS = {"site": SiteInfo, "departments": Department, **{name: kind.model for name, kind in KINDS.items()}}


@pytest.mark.parametrize("section", list(MODELS))
def test_every_field_of_every_model_is_in_the_guide_with_a_chinese_title(section):
    guide = {s.id: s for s in guide_sections()}[section]
    fields = {f.key: f for f in guide.fields}
    for key, info in model_keys(MODELS[section]):
        assert key in fields, f"{section}: {key} 不在编辑指南中"
        assert CJK.search(fields[key].title), f"{section}: {key} 没有中文名称"
        assert fields[key].title == info.title
        assert fields[key].required == info.is_required()


def split_top(text: str) -> list[str]:
    """Split on commas that are not inside brackets or braces."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "[{("
        depth -= ch in "]})"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return parts + [current]


def brace_keys(text: str, prefix: str = "") -> list[str]:
    """Keys named in the spec's `{a, b?, c: [{d, e}]}` notation, dotted."""
    inner = text.strip()[1:-1]
    keys = []
    for part in split_top(inner):
        match = re.match(r"\s*([a-z_]+)\??\s*(?::\s*(\[?\{.*\}\]?))?", part)
        if not match:
            continue
        keys.append(prefix + match.group(1))
        nested = match.group(2)
        if nested:
            keys += brace_keys(nested.strip("[]"), f"{prefix}{match.group(1)}.")
    return keys


def spec_keys() -> dict[str, set[str]]:
    """Section id -> every key the shared content model documents (tables and brace notation)."""
    found: dict[str, set[str]] = {}
    section, prefix = None, ""
    for line in SPEC.read_text("utf-8").splitlines():
        if line.startswith("## "):
            section = next((sid for head, sid in SECTION_OF_HEADING.items() if line[3:].strip("` ").startswith(head)), None)
            prefix = ""
            continue
        if section is None:
            continue
        if line.strip() == "Entry:":
            prefix = "entries."
        keys = found.setdefault(section, set())
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            names = re.findall(r"`([a-z_]+)`", cells[0])
            keys.update(prefix + n for n in names)
            nested = re.search(r"`(\{.*?\})`", cells[-1])
            if nested and len(names) == 1:
                keys.update(brace_keys(nested.group(1), f"{prefix}{names[0]}."))
    text = SPEC.read_text("utf-8")
    measures = text[text.index("## measures/"):]
    notation = re.search(r"`(\{.*?\})`", measures, re.S).group(1).replace("\n", " ")
    found["measures"].update(brace_keys(notation))
    return found


SECTIONS = ("site", "departments", "powers", "policies", "boards", "measures", "events")


def test_the_spec_reader_finds_every_section():
    keys = spec_keys()
    assert set(keys) == set(SECTIONS)
    assert {"contact.phone", "basis.law", "time_limit.promised_days", "fee.charged", "changes.action",
            "interpretation.by", "application.no_application_needed", "entries.publish_until",
            "entries.rectification.completed", "items.progress.note"} <= set().union(*keys.values())
    assert {"aliases", "lead", "steps.power", "steps.note", "channels.hall", "promised_days"} <= keys["events"]


@pytest.mark.parametrize("section", SECTIONS)
def test_every_key_of_the_shared_spec_is_documented_in_the_guide(section):
    documented = {f.key for s in guide_sections() if s.id == section for f in s.fields}
    assert sorted(key for key in spec_keys()[section] if key not in documented) == []


def test_the_built_guide_page_lists_every_field(tmp_path):
    build(FIXTURE, tmp_path / "site", date(2024, 10, 1), log=lambda line: None)
    soup = BeautifulSoup((tmp_path / "site" / "guide" / "index.html").read_text("utf-8"), "html.parser")
    for section in guide_sections():
        heading = soup.find(id=section.id)
        assert heading is not None and section.title in heading.get_text()
        table = heading.find_next("table")
        rows = {tr.find("code").get_text(): [td.get_text() for td in tr.find_all("td")] for tr in table.find_all("tr")[1:]}
        for f in section.fields:
            assert rows[f.key][1] == f.title
            assert rows[f.key][2] == ("是" if f.required else "")
