"""The site search beside Pagefind (extended) over the same built site, measured from the user's side.

    python benchmarks/run.py --sizes 25000 --search-only      # build once (or reuse), then only this

Both engines answer the same queries; the truth is what the record pages show
(benchmarks/search_truth.py). For each query: results, recall against the pages, precision of
the first 10 (the share whose page shows every query word), compressed bytes a first query
downloads on a cold cache, and milliseconds in Chromium.

Ours: `generator.output.search_lookup.search(index_dir, query, reads=...)` and `shown` (the first page of
results checked against their texts, as the page shows them), the lookup assets/search.js
does (exact matches; the typo, Traditional and everyday-word sets also take the closest
matches the box shows when nothing matches); cold bytes are the gzip sizes of the files it
read, meta.json, fold.json, assets/search.js and the text chunks of the first 10 results (their
titles, links and snippets); latency is the header box's on a page that has loaded (the box
clicked, then the text entered at once; from the input event to results on screen, debounce
excluded; per query the median of OURS_RUNS cold runs, each in a new browser context). Pagefind:
`python -m pagefind` over the record pages' main content (`--root-selector`, history and
record tables excluded; the lists of records that name a record cannot be excluded without
changing the templates, so Pagefind indexes them too), then
driven in Chromium: pagefind.js imported in a page of the site with a cold cache, a search, the
first 10 results' data; bytes are what that fetched (files Pagefind stores compressed counted
as stored, others gzipped); latency is import + search + data, one run per query. A Pagefind result is a page: it
finds every document on that page (a board or task list page holds several)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from search_truth import (documents, drawn_queries, everyday_queries, literal, page_texts, traditional_queries,
                          typo_queries)

REPO = Path(__file__).resolve().parent.parent
BUNDLE = "pagefind-bench"
ROOT_SELECTOR = "article.md-content__inner"
EXCLUDE = ("section.history", "table.records")


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 6))


def served(path: Path) -> int:
    """Bytes on the wire with compression: gzip, or the file as stored when it is already compressed."""
    data = path.read_bytes()
    return len(data) if data[:2] == b"\x1f\x8b" else len(gzip.compress(data, 6))


def ours(site_dir: Path, query: str, chunk: int, closest: bool = False) -> tuple[list[int], int]:
    """Document numbers in rank order and the compressed bytes a cold first query downloads;
    with `closest`, the closest matches when nothing matches (the box shows them under a notice)."""
    from generator.output import search_lookup as engine

    index = site_dir / "search"
    reads: set[Path] = set()
    hits = engine.search(index, query, reads=reads)
    if closest and not hits and hasattr(engine, "closest"):
        hits = engine.closest(index, query)
    elif hits:  # the header box checks its 8 against their records' texts (its bytes), the search page 20
        engine.shown(index, query, hits[:8], 8, reads=reads)
        hits = engine.shown(index, query, hits[:20], 20) + hits[20:]
    files = reads | {index / "meta.json", index / "fold.json", site_dir / "assets" / "search.js"}
    files |= {index / "t" / f"{i // chunk}.json" for i in hits[:10]}
    return hits, sum(gz(p) for p in files if p.exists())


def build_pagefind(site_dir: Path, sections: list[str]) -> dict:
    """Run Pagefind over the record pages; its wall and CPU time, peak RSS and bundle size."""
    bundle = site_dir / BUNDLE
    subprocess.run(["rm", "-rf", str(bundle)], check=True)
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", BUNDLE, "--silent",
           "--root-selector", ROOT_SELECTOR, "--glob", "{" + ",".join(sections) + "}/*/index.html"]
    for selector in EXCLUDE:
        cmd += ["--exclude-selectors", selector]
    start = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"pagefind exited with {process.returncode}: {' '.join(cmd)}")
    files = [p for p in bundle.rglob("*") if p.is_file() and "-ui." not in p.name and "highlight" not in p.name]
    return {"seconds": wall, "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "bytes": sum(p.stat().st_size for p in files), "files": len(files),
            "pages": len(list((bundle / "fragment").glob("*.pf_fragment")))}


def fragment_urls(site_dir: Path) -> dict[str, str]:
    """Pagefind result id -> the page's path under the site ("powers/x/")."""
    out = {}
    for path in (site_dir / BUNDLE / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        out[path.stem] = json.loads(data[data.index(b"{"):])["url"].lstrip("/")
    return out


PAGEFIND_QUERY = """async ([bundle, q]) => {
    const start = performance.now();
    const pagefind = await import(bundle + 'pagefind.js');
    const found = await pagefind.search(q);
    const top = await Promise.all(found.results.slice(0, 10).map(r => r.data()));
    return {ms: performance.now() - start, ids: found.results.map(r => r.id), top: top.map(d => d.url)};
}"""

ARM_BOX = """() => { window.__shown = new Promise(resolve => {
    const input = document.querySelector('.site-search__input');
    const box = document.querySelector('.site-search__results');
    let start = null;
    input.addEventListener('input', () => { if (start === null) start = performance.now(); }, {capture: true});
    new MutationObserver(() => { if (!box.hidden && start !== null) resolve(performance.now() - start); })
        .observe(box, {attributes: true, childList: true});
}); }"""


OURS_RUNS = 3  # cold runs per query of ours (Pagefind's queries take up to 25 s each: one run)


def type_query(page, query: str) -> float:
    """As a person searches from the header box: click it, then the text arrives at once (as an
    input method commits Chinese); milliseconds from the input event to the results on screen."""
    page.evaluate(ARM_BOX)
    page.click(".site-search__input")
    page.keyboard.insert_text(query)
    return page.evaluate("() => window.__shown")


def browser_runs(site_dir: Path, ours_queries: list[str], pagefind_queries: list[str],
                 browser=None) -> tuple[dict, dict]:
    """Each query in a new browser context (a cold cache) on the site's policies page: ours typed
    into the header box, Pagefind imported and searched. Returns per query {ms, kb[, ids, top]}.
    `browser`: a Playwright browser already running (the test suite's), else Chromium is started."""
    sys.path.insert(0, str(REPO / "tests"))
    from browser import CHROMIUM_ARGS, chromium_path
    from playwright.sync_api import sync_playwright

    if browser is not None:
        return _browser_runs(browser, site_dir, ours_queries, pagefind_queries)
    with sync_playwright() as p:
        started = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            return _browser_runs(started, site_dir, ours_queries, pagefind_queries)
        finally:
            started.close()


def _browser_runs(browser, site_dir: Path, ours_queries: list[str], pagefind_queries: list[str]) -> tuple[dict, dict]:
    from browser import serve_directory

    ours_out, pagefind_out = {}, {}
    with serve_directory(site_dir) as url:
        def run(query: str, script, arg, bypass_csp: bool, under: str) -> tuple[object, int]:
            """The script's value (or the function's, given the page) and the compressed bytes of
            the files under `under` it fetched."""
            context = browser.new_context(bypass_csp=bypass_csp)  # Pagefind compiles WebAssembly, which our CSP forbids
            page = context.new_page()
            page.goto(url + "policies/")
            page.wait_for_load_state("networkidle")  # a person searches a page that has loaded (its list data too)
            fetched: list[str] = []
            page.on("request", lambda request: fetched.append(request.url))
            value = script(page, arg) if callable(script) else page.evaluate(script, arg)
            page.wait_for_load_state("networkidle")
            context.close()
            files = {site_dir / unquote(urlparse(u).path.lstrip("/")) for u in fetched if u.startswith(url + under)}
            return value, sum(served(f) for f in files if f.is_file())

        for query in ours_queries:  # the median of OURS_RUNS cold runs: one run is at the mercy of a shared machine
            runs = [run(query, type_query, query, False, "search/") for _ in range(OURS_RUNS)]
            ms, kb = sorted(runs)[len(runs) // 2]
            ours_out[query] = {"ms": ms - 100, "kb": (kb + served(site_dir / "assets" / "search.js")) / 1024,
                               "runs_ms": [round(r[0] - 100, 1) for r in runs]}
        for query in pagefind_queries:
            value, kb = run(query, PAGEFIND_QUERY, [url + BUNDLE + "/", query], True, BUNDLE + "/")
            pagefind_out[query] = {**value, "kb": kb / 1024}
    return ours_out, pagefind_out


def _score(ranked: list[list[int]], expected: set[int]) -> dict:
    """ranked: per result, the documents it stands for (one for ours, a page's for Pagefind)."""
    found = set().union(*ranked) & expected if ranked else set()
    top = ranked[:10]
    return {"hits": len(ranked), "found": len(found), "recall": len(found) / len(expected) if expected else None,
            "top": len(top), "relevant": sum(1 for docs in top if set(docs) & expected),
            "first10_ok": any(set(docs) & expected for docs in top)}


def compare(site_dir: Path, content_dir: Path, ours_build: dict, queries: list[str] | None = None,
            sets: dict | None = None, browser=None) -> dict:
    """Every figure of both engines over the built site `site_dir` of `content_dir`: for
    `queries` (default: benchmarks/run.py QUERIES and words drawn from the content) and the
    typo, Traditional and everyday-word `sets` ({name: [(typed, [meant words])]})."""

    index = site_dir / "search"
    chunk = json.loads((index / "meta.json").read_text("utf-8"))["text_chunk"]
    rows = documents(index)
    start = time.perf_counter()
    texts = page_texts(site_dir, rows)
    truth_seconds = time.perf_counter() - start
    on_page: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        on_page.setdefault(row[0].partition("#")[0], []).append(i)
    if queries is None or sets is None:
        from run import QUERIES

        drawn = drawn_queries(content_dir)
        main = [(q, "benchmark") for q in QUERIES] + [(q, kind) for kind, qs in drawn.items() for q in qs]
        sets = {"typo": [(typed, [meant]) for typed, meant in typo_queries(drawn["names"])],
                "traditional": [(typed, [meant]) for typed, meant in
                                traditional_queries([*drawn["names"], *drawn["legal basis"][:2]])],
                "everyday": everyday_queries()}
    else:
        main = [(q, "given") for q in queries]

    pagefind_build = build_pagefind(site_dir, sorted({p.split("/")[0] for p in on_page}))
    ids = fragment_urls(site_dir)
    every = [q for q, _ in main] + [q for s in sets.values() for q, _ in s]
    browser_ours, browser_pagefind = browser_runs(site_dir, [q for q, _ in main], list(dict.fromkeys(every)), browser)

    def pagefind_ranked(query: str) -> list[list[int]]:
        return [on_page.get(ids.get(i, ""), []) for i in browser_pagefind[query]["ids"]]

    rows_out = []
    for query, kind in main:
        expected = literal(texts, query)
        hits, cold = ours(site_dir, query, chunk)
        rows_out.append({"query": query, "set": kind, "expected": len(expected),
                         "ours": {**_score([[i] for i in hits], expected), "cold_kb": cold / 1024,
                                  "browser_kb": browser_ours[query]["kb"], "ms": browser_ours[query]["ms"],
                                  "runs_ms": browser_ours[query].get("runs_ms", [])},
                         "pagefind": {**_score(pagefind_ranked(query), expected), "cold_kb": browser_pagefind[query]["kb"],
                                      "ms": browser_pagefind[query]["ms"]}})
    set_rows = {}
    for name, queries in sets.items():
        set_rows[name] = []
        for typed, meant in queries:
            expected = set().union(*(literal(texts, m) for m in meant))
            hits, _ = ours(site_dir, typed, chunk, closest=True)
            set_rows[name].append({"query": typed, "meant": meant, "expected": len(expected),
                                   "ours": _score([[i] for i in hits], expected),
                                   "pagefind": _score(pagefind_ranked(typed), expected)})
    return {"documents": len(rows), "pages": len(on_page), "truth_seconds": truth_seconds,
            "index": {"ours": {**ours_build, **_size(index)}, "pagefind": pagefind_build},
            "queries": rows_out, "sets": set_rows, "overall": {e: overall(rows_out, e) for e in ("ours", "pagefind")}}


def _size(index: Path) -> dict:
    files = [p for p in index.rglob("*") if p.is_file()]
    return {"bytes": sum(p.stat().st_size for p in files), "gzip_bytes": sum(gz(p) for p in files), "files": len(files)}


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def overall(rows: list[dict], engine: str) -> dict:
    scored = [r for r in rows if r["expected"]]
    found = sum(r[engine]["found"] for r in scored)
    expected = sum(r["expected"] for r in scored)
    cold = [r[engine]["cold_kb"] for r in rows]
    ms = [r[engine]["ms"] for r in rows]
    return {"recall": found / expected, "mean_recall": sum(r[engine]["recall"] for r in scored) / len(scored),
            "min_recall": min(r[engine]["recall"] for r in scored),
            "below_0_8": [r["query"] for r in scored if r[engine]["recall"] < 0.8],
            "precision": sum(r[engine]["relevant"] for r in rows) / max(1, sum(r[engine]["top"] for r in rows)),
            "cold_kb_p50": _pct(cold, 0.5), "cold_kb_p95": _pct(cold, 0.95), "cold_kb_max": max(cold),
            "ms_p50": _pct(ms, 0.5), "ms_p95": _pct(ms, 0.95), "ms_max": max(ms),
            **({"every_run_ms_p95": _pct(runs, 0.95), "every_run_ms_max": max(runs)}
               if (runs := [m for r in rows for m in r[engine].get("runs_ms", [])]) else {}),
            **({"box_kb_p50": _pct(box, 0.5), "box_kb_p95": _pct(box, 0.95)} if (box := [r[engine].get("browser_kb") for r in rows
                                                                                    if "browser_kb" in r[engine]]) else {})}


def report(r: dict) -> list[str]:
    """The comparison as lines of text, ours beside Pagefind."""
    o, p = r["index"]["ours"], r["index"]["pagefind"]
    lines = [f"search beside Pagefind 1.5 (extended): {r['documents']:,} search documents on {r['pages']:,} record pages "
             f"(page texts read in {r['truth_seconds']:.1f} s)",
             f"  index build   ours {o['seconds']:.2f} s (build stage 'search index'), peak {o['peak_mb']:.0f} MB main process "
             f"(+{o['growth_mb']:.0f} MB in the stage) | Pagefind {p['seconds']:.2f} s wall, {p['cpu_seconds']:.2f} s CPU, "
             f"peak RSS {p['peak_mb']:.0f} MB",
             f"  index size    ours {o['bytes'] / 1e6:.1f} MB in {o['files']:,} files ({o['gzip_bytes'] / 1e6:.1f} MB gzip) | "
             f"Pagefind {p['bytes'] / 1e6:.1f} MB in {p['files']:,} files (stored compressed), {p['pages']:,} pages",
             f"  {'query':24s} {'shown':>6s} | {'ours: hits':>10s} {'recall':>6s} {'P@10':>5s} {'KB':>6s} {'ms':>5s} | "
             f"{'Pagefind: hits':>14s} {'recall':>6s} {'P@10':>5s} {'KB':>6s} {'ms':>5s}"]
    fmt = lambda x: "   —  " if x is None else f"{x:6.3f}"  # noqa: E731
    for q in r["queries"]:
        a, b = q["ours"], q["pagefind"]
        lines.append(f"  {q['query'][:24]:24s} {q['expected']:6d} | {a['hits']:10d} {fmt(a['recall'])} "
                     f"{a['relevant']:2d}/{a['top']:<2d} {a['cold_kb']:6.1f} {a['ms']:5.0f} | {b['hits']:14d} "
                     f"{fmt(b['recall'])} {b['relevant']:2d}/{b['top']:<2d} {b['cold_kb']:6.1f} {b['ms']:5.0f}")
    for engine in ("ours", "pagefind"):
        s = r["overall"][engine]
        lines.append(f"  {engine:8s} recall {s['recall']:.3f} (mean per query {s['mean_recall']:.3f}, lowest {s['min_recall']:.3f}, {len(s['below_0_8'])} queries "
                     f"below 0.8), precision of the first 10 {s['precision']:.3f}, cold KB p50 {s['cold_kb_p50']:.1f} "
                     f"p95 {s['cold_kb_p95']:.1f} max {s['cold_kb_max']:.1f}"
                     + (f" (in the box p50 {s['box_kb_p50']:.1f} p95 {s['box_kb_p95']:.1f})" if "box_kb_p50" in s else "")
                     + f", ms p50 {s['ms_p50']:.0f} p95 {s['ms_p95']:.0f} max {s['ms_max']:.0f}"
                     + (f" (every run: p95 {s['every_run_ms_p95']:.0f} max {s['every_run_ms_max']:.0f})"
                        if "every_run_ms_p95" in s else ""))
    mark = lambda x, e: "n/a" if not x["expected"] else "yes" if x[e]["first10_ok"] else "no"  # noqa: E731
    for name, rows in r["sets"].items():
        shown = [x for x in rows if x["expected"]]
        lines.append(f"  {name} set: the expected record in the first 10 for ours {sum(x['ours']['first10_ok'] for x in shown)}"
                     f"/{len(shown)}, Pagefind {sum(x['pagefind']['first10_ok'] for x in shown)}/{len(shown)}"
                     + (f" ({len(rows) - len(shown)} more whose words no page shows)" if len(shown) < len(rows) else ""))
        for x in rows:
            lines.append(f"    {x['query']:16s} → {'/'.join(x['meant'])[:40]:40s} shown {x['expected']:5d}  ours "
                         f"{mark(x, 'ours'):3s} ({x['ours']['hits']} hits)  Pagefind {mark(x, 'pagefind'):3s} "
                         f"({x['pagefind']['hits']} hits)")
    return lines
