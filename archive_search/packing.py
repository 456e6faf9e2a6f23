"""The byte encodings of the static search export: varints, position lists, doc sets.

An export writes tens of millions of small integers (every position of
every term of every article); encoding them one `varint` call at a time
took most of an export's minutes.  The export builder collects them as rows
of flat arrays and `encode_grouped_positions` / `encode_grouped_doc_sets`
encode all keys in a few numpy passes; `encode_positions` and
`encode_doc_set`, one key at a time, are the reference they are tested
against.
The format itself is described in docs/search_format.md and decoded by
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


# Encoding many keys at once.  An export holds tens of thousands of keys, most
# of them short: encoding each alone cost more in per-call overhead than in
# work.  These take every key's postings in one set of arrays, grouped by key
# (`group`, ascending) and ordinal, encode them in a few numpy passes and cut
# the result into each key's bytes, a chunk of keys at a time to bound memory.

_CHUNK = 1 << 18  # numbers encoded per pass (a pass holds about 8 arrays of this many int64)


def _encode(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(bytes as uint8, byte offset of each number and the end) of unsigned varints."""
    numbers = numbers.astype(np.uint64)
    sizes = np.ones(len(numbers), dtype=np.int64)
    for k in range(1, 10):
        sizes += numbers >= np.uint64(1 << (7 * k))
    offsets = np.zeros(len(numbers) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    out = np.empty(int(offsets[-1]), dtype=np.uint8)
    for j in range(int(sizes.max()) if len(sizes) else 0):
        has = sizes > j
        byte = (numbers[has] >> np.uint64(7 * j)) & np.uint64(0x7F)
        more = (sizes[has] > j + 1).astype(np.uint64) << np.uint64(7)
        out[offsets[:-1][has] + j] = (byte | more).astype(np.uint8)
    return out, offsets


def _group_starts(group: np.ndarray) -> np.ndarray:
    """Index of the first row of each group, and the end."""
    if not len(group):
        return np.zeros(1, dtype=np.int64)
    firsts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    return np.concatenate((firsts, [len(group)]))


def _chunks(weights: np.ndarray, bounds: np.ndarray) -> list[tuple[int, int]]:
    """Runs of whole groups (indexes into `bounds`) holding about _CHUNK weight each."""
    cumulative = np.concatenate(([0], np.cumsum(weights)))
    at_group = cumulative[bounds]
    runs, first = [], 0
    while first < len(bounds) - 1:
        last = int(np.searchsorted(at_group, at_group[first] + _CHUNK, side="right")) - 1
        last = min(max(last, first + 1), len(bounds) - 1)
        runs.append((first, last))
        first = last
    return runs


def encode_grouped_positions(
    group: np.ndarray,
    ordinals: np.ndarray,
    counts: np.ndarray,
    flat: np.ndarray,
    firsts: np.ndarray | None = None,
) -> list[tuple[int, bytes]]:
    """(group, `encode_positions` of its postings) for every group.

    Row r is one posting: its group, ordinal and position count; rows are
    sorted by group, then ordinal.  Its positions are `flat[firsts[r] :
    firsts[r] + counts[r]]`; without `firsts`, `flat` holds the positions of
    row 0, then row 1, …  (With `firsts` the rows need not be in `flat`'s
    order: the export sorts the rows, not the positions, and gathers each
    chunk's positions alone.)
    """
    # Whole arrays stay in their own (often 32-bit) types; each chunk is widened.
    group, ordinals, counts, flat = map(np.asarray, (group, ordinals, counts, flat))
    if firsts is None:
        firsts = np.cumsum(counts, dtype=np.int64) - counts
    firsts = np.asarray(firsts)
    bounds = _group_starts(group)
    out: list[tuple[int, bytes]] = []
    for g0, g1 in _chunks(counts + 2, bounds):
        r0, r1 = int(bounds[g0]), int(bounds[g1])
        rows = slice(r0, r1)
        sizes, ords = counts[rows].astype(np.int64), ordinals[rows].astype(np.int64)
        starts = np.cumsum(sizes) - sizes
        within = np.arange(int(starts[-1] + sizes[-1])) - np.repeat(starts, sizes)
        positions = flat[np.repeat(firsts[rows].astype(np.int64), sizes) + within].astype(np.int64)
        deltas = np.diff(positions, prepend=0)
        deltas[starts] = positions[starts]
        local_bounds = bounds[g0 : g1 + 1] - r0
        ord_deltas = np.diff(ords, prepend=0)
        ord_deltas[local_bounds[:-1]] = ords[local_bounds[:-1]]
        heads = starts + 2 * np.arange(len(sizes))
        stream = np.empty(len(sizes) * 2 + len(positions), dtype=np.int64)
        stream[heads] = ord_deltas
        stream[heads + 1] = sizes
        owner = np.repeat(np.arange(len(sizes)), sizes)
        stream[np.arange(len(positions)) + 2 * owner + 2] = deltas
        encoded, offsets = _encode(stream)
        element = np.concatenate((heads, [len(stream)]))[local_bounds]
        cuts = offsets[element]
        data = encoded.tobytes()
        for k in range(len(local_bounds) - 1):
            out.append((int(group[r0 + local_bounds[k]]), data[cuts[k] : cuts[k + 1]]))
    return out


def encode_grouped_doc_sets(
    group: np.ndarray, ordinals: np.ndarray, total: int
) -> list[tuple[int, tuple[int, bytes]]]:
    """(group, `encode_doc_set` of its ordinals) for every group; rows sorted by group, ordinal."""
    group, ordinals = np.asarray(group), np.asarray(ordinals)
    bounds = _group_starts(group)
    bitmap_size = (total + 7) // 8
    out: list[tuple[int, tuple[int, bytes]]] = []
    for g0, g1 in _chunks(np.full(len(group), 3), bounds):
        r0, r1 = int(bounds[g0]), int(bounds[g1])
        docs = ordinals[r0:r1].astype(np.int64)
        local = bounds[g0 : g1 + 1] - r0
        new_group = np.zeros(len(docs), dtype=bool)
        new_group[local[:-1]] = True
        # Kind 1: ordinal deltas, the first absolute.
        deltas = np.diff(docs, prepend=0)
        deltas[new_group] = docs[new_group]
        listed, list_offsets = _encode(deltas)
        list_sizes = np.diff(list_offsets[local])
        # Kind 2: runs of consecutive ordinals as (gap from the previous run's end, length).
        run_start = new_group | (np.diff(docs, prepend=-2) != 1)
        run_rows = np.flatnonzero(run_start)
        run_ends = np.concatenate((run_rows[1:], [len(docs)]))
        lengths = run_ends - run_rows
        starts = docs[run_rows]
        first_run = new_group[run_rows]
        previous_end = np.concatenate(([0], starts[:-1] + lengths[:-1]))
        previous_end[first_run] = 0
        pairs = np.column_stack((starts - previous_end, lengths)).ravel()
        runs, run_offsets = _encode(pairs)
        runs_per_group = np.diff(np.searchsorted(run_rows, local))
        run_bounds = np.concatenate(([0], np.cumsum(runs_per_group))) * 2
        run_sizes = np.diff(run_offsets[run_bounds])
        listed_bytes, runs_bytes = listed.tobytes(), runs.tobytes()
        for k in range(len(local) - 1):
            gid = int(group[r0 + local[k]])
            size_list, size_runs = int(list_sizes[k]), int(run_sizes[k])
            best = min(size_list, size_runs, bitmap_size)
            if size_list == best:
                a, b = list_offsets[local[k]], list_offsets[local[k + 1]]
                out.append((gid, (KIND_LIST, listed_bytes[a:b])))
            elif size_runs == best:
                a, b = run_offsets[run_bounds[k]], run_offsets[run_bounds[k + 1]]
                out.append((gid, (KIND_RUNS, runs_bytes[a:b])))
            else:
                bits = np.zeros(bitmap_size * 8, dtype=bool)
                bits[docs[local[k] : local[k + 1]]] = True
                out.append((gid, (KIND_BITMAP, np.packbits(bits, bitorder="little").tobytes())))
    return out
