"""Importing saved pages and text dumps from a folder (the inbox).

For pages saved by hand or captured elsewhere — and on a machine with no
internet, for everything.  Each file is archived as a WARC resource record
before it is interpreted, exactly like a fetched page, so `reextract` covers
imported files too.  A file that cannot be read is reported and skipped.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from scraper.archive import Archive
from scraper.dates import SHANGHAI
from scraper.decode import reading_warnings
from scraper.errors import PageError
from scraper.models import RawPage
from scraper.pipeline import extract_article
from scraper.report import CrawlReport
from scraper.slugs import inbox_source
from scraper.state import CrawlState, PageRow
from scraper.write import ArticleWriter, Provenance

PAGE_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".txt", ".asp", ".aspx", ".php", ".jsp"}
INBOX = "收件箱"  # the report's name for imported files


def inbox_files(folder: Path) -> Iterator[Path]:
    """Page files in `folder` and below, in a stable order; README-like notes left out."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in PAGE_SUFFIXES and not _is_note(path):
            yield path


def _is_note(path: Path) -> bool:
    return path.stem.upper() in {"README", "LICENSE", "NOTES", "CHANGELOG"}


# The fetcher's cap (scraper.fetch.Fetcher.max_bytes): a file this long is not
# one report, and reading and parsing it would hold its size many times over.
MAX_FILE_BYTES = 20 * 1024 * 1024


def import_inbox(
    folder: Path, archive: Archive, state: CrawlState, writer: ArticleWriter, report: CrawlReport
) -> None:
    """Archive, extract and write every page file in `folder` not already imported as it is."""
    if not folder.is_dir():
        report.fail(INBOX, str(folder), "not a folder")
        return
    report.site(INBOX)
    for path in inbox_files(folder):
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:  # as the fetcher's cap: no article is that long
                report.fail(INBOX, str(path), f"larger than {MAX_FILE_BYTES} bytes ({size})")
                continue
            content = path.read_bytes()
        except OSError as exc:
            report.fail(INBOX, str(path), f"cannot read: {exc.strerror or exc}")
            continue
        report.count(INBOX, "found")
        uri = path.resolve().as_uri()
        digest = hashlib.sha1(content).hexdigest()
        known = state.get(uri)
        if known and known.done and known.content_sha1 == digest:
            report.count(INBOX, "unchanged")
            continue
        created = datetime.fromtimestamp(path.stat().st_mtime, SHANGHAI)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        ref = archive.write_resource(
            uri=uri, content=content, content_type=kind, created_at=created
        )
        row = PageRow(
            url=uri,
            site=INBOX,
            kind="article",
            content_sha1=digest,
            fetched_at=created.isoformat(),
            warc_file=ref.file,
            warc_offset=ref.offset,
            warc_length=ref.length,
        )
        raw = RawPage(location=str(path), content=content)
        try:
            article = extract_article(raw)
        except PageError as exc:
            report.fail(INBOX, str(path), str(exc))
            state.put(replace(row, error=str(exc)))
            continue
        for warning in reading_warnings(article.warnings):
            report.note(INBOX, f"读取提示：{path.name}：{warning}")
        if "no body text" in article.warnings:
            report.count(INBOX, "not_article")
            state.put(replace(row, outcome="not_article"))
            continue
        provenance = Provenance(
            source=inbox_source(path.name),
            url=None,
            retrieved=created,
            archive=f"{ref.file}#{ref.offset}",
        )
        written = writer.write(article, provenance)
        state.put(replace(row, outcome=written.outcome, slug=written.duplicate_of or written.slug))
        report.count(INBOX, written.outcome)
        if written.outcome == "edited":
            report.note(INBOX, f"人工修改过，未覆盖：{written.slug}（{path.name}）")
