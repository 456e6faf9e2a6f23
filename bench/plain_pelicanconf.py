"""Plain Pelican, the baseline of bench/build_speed.py: its default theme and no plugins.

Only what it needs to read the same Markdown at all: the YAML front-matter
reader (pelican-yaml-metadata), the time zone, and article paths like the
archive's so both builds write the same number of article pages.
"""

SITENAME = "plain"
PATH = "content"
ARTICLE_PATHS = ["scraped", "articles"]
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-cn"
ARTICLE_URL = "articles/{slug}.html"
ARTICLE_SAVE_AS = "articles/{slug}.html"
PLUGINS = ["pelican.plugins.yaml_metadata"]
DEFAULT_PAGINATION = 20
RELATIVE_URLS = True
