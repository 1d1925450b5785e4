"""Property: for every kind, export then import of records with every optional field
filled writes nothing — whatever the text holds (numbering, separators, line breaks,
brackets, spaces at either end)."""

from __future__ import annotations

import shutil
import typing
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from conftest import EDITING
from generator.cli import main
from generator.editing.fmt import canonicalize, dump
from generator.editing.headers import layout_for
from generator.editing.spreadsheet import import_workbook
from generator.editing.targets import _commented
from generator.kinds import KINDS
from generator.kinds.base import submodel

PIECES = ["测试", "市场监管", "《某法》", "第三条", "：", "1.", "（一）", "①", "｜", "|", "[", "]", "{", " ", "\n", "一、",
          "a", "B", "7", "，", "。", "、", "-", "第二条第一款", "《食品安全法》第三十五条："]
TEXT = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join).filter(lambda t: t.strip() != "")
CODE = st.from_regex(r"[0-9A-D][0-9A-D-]{0,11}", fullmatch=True)
ID = st.from_regex(r"[a-z][a-z0-9]{0,5}-[0-9]{1,3}", fullmatch=True)


def _literal(annotation):
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    for arg in typing.get_args(annotation):
        found = _literal(arg)
        if found:
            return found
    return None


def _holds(annotation, cls) -> bool:
    return annotation is cls or any(_holds(a, cls) for a in typing.get_args(annotation))


def value_for(name: str, info, model: type[BaseModel]) -> st.SearchStrategy:
    annotation = info.annotation
    sub = submodel(annotation)
    literal = _literal(annotation)
    is_list = "list[" in str(annotation) or typing.get_origin(annotation) is list
    if sub is not None:
        one = filled(sub)
        return st.lists(one, min_size=1, max_size=3) if is_list else one
    if is_list:
        return st.lists(ID if name in ("related_powers", "supersedes") else TEXT, min_size=1, max_size=3)
    if literal:
        return st.sampled_from(literal)
    if _holds(annotation, bool):
        return st.booleans()
    if _holds(annotation, int):
        return st.integers(0, 60)
    if _holds(annotation, date):
        return st.dates(date(2000, 1, 1), date(2030, 12, 31)).map(date.isoformat)
    if name == "id":
        return ID
    if name == "doc_number":
        return st.from_regex(r"测政发〔20[0-9]{2}〕[1-9][0-9]{0,2}号", fullmatch=True)
    if name in ("online", "url", "source_url"):
        return st.from_regex(r"https://example\.gov\.cn/[a-z0-9/]{0,8}", fullmatch=True)
    title = info.title or ""
    if any(w in title for w in ("编码", "代码", "电话", "热线")):
        return CODE
    return TEXT


def filled(model: type[BaseModel]) -> st.SearchStrategy:
    """A model's data with every field, optional or not, filled."""
    fields = {name: value_for(name, info, model) for name, info in model.model_fields.items()}
    return st.fixed_dictionaries(fields).filter(lambda d: _valid(model, d))


def _valid(model, data) -> bool:
    try:
        model.model_validate(data)
        return True
    except Exception:
        return False


def _write(content: Path, kind: str, records: list[dict]) -> None:
    spec = KINDS[kind]
    folder = content / kind
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    model = spec.model
    if spec.per_file == "list":
        (folder / "shichang.yaml").write_text(dump(canonicalize(_commented(records), model)), "utf-8")
    else:
        for record in records:
            (folder / f"{record['id']}.yaml").write_text(dump(canonicalize(_commented(record), model)), "utf-8")


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_writes_nothing(kind, suffix, tmp_path_factory):
    model = KINDS[kind].model

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(filled(model), min_size=1, max_size=3, unique_by=lambda r: r["id"].lower()))
    def check(records):
        base = tmp_path_factory.mktemp(kind)
        content = Path(shutil.copytree(EDITING, base / "content"))
        if kind in ("boards", "measures"):  # ids of list items unique across the records
            seen = set()
            rows = layout_for(kind).spec.rows
            for record in records:
                record[rows] = [i for i in record[rows] if not (i["id"].lower() in seen or seen.add(i["id"].lower()))]
            records = [r for r in records if r[rows]]
        _write(content, kind, records)
        before = {p: p.read_bytes() for p in content.rglob("*.yaml")}
        out = base / f"out{suffix}"
        assert main(["export", kind, "-o", str(out), "--content", str(content)]) == 0
        outcome = import_workbook(out, content, kind=kind)
        assert outcome.problems == []
        assert [line for c in outcome.changes for line in c.changed + c.added] == []
        assert outcome.writes == {}
        assert main(["import", str(out), "--kind", kind, "--content", str(content)]) == 0
        assert {p: p.read_bytes() for p in content.rglob("*.yaml")} == before

    check()
