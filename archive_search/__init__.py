"""Full-text search of the archive: one Whoosh index for the CLI, Python and the static page.

    from archive_search import search
    results = search("软弱涣散", tag="rectification", limit=50)
    print(results.total, [hit.title for hit in results.hits])

The query language and the result order are described in `archive_search.query`;
the index is built by `archive_search.index.build_index` (the `search_index`
Pelican plugin calls it on every `invoke build`).
"""

from .index import DEFAULT_INDEX_DIR, IndexReport, IndexUnavailable, build_index, index_content
from .query import Hit, QueryError, SearchError, SearchResults, close_searchers, parse, search

__all__ = [
    "DEFAULT_INDEX_DIR",
    "Hit",
    "IndexReport",
    "IndexUnavailable",
    "QueryError",
    "SearchError",
    "SearchResults",
    "build_index",
    "close_searchers",
    "index_content",
    "parse",
    "search",
]
