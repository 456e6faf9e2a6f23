"""Search the archive: the query language, its Whoosh queries, results in canonical order.

The command line, the Python API and the static search page implement one
contract, so that the same query returns the same articles in the same order
everywhere.

Query language
--------------
A query is words, "quoted phrases" and `field:value` filters, combined with
`AND`, `OR`, `NOT` (upper case, separated by spaces) and parentheses:

* Words are separated by white space; `(`, `)` and `"` also end a word.  A
  word that is exactly `AND`, `OR` or `NOT` is an operator; `and`, `or`,
  `not` are ordinary words.
* Precedence, loosest first: AND (written, or implied between two items),
  then OR, then NOT.  `软弱涣散 OR 后进 整顿` means
  `(软弱涣散 OR 后进) AND 整顿`, and so does `软弱涣散 OR 后进 AND 整顿`
  (unlike Whoosh's own parser, a written AND binds like a space).  `NOT`
  applies to the next item: `NOT 党建 乡村` is `(NOT 党建) AND 乡村`.  A query
  may consist of `NOT` items only (everything except …).
* Every word and every quoted phrase is tokenized with
  `archive_search.analysis.tokens()`: one token gives a term query, several
  tokens a phrase query of those tokens at the positions `tokens()` gives
  them (consecutive, except one position further apart across punctuation).
  So `软弱涣散` is the phrase 软弱 弱涣 涣散, `2021年` the phrase [2021, 年],
  `CPU` (or ＣＰＵ) the term `cpu`, and `"软弱，涣散"` finds 软弱，涣散 (any
  punctuation between) but not 软弱涣散 or 软弱 涣散.  A word or phrase with no token at all
  (punctuation only) is ignored, as if not typed.
* A word or phrase whose only token is a single Han character (`党`) is
  looked up in the unpositioned field `chars`, which holds every distinct Han
  character of the title and body: the bigram fields do not hold lone
  characters inside longer runs.
* Words and phrases search the title OR the body.
* `field:value`, with `field` one of (lower case, no space after the colon;
  the value is the rest of the word, or a "quoted phrase"):
  - `tag:ID` — the practice id is one of the article's tags (exact);
  - `place:NAME` — the article's province, city or county is NAME (exact);
  - `site:NAME` — the publishing site (exact);
  - `year:YYYY` — the year of the article's date (4 digits);
  - `title:WORD` or `title:"PHRASE"` — WORD searched in the title only (a
    single Han character in the title's characters, field `title_chars`).
  Any other `name:value` is an ordinary word (tokenized as above).
* Errors, raised as `QueryError` with a Chinese and English message: an
  empty query (only spaces, or only ignored punctuation), an unbalanced `"`
  or parenthesis, an operator without its operand, `()`, a field with no
  value, a `year:` that is not 4 digits, a malformed date filter.

Filters (keyword arguments, command-line options) narrow the result: `tag`
(exact practice id among the tags), `place` (equals province, city or
county), `site` (exact), `date_from` / `date_to` (inclusive, compared on the
day, YYYY-MM-DD; YYYY-MM and YYYY are the first or last day of that month or
year); an undated article is excluded as soon as either date is given.

Results come in the canonical order of `documents.canonical_key` (newest
first, undated last, then slug), not by relevance: a relevance score would
differ between Whoosh and the static page, the canonical order does not.
`total` counts every match; `hits` holds the first `limit` of them.
"""

from __future__ import annotations

import calendar
import html
import itertools
import re
import threading
from collections import OrderedDict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.analysis import Token
from whoosh.highlight import ContextFragmenter, Formatter
from whoosh.index import FileIndex
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from .analysis import is_han_run, tokens
from .documents import Doc, canonical_key
from .index import (
    DAMAGED_INDEX_ERRORS,
    DEFAULT_INDEX_DIR,
    META_FILE,
    ORDER_FILE,
    IndexUnavailable,
    open_index,
    read_order,
)
from .postings import term_arrays

