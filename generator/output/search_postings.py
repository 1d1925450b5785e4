"""Postings of the search index, computed for all records at once and written compactly.

A record's searchable text is its fields (search_text.stream of each, between spaces). The
index holds, per gram, the records that contain it:
  "x"    a single character (one-character queries)
  "xy"   an adjacent pair, with its positions in the record, so a word matches as a phrase
  "#xy"  a pair of the record's title (titles rank first)

A city repeats its texts (the same duties and accountability wording under thousands of
powers), so each distinct field is normalised once; then every occurrence of a gram in every
record becomes one 64-bit key (gram, record, position modulo POSITIONS), and one vectorised
sort groups them. numpy does in a second what a Python loop over 12 million characters does
in minutes (docs/performance.md).

A postings list is ASCII (JSON-safe, gzipped well by any static host), one symbol per
character of ALPHABET (6 bits). Per record: the record number's difference to the previous
one, 5 bits a symbol, high bits first, MORE set on all but the last symbol; then, for a pair,
its positions, one symbol each, MORE set on all but the last. A pair with more than
MAX_POSITIONS positions in one record is written as the symbol ANYWHERE and the positions as
a bit mask in MASK_SYMBOLS symbols.
assets/search.js decodes the same format (keep the two in step)."""

from __future__ import annotations

from itertools import chain

import numpy as np

from generator.output.search_text import ANYWHERE, POSITIONS, stream

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
MORE = 32
MAX_POSITIONS = 6
MASK_SYMBOLS = 7  # a record's positions of a frequent pair as a mask: 7 symbols of 5 bits
CHAR, PAIR, TITLE = 0, 1, 2  # gram kinds, the key's top bits
_SYMBOLS = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_VALUE = {c: n for n, c in enumerate(ALPHABET)}


def postings(fields: list[list[str]], titles: list[str], first: int = 0) -> dict[str, tuple[int, str, int]]:
    """gram -> (last record number, encoded postings, number of records) for records numbered
    first, first+1, …;
    `fields` holds each record's texts, `titles` each record's title."""
    doc_bits = max(1, (first + len(fields)).bit_length())
    keys = [*_keys(fields, first, doc_bits, PAIR), *_keys([[t] for t in titles], first, doc_bits, TITLE)]
    return _encode(np.sort(np.concatenate(keys)) if keys else np.zeros(0, np.int64), doc_bits)


