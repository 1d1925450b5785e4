"""What the alternating benchmarks share (validate_cold.py, search_build.py): their arguments, the
synthetic content they run on, and the trees they alternate — this work tree and, with --against,
a `git archive` export of another commit."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def export(ref: str, into: Path) -> Path:
    """The tree of commit `ref` (`git archive`), to run the command as it was."""
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], cwd=REPO, capture_output=True,
                            text=True, check=True).stdout.strip()
    tree = into / commit
    if not tree.exists():
        archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=REPO, capture_output=True, check=True)
        tree.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tree, filter="data")
    return tree


def setup(description: str, work: str, argv: list[str] | None) -> tuple[argparse.Namespace, Path, dict[str, Path]]:
    """(arguments, the content generated once under --work, {name: tree to run in})."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--records", type=int, default=25000)
    parser.add_argument("--against", metavar="REF", help="a commit to alternate with this work tree")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / work)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synth import generate

    content = args.work / f"content-{args.records}"
    if not (content / "site.yaml").exists():
        generate(content, args.records, force=True)
    trees = {"this tree": REPO}
    if args.against:
        trees = {args.against: export(args.against, args.work / "trees"), **trees}
    print(f"# {os.cpu_count()} cores · Python {sys.version.split()[0]} · {args.records:,} records in {content}")
    return args, content, trees
