"""What the record pages show, as the truth the search comparison is measured against, and the
query sets it is measured with (benchmarks/search_compare.py).

The truth is literal matching of the normalised query over the text each record page shows in
its main content, without the history and the lists of other records that name it: the same
cut as tests/test_search_quality.py's `page_texts`, parsed with lxml so that 25,000 pages take
seconds. A search document is a row of search/t/<n>.json; a board or task list page holds
several, each its own element with the document's anchor as id.

The query sets: the benchmark's own words (benchmarks/run.py QUERIES), words and phrases drawn
from the content (legal basis fragments, accountability phrases, codes, document numbers, phone
numbers), typos of them (one wrong or missing character), their Traditional spelling, and the
everyday words of generator/data/synonyms.yaml, whose expected records are those showing any
word of the word's groups."""

from __future__ import annotations

import random
import re
from pathlib import Path

import yaml
from lxml import etree, html

from generator.kinds import KINDS
from generator.output.search_text import normalise

SYNONYMS = Path(__file__).resolve().parent.parent / "generator" / "data" / "synonyms.yaml"
CLAUSE = re.compile(r"[，；。、：,;:\s]+")


def documents(index_dir: Path) -> list[list]:
    """The search documents in order: [url, title, kind, meta] as their results show them (search/t/)."""
    from generator.output.search_lookup import records

    return records(index_dir)


def _main_text(main, keep: str, others: set[str]) -> str:
    etree.strip_elements(main, etree.Comment, with_tail=False)
    for node in main.xpath(".//section[contains(concat(' ', @class, ' '), ' history ')]"
                           " | .//table[contains(concat(' ', @class, ' '), ' records ')]"):
        node.drop_tree()
    for heading in main.xpath(".//h2[@id]"):
        if heading.get("id") in KINDS:  # partials/referrers.html: a heading and its list
            following = heading.getnext()
            if following is not None and following.tag == "ul":
                following.drop_tree()
            heading.drop_tree()
    for other in others - {keep, ""}:  # a board or list page: the other entries are other documents
        for node in main.xpath(".//*[@id=$id]", id=other):
            node.drop_tree()
    return normalise(" ".join(t for t in main.itertext()))


def page_texts(site_dir: Path, rows: list[list]) -> list[str]:
    """Per search document, the normalised text its record page shows."""
    anchors: dict[str, set[str]] = {}
    for url, *_ in rows:
        path, _, anchor = url.partition("#")
        anchors.setdefault(path, set()).add(anchor)
    out = []
    for url, *_ in rows:
        path, _, anchor = url.partition("#")
        tree = html.fromstring((site_dir / path / "index.html").read_bytes())
        main = tree.xpath("//article[contains(concat(' ', @class, ' '), ' md-content__inner ')]")[0]
        out.append(_main_text(main, anchor, anchors[path]))
    return out


def terms(query: str) -> list[str]:
    return [normalise(t) for t in query.split()]


def literal(texts: list[str], query: str) -> set[int]:
    """The documents whose page shows every word of `query`."""
    words = terms(query)
    return {i for i, text in enumerate(texts) if all(w in text for w in words)}


def _clauses(text: str, low: int = 6, high: int = 14) -> list[str]:
    return [c for c in CLAUSE.split(text) if low <= len(c) <= high]


def drawn_queries(content_dir: Path, per_set: int = 5, seed: str = "searchbench/1") -> dict[str, list[str]]:
    """Words and phrases drawn from the content, `per_set` of each kind, the same for the same tree."""
    rng = random.Random(seed)
    load = lambda p: yaml.load(p.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: E731
    powers = [p for f in rng.sample(sorted((content_dir / "powers").glob("*.yaml")), 12) for p in load(f) or []]
    policies = [load(f) for f in rng.sample(sorted((content_dir / "policies").glob("*.yaml")), 12)]
    entries = [e for f in sorted((content_dir / "boards").glob("*.yaml")) for e in (load(f) or {}).get("entries", [])]
    rng.shuffle(powers)
    basis = [c for p in powers for b in p.get("basis", []) for c in _clauses(b.get("text", ""))]
    duty = [c for p in powers for line in p.get("accountability", []) for c in _clauses(line)]
    codes = [p["code"] for p in powers if p.get("code")] + [e["credit_code"] for e in entries if e.get("credit_code")]
    numbers = [p["doc_number"] for p in policies if p.get("doc_number")]
    departments = load(content_dir / "departments.yaml") or []
    phones = [v for p in powers + departments for k, v in p.items() if k.endswith("phone") and isinstance(v, str)]
    pick = lambda items: rng.sample(list(dict.fromkeys(items)), min(per_set, len(set(items))))  # noqa: E731
    return {"legal basis": pick(basis), "accountability": pick(duty), "codes": pick(codes),
            "document numbers": pick(numbers), "phone numbers": pick(phones),
            "names": pick([p["name"] for p in powers if 6 <= len(p.get("name", "")) <= 16])}


def typo_queries(names: list[str]) -> list[tuple[str, str]]:
    """(typed, meant): one character wrong or missing in the middle of each name, and the issue's example."""
    out = [("食品生产许课", "食品生产许可")]
    for n, name in enumerate(names):
        middle = len(name) // 2
        out.append((name[:middle] + name[middle + 1:], name) if n % 2 else
                   (name[:middle] + ("课" if name[middle] != "课" else "员") + name[middle + 1:], name))
    return out


def traditional_queries(words: list[str]) -> list[tuple[str, str]]:
    """(typed in Traditional characters, meant): the issue's example and each word that changes."""
    from opencc import OpenCC

    to_traditional = OpenCC("s2t")
    out = [("食品生產許可", "食品生产许可")]
    for word in words:
        typed = to_traditional.convert(word)
        if typed != word:
            out.append((typed, word))
    return out


def everyday_queries() -> list[tuple[str, list[str]]]:
    """(everyday word, every word of its groups): the first word of each default group, and 新办企业."""
    groups = yaml.safe_load(SYNONYMS.read_text("utf-8"))
    words = list(dict.fromkeys([g[0] for g in groups] + ["新办企业"]))
    return [(w, list(dict.fromkeys(x for g in groups if w in g for x in g))) for w in words]