FILTER_FIELDS = {"tag": "tags", "place": "place", "site": "site", "year": "year"}
QUERY_FIELDS = (*FILTER_FIELDS, "title")
OPERATORS = ("AND", "OR", "NOT")
SNIPPET_CHARS = 80  # the longest snippet, in characters
SNIPPET_SURROUND = 30  # context before and after the first match
SNIPPET_WINDOW = 240  # characters after the scan start tried first (see `snippet`)
_FIELD_WORD = re.compile(rf"({'|'.join(QUERY_FIELDS)}):(.*)", re.DOTALL)
_YEAR = re.compile(r"\d{4}")
_DAY_FILTER = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class SearchError(Exception):
    """Base of the errors a search reports to its user (never a traceback)."""


class QueryError(SearchError, ValueError):
    """The query or a filter cannot be understood; the message says why, in Chinese and English."""


# The parsed query: a small tree, independent of Whoosh.


@dataclass(frozen=True)
class Words:
    """A word or quoted phrase; `scope` is "any" (title or body) or "title"."""

    terms: tuple[str, ...]  # its tokens
    scope: str = "any"
    positions: tuple[int, ...] = ()  # of each token, from 0: gaps where punctuation was


@dataclass(frozen=True)
class FieldIs:
    """An exact `tag:`, `place:`, `site:` or `year:` condition."""

    name: str
    value: str


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class All:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    children: tuple[Node, ...]


Node = Words | FieldIs | Not | All | Any_


# Lexing


@dataclass(frozen=True)
class _Lexeme:
    kind: str  # "word", "op", "(", ")"
    node: Node | None = None
    text: str = ""


def _lex(text: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Lexeme(ch, text=ch))
            i += 1
        elif ch == '"':
            phrase, i = _quoted(text, i)
            _append_words(out, phrase, "any")
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in '()"':
                i += 1
            word = text[start:i]
            if word in OPERATORS:
                out.append(_Lexeme("op", text=word))
                continue
            match = _FIELD_WORD.fullmatch(word)
            if not match:
                _append_words(out, word, "any")
                continue
            name, value = match.groups()
            if not value and i < n and text[i] == '"':
                value, i = _quoted(text, i)
            elif not value:
                raise QueryError(
                    f"“{name}:” 后面缺少值 / `{name}:` needs a value (no space after :)"
                )
            if name == "title":
                _append_words(out, value, "title")
                continue
            value = value.strip()
            if name == "year" and not _YEAR.fullmatch(value):
                raise QueryError(
                    f"year: 需要四位数字的年份，而不是“{value}” / year: needs 4 digits"
                )
            out.append(_Lexeme("word", FieldIs(name, value), word))
    return out


def _quoted(text: str, start: int) -> tuple[str, int]:
    end = text.find('"', start + 1)
    if end < 0:
        raise QueryError('引号不成对 / unbalanced quote: a phrase opened with " is not closed')
    return text[start + 1 : end], end + 1


def _append_words(out: list[_Lexeme], text: str, scope: str) -> None:
    found = list(tokens(text))
    if found:  # punctuation alone is ignored, as if not typed
        terms = tuple(term.text for term in found)
        positions = tuple(term.position - found[0].position for term in found)
        out.append(_Lexeme("word", Words(terms, scope, positions), text))


# Parsing: and_expr := or_expr ([AND] or_expr)*; or_expr := unary (OR unary)*;
# unary := NOT unary | "(" and_expr ")" | item


