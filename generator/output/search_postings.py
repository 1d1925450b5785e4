"""Postings of the search index, computed for all records at once and written compactly.

A record's searchable text is its fields (search_text.stream of each, between spaces). The
index holds, per gram, the records that contain it:
  "x"    a single character (one-character queries)
  "xy"   an adjacent pair, with its positions in the record, so a word matches as a phrase
  "#xy"  a pair of the record's title (titles rank first)
  "%…", ">…"  a token of letters and digits its text shows, or a token's beginning (search_tokens.py)
  "=…"   its whole code or document number (an exact match ranks first)

A city repeats its texts (the same duties and accountability wording under thousands of
powers), so each distinct field is normalised once; then every occurrence of a gram in every
record becomes one 64-bit key (gram, record, position modulo POSITIONS; a token or code is a
number in a list of names), and one vectorised sort groups them. numpy does in a second what a
Python loop over 12 million characters does in minutes (docs/performance.md).

A postings list is ASCII (JSON-safe, gzipped well by any static host), one symbol per
character of ALPHABET (6 bits). Per record: the record number's difference to the previous
one, 5 bits a symbol, high bits first, MORE set on all but the last symbol; then, for a pair,
its positions, one symbol each, MORE set on all but the last. A pair with more than
MAX_POSITIONS positions in one record is written as the symbol ANYWHERE and the positions as
a bit mask in MASK_SYMBOLS symbols.
assets/search.js decodes the same format (keep the two in step)."""

from __future__ import annotations

import numpy as np

from generator.output.search_text import ANYWHERE, POSITIONS, stream_units
from generator.output.search_tokens import token_keys, tokens

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
MORE = 32
MAX_POSITIONS = 6
MASK_SYMBOLS = 7  # a record's positions of a frequent pair as a mask: 7 symbols of 5 bits
CHAR, PAIR, TITLE, NAMED = 0, 1, 2, 3  # gram kinds, the key's top bits; NAMED: a token or an exact code
_ASCII = ALPHABET.encode("ascii").ljust(256, b"?")  # symbol value -> its character (bytes.translate)
_VALUE = {c: n for n, c in enumerate(ALPHABET)}


def postings(fields: list[list[str]], titles: list[str], codes: list[str] | None = None,
             first: int = 0) -> dict[str, tuple[int, str, int]]:
    """gram -> (last record number, encoded postings, number of records) for records numbered
    first, first+1, …: `fields` holds each record's texts, `titles` its title, `codes` its code
    or document number ("" for none). Besides the grams (module docstring): the tokens of
    letters and digits (search_tokens.py) and "=" with a record's whole code (it ranks first)."""
    doc_bits = max(1, (first + len(fields)).bit_length())
    names: list[str] = []
    text = _Texts(fields)
    keys = [*text.gram_keys(first, doc_bits), *_Texts([[t] for t in titles]).gram_keys(first, doc_bits, TITLE),
            text.token_keys(first, doc_bits, names), _code_keys(codes or [], first, doc_bits, names)]
    keys = [k for k in keys if len(k)]
    return _encode(np.sort(np.concatenate(keys)) if keys else np.zeros(0, np.int64), doc_bits, names)


