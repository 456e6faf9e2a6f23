"""Assembling a run: the parts the crawler needs, opened and closed in order.

`invoke scrape` and `invoke reextract` call these; tests call them with a
temporary workspace and a fixture site on 127.0.0.1.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from scraper.archive import Archive, ArchiveRef
from scraper.crawl import Crawler, Workspace
from scraper.dedupe import Deduper
from scraper.errors import PageError
from scraper.fetch import Fetcher
from scraper.inbox import INBOX, import_inbox
from scraper.models import RawPage
from scraper.pipeline import extract_article
from scraper.report import CrawlReport
from scraper.slugs import inbox_source
from scraper.sources import Site, load_sources
from scraper.state import CrawlState
from scraper.write import ArticleWriter, Provenance

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORKSPACE = Workspace(
    content_dir=ROOT / "content" / "scraped", archive_dir=ROOT / "archive"
)


@dataclass
class Parts:
    archive: Archive
    state: CrawlState
    deduper: Deduper
    writer: ArticleWriter
    report: CrawlReport


@contextmanager
def opened(workspace: Workspace) -> Iterator[Parts]:
    """Open archive, state and dedupe index; save and close them whatever happens."""
    workspace.archive_dir.mkdir(parents=True, exist_ok=True)
    archive = Archive(workspace.warc_dir)
    state = CrawlState(workspace.state_path)
    deduper = Deduper(workspace.dedupe_path)
    parts = Parts(
        archive, state, deduper, ArticleWriter(workspace.content_dir, deduper), CrawlReport()
    )
    try:
        yield parts
    finally:
        deduper.save()
        state.close()
        archive.close()
        parts.report.write_json(workspace.report_path)


def scrape(
    *,
    sources: Path | None,
    inbox: Path | None = None,
    refresh: bool = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
    fetcher: Fetcher | None = None,
    show_progress: bool = True,
) -> CrawlReport:
    """Crawl the sites of `sources` (if given) and import `inbox` (if given)."""
    sites: list[Site] = load_sources(sources) if sources else []
    fetcher = fetcher or Fetcher()
    with opened(workspace) as parts, _progress(show_progress) as progress:
        if inbox is not None:
            import_inbox(inbox, parts.archive, parts.state, parts.writer, parts.report)
        if sites:
            crawler = Crawler(
                fetcher,
                parts.archive,
                parts.state,
                parts.writer,
                parts.report,
                refresh=refresh,
                progress=progress,
            )
            crawler.crawl(sites)
    fetcher.close()
    return parts.report


def reextract(*, sources: Path | None, workspace: Workspace = DEFAULT_WORKSPACE) -> CrawlReport:
    """Run the pipeline again on every archived page (latest copy of each), no network."""
    sites = load_sources(sources) if sources and sources.exists() else []
    with opened(workspace) as parts:
        latest: dict[str, tuple[ArchiveRef, datetime]] = {}
        for record in parts.archive.records():
            if record.status in (None, 200):  # not 304s, errors or redirects
                latest[record.url] = (record.ref, record.fetched_at)
        for uri, (ref, when) in latest.items():
            _reextract_one(parts, uri, ref, when, sites)
    return parts.report


def _reextract_one(
    parts: Parts, uri: str, ref: ArchiveRef, when: datetime, sites: list[Site]
) -> None:
    url, headers, body = parts.archive.read(ref)
    row = parts.state.get(uri)
    if row is not None and row.kind != "article":
        return  # list pages are archived too, but are not articles
    site = _site_of(uri, sites)
    name = site.name if site else INBOX if uri.startswith("file:") else urlsplit(uri).netloc
    local = uri.startswith("file:")
    raw = RawPage(
        location=uri,
        content=body,
        url=None if local else url,
        content_type=None if local else headers.get("content-type"),
    )
    try:
        article = extract_article(raw, default_place=site.place if site else None)
    except PageError as exc:
        parts.report.fail(name, uri, str(exc))
        return
    if "no body text" in article.warnings:
        parts.report.count(name, "not_article")
        return
    source = inbox_source(Path(urlsplit(uri).path).name) if local else url
    provenance = Provenance(
        source=source,
        url=None if local else url,
        retrieved=when,
        archive=f"{ref.file}#{ref.offset}",
    )
    written = parts.writer.write(article, provenance)
    parts.report.count(name, written.outcome)


def _site_of(uri: str, sites: list[Site]) -> Site | None:
    host = urlsplit(uri).netloc.lower()
    return next((s for s in sites if host in s.hosts), None)


@contextmanager
def _progress(enabled: bool) -> Iterator:
    """A progress bar of articles handled, on stderr, when it is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield lambda site, n: None
        return
    from tqdm import tqdm

    with tqdm(unit="篇", desc="抓取", file=sys.stderr) as bar:

        def advance(site: str, n: int) -> None:
            bar.set_postfix_str(site, refresh=False)
            bar.update(n)

        yield advance
