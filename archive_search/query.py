"""Search the archive: results in canonical order, by the contract described here.

The command line, the Python API and the static search page implement one
contract, so that the same query returns the same articles in the same order
everywhere.  Its parts each have a module: the query language and the filters
(`query_language`), their Whoosh queries (`whoosh_query`), matching on sorted
arrays read from the index (`matching`) and snippets (`snippets`); this module
opens the index, runs a search and makes its results.

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

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from .documents import Doc, canonical_key
from .index import (
    DAMAGED_INDEX_ERRORS,
    DEFAULT_INDEX_DIR,
    META_FILE,
    ORDER_FILE,
    IndexUnavailable,
    open_index,
    read_order,
    read_ranks,
)
from .matching import _PAGE_HITS_KEPT, _RESULTS_KEPT, _DocSets
from .query_language import (  # noqa: F401  (the package's query API, re-exported)
    FILTER_FIELDS,
    MAX_QUERY_CHARS,
    OPERATORS,
    QUERY_FIELDS,
    Filters,
    Node,
    QueryError,
    SearchError,
    day_bound,
    parse,
)
from .snippets import SNIPPET_CHARS, SNIPPET_SURROUND, SNIPPET_WINDOW, snippet  # noqa: F401
from .whoosh_query import filter_queries, to_whoosh  # noqa: F401

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
    kept = read_ranks(index_dir, reader.generation(), count)
    if kept is not None:
        return kept
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