class _Parser:
    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self.lexemes = lexemes
        self.i = 0

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.i] if self.i < len(self.lexemes) else None

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.i]
        self.i += 1
        return lexeme

    def parse(self) -> Node:
        node = self.and_expr()
        extra = self.peek()
        if extra is not None:
            if extra.kind == ")":
                raise QueryError("右括号多余 / unbalanced parenthesis: ) without (")
            raise QueryError(f"无法理解“{extra.text}” / unexpected {extra.text!r}")
        return node

    def and_expr(self) -> Node:
        children = [self.or_expr()]
        while (lexeme := self.peek()) is not None and lexeme.kind != ")":
            if lexeme.kind == "op" and lexeme.text == "AND":
                self.take()
                if self.peek() is None or self.peek().kind == ")":  # type: ignore[union-attr]
                    raise QueryError("AND 后面缺少检索词 / AND needs something after it")
            children.append(self.or_expr())
        return children[0] if len(children) == 1 else All(tuple(children))

    def or_expr(self) -> Node:
        children = [self.unary()]
        while (lexeme := self.peek()) is not None and lexeme.kind == "op" and lexeme.text == "OR":
            self.take()
            children.append(self.unary("OR"))
        return children[0] if len(children) == 1 else Any_(tuple(children))

    def unary(self, after: str = "") -> Node:
        lexeme = self.peek()
        if lexeme is None or lexeme.kind == ")":
            if after:
                raise QueryError(f"{after} 后面缺少检索词 / {after} needs something after it")
            if lexeme is None:
                raise QueryError("检索式为空 / empty query")
            raise QueryError("括号内为空或右括号多余 / empty or unbalanced parentheses")
        self.take()
        if lexeme.kind == "op":
            if lexeme.text == "NOT":
                return Not(self.unary("NOT"))
            raise QueryError(
                f"{lexeme.text} 前面缺少检索词 / {lexeme.text} needs something before it"
            )
        if lexeme.kind == "(":
            if (inner := self.peek()) is not None and inner.kind == ")":
                raise QueryError("括号内为空 / empty parentheses ()")
            node = self.and_expr()
            closing = self.peek()
            if closing is None:
                raise QueryError("括号不成对 / unbalanced parenthesis: ( is not closed")
            self.take()
            return node
        assert lexeme.node is not None
        return lexeme.node


# Longer queries are refused, here and on the search page (MAX_QUERY_CHARS in
# search.js): a query's cost grows with its words, and a link can carry any q=.
MAX_QUERY_CHARS = 200


def parse(text: str) -> Node:
    """The query tree of `text` (QueryError if it is empty, too long or malformed)."""
    if not text or not text.strip():
        raise QueryError("请输入检索词 / the query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"检索式过长（最多 {MAX_QUERY_CHARS} 字）/ "
            f"the query is longer than {MAX_QUERY_CHARS} characters"
        )
    lexemes = _lex(text)
    if not lexemes:
        raise QueryError("检索式中没有可检索的字词 / nothing to search for (only punctuation)")
    return _Parser(lexemes).parse()


# Whoosh queries


def _is_single_han(terms: tuple[str, ...]) -> bool:
    return len(terms) == 1 and len(terms[0]) == 1 and is_han_run(terms[0])


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
        if _is_single_han(node.terms):
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


