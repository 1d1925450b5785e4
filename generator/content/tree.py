"""Load and validate the whole content/ tree into models, collecting every problem.

The kind of a record comes from its folder, never from its fields. Each record keeps
its `Source` (file and path inside the document) so later stages can report problems
at the right line.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import os
import re
import typing
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from generator.content import personal_data
from generator.content.advice import CLOSING, OPENING, nearest
from generator.content.cache import ParseCache
from generator.errors import Pending, Problem
from generator.kinds import KINDS
from generator.kinds.site import Department, SearchSettings, SiteInfo
from generator.kinds.base import is_identifier, submodel
from generator.content.load import MAX_FILE_BYTES, Loaded, Locator, load_file, position
from generator.content.validate import validate_record


@dataclass(frozen=True)
class Source:
    file: Path
    path: tuple = ()

    def at(self, *steps: Any) -> tuple[Path, tuple]:
        return self.file, self.path + steps


@dataclass
class Content:
    root: Path
    site: SiteInfo | None = None
    search: Any = None  # search.yaml's SearchSettings, when the file exists
    departments: list[tuple[Department, Source]] = field(default_factory=list)
    records: dict[str, list[tuple[Any, Source]]] = field(default_factory=lambda: {name: [] for name in KINDS})
    problems: list[Problem] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    files: int = 0
    locator: Locator = field(default_factory=Locator)

    def add(self, file: Path, path: tuple, message: str, at_key: bool = False, severity: str = "error") -> None:
        self.pending.append(Pending(file, path, message, at_key, severity))

    def all_problems(self) -> list[Problem]:
        """Every problem, located, in file and line order."""
        located = [self.locator.resolve(p, display_path(p.file)) for p in self.pending]
        return sorted(set(self.problems + located), key=lambda p: (p.file, p.line, p.column, p.message))

    def errors(self) -> list[Problem]:
        return [p for p in self.all_problems() if p.severity == "error"]


def display_path(path: Path) -> str:
    """PATH as printed in problem lines: relative to the repository root (the folder holding
    content/, or else the git top level), wherever the command is run from; otherwise relative
    to the working directory when inside it."""
    if not path.is_absolute():
        return str(path)
    base = repository_root(path)  # the content folder itself too
    try:
        return os.path.relpath(path, base if base is not None else Path.cwd())
    except ValueError:
        return str(path)


@functools.lru_cache(maxsize=4096)
def repository_root(folder: Path) -> Path | None:
    """The folder holding the content/ folder that `folder` is in, or the git top level above it."""
    for above in (folder, *folder.parents):
        if above.name == "content":
            return above.parent
    for above in (folder, *folder.parents):
        if (above / ".git").exists():
            return above
    return None


def content_files(root: Path) -> list[Path]:
    """Every file under `root` (a link to nowhere included: loading it reports the problem)."""
    return sorted(p for p in root.rglob("*") if (p.is_file() or p.is_symlink()) and not p.name.startswith("."))


@dataclass
class Tree:
    """Every content file loaded (parsed, not yet validated)."""

    root: Path
    files: dict[Path, Loaded]
    problems: list[Problem]


def load_tree(root: Path, cache: ParseCache | None = None) -> Tree:
    """Load stage: parse every file under `root`, refusing files outside the layout.

    With a `cache`, files whose bytes were parsed before are not parsed again."""
    cache = cache or ParseCache(None)
    root = root.resolve()
    tree = Tree(root, {}, layout_problems(root))
    for path in layout_files(root, tree.problems):
        loaded = load_one(path, cache)
        tree.problems.extend(loaded.problems)
        tree.files[path] = loaded
    return tree


def layout_problems(root: Path) -> list[Problem]:
    """A missing content folder or a missing required file."""
    if not root.is_dir():
        return [Problem(display_path(root), 1, 1, "内容目录不存在")]
    return [Problem(display_path(root / name), 1, 1, f"缺少文件 {name}")
            for name in ("site.yaml", "departments.yaml") if not (root / name).is_file()]


def layout_files(root: Path, problems: list[Problem]) -> list[Path]:
    """The files to load, in order; every file outside the layout is reported to `problems`."""
    files = []
    for path in content_files(root) if root.is_dir() else ():
        parts = path.relative_to(root).parts
        known = (len(parts) == 1 and path.name in ("site.yaml", "departments.yaml", "search.yaml")) or (
            len(parts) == 2 and parts[0] in KINDS and path.suffix == ".yaml")
        if known:
            files.append(path)
        else:
            problems.append(Problem(
                display_path(path), 1, 1,
                "不认识的文件：content/ 下只能有 site.yaml、departments.yaml、search.yaml 和 "
                + "、".join(f"{name}/*.yaml" for name in KINDS),
            ))
    return files


def load_one(path: Path, cache: ParseCache) -> Loaded:
    rel = display_path(path)
    if not cache.used:
        return load_file(path, rel)  # (the bytes are read once, there)
    try:
        raw = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else None
    except OSError:
        raw = None  # load_file says what is wrong with it
    if raw is None:
        return load_file(path, rel)
    return cache.get(raw, rel, lambda: load_file(path, rel),
                     lambda cached: dataclasses.replace(cached, path=path, rel=rel))


@dataclass
class Validated:
    """One file's validation: its models with their sources, and its problems."""

    models: list[tuple[Any, Source]]
    pending: list[Pending]
    problems: list[Problem]


