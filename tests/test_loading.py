"""Loading the content tree: the parse cache, and loading over worker processes — the same
problems, in the same order, with or without either."""

from __future__ import annotations

from pathlib import Path

from conftest import MINIMAL, TODAY, write_tree
from generator.cli import main
from generator.pipeline import check


def test_parse_cache_never_lends_one_tree_s_file_to_another(tmp_path):
    """Same bytes at another place (long paths once made their keys collide): the problems
    and the sources name the file of this tree."""
    cache = tmp_path / "cache"
    long = "很长的目录名" * 8
    first = write_tree(tmp_path / long / "a" / "content", {**MINIMAL, "powers/shichang.yaml": "- id: [坏\n"})
    second = write_tree(tmp_path / long / "b" / "content", {**MINIMAL, "powers/shichang.yaml": "- id: [坏\n"})
    for root in (first, second):
        content, site = check(root, TODAY, cache=cache)
        assert site is None
        assert {Path(p.file).resolve().parent.parent for p in content.errors()} == {root.resolve()}
    content, site = check(write_tree(tmp_path / long / "c" / "content", MINIMAL), TODAY, cache=cache)
    assert site is not None and {Path(where[0]).parent.parent for where in site.sources.values()} == {tmp_path / long / "c" / "content"}


def test_validate_command_output_is_the_same_with_a_warm_cache(tmp_path, monkeypatch, capsys):
    write_tree(tmp_path / "content", {**MINIMAL, "powers/shichang.yaml": "- id: sc-1\n  name: 1\n",
                                      "policies/p1.yaml": "id: p1\ntitle: [\n"})
    monkeypatch.chdir(tmp_path)
    outputs = []
    for _ in range(2):
        assert main(["validate"]) == 1
        outputs.append(capsys.readouterr())
    assert outputs[0] == outputs[1]
    assert outputs[0].out.splitlines()[0].startswith("content/policies/p1.yaml:")
