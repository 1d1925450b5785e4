"""Search index stage: a sharded character n-gram index for Chinese full-text search.

Chinese has no spaces, so every text a record page shows is cut into single characters and
overlapping character pairs, each pair with its positions (search_postings.py), and a query
word matches as a phrase: its pairs at consecutive positions. Grams are spread over shard
files by a hash, so a browser downloads only the few shards its query needs, never the whole
index; a gram with a long postings list has a file of its own, so no query downloads other
grams' long lists. Per-query bytes stay flat from a county to a province.

Output under `search/`:
  meta.json          shard count, text chunk size, filter names and values, filter words, synonyms
  tags.json          per document: kind and filter values as small integers
  fold.json          Traditional -> Simplified character pairs the browser folds queries with
  g/<n>.json         shard n: {gram: postings, or their length when the gram has a file of
                     its own};
                     "#"-prefixed pairs index titles only, "="-prefixed keys a record's whole
                     code or document number, "%" and ">" keys letters-and-digits tokens
                     (search_tokens.py)
  p/<hex>.json       the postings (a JSON string) of one gram with a long list; the name is the
                     gram's code points in hexadecimal joined by "-"
  t/<n>.json         text chunk n: per document [url, kind, meta, title, texts...]: what a
                     result shows and the texts its page shows (snippets; a query left with a
                     few records checks them here instead of downloading more)

Postings are in search_postings' ASCII format. Category words such as 行政处罚 are filters
(tags) as well as text: the results offer the filtered list.
"""

from __future__ import annotations

import gzip
import multiprocessing
from bisect import bisect_left
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import accumulate

import orjson

from generator.kinds import KINDS
from generator.output.search_lookup import BUDGET, LONG_WORD, TOGETHER, VERIFY, own_file, shard_of
from generator.output.search_postings import postings, rebase
from generator.output.search_synonyms import default_groups, synonym_map
from generator.output.search_text import POSITIONS, fold_table
from generator.output.search_tokens import MIN_TOKEN, PREFIXES

__all__ = ["build_index", "index_part", "join_index"]

TEXT_CHUNK = 8  # records' texts per t/ file: snippets of the results shown, and a check of a few
TARGET_SHARD_BYTES = 4_000
OWN_FILE = 2_000  # postings longer than this (characters) get a file of their own
# A document's kind, then the filters the kinds declare (a department's region is among the powers').
FILTER_KEYS = ("kind", *dict.fromkeys(key for kind in KINDS.values() for key in kind.search_filters))
OFFERED = {"category": "职权类型", "region": "区域"}  # filters whose list page has a facet of the same key


def fields(doc: dict) -> list[str]:
    """The texts of a search document, each searched as a whole (a phrase never spans two)."""
    return [doc["title"], doc.get("code", ""), *doc["text"].split("\n")]


def _dump(obj) -> bytes:
    """Compact JSON in UTF-8 with sorted keys: the bytes of json.dumps(obj, ensure_ascii=False,
    separators=(",", ":"), sort_keys=True), several times faster (tests/test_golden_files.py)."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def build_index(docs: list[dict], synonyms: list[list[str]] | None = None) -> dict[str, bytes]:
    """Files of the index (relative path under search/ -> bytes) for `docs`, in order."""
    return join_index([index_part(docs, 0, len(docs), synonyms)])


def index_part(docs: list[dict], start: int, stop: int, synonyms: list[list[str]] | None = None,
               workers: int = 1) -> dict:
    """The index of docs[start:stop] (numbered as in the whole list) in a form that
    `join_index` joins with the parts of the other documents: the documents' displayed
    fields and filters, and per gram [last document number, encoded postings]. Only the
    part's grams are cut here, so N parallel jobs share the costly half of the work."""
    part = docs[start:stop]
    texts = [fields(d) for d in part]
    with _postings(texts, [d["title"] for d in part], [d.get("code") or "" for d in part], start,
                   workers) as pending:
        rows = [[d["url"], d["title"], d["kind"], d["meta"], d.get("filters", {}), [t for t in shown if t]]
                for d, shown in zip(part, texts)]  # meanwhile, in this process
        found = pending()
    return {"start": start, "stop": stop, "docs": rows, "synonyms": synonyms if synonyms is not None else default_groups(),
            "postings": {gram: list(entry) for gram, entry in found.items()}}


_PART: list = []  # [texts, titles, codes] of the documents forked workers cut (inherited, never pickled)


