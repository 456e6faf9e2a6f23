"""The byte encodings of the static search export: varints, position lists, doc sets.

An export writes tens of millions of small integers (every position of
every term of every article); encoding them one `varint` call at a time
took most of an export's minutes.  The numbers are collected per key (in
the export builder's `array.array`s) and encoded here in bulk with numpy,
with the pure-Python path kept for the many short lists where numpy's
per-call cost dominates.
The format itself is described in `archive_search.export` and decoded by
theme/static/js/search.js; `varint` is the reference the bulk path is tested
against.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np

KIND_POSITIONS = 0
KIND_LIST = 1
KIND_RUNS = 2
KIND_BITMAP = 3
_BULK = 48  # numbers from which numpy beats the loop


def varint(value: int, out: bytearray) -> None:
    """Append `value` as an unsigned LEB128 varint (small numbers take one byte)."""
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def varints(values: Sequence[int] | np.ndarray) -> bytes:
    """Unsigned LEB128 varints of all `values`, concatenated."""
    if len(values) < _BULK:
        out = bytearray()
        for value in values:
            varint(int(value), out)
        return bytes(out)
    signed = np.asarray(values)
    if signed.dtype.kind == "i" and (signed < 0).any():
        raise ValueError("varints are unsigned")
    numbers = signed.astype(np.uint64)
    sizes = np.ones(len(numbers), dtype=np.int64)
    for k in range(1, 10):
        sizes += numbers >= np.uint64(1 << (7 * k))
    starts = np.cumsum(sizes) - sizes
    out = np.empty(int(sizes.sum()), dtype=np.uint8)
    for j in range(int(sizes.max())):
        has = sizes > j
        byte = (numbers[has] >> np.uint64(7 * j)) & np.uint64(0x7F)
        more = (sizes[has] > j + 1).astype(np.uint64) << np.uint64(7)
        out[starts[has] + j] = (byte | more).astype(np.uint8)
    return out.tobytes()


def _int64(values: Sequence[int]) -> np.ndarray:
    """An int64 array of `values`; an `array.array` is read through its buffer, without a loop."""
    if isinstance(values, array):
        return np.frombuffer(values, dtype=np.dtype(values.typecode)).astype(np.int64)
    return np.asarray(values, dtype=np.int64)


def encode_positions(ordinals: Sequence[int], counts: Sequence[int], flat: Sequence[int]) -> bytes:
    """A term's postings: per article the ordinal delta (first absolute), the position count,
    the position deltas (first absolute); `flat` holds every article's positions in turn.
    """
    if len(flat) < _BULK:
        out = bytearray()
        previous_ordinal = 0
        at = 0
        for ordinal, count in zip(ordinals, counts, strict=True):
            varint(ordinal - previous_ordinal, out)
            previous_ordinal = ordinal
            varint(count, out)
            previous = 0
            for p in flat[at : at + count]:
                varint(p - previous, out)
                previous = p
            at += count
        return bytes(out)
    docs = _int64(ordinals)
    sizes = _int64(counts)
    positions = _int64(flat)
    firsts = np.cumsum(sizes) - sizes  # index in `flat` of each article's first position
    deltas = np.diff(positions, prepend=0)
    deltas[firsts] = positions[firsts]
    stream = np.empty(len(docs) * 2 + len(positions), dtype=np.int64)
    heads = firsts + 2 * np.arange(len(docs))  # where each article's ordinal goes
    stream[heads] = np.diff(docs, prepend=0)
    stream[heads + 1] = sizes
    owner = np.repeat(np.arange(len(docs)), sizes)
    stream[np.arange(len(positions)) + 2 * owner + 2] = deltas
    return varints(stream)


def encode_doc_set(ordinals: Sequence[int], total: int) -> tuple[int, bytes]:
    """The smallest of three encodings of a sorted set of ordinals: (kind, data).

    1: ordinal deltas; 2: runs (start delta from the previous run's end,
    length); 3: a bitmap over all `total` ordinals (bit o & 7 of byte o >> 3).
    """
    docs = np.asarray(ordinals, dtype=np.int64)
    as_list = varints(np.diff(docs, prepend=0))
    if len(docs):
        breaks = np.flatnonzero(np.diff(docs) != 1) + 1
        run_starts = docs[np.concatenate(([0], breaks))]
        run_ends = docs[np.concatenate((breaks - 1, [len(docs) - 1]))] + 1
        gaps = run_starts - np.concatenate(([0], run_ends[:-1]))
        as_runs = varints(np.column_stack((gaps, run_ends - run_starts)).ravel())
    else:
        as_runs = b""
    bits = np.zeros((total + 7) // 8 * 8, dtype=bool)
    bits[docs] = True
    bitmap = np.packbits(bits, bitorder="little").tobytes()
    return min(
        ((KIND_LIST, as_list), (KIND_RUNS, as_runs), (KIND_BITMAP, bitmap)),
        key=lambda kind_data: len(kind_data[1]),
    )
