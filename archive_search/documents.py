"""What the index holds of an article, read from the stored Markdown in content/.

The same documents feed the Whoosh index and the static search export, in
one canonical order — newest first, undated last, then by slug — which is
the order every search interface returns results in, so the command line,
Python and the static page agree article for article.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.markdown_out import StoredArticleError, parse, plain_text
from scraper.store import atomic_write_bytes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Doc:
    slug: str
    title: str
    body: str  # plain text, one block a line
    date: str | None  # ISO 8601 (Asia/Shanghai), None when undated
    tags: tuple[str, ...] = ()
    primary_tag: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    site: str | None = None
    url: str = ""  # the article's page, relative to the site root
    source_url: str | None = None  # where the article was published
    title_derived: bool = False
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def year(self) -> str | None:
        return self.date[:4] if self.date else None

    @property
    def places(self) -> tuple[str, ...]:
        return tuple(p for p in (self.province, self.city, self.county) if p)

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything indexed changes: what incremental indexing compares."""
        # Fields joined by a separator no field holds (repr() of long Chinese
        # text is the slow part of comparing 100,000 articles).
        parts = (self.title, self.body, self.date, ",".join(self.tags), self.primary_tag,
                 self.province, self.city, self.county, self.site, self.url,
                 self.source_url)  # fmt: skip
        data = "\x1f".join("\x1e" if part is None else part for part in parts)
        return hashlib.sha1(data.encode("utf-8", "surrogatepass")).hexdigest()


def canonical_key(doc: Doc) -> tuple[int, str, str]:
    """Sort key of the canonical result order: newest first, undated last, then slug."""
    if doc.date is None:
        return (1, "", doc.slug)
    inverted = "".join(chr(0x10FFFF - ord(c)) for c in doc.date)  # descending date
    return (0, inverted, doc.slug)


def canonical_order(docs: Iterable[Doc]) -> list[Doc]:
    """`docs` sorted by `canonical_key`, by two stable sorts of plain keys (several times faster).

    By slug first; then dated before undated and newer before older, which
    the second sort's `reverse=True` does while keeping the slug order of ties.
    The appended U+10FFFF makes a date that is a prefix of another (a day
    without a time) sort before it, as the inverted strings of `canonical_key` do.
    """
    by_slug = sorted(docs, key=lambda doc: doc.slug)
    return sorted(
        by_slug,
        key=lambda doc: (doc.date is not None, (doc.date or "") + "\U0010ffff"),
        reverse=True,
    )


def first_sentence(body: str, limit: int = 40) -> str:
    """A title for an untitled article: its first sentence, shortened."""
    text = body.strip().split("\n", 1)[0]
    for end in "。！？":
        text = text.split(end, 1)[0]
    return text[:limit] + ("…" if len(text) > limit else "")


# The last document read from each file, with the file's identity then: a
# build reads each article for the Whoosh index, the static export and the
# downloads, and parsing 10,000 articles three times costs seconds.
_read: dict[tuple[str, str], tuple[tuple[int, int, int, int], Doc]] = {}


READ_CACHE_VERSION = 1


def load_reads(path: Path) -> int:
    """Add the reads kept in `path` by `save_reads` (a file each of them is checked against
    before use, like any other); returns how many.  A damaged file is ignored."""
    try:
        with open(path, "rb") as handle:
            version, reads = pickle.load(handle)
    except Exception:  # none yet, truncated by a killed build, another version: read again
        return 0
    if version != READ_CACHE_VERSION or not isinstance(reads, dict):
        return 0
    for key, value in reads.items():
        _read.setdefault(key, value)
    return len(reads)


def save_reads(path: Path, paths: Iterable[Path]) -> None:
    """Keep the reads of `paths` for the next build (replacing the file whole)."""
    wanted = {os.path.abspath(p) for p in paths}
    kept = {key: value for key, value in _read.items() if key[0] in wanted}
    data = pickle.dumps((READ_CACHE_VERSION, kept), protocol=pickle.HIGHEST_PROTOCOL)
    atomic_write_bytes(path, data)


def doc_from_file(
    path: Path, url_pattern: str = "articles/{slug}.html", *, keep: bool = True
) -> Doc:
    """The indexable document of one stored article (raises StoredArticleError).

    Read again whenever the file's size, modification time, inode or device
    differ from the last read; otherwise the document of that read.  A read
    is remembered (`keep`) until `forget_reads`: every article's text held
    at once is most of what a build's search half adds to its memory, so a
    reader that is the only one to need it (`keep=False`) leaves it out.
    """
    status = os.stat(path)
    identity = (status.st_size, status.st_mtime_ns, status.st_ino, status.st_dev)
    key = (os.path.abspath(path), url_pattern)
    known = _read.get(key)
    if known is not None and known[0] == identity:
        return known[1]
    doc = _doc_from_text(path.read_text(encoding="utf-8"), path, url_pattern)
    if keep:
        _read[key] = (identity, doc)
    return doc


def published_docs(
    generators: Iterable[Any], reader: str, *, keep: bool = True
) -> Iterator[tuple[Any, Doc]]:
    """Each article of Pelican's generators with its document (`doc_from_file`).

    An article whose source cannot be read is logged, naming its file and
    `reader` (the plugin that wanted it), and left out: one unreadable
    article must not stop a build.
    """
    for generator in generators:
        for article in getattr(generator, "articles", []):
            try:
                doc = doc_from_file(Path(article.source_path), keep=keep)
            except Exception as exc:
                log.warning("%s: %s left out: %s", reader, article.source_path, exc)
                continue
            yield article, doc


def forget_reads() -> None:
    """Let every remembered read go (a build does once its plugins have read the articles)."""
    _read.clear()


def _doc_from_text(text: str, path: Path, url_pattern: str) -> Doc:
    front, markdown = parse(text)
    slug = str(front.get("slug") or path.stem)
    body = plain_text(markdown)
    title = front.get("title")
    date = front.get("date")
    return Doc(
        slug=slug,
        title=str(title) if title else first_sentence(body),
        body=body,
        date=str(date) if date else None,
        tags=tuple(str(t) for t in front.get("tags") or ()),
        primary_tag=front.get("primary_tag") or None,
        province=front.get("province") or None,
        city=front.get("city") or None,
        county=front.get("county") or None,
        site=front.get("site") or None,
        url=url_pattern.format(slug=slug),
        source_url=front.get("url") or None,
        title_derived=not title,
    )


def docs_from_content(content_dir: Path) -> Iterator[Doc | tuple[Path, str]]:
    """Every stored article under `content_dir`; unreadable files as (path, reason)."""
    for path in sorted(content_dir.rglob("*.md")):
        try:
            yield doc_from_file(path)
        except (StoredArticleError, UnicodeDecodeError) as exc:
            yield path, str(exc)