@contextmanager
def _postings(texts: list[list[str]], titles: list[str], codes: list[str], start: int,
              workers: int) -> Iterator[Callable[[], dict[str, tuple[int, str, int]]]]:
    """search_postings.postings of the documents, over `workers` forked processes when there
    are enough to pay for them: each cuts a consecutive share, the shares' lists are joined.
    Yields a function that returns them (the caller works meanwhile)."""
    if workers < 2 or len(texts) < 5000 or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: postings(texts, titles, codes, first=start)
        return
    # shares of equal characters, not records: the first records (departments, long texts) would make one worker late
    ends = list(accumulate(sum(map(len, fields_)) for fields_ in texts))
    bounds = [0, *(bisect_left(ends, ends[-1] * i // workers) for i in range(1, workers)), len(texts)]
    _PART[:] = [texts, titles, codes]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending = pool.starmap_async(_share, [(bounds[i], bounds[i + 1], start) for i in range(workers)])
            _PART.clear()  # the workers have their copy
            yield lambda: _joined(pending.get())
    finally:
        _PART.clear()


def _joined(shares: list[dict[str, tuple[int, str, int]]]) -> dict[str, tuple[int, str, int]]:
    found: dict[str, tuple[int, str, int]] = {}
    for share in shares:
        for gram, (last, text, records) in share.items():
            have = found.get(gram)
            found[gram] = (last, text, records) if have is None else \
                (last, have[1] + rebase(text, have[0]), have[2] + records)
    return found


def _share(begin: int, end: int, start: int) -> dict[str, tuple[int, str, int]]:
    texts, titles, codes = _PART
    return postings(texts[begin:end], titles[begin:end], codes[begin:end], first=start + begin)


def join_index(parts: list[dict]) -> dict[str, bytes]:
    """The index files of consecutive parts (`index_part`): postings lists are joined by
    re-encoding only the first difference of each later part."""
    encoded: dict[str, list] = {}
    rows: list[list] = []
    for part in sorted(parts, key=lambda p: p["start"]):
        if part["start"] != len(rows):
            raise ValueError(f"search index parts are not consecutive at document {len(rows)}")
        rows += part["docs"]
        for gram, (last, text, records) in part["postings"].items():
            have = encoded.get(gram)
            if have is None:
                encoded[gram] = [last, text, records]
                continue
            have[1] += rebase(text, have[0])
            have[0] = last
            have[2] += records
    return _index_files({gram: (text, records) for gram, (_, text, records) in encoded.items()}, rows,
                        parts[0].get("synonyms") if parts else None)


def _index_files(encoded: dict[str, tuple[str, int]], docs: list[list],
                 synonyms: list[list[str]] | None = None) -> dict[str, bytes]:
    """Shards, own files, tags and text chunks from joined postings (gram -> (postings,
    number of records)) and [url, title, kind, meta, filters, texts] rows."""
    files: dict[str, bytes] = {}
    in_shard: dict[str, str | int] = {}
    for gram, (text, records) in encoded.items():
        if len(text) > OWN_FILE:
            files[own_file(gram)] = _dump(text)
            in_shard[gram] = len(text)
        else:
            in_shard[gram] = text
    total = sum(len(k) * 3 + (len(v) if isinstance(v, str) else 6) + 6 for k, v in in_shard.items())
    shards = 8
    while total / shards > TARGET_SHARD_BYTES:
        shards *= 2
    shard_maps: list[dict[str, str | int]] = [{} for _ in range(shards)]
    for gram, value in in_shard.items():
        shard_maps[shard_of(gram, shards)][gram] = value

    numbers: dict[str, dict[str, int]] = {key: {} for key in FILTER_KEYS}
    tags = []
    for doc in docs:
        row = []
        for key in FILTER_KEYS:
            value = doc[2] if key == "kind" else doc[4].get(key)
            row.append(-1 if value is None else numbers[key].setdefault(value, len(numbers[key])))
        tags.append(row)
    values = {key: list(seen) for key, seen in numbers.items()}
    texts = [_dump([_text_row(d) for d in docs[start:start + TEXT_CHUNK]]) for start in range(0, len(docs), TEXT_CHUNK)]
    text_bytes = _text_weight(texts, list(files.values()))  # files so far: the postings' own files

    files.update({
        "meta.json": _dump({"version": 2, "shards": shards, "text_chunk": TEXT_CHUNK,
                            "text_bytes": text_bytes, "together": min(TOGETHER * text_bytes, BUDGET),
                            "docs": len(docs), "verify": VERIFY, "long_word": LONG_WORD, "budget": BUDGET,
                            "tokens": [MIN_TOKEN, *PREFIXES],
                            "positions": POSITIONS, "filters": list(FILTER_KEYS), "values": values,
                            "offers": _offers(docs),
                            "synonyms": synonym_map(default_groups() if synonyms is None else synonyms)}),
        "tags.json": _dump(tags),
        "fold.json": _dump(fold_table({gram for gram in encoded if len(gram) == 1})),
    })
    for n, shard in enumerate(shard_maps):
        files[f"g/{n}.json"] = _dump(shard)
    files.update({f"t/{n}.json": data for n, data in enumerate(texts)})
    return files


def _text_row(doc: list) -> list[str]:
    """A document's row in its text chunk: [url, kind, meta, title, the other texts...]."""
    url, title, kind, meta, _, texts = doc
    return [url, kind, meta, title, *(texts[1:] if texts[:1] == [title] else texts)]


def _text_weight(texts: list[bytes], own: list[bytes]) -> int:
    """What downloading one text chunk costs, in characters of postings downloaded alike (both
    gzipped as hosts serve them: text compresses about three times better), from every 32nd file."""
    def packed(sample: list[bytes]) -> float:
        return sum(len(gzip.compress(d, 6)) for d in sample) / max(1, len(sample))

    chunk = packed(texts[::32])
    if not own:
        return round(chunk)
    return round(chunk * sum(map(len, own[::32])) / max(1, len(own[::32])) / packed(own[::32]))


def _offers(docs: list[list]) -> dict[str, list[str]]:
    """Words that name a filter -> [label, value, the list page filtered by it]: a kind's name
    opens its list, a category, region or board opens the list with that facet chosen."""
    out: dict[str, list[str]] = {}
    for url, _, kind, _, filters, *_ in docs:
        section = url.split("/")[0] + "/"
        if section == "departments/":
            continue
        out.setdefault(kind, ["类别", kind, section])
        for key, label in OFFERED.items():
            value = filters.get(key)
            if value:
                out.setdefault(value, [label, value, f"{section}?{key}={value}"])
    return out
