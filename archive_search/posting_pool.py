"""A segment's postings held as flat arrays and sorted once, instead of one tuple each.

Whoosh's `PostingPool` keeps every posting of the segment it writes as a
Python tuple of five objects (field name, term, article number, weight,
value) and sorts the tuples when the segment is written: about 250 bytes a
posting, 300 KB an article, so the writers of a first build held nearly
2 GB for 10,000 articles.  `CompactPool` keeps the same postings in four
typed arrays and one byte buffer (about 30 bytes a posting, each distinct
term stored once), sorts them with one `numpy.lexsort`, and hands them to
Whoosh's codec in the order its own pool would, so the segment written is
the same.  It spills nothing to disk: a segment's size is bounded by the
caller (`segments.SEGMENT_CHARS`), not by a memory limit.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np

Posting = tuple[str, bytes, int, float, bytes | None]

_FLUSH = 1 << 16  # postings gathered as tuples before they are packed into the arrays
_YIELD_BLOCK = 1 << 18  # sorted postings turned back into Python objects at a time
_NO_VALUE = 0xFFFFFFFF  # a value length meaning None (Whoosh tells it from b"")


class CompactPool:
    """Whoosh's posting pool interface (`add`, `iter_postings`, `cleanup`) over arrays.

    Call `pack_if_full` after each article's postings.
    """

    def __init__(self) -> None:
        self._pending: list[Posting] = []
        # Whoosh calls `add` once a posting: the list's own method costs least.
        self.add: Callable[[Posting], None] = self._pending.append
        self._reset()

    def _reset(self) -> None:
        del self._pending[:]
        self.fieldnames: set[str] = set()
        # A term's id is the number of the posting that brought it: unique,
        # and given by one `setdefault` a posting, without a lookup first.
        self._terms: dict[tuple[str, bytes], int] = {}
        self._count = 0
        self._packed: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._values = bytearray()

    def __len__(self) -> int:
        return self._count + len(self._pending)

    def pack_if_full(self) -> None:
        """Pack the postings added since the last call if there are many of them.

        `add` only gathers postings as tuples; their writer calls this once an
        article (`segments.PooledSegmentWriter` does), so that no more than
        `_FLUSH` are ever held that way.
        """
        if len(self._pending) >= _FLUSH:
            self._pack()

    def _pack(self) -> None:
        if not self._pending:
            return
        fieldnames, texts, docnums, weights, values = zip(*self._pending, strict=True)
        del self._pending[:]  # the same list: `add` is its `append`
        n = len(docnums)
        ids = map(
            self._terms.setdefault,
            zip(fieldnames, texts, strict=True),
            itertools.count(self._count),
        )
        self._count += n
        self.fieldnames.update(fieldnames)
        if None in values:
            lengths = np.fromiter((_NO_VALUE if v is None else len(v) for v in values), np.uint32)
            self._values += b"".join(v for v in values if v)
        else:
            lengths = np.fromiter(map(len, values), np.uint32, n)
            self._values += b"".join(values)
        self._packed.append((
            np.fromiter(ids, np.uint32, n),
            np.array(docnums, dtype=np.uint32),
            np.array(weights, dtype=np.float64),
            lengths,
        ))  # fmt: skip

    def positions_of_common_terms(
        self, fields: tuple[str, ...], min_docs: int
    ) -> dict[str, np.ndarray]:
        """{"field:word": `docnum << 32 | position` of each occurrence} of the common words.

        The words of `fields` (whose values are `postings.encode_positions`
        bytes) in at least `min_docs` articles, decoded in bulk from the
        sorted arrays, for `hot_terms` to keep beside the segment.
        """
        self._pack()
        if not self._packed:
            return {}
        self._packed = [tuple(np.concatenate(a) for a in zip(*self._packed, strict=True))]  # type: ignore[list-item]
        term_ids, docnums, _, lengths = self._packed[0]
        common = np.nonzero(np.bincount(term_ids, minlength=self._count) >= min_docs)[0]
        wanted = set(common.tolist())
        names = {i: name for name, i in self._terms.items() if i in wanted and name[0] in fields}
        if not names:
            return {}
        chosen = np.nonzero(np.isin(term_ids, np.fromiter(names, np.int64, len(names))))[0]
        chosen = chosen[np.lexsort((docnums[chosen], term_ids[chosen]))]
        sizes = lengths[chosen].astype(np.int64)
        if np.any(lengths[chosen] == _NO_VALUE) or np.any((sizes - 4) % 4):
            return {}  # not positions as `encode_positions` writes them
        stored = np.where(lengths == _NO_VALUE, 0, lengths).astype(np.int64)
        starts = (np.cumsum(stored) - stored)[chosen]
        counts = (sizes - 4) // 4
        firsts = np.cumsum(counts) - counts
        offsets = np.repeat(starts + 4 - 4 * firsts, counts) + 4 * np.arange(int(counts.sum()))
        raw = np.frombuffer(self._values, dtype=np.uint8)
        positions = (
            raw[offsets].astype(np.int64)
            | raw[offsets + 1].astype(np.int64) << 8
            | raw[offsets + 2].astype(np.int64) << 16
            | raw[offsets + 3].astype(np.int64) << 24
        )
        flat = np.repeat(docnums[chosen].astype(np.int64) << 32, counts) | positions
        per_term = np.bincount(
            np.repeat(np.searchsorted(common, term_ids[chosen]), counts), minlength=len(common)
        )
        out, start = {}, 0
        for term, size in zip(common.tolist(), per_term.tolist(), strict=True):
            if term in names:
                fieldname, text = names[term]
                out[f"{fieldname}:{text.decode('utf-8')}"] = flat[start : start + size]
            start += size
        return out

    def iter_postings(self) -> Iterator[Posting]:
        """Every posting, by field name, then term, then article (as Whoosh's pool sorts)."""
        self._pack()
        if not self._packed:
            return
        if len(self._packed) == 1:  # already joined (`positions_of_common_terms`)
            term_ids, docnums, weights, lengths = self._packed[0]
        else:
            term_ids, docnums, weights, lengths = (
                np.concatenate(a) for a in zip(*self._packed, strict=True)
            )
        self._packed = []
        names = sorted(self._terms)
        rank = np.zeros(self._count, dtype=np.uint32)  # term id -> the term's place in `names`
        rank[[self._terms[name] for name in names]] = np.arange(len(names), dtype=np.uint32)
        self._terms = {}
        term_ranks = rank[term_ids]
        del rank, term_ids
        stored = np.where(lengths == _NO_VALUE, 0, lengths).astype(np.int64)
        starts = np.cumsum(stored) - stored
        del stored
        order = np.lexsort((docnums, term_ranks))
        values = memoryview(self._values)
        for begin in range(0, len(order), _YIELD_BLOCK):
            block = order[begin : begin + _YIELD_BLOCK]
            for term, docnum, weight, start, length in zip(
                term_ranks[block].tolist(),
                docnums[block].tolist(),
                weights[block].tolist(),
                starts[block].tolist(),
                lengths[block].tolist(),
                strict=True,
            ):
                fieldname, text = names[term]
                value = None if length == _NO_VALUE else values[start : start + length].tobytes()
                yield fieldname, text, docnum, weight, value
        values.release()

    def cleanup(self) -> None:
        """Let the arrays go (Whoosh calls this when the segment is closed)."""
        self._reset()
