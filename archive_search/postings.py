"""How the index stores the positions of a term in an article, written and read in bulk.

Whoosh's own `Positions` format pickles each posting's position deltas, and
reading them back means one `pickle.loads` per article per term: at 100,000
articles a common bigram's positions took a tenth of a second to decode
before a phrase could be matched.  `BigramPositions` stores the same
information as Whoosh expects it (a 4-byte count, then the positions) but
with the positions as little-endian unsigned 32-bit integers, so that all
postings of a term decode with one `numpy.frombuffer`; Whoosh's own phrase
queries read them through `decode_positions` as before.  It also takes the
terms of a text from the analyzer's `term_positions` in one call instead of
one Token object per term, the slowest part of indexing an article.

Reading is the other half: Whoosh hands out postings one at a time through
matchers, about a microsecond each, so the 80,000 postings of a common term
cost a tenth of a second however they are stored.  `term_arrays` reads a
posting list a block (128 postings) at a time instead, straight from the
blocks of Whoosh's `W3LeafMatcher` — Whoosh internals, pinned with the
whoosh3 version in requirements.txt; any other matcher is read the slow,
public way, and a test compares the two on every term of an index.

Whoosh pickles the format into the index schema, so this module must stay
importable as `archive_search.postings`.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader
from whoosh.system import _INT_SIZE, pack_uint

from . import hot_terms

_POSITION = "I"  # unsigned 32-bit on every platform Python runs on (checked below)
_BIG_ENDIAN = sys.byteorder == "big"
assert array(_POSITION).itemsize == 4


def encode_positions(positions: Sequence[int]) -> bytes:
    """A posting's value: the count (Whoosh's 4-byte prefix), then the positions, <u4."""
    packed = array(_POSITION, positions)
    if _BIG_ENDIAN:
        packed.byteswap()
    return pack_uint(len(packed)) + packed.tobytes()


def decode_positions(value: bytes) -> list[int]:
    packed = array(_POSITION)
    packed.frombytes(value[_INT_SIZE:])
    if _BIG_ENDIAN:
        packed.byteswap()
    return packed.tolist()


def positions_array(
    docnums: Sequence[int], values: Sequence[bytes], counts: np.ndarray | None = None
) -> np.ndarray:
    """Sorted `docnum << 32 | position` of every occurrence, from the postings of one term.

    `values` are the postings' values, in the order of `docnums` (ascending);
    `counts`, if given, each posting's number of positions (see
    `joined_positions`).
    """
    if len(values) != len(docnums):
        raise ValueError(f"{len(docnums)} postings but {len(values)} values")
    if not values:
        return np.zeros(0, dtype=np.int64)
    docs = np.asarray(docnums, dtype=np.int64) << 32
    flat = joined_positions(values, counts) if counts is not None else None
    if flat is None:
        flat = np.frombuffer(b"".join(v[_INT_SIZE:] for v in values), "<u4").astype(np.int64)
        counts = np.fromiter(((len(v) - _INT_SIZE) >> 2 for v in values), np.int64, len(values))
    # Positions of one article are ascending as written, and articles ascend.
    flat += np.repeat(docs, counts)
    return flat


def joined_positions(values: Sequence[bytes], counts: np.ndarray) -> np.ndarray | None:
    """The positions of all `values`, their count prefixes dropped, as int64; None if
    `counts` disagree with the prefixes.

    With each posting's count known (a `BigramPositions` posting's Whoosh
    weight is its number of positions) the values are joined whole and the
    prefixes masked out at once, instead of slicing each value in Python.
    """
    raw = np.frombuffer(b"".join(values), dtype="<u4")
    words = counts.astype(np.int64) + 1  # the count prefix, then the positions
    starts = np.cumsum(words) - words
    if int(words.sum()) != len(raw):
        return None
    # The prefix is Whoosh's big-endian uint; trusted only if each says the same.
    if not np.array_equal(raw[starts].byteswap(), words - 1):
        return None
    keep = np.ones(len(raw), dtype=bool)
    keep[starts] = False
    return raw[keep].astype(np.int64)


def _blocks(matcher: Any) -> Iterable[tuple[np.ndarray, np.ndarray | None, Sequence[bytes]]]:
    """(document numbers, position counts, values) of each block of a leaf matcher.

    Deleted documents are included.  The counts are the postings' weights
    (a `BigramPositions` weight is its number of positions); None when the
    matcher is not Whoosh's W3 leaf matcher, read the slow, public way.
    """
    if isinstance(matcher, FilterMatcher):  # deletions: left to the caller's live mask
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        items = list(matcher.all_items())
        yield np.asarray([d for d, _ in items], dtype=np.int64), None, [v for _, v in items]
        return
    while matcher.is_active():
        matcher._read_data()
        deltas, weights, values = matcher._data  # ids as deltas (the first absolute)
        size = len(deltas)
        if weights is None:  # Whoosh stores all-1.0 weights as None, all-equal as one float
            counts = np.ones(size, dtype=np.float64)
        elif isinstance(weights, float):
            counts = np.full(size, weights)
        else:
            counts = np.asarray(weights, dtype=np.float64)
        yield np.cumsum(np.asarray(deltas, dtype=np.int64)), counts, values or ()
        matcher._next_block()


def term_arrays(
    reader: IndexReader, fieldname: str, text: str | bytes, *, positions: bool
) -> np.ndarray:
    """All postings of one term as a sorted array, read a block at a time.

    `positions=False`: the document numbers holding the term; `True`:
    `docnum << 32 | position` of each occurrence (a `BigramPositions` field).
    Deleted documents are included: the caller intersects with the live ones.
    """
    parts: list[np.ndarray] = []
    for leaf, offset in reader.leaf_readers():
        if (fieldname, text) not in leaf:
            continue
        hot = hot_terms.table(leaf)
        kept = hot.positions(fieldname, text) if hot is not None else None
        if kept is not None:  # the segment's own sorted positions, ready to use
            flat = kept + (offset << 32)
            parts.append(_documents(flat) if not positions else flat)
            continue
        docs: list[np.ndarray] = []
        counts: list[np.ndarray] | None = []
        values: list[bytes] = []
        for ids, block_counts, block_values in _blocks(leaf.postings(fieldname, text)):
            docs.append(ids + offset)
            if positions:
                values.extend(block_values)
                if counts is not None and block_counts is not None:
                    counts.append(block_counts)
                else:
                    counts = None
        if not docs:
            continue
        docnums = np.concatenate(docs)
        if not positions:
            parts.append(docnums)
            continue
        weights = np.concatenate(counts) if counts else None
        parts.append(positions_array(docnums, values, None if weights is None else _exact(weights)))
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)  # leaves ascend


def _documents(flat: np.ndarray) -> np.ndarray:
    """The distinct document numbers of sorted `docnum << 32 | position` values."""
    docs = flat >> 32
    if len(docs) == 0:
        return docs
    return docs[np.concatenate(([True], docs[1:] != docs[:-1]))]


def _exact(weights: np.ndarray) -> np.ndarray | None:
    """Weights as position counts, or None if any is not a whole number (a field boost)."""
    counts = weights.astype(np.int64)
    return counts if np.array_equal(counts, weights) else None


class BigramPositions(Positions):
    """Whoosh's Positions, packed as uint32 and filled from `term_positions` in one call."""

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterable[tuple[str, int, float, bytes]]:
        grouped = getattr(analyzer, "term_positions", None)
        if grouped is None or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for text, positions in grouped(value).items():
            yield text, len(positions), len(positions) * boost, encode_positions(positions)

    def encode(self, poslist: Any) -> bytes:
        return encode_positions(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return decode_positions(valuestring)

    def decode_position_boosts(self, valuestring: bytes) -> list[tuple[int, float]]:
        return [(pos, 1.0) for pos in decode_positions(valuestring)]
