"""Loading the content tree: the parse cache, and loading over worker processes — the same
problems, in the same order, with or without either."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import MINIMAL, TODAY, write_tree
from generator.cli import main
from generator.content.tree import load_tree, validate_tree
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
        assert {p.file for p in content.errors()} == {"content/powers/shichang.yaml"}  # relative to its own repository root
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


def many_files(root: Path, broken: bool) -> Path:
    """A tree of 40 departments' powers files and some policies; with `broken`, problems of
    every stage in many of them: unreadable YAML, refused YAML, model errors, personal data,
    files outside the layout, duplicate ids across files."""
    departments = "".join(f"- id: d{i}\n  name: 测试部门{i}\n  region: 市本级\n" for i in range(40))
    files = {**MINIMAL, "departments.yaml": textwrap.dedent(MINIMAL["departments.yaml"]) + departments}
    for i in range(40):
        powers = "".join(f"- id: d{i}-{j}\n  name: 事项{i}-{j}\n  category: 行政许可\n  basis:\n    - law: 《某法》\n"
                         f"  status: 有效\n" for j in range(30))
        if broken and i % 5 == 1:
            powers = powers.replace("status: 有效", "status: 有郊", 2)
        if broken and i % 7 == 2:
            powers += "- id: [未闭合\n"
        if broken and i % 9 == 3:
            powers = powers.replace(f"name: 事项{i}-3\n", f"name: 事项{i}-3\n  phone: 13812345678\n")
        if broken and i == 4:
            powers += "- id: d5-0\n  name: 重复\n  category: 行政许可\n  basis:\n    - law: 《某法》\n  status: 有效\n"
        files[f"powers/d{i}.yaml"] = powers
    for i in range(12):
        files[f"policies/p{i}.yaml"] = (f"id: p{i}\ntitle: 政策{i}\nissuers: [d{i}]\nissued: 2025-01-0{1 + i % 9}\n"
                                        f"status: {'有效' if not broken or i % 4 else '生效'}\nsummary: 摘要\n")
    if broken:
        files["powers/notes.txt"] = "备注\n"
        files["policies/p11.yaml"] = b"\xff\xfe not utf-8\n"
    return write_tree(root, files)


def test_workers_report_the_same_problems_in_the_same_order(tmp_path):
    root = many_files(tmp_path / "content", broken=True)
    serial, site = check(root, TODAY, workers=1)
    assert site is None and len(serial.all_problems()) > 10
    stages = validate_tree(load_tree(root))  # the preview's path: load, then validate
    assert stages.problems == serial.problems and stages.pending == serial.pending
    for workers in (2, 3):
        content, site = check(root, TODAY, workers=workers)
        assert site is None
        assert content.all_problems() == serial.all_problems()
        assert content.problems == serial.problems and content.pending == serial.pending


def test_workers_load_the_same_records_in_the_same_order(tmp_path):
    root = many_files(tmp_path / "content", broken=False)
    cache = tmp_path / "cache"
    serial, site = check(root, TODAY, workers=1)
    assert site is not None and len(site.records["powers"]) == 1201
    for workers, parse_cache in ((2, None), (2, cache), (3, cache)):  # cold, then warm parse cache
        content, parallel_site = check(root, TODAY, cache=parse_cache, workers=workers)
        assert content.records == serial.records and content.departments == serial.departments
        assert content.site == serial.site and content.files == serial.files
        assert parallel_site.records == site.records


def test_files_are_taken_largest_first_by_whichever_process_is_free(tmp_path, monkeypatch):
    """On a shared machine a worker may get less of a core than the main process: the files are
    not shared out in advance but taken one at a time, largest first, so the slowed process takes
    fewer and all finish together. Every file is loaded once, and the content is the same."""
    import os
    import time

    from generator.content import workers as loading

    root = many_files(tmp_path / "content", broken=True)
    serial, _ = check(root, TODAY, workers=1)
    main_process, by_main = os.getpid(), []
    real = loading._load_file

    def load_file(root, path, cache, locator):
        if os.getpid() == main_process:
            by_main.append(path)
        else:
            time.sleep(0.2)  # the worker's core is busy with other work
        return real(root, path, cache, locator)

    monkeypatch.setattr(loading, "_load_file", load_file)
    content = loading.load_and_validate(root, loading.ParseCache(None), workers=2)
    assert content.all_problems() == serial.all_problems() and content.records == serial.records
    sizes = [path.stat().st_size for path in by_main]
    assert sizes == sorted(sizes, reverse=True) and len(set(by_main)) == len(by_main)
    assert len(by_main) > content.files * 3 / 4


def test_a_worker_s_failure_is_reported_with_its_traceback(tmp_path, monkeypatch):
    """A bug met in a worker process stops the command with the worker's traceback (it is ours to
    fix), never with a content missing the worker's files."""
    import os

    import pytest

    from generator.content import workers as loading

    root = many_files(tmp_path / "content", broken=False)
    main_process = os.getpid()
    real = loading._load_file

    def load_file(root, path, cache, locator):
        if os.getpid() != main_process and path.name == "d7.yaml":
            raise ZeroDivisionError("a bug of ours")
        return real(root, path, cache, locator)

    monkeypatch.setattr(loading, "_load_file", load_file)
    monkeypatch.setattr(loading, "_take", lambda taken, count: iter(
        [] if os.getpid() == main_process else range(count)))  # the worker takes every file
    with pytest.raises(RuntimeError, match=r"(?s)a worker process failed.*ZeroDivisionError: a bug of ours"):
        loading.load_and_validate(root, loading.ParseCache(None), workers=2)


