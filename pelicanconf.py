"""Pelican settings for the grassroots archive (development build)."""

import os
from pathlib import Path

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
PLUGINS = [
    "leftovers", "archive_reader", "safe_html", "content_check", "evidence", "raw_pages",
    "citations", "search_index", "search_export", "archive_pages", "corpus_downloads",
    "practice_feeds", "methods_page", "pelican.plugins.sitemap", "unchanged_pages",
    "unwritten_listings", "stable_order",
]  # fmt: skip
THEME = "theme"
# Every value a template shows is escaped unless marked safe: titles, sources
# and places come from scraped pages.  The theme marks safe only the article
# body (cleaned by plugins/safe_html) and the charts drawn at build time.
JINJA_ENVIRONMENT = {
    "trim_blocks": True, "lstrip_blocks": True, "extensions": [], "autoescape": True,
}  # fmt: skip

# Atom feeds: all articles, and one per practice (practices are Pelican tags);
# plugins/practice_feeds keeps undated articles out and titles them in Chinese.
FEED_ALL_ATOM = "feeds/all.atom.xml"
TAG_FEED_ATOM = "feeds/{slug}.atom.xml"
TAG_FEED_ATOM_URL = "feeds/{slug}.atom.xml"
FEED_MAX_ITEMS = 50
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

SITEMAP = {
    "format": "xml",
    "exclude": ["^404\\.html$", "^search\\.html$"],
    "priorities": {"articles": 0.8, "indexes": 0.5, "pages": 0.5},
    "changefreqs": {"articles": "yearly", "indexes": "daily", "pages": "monthly"},
}

# The archive's own browsing pages (plugins/archive_pages: practices, places,
# sites, years, undated) replace Pelican's tag, category, author and archive
# pages: categories are all one, and articles without a byline would be
# filed under the site's AUTHOR.
DIRECT_TEMPLATES = ["index"]
TAG_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
# Pelican would still gather every tag's and author's articles before writing
# nothing (a scan of all articles per tag: minutes at 100,000 articles);
# plugins/unwritten_listings skips that.
# No article is a translation of another: without these Pelican pairs every
# article with every other to find translations (`process_translations`, 150 s
# of a rebuild at 100,000 articles).  Two articles with one slug are refused
# by plugins/content_check, as before; plugins/stable_order keeps articles of
# one date in slug order, as the pairing did.
ARTICLE_TRANSLATION_ID = None
PAGE_TRANSLATION_ID = None

DEFAULT_PAGINATION = 20
# The home page shows what the archive holds and the latest additions, not
# every article twenty at a time (the year and month pages list them all):
# 500 pages at 10,000 articles, every one rendered again after any change.
PAGINATED_TEMPLATES = {"tag": None, "category": None, "author": None}
RELATIVE_URLS = True

# Rebuilds redo only what changed: Pelican's content cache keeps what it read,
# plugins/unchanged_pages keeps pages whose inputs did not change, and
# plugins/search_export keeps the postings of unchanged articles.  The cache
# lives beside the content (ARCHIVE_HOME, as in tasks.py); `invoke rebuild`
# deletes it with the output.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
# Uncompressed: gzip at level 9 costs seconds a build at 10,000 articles, for a
# cache folder that is never published.
GZIP_CACHE = False
CACHE_PATH = str(Path(os.environ.get("ARCHIVE_HOME") or Path(__file__).parent).resolve() / "cache")

# An error in an article (front matter, unknown practice tag, two articles with
# one slug, a link to nothing) fails the build with its file and line, and the
# site of the last build stays; "warn" reports them and builds anyway
# (plugins/content_check).
CONTENT_CHECK = "fail"