def validate_tree(tree: Tree, memo: dict | None = None) -> Content:
    """Validate stage: every loaded file to models, every problem collected.

    `memo` (kept by a long-running preview) maps a file's path and digest to its last
    `Validated`, so unchanged files are not validated again and keep their very models."""
    content = Content(tree.root, problems=list(tree.problems), files=len(tree.files))
    for path in list(tree.files):  # taken out one by one: each file's raw data goes once validated
        loaded = tree.files.pop(path)
        if loaded.problems:
            continue
        key = (path, loaded.digest)
        result = memo.get(key) if memo is not None else None
        if result is None:
            result = validate_file(tree.root, loaded, content.locator)
            if memo is not None:
                memo[key] = result
        add_validated(content, path, result)
    return suggest_ids(content)


def add_validated(content: Content, path: Path, result: Validated) -> None:
    """One file's models and problems into `content` (files are added in the tree's order)."""
    content.pending.extend(result.pending)
    content.problems.extend(result.problems)
    if path == content.root / "site.yaml":
        content.site = result.models[0][0] if result.models else None
    elif path == content.root / "departments.yaml":
        content.departments.extend(result.models)
    elif path == content.root / "search.yaml":
        content.search = result.models[0][0] if result.models else None
    else:
        content.records[path.parent.name].extend(result.models)


def suggest_ids(content: Content) -> Content:
    """Messages that need every record read (a name written where an id belongs) are finished here."""
    if any(p.lookup for p in content.pending):
        content.pending = [_suggest_id(content, p) if p.lookup else p for p in content.pending]
    return content


def _suggest_id(content: Content, pending: Pending) -> Pending:
    """A record's name written where its id belongs (a reference field): say which kind of id,
    and give the id of the record of that name (or of the nearest name), now that all are read."""
    title, value = pending.lookup
    kind = next((k for k in KINDS.values() if k.label in title), None)
    if kind is None:
        return pending
    what = kind.label.removeprefix("权责")
    names: dict[str, list[str]] = {}
    for record, _ in content.records.get(kind.name, ()):
        name = getattr(record, "name", None) or getattr(record, "title", None)
        if name:
            names.setdefault(name.strip(), []).append(record.id)
    match = value.strip() if value.strip() in names else nearest(value.strip(), names)
    first = next((ids[0] for ids in names.values()), None)
    example = f"（如 {first}）" if first else ""
    message = f"{title}“{value}”：请填写{what}标识{example}，不是{what}名称"
    if match == value.strip():
        ids = " 或 ".join(names[match])
        message += f"。“{match}”的标识是 {ids}，请改为 {ids}"
    elif match is not None:
        message += f"。名称最接近的是“{match}”，其标识是 {' 或 '.join(names[match])}"
    return dataclasses.replace(pending, message=message, lookup=())


