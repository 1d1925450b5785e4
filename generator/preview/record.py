"""What a page read while it rendered: a recording view of the Site (Hugo-style dependencies).

A record page is rendered with `View(site, reads)` in place of the site. Every attribute,
item and method call on it — and on the dicts and dataclasses reached from it, e.g.
`site.relations["powers"].department[id]`, `site.referrers_of(...)`, `site.record(kind, id)` —
appends (access path, value) to `reads`. Before the preview renders that page again it
replays each path on the new site (`replay`) and compares the values (`same`): the very same
objects (an unchanged file keeps its model objects, see content/tree.py's memo), or equal plain
data. Nothing is listed by hand: whatever a template reads is what the page depends on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from generator.site.model import Site

# values compared by equality; anything else must be the very same object
PLAIN = (str, int, float, bool, date, datetime, bytes, type(None))
_VIEWS: tuple[type[Iterable[Any]], ...] = (type({}.keys()), type({}.values()), type({}.items()))


def _followed(value: Any) -> bool:
    """Containers the view follows into (their reads are recorded one by one), not values."""
    return isinstance(value, (dict, Site)) or (dataclasses.is_dataclass(value) and not isinstance(value, type)
                                              and not value.__dataclass_params__.frozen)  # type: ignore[attr-defined]  # on every dataclass, not in typeshed's protocol


class View:
    """Stands for `target` in templates and kind functions, recording what they read."""

    __slots__ = ("_target", "_path", "_reads")

    def __init__(self, target: Any, reads: list, path: tuple = ()):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_reads", reads)

    def _got(self, step: tuple, value: Any) -> Any:
        path = self._path + (step,)
        if _followed(value):
            return View(value, self._reads, path)
        if callable(value) and getattr(value, "__self__", None) is self._target:
            return _Method(value, self._reads, path)
        self._reads.append((path, value))
        return value

    def __getattr__(self, name: str) -> Any:
        return self._got(("attr", name), getattr(self._target, name))

    def __getitem__(self, key: Any) -> Any:
        return self._got(("item", key), self._target[key])

    def __contains__(self, key: Any) -> bool:
        return self._got(("contains", key), key in self._target)

    def __len__(self) -> int:
        return self._got(("len",), len(self._target))

    def __bool__(self) -> bool:
        return self._got(("bool",), bool(self._target))

    def __iter__(self):
        return iter(self._got(("iter",), list(self._target)))


class _Method:
    __slots__ = ("_method", "_reads", "_path")

    def __init__(self, method: Any, reads: list, path: tuple):
        self._method, self._reads, self._path = method, reads, path

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        value = self._method(*args, **kwargs)
        if isinstance(value, _VIEWS):
            value = list(value)
        return View(None, self._reads, self._path)._got(("call", args, tuple(kwargs.items())), value)


def replay(site: Site, path: tuple) -> Any:
    """The value `path` reaches on `site` (raises when it no longer can)."""
    value: Any = site
    for step in path:
        op = step[0]
        if op == "attr":
            value = getattr(value, step[1])
        elif op == "item":
            value = value[step[1]]
        elif op == "call":
            value = value(*step[1], **dict(step[2]))
            if isinstance(value, _VIEWS):
                value = list(value)
        elif op == "contains":
            value = step[1] in value
        elif op == "len":
            value = len(value)
        elif op == "bool":
            value = bool(value)
        elif op == "iter":
            value = list(value)
        else:
            raise ValueError(f"unknown step {step!r}")
    return value


def same(a: Any, b: Any) -> bool:
    """The very same object, or equal plain data (lists, tuples and dicts compared element by
    element by this rule; models and frozen dataclasses, which are values, by equality — a file
    edited anew gives every record in it new objects, most of them equal to the old ones)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, PLAIN):
        return a == b
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, BaseModel):  # a record or department read again from a changed file: field by field
        return a == b
    if dataclasses.is_dataclass(a) and a.__dataclass_params__.frozen:  # type: ignore[union-attr]  # as in _followed
        return a == b
    return False


def unchanged(site: Site, reads: list) -> bool:
    """Every recorded read gives the same value on `site` (a read that fails counts as changed)."""
    for path, value in reads:
        try:
            now = replay(site, path)
        except Exception:
            return False
        if not same(value, now):
            return False
    return True
