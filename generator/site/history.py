"""Change history from git: when each record was added and changed, field by field.

One `git log --raw` over content/ lists every commit and the blobs it changed; one
`git cat-file --batch` process reads the file versions that need comparing. There is
no git call per record. A file version that is still the one in the working tree is
not parsed at all: its records are the site's own (so a first import of 25,000 powers
costs one log line per file). Merges count once, on the first-parent line: a change is
dated when it reached the published branch (committer date, China Standard Time).

Replaying costs time in proportion to the repository's age, so the build keeps the replayed
state by commit (history_cache.py) and replays only the commits new since then. The replay
takes nothing from the site or the work tree; the few things that do (a title taken from
the site's own record, or the current title of a version that has none) are looked up
afterwards (`_resolve`), so the pages are the same with and without the cache.

Degrades without git: no git program, no repository, no commits, or a shallow clone
(CI checkouts fetch one commit unless told `fetch-depth: 0`) each give a `message` the
pages show; the build always succeeds. The same commit always gives the same history.

Nothing withheld leaks: board entries are reported only as "条目有更新", long texts as
"内容已修改", short values pass through the personal-data mask, and no commit message,
author or e-mail address is published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from generator.site.model import Site
from generator.site.gitdata import Blobs, GitError, blob_sha, git
from generator.site.history_cache import HistoryCache, Replay
from generator.kinds import KINDS
from generator.kinds.site import Department

ZERO = "0" * 40
CST = ZoneInfo("Asia/Shanghai")
SHORT = 80  # values longer than this are not quoted, only reported as changed
LABELS = {**{k.name: k.label for k in KINDS.values()}, "departments": "部门"}
MODELS: dict[str, type[BaseModel]] = {**{k.name: k.model for k in KINDS.values()}, "departments": Department}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str | None = None  # quoted values, when short and safe to show
    new: str | None = None
    note: str = ""  # e.g. "2 项 → 3 项", "内容已修改"


@dataclass(frozen=True)
class Event:
    when: datetime  # committer time, China Standard Time
    commit: str
    kind: str  # a KINDS name or "departments"
    id: str
    action: str  # 新增 取消 下放 承接 调整 合并 删除 …
    title: str
    fields: tuple[FieldChange, ...] = ()
    note: str = ""  # the record's own `changes` entry, when this commit added one

    @property
    def date(self) -> date:
        return self.when.date()

    @property
    def kind_label(self) -> str:
        return LABELS[self.kind]


@dataclass
class History:
    available: bool
    message: str = ""  # why the history is missing or incomplete ("" when complete)
    events: list[Event] = field(default_factory=list)  # newest first
    by_record: dict[tuple[str, str], list[Event]] = field(default_factory=dict)  # newest first
    known_since: dict[tuple[str, str], date] = field(default_factory=dict)  # shallow clone: seen at boundary

    def of(self, kind: str, record_id: str) -> list[Event]:
        return self.by_record.get((kind, record_id), [])


def kind_of(path: str) -> str | None:
    parts = path.split("/")
    if parts == ["departments.yaml"]:
        return "departments"
    if len(parts) == 2 and parts[0] in KINDS and parts[1].endswith(".yaml"):
        return parts[0]
    return None


def records_in(kind: str, data: Any) -> dict[str, dict]:
    """id -> record mapping of one parsed file version; anything malformed is skipped."""
    one = kind != "departments" and KINDS[kind].per_file == "one"
    items = [data] if one else (data if isinstance(data, list) else [])
    return {str(r["id"]): r for r in items if isinstance(r, dict) and r.get("id") is not None}


@dataclass
class Commit:
    sha: str
    when: datetime
    boundary: bool  # a shallow clone's oldest commit: its files were there before, not added
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (old blob, new blob, path)


def read_log(content_dir: Path, since: str | None = None, head: str = "HEAD") -> tuple[list[Commit], bool]:
    """Commits touching content/, oldest first, and whether the clone is shallow; with `since`
    (a commit on `head`'s first-parent line) only the commits after it."""
    shallow = git(content_dir, "rev-parse", "--is-shallow-repository").strip() == "true"
    boundary: set[str] = set()
    if shallow:
        shallow_file = Path(git(content_dir, "rev-parse", "--git-path", "shallow").strip())
        shallow_file = shallow_file if shallow_file.is_absolute() else content_dir / shallow_file
        boundary = set(shallow_file.read_text().split()) if shallow_file.is_file() else set()
    out = git(content_dir, "log", "--first-parent", "-m", "--raw", "--no-abbrev", "--no-renames", "--relative",
              "--no-color", "--reverse", "--format=\x01%H %cI", *([f"{since}..{head}"] if since else []), "--", ".")
    commits: list[Commit] = []
    for line in out.splitlines():
        if line.startswith("\x01"):
            sha, stamp = line[1:].split(" ", 1)
            commits.append(Commit(sha, datetime.fromisoformat(stamp).astimezone(CST), sha in boundary))
        elif line.startswith(":") and commits:
            meta, path = line.split("\t", 1)
            fields = meta.split()
            commits[-1].changes.append((fields[2], fields[3], path))
    return commits, shallow


def _show(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (str, int, float, date)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return "、".join(map(str, value))
    return None


def field_changes(kind: str, old: dict, new: dict, mask) -> tuple[FieldChange, ...]:
    fields = MODELS[kind].model_fields
    out = []
    for key in list(dict.fromkeys([*new, *old])):
        a, b = old.get(key), new.get(key)
        if a == b or key == "id":
            continue
        label = (fields[key].title if key in fields else None) or key
        if kind in KINDS and key in KINDS[kind].opaque_fields:
            out.append(FieldChange(label, note="条目有更新"))
            continue
        sa, sb = _show(a), _show(b)
        if sa is not None and sb is not None and len(sa) <= SHORT and len(sb) <= SHORT:
            out.append(FieldChange(label, mask(sa) or "（无）", mask(sb) or "（无）"))
        elif isinstance(a, (list, type(None))) and isinstance(b, (list, type(None))) and len(a or ()) != len(b or ()):
            out.append(FieldChange(label, note=f"{len(a or ())} 项 → {len(b or ())} 项"))
        else:
            out.append(FieldChange(label, note="内容已修改"))
    return tuple(out)


def _new_change_entry(old: dict | None, new: dict) -> dict | None:
    """The record's own `changes` entry added by this commit, if any (powers)."""
    before = old.get("changes") if old else None
    after = new.get("changes")
    if isinstance(after, list) and after and isinstance(after[-1], dict) and \
            len(after) > (len(before) if isinstance(before, list) else 0):
        return after[-1]
    return None


def classify(old: dict | None, new: dict | None, kind: str = "") -> str:
    if new is None:
        return "删除"
    if old is None:
        return "新增"
    entry = _new_change_entry(old, new)
    if entry and entry.get("action"):
        return str(entry["action"])
    if old.get("status") != new.get("status"):
        actions = KINDS[kind].status_actions if kind in KINDS else {}
        return actions.get(str(new.get("status")), "调整")
    return "调整"


def _title(kind: str, record: dict | None) -> str | None:
    """A version's own title; None when it has none (the site's current title stands in)."""
    value = record.get(KINDS[kind].title_field if kind in KINDS else "name") if record else None
    return str(value) if value else None


class Change(NamedTuple):
    """One event as the replay of git alone gives it: the same whatever the site and work tree."""

    when: datetime
    commit: str
    kind: str
    id: str
    action: str
    title: str | None  # None: the site's current title
    fields: tuple[FieldChange, ...]
    note: str
    blob: str | None = None  # an addition: the file version that added the record ...
    path: str = ""  # ... and its path; its title is the site's while that version is the work tree's
    read: bool = True  # whether `title` was read from that version


def read_history(site: Site, content_dir: Path | None, cache: Path | None = None) -> History:
    """The site's history, or an explanation of why there is none. With a `cache` folder the
    replayed commits are kept there and only commits new since then are replayed."""
    if content_dir is None:
        return History(False, "没有可显示修改历史的内容。")
    try:
        git(content_dir, "rev-parse", "--git-dir")
    except GitError as exc:
        text = str(exc)
        return History(False, text if text.startswith("构建环境") else "内容目录不在 git 仓库中，无法显示修改历史。")
    try:
        store = HistoryCache(cache, content_dir) if cache is not None else None
        replay = store.load() if store is not None else Replay()
        commits, shallow = read_log(content_dir, replay.head or None, store.head if store else "HEAD")
        if shallow and replay.head:  # a shallow clone's history starts at its boundary: never cached
            replay = Replay()
            commits, shallow = read_log(content_dir)
    except GitError:
        return History(False, "内容目录尚无提交记录，暂无修改历史。")
    if not commits and not replay.commits:
        return History(False, "内容目录尚无提交记录，暂无修改历史。")
    history = History(True)
    if shallow:
        first = commits[0].when.date().isoformat()
        history.message = (f"本站构建时只获取了部分提交记录（浅克隆），{first} 以前的修改未列出。"
                           "持续集成中请在检出步骤设置 fetch-depth: 0。")
    blobs = Blobs(content_dir)
    try:
        unchanged = _replay(site, content_dir, commits, blobs, replay)
        if store is not None and not shallow and replay.head != store.head:  # else nothing new to keep
            store.save(replay)
        history.events = _resolve(site, replay, unchanged, blobs)
    finally:
        blobs.close()
    history.known_since = replay.known_since
    order = {kind: i for i, kind in enumerate(LABELS)}
    history.events.sort(key=lambda e: (order[e.kind], e.id))
    history.events.sort(key=lambda e: (e.when, e.commit), reverse=True)  # stable: kinds, ids ascending
    for event in history.events:
        history.by_record.setdefault((event.kind, event.id), []).append(event)
    return history


def _site_ids(site: Site, content_dir: Path) -> dict[str, list[str]]:
    """Working-tree file (relative path) -> ids the site loaded from it."""
    ids: dict[str, list[str]] = {"departments.yaml": list(site.departments)}
    relative: dict[Path, str] = {}  # many records share a file: one path computation per file
    for (kind, record_id), where in site.sources.items():
        if kind in KINDS:
            rel = relative.get(where[0]) or relative.setdefault(where[0], Path(where[0]).relative_to(content_dir).as_posix())
            ids.setdefault(rel, []).append(record_id)
    return ids


def _replay(site: Site, content_dir: Path, commits: list[Commit], blobs: Blobs, replay: Replay) -> dict[str, list[str]]:
    """Replay `commits` onto `replay`; returns the files whose latest version is the work
    tree's (path -> ids): those versions are not parsed, the site has their records."""
    last_blob, compared = replay.last_blob, replay.compared
    for commit in commits:
        for old, new, path in commit.changes:
            last_blob[path] = new
            if old != ZERO:
                compared.add(old)
                if new != ZERO:
                    compared.add(new)
    site_ids = _site_ids(site, content_dir)
    unchanged = {}  # path -> ids, for final versions identical to the working tree
    for path, sha in last_blob.items():
        file = content_dir / path
        if sha != ZERO and sha not in compared and path in site_ids and file.is_file() \
                and blob_sha(file.read_bytes()) == sha:
            unchanged[path] = site_ids[path]

    for i, change in enumerate(replay.changes):  # cached additions whose version is compared now:
        if not change.read and change.blob in compared:  # titled from that version for good
            record = records_in(change.kind, blobs.data(change.blob)).get(change.id)
            replay.changes[i] = change._replace(title=_title(change.kind, record), read=True)

    def records(sha: str, path: str, kind: str) -> Mapping[str, dict | None]:
        """id -> data; None marks a record of an unchanged final version, read only if compared."""
        if sha == ZERO:
            return {}
        if sha not in compared and path in unchanged:
            return dict.fromkeys(unchanged[path])
        return records_in(kind, blobs.data(sha))

    for commit in commits:
        before: dict[tuple[str, str], tuple] = {}
        after: dict[tuple[str, str], tuple] = {}
        for old, new, path in commit.changes:
            kind = kind_of(path)
            if kind is None:
                continue
            for rid, data in records(old, path, kind).items():
                before[(kind, rid)] = (data, old, path)
            for rid, data in records(new, path, kind).items():
                after[(kind, rid)] = (data, new, path)
        for key in sorted(set(before) | set(after)):
            if commit.boundary:
                if key in after:
                    replay.known_since[key] = commit.when.date()
                continue
            if key in before and key in after:
                was, now = (_data(side, key, blobs) for side in (before[key], after[key]))
                if was == now:
                    continue  # moved between files, or only comments and layout changed
                replay.changes.append(_change(site, commit, key, was, now))
            elif key in before:
                replay.changes.append(_change(site, commit, key, before[key][0], None))
            else:
                data, sha, path = after[key]  # data None: not read, titled when resolved
                replay.changes.append(_change(site, commit, key, None, data or {"id": key[1]})._replace(
                    blob=sha, path=path, read=data is not None))
        for old, _, _ in commit.changes:  # superseded versions: parsed again only if they come back
            blobs.parsed.pop(old, None)
    replay.commits += len(commits)
    return unchanged


def _data(side: tuple, key: tuple[str, str], blobs: Blobs) -> dict | None:
    data, sha, _ = side
    return data if data is not None else records_in(key[0], blobs.data(sha)).get(key[1])


def _change(site: Site, commit: Commit, key: tuple[str, str], old: dict | None, new: dict | None) -> Change:
    kind, rid = key
    action = classify(old, new, kind)
    fields = field_changes(kind, old, new, site.mask) if old is not None and new is not None else ()
    entry = _new_change_entry(old, new) if old is not None and new is not None else None
    note = ""
    if entry and not (kind in KINDS and KINDS[kind].opaque_fields) and str(entry.get("action")) == action:
        note = site.mask(" ".join(str(x) for x in (entry.get("date"), entry.get("note"), entry.get("document")) if x))
    return Change(commit.when, commit.sha, kind, rid, action, _title(kind, new or old), fields, note)


def _resolve(site: Site, replay: Replay, unchanged: dict[str, list[str]], blobs: Blobs) -> list[Event]:
    """The events the pages show: the replayed changes, titled from the site where git's
    version is the site's own (or has no title), so that a cached replay shows the same."""
    events = []
    for change in replay.changes:
        kind, rid, title = change.kind, change.id, change.title
        if change.blob is not None:
            if change.blob not in replay.compared and change.path in unchanged:
                title = _site_title(site, kind, rid)
            elif not change.read:
                title = _title(kind, records_in(kind, blobs.data(change.blob)).get(rid))
        events.append(Event(change.when, change.commit, kind, rid, change.action,
                            title or _current_title(site, kind, rid), change.fields, change.note))
    return events


def _site_title(site: Site, kind: str, rid: str) -> str | None:
    """`_title` of the site's record as plain data (name, else title), without dumping it."""
    record = site.departments.get(rid) if kind == "departments" else site.record(kind, rid)
    if record is None:
        return None
    value = KINDS[kind].title(record) if kind in KINDS else record.name
    return str(value) if value else None


def _current_title(site: Site, kind: str, rid: str) -> str:
    if kind == "departments":
        dept = site.departments.get(rid)
        return dept.name if dept else rid
    record = site.record(kind, rid)
    return KINDS[kind].title(record) if record is not None else rid


# ---------------------------------------------------------------- what the pages and feeds read

def for_site(site: Site, cache: Path | None = None) -> History:
    """The site's history, read from git once per build and kept on the site for every page
    (`cache`: the folder of the history cache, see history_cache.py; on the first call)."""
    if site.history is None:
        site.history = read_history(site, content_root(site), cache)
    return site.history


def content_root(site: Site) -> Path | None:
    """content/ of this build: the folder above any record file (kinds live in content/<kind>/)."""
    for (kind, _), where in site.sources.items():
        if kind in KINDS:
            return Path(where[0]).resolve().parent.parent
    return None


def record_history(site: Site, record: Any) -> dict:
    """What a record page shows: its events (newest first) and any note about missing history."""
    kind = "departments" if isinstance(record, Department) else \
        next(k.name for k in KINDS.values() if isinstance(record, k.model))
    return site.history_of(kind, record.id)  # through the site: a preview's recording view sees it


def history_of(site: Site, kind: str, record_id: str) -> dict:
    history = for_site(site)
    # "events": the record's history events (its changes), not the events kind
    return {"available": history.available, "message": history.message, "events": history.of(kind, record_id),
            "known_since": history.known_since.get((kind, record_id))}
