"""Write the static search index (archive_search.export) into <output>/search/ at build time.

The search page of the theme queries files, not a server, so every build
exports the articles Pelican read, as soon as the generators have finished
(`all_generators_finalized`: every article read, and the output folder
already cleaned if DELETE_OUTPUT_DIRECTORY asks, so the export is never
deleted by the build it belongs to).  Exporting then rather than after the
pages are written means every article's text (`archive_search.documents`'
reads) is let go before Pelican renders the pages (`release_reads`, on the
first signal after every plugin's `all_generators_finalized`), instead of
being held through the rendering: at 100,000 articles, about 800 MB less at
the build's peak.

The plugin also makes Pelican render the theme's `search.html` and
`404.html` (direct templates: pages that are not content); the search
page's practice filter shows PRACTICE_NAMES (set by plugins/archive_reader).

With Pelican's content cache on (CACHE_CONTENT), the export keeps its
postings in CACHE_PATH/search_export, a run file per chunk of articles, so a
rebuild makes postings only for the chunks whose articles changed
(`archive_search.export_runs`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from pelican import signals

from archive_search.documents import forget_reads, published_docs
from archive_search.export import export

log = logging.getLogger(__name__)

EXTRA_TEMPLATES = ("search", "404")


def active(settings: dict[str, Any]) -> bool:
    """Whether this build uses the plugin.

    Signals are process-wide: once any build has registered the plugin, its
    receivers also hear builds that did not ask for it (other tests, say).
    """
    names = (getattr(p, "__name__", p) for p in settings.get("PLUGINS") or ())
    return any(str(name).rsplit(".", 1)[-1] == "search_export" for name in names)


def initialize(pelican: Any) -> None:
    settings = pelican.settings
    if not active(settings):
        return
    settings.setdefault("SEARCH_EXPORT_DIR", "search")
    templates = list(settings.get("DIRECT_TEMPLATES", []))
    for name in EXTRA_TEMPLATES:
        if name not in templates:
            templates.append(name)
    settings["DIRECT_TEMPLATES"] = templates


def page_url(article: Any) -> str:
    """The article's page, relative to the site root (plugins/archive_reader keeps the
    front matter's original address out of Pelican's `url`)."""
    return str(article.url)


def export_articles(generators: list[Any]) -> None:
    """Export the indexable document of every published article into the output folder."""
    if not generators or not active(generators[0].settings):
        return
    settings = generators[0].settings
    docs = [
        replace(doc, url=page_url(article))
        for article, doc in published_docs(generators, "search_export")
    ]
    out_dir = Path(generators[0].output_path) / settings.get("SEARCH_EXPORT_DIR", "search")
    report = export(
        docs, out_dir, practice_names=settings.get("PRACTICE_NAMES") or {},
        cache_dir=cache_dir(settings),
    )  # fmt: skip
    for problem in report.skipped:
        log.warning("search_export: %s", problem)
    log.info("%s", report.summary())


def release_reads(pelican: Any) -> None:
    """Let the articles' documents go before the pages are rendered.

    `get_writer` is the first signal Pelican sends after every plugin's
    `all_generators_finalized`, when the search index, this export and the
    downloads have read what they need.  Returns no writer (Pelican keeps
    its own, or another plugin's).
    """
    if active(pelican.settings):
        forget_reads()


def cache_dir(settings: dict[str, Any]) -> Path | None:
    """Where the postings are kept between builds: with Pelican's content cache, if it is on."""
    if not settings.get("CACHE_CONTENT") or not settings.get("CACHE_PATH"):
        return None
    return Path(settings["CACHE_PATH"]) / "search_export"


def register() -> None:
    signals.initialized.connect(initialize)
    signals.all_generators_finalized.connect(export_articles)
    signals.get_writer.connect(release_reads)
