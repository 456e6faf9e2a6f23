"""Write the static search index (archive_search.export) into <output>/search/ at build time.

The search page of the theme queries files, not a server, so every build
exports the articles Pelican read: documents are collected once the
generators have finished (`all_generators_finalized`, every article read)
and written on `finalized`, after Pelican has cleaned and filled the output
folder, so the export is never deleted by the build it belongs to.

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

from archive_search.documents import Doc, doc_from_file
from archive_search.export import export

log = logging.getLogger(__name__)

EXTRA_TEMPLATES = ("search", "404")

# The documents of the build under way: filled on all_generators_finalized,
# written and emptied on finalized (so autoreload and repeated builds in one
# process start afresh).
_docs: list[Doc] = []


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
    _docs.clear()


def page_url(article: Any) -> str:
    """The article's page, relative to the site root (plugins/archive_reader keeps the
    front matter's original address out of Pelican's `url`)."""
    return str(article.url)


def collect(generators: list[Any]) -> None:
    """Read the indexable document of every published article."""
    _docs.clear()
    if not generators or not active(generators[0].settings):
        return
    for generator in generators:
        for article in getattr(generator, "articles", []):
            try:
                doc = doc_from_file(Path(article.source_path))
            except Exception as exc:  # one unreadable article must not stop the build
                log.warning("search_export: %s not indexed: %s", article.source_path, exc)
                continue
            _docs.append(replace(doc, url=page_url(article)))


def write(pelican: Any) -> None:
    """Export what `collect` gathered into the output folder, then forget it."""
    docs = list(_docs)
    _docs.clear()
    if not active(pelican.settings):
        return
    settings = pelican.settings
    out_dir = Path(pelican.output_path) / settings.get("SEARCH_EXPORT_DIR", "search")
    report = export(
        docs, out_dir, practice_names=settings.get("PRACTICE_NAMES") or {},
        cache_dir=cache_dir(settings),
    )  # fmt: skip
    for problem in report.skipped:
        log.warning("search_export: %s", problem)
    log.info("%s", report.summary())


def cache_dir(settings: dict[str, Any]) -> Path | None:
    """Where the postings are kept between builds: with Pelican's content cache, if it is on."""
    if not settings.get("CACHE_CONTENT") or not settings.get("CACHE_PATH"):
        return None
    return Path(settings["CACHE_PATH"]) / "search_export"


def register() -> None:
    signals.initialized.connect(initialize)
    signals.all_generators_finalized.connect(collect)
    signals.finalized.connect(write)
