"""The write stage: a clean article into content/, once, with where it came from.

Shared by the crawler, the inbox import and `reextract`, so all three name,
deduplicate and protect articles the same way:

* the slug is derived from the article's source (its URL, or the inbox file's
  name) and date, so it is stable across runs and unique per source;
* a near-duplicate of an article already stored (the same report at another
  URL or republished by another site) is not written again: the stored one
  lists the new URL under `also_at`;
* files an editor wrote or changed are never overwritten (scraper.store).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from scraper.dedupe import Deduper
from scraper.markdown_out import StoredArticleError, parse, to_markdown
from scraper.models import Article
from scraper.slugs import slug_for
from scraper.store import WriteOutcome, merge_also_at, write_article

# How store outcomes are named in the crawl state and report.
OUTCOME_NAMES = {
    WriteOutcome.NEW: "new",
    WriteOutcome.UPDATED: "updated",
    WriteOutcome.UNCHANGED: "unchanged",
    WriteOutcome.EDITED_BY_HAND: "edited",
    WriteOutcome.EDITOR_FILE: "edited",
}


@dataclass(frozen=True)
class Provenance:
    """Where an article's raw page came from and where it is archived."""

    source: str  # the URL, or "inbox:NAME" for an imported file
    url: str | None
    retrieved: datetime | None
    archive: str | None  # "WARC-FILE#OFFSET"


@dataclass(frozen=True)
class Written:
    slug: str
    outcome: str  # new | updated | unchanged | edited | duplicate
    duplicate_of: str | None = None


class ArticleWriter:
    """Writes articles into one content folder; safe to call from several threads."""

    def __init__(self, content_dir: Path, deduper: Deduper) -> None:
        self.content_dir = content_dir
        self.deduper = deduper
        self._lock = threading.Lock()

    def path_for(self, slug: str) -> Path:
        return self.content_dir / f"{slug}.md"

    def rebuild_index(self) -> int:
        """Refill the near-duplicate index from the stored articles (when it was lost)."""
        items = []
        for path in sorted(self.content_dir.glob("*.md")):
            try:
                _, body = parse(path.read_text(encoding="utf-8"))
            except (StoredArticleError, UnicodeDecodeError):
                continue  # unreadable files are reported by the build and by retag
            items.append((path.stem, dedupe_text(body)))
        self.deduper.rebuild(items)
        return len(items)

    def write(self, article: Article, provenance: Provenance) -> Written:
        slug = slug_for(article, provenance.source)
        text = dedupe_text(article.body)
        with self._lock:
            duplicate = self.deduper.find(text)
            if duplicate and duplicate != slug:
                try:
                    if provenance.url:
                        merge_also_at(self.path_for(duplicate), [provenance.url])
                    return Written(slug, "duplicate", duplicate)
                except FileNotFoundError:
                    self.deduper.remove(duplicate)  # an editor deleted it: this one stands
            extra: dict[str, object] = {
                "slug": slug,
                "retrieved": provenance.retrieved.isoformat() if provenance.retrieved else None,
                "archive": provenance.archive,
            }
            if not provenance.url:
                extra["source_file"] = provenance.source.removeprefix("inbox:")
            self.content_dir.mkdir(parents=True, exist_ok=True)
            outcome = write_article(
                self.path_for(slug), to_markdown(article, extra), keep=_VOLATILE
            )
            if outcome in (WriteOutcome.NEW, WriteOutcome.UPDATED):
                self.deduper.add(slug, text)
        return Written(slug, OUTCOME_NAMES[outcome])


# Front-matter fields that change on every fetch without the article changing.
_VOLATILE = ("retrieved", "archive")


def dedupe_text(body: str) -> str:
    """The running text of a Markdown body, captions left out, for near-duplicate checks."""
    return "\n".join(line for line in body.split("\n") if line and not line.startswith("*"))
