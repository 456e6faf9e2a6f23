"""The crawl: list pages → article pages → archive → pipeline → content/.

One thread per site, so sites go in parallel while the fetcher keeps each
host to its delay.  Every response is archived before it is interpreted, and
every page's outcome is recorded in the state as soon as it is known, so a
crawl killed at any point loses nothing and the next run resumes.  One bad
page never stops a crawl: it is counted as failed, with its reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from scraper.archive import Archive, ArchiveRef
from scraper.decode import decode, reading_warnings
from scraper.errors import PageError
from scraper.fetch import Fetcher, FetchResult
from scraper.links import article_links, is_on_site, next_pages, normalize_url
from scraper.models import RawPage
from scraper.pipeline import extract_article
from scraper.report import CrawlReport
from scraper.sources import Site
from scraper.state import CrawlState, PageRow
from scraper.write import ArticleWriter, Provenance


@dataclass(frozen=True)
class Workspace:
    """Where a run reads and writes; tests point it at a temporary folder."""

    content_dir: Path  # generated articles (content/scraped)
    archive_dir: Path  # WARC files, state, dedupe index, reports

    @property
    def warc_dir(self) -> Path:
        return self.archive_dir / "warc"

    @property
    def state_path(self) -> Path:
        return self.archive_dir / "state.sqlite"

    @property
    def dedupe_path(self) -> Path:
        return self.archive_dir / "dedupe.npz"

    @property
    def report_path(self) -> Path:
        return self.archive_dir / "report.json"


Progress = Callable[[str, int], None]  # (site name, articles handled) → None


class Crawler:
    """Crawls configured sites into a workspace; see the module docstring."""

    def __init__(
        self,
        fetcher: Fetcher,
        archive: Archive,
        state: CrawlState,
        writer: ArticleWriter,
        report: CrawlReport,
        *,
        refresh: bool = False,
        progress: Progress | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.archive = archive
        self.state = state
        self.writer = writer
        self.report = report
        self.refresh = refresh
        self.progress = progress or (lambda site, n: None)

    def crawl(self, sites: list[Site]) -> CrawlReport:
        """Crawl every enabled site, in parallel; return the report."""
        enabled = [s for s in sites if s.enabled]
        for site in enabled:
            self.report.site(site.name)
        if enabled:
            with ThreadPoolExecutor(max_workers=min(8, len(enabled))) as pool:
                for future in [pool.submit(self._crawl_site, site) for site in enabled]:
                    future.result()
        return self.report

    # ---------------------------------------------------------------- one site

    def _crawl_site(self, site: Site) -> None:
        try:
            seen: set[str] = set()
            for start in site.start_urls:
                for list_url, html in self._list_pages(site, start):
                    links = article_links(html, list_url, site)
                    self.report.count(site.name, "found", len(links))
                    for link in links:
                        if link not in seen:
                            seen.add(link)
                            self._article(site, link)
        except Exception as exc:  # a bug must not take the other sites down
            self.report.fail(site.name, site.start_urls[0], f"crawl stopped: {exc!r}")

    def _list_pages(self, site: Site, start: str) -> Iterator[tuple[str, str]]:
        """The list pages of one start URL, following pagination up to max_pages."""
        url: str | None = normalize_url(start)
        visited: set[str] = set()
        while url and url not in visited and len(visited) < site.max_pages:
            visited.add(url)
            html = self._fetch_list(site, url)
            if html is None:
                return
            self.report.count(site.name, "list_pages")
            yield url, html
            following = [u for u in next_pages(html, url, site) if u not in visited]
            url = following[0] if following else None

    def _fetch_list(self, site: Site, url: str) -> str | None:
        """A list page's HTML: fetched again each run (conditionally), else from the archive."""
        known = self.state.get(url)
        result = self.fetcher.get(
            url,
            etag=known.etag if known and not self.refresh else None,
            last_modified=known.last_modified if known and not self.refresh else None,
            delay=site.delay,
        )
        if result.not_modified and known and known.warc_file:
            _, headers, body = self.archive.read(_ref(known))
            return self._decode(site, url, body, headers.get("content-type"))
        if not result.ok:
            self.report.fail(site.name, url, result.error or f"HTTP {result.status}")
            return None
        ref = self._archive(result)
        self.state.put(_row(site, "list", result, ref, outcome="list"))
        return self._decode(site, result.url, result.content, result.headers.get("content-type"))

    def _decode(self, site: Site, url: str, body: bytes, content_type: str | None) -> str | None:
        if site.encoding:
            content_type = f"text/html; charset={site.encoding}"
        try:
            return decode(RawPage(location=url, content=body, content_type=content_type)).text
        except PageError as exc:
            self.report.fail(site.name, url, str(exc))
            return None

    # ---------------------------------------------------------------- one article

    def _article(self, site: Site, url: str) -> None:
        known = self.state.get(url)
        if known and known.done and not self.refresh:
            self.report.count(site.name, "known")
            return
        result = self.fetcher.get(
            url,
            etag=known.etag if known else None,
            last_modified=known.last_modified if known else None,
            delay=site.delay,
        )
        if result.not_modified and known and known.done:
            self.report.count(site.name, "unchanged")
            return
        if not result.ok:
            reason = result.error or f"HTTP {result.status}"
            self.report.fail(site.name, url, reason)
            self.state.put(_row(site, "article", result, None, error=reason))
            return
        if not is_on_site(result.url, site):
            self.report.fail(site.name, url, f"redirected off the site to {result.url}")
            return
        ref = self._archive(result)
        outcome, slug = self._extract_and_write(site, result, ref)
        self.state.put(_row(site, "article", result, ref, outcome=outcome, slug=slug))
        self.progress(site.name, 1)

    def _extract_and_write(
        self, site: Site, result: FetchResult, ref: ArchiveRef
    ) -> tuple[str, str | None]:
        content_type = result.headers.get("content-type")
        if site.encoding:
            content_type = f"text/html; charset={site.encoding}"
        raw = RawPage(
            location=result.url,
            content=result.content,
            url=result.url,
            content_type=content_type,
            fetched_at=result.fetched_at,
        )
        try:
            article = extract_article(raw, default_place=site.place)
        except PageError as exc:
            self.report.fail(site.name, result.url, str(exc))
            return "failed", None
        for warning in reading_warnings(article.warnings):
            self.report.note(site.name, f"读取提示：{result.url}：{warning}")
        if "no body text" in article.warnings:
            self.report.count(site.name, "not_article")
            return "not_article", None
        provenance = Provenance(
            source=result.url,
            url=result.url,
            retrieved=result.fetched_at,
            archive=f"{ref.file}#{ref.offset}",
        )
        written = self.writer.write(article, provenance)
        self.report.count(site.name, written.outcome)
        if written.outcome == "edited":
            self.report.note(site.name, f"人工修改过，未覆盖：{written.slug}（{result.url}）")
        return written.outcome, written.duplicate_of or written.slug

    def _archive(self, result: FetchResult) -> ArchiveRef:
        return self.archive.write_response(
            url=result.url,
            status=result.status or 0,
            headers=result.headers,
            content=result.content,
            fetched_at=result.fetched_at,
            request_headers=result.request_headers,
        )


def _ref(row: PageRow) -> ArchiveRef:
    return ArchiveRef(row.warc_file or "", row.warc_offset or 0, row.warc_length or 0)


def _row(
    site: Site,
    kind: str,
    result: FetchResult,
    ref: ArchiveRef | None,
    *,
    outcome: str | None = None,
    slug: str | None = None,
    error: str | None = None,
) -> PageRow:
    return PageRow(
        url=result.requested_url,
        site=site.name,
        kind=kind,
        status=result.status,
        etag=result.headers.get("etag"),
        last_modified=result.headers.get("last-modified"),
        content_sha1=hashlib.sha1(result.content).hexdigest() if result.content else None,
        slug=slug,
        outcome=outcome,
        error=error,
        fetched_at=result.fetched_at.isoformat()
        if isinstance(result.fetched_at, datetime)
        else None,
        warc_file=ref.file if ref else None,
        warc_offset=ref.offset if ref else None,
        warc_length=ref.length if ref else None,
    )
