"""The assembled site: validated, cross-referenced, publishable records — the templates' context."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from generator.content import personal_data
from generator.kinds.site import Department, SiteInfo


@dataclass
class Site:
    """The validated, cross-referenced and publishable content: the templates' context."""

    info: SiteInfo
    today: date
    departments: dict[str, Department]
    records: dict[str, list[Any]]  # kind name -> published records, in the kind's order
    sources: dict[tuple[str, str], tuple[Path, tuple]]  # (kind, id) -> where its id is written (Source.at)
    relations: dict[str, Any] = field(default_factory=dict)  # kind name -> its indexes (Kind.relations)
    # (kind, id) -> [(heading, referring kind, records)]: who names a record, by Reference.backlink
    referrers: dict[tuple[str, str], list[tuple[str, str, list[Any]]]] = field(default_factory=dict)
    _index: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    history: Any = field(default=None, repr=False)
    search: Any = None  # search.yaml's SearchSettings, when the site has one  # from git, read on first use (history.for_site)
    withheld: list[str] = field(default_factory=list)
    withheld_count: dict[str, int] = field(default_factory=dict)  # board issue id -> entries held back

    def url_for(self, kind: str, record_id: str) -> str:
        """Site-root-relative URL of a record page (templates prefix it with the page's root)."""
        return f"{kind}/{record_id}/"

    def record(self, kind: str, record_id: str) -> Any:
        """A published record by kind and id, or None (withheld)."""
        return self._index.get((kind, record_id))

    def issuer_name(self, issuer: str) -> str:
        dept = self.departments.get(issuer)
        return dept.name if dept else issuer

    def history_of(self, kind: str, record_id: str) -> dict:
        """What a record page's 修改历史 shows (history.record_history)."""
        from generator.site.history import history_of
        return history_of(self, kind, record_id)

    @staticmethod
    def mask(text: str) -> str:
        return personal_data.mask(text)

    def referrers_of(self, kind: str, record_id: str) -> list[tuple[str, str, list[Any]]]:
        """(heading, referring kind, records) naming this record, for its page's backlinks."""
        return self.referrers.get((kind, record_id), [])

    def index(self) -> None:
        self._index = {(kind, r.id): r for kind, records in self.records.items() for r in records}
