"""One kind, one module: the core knows record kinds only through the registry (generator/kinds/)."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from generator.kinds import KINDS, _registry
from generator.kinds.base import Kind

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "generator"
# The kind modules themselves, and the editors' tools (spreadsheet columns are declared there for now).
NOT_CORE = ("kinds", "editing")
# (module, literal): why the core may name it. Each also carries a comment in the module.
ALLOWED = {
    ("output/editions.py", "powers"): "edition comparison is a report on the 权责清单 by design",
    ("cli.py", "powers"): "spreadsheet export holds powers only until every kind declares its columns",
    ("site/history.py", "events"): "a record's history events (its changes), not the events kind",
}


def core_modules() -> list[Path]:
    return sorted(p for p in GENERATOR.rglob("*.py") if p.relative_to(GENERATOR).parts[0] not in NOT_CORE)


def kind_names_in(path: Path) -> list[tuple[int, str]]:
    """(line, kind name) for each string literal in code that is exactly a kind's name (docstrings aside)."""
    found = []
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline))
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.STRING:
            continue
        previous = next((t for t in reversed(tokens[:i]) if t.type not in (tokenize.NL, tokenize.COMMENT)), None)
        if previous is None or previous.type in (tokenize.INDENT, tokenize.NEWLINE, tokenize.DEDENT):
            continue  # a docstring
        value = re.sub(r"^[a-zA-Z]*(['\"]{1,3})(.*)\1$", r"\2", tok.string, flags=re.S)
        for name in KINDS:
            if value == name or value.startswith((f"{name}/", f"{name}.")):
                found.append((tok.start[0], name))
    return found


def test_core_modules_import_no_kind_module():
    named = re.compile(r"generator\.kinds\.(?!base\b|site\b)\w+|from generator\.kinds import (?!KINDS\b)")
    offenders = [f"{p.relative_to(REPO)}:{n}: {line.strip()}" for p in core_modules()
                 for n, line in enumerate(p.read_text("utf-8").splitlines(), 1) if named.search(line)]
    assert offenders == []


def test_core_modules_name_no_kind():
    offenders = [f"{p.relative_to(REPO)}:{line}: {name}" for p in core_modules() for line, name in kind_names_in(p)
                 if (p.relative_to(GENERATOR).as_posix(), name) not in ALLOWED]
    assert offenders == []


def test_the_facet_script_names_no_kind():
    script = (REPO / "generator/templates/static/assets/facets.js").read_text("utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", script, flags=re.S)
    assert [name for name in KINDS if re.search(rf"['\"]{name}['\"]", code)] == []


def test_the_grep_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""Mentions "powers" in a docstring."""\nx = site.records["powers"]\ny = f"powers/{d}.yaml"\n', "utf-8")
    assert kind_names_in(sample) == [(2, "powers"), (3, "powers")]


def test_a_kind_registered_twice_is_refused():
    with pytest.raises(ValueError, match="record kind 'events' registered twice"):
        _registry(*KINDS.values(), KINDS["events"])


def test_every_kind_declares_its_open_data_columns():
    for kind in KINDS.values():
        assert isinstance(kind, Kind)
        assert (kind.data_rows is None) == (not kind.data_columns), kind.name


def test_every_open_data_file_has_its_declared_header_even_when_empty(tree, tmp_path):
    """Columns are declared by the kind, not taken from the first row: a kind with no records keeps its header."""
    from conftest import TODAY
    from generator.pipeline import build

    out = tmp_path / "site"
    build(tree(), out, TODAY, log=lambda line: None)  # one power; no policy, board or event
    for kind in KINDS.values():
        if kind.data_columns:
            lines = (out / f"data/{kind.name}.csv").read_text("utf-8-sig").splitlines()
            assert lines[0] == ",".join(kind.data_columns), kind.name
