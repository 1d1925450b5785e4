"""Atom feeds per record kind (/feeds/<kind>.xml) and the 最近更新 page's batches, from the git history.

Without git history the feeds fall back to the dates the records themselves state
(`changes`, `published`, `issued`), as /feed.xml does. Links are absolute when site.yaml
has a base_url, otherwise relative to the feed (so a copy served under a sub-path works).
Output depends only on the commits and the content: no build time is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from typing import Iterator
from xml.sax.saxutils import escape, quoteattr

from generator.site.model import Site
from generator.output.export import atom_id, change_summary, recent_changes
from generator.site.history import Event, FieldChange, History, for_site
from generator.kinds import KINDS

ENTRIES = 50


@dataclass(frozen=True)
class Batch:
    """The events of one commit for one kind, as the 最近更新 page lists them."""

    date: date
    kind_label: str
    events: list[Event]  # the first `shown`
    total: int
    counts: list[tuple[str, int]]  # (action, n), most frequent first


def recent_batches(history: History, limit: int = 300, shown: int = 30) -> list[Batch]:
    """Newest first; a commit touching hundreds of records is summarised, not listed in full."""
    groups: dict[tuple[str, str], list[Event]] = {}
    for event in history.events:
        groups.setdefault((event.commit, event.kind), []).append(event)
    batches: list[Batch] = []
    for events in groups.values():
        if limit <= 0:
            break
        counts: dict[str, int] = {}
        for e in events:
            counts[e.action] = counts.get(e.action, 0) + 1
        take = min(shown, limit, len(events))
        batches.append(Batch(events[0].date, events[0].kind_label, events[:take], len(events),
                             sorted(counts.items(), key=lambda kv: -kv[1])))
        limit -= take
    return batches


def describe(fields: tuple[FieldChange, ...]) -> str:
    parts = []
    for f in fields:
        if f.old is not None:
            parts.append(f"{f.label}：{f.old} → {f.new}")
        else:
            parts.append(f"{f.label}：{f.note}" if f.note else f.label)
    return "；".join(parts)


def _summary(site: Site, event: Event, live: bool) -> str:
    """What the commit changed in the record: its fields (describe) and note, else the action and
    the record with its department."""
    said = "；".join(x for x in (describe(event.fields), event.note) if x)
    named = change_summary(site, f"{event.kind_label}{event.action}", site.url_for(event.kind, event.id)) if live \
        else f"{event.kind_label}{event.action}：{event.title}"
    return f"{named}。{said}" if said else named


def _href(site: Site, path: str) -> str:
    base = (site.info.base_url or "").rstrip("/")
    return f"{base}/{path}" if base else f"../{path}"


def _feed(site: Site, kind: str, entries: list[tuple[str, str, str, str, str]]) -> bytes:
    """entries: (updated ISO time, title, link path, id suffix, summary), newest first."""
    label = KINDS[kind].label
    updated = entries[0][0] if entries else f"{site.today.isoformat()}T00:00:00+08:00"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<title>{escape(site.info.name)}：{escape(label)}更新</title>",
        f"<id>{escape(atom_id(site, _href(site, f'feeds/{kind}.xml')))}</id>",
        f"<link href={quoteattr(_href(site, kind + '/'))}/>",
        f"<link rel=\"self\" href={quoteattr(_href(site, f'feeds/{kind}.xml'))}/>",
        f"<updated>{updated}</updated>",
        f"<author><name>{escape(site.info.publisher)}</name></author>",
    ]
    for when, title, link, suffix, summary in entries:
        url = _href(site, link)
        parts.append(f"<entry><title>{escape(title)}</title><id>{escape(atom_id(site, f'{url}#{suffix}'))}</id>"
                     f"<link href={quoteattr(url)}/><updated>{when}</updated>"
                     f"<summary>{escape(summary)}</summary></entry>")
    parts.append("</feed>\n")
    return "\n".join(parts).encode("utf-8")


def feed_files(site: Site) -> Iterator[tuple[str, bytes]]:
    history = for_site(site)
    for kind in KINDS:
        if history.available:
            events = [e for e in history.events if e.kind == kind][:ENTRIES]
            live = {e.id for e in events if site.record(kind, e.id) is not None}  # others have no page now
            entries = [(e.when.isoformat(), f"{e.kind_label}{e.action}：{e.title}",
                        site.url_for(kind, e.id) if e.id in live else "changes/",
                        e.commit[:12] if e.id in live else f"{e.id}-{e.commit[:12]}",
                        _summary(site, e, e.id in live)) for e in events]
        else:
            entries = [(f"{day.isoformat()}T00:00:00+08:00", f"{label}：{title}", link, day.isoformat(),
                        change_summary(site, label, link))
                       for day, label, title, link in recent_changes(site) if link.startswith(kind + "/")][:ENTRIES]
        yield f"feeds/{kind}.xml", _feed(site, kind, entries)