def day_bound(value: str | date | None, *, end: bool) -> str | None:
    """A date filter as the day it means (YYYY-MM-DD): a year or month is its first or last day."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    match = _DAY_FILTER.match(text)
    rest = text[match.end() :] if match else ""
    if not match or (rest and not (match.group(3) and rest[0] in "T ")):
        raise QueryError(
            f"日期“{value}”无法识别，请用 YYYY-MM-DD / unreadable date {value!r}, use YYYY-MM-DD"
        )
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        if day:
            return date(int(year), int(month), int(day)).isoformat()
        if month:
            last = calendar.monthrange(int(year), int(month))[1]
            return date(int(year), int(month), last if end else 1).isoformat()
        return f"{year}-12-31" if end else f"{year}-01-01"
    except ValueError as exc:
        raise QueryError(f"日期“{value}”不存在 / no such date {value!r}") from exc


@dataclass(frozen=True)
class Filters:
    """The keyword filters of a search, as given and with their date bounds made days.

    One value, hashable, so the result caches key on it; `search` builds it
    once, the matching and the Whoosh translation read it, and `given` is what
    the results report back.
    """

    tag: str | None = None
    place: str | None = None
    site: str | None = None
    # As given (reported back), not compared: "2021" and "2021-01-01" filter alike.
    date_from: str | date | None = field(default=None, compare=False)
    date_to: str | date | None = field(default=None, compare=False)
    start: str | None = None  # date_from as YYYY-MM-DD (a year or month: its first day)
    end: str | None = None  # date_to as YYYY-MM-DD (a year or month: its last day)

    @classmethod
    def of(
        cls,
        tag: str | None = None,
        place: str | None = None,
        site: str | None = None,
        date_from: str | date | None = None,
        date_to: str | date | None = None,
    ) -> Filters:
        """The filters of these keyword arguments (QueryError for a malformed date)."""
        start, end = day_bound(date_from, end=False), day_bound(date_to, end=True)
        return cls(tag, place, site, date_from, date_to, start, end)

    def terms(self) -> list[tuple[str, str]]:
        """(index field, value) of each keyword filter given, dates apart."""
        pairs = (("tags", self.tag), ("place", self.place), ("site", self.site))
        return [(fieldname, value) for fieldname, value in pairs if value]

    def given(self) -> dict[str, str]:
        """The filters as given, by name (what search results report)."""
        pairs = (("tag", self.tag), ("place", self.place), ("site", self.site),
                 ("date_from", self.date_from), ("date_to", self.date_to))  # fmt: skip
        return {name: str(value) for name, value in pairs if value}

    def whoosh_queries(self) -> list[wq.Query]:
        """The Whoosh conditions of the filters."""
        found: list[wq.Query] = [wq.Term(fieldname, value) for fieldname, value in self.terms()]
        if self.start or self.end:
            found.append(wq.TermRange("day", self.start, self.end))
        return found


# Results


@dataclass(frozen=True)
class Hit:
    """One article found, with a snippet around its first match (HTML, matches in <mark>)."""

    slug: str
    title: str
    date: str | None
    url: str
    source_url: str | None
    site: str | None
    tags: tuple[str, ...]
    primary_tag: str | None
    province: str | None
    city: str | None
    county: str | None
    snippet: str

    @property
    def places(self) -> tuple[str, ...]:
        return tuple(p for p in (self.province, self.city, self.county) if p)

    def to_row(self) -> dict[str, str]:
        """A flat row (tags comma-separated, missing values empty) for CSV and JSON."""
        return {
            "slug": self.slug,
            "date": self.date or "",
            "title": self.title,
            "site": self.site or "",
            "province": self.province or "",
            "city": self.city or "",
            "county": self.county or "",
            "tags": ",".join(self.tags),
            "primary_tag": self.primary_tag or "",
            "url": self.url,
            "source_url": self.source_url or "",
            "snippet": self.snippet,
        }


ROW_FIELDS = (
    "slug", "date", "title", "site", "province", "city", "county", "tags",
    "primary_tag", "url", "source_url", "snippet",
)  # fmt: skip


@dataclass
class SearchResults:
    """The matches of one query: how many there are, and the first `limit` in canonical order."""

    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    @property
    def slugs(self) -> list[str]:
        return [hit.slug for hit in self.hits]

    def to_rows(self) -> list[dict[str, str]]:
        """The hits as flat rows (keys: ROW_FIELDS), for CSV and JSON."""
        return [hit.to_row() for hit in self.hits]


# Searchers, cached per index folder


@dataclass
class _Open:
    ix: FileIndex
    searcher: Searcher
    ranks: np.ndarray  # rank in canonical order by document number
    stamp: tuple[int, int]  # mtimes of order.json and meta.json when loaded
    sets: _DocSets = field(init=False)

    def __post_init__(self) -> None:
        self.sets = _DocSets(self.searcher.reader(), self.ranks)


_OPEN: dict[Path, _Open] = {}
_LOCK = threading.Lock()


def _stamp(index_dir: Path) -> tuple[int, int]:
    def mtime(name: str) -> int:
        try:
            return (index_dir / name).stat().st_mtime_ns
        except OSError:
            return 0

    return mtime(ORDER_FILE), mtime(META_FILE)


def _ranks(searcher: Searcher, index_dir: Path) -> np.ndarray:
    """Each document's rank in canonical order, from order.json (or the stored dates if stale)."""
    reader = searcher.reader()
    count = reader.doc_count_all()
    ranks = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    if count == 0:
        return ranks
    slugs = reader.column_reader("slug")
    live = [docnum for docnum in range(count) if not reader.is_deleted(docnum)]
    order = read_order(index_dir) or {}
    if all(slugs[docnum] in order for docnum in live):
        for docnum in live:
            ranks[docnum] = order[slugs[docnum]]
        return ranks
    # order.json is missing or older than the index: the same order from the stored dates.
    dates = reader.column_reader("date")
    docs = [(Doc(slug=slugs[d], title="", body="", date=dates[d] or None), d) for d in live]
    docs.sort(key=lambda pair: canonical_key(pair[0]))
    for rank, (_, docnum) in enumerate(docs):
        ranks[docnum] = rank
    return ranks