def test_validate_command_does_not_import_the_page_stages(tmp_path):
    """Start-up is part of `validate`'s time: it loads no theme, templates or publishing code."""
    import subprocess
    import sys

    from conftest import REPO

    write_tree(tmp_path / "content", MINIMAL)
    script = ("import sys; from generator.cli import main; code = main(['validate', '--no-cache']); "
              "print(code, sorted({m.split('.')[0] if not m.startswith('generator.') else '.'.join(m.split('.')[:2]) "
              "for m in sys.modules if m.startswith(('mkdocs', 'jinja2', 'material', 'generator.output', 'generator.publish'))}))")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, check=True)
    assert done.stdout.strip() == "0 []"
    assert done.stderr.strip() == "检查通过：3 个文件"


def test_validate_frees_the_content_before_the_cyclic_collector_runs_again(tmp_path, monkeypatch, capsys):
    """Loading holds the collector off; were it to run again while the content is alive, its
    first collection would walk every object loaded (0.3 s at 25,000 records) and find nothing."""
    import gc
    import weakref

    import generator.checking

    loaded = []
    real = generator.checking.load_and_validate

    def load_and_validate(*args, **kwargs):  # runs with the collector held off: noting it starts none
        content = real(*args, **kwargs)
        loaded.append(weakref.ref(content))
        return content

    collections_with_content = []

    def collecting(phase: str, info: dict) -> None:
        if phase == "start" and loaded and loaded[0]() is not None:
            collections_with_content.append(info["generation"])

    many_files(tmp_path / "content", broken=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(generator.checking, "load_and_validate", load_and_validate)
    gc.callbacks.append(collecting)
    try:
        assert main(["validate", "--no-cache"]) == 0
    finally:
        gc.callbacks.remove(collecting)
    assert capsys.readouterr().err == "检查通过：55 个文件\n"
    assert loaded and loaded[0]() is None and collections_with_content == []
    assert gc.isenabled()


def test_validate_checks_references_but_publishes_nothing(tmp_path, monkeypatch, capsys):
    """What a build publishes (records sorted, relations, backlinks) is decided after the last
    check: `validate` reports the same problems without it."""
    import generator.site.assemble

    published = []
    monkeypatch.setattr(generator.site.assemble, "_index_referrers", lambda site: published.append(site))
    many_files(tmp_path / "content", broken=False)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--no-cache"]) == 0
    assert capsys.readouterr().err == "检查通过：55 个文件\n" and published == []
    policy = tmp_path / "content" / "policies" / "p3.yaml"
    policy.write_text(policy.read_text("utf-8").replace("issuers: [d3]", "issuers: [d99]"), "utf-8")
    assert main(["validate", "--no-cache"]) == 1
    assert capsys.readouterr().out == ("content/policies/p3.yaml:3:11: error: 引用了不存在的部门标识 d99：您是不是要写 d9？\n")
    assert published == []


def test_without_a_parse_cache_each_file_is_read_once(tmp_path, monkeypatch):
    reads = []
    real = Path.read_bytes

    def read_bytes(self):
        reads.append(self.name)
        return real(self)

    root = many_files(tmp_path / "content", broken=False)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    content, site = check(root, TODAY, workers=1)
    assert site is not None and sorted(reads) == sorted(p.name for p in root.rglob("*.yaml"))
