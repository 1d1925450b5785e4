"""The search the browser does (assets/search.js), in Python: for tests and benchmarks, and the
addressing both halves share (which shard a gram is in, which file holds its long postings).

search.py writes the index; this module reads it as search.js does (keep the two in step):
every word a phrase, synonyms, tokens narrowing codes and phones, the fewest files of their own
fetched, a few records checked by their texts, an estimate past a byte budget, the closest
matches when nothing matches."""

from __future__ import annotations

import json
import re
from pathlib import Path

from generator.output.search_postings import decode, positioned
from generator.output.search_text import POSITIONS, normalise, phrase, query_grams, stream
from generator.output.search_tokens import token_filters

__all__ = ["closest", "needed_pairs", "offers", "records", "search", "shard_of", "shown"]

TEXTS_AT = 3  # a text chunk's row (search._text_row): url, kind, meta, then the texts its page shows, title first


def shard_of(key: str, shards: int) -> int:
    """The shard of a gram; a title pair "#xy" lives beside "xy" (a query needs both)."""
    h = 0
    for ch in map(ord, key.removeprefix("#")):
        h = (h * 131 + ch) & 0xFFFFFFFF
    return h % shards


def own_file(gram: str) -> str:
    """The file (under search/) of a gram whose postings have a file of their own."""
    return "p/" + "-".join(f"{ord(c):x}" for c in gram) + ".json"


def records(index_dir: Path) -> list[list[str]]:
    """Every document's [url, title, kind, meta] in order, as its results show them (t/)."""
    meta = json.loads((index_dir / "meta.json").read_text("utf-8"))
    out = []
    for n in range(0, meta["docs"], meta["text_chunk"]):
        rows = json.loads((index_dir / "t" / f"{n // meta['text_chunk']}.json").read_text("utf-8"))
        out += [[url, title, kind, shown] for url, kind, shown, title, *_ in rows]
    return out


def offers(index_dir: Path, query: str) -> list[list[str]]:
    """The filters the words of `query` name (the browser offers them above the results)."""
    meta = json.loads((index_dir / "meta.json").read_text("utf-8"))
    return [meta["offers"][w] for w in dict.fromkeys(query.split()) if w in meta["offers"]]


