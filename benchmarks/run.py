"""Benchmark: build synthetic city- and province-scale content; print times, memory and search figures.

    python benchmarks/run.py [--sizes 1000 5000 25000] [--naive-sizes 1000] [--work DIR]
    python benchmarks/run.py --sizes 25000 --naive-sizes --validate-only 5   # cold validate: 1 process vs workers
    nox -s bench -- --sizes 1000 5000 25000 250000
    python benchmarks/run.py --sizes 250000 --naive-sizes --slices 4 --builds-only
    python benchmarks/run.py --sizes 25000 --search-only     # only the search beside Pagefind

Every measurement runs in a fresh process, so peak memory (ru_maxrss) is its own. For each
size it reports: cold `validate` (no parse cache) and warm `validate` (cache filled), a full
`build` with wall time and peak memory per stage (load, validate, assemble, render, search
index, write; a stage's own peak too), an incremental preview rebuild after editing one
record, record page sizes, and the search beside Pagefind over the same built site
(search_compare.py: index time, memory and size, cold bytes per query, recall and precision
against what the record pages show, latency in Chromium; also written to WORK/search-N.json).
`--search-only` runs only that, on the content and site under --work when they are there
(WORK/site-N.build.json records the build it reuses). `--naive-sizes` builds the same records
as ordinary MkDocs pages with the built-in search, for the ratio. `--slices N` also builds
the site as N slices (`build --slice I/N`), one after another as N CI jobs would in
parallel, and merges them, with time and peak memory per job, and checks that the merged
site equals the single build byte for byte; the single build and the slices then use the
parse cache, as CI does. `--builds-only` skips everything but the builds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

TODAY = date(2026, 11, 23)
QUERIES = ("市场监督管理局", "住房和城乡建设局", "食品生产", "施工许可", "违法行为", "安全生产", "许可", "罚款",
           "税务", "〔2021〕374号", "食品安全法", "食品 许可", "营业执照", "消防")


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _vm_mb(key: str) -> float:
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def stage_peaks():
    """Timings that also record each stage's own peak (the main process's peak resident
    memory is reset at the start of each stage through /proc/self/clear_refs): per stage
    (MB at its start, MB at its peak). The stages' "peak so far" stays the process's."""
    from contextlib import contextmanager
    from dataclasses import dataclass, field

    from generator.pipeline import Timings

    @dataclass
    class StagePeaks(Timings):
        own: dict = field(default_factory=dict)
        high: float = 0.0

        @contextmanager
        def stage(self, name: str):
            self.high = max(self.high, _vm_mb("VmHWM"))
            begin = _vm_mb("VmRSS")
            try:
                Path("/proc/self/clear_refs").write_text("5")
            except OSError:
                begin = None
            start = time.perf_counter()
            yield
            peak = _vm_mb("VmHWM")
            self.high = max(self.high, peak)
            self.stages.append((name, time.perf_counter() - start, self.high))
            if begin is not None:
                self.own[name] = (begin, peak)

    return StagePeaks()


def child(mode: str, content: Path, out: Path, cache: Path) -> dict:
    """One measurement, in this (fresh) process."""
    from generator.pipeline import build, check

    timings = stage_peaks()
    start = time.perf_counter()
    if mode.startswith("validate-"):  # validate-cold, validate-warm; -serial: in one process
        content_, site = check(content, TODAY, timings, cache=cache if "warm" in mode else None,
                               workers=1 if mode.endswith("-serial") else 0)
        assert site is not None, content_.errors()[:5]
    elif mode == "build":
        build(content, out, TODAY, timings=timings, log=lambda line: None)
    elif mode == "build-warm":
        build(content, out, TODAY, timings=timings, log=lambda line: None, cache=cache)
    elif mode.startswith("slice "):
        from generator.publish.slices import Slice

        build(content, out, TODAY, timings=timings, log=lambda line: None, cache=cache,
              slice_=Slice.parse(mode.split()[1]))
    elif mode.startswith("merge "):
        from generator.pipeline import merge

        merge([Path(p) for p in mode.split()[1:]], out, timings=timings)
    elif mode == "incremental":
        return incremental(content, out)
    return {"wall": time.perf_counter() - start, "stages": timings.stages, "stage_own": timings.own,
            "peak_mb": max(_peak_mb(), timings.high, _vm_mb("VmHWM")), "children_peak_mb": _peak_mb(resource.RUSAGE_CHILDREN)}


def incremental(content: Path, out: Path) -> dict:
    """First preview build, then edit one power's name and time until its page is rewritten."""
    from generator.preview.incremental import Incremental

    work = out.parent / "edit-content"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(content, work)
    builder = Incremental(work, out)
    builder.build(TODAY, log=lambda line: None)
    path = sorted((work / "powers").glob("*.yaml"))[len(list((work / "powers").glob("*.yaml"))) // 2]
    text = path.read_text("utf-8")
    line = next(line for line in text.splitlines() if line.startswith("  name: "))
    path.write_text(text.replace(line, line + "（修订）", 1), "utf-8")
    marks: dict[str, float] = {}
    start = time.perf_counter()
    builder.build(TODAY, log=lambda line: None, pages_written=lambda: marks.setdefault("page", time.perf_counter() - start))
    return {"page_served_after": marks["page"], "rebuild_done": time.perf_counter() - start,
            "pages_rendered": builder.rendered, "peak_mb": _peak_mb()}


def page_sizes(site_dir: Path) -> dict:
    pages = [p.stat().st_size for p in (site_dir / "powers").glob("*/index.html")]
    return {"page_kb_max": max(pages) / 1024, "page_kb_avg": sum(pages) / len(pages) / 1024}


def ours_build(r: dict) -> dict:
    """Our index build from a `build` measurement: the "search index" stage's time and memory."""
    seconds, peak = next((s, p) for name, s, p in r["stages"] if name == "search index")
    begin, own = r.get("stage_own", {}).get("search index", (peak, peak))
    return {"seconds": seconds, "peak_mb": own, "growth_mb": own - begin, "process_peak_mb": peak}


def search_comparison(content: Path, site: Path, build: dict, record: Path) -> dict:
    """The search beside Pagefind (search_compare.py), printed and written to `record` (JSON)."""
    from search_compare import compare, report

    start = time.perf_counter()
    result = compare(site, content, ours_build(build))
    result["load_average"] = os.getloadavg()
    for line in report(result):
        print(line, flush=True)
    record.write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
    print(f"  ({time.perf_counter() - start:.0f} s; load average {' '.join(f'{x:.1f}' for x in result['load_average'])}; "
          f"written to {record})")
    return result


def reuse_or_build(content: Path, site: Path, cache: Path) -> dict:
    """The `build` measurement of `site`, built now unless a build of it is on record."""
    record = site.parent / f"{site.name}.build.json"
    if record.exists() and (site / "search" / "meta.json").exists():
        print(f"reusing {site} (built {time.ctime(record.stat().st_mtime)}; delete {record} to rebuild)")
        return json.loads(record.read_text("utf-8"))
    shutil.rmtree(site, ignore_errors=True)
    r = run_child("build", content, site, cache)
    record.write_text(json.dumps(r), "utf-8")
    print(f"build          {r['wall']:6.2f} s  peak {r['peak_mb']:6.0f} MB   "
          + "  ".join(f"{name} {s:.2f}" for name, s, _ in r["stages"]))
    return r


def run_child(mode: str, content: Path, out: Path, cache: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, str(content), str(out), str(cache)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def slices_and_merge(n: int, content: Path, single: Path, cache: Path) -> None:
    """Build N slices one after another (N parallel CI jobs), merge them, compare with `single`."""
    dirs = [single.parent / f"{single.name}-slice-{i}" for i in range(1, n + 1)]
    merged = single.parent / f"{single.name}-merged"
    for path in (*dirs, merged):
        shutil.rmtree(path, ignore_errors=True)
    for i, folder in enumerate(dirs, start=1):
        r = run_child(f"slice {i}/{n}", content, folder, cache)
        print(f"slice {i}/{n}      {r['wall']:6.2f} s  peak {r['peak_mb']:6.0f} MB (render workers "
              f"{r['children_peak_mb']:.0f} MB each)   " + "  ".join(f"{name} {s:.2f}" for name, s, _ in r["stages"]))
    r = run_child("merge " + " ".join(map(str, dirs)), content, merged, cache)
    print(f"merge          {r['wall']:6.2f} s  peak {r['peak_mb']:6.0f} MB (scan workers "
          f"{r['children_peak_mb']:.0f} MB each)   " + "  ".join(f"{name} {s:.2f}" for name, s, _ in r["stages"]))
    same = _digest(merged) == _digest(single)
    print(f"merged site {'byte-identical to' if same else 'DIFFERS FROM'} the single build")


def _digest(root: Path) -> dict[str, str]:
    import hashlib

    return {str(p.relative_to(root)): hashlib.blake2b(p.read_bytes(), digest_size=16).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}
def validate_rounds(content: Path, out: Path, cache: Path, rounds: int) -> None:
    """Cold `validate` in one process and over workers, alternating (a shared machine's noise
    hits both alike), then the ratio of their medians."""
    walls: dict[str, list[float]] = {"validate-cold-serial": [], "validate-cold": []}
    for _ in range(rounds):
        for mode in walls:
            r = run_child(mode, content, out, cache)
            walls[mode].append(r["wall"])
            print(f"{mode:21s} {r['wall']:6.2f} s  peak {r['peak_mb']:6.0f} MB   "
                  + "  ".join(f"{name} {s:.2f}" for name, s, _ in r["stages"]), flush=True)
    serial, parallel = (sorted(w)[len(w) // 2] for w in walls.values())
    print(f"median: one process {serial:.2f} s, workers {parallel:.2f} s, ratio {parallel / serial:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 25000])
    parser.add_argument("--naive-sizes", type=int, nargs="*", default=[1000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/yingshang-bench"))
    parser.add_argument("--slices", type=int, default=0, help="also build as N slices and merge them")
    parser.add_argument("--builds-only", action="store_true", help="only the builds (no validate, search, preview)")
    parser.add_argument("--validate-only", type=int, metavar="ROUNDS",
                        help="only `validate`, one process against workers (workers.py), alternating, ROUNDS times")
    parser.add_argument("--search-only", action="store_true",
                        help="only the search beside Pagefind, on the content and site under --work when present")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, content, out, cache = args.child
        print(json.dumps(child(mode, Path(content), Path(out), Path(cache))))
        return 0

    from synth import generate

    print(f"# {platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()} · {date.today().isoformat()}")
    if args.search_only:
        for n in args.sizes:
            content, out, cache = args.work / f"content-{n}", args.work / f"site-{n}", args.work / f"cache-{n}"
            print(f"\n## {n:,} records: the search beside Pagefind")
            if not (content / "site.yaml").exists():
                generate(content, n)
            search_comparison(content, out, reuse_or_build(content, out, cache), args.work / f"search-{n}.json")
        return 0
    for n in args.sizes:
        content, out, cache = args.work / f"content-{n}", args.work / f"site-{n}", args.work / f"cache-{n}"
        shutil.rmtree(cache, ignore_errors=True)
        start = time.perf_counter()
        counts = generate(content, n, force=True)
        print(f"\n## {n:,} records ({counts['powers']:,} powers, {counts['policies']:,} policies, "
              f"{counts['board_entries']:,} board entries, {counts['departments']:,} departments; "
              f"{counts['bytes'] / 1e6:.1f} MB of YAML, generated in {time.perf_counter() - start:.1f} s)")
        if args.validate_only:
            validate_rounds(content, out, cache, args.validate_only)
            continue
        for mode in ("validate-warm",) if args.builds_only else ("validate-cold", "validate-warm", "validate-warm"):
            r = run_child(mode, content, out, cache)
            print(f"{mode:14s} {r['wall']:6.2f} s  peak {r['peak_mb']:6.0f} MB   "
                  + "  ".join(f"{name} {s:.2f}" for name, s, _ in r["stages"]))
        shutil.rmtree(out, ignore_errors=True)
        mode = "build-warm" if args.slices else "build"
        r = run_child(mode, content, out, cache)
        print(f"{mode:14s} {r['wall']:6.2f} s  peak {r['peak_mb']:6.0f} MB (render workers {r['children_peak_mb']:.0f} MB each)")
        for name, seconds, peak in r["stages"]:
            print(f"  {name:14s} {seconds:6.2f} s   peak so far {peak:6.0f} MB")
        if args.slices:
            slices_and_merge(args.slices, content, out, cache)
        if args.builds_only:
            continue
        s = page_sizes(out)
        print(f"record pages: avg {s['page_kb_avg']:.1f} KB, max {s['page_kb_max']:.1f} KB")
        (out.parent / f"{out.name}.build.json").write_text(json.dumps(r), "utf-8")
        search_comparison(content, out, r, args.work / f"search-{n}.json")
        r = run_child("incremental", content, args.work / f"preview-{n}", cache)
        print(f"preview edit   page rewritten after {r['page_served_after']:.2f} s, whole rebuild {r['rebuild_done']:.2f} s, "
              f"{r['pages_rendered']} record pages re-rendered")
    for n in args.naive_sizes:
        from naive import naive_build

        r = naive_build(args.work / f"content-{n}" if (args.work / f"content-{n}").exists() else None, n, args.work)
        print(f"\nnaive MkDocs, {n:,} records as pages with built-in search: {r['wall']:.1f} s, "
              f"search index {r['index_mb']:.1f} MB, peak {r['peak_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
