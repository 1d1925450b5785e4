"""A non-editable install works from any directory: the wheel carries the templates, the theme
configuration and every data file the generator reads."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import EXAMPLE, REPO


def test_the_wheel_builds_the_example_site_from_another_directory(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path / "dist"), str(REPO)], check=True, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("generator/mkdocs.yml", "generator/templates/overrides/main.html", "generator/templates/records/power.html",
                   "generator/templates/static/assets/site.css", "generator/content/messages.yaml",
                   "generator/data/holidays.yaml", "generator/editing/columns.yaml"):
        assert needed in names, needed
    target = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(target)  # what pip installs of a pure-Python wheel
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import generator; print(generator.__file__)"],
                           cwd=away, env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(target))
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--content", str(EXAMPLE), "-o", "site",
                           "--today", "2026-11-23"], cwd=away, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (away / "site" / "powers" / "index.html").is_file()
    assert "权责清单" in (away / "site" / "index.html").read_text("utf-8")
