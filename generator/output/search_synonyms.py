"""Everyday words: the default synonym groups shipped with the product (generator/data/synonyms.yaml)
and a site's own (content/search.yaml `synonyms:`), as the search index ships them to the browser."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.output.search_text import normalise

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "synonyms.yaml"


def default_groups() -> list[list[str]]:
    return yaml.safe_load(DEFAULT_FILE.read_text("utf-8"))


def site_synonyms(site) -> list[list[str]]:
    """The default groups, then the site's own (content/search.yaml `synonyms:`)."""
    return default_groups() + [list(g) for g in (site.search.synonyms if site.search and site.search.synonyms else [])]


def synonym_map(groups: list[list[str]]) -> dict[str, list[str]]:
    """Normalised word -> every word of its groups (itself first), for query expansion."""
    out: dict[str, list[str]] = {}
    for group in groups:
        words = [normalise(w).strip() for w in group]
        for word in words:
            have = out.setdefault(word, [word])
            have.extend(w for w in words if w not in have)
    return out
