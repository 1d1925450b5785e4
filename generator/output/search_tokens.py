"""Letters-and-digits tokens: how a code, a phone or a document number is found cheaply.

Character pairs of digits ("20", "00", "13") occur in almost every record, so a query like
`0411-39026100` or `FW-219901-0062-005` would download the long lists of ten such pairs. The
index therefore also keeps each run of letters and digits a record's text shows (a token,
search_text.stream: `0411`, `39026100`):

  "%<token>"      records showing the token whole (tokens of MIN_TOKEN characters or more)
  ">" + 3 or 5    records showing a token that starts with these characters (PREFIXES)

A query word uses them only as a filter that cannot lose a record: a run of the word with a
gap or another character on both sides must be a whole token of the record ("%"); a run that
ends the word, with a gap or another character before it, must begin a token (">", its first
5 characters, or 3 when it is shorter). The records left are then checked by their pairs or, when few,
by their texts, as any other word (search.py)."""

from __future__ import annotations

import re
from collections import defaultdict

from generator.output.search_postings import encode
from generator.output.search_text import stream

MIN_TOKEN = 3
PREFIXES = (3, 5)
_ASCII = re.compile(r"[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")  # before normalisation
_RUN = re.compile(r"[0-9a-z]+")


def token_postings(texts: list[list[str]], first: int = 0) -> dict[str, tuple[int, str, int]]:
    """gram -> (last record number, postings, records) of the records' tokens."""
    values = list({t for fields in texts for t in fields if _ASCII.search(t)})
    streams = stream("\x00".join(v.replace("\x00", " ") for v in values), keep="\x00").split("\x00")  # one call
    runs: dict[str, set[str]] = {}
    for value, text in zip(values, streams):
        found = {run for run in _RUN.findall(text) if len(run) >= MIN_TOKEN}
        if found:
            runs[value] = {"%" + run for run in found} | {">" + run[:n] for run in found for n in PREFIXES if len(run) >= n}
    keys: dict[str, list[int]] = defaultdict(list)
    for number, fields in enumerate(texts, first):
        mine = [runs[value] for value in fields if value in runs]
        for key in set().union(*mine) if mine else ():
            keys[key].append(number)
    return {key: (ids[-1], encode(ids), len(ids)) for key, ids in keys.items()}


def token_filters(word: str) -> list[str]:
    """The token keys every record showing `word` must have (module docstring)."""
    s = stream(word)
    out = []
    for m in _RUN.finditer(s):
        run = m.group()
        before = m.start() > 0  # a gap or another character before the run, inside the word
        after = m.end() < len(s)
        if before and after and len(run) >= MIN_TOKEN:
            out.append("%" + run)
        elif before and len(run) >= PREFIXES[0]:
            out.append(">" + run[:max(n for n in PREFIXES if n <= len(run))])
    return out