def _searcher(index_dir: Path) -> _Open:
    """The cached searcher of `index_dir`, reopened when the index or its order changed."""
    key = index_dir.resolve()
    opened = _OPEN.get(key)
    try:
        if opened is not None:
            if opened.searcher.up_to_date() and opened.stamp == _stamp(key):
                return opened
            _close(key)
        ix = open_index(key)
        searcher = ix.searcher()
        opened = _Open(ix, searcher, _ranks(searcher, key), _stamp(key))
    except IndexUnavailable:
        _close(key)
        raise
    except DAMAGED_INDEX_ERRORS as exc:
        _close(key)
        raise IndexUnavailable(
            f"搜索索引无法读取 / the index at {key} cannot be read ({exc!r})"
            " — 请运行 `invoke build` 重建"
        ) from exc
    _OPEN[key] = opened
    return opened


def _close(key: Path) -> None:
    opened = _OPEN.pop(key, None)
    if opened is not None:
        opened.searcher.close()
        opened.ix.close()


def close_searchers() -> None:
    """Close every cached searcher (before deleting an index folder, at the end of tests)."""
    with _LOCK:
        for key in list(_OPEN):
            _close(key)


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
            if _is_single_han(node.terms):
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
        for words in _patterns(node):
            if words.scope != "any":
                continue
            if _is_single_han(words.terms):  # no field of body characters: looked for
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


# Snippets


def _patterns(node: Node, negated: bool = False) -> Iterator[Words]:
    """The words and phrases a matching document contains (those under NOT excluded)."""
    if isinstance(node, Words) and not negated:
        yield node
    elif isinstance(node, Not):
        yield from _patterns(node.child, not negated)
    elif isinstance(node, All | Any_):
        for child in node.children:
            yield from _patterns(child, negated)


