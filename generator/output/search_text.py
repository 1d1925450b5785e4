"""Text normalisation for the search index, shared by indexing and queries (assets/search.js mirrors it).

Text is folded (NFKC, lower case) and cut into runs of letters, digits and CJK characters;
every stretch between runs (spaces, punctuation, field boundaries) becomes one space. The
index holds each character and each adjacent pair of this stream ("食品", "〕1" as " 1"), with
the pair's positions, so a query matches as a phrase: its pairs at consecutive positions."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib.resources import files

import numpy as np

_CHARS = "0-9a-z\u00c0-\u024f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_GAP = re.compile(f"[^{_CHARS}]+")
POSITIONS = 31  # positions are kept modulo this (search_postings.py)
ANYWHERE = 31  # the position of a pair that occurs too often in one record to list


def _traditional() -> dict[str, str]:
    """OpenCC's Traditional -> Simplified characters (one for one, so positions stay put)."""
    out = {}
    for line in (files("opencc") / "dictionary" / "TSCharacters.txt").read_text("utf-8").splitlines():
        trad, _, simplified = line.partition("\t")
        simplified = simplified.split(" ")[0]
        if len(trad) == 1 and len(simplified) == 1 and trad != simplified:
            out[trad] = simplified
    return out


FOLD = _traditional()
_FOLD = str.maketrans(FOLD)


def normalise(text: str, gaps: bool = True) -> str:
    """NFKC, lower case, Traditional characters folded to Simplified (食品生產 -> 食品生产).

    Character by character through one table of the characters that change, which is the same
    as normalising the whole text unless marks combine with the character before them (then
    the whole text is normalised) — and many times faster on a city's text. Without `gaps`,
    punctuation and spaces that stay outside the searched characters are left as they are
    (`stream` makes every gap one space anyway)."""
    changes, table = _changes(gaps)
    if _COMBINING.search(text):
        return _whole(text)
    return changes.sub(lambda m: table[m.group()], text)


def _whole(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().translate(_FOLD)


# Marks that NFKC may compose with the character before them (and final sigma, whose lower case
# depends on the next character): texts with them take the exact, slow path.
_COMBINING = re.compile("[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f"
                        "\u0900-\u0dff\u1100-\u11ff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
                        "\u302a-\u302f\u3099\u309a\ufe20-\ufe2f\uff9e\uff9f\u03a3\u03f9]")


@cache
def _changes(gaps: bool) -> tuple[re.Pattern, dict[str, str]]:
    """The characters of the Basic Multilingual Plane that `_whole` changes, and what into
    (without `gaps`: not those that are a gap before and after, such as ，→ ,)."""
    table = {}
    searched = re.compile(f"[{_CHARS}]")
    for n in range(0x10000):
        if 0xD800 <= n < 0xE000:
            continue
        c = chr(n)
        after = _whole(c)
        if after != c and (gaps or searched.search(c + after)):
            table[c] = after
    return re.compile("[" + "".join(re.escape(c) for c in table) + "]"), table


def fold_table(present: set[str]) -> str:
    """The folding the browser needs, as pairs "產产許许…": only characters whose simplified
    form occurs in the index (folding any other character cannot make a query match)."""
    return "".join(t + s for t, s in FOLD.items() if s in present)


def stream(text: str, keep: str = "") -> str:
    """`text` folded, every gap between runs one space (a query keeps its own edges);
    characters in `keep` are kept as they are (a separator between texts)."""
    gap = re.compile(f"[^{_CHARS}{keep}]+") if keep else _GAP
    return gap.sub(" ", normalise(text, gaps=False))


def stream_units(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each of `texts` as `stream` makes it, between spaces (" " + stream(text) + " "), all in
    one array of UTF-16 code units, and each one's length in units.

    The same as `stream`, done on arrays: the few characters that normalise to several are
    replaced first (a regular expression, native speed when there are none), then every unit
    goes through a table of the characters that change into one, and a run of gap units becomes
    one space — a city's 12 million characters in a tenth of the time of `stream`'s regular
    expressions. Every character `stream` keeps lies in the Basic Multilingual Plane; any other is
    two gap units, one space, as in `stream`."""
    if not texts:
        return np.zeros(0, np.uint16), np.zeros(0, np.int64)
    joined = "\x00".join(t.replace("\x00", " ") for t in texts)
    one, searched = _unit_tables()
    if _COMBINING.search(joined):  # marks that compose with the character before them: each text as stream does it
        joined = "\x00".join(stream(t.replace("\x00", " ")) for t in texts)
        units = np.frombuffer(joined.encode("utf-16-le"), dtype=np.uint16)
    else:
        longer, table = _longer()
        units = one[np.frombuffer(longer.sub(lambda m: table[m.group()], joined).encode("utf-16-le"), dtype=np.uint16)]
    gap = ~searched[units]
    gap &= units != 0  # the separator
    repeated = np.zeros(len(units), dtype=bool)
    repeated[1:] = gap[1:] & gap[:-1]
    units = np.where(gap, np.uint16(32), units)[~repeated]
    # each text between spaces: a separator becomes two spaces, one more at either end
    cut = units == 0
    units = np.repeat(units, np.where(cut, 2, 1))
    units[units == 0] = 32
    units = np.concatenate(([32], units, [32])).astype(np.uint16)
    where = np.flatnonzero(cut)
    bounds = np.concatenate(([-1], where, [len(cut)]))
    lengths = np.diff(bounds) - 1 + 2  # characters of each stream, and its two spaces
    return units, lengths


@cache
def _longer() -> tuple[re.Pattern, dict[str, str]]:
    """The characters `normalise` turns into several (①→1 is one, ㈠→(一) several)."""
    _, table = _changes(False)
    longer = {c: after for c, after in table.items() if len(after) != 1 or ord(after) > 0xFFFF}
    return re.compile("[" + "".join(re.escape(c) for c in longer) + "]"), longer


@cache
def _unit_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per UTF-16 unit: what `normalise` makes of it when that is one unit, and whether
    `stream` keeps it (not a gap)."""
    _, table = _changes(False)
    one = np.arange(0x10000, dtype=np.uint16)
    for c, after in table.items():
        if len(after) == 1 and ord(after) <= 0xFFFF:
            one[ord(c)] = ord(after)
    kept = re.compile(f"[{_CHARS}]")
    searched = np.array([bool(kept.match(chr(n))) for n in range(0x10000)], dtype=bool)
    return one, searched


def phrase(word: str) -> list[str]:
    """The grams of one query word in order: its pairs (a phrase), or the one character it is."""
    s = stream(word)
    if not s.strip():
        return []
    if len(s) == 1:
        return [s]
    return [s[i:i + 2] for i in range(len(s) - 1)]


def query_grams(query: str) -> list[str]:
    """The distinct grams a record must contain to match `query` (every word's phrase)."""
    out: list[str] = []
    for word in query.split():
        out.extend(g for g in phrase(word) if g not in out)
    return out
