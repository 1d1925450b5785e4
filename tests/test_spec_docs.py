"""The contract for editors and the public lives in docs/spec/, in step with the shared spec.

The repository's copy may add to the shared spec (new optional fields, commands, notes) but
never drops or rewrites a line of it."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "spec"
DOCS = REPO / "docs" / "spec"
NAMES = ("content-model.md", "interfaces.md")


@pytest.mark.skipif(not SHARED.is_dir(), reason="no shared spec beside this checkout to compare with")
@pytest.mark.parametrize("name", NAMES)
def test_every_line_of_the_shared_spec_is_in_the_repository_copy(name):
    ours = set((DOCS / name).read_text("utf-8").splitlines())
    missing = [line for line in (SHARED / name).read_text("utf-8").splitlines() if line.strip() and line not in ours]
    assert missing == []


def test_the_readme_points_only_inside_the_repository():
    readme = (REPO / "README.md").read_text("utf-8")
    assert "../" not in readme
    for name in NAMES:
        assert f"docs/spec/{name}" in readme
