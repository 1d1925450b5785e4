"""The type check (mypy, configured in pyproject.toml's [tool.mypy]) runs clean over generator/, so
`nox -s tests` catches a type regression as well as `nox -s typecheck` does."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_mypy_finds_no_type_error_in_the_generator():
    done = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml")],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found in "), done.stdout + done.stderr

