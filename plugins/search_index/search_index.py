"""Pelican plugin: keep the Whoosh search index in step with the articles Pelican built.

Every `invoke build` updates `search_index/` (setting SEARCH_INDEX_DIR) from
the articles Pelican read, so the command line and Python searches see what
the site shows.  The documents come from `archive_search.documents.doc_from_file`
on each article's source file, exactly as `docs_from_content` would make
them, with the article's own URL; `build_index` rewrites only what changed,
so a rebuild of an unchanged archive costs a fingerprint comparison.  With
Pelican's content cache on, the documents read are kept beside it
(CACHE_PATH/search_docs.pickle) and reused for files that have not changed.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator

from archive_search.documents import (
    Doc,
    forget_reads,
    load_reads,
    published_docs,
    save_reads,
)
from archive_search.index import IndexReport, IndexUnavailable, build_index

log = logging.getLogger(__name__)

DEFAULT_INDEX_DIR = "search_index"

# What the current build did; reset on `finalized` so repeated builds in one
# process (--autoreload, tests) start clean.
state: dict[str, Any] = {}


def set_defaults(pelican: Any) -> None:
    """SEARCH_INDEX_DIR defaults to search_index/ beside the content folder (the project root)."""
    pelican.settings.setdefault("SEARCH_INDEX_DIR", DEFAULT_INDEX_DIR)


def index_dir(settings: dict[str, Any]) -> Path:
    """The index folder: absolute, or relative to the folder holding the content folder."""
    path = Path(settings.get("SEARCH_INDEX_DIR") or DEFAULT_INDEX_DIR)
    if path.is_absolute():
        return path
    return Path(settings["PATH"]).resolve().parent / path


def article_docs(generators: list[Any]) -> list[Doc]:
    """The indexable documents of every published article (unreadable sources are logged)."""
    articles = [g for g in generators if isinstance(g, ArticlesGenerator)]
    return [
        dataclasses.replace(doc, url=article.url)
        for article, doc in published_docs(articles, "search index")
    ]


def reads_path(settings: dict[str, Any]) -> Path | None:
    """Where the documents read are kept between builds: with Pelican's content cache, if on."""
    if not settings.get("CACHE_CONTENT") or not settings.get("CACHE_PATH"):
        return None
    return Path(settings["CACHE_PATH"]) / "search_docs.pickle"


def update_index(generators: list[Any]) -> None:
    """Bring the index up to date with the articles just read."""
    if not generators:
        return
    settings = generators[0].settings
    target = index_dir(settings)
    kept = reads_path(settings)
    if kept is not None:
        load_reads(kept)  # each still checked against its file before use
    docs = article_docs(generators)
    if kept is not None:
        sources = [Path(a.source_path) for g in generators for a in getattr(g, "articles", [])]
        try:
            save_reads(kept, sources)
        except OSError as exc:
            log.warning("search index: documents not kept in %s: %s", kept, exc)
    try:
        report: IndexReport = build_index(target, docs)
    except IndexUnavailable as exc:
        log.error("search index not updated: %s", exc)
        state["error"] = str(exc)
        return
    state["report"] = report
    log.info(
        "search index %s: %d articles (%d added, %d updated, %d deleted, %d unchanged)%s",
        target, report.total, report.added, report.updated, report.deleted,
        report.unchanged, f"; rebuilt: {report.reason}" if report.rebuilt else "",
    )  # fmt: skip


def reset(pelican: Any) -> None:
    state.clear()


def release_reads(pelican: Any) -> None:
    """Let the documents read for the index go before the pages are rendered.

    `get_writer` is the first signal after every plugin's
    `all_generators_finalized` (the static export and the downloads read the
    same documents there).  Returns no writer.  The reads are a cache: a
    build in the same process that did not ask for the plugin loses nothing.
    """
    forget_reads()


def register() -> None:
    signals.initialized.connect(set_defaults)
    signals.all_generators_finalized.connect(update_index)
    signals.get_writer.connect(release_reads)
    signals.finalized.connect(reset)
