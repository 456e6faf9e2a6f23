"""What the crawler knows about every URL it has met, kept in SQLite.

The state makes crawls incremental and resumable: a URL already archived and
written is skipped on the next run (unless --refresh), validators (ETag,
Last-Modified) make refreshes cheap, and each page's row points to its WARC
record so `reextract` needs no network.  Every row is committed as soon as
its page is done, so a crawl killed at any point resumes from there.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, fields
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,            -- list | article | other
    status INTEGER,                -- HTTP status of the last fetch
    etag TEXT,
    last_modified TEXT,
    content_sha1 TEXT,
    slug TEXT,                     -- the stored article this URL became (or duplicates)
    outcome TEXT,                  -- new|updated|unchanged|edited|duplicate|not_article|failed
    error TEXT,
    fetched_at TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_length INTEGER
);
CREATE INDEX IF NOT EXISTS pages_site ON pages(site);
CREATE INDEX IF NOT EXISTS pages_slug ON pages(slug);
"""


@dataclass
class PageRow:
    url: str
    site: str
    kind: str
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_sha1: str | None = None
    slug: str | None = None
    outcome: str | None = None
    error: str | None = None
    fetched_at: str | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None

    @property
    def done(self) -> bool:
        """Fetched, archived and dealt with: nothing left to do for it without --refresh."""
        return self.error is None and self.warc_file is not None and self.outcome is not None


_COLUMNS = [f.name for f in fields(PageRow)]


class CrawlState:
    """A thread-safe handle on the state database (one connection, one lock)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def get(self, url: str) -> PageRow | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM pages WHERE url = ?", (url,)
            ).fetchone()
        return PageRow(*row) if row else None

    def put(self, row: PageRow) -> None:
        values = [getattr(row, c) for c in _COLUMNS]
        with self._lock:
            self._db.execute(
                f"INSERT OR REPLACE INTO pages ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in _COLUMNS)})",
                values,
            )

    def rows(self, kind: str | None = None) -> list[PageRow]:
        query = f"SELECT {', '.join(_COLUMNS)} FROM pages"
        args: tuple[str, ...] = ()
        if kind:
            query += " WHERE kind = ?"
            args = (kind,)
        with self._lock:
            return [PageRow(*r) for r in self._db.execute(query + " ORDER BY rowid", args)]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> CrawlState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