def search(index_dir: Path, query: str, limit: int | None = None, reads: set[Path] | None = None) -> list[int]:
    """The same lookup the browser does (assets/search.js), for tests and benchmarks.

    Every word must occur in the record as a phrase (a word naming a filter too: `offers`);
    a word in a synonym group may occur as any word of its group. Returns document numbers:
    an exact code or document number first, then records showing every word itself, then by
    the words their titles show (a rarer word weighs more), then in document order (current
    records before cancelled ones: search_docs' ranks). `reads` collects the files read (the
    files a browser downloads for the query)."""
    meta = json.loads((index_dir / "meta.json").read_text("utf-8"))
    words = [normalise(w) for w in query.split()]
    if not query_grams(query):
        return []
    shards: dict[int, dict] = {}

    def shard_value(gram: str) -> str | int | None:
        n = shard_of(gram, meta["shards"])
        if n not in shards:
            shards[n] = json.loads((index_dir / "g" / f"{n}.json").read_text("utf-8"))
            if reads is not None:
                reads.add(index_dir / "g" / f"{n}.json")
        return shards[n].get(gram)

    def entries(gram: str) -> tuple[list[int], dict[int, list[int]]]:
        value = shard_value(gram)
        if isinstance(value, int):
            value = json.loads((index_dir / own_file(gram)).read_text("utf-8"))
            if reads is not None:
                reads.add(index_dir / own_file(gram))
        return decode(value, positioned(gram)) if value else ([], {})

    def matching(word: str) -> set[int]:
        grams_ = phrase(word)
        if not grams_:
            return set(range(meta["docs"]))
        found: set[int] | None = None
        tokens = [shard_value(key) for key in token_filters(word)]  # a code's or phone's runs narrow the records first
        if None in tokens:
            found = set()
        for token in tokens:
            if isinstance(token, str):  # a frequent token (a year) would narrow little for its bytes
                ids = set(decode(token, False)[0])
                found = ids if found is None else found & ids
        if found is not None and len(found) <= meta["verify"]:  # a few left: checked by text, the pairs not needed
            return {d for d in found if shows(d, word)}
        looked = looked_up(len(grams_), meta["long_word"])
        values: dict[int, str | int] = {}
        for i in looked:
            value = shard_value(grams_[i])
            if value is None:
                return set()
            values[i] = value
        lists: dict[int, tuple[list[int], dict[int, list[int]]]] = {}
        spent = 0
        for step in needed_pairs(values, meta["together"]):  # nothing left: nothing more to fetch
            if found is not None and cheaper_by_text(found, [values[i] for i in step], meta):
                return {d for d in found if shows(d, word)}
            cost = sum(v for v in (values[i] for i in step) if isinstance(v, int))
            if found is not None and spent + cost > meta["budget"]:
                return found  # an estimate past the budget: the results shown are checked by their texts
            spent += cost
            lists.update({i: entries(grams_[i]) for i in step})
            for i in step:
                found = set(lists[i][0]) if found is None else found & set(lists[i][0])
            found = {d for d in found or () if phrase_at({i: lists[i][1].get(d, []) for i in lists})}
            if not found:
                break
        return found or set()

    texts: dict[int, list] = {}

    def shows(doc: int, word: str) -> bool:
        n = doc // meta["text_chunk"]
        if n not in texts:
            texts[n] = json.loads((index_dir / "t" / f"{n}.json").read_text("utf-8"))
            if reads is not None:
                reads.add(index_dir / "t" / f"{n}.json")
        return shows_word(texts[n][doc % meta["text_chunk"]][TEXTS_AT:], word)

    def in_title(word: str) -> set[int]:
        pairs = ["#" + g for g in phrase(word) if len(g) == 2]
        values = [shard_value(g) for g in pairs]
        if not pairs or any(v is None for v in values):
            return set()
        inline = [g for g, v in zip(pairs, values) if isinstance(v, str)]
        rarest = min(zip(values, pairs), key=lambda vp: vp[0] if isinstance(vp[0], int) else 0)[1]
        return set.intersection(*(set(entries(g)[0]) for g in inline or [rarest]))

    groups = [meta["synonyms"].get(w.strip(), [w]) for w in words]
    itself = [matching(w) for w in words]
    direct = set.intersection(*itself)
    per_word = [m.union(*(matching(a) for a in group[1:])) for group, m in zip(groups, itself)]
    hits = set.intersection(*per_word)
    titled = [set().union(*(in_title(a) for a in group)) for group in groups]
    rarity = [(meta["docs"] + 1) // (1 + len(found)) for found in per_word]  # a rare word weighs more

    def title_score(i: int) -> int:
        return sum(weight for weight, title in zip(rarity, titled) if i in title)

    exact = set(entries("=" + stream(query).strip())[0])
    ordered = sorted(hits, key=lambda i: (i not in exact, i not in direct, -title_score(i), i))
    return ordered[:limit] if limit else ordered


BUDGET = 150_000  # characters of files of their own one word fetches before its count is an estimate
VERIFY = 10  # this few records left: checked against their texts (t/), not more postings
TOGETHER = 20  # text chunks' weight: a word's files of their own this light are fetched in one round trip
LONG_WORD = 10  # a word of more pairs than this is looked up by every other pair and its last


def looked_up(pairs: int, long_word: int = LONG_WORD) -> list[int]:
    """Which of a word's pairs to look up: all of them, or for a long word (a whole name
    pasted in) every other one and the last, which still hold every character in place."""
    if pairs <= long_word:
        return list(range(pairs))
    return sorted({*range(0, pairs, 2), pairs - 1})


def needed_pairs(values: dict[int, str | int], together: int = 0) -> list[list[int]]:
    """Which of a word's pairs to use (keys: their offsets in the word), in steps, given their
    shard values (postings in the shard, or the number of records of a pair with a file of its
    own): first every one already in its shard; then, of the files of their own, the fewest
    records that still put every character of the word in a pair used (the frequent pairs
    between rare ones would add bytes to download, not precision), the rarest alone, then the
    others — all in one step when together they weigh no more than `together` characters (a
    round trip saved). A step that leaves no record ends the lookup; one that leaves a few has
    them checked by text."""
    n = max(values) + 1 if values else 0
    inf = float("inf")
    cost = [0.0 if isinstance(values.get(i), str) else float(values[i]) if i in values else inf for i in range(n)]
    forced = [isinstance(values.get(i), str) for i in range(n)]
    # best[i][s]: the fewest records with pairs 0..i decided (s: pair i used) and characters 0..i in a pair used
    best = [[inf, cost[0]]] if n else []  # the first character is only in the first pair
    for i in range(1, n):
        used = cost[i] + min(best[i - 1])
        best.append([inf if forced[i] else best[i - 1][1], used])
    chosen, s = [], 1  # the last character is only in the last pair
    for i in range(n - 1, -1, -1):
        if s:
            chosen.append(i)
            s = 1 if i and best[i - 1][1] <= best[i - 1][0] else 0
        else:
            s = 1
    first = sorted(i for i in chosen if forced[i])
    then = sorted((i for i in chosen if not forced[i]), key=lambda i: (values[i], i))
    light = sum(int(values[i]) for i in then) <= together  # files of their own: their lengths
    steps = [first, sorted(then)] if light else [first, then[:1], sorted(then[1:])]
    return [step for step in steps if step]


def shown(index_dir: Path, query: str, ids: list[int], n: int = 10, reads: set[Path] | None = None) -> list[int]:
    """The first `n` of `ids` whose texts show the query (every word, or a word of its synonym
    group): the results a person sees (assets/search.js `docs` drops the others, which the
    index's positions, kept modulo POSITIONS, can let through)."""
    meta = json.loads((index_dir / "meta.json").read_text("utf-8"))
    groups = [meta["synonyms"].get(normalise(w).strip(), [normalise(w)]) for w in query.split()]
    out = []
    for doc in ids:
        path = index_dir / "t" / f"{doc // meta['text_chunk']}.json"
        if reads is not None:
            reads.add(path)
        texts = json.loads(path.read_text("utf-8"))[doc % meta["text_chunk"]][TEXTS_AT:]
        if all(any(shows_word(texts, w) for w in group) for group in groups):
            out.append(doc)
            if len(out) == n:
                break
    return out


def cheaper_by_text(found: set[int], step: list[str | int], meta: dict) -> bool:
    """Whether checking the records left against their texts (t/) downloads less than the next
    step's postings (files of their own: their length in the shard), or few records are left."""
    fetch = sum(v for v in step if isinstance(v, int))
    chunks = len({d // meta["text_chunk"] for d in found})
    return len(found) <= meta["verify"] or (fetch > 0 and chunks * meta["text_bytes"] < fetch)


def shows_word(texts: list[str], word: str) -> bool:
    """Whether one of a record's texts shows `word` (as the index reads them: search_text.stream)."""
    want = stream(word)
    return any(want in f" {stream(t)} " for t in texts)


def phrase_at(where: dict[int, list[int]]) -> bool:
    """Whether pairs can stand at their offsets in the word (the keys) in one record, given
    each pair's positions there (modulo POSITIONS)."""
    if len(where) < 2:
        return True
    sets = {i: set(p) for i, p in where.items()}
    anchor = min(sets, key=lambda i: len(sets[i]))
    return any(all((start - anchor + i) % POSITIONS in s for i, s in sets.items()) for start in sets[anchor])


def near_queries(query: str) -> list[str]:
    """When a one-word query finds nothing: the word with one Chinese character left out (a
    typo), and the word cut in two between Chinese characters (a swapped order), each as a
    query of two words."""
    word = normalise(query).strip()
    if " " in word or len(word) < 3:
        return []
    out = [word[:i] + " " + word[i + 1:] for i in range(len(word)) if _HAN.match(word[i])]
    out += [word[:j] + " " + word[j:] for j in range(1, len(word)) if _HAN.match(word[j - 1]) and _HAN.match(word[j])]
    return list(dict.fromkeys(q.strip() for q in out if len(q.strip()) >= 2))


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # a typo in a number is not a near match


def closest(index_dir: Path, query: str) -> list[int]:
    """The closest matches of a query that matches nothing: records found by the most
    near queries (`near_queries`) first."""
    votes: dict[int, int] = {}
    for near in near_queries(query):
        for i in search(index_dir, near):
            votes[i] = votes.get(i, 0) + 1
    return sorted(votes, key=lambda i: (-votes[i], i))
