"""Article slugs: the stored file's name and the page's address.

Derived from the article's source (its URL, or the inbox file's name) and its
day, so a slug is stable across runs and unique per source.  Pelican's own
slugs come from titles in pinyin, which merge homophones (公示 and 公式 both
become gong-shi) and stop the build when two articles share a title.
"""

from __future__ import annotations

import hashlib

from scraper.models import Article


def slug_for(article: Article, source: str) -> str:
    """'2021-01-28-3f2a9c1d7e': the day (or 'undated'), then a hash of the source."""
    return slug_from_day(article.date, source)


def slug_from_day(date: str | None, source: str) -> str:
    """The slug of an article of `date` (ISO, or None) from `source` (see `slug_for`)."""
    day = (date or "")[:10] or "undated"
    digest = hashlib.sha1(source.encode("utf-8")).hexdigest()[:10]
    return f"{day}-{digest}"


def inbox_source(file_name: str) -> str:
    """The source of a page imported from the inbox (it has no URL)."""
    return f"inbox:{file_name}"
