"""Load and validate over forked worker processes: `validate` from nothing at a city's scale.

Loading one file (libyaml's composer) and validating it (pydantic) needs nothing from any
other file, so the main process and forked workers take the files one at a time from one
shared list, largest first, whichever is free taking the next: a process slowed by the
machine's other work takes fewer, and the last files taken are the smallest, so all finish
together. A worker sends each file's result as soon as it has it (the loader's problems, or
the file's models and problems, pickled), and a thread of the main process receives them
while the main process works on its own files. The content is then put together in the
tree's order, as one process puts it together: the same problems in the same order, the
same records in the same order, whoever loaded which file.

A fork costs milliseconds, but the models come back pickled: pickling costs the worker about
a sixth of what loading them cost, unpickling the main process about a tenth (25,000
records); taking files as they come accounts for both. Below `PARALLEL_BYTES` of YAML one
process is quicker. The parse cache works as usual: each process reads and writes the
folder itself.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import traceback
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Iterator, cast

from generator.content.cache import ParseCache
from generator.content.load import Locator
from generator.content.tree import (Content, Validated, add_validated, layout_files, layout_problems, load_one,
                                    suggest_ids, validate_file)
from generator.errors import Problem

PARALLEL_BYTES = 3_000_000  # below this, one process is quicker than forking and pickling

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
    if workers > 1:
        results = _load_shared(root, sorted(paths, key=lambda p: -sizes[p]), cache, workers)
    else:
        locator = Locator()
        results = {path: _load_file(root, path, cache, locator) for path in paths}
    content = Content(root, problems=problems, files=len(paths))
    for path in paths:  # as load_tree and validate_tree leave them: the loader's problems first
        content.problems.extend(results[path][0])
    for path in paths:
        validated = results.pop(path)[1]
        if validated is not None:
            add_validated(content, path, validated)
    return suggest_ids(content)


def _load_file(root: Path, path: Path, cache: ParseCache, locator: Locator) -> FileResult:
    """One file loaded, then validated unless the loader refused it."""
    loaded = load_one(path, cache)
    return loaded.problems, None if loaded.problems else validate_file(root, loaded, locator)


def _load_shared(root: Path, order: list[Path], cache: ParseCache, workers: int) -> dict[Path, FileResult]:
    """`order`'s files taken one at a time by this process and `workers - 1` forked ones."""
    context = multiprocessing.get_context("fork")
    taken = context.Value("q", 0)  # the index in `order` of the next file to take, shared by all
    pipes: list[Connection] = []
    processes = []
    for _ in range(workers - 1):
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(root, order, cache, taken, sending), daemon=True)
        process.start()
        sending.close()
        pipes.append(receiving)
        processes.append(process)
    results: dict[Path, FileResult] = {}
    failures: list[str] = []
    receiver = threading.Thread(target=_receive, args=(pipes, results, failures), daemon=True)
    receiver.start()  # reads the workers' results as they come, or they would wait on a full pipe
    locator = Locator()
    for i in _take(taken, len(order)):
        results[order[i]] = _load_file(root, order[i], cache, locator)
    receiver.join()
    for process in processes:
        process.join()
    if failures or len(results) < len(order):
        raise RuntimeError("a worker process failed while loading the content"
                           + ("".join(f"\n\n{failure}" for failure in failures) or
                              f" (exit codes {[process.exitcode for process in processes]})"))
    return results


def _take(taken: Any, count: int) -> Iterator[int]:
    """The indexes of the files this process takes, until none is left."""
    while True:
        with taken.get_lock():
            i = taken.value
            taken.value = i + 1
        if i >= count:
            return
        yield i


def _work(root: Path, order: list[Path], cache: ParseCache, taken: Any, sending: Connection) -> None:
    """A worker: each file it takes is sent back as (path, result) once done; None at the end,
    or the traceback of what went wrong."""
    try:
        locator = Locator()
        for i in _take(taken, len(order)):
            sending.send((order[i], _load_file(root, order[i], cache, locator)))
        sending.send(None)
    except BaseException:
        sending.send(traceback.format_exc())
    finally:
        sending.close()


def _receive(pipes: list[Connection], results: dict[Path, FileResult], failures: list[str]) -> None:
    """The workers' results into `results`, until each has said it is done (or has gone)."""
    open_ = list(pipes)
    while open_:
        for pipe in cast(list[Connection], wait(open_)):
            try:
                message = pipe.recv()
            except EOFError:  # a worker that died: the missing files say so
                message = None
            except Exception:  # a result that cannot be read back
                message = traceback.format_exc()
            if isinstance(message, tuple):
                results[message[0]] = message[1]
                continue
            if isinstance(message, str):
                failures.append(message)
            open_.remove(pipe)
            pipe.close()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
