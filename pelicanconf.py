"""Pelican settings for the grassroots archive (development build)."""

from datetime import datetime
from zoneinfo import ZoneInfo

AUTHOR = "基层党建档案"
SITENAME = "基层党建档案"
SITEURL = ""

PATH = "content"
# Generated articles go to content/scraped (ignored by git); editors write to
# content/articles.
ARTICLE_PATHS = ["scraped", "articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS: list[str] = []

TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-cn"
DEFAULT_DATE_FORMAT = "%Y年%-m月%-d日"

# Every article carries an explicit slug (scraper.write.slug_for), so Pelican
# never derives one from a title.
ARTICLE_URL = "articles/{slug}.html"
ARTICLE_SAVE_AS = "articles/{slug}.html"

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["archive_reader", "evidence", "raw_pages", "search_index", "search_export"]
THEME = "theme"

FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

DEFAULT_PAGINATION = 20
RELATIVE_URLS = True


def zh_datetime(value: object) -> str:
    """An ISO time (a string or datetime) as 2026年12月2日 07:49, Asia/Shanghai; else as given."""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(TIMEZONE))
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


JINJA_FILTERS = {"zh_datetime": zh_datetime}
