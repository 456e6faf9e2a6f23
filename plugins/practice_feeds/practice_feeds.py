"""Feeds per practice with Chinese titles, and no placeholder date in feeds or the sitemap.

The practices are Pelican tags, so TAG_FEED_ATOM writes one Atom feed per
practice; this plugin mends what Pelican's feeds and pelican-sitemap would
otherwise get wrong for this archive:

* a feed is titled with the tag, the practice id (rectification); it is
  retitled with the practice's Chinese name (PRACTICE_NAMES, set by
  plugins/archive_reader from the taxonomy);
* an undated article carries the placeholder date 1900-01-01
  (plugins/archive_reader) that must never be shown as a date: it is left out
  of every feed (Pelican has no setting for that; `feed_generated` hands
  over the feed before it is written);
* pelican-sitemap takes an article's `modified`, else its `date`, for
  <lastmod>: an undated article gets `modified` = the time the archive
  fetched it (`retrieved`), which is when its text was last known to be so;
  without one (an editor's article), the time its file last changed.  Not
  the time of the build: a page must not change because it was built again.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pelican import signals

log = logging.getLogger(__name__)

# plugins/archive_reader's placeholder for undated articles is 1900-01-01;
# no county news report is that old, so any item up to that year is one.
PLACEHOLDER_YEAR = 1900
SHANGHAI = ZoneInfo("Asia/Shanghai")


def active(settings: dict[str, Any]) -> bool:
    """Whether this build uses the plugin (signals also reach builds that did not ask for it)."""
    names = (getattr(p, "__name__", p) for p in settings.get("PLUGINS") or ())
    return any(str(name).rsplit(".", 1)[-1] == "practice_feeds" for name in names)


def is_placeholder(date: datetime | None) -> bool:
    return date is not None and date.year <= PLACEHOLDER_YEAR


def mend_feed(context: Any, feed: Any) -> None:
    """Drop undated items and put the practice's Chinese name in the feed's title."""
    if not isinstance(context, dict) or not active(context):
        return
    feed.items[:] = [item for item in feed.items if not is_placeholder(item.get("pubdate"))]
    title = str(feed.feed.get("title", ""))
    for practice, name in (context.get("PRACTICE_NAMES") or {}).items():
        if title == practice or title.endswith(" - " + practice):
            feed.feed["title"] = title[: len(title) - len(practice)] + name
            break


def parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def date_undated(generators: list[Any]) -> None:
    """Give undated articles `modified` = `retrieved` (else the file's time), the <lastmod>."""
    if not generators or not active(generators[0].settings):
        return
    for generator in generators:
        for article in getattr(generator, "articles", []):
            if getattr(article, "undated", False) and not getattr(article, "modified", None):
                article.modified = parse_time(article.metadata.get("retrieved")) or file_time(
                    article.source_path
                )


def file_time(path: str) -> datetime:
    """When the file last changed, in the archive's zone (Asia/Shanghai)."""
    try:
        stamp = os.stat(path).st_mtime
    except OSError:
        stamp = 0.0
    return datetime.fromtimestamp(int(stamp), SHANGHAI)


def register() -> None:
    signals.all_generators_finalized.connect(date_undated)
    signals.feed_generated.connect(mend_feed)
