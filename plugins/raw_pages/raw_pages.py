"""Publish each article's archived raw page beside it: the WARC record, and its text.

Every claim in the archive must be traceable to what the county site served.
The scraper kept each fetched page in archive/warc/ and each stored article
names its record (`archive: FILE#OFFSET`); this plugin copies that record
into the built site as `raw/<slug>.warc.gz` (a WARC file of one record, for
replay tools and checksums) and its page as `raw/<slug>.txt` (the source
decoded to UTF-8, for reading in a browser).  Text, never HTML: a scraped
page's scripts must not run on the archive's own site.

Templates get `article.raw_text_url` and `article.raw_warc_url` (site-relative,
None when the record is missing, which is logged with the article's file).
Files are written on `finalized`, one record at a time, and skipped when
already written for the same record (the name carries its offset).
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator

from scraper.archive import Archive, ArchiveError, ArchiveRef
from scraper.decode import DecodeError, decode
from scraper.models import RawPage

log = logging.getLogger(__name__)

DEFAULT_WARC_DIR = "archive/warc"
RAW_DIR = "raw"

# (slug, record) of the build under way; emptied on finalized.
_jobs: list[tuple[str, ArchiveRef]] = []


def warc_dir(settings: dict[str, Any]) -> Path:
    """RAW_WARC_DIR: absolute, or relative to the folder holding the content folder."""
    path = Path(settings.get("RAW_WARC_DIR") or DEFAULT_WARC_DIR)
    return path if path.is_absolute() else Path(settings["PATH"]).resolve().parent / path


def active(settings: dict[str, Any]) -> bool:
    """Whether this build uses the plugin (signals also reach builds that did not ask)."""
    names = (getattr(p, "__name__", p) for p in settings.get("PLUGINS") or ())
    return any(str(name).rsplit(".", 1)[-1] == "raw_pages" for name in names)


def collect(generators: list[Any]) -> None:
    """Find each article's record and give the article the links to it."""
    _jobs.clear()
    for generator in generators:
        if not isinstance(generator, ArticlesGenerator) or not active(generator.settings):
            continue
        archive = Archive(warc_dir(generator.settings))
        for article in generator.articles:
            article.raw_text_url = article.raw_warc_url = None
            spec = article.metadata.get("archive")
            if not spec:
                continue
            try:
                ref = archive.locate(str(spec))
            except ArchiveError as exc:
                log.warning("raw page of %s unavailable: %s", article.source_path, exc)
                continue
            stem = f"{RAW_DIR}/{article.slug}"
            article.raw_text_url, article.raw_warc_url = f"{stem}.txt", f"{stem}.warc.gz"
            _jobs.append((article.slug, ref))


def page_text(url: str, headers: dict[str, str], body: bytes) -> str:
    """The record's page as text, decoded as the scraper decodes it."""
    raw = RawPage(location=url, content=body, url=url, content_type=headers.get("content-type"))
    return decode(raw).text


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: a killed build never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".raw-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _stamp(ref: ArchiveRef) -> str:
    return hashlib.sha1(f"{ref.file}#{ref.offset}#{ref.length}".encode()).hexdigest()[:16]


def write(pelican: Any) -> None:
    """Write the records collected, skipping those written for the same record before."""
    if not _jobs or not active(pelican.settings):
        _jobs.clear()
        return
    archive = Archive(warc_dir(pelican.settings))
    out = Path(pelican.settings["OUTPUT_PATH"]) / RAW_DIR
    written = 0
    for slug, ref in _jobs:
        stamp = out / f".{slug}.record"
        if stamp.is_file() and stamp.read_text() == _stamp(ref):
            continue
        try:
            record = archive.read_record(ref)
            text = page_text(record.url, record.headers, record.body)
            _write(out / f"{slug}.warc.gz", archive.member(ref))
        except (ArchiveError, DecodeError, OSError) as exc:
            log.warning("raw page of %s not written: %s", slug, exc)
            continue
        # A BOM: hosts serve .txt without a charset, and browsers then guess.
        _write(out / f"{slug}.txt", codecs.BOM_UTF8 + text.encode("utf-8"))
        _write(stamp, _stamp(ref).encode())
        written += 1
    log.info("raw pages: %d of %d written to %s", written, len(_jobs), out)
    _jobs.clear()


def register() -> None:
    signals.all_generators_finalized.connect(collect)
    signals.finalized.connect(write)
