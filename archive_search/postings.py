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


def positions_array(docnums: Sequence[int], values: Sequence[bytes]) -> np.ndarray:
    """Sorted `docnum << 32 | position` of every occurrence, from the postings of one term.

    `values` are the postings' values, in the order of `docnums` (ascending).
    """
    if len(values) != len(docnums):
        raise ValueError(f"{len(docnums)} postings but {len(values)} values")
    if not values:
        return np.zeros(0, dtype=np.int64)
    flat = np.frombuffer(b"".join(v[_INT_SIZE:] for v in values), dtype="<u4").astype(np.int64)
    counts = np.fromiter(((len(v) - _INT_SIZE) >> 2 for v in values), np.int64, len(values))
    flat += np.repeat(np.asarray(docnums, dtype=np.int64) << 32, counts)
    # Positions of one article are ascending as written, and articles ascend.
    return flat


def _blocks(matcher: Any) -> Iterable[tuple[np.ndarray, Sequence[bytes] | None]]:
    """(document numbers, values) of each block of a leaf matcher, deleted documents included."""
    if isinstance(matcher, FilterMatcher):  # deletions: left to the caller's live mask
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        items = list(matcher.all_items())
        yield np.asarray([d for d, _ in items], dtype=np.int64), [v for _, v in items]
        return
    while matcher.is_active():
        matcher._read_data()
        deltas, _, values = matcher._data  # ids as deltas (the first absolute), weights, values
        yield np.cumsum(np.asarray(deltas, dtype=np.int64)), values
        matcher._next_block()


def term_arrays(
    reader: IndexReader, fieldname: str, text: str | bytes, *, positions: bool
) -> np.ndarray:
    """All postings of one term as a sorted array, read a block at a time.

    `positions=False`: the document numbers holding the term; `True`:
    `docnum << 32 | position` of each occurrence (a `BigramPositions` field).
    Deleted documents are included: the caller intersects with the live ones.
    """
    docs: list[np.ndarray] = []
    values: list[bytes] = []
    for leaf, offset in reader.leaf_readers():
        if (fieldname, text) not in leaf:
            continue
        for ids, block_values in _blocks(leaf.postings(fieldname, text)):
            docs.append(ids + offset)
            if positions:
                values.extend(block_values or ())
    if not docs:
        return np.zeros(0, dtype=np.int64)
    docnums = np.concatenate(docs)
    if not positions:
        return docnums
    return positions_array(docnums, values)


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
