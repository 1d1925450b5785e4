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
by their texts, as any other word (search_lookup.py)."""

from __future__ import annotations

import re
from generator.output.search_text import stream

MIN_TOKEN = 3
PREFIXES = (3, 5)
_RUN = re.compile(r"[0-9a-z]+")
_TOKEN = re.compile(f"[0-9a-z]{{{MIN_TOKEN},}}")  # a whole run: a shorter run never matches from its middle


def tokens(streams: str) -> list[tuple[int, str]]:
    """(offset, token) of every token in normalised text (search_text.stream)."""
    return [(m.start(), m.group()) for m in _TOKEN.finditer(streams)]


def token_keys(token: str) -> list[str]:
    """The keys a record showing `token` has: "%" and the token, ">" and each of its PREFIXES."""
    return ["%" + token, *(">" + token[:n] for n in PREFIXES if len(token) >= n)]


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