class _Texts:
    """The records' texts, each distinct text normalised once (a city repeats its wording under
    thousands of records): per occurrence its text's number and its record."""

    def __init__(self, fields: list[list[str]]):
        counts = np.fromiter(map(len, fields), dtype=np.int64, count=len(fields))
        values = [t for texts in fields for t in texts]
        number: dict[str, int] = {}
        self.text = np.fromiter((number.setdefault(t, len(number)) for t in values), dtype=np.int64, count=len(values))
        self.doc = np.repeat(np.arange(len(fields), dtype=np.int64), counts)
        self.units, self.lengths = stream_units(list(number))  # each text between spaces
        self.starts = np.cumsum(self.lengths) - self.lengths

    def gram_keys(self, first: int, doc_bits: int, kind: int = PAIR) -> list[np.ndarray]:
        """One key per gram occurrence: kind and gram, record number, position modulo
        POSITIONS (PAIR: each pair with its position in the record, and each character;
        TITLE: each pair)."""
        if not len(self.text):
            return []
        # 32-bit where the values fit (a province's 120 million characters do): half the memory to go through
        length = self.lengths[self.text].astype(np.int32)
        where = np.cumsum(length, dtype=np.int32) - length  # each occurrence's start in the records' streams
        index = np.arange(int(length.sum()), dtype=np.int32)
        source = index - np.repeat(where - self.starts[self.text].astype(np.int32), length)
        chars = self.units[source]
        spaces = chars == 32
        doc_part = np.repeat(((self.doc + first) << 5).astype(np.int32), length)
        shift = doc_bits + 5
        out = []
        if kind == PAIR:
            key = chars.astype(np.int64)
            key <<= shift
            key |= doc_part
            out.append(key[~spaces])
        key = chars[:-1].astype(np.int64)  # in place from here: arrays of a city's 12 million characters
        key <<= 16
        key |= chars[1:]
        key |= kind << 32
        key <<= shift
        key |= doc_part[:-1]
        if kind == PAIR:  # the position in the record: from the start of its first text
            index -= np.repeat(where[np.searchsorted(self.doc, self.doc)], length)
            key |= index[:-1] % POSITIONS
        keep = doc_part[:-1] == doc_part[1:]
        keep &= ~(spaces[:-1] & spaces[1:])
        out.append(key[keep])
        return out

    def token_keys(self, first: int, doc_bits: int, names: list[str]) -> np.ndarray:
        """A key per record and each token key its texts show (search_tokens.tokens); the
        keys' names are added to `names`."""
        found = tokens(self.units.tobytes().decode("utf-16-le"))  # one unit a character: no surrogates are kept
        if not found:
            return np.zeros(0, np.int64)
        distinct: dict[str, int] = {}
        token = np.fromiter((distinct.setdefault(t, len(distinct)) for _, t in found), dtype=np.int64, count=len(found))
        number = {name: n for n, name in enumerate(names)}
        keys = [[number.setdefault(k, len(number)) for k in token_keys(t)] for t in distinct]
        names[:] = list(number)
        # each token found -> its keys (a few names per distinct token)
        ids, starts_of = _flat(keys)
        sizes = np.diff(starts_of)[token]
        found_at = np.repeat(np.fromiter((offset for offset, _ in found), dtype=np.int64, count=len(found)), sizes)
        ids = ids[_ranges(starts_of[token], sizes)]
        of_text = np.searchsorted(self.starts, found_at, side="right") - 1  # ascending: tokens come in order
        per_text = np.bincount(of_text, minlength=len(self.lengths))
        many = per_text[self.text]  # per occurrence: its text's token keys
        occurrence = np.repeat(np.arange(len(self.text)), many)
        key = ids[_ranges((np.cumsum(per_text) - per_text)[self.text], many)]
        return (((NAMED << 32) | key) << (doc_bits + 5)) | ((self.doc[occurrence] + first) << 5)