def validate_file(root: Path, loaded: Loaded, locator: Locator) -> Validated:
    """One loaded file against the model its place in the tree calls for."""
    path = loaded.path
    model: type[BaseModel]
    if path == root / "site.yaml":
        model, per_file, label = SiteInfo, "one", "网站信息"
    elif path == root / "departments.yaml":
        model, per_file, label = Department, "list", "部门登记册"
    elif path == root / "search.yaml":
        model, per_file, label = SearchSettings, "one", "搜索设置"
    else:
        kind = KINDS[path.parent.name]
        model, per_file, label = kind.model, kind.per_file, kind.label
    result = Validated([], [], personal_data_problems(loaded, model))
    if any(q in loaded.text for q in OPENING):
        result.problems.extend(curly_quote_warnings(loaded, model))
    if per_file == "one":
        entries: list[tuple[tuple[int, ...], Any]] = [((), loaded.data)]
    elif isinstance(loaded.data, list):
        entries = [((i,), item) for i, item in enumerate(loaded.data)]
    else:
        result.pending.append(Pending(path, (), f"{label}文件应为列表（每条以“- ”开头）"))
        entries = []
    for where, data in entries:
        record, pending = validate_record(model, data, path, where, locator)
        result.pending.extend(pending)
        if record is not None:
            result.models.append((record, Source(path, where)))
    return result


_CURLY_VALUE = re.compile(rf"^([ ]*(?:- )?)([A-Za-z_][A-Za-z0-9_]*):[ ]+([{OPENING}][^\n{OPENING}{CLOSING}]*[{CLOSING}])[ ]*(?:#.*)?$",
                          re.M)


def curly_quote_warnings(loaded: Loaded, model: type[BaseModel]) -> list[Problem]:
    """A text value (a name, a title) written between curly quotes is published with them: a
    warning. Codes, ids and enum values so written are refused by their own rules."""
    strict = _strict_keys(model)
    found = []
    text = loaded.text
    for start in _lines_with(text, OPENING):  # a match is a whole line holding an opening quote
        match = _CURLY_VALUE.match(text, start)
        if match is None or match.group(2) in strict:
            continue
        value = match.group(3)
        found.append(Problem(loaded.rel, *position(loaded.text, match.start(3)),
                             f"{match.group(2)} 两端是弯引号 {value[0]}{value[-1]}：YAML 不把它们当作引号，发布后会连同引号一起显示；"
                             "如不需要，请删除这对引号（YAML 的引号请用直引号 ' 或 \"）", "warning"))
    return found


def _lines_with(text: str, chars: str) -> list[int]:
    """Offsets of the starts of the lines that hold any of `chars`, in order (plain searches:
    scanning every line with a regular expression cost more than the check)."""
    starts = set()
    for char in chars:
        at = text.find(char)
        while at != -1:
            start = text.rfind("\n", 0, at) + 1
            starts.add(start)
            end = text.find("\n", at)
            at = text.find(char, end) if end != -1 else -1
    return sorted(starts)


@functools.lru_cache(maxsize=None)
def _strict_keys(model: type[BaseModel]) -> frozenset[str]:
    """Keys (in `model` and its submodels) whose values are codes, ids or enum values."""
    keys: set[str] = set()
    stack, seen = [model], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for key, info in current.model_fields.items():
            if is_identifier(info.annotation, tuple(info.metadata)) or _is_strict(info.annotation, info.metadata):
                keys.add(key)
            if (sub := submodel(info.annotation)) is not None:
                stack.append(sub)
    return frozenset(keys)


def _is_strict(annotation: Any, metadata: list | tuple = ()) -> bool:
    """Whether a field's type is an enum (Literal) or a string with a pattern (ids, slugs)."""
    if any(getattr(m, "pattern", None) for m in metadata):
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return True
    if origin is typing.Annotated:
        return _is_strict(annotation.__origin__, annotation.__metadata__)
    return any(_is_strict(arg) for arg in typing.get_args(annotation) if not isinstance(arg, type) or
               not issubclass(arg, BaseModel))