def _streams(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The normalised streams of `texts`, each between spaces, as one array of UTF-16 code
    units (every character search_text keeps lies in the Basic Multilingual Plane), and each
    stream's length. One call over all texts: far cheaper than one per text."""
    joined = stream("\x00".join(t.replace("\x00", " ") for t in texts), keep="\x00")
    parts = f" {joined} ".replace("\x00", "  ").encode("utf-16-le")
    lengths = np.fromiter(map(len, joined.split("\x00")), dtype=np.int64, count=len(texts)) + 2
    return np.frombuffer(parts, dtype=np.uint16), lengths


def _keys(fields: list[list[str]], first: int, doc_bits: int, pairs: int) -> list[np.ndarray]:
    """One key per gram occurrence: kind and gram, record number, position modulo POSITIONS
    (positions for PAIR only; single characters of the text too, never of titles)."""
    counts = np.fromiter(map(len, fields), dtype=np.int64, count=len(fields))
    values = list(chain.from_iterable(fields))
    if not values:
        return []
    distinct = list(dict.fromkeys(values))
    number = {t: n for n, t in enumerate(distinct)}
    texts = np.fromiter(map(number.__getitem__, values), dtype=np.int64, count=len(values))
    docs = np.repeat(np.arange(len(fields), dtype=np.int64), counts)
    units, lengths = _streams(distinct)
    starts = np.cumsum(lengths) - lengths
    length = lengths[texts]
    total = int(length.sum())
    where = np.cumsum(length) - length  # each field's start in the records' streams
    chars = units[np.arange(total) - np.repeat(where - starts[texts], length)].astype(np.int64)
    doc = np.repeat(docs, length)
    doc_part = (doc + first) << 5
    shift = doc_bits + 5
    out = []
    if pairs == PAIR:
        keep = chars != 32
        out.append((chars[keep] << shift) | doc_part[keep])
    a, b = chars[:-1], chars[1:]
    keep = (doc[:-1] == doc[1:]) & ((a != 32) | (b != 32))
    key = (((pairs << 32) | (a << 16) | b) << shift) | doc_part[:-1]
    if pairs == PAIR:
        record_start = where[np.searchsorted(docs, docs)]  # a record's first field
        key |= ((np.arange(total) - np.repeat(record_start, length)) % POSITIONS)[:-1]
    out.append(key[keep])
    return out


def _encode(keys: np.ndarray, doc_bits: int) -> dict[str, tuple[int, str, int]]:
    """Sorted keys -> gram -> (last record number, postings in the ASCII format, records)."""
    if not len(keys):
        return {}
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    shift = doc_bits + 5
    entry_of = keys >> 5  # gram and record
    starts = np.flatnonzero(np.concatenate(([True], entry_of[1:] != entry_of[:-1])))
    count = np.diff(np.append(starts, len(keys))).astype(np.int32)
    code = keys[starts] >> shift
    doc = ((keys[starts] >> 5) & ((1 << doc_bits) - 1)).astype(np.int32)
    new_gram = np.concatenate(([True], code[1:] != code[:-1]))
    delta = doc - np.where(new_gram, 0, np.concatenate(([0], doc[:-1]))).astype(np.int32)
    digits = np.ones(len(doc), dtype=np.int32)
    for bits in (5, 10, 15, 20, 25, 30):
        digits += delta >= (1 << bits)
    positioned = (code >> 32) == PAIR
    wild = positioned & (count > MAX_POSITIONS)
    npos = np.where(positioned, np.where(wild, 1 + MASK_SYMBOLS, count), 0).astype(np.int32)
    width = digits + npos
    offset = (np.cumsum(width) - width).astype(np.int64)
    symbols = np.zeros(int(width.sum()), dtype=np.uint8)
    last = offset + digits - 1  # the difference's last (lowest) symbol
    symbols[last] = delta & 31
    for j in range(1, int(digits.max())):
        long = np.flatnonzero(digits > j)
        symbols[last[long] - j] = ((delta[long] >> (5 * j)) & 31) | MORE
    # positions: one symbol per (gram, record, position) key of a pair, after the difference
    pair_keys = np.flatnonzero(np.repeat(positioned & ~wild, count))
    entry = np.repeat(np.arange(len(starts), dtype=np.int32), count)[pair_keys]
    rank = pair_keys - starts[entry]
    symbols[last[entry] + 1 + rank] = (keys[pair_keys] & 31).astype(np.uint8) | np.where(
        rank < npos[entry] - 1, MORE, 0).astype(np.uint8)
    many = np.flatnonzero(wild)
    if len(many):  # ANYWHERE, then the positions as a bit mask, 5 bits a symbol, low bits first
        bits = np.left_shift(1, keys & 31)[np.flatnonzero(np.repeat(wild, count))]
        mask = np.bitwise_or.reduceat(bits, np.cumsum(count[many]) - count[many])
        symbols[last[many] + 1] = ANYWHERE
        for j in range(MASK_SYMBOLS):
            symbols[last[many] + 2 + j] = (mask >> (5 * j)) & 31
    ascii_ = _SYMBOLS[symbols].tobytes().decode("ascii")
    grams = np.flatnonzero(new_gram)
    ends = np.append(grams[1:], len(starts))
    bounds = np.append(offset, len(symbols))
    out: dict[str, tuple[int, str, int]] = {}
    for g, end, c, last_doc, records in zip(bounds[grams].tolist(), bounds[ends].tolist(), code[grams].tolist(),
                                            doc[ends - 1].tolist(), (ends - grams).tolist()):
        out[_gram(c)] = (last_doc, ascii_[g:end], records)
    return out


def _gram(code: int) -> str:
    kind, a, b = code >> 32, (code >> 16) & 0xFFFF, code & 0xFFFF
    if kind == CHAR:
        return chr(b)
    return ("#" if kind == TITLE else "") + chr(a) + chr(b)


def positioned(gram: str) -> bool:
    """Whether the postings of `gram` carry positions (pairs of the text, not of titles)."""
    return len(gram) == 2 and gram[0] not in "#="


def encode(ids: list[int], positions: list[list[int]] | None = None, previous: int = 0) -> str:
    """Postings of ascending record numbers (and per record its positions) in the ASCII format."""
    out = []
    for n, doc in enumerate(ids):
        out.append(_number(doc - previous))
        previous = doc
        if positions is not None:
            where = sorted({p % POSITIONS for p in positions[n]})
            if len(where) > MAX_POSITIONS:
                mask = sum(1 << p for p in where)
                out.append(ALPHABET[ANYWHERE] + "".join(ALPHABET[(mask >> (5 * j)) & 31] for j in range(MASK_SYMBOLS)))
            else:
                out.append("".join(ALPHABET[p | (MORE if i < len(where) - 1 else 0)] for i, p in enumerate(where)))
    return "".join(out)


def _number(value: int) -> str:
    digits = [value & 31]
    value >>= 5
    while value:
        digits.append(value & 31)
        value >>= 5
    return "".join(ALPHABET[d | (MORE if i else 0)] for i, d in enumerate(digits))[::-1]


def _read_number(text: str, i: int) -> tuple[int, int]:
    value = 0
    while True:
        symbol = _VALUE[text[i]]
        i += 1
        value = (value << 5) | (symbol & 31)
        if not symbol & MORE:
            return value, i


def decode(text: str, with_positions: bool) -> tuple[list[int], dict[int, list[int]]]:
    """Record numbers, and per record its positions when `with_positions`."""
    ids: list[int] = []
    where: dict[int, list[int]] = {}
    total, i = 0, 0
    while i < len(text):
        delta, i = _read_number(text, i)
        total += delta
        ids.append(total)
        if with_positions:
            found = []
            while True:
                symbol = _VALUE[text[i]]
                i += 1
                if symbol == ANYWHERE:
                    mask = sum(_VALUE[text[i + j]] << (5 * j) for j in range(MASK_SYMBOLS))
                    i += MASK_SYMBOLS
                    found = [p for p in range(POSITIONS) if mask >> p & 1]
                    break
                found.append(symbol & 31)
                if not symbol & MORE:
                    break
            where[total] = found
    return ids, where


def rebase(text: str, previous: int) -> str:
    """Postings whose first difference counts from 0, made to count from record `previous`
    (joining the postings of consecutive parts)."""
    first, i = _read_number(text, 0)
    return _number(first - previous) + text[i:]