def _flat(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Lists as one array and where each starts (and the last ends)."""
    sizes = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    return (np.fromiter((x for list_ in lists for x in list_), dtype=np.int64, count=int(sizes.sum())),
            np.concatenate(([0], np.cumsum(sizes))))


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The indices starts[i], starts[i] + 1, … (sizes[i] of them) for every i, in order."""
    total = int(sizes.sum())
    return np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(total)


def _code_keys(codes: list[str], first: int, doc_bits: int, names: list[str]) -> np.ndarray:
    """A key per record with a code: "=" and the code as the index reads it."""
    units, lengths = stream_units(codes)
    streams = units.tobytes().decode("utf-16-le")
    starts = np.cumsum(lengths) - lengths
    number = {name: n for n, name in enumerate(names)}
    out = []
    for doc, (start, length) in enumerate(zip(starts.tolist(), lengths.tolist())):
        code = streams[start:start + length].strip()
        if code:
            out.append((((NAMED << 32) | number.setdefault("=" + code, len(number))) << (doc_bits + 5))
                       | ((doc + first) << 5))
    names[:] = list(number)
    return np.array(out, dtype=np.int64)


def _encode(keys: np.ndarray, doc_bits: int, names: list[str]) -> dict[str, tuple[int, str, int]]:
    """Sorted keys -> gram -> (last record number, postings in the ASCII format, records).

    Per (gram, record) entry: its record number's difference to the previous entry's of the
    gram, then, for a pair, one symbol per position (or the mask); each written where it goes
    in one array of symbols, a gram's postings a slice of it. Pairs are the keys with positions
    (kind PAIR, sorted between CHAR and TITLE); the others are one key an entry."""
    shift = doc_bits + 5
    begin, end = np.searchsorted(keys, [PAIR << (32 + shift), (PAIR + 1) << (32 + shift)])
    out = _encode_entries(np.concatenate((keys[:begin], keys[end:])), doc_bits, names, False)
    out.update(_encode_entries(keys[begin:end], doc_bits, names, True))
    return out


def _encode_entries(keys: np.ndarray, doc_bits: int, names: list[str],
                    positions: bool) -> dict[str, tuple[int, str, int]]:
    if not len(keys):
        return {}
    distinct = np.empty(len(keys), dtype=bool)
    distinct[0] = True
    np.not_equal(keys[1:], keys[:-1], out=distinct[1:])
    keys = keys[distinct]
    n = len(keys)
    if positions:
        entry_of = keys >> 5  # gram and record
        is_start = np.empty(n, dtype=bool)
        is_start[0] = True
        np.not_equal(entry_of[1:], entry_of[:-1], out=is_start[1:])
        starts = np.flatnonzero(is_start)
        count = np.diff(starts, append=n)
        head = entry_of[starts]
    else:  # one key an entry
        head = keys >> 5
    code = head >> doc_bits
    doc = (head & ((1 << doc_bits) - 1)).astype(np.int32)
    new_gram = np.empty(len(code), dtype=bool)
    new_gram[0] = True
    np.not_equal(code[1:], code[:-1], out=new_gram[1:])
    delta = doc.copy()
    np.subtract(doc[1:], doc[:-1], out=delta[1:])
    delta[new_gram] = doc[new_gram]
    digits = np.ones(len(doc), dtype=np.int32)
    for bits in range(5, max(1, int(delta.max()).bit_length()), 5):
        digits += delta >= (1 << bits)
    if positions:
        wild = count > MAX_POSITIONS
        width = digits + np.where(wild, 1 + MASK_SYMBOLS, count)
    else:
        width = digits
    offset = np.cumsum(width, dtype=np.int64)
    total = int(offset[-1])
    offset -= width  # each entry's first symbol
    last = offset + digits - 1  # the difference's last (lowest) symbol
    symbols = np.empty(total + (n if positions else 0), dtype=np.uint8)  # + n: where masked pairs' keys go
    symbols[last] = delta & 31
    for j in range(1, int(digits.max())):
        long = np.flatnonzero(digits > j)
        symbols[last[long] - j] = ((delta[long] >> (5 * j)) & 31) | MORE
    if positions:
        # positions, one symbol each after the difference, MORE on all but the last: key k of
        # entry e goes to last[e] + 1 + (k - starts[e]); a masked entry's keys past the end
        to = np.repeat(np.where(wild, total, last + 1 - starts), count)
        to += np.arange(n)
        position = (keys & 31).astype(np.uint8)
        position[:-1] |= (~is_start[1:]).view(np.uint8) << 5
        symbols[to] = position
        many = np.flatnonzero(wild)
        if len(many):  # ANYWHERE, then the positions as a bit mask, 5 bits a symbol, low bits first
            sizes = count[many]
            mask = np.bitwise_or.reduceat(np.left_shift(1, keys[_ranges(starts[many], sizes)] & 31),
                                          np.cumsum(sizes) - sizes)
            symbols[last[many] + 1] = ANYWHERE
            for j in range(MASK_SYMBOLS):
                symbols[last[many] + 2 + j] = (mask >> (5 * j)) & 31
    ascii_ = symbols[:total].tobytes().translate(_ASCII).decode("ascii")
    grams = np.flatnonzero(new_gram)
    gram_ends = np.append(grams[1:], len(code))
    bounds = np.append(offset, total)
    out: dict[str, tuple[int, str, int]] = {}
    for g, end, c, last_doc, records in zip(bounds[grams].tolist(), bounds[gram_ends].tolist(), code[grams].tolist(),
                                            doc[gram_ends - 1].tolist(), (gram_ends - grams).tolist()):
        out[_gram(c, names)] = (last_doc, ascii_[g:end], records)
    return out


def _gram(code: int, names: list[str]) -> str:
    kind, a, b = code >> 32, (code >> 16) & 0xFFFF, code & 0xFFFF
    if kind == CHAR:
        return chr(b)
    if kind == NAMED:
        return names[code & 0xFFFFFFFF]
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
