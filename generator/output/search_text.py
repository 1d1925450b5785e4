"""Text normalisation for the search index, shared by indexing and queries (assets/search.js mirrors it).

Text is folded (NFKC, lower case) and cut into runs of letters, digits and CJK characters;
every stretch between runs (spaces, punctuation, field boundaries) becomes one space. The
index holds each character and each adjacent pair of this stream ("食品", "〕1" as " 1"), with
the pair's positions, so a query matches as a phrase: its pairs at consecutive positions."""

from __future__ import annotations

import re
import unicodedata
from importlib.resources import files

_CHARS = "0-9a-z\u00c0-\u024f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(f"[{_CHARS}]+")
_GAP = re.compile(f"[^{_CHARS}]+")
POSITIONS = 36  # positions are kept modulo this (one base-36 digit each)


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


def normalise(text: str) -> str:
    """NFKC, lower case, Traditional characters folded to Simplified (食品生產 -> 食品生产)."""
    return unicodedata.normalize("NFKC", text).lower().translate(_FOLD)


def fold_table(present: set[str]) -> str:
    """The folding the browser needs, as pairs "產产許许…": only characters whose simplified
    form occurs in the index (folding any other character cannot make a query match)."""
    return "".join(t + s for t, s in FOLD.items() if s in present)


def runs(text: str) -> list[str]:
    return _RUN.findall(normalise(text))


def stream(text: str) -> str:
    """`text` folded, every gap between runs one space (a query keeps its own edges)."""
    return _GAP.sub(" ", normalise(text))


def doc_grams(text: str) -> tuple[set[str], dict[str, set[int]]]:
    """Single characters, and pairs with their positions modulo POSITIONS, of a document's text."""
    s = " " + stream(text).strip() + " "
    chars = {c for c in s if c != " "}
    pairs: dict[str, set[int]] = {}
    for i in range(len(s) - 1):
        if s[i] != " " or s[i + 1] != " ":
            pairs.setdefault(s[i:i + 2], set()).add(i % POSITIONS)
    return chars, pairs


def grams(text: str) -> set[str]:
    chars, pairs = doc_grams(text)
    return chars | set(pairs)


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


def phrase_at(grams_: list[str], positions: dict[str, str]) -> bool:
    """Whether the pairs `grams_` can stand at consecutive positions, given each pair's
    positions in one document (base-36 digits, modulo POSITIONS)."""
    if len(grams_) < 2:
        return True
    sets = [{int(c, 36) for c in positions.get(g, "")} for g in grams_]
    return any(all((start + i) % POSITIONS in have for i, have in enumerate(sets)) for start in sets[0])
