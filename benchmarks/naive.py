"""The naive path, for comparison: every record an ordinary MkDocs page, built-in search.

Writes one Markdown page per power (title, department, category, basis) and builds them
with mkdocs-material and its search plugin, navigation generated automatically: what one
would get by pointing MkDocs at the records. Only for the benchmark.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from generator.pipeline import check

TODAY = __import__("datetime").date(2026, 11, 23)


def naive_build(content: Path | None, records: int, work: Path) -> dict:
    if content is None:
        from synth import generate

        content = work / f"content-{records}"
        generate(content, records, force=True)
    _, site = check(content, TODAY)
    root = work / f"naive-{records}"
    shutil.rmtree(root, ignore_errors=True)
    docs = root / "docs"
    (docs / "powers").mkdir(parents=True)
    (docs / "index.md").write_text("# 首页\n", "utf-8")
    for power in site.records["powers"]:
        dept = site.power_department[power.id]
        basis = "\n".join(f"- {b.law}{b.article or ''}：{b.text or ''}" for b in power.basis)
        (docs / "powers" / f"{power.id}.md").write_text(
            f"# {power.name}\n\n- 部门：{dept.name}\n- 类型：{power.category}\n- 状态：{power.status}\n\n## 设定依据\n\n{basis}\n",
            "utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: naive\ntheme:\n  name: material\n  language: zh\n  font: false\nplugins:\n  - search\n", "utf-8")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml")], check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    wall = time.perf_counter() - start
    index = root / "site" / "search" / "search_index.json"
    return {"wall": wall, "index_mb": index.stat().st_size / 1e6,
            "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}