class _MarkFormatter(Formatter):
    """Whoosh formatter: the fragment HTML-escaped, matches in <mark>, line breaks as spaces."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text.replace("\n", " "), quote=False)

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{self._text(text[token.startchar : token.endchar])}</mark>"


_FRAGMENTER = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SNIPPET_SURROUND, charlimit=None)
_FORMATTER = _MarkFormatter()


def _match_spans(
    text: str, phrases: Sequence[Words], chars: set[str]
) -> Iterator[tuple[int, int, int]]:
    """(start, end, safe) for each occurrence of a phrase or character, lazily, in token order.

    Tokens come from `tokens()`, so a phrase is found exactly where the index
    finds it; `safe` is an offset before which no later occurrence can start
    (start -1 when the item only moves `safe` on).
    """
    longest = max((len(p.terms) for p in phrases), default=1)
    window: deque = deque(maxlen=longest)
    for term in tokens(text):
        window.append(term)
        for phrase in phrases:
            size = len(phrase.terms)
            if size > len(window):
                continue
            first = window[len(window) - size]
            positions = phrase.positions or range(size)
            if all(
                window[len(window) - size + k].text == phrase.terms[k]
                and window[len(window) - size + k].position - first.position == positions[k]
                for k in range(size)
            ):
                yield first.start, term.end, window[0].start
        if chars:
            for k, ch in enumerate(term.text):
                if ch in chars:
                    yield term.start + k, term.start + k + 1, window[0].start
        yield -1, -1, window[0].start
    yield -1, -1, len(text) + 1


def _marked_tokens(text: str, phrases: Sequence[Words], chars: set[str]) -> Iterator[Token]:
    """Whoosh tokens over `text`: one per character, each merged match as one matched token."""
    pending: list[list[int]] = []  # matched spans not yet emitted, sorted and merged
    pos = 0
    # One token reused for every unmatched character, as Whoosh's analyzers do:
    # the fragmenter copies only matched tokens and reads the others' offsets.
    plain = Token(startchar=0, endchar=0, matched=False, text="")
    for start, end, safe in _match_spans(text, phrases, chars):
        if start >= 0:
            pending.append([start, end])
            pending.sort()
            merged = [pending[0]]
            for span in pending[1:]:
                if span[0] <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], span[1])
                else:
                    merged.append(span)
            pending = merged
        while pos < min(safe, len(text)):
            if pending and pending[0][0] <= pos:
                if pending[0][1] >= safe:
                    break  # a later match may still extend this one
                span_start, span_end = pending.pop(0)
                yield Token(startchar=span_start, endchar=span_end, matched=True, text="")
                pos = span_end
                continue
            limit = min(safe, len(text), pending[0][0]) if pending else min(safe, len(text))
            while pos < limit:
                plain.startchar, plain.endchar = pos, pos + 1
                yield plain
                pos += 1


def _scan_start(body: str, phrases: Sequence[Words], chars: set[str]) -> int:
    """Where to start looking for the first match: a little before the earliest literal hit.

    Tokenizing a whole long body for every hit is the slow part of a search;
    `str.find` of each pattern's text (a Han phrase as its string, otherwise
    its first token) is a lower bound of where that pattern first matches,
    unless the body spells it with characters `tokens()` folds (full-width
    letters, compatibility ideographs), in which case the snippet shows a
    later match.
    """
    lowered = body.lower()
    if len(lowered) != len(body):
        return 0
    found = []
    for words in phrases:
        phrase = words.terms
        consecutive = not words.positions or words.positions[-1] == len(phrase) - 1
        if (
            consecutive
            and all(len(t) == 2 and is_han_run(t) for t in phrase)
            and all(a[1] == b[0] for a, b in itertools.pairwise(phrase))
        ):
            literal = phrase[0] + "".join(t[1] for t in phrase[1:])
        else:
            literal = phrase[0]
        found.append(lowered.find(literal))
    found += [lowered.find(ch) for ch in chars]
    hits = [at for at in found if at >= 0]
    return max(0, min(hits) - SNIPPET_SURROUND - 2) if hits else 0


def snippet(body: str, node: Node, title: str = "", *, matches: bool = True) -> str:
    """HTML: ~80 characters of `body` around its first match, or its lead when it has none.

    `matches=False` says the body holds none of the query's words (the
    index knows it), and gives the lead without looking.
    """
    found = list(_patterns(node))
    phrases = [w for w in found if w.scope == "any" and not _is_single_han(w.terms)]
    chars = {w.terms[0] for w in found if w.scope == "any" and _is_single_han(w.terms)}
    if matches and (phrases or chars):
        cut = _scan_start(body, phrases, chars)
        rest = len(body) - cut
        # Whoosh's fragmenter reads every token to the end of the text it is
        # given, so it first gets a window after the cut; a fragment ending
        # well inside the window is the one the whole text gives.
        for text in (body[cut : cut + SNIPPET_WINDOW], body[cut:]):
            fragments = _FRAGMENTER.fragment_tokens(text, _marked_tokens(text, phrases, chars))
            first = next(iter(fragments), None)
            if first is not None and (
                len(text) == rest or first.endchar + SNIPPET_CHARS <= len(text)
            ):
                html_text = _FORMATTER.format_fragment(first)
                before = "…" if cut + first.startchar > 0 else ""
                after = "…" if first.endchar < rest else ""
                return before + html_text.strip() + after
            if len(text) == rest:
                break
    lead = body or title
    more = "…" if len(lead) > SNIPPET_CHARS else ""
    return _FORMATTER._text(lead[:SNIPPET_CHARS]).strip() + more


# The search


def search(
    query: str,
    *,
    tag: str | None = None,
    place: str | None = None,
    site: str | None = None,
    date_from: str | date | None = None,
    date_to: str | date | None = None,
    limit: int | None = 20,
    index_dir: Path | None = None,
    snippets: bool = True,
) -> SearchResults:
    """The articles matching `query` and the filters, in canonical order (see the module doc).

    Raises QueryError for an empty or malformed query or filter, and
    IndexUnavailable when there is no usable index (run `invoke build`).
    `snippets=False` skips making snippets (the slow part for huge limits).
    """
    node = parse(query)
    given = Filters.of(tag, place, site, date_from, date_to)
    if limit is not None and limit < 0:
        raise QueryError(f"limit 不能为负数 / limit must be >= 0, not {limit}")
    index_dir = Path(index_dir) if index_dir is not None else DEFAULT_INDEX_DIR
    with _LOCK:
        opened = _searcher(index_dir)
        try:
            key = (node, given, limit, snippets)
            if (cached := opened.sets.pages.get(key)) is not None:
                opened.sets.pages.move_to_end(key)
                total, shown = cached
            else:
                docnums = opened.sets.matches(node, given)
                ranks = opened.ranks[docnums]
                if limit is not None and limit < len(docnums):
                    best = np.argpartition(ranks, limit)[:limit] if limit else ranks[:0]
                    chosen = docnums[best[np.argsort(ranks[best], kind="stable")]]
                else:
                    chosen = docnums[np.argsort(ranks, kind="stable")]
                total = len(docnums)
                in_body = opened.sets.in_body(node, chosen) if snippets else chosen < 0
                shown = tuple(
                    _hit(opened.searcher, int(d), node, snippets, bool(b))
                    for d, b in zip(chosen, in_body, strict=True)
                )
                if len(shown) <= _PAGE_HITS_KEPT:
                    opened.sets.pages[key] = (total, shown)
                    if len(opened.sets.pages) > _RESULTS_KEPT:
                        opened.sets.pages.popitem(last=False)
            hits = list(shown)
        except DAMAGED_INDEX_ERRORS as exc:
            _close(index_dir.resolve())
            raise IndexUnavailable(
                f"搜索索引无法读取 / the index at {index_dir} cannot be read ({exc!r})"
                " — 请运行 `invoke build` 重建"
            ) from exc
    return SearchResults(query=query, total=total, hits=hits, filters=given.given())


def _hit(searcher: Searcher, docnum: int, node: Node, snippets: bool, in_body: bool) -> Hit:
    stored = searcher.stored_fields(docnum)
    body = stored.get("body", "")
    return Hit(
        slug=stored["slug"],
        title=stored.get("title", ""),
        date=stored.get("date") or None,
        url=stored.get("url") or "",
        source_url=stored.get("source_url") or None,
        site=stored.get("site") or None,
        tags=tuple(t for t in (stored.get("tags") or "").split(",") if t),
        primary_tag=stored.get("primary_tag") or None,
        province=stored.get("province") or None,
        city=stored.get("city") or None,
        county=stored.get("county") or None,
        snippet=snippet(body, node, stored.get("title", ""), matches=in_body) if snippets else "",
    )
