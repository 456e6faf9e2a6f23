"""Matching queries on sorted arrays of document numbers, read from the Whoosh index.

The same documents as the Whoosh queries of `whoosh_query` (tested), found
without Whoosh's per-document phrase checks; see the comment below.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from whoosh import query as wq
from whoosh.reading import IndexReader

from .postings import term_arrays
from .query_language import FILTER_FIELDS, All, FieldIs, Filters, Node, Not, Words, is_single_han
from .snippets import patterns

if TYPE_CHECKING:
    from .query import Hit

# Matching: the same documents as Whoosh's queries from `to_whoosh`, computed on
# sorted numpy arrays of document numbers.  Whoosh verifies phrase positions
# document by document in Python; here each term's postings are read once into
# an array (its documents, or document << 32 | position) cached with the
# searcher, a phrase is the intersection of its terms' arrays shifted by their
# offsets, and AND, OR and NOT are array intersections, unions and differences.

_EMPTY = np.zeros(0, dtype=np.int64)
POSITIONED_FIELDS = ("title", "body")


# Set operations on sorted arrays without duplicates.  numpy's own
# (intersect1d, isin, setdiff1d) sort their inputs again, which at 100,000
# articles costs more than the rest of a query: a common bigram occurs a
# million times.  These use the order the arrays already have.


def _dedupe_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array."""
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _in_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Mask of the `values` (any order) that occur in `sorted_set`."""
    if not len(sorted_set) or not len(values):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_set, values)
    np.minimum(at, len(sorted_set) - 1, out=at)
    return sorted_set[at] == values


def _union(parts: Sequence[np.ndarray]) -> np.ndarray:
    """The values in any of the sorted arrays (numpy's union1d hashes them instead)."""
    if not parts:
        return _EMPTY
    if len(parts) == 1:
        return parts[0]
    both = np.concatenate(parts)
    both.sort(kind="stable")  # sorted runs: merged, not sorted from scratch
    return _dedupe_sorted(both)


def _intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values in both sorted arrays.

    Of very different lengths, the longer is searched for each of the
    shorter; of similar lengths the two are merged (a stable sort of two
    sorted runs is one merge pass) and the values met twice kept.
    """
    if len(a) > len(b):
        a, b = b, a
    if len(a) * 16 < len(b):
        return a[_in_sorted(a, b)]
    both = np.concatenate((a, b))
    both.sort(kind="stable")
    return both[:-1][both[1:] == both[:-1]]


_CACHE_BYTES = 256 << 20  # term arrays (documents, positions) kept per searcher
_RESULTS_KEPT = 256  # recent queries' matches, and their pages of hits, kept per searcher
_PAGE_HITS_KEPT = 100  # a page of hits is kept when it holds no more than this


class _DocSets:
    """The matching documents of parsed queries over one reader, with per-term caches."""

    def __init__(self, reader: IndexReader, ranks: np.ndarray) -> None:
        self.reader = reader
        self.ranks = ranks
        self.live = np.flatnonzero(ranks != np.iinfo(np.int64).max).astype(np.int64)
        self._arrays: OrderedDict[tuple[str, str, str | bytes], np.ndarray] = OrderedDict()
        self._bytes = 0
        self.results: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self.pages: OrderedDict[tuple, tuple[int, tuple[Hit, ...]]] = OrderedDict()

    def clear_results(self) -> None:
        """Forget matches (queries', pages', phrases'), keeping the terms' arrays (benchmarks)."""
        self.results.clear()
        self.pages.clear()
        for key in [k for k in self._arrays if k[0] == "phrase"]:
            self._bytes -= self._arrays.pop(key).nbytes

    def _cached(self, key: tuple[str, str, str | bytes]) -> np.ndarray | None:
        found = self._arrays.get(key)
        if found is not None:
            self._arrays.move_to_end(key)
        return found

    def _keep(self, key: tuple[str, str, str | bytes], found: np.ndarray) -> np.ndarray:
        self._arrays[key] = found
        self._bytes += found.nbytes
        while self._bytes > _CACHE_BYTES and len(self._arrays) > 1:
            _, dropped = self._arrays.popitem(last=False)
            self._bytes -= dropped.nbytes
        return found

    def term(self, fieldname: str, text: str | bytes) -> np.ndarray:
        """The sorted documents holding `text` in `fieldname`."""
        if (found := self._cached(("docs", fieldname, text))) is not None:
            return found
        if fieldname in POSITIONED_FIELDS:
            # Whoosh stores the positions inside the postings, so reading the
            # documents alone would cost as much as reading the positions.
            found = _dedupe_sorted(self.positions(fieldname, text) >> 32)
        else:
            found = term_arrays(self.reader, fieldname, text, positions=False)
        return self._keep(("docs", fieldname, text), found)

    def positions(self, fieldname: str, text: str) -> np.ndarray:
        """Sorted `document << 32 | position` of every occurrence of `text` in `fieldname`."""
        if (found := self._cached(("positions", fieldname, text))) is not None:
            return found
        found = term_arrays(self.reader, fieldname, text, positions=True)
        return self._keep(("positions", fieldname, text), found)

    def phrase(self, fieldname: str, words: Words) -> np.ndarray:
        """Documents with each token of `words` at its offset from the first (as `_field_query`)."""
        terms, positions = words.terms, words.positions or tuple(range(len(words.terms)))
        if len(terms) == 1:
            return self.term(fieldname, terms[0])
        key = ("phrase", fieldname, "\x1f".join(terms) + "\x1e" + ",".join(map(str, positions)))
        if (found := self._cached(key)) is not None:
            return found
        return self._keep(key, self._phrase(fieldname, terms, positions))

    def _phrase(
        self, fieldname: str, terms: tuple[str, ...], positions: tuple[int, ...]
    ) -> np.ndarray:
        candidates = self.term(fieldname, terms[0])
        for text in set(terms[1:]):
            if not len(candidates):
                return _EMPTY
            candidates = _intersect(candidates, self.term(fieldname, text))
        if not len(candidates):
            return _EMPTY
        order = sorted(range(len(terms)), key=lambda k: len(self.positions(fieldname, terms[k])))
        starts: np.ndarray | None = None
        for k in order:
            shifted = self.positions(fieldname, terms[k]) - positions[k]
            if starts is None:
                # Only occurrences in the candidates: a look-up in a mask over
                # all documents, not a search per occurrence.  (A position below
                # its offset shifts into the previous document, or to -1; the
                # term at offset 0 never does, so such a start never survives.)
                wanted = np.zeros(len(self.ranks), dtype=bool)
                wanted[candidates] = True
                starts = shifted[wanted[shifted >> 32]]
            else:
                starts = _intersect(starts, shifted)
            if not len(starts):
                return _EMPTY
        assert starts is not None
        return _dedupe_sorted(starts >> 32)

    def node(self, node: Node) -> np.ndarray:
        """The documents matching a parsed query (sorted, live)."""
        if isinstance(node, Words):
            if is_single_han(node.terms):
                return self.term("title_chars" if node.scope == "title" else "chars", node.terms[0])
            if node.scope == "title":
                return self.phrase("title", node)
            return _union((self.phrase("title", node), self.phrase("body", node)))
        if isinstance(node, FieldIs):
            return self.term(FILTER_FIELDS[node.name], node.value)
        if isinstance(node, Not):
            return self.live[~_in_sorted(self.live, self.node(node.child))]
        if isinstance(node, All):
            found = self.node(node.children[0])
            for child in node.children[1:]:
                if not len(found):
                    break
                found = _intersect(found, self.node(child))
            return found
        return _union([self.node(child) for child in node.children])

    def in_body(self, node: Node, docnums: np.ndarray) -> np.ndarray:
        """Mask of `docnums` whose body holds one of the words a match of `node` contains.

        The snippet of an article matched by its title alone is its lead; the
        index knows which these are, so their bodies are not tokenized in vain.
        """
        found = np.zeros(len(docnums), dtype=bool)
        for words in patterns(node):
            if words.scope != "any":
                continue
            if is_single_han(words.terms):  # no field of body characters: looked for
                return np.ones(len(docnums), dtype=bool)
            found |= _in_sorted(docnums, self.phrase("body", words))
        return found

    def day_range(self, start: str | None, end: str | None) -> np.ndarray:
        texts = wq.TermRange("day", start, end)._btexts(self.reader)
        return _union([self.term("day", text) for text in texts])

    def matches(self, node: Node, filters: Filters) -> np.ndarray:
        """Documents matching `node` and the keyword `filters`."""
        key = (node, filters)
        found = self.results.get(key)
        if found is not None:
            self.results.move_to_end(key)
            return found
        found = self.node(node)
        for fieldname, value in filters.terms():
            if len(found):
                found = _intersect(found, self.term(fieldname, value))
        if (filters.start or filters.end) and len(found):
            found = _intersect(found, self.day_range(filters.start, filters.end))
        found = _intersect(found, self.live)
        self.results[key] = found
        if len(self.results) > _RESULTS_KEPT:
            self.results.popitem(last=False)
        return found