_LONG_NUMBER = re.compile(r"[0-9０-９][0-9０-９Xx Ｘｘ\u3000\-－+＋]{9,}")
_DIGIT = re.compile("[0-9]")
_FEWEST_DIGITS = 11  # a mobile number; ID-card and bank-card numbers have more


def personal_data_problems(loaded: Loaded, model: type[BaseModel] | None = None) -> list[Problem]:
    """ID-card, mobile and bank-card numbers anywhere in a file (comments included), located to
    the character — except inside the values of identifier fields of `model` (codes, document
    numbers, credit codes, phone numbers), which their own format rules check instead.

    Most long numbers are dates, landline numbers and codes: one with fewer digits than any
    finding needs (after the same NFKC normalisation the detector applies) is not looked at."""
    found = []
    for match in _LONG_NUMBER.finditer(loaded.text):
        start = max(0, match.start() - 4)
        snippet = loaded.text[start:match.end() + 4]
        if len(_DIGIT.findall(unicodedata.normalize("NFKC", snippet))) < _FEWEST_DIGITS:
            continue
        for finding in personal_data.find_personal_data(snippet):
            found.append((start + finding.start, finding.message))
    if found and model is not None:
        spans = sorted(identifier_spans(loaded.text, model))  # scalar values never overlap
        starts = [start for start, _ in spans]
        found = [(at, message) for at, message in found if not _inside(spans, starts, at)]
    return sorted({Problem(loaded.rel, *position(loaded.text, at), message) for at, message in found})


def _inside(spans: list[tuple[int, int]], starts: list[int], at: int) -> bool:
    i = bisect.bisect_right(starts, at) - 1
    return i >= 0 and at < spans[i][1]


_KEY = object()  # the node being read is a mapping key


def identifier_spans(text: str, model: type[BaseModel]) -> list[tuple[int, int]]:
    """(start, end) offsets in `text` of every scalar value of an identifier field of `model`
    (records at the top, or a list of them). Read from libyaml's events (twice as fast as
    composing nodes), and only for files with a number that looks personal."""
    spans: list[tuple[int, int]] = []
    frames: list[list] = []  # [is mapping, model of its records or None, expecting a key, role of the value]

    def role() -> Any:  # what the next node is: _KEY, True (identifier value), a model, or None
        if not frames:
            return model
        frame = frames[-1]
        if frame[0]:
            return _KEY if frame[2] else frame[3]
        return frame[1]

    def done() -> None:  # a node finished: a key's value comes next, or the next key
        if frames and frames[-1][0]:
            frames[-1][2] = not frames[-1][2]
            frames[-1][3] = None

    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            cls = event.__class__
            if cls is yaml.ScalarEvent or cls is yaml.AliasEvent:
                what = role()
                if what is _KEY:
                    frame = frames[-1]
                    frame[2] = False
                    # ignore: a ScalarEvent here, but `cls is` (faster than isinstance) does not narrow the type
                    frame[3] = _field_roles(frame[1]).get(event.value) if frame[1] and cls is yaml.ScalarEvent else None  # type: ignore[attr-defined]
                    continue
                if what is True and cls is yaml.ScalarEvent:
                    spans.append((event.start_mark.index, event.end_mark.index))  # type: ignore[union-attr]  # libyaml marks every event
                done()
            elif cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent:
                what = role()
                frames.append([cls is yaml.MappingStartEvent, what if isinstance(what, type) else None, True, None])
            elif cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
                frames.pop()
                done()
    except yaml.YAMLError:
        return []  # (the loader accepted this text) nothing is exempt: every number is checked
    return spans


@functools.lru_cache(maxsize=None)
def _field_roles(model: type[BaseModel]) -> dict[str, Any]:
    """key -> True for an identifier field, its model for a nested record; others left out."""
    roles: dict[str, Any] = {}
    for key, info in model.model_fields.items():
        if is_identifier(info.annotation, tuple(info.metadata)):
            roles[key] = True
        elif submodel(info.annotation) is not None:
            roles[key] = submodel(info.annotation)
    return roles


def load_content(root: Path) -> Content:
    return validate_tree(load_tree(root))
