"""Benchmark: `validate` from nothing (no parse cache), as an editor runs it, against another commit.

    python benchmarks/validate_cold.py [--records 25000] [--against REF] [--rounds 5] [--work DIR]

Runs `python -m generator validate --no-cache` on synthetic content (benchmarks/synth.py,
generated once under --work and reused), alternating this work tree and a `git archive` export
of REF (default: none, this tree alone), each run a fresh process: interpreter start, imports,
loading over worker processes, assembly and exit included. Prints per run the wall time, the
CPU time of the command and its worker processes, and the 1-minute load average when it
started; then the medians and, with --against, the ratio of medians. The machines here are
shared: compare within one run, and read the absolute figures with the load beside them.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))
from alternate import setup  # noqa: E402


def run(tree: Path, content: Path) -> tuple[float, float, float, int]:
    """(wall s, CPU s of the command and its workers, load average at start, exit code)."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "generator", "validate", "--no-cache", "--content", str(content),
                           "--today", "2026-11-23"], cwd=tree, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, load, done.returncode


def main(argv: list[str] | None = None) -> int:
    args, content, trees = setup(__doc__.splitlines()[0], "yingshang-validate", argv)
    walls: dict[str, list[float]] = {name: [] for name in trees}
    cpus: dict[str, list[float]] = {name: [] for name in trees}
    for round_ in range(1, args.rounds + 1):
        for name, tree in trees.items():
            wall, cpu, load, code = run(tree, content)
            if code != 0:
                print(f"{name}: validate exited {code}", file=sys.stderr)
                return 1
            walls[name].append(wall)
            cpus[name].append(cpu)
            print(f"round {round_}  {name:12s} wall {wall:6.2f} s  cpu {cpu:6.2f} s  load average {load:5.2f}", flush=True)
    for name in trees:
        print(f"median       {name:12s} wall {median(walls[name]):6.2f} s  cpu {median(cpus[name]):6.2f} s")
    if args.against:
        old, new = (median(walls[name]) for name in trees)
        old_cpu, new_cpu = (median(cpus[name]) for name in trees)
        print(f"ratio of medians (this tree / {args.against}): wall {new / old:.2f}, cpu {new_cpu / old_cpu:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
