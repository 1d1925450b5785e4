"""Benchmark: how long the search index takes to build, end to end, against another commit.

    python benchmarks/search_build.py [--records 25000] [--against REF] [--rounds 5] [--work DIR]

Each round is a fresh process (this work tree, and with --against a `git archive` export of
REF, alternating) that loads the synthetic content (benchmarks/synth.py, generated once under
--work) through the parse cache, then builds the index as `build` does and writes its files:
gathering the search documents from the records, cutting the postings (over the build's worker
processes), joining them into files, and writing them to a fresh folder. Printed per round:
the wall time of each part, of the index built (in memory: documents, postings, join — the
build's "search index" stage) and of writing its files, the CPU time of the process and of its workers,
and the load average when it started; then the medians and, with --against, the ratio. The
machines here are shared and have 2 cores: compare within one run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))
from alternate import setup  # noqa: E402

TODAY = "2026-11-23"

# Run inside the tree measured (its own generator package), in a fresh interpreter.
MEASURE = r"""
import gc, json, os, resource, shutil, sys, tempfile, time
from datetime import date
from pathlib import Path
from generator.checking import check
from generator.output.search import index_part, join_index
from generator.output.search_synonyms import site_synonyms
from generator.pipeline import search_docs

content, cache = Path(sys.argv[1]), Path(sys.argv[2])
gc.disable()  # as `build` runs (checking.no_cycle_collection)
_, site = check(content, date.fromisoformat(sys.argv[3]), None, cache)
load = os.getloadavg()[0]
children = lambda: sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
out = Path(tempfile.mkdtemp(dir=sys.argv[4]))  # beside the content: the disk a build writes to
cpu, kids, start = time.process_time(), children(), time.perf_counter()
docs = search_docs(site)
t_docs = time.perf_counter()
part = index_part(docs, 0, len(docs), synonyms=site_synonyms(site), workers=os.cpu_count() or 1)
t_part = time.perf_counter()
files = join_index([part])
t_join = time.perf_counter()
for rel, data in files.items():
    path = out / "search" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
end = time.perf_counter()
print(json.dumps({"docs": t_docs - start, "postings": t_part - t_docs, "join": t_join - t_part, "write": end - t_join,
                  "total": end - start, "cpu": time.process_time() - cpu, "workers_cpu": children() - kids,
                  "load": load, "files": len(files), "documents": len(docs)}))
shutil.rmtree(out)
"""


def run(tree: Path, content: Path, cache: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(content), str(cache), TODAY, str(content.parent)], cwd=tree,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{tree}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def built(r: dict) -> float:
    """The index in memory, every file's bytes ready: documents, postings, join (the build's
    "search index" stage); writing them goes with the rest of the site's files."""
    return r["docs"] + r["postings"] + r["join"]


def main(argv: list[str] | None = None) -> int:
    args, content, trees = setup(__doc__.splitlines()[0], "yingshang-search-build", argv)
    results: dict[str, list[dict]] = {name: [] for name in trees}
    for name, tree in trees.items():  # fill each tree's parse cache first: not measured
        run(tree, content, args.work / "cache" / name.replace(" ", "-"))
    for round_ in range(1, args.rounds + 1):
        for name, tree in trees.items():
            r = run(tree, content, args.work / "cache" / name.replace(" ", "-"))
            results[name].append(r)
            print(f"round {round_}  {name:12s} built {built(r):5.2f} s  (documents {r['docs']:.2f}, postings "
                  f"{r['postings']:.2f}, join {r['join']:.2f}), written {r['write']:.2f} s  cpu {r['cpu']:.2f} s "
                  f"+ workers {r['workers_cpu']:.2f} s  load average {r['load']:5.2f}", flush=True)
    for name, rs in results.items():
        print(f"median       {name:12s} built {median(map(built, rs)):5.2f} s  written {median(r['write'] for r in rs):.2f} s"
              f"  cpu {median(r['cpu'] + r['workers_cpu'] for r in rs):.2f} s  ({rs[0]['documents']:,} documents, "
              f"{rs[0]['files']:,} files)")
    if args.against:
        old, new = (median(map(built, rs)) for rs in results.values())
        print(f"ratio of medians, built (this tree / {args.against}): {new / old:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
