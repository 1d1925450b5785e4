"""Publishing: expiry judged in Shanghai, nothing of a withdrawn entry left behind, atomic and
reproducible output, and a build that would silently lose records stops."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import MINIMAL, TODAY
from generator import cli
from generator.cli import main
from generator.errors import ContentError
from generator.pipeline import build

POWERS = "".join(f"""\
- id: sc-{i}
  name: 事项{i}
  category: 行政许可
  basis: [{{law: 《某法》}}]
  status: 有效
""" for i in range(1, 11))

BOARD = """\
id: 2026-01
title: 2026年第1期红黑榜
publisher: shichang
published: 2026-01-10
entries:
  - id: live
    board: black
    subject: 某区住建窗口
    subject_kind: 单位
    facts: 超时限办理
    publish_until: 2027-06-30
    status: 公示中
  - id: ends-june
    board: black
    subject: 期满单位丙JUNESUBJECT
    subject_kind: 企业
    credit_code: 91350100M000100Y43
    facts: 期满事实JUNEFACT
    outcome: 通报批评JUNEOUTCOME
    publish_until: 2026-06-30
    status: 公示中
"""
SECRETS = ("JUNESUBJECT", "JUNEFACT", "JUNEOUTCOME", "91350100M000100Y43", "ends-june")


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def quiet(line: str) -> None:
    pass


# --- expiry, judged by the calendar in Shanghai ---------------------------------------------

class _Clock(datetime):
    """datetime with a fixed 'now': 2026-06-30 16:30 UTC, already 2026-07-01 00:30 in Shanghai."""

    @classmethod
    def now(cls, tz=None):
        instant = datetime(2026, 6, 30, 16, 30, tzinfo=timezone.utc)
        return instant.astimezone(tz) if tz else instant.replace(tzinfo=None)


def test_shanghai_today_is_the_date_in_china_whatever_the_server_zone(monkeypatch):
    monkeypatch.setattr(cli, "datetime", _Clock)
    monkeypatch.setenv("TZ", "UTC")
    assert cli.shanghai_today().isoformat() == "2026-07-01"


def test_an_entry_disappears_the_day_after_its_last_day_in_shanghai(tree, tmp_path, monkeypatch, capsys):
    tree({"boards/2026-01.yaml": BOARD})
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--content", "content", "-o", "site", "--today", "2026-06-30"]) == 0  # its last day
    assert "ends-june" in (tmp_path / "site/boards/2026-01/index.html").read_text("utf-8")
    monkeypatch.setattr(cli, "datetime", _Clock)  # the scheduled build at 00:30 Beijing time, 16:30 UTC
    assert main(["build", "--content", "content", "-o", "site"]) == 0
    assert "未公开：红黑榜 2026-01 ends-june：公示期已于 2026-06-30 结束，不予公开" in capsys.readouterr().err
    for path in (tmp_path / "site").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not [s for s in SECRETS if s.encode() in data], path
    page = (tmp_path / "site/boards/2026-01/index.html").read_text("utf-8")
    assert "本期另有 1 条条目公示期已满或已撤销，依规不再公开" in page


def test_withdrawn_entry_leaves_no_trace_in_the_history_either(tmp_path):
    from test_history import Repo

    repo = Repo(tmp_path / "repo")
    repo.commit({**MINIMAL, "boards/2026-01.yaml": BOARD}, "2026-01-10T10:00:00+08:00")
    out = tmp_path / "site"
    build(repo.content, out, TODAY, log=quiet, workers=1)
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not [s for s in SECRETS if s.encode() in data], path


# --- the drop guard --------------------------------------------------------------------

def test_manifest_counts_lists_not_people(tree, tmp_path):
    content = tree({"powers/shichang.yaml": POWERS, "boards/2026-01.yaml": BOARD})
    build(content, tmp_path / "site", TODAY, log=quiet, workers=1)
    manifest = json.loads((tmp_path / "site/data/manifest.json").read_text("utf-8"))
    assert manifest == {"version": 1, "counts": {
        "boards": 1, "departments": 1, "entries": 2, "events": 0, "measures": 0, "policies": 0, "powers": 10,
        "powers/shichang": 10}}


def test_a_build_that_drops_many_records_stops_and_leaves_the_site(tree, tmp_path, monkeypatch, capsys):
    content = tree({"powers/shichang.yaml": POWERS})
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--content", "content", "-o", "site", "--today", "2026-11-23"]) == 0
    before = digest(tmp_path / "site")
    (content / "powers/shichang.yaml").write_text(POWERS.split("- id: sc-9")[0], "utf-8")  # 8 of 10 left
    capsys.readouterr()
    assert main(["build", "--content", "content", "-o", "site", "--today", "2026-11-23"]) == 1
    out, err = capsys.readouterr()
    advice = "如确属有意（例如整批删除），请加 --allow-drop 重新生成；否则请检查文件是否被截断或误删"
    assert out.splitlines() == [
        f"content/powers:1:1: error: 权责事项将从 10 条减少到 8 条（减少 20%，超过上次发布的 10%）：{advice}",
        f"content/powers/shichang.yaml:1:1: error: 部门 shichang 的权责事项将从 10 条减少到 8 条（减少 20%，超过上次发布的 10%）：{advice}",
    ]
    assert "未生成网站：site 保持不变" in err
    assert digest(tmp_path / "site") == before
    assert main(["build", "--content", "content", "-o", "site", "--today", "2026-11-23", "--allow-drop"]) == 0
    assert json.loads((tmp_path / "site/data/manifest.json").read_text("utf-8"))["counts"]["powers"] == 8
    assert main(["build", "--content", "content", "-o", "site", "--today", "2026-11-23"]) == 0  # the new baseline


def test_small_drops_expiry_and_old_region_shards_do_not_stop_a_build(tree, tmp_path):
    content = tree({"powers/shichang.yaml": POWERS, "boards/2026-01.yaml": BOARD})
    out = tmp_path / "site"
    build(content, out, TODAY, log=quiet, workers=1)
    (content / "powers/shichang.yaml").write_text(POWERS.split("- id: sc-10")[0], "utf-8")  # 1 of 10: exactly 10 %
    build(content, out, TODAY, log=quiet, workers=1)
    build(content, out, datetime(2027, 7, 1).date(), log=quiet, workers=1)  # every black entry expired: not a loss
    (out / "data/manifest.json").write_text('{"version": 1, "region": "金普新区", "counts": {"powers": 1000}}', "utf-8")
    build(content, out, TODAY, log=quiet, workers=1)  # a shard of the former `build --region` is not compared
    (out / "data/manifest.json").write_text("{not json", "utf-8")
    build(content, out, TODAY, log=quiet, workers=1)  # nor a damaged one


def test_drop_guard_runs_before_anything_is_written(tree, tmp_path):
    content = tree({"powers/shichang.yaml": POWERS})
    out = tmp_path / "site"
    build(content, out, TODAY, log=quiet, workers=1)
    (content / "powers/shichang.yaml").write_text(POWERS.split("- id: sc-2")[0], "utf-8")
    with pytest.raises(ContentError):
        build(content, out, TODAY, log=quiet, workers=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "content", "site"]  # no staging directory left


# --- reproducible ----------------------------------------------------------------------

def test_two_builds_of_the_example_are_byte_identical(tmp_path):
    from conftest import EXAMPLE

    build(EXAMPLE, tmp_path / "a", TODAY, log=quiet)
    build(EXAMPLE, tmp_path / "b", TODAY, log=quiet, workers=1)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert (tmp_path / "a/data/manifest.json").is_file()


# --- CI and deployment files -------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def test_workflows_validate_build_test_and_publish_on_schedule():
    import yaml

    pr = yaml.safe_load((ROOT / ".github/workflows/pr.yml").read_text("utf-8"))
    publish = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text("utf-8"))
    pr_steps = " ".join(str(step.get("run", "")) for job in pr["jobs"].values() for step in job["steps"])
    assert "validate --format github" in pr_steps and "generator build" in pr_steps and "nox -s tests" in pr_steps
    on = publish[True]  # YAML 1.1 reads the key `on` as true
    assert on["schedule"] == [{"cron": "5 16 * * *"}]  # 00:05 in Shanghai
    assert "push" in on and on["push"]["branches"] == ["main"]
    steps = [step for job in publish["jobs"].values() for step in job["steps"]]
    uses = [step.get("uses", "") for step in steps]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    assert publish["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_workflow_builds_slices_in_a_matrix_and_merges_them():
    import yaml

    flow = yaml.safe_load((ROOT / ".github/workflows/publish-slices.yml").read_text("utf-8"))
    jobs = flow["jobs"]
    slices = jobs["slices"]
    count = len(slices["strategy"]["matrix"]["slice"])
    assert count >= 2 and slices["strategy"]["fail-fast"] is True
    runs = " ".join(str(step.get("run", "")) for step in slices["steps"])
    assert "generator build --slice ${{ matrix.slice }}/" + str(count) in runs
    assert "--today ${{ needs.plan.outputs.today }}" in runs  # one date for every slice
    uploads = [s for s in slices["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert uploads and "${{ matrix.slice }}" in uploads[0]["with"]["name"]
    checkout = next(s for s in slices["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    assert any(s.get("uses", "").startswith("actions/cache@") and s["with"]["path"] == ".cache/parsed"
               for s in slices["steps"])
    merge = jobs["merge"]
    assert merge["needs"] == "slices" or "slices" in merge["needs"]
    assert any(s.get("uses", "").startswith("actions/download-artifact@") for s in merge["steps"])
    merge_runs = " ".join(str(step.get("run", "")) for step in merge["steps"])
    assert "generator merge" in merge_runs and "-o site" in merge_runs
    uses = [s.get("uses", "") for job in jobs.values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert flow[True]["schedule"] == [{"cron": "5 16 * * *"}] and flow["concurrency"]["group"] == "pages"
    publish = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text("utf-8"))
    assert jobs["plan"]["if"] == "vars.BUILD_SLICES == 'true'"  # one of the two publishes, never both
    assert publish["jobs"]["build"]["if"].startswith("vars.BUILD_SLICES != 'true'")


def test_deploy_guide_documents_headers_and_gone_pages():
    text = (ROOT / "docs/deploy.md").read_text("utf-8")
    for needle in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy",
                   "Strict-Transport-Security", "frame-ancestors", "return 410", "rsync", "--allow-drop",
                   "python -m generator.publish.csp", ".yingshang-build", "RENAME_EXCHANGE", "fcntl.flock", ".site.lock",
                   "磁盘空间不足", "另一个生成进程"):
        assert needle in text, needle


def test_a_lost_part_of_records_is_located_at_its_kind(tree, tmp_path, monkeypatch):
    """Board entries dropping is reported at content/boards (the kind that declares them), not elsewhere."""
    from generator.pipeline import check
    from generator.publish.manifest import MANIFEST, drop_problems

    content_dir = tree({"boards/2026-01.yaml": BOARD})
    out = tmp_path / "out"
    (out / MANIFEST).parent.mkdir(parents=True)
    (out / MANIFEST).write_text(json.dumps({"version": 1, "region": None, "counts": {"entries": 20}}), "utf-8")
    monkeypatch.chdir(tmp_path)
    content, _ = check(content_dir, TODAY)
    assert [p.format() for p in drop_problems(content, out)] == [
        "content/boards:1:1: error: 红黑榜条目将从 20 条减少到 2 条（减少 90%，超过上次发布的 10%）："
        "如确属有意（例如整批删除），请加 --allow-drop 重新生成；否则请检查文件是否被截断或误删"]
