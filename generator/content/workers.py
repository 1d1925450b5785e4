"""Load and validate over forked worker processes: `validate` from nothing at a city's scale.

Loading one file (libyaml's composer) and validating it (pydantic) needs nothing from any
other file, so the files are shared out by size between forked processes, the main process
taking a share of its own; each returns, per file, the loader's problems or the file's
models and problems. The content is then put together in the tree's order, as one process
puts it together: the same problems in the same order, the same records in the same order.

A fork costs milliseconds, but the models come back pickled: a worker spends ~12 % more
on pickling its share, the main process ~7 % of the worker's share on unpickling it
(measured at 5,000 records), so with one worker the main process takes half the bytes
(`MAIN_SHARE`). Below `PARALLEL_BYTES` of YAML one process is quicker. The parse cache works as usual: each worker
reads and writes the folder itself.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from generator.content.cache import ParseCache
from generator.content.load import Locator
from generator.content.tree import (Content, Validated, add_validated, layout_files, layout_problems, load_one,
                                    suggest_ids, validate_file)
from generator.errors import Problem

PARALLEL_BYTES = 3_000_000  # below this, one process is quicker than forking and pickling
MAIN_SHARE = 0.5  # of the bytes, with one worker beside it (see above)

FileResult = tuple[list[Problem], Validated | None]  # the loader's problems, or the validation


def load_and_validate(root: Path, cache: ParseCache, workers: int = 0) -> Content:
    """Load and validate every file under `root`, over `workers` processes (0: one per CPU
    core, and one alone below PARALLEL_BYTES)."""
    root = root.resolve()
    problems = layout_problems(root)
    paths = layout_files(root, problems)
    sizes = {path: _size(path) for path in paths}
    if workers == 0:
        workers = (os.cpu_count() or 1) if sum(sizes.values()) >= PARALLEL_BYTES else 1
    workers = min(workers, len(paths)) if "fork" in multiprocessing.get_all_start_methods() else 1
    shares = _shares(paths, sizes, workers)
    results: dict[Path, FileResult] = {}
    if workers > 1:
        with ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_load_share, root, share, cache) for share in shares[1:]]
            results.update(zip(shares[0], _load_share(root, shares[0], cache)))
            for share, future in zip(shares[1:], futures):
                results.update(zip(share, future.result()))
    else:
        results.update(zip(paths, _load_share(root, paths, cache)))
    content = Content(root, problems=problems, files=len(paths))
    for path in paths:  # as load_tree and validate_tree leave them: the loader's problems first
        content.problems.extend(results[path][0])
    for path in paths:
        validated = results.pop(path)[1]
        if validated is not None:
            add_validated(content, path, validated)
    return suggest_ids(content)


def _load_share(root: Path, paths: list[Path], cache: ParseCache) -> list[FileResult]:
    """One process's files: each loaded, then validated unless the loader refused it."""
    locator = Locator()
    out: list[FileResult] = []
    for path in paths:
        loaded = load_one(path, cache)
        out.append((loaded.problems, None if loaded.problems else validate_file(root, loaded, locator)))
    return out


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _shares(paths: list[Path], sizes: dict[Path, int], workers: int) -> list[list[Path]]:
    """Files shared out by size, largest first, to whichever share is least full for its
    weight; the first share (the main process's) weighs MAIN_SHARE. Each keeps tree order."""
    if workers <= 1:
        return [list(paths)]
    main = MAIN_SHARE * 2 / workers
    weights = [main] + [(1 - main) / (workers - 1)] * (workers - 1)
    loads = [0] * workers
    owner: dict[Path, int] = {}
    for path in sorted(paths, key=lambda p: -sizes[p]):
        i = min(range(workers), key=lambda k: ((loads[k] + sizes[path]) / weights[k], k))
        owner[path] = i
        loads[i] += sizes[path]
    return [[p for p in paths if owner[p] == i] for i in range(workers)]
