"""The Whoosh queries of parsed queries and filters.

What the Whoosh index itself answers for a query: the reference the
sorted-array matching of `matching` is tested against, and what anyone
searching the index with Whoosh alone would run.
"""

from __future__ import annotations

import itertools
from typing import Any

from whoosh import query as wq

from .query_language import FILTER_FIELDS, All, FieldIs, Filters, Node, Not, Words, is_single_han


class _SpanNear(wq.SpanNear):
    """Whoosh's SpanNear, with the size estimates And and Or ask their children for."""

    def estimate_size(self, ixreader: Any) -> int:
        return min(self.a.estimate_size(ixreader), self.b.estimate_size(ixreader))

    def estimate_min_size(self, ixreader: Any) -> int:
        return 0


def _field_query(fieldname: str, words: Words) -> wq.Query:
    """A term, a phrase, or (when punctuation left gaps) spans at exactly those distances."""
    terms, positions = words.terms, words.positions or tuple(range(len(words.terms)))
    if len(terms) == 1:
        return wq.Term(fieldname, terms[0])
    if positions[-1] == len(terms) - 1:
        return wq.Phrase(fieldname, list(terms))
    segments: list[list[int]] = [[0]]
    for k in range(1, len(terms)):
        if positions[k] == positions[k - 1] + 1:
            segments[-1].append(k)
        else:
            segments.append([k])

    def segment_query(segment: list[int]) -> wq.Query:
        if len(segment) == 1:
            return wq.Term(fieldname, terms[segment[0]])
        return _SpanNear.phrase(fieldname, [terms[k] for k in segment])

    query = segment_query(segments[0])
    for before, segment in itertools.pairwise(segments):
        gap = positions[segment[0]] - positions[before[-1]]
        query = _SpanNear(query, segment_query(segment), slop=gap, mindist=gap)
    return query


def to_whoosh(node: Node) -> wq.Query:
    """The Whoosh query of a parsed query tree."""
    if isinstance(node, Words):
        if is_single_han(node.terms):
            return wq.Term("title_chars" if node.scope == "title" else "chars", node.terms[0])
        if node.scope == "title":
            return _field_query("title", node)
        return wq.Or([_field_query("title", node), _field_query("body", node)])
    if isinstance(node, FieldIs):
        return wq.Term(FILTER_FIELDS[node.name], node.value)
    if isinstance(node, Not):
        return wq.Not(to_whoosh(node.child))
    if isinstance(node, All):
        return wq.And([to_whoosh(child) for child in node.children])
    return wq.Or([to_whoosh(child) for child in node.children])


def filter_queries(filters: Filters) -> list[wq.Query]:
    """The Whoosh conditions of the keyword filters."""
    found: list[wq.Query] = [wq.Term(fieldname, value) for fieldname, value in filters.terms()]
    if filters.start or filters.end:
        found.append(wq.TermRange("day", filters.start, filters.end))
    return found
