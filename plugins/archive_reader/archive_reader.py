"""Read the archive's articles: YAML front matter, and nothing dropped for lack of a field.

Pelican skips an article without a title or a date.  Archived reports often
lack one (the seeds do), and a researcher must still find them, so:

* no title → a title derived from the first sentence of the body, with
  `title_derived: true` so the theme marks it as derived;
* no date → the article is kept with `undated: true` and a placeholder date
  (UNDATED, never shown) so Pelican accepts it; themes list such articles as
  日期不详 and leave them out of date archives and feeds.  A partial date the
  page gave is in `date_partial`.

The front matter's `url` is where the article was published (the extract
JSON's field); Pelican would take it for the page's own address, so it is
read as `source_url`.

Chinese text needs three more things Pelican does not do:

* no slug → one from the article's source and day, as the scraper makes
  them (`scraper.slugs`): Pelican's pinyin slugs of titles merge homophones
  and stop the build when two articles share a title;
* a line break inside a paragraph between two Chinese characters is
  removed: Markdown keeps it, and a browser shows it as a space (编辑 wrap
  long paragraphs);
* the summary is the body's first sentences, up to SUMMARY_CHARS
  characters and ending at a sentence end: Pelican counts words by spaces,
  which Chinese does not have.
"""

from __future__ import annotations

import functools
import html as html_lib
import logging
import os
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.plugins.yaml_metadata.yaml_metadata import YAMLMetadataReader
from pelican.utils import SafeDatetime

from scraper.markdown_out import load_front_matter
from scraper.slugs import slug_from_day

log = logging.getLogger(__name__)

UNDATED = SafeDatetime(1900, 1, 1)
_TAGS = re.compile(r"<[^>]+>")
_SENTENCE_END = re.compile(r"[。！？!?]")
_MAX_DERIVED = 40
SUMMARY_CHARS = 120
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’"
_CJK_LINE_BREAK = re.compile(f"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")
_SENTENCES = re.compile(r"[^。！？!?]*[。！？!?]+[”’」』）)]*")


def derived_title(html: str) -> str | None:
    """The first sentence of the body (up to 40 characters), or None if there is no text."""
    text = _TAGS.sub("", html).strip()
    if not text:
        return None
    first = _SENTENCE_END.split(text, maxsplit=1)[0].strip()
    return first[:_MAX_DERIVED] + ("…" if len(first) > _MAX_DERIVED else "")


def join_cjk_lines(html: str) -> str:
    """`html` without the line breaks between two Chinese characters (or full-width marks)."""
    return _CJK_LINE_BREAK.sub("", html)


def cjk_summary(html: str, limit: int = SUMMARY_CHARS) -> str:
    """Escaped text: the first sentences of `html` that fit in `limit` characters.

    At least the first sentence, cut at `limit` with "…" if that alone is
    longer; text without any sentence end is cut the same way.
    """
    text = " ".join(html_lib.unescape(_TAGS.sub(" ", html)).split())
    summary = ""
    for sentence in _SENTENCES.findall(text):
        sentence = sentence.strip()
        if summary and len(summary) + len(sentence) > limit:
            break
        summary += sentence
        if len(summary) >= limit:
            break
    if not summary:
        summary = text
    if len(summary) > limit:
        summary = summary[:limit] + "…"
    return html_lib.escape(summary, quote=False)


def source_slug(metadata: dict, source_path: str, content_root: str) -> str:
    """The slug of an article without one: its day and a hash of its source.

    The source is its original URL when the front matter gives one, else the
    file's path inside the content folder, so the slug survives a rebuild
    and differs between files.
    """
    date = metadata.get("date")
    day = date.isoformat() if isinstance(date, datetime) else None
    source = metadata.get("source_url") or (
        "content:" + os.path.relpath(source_path, content_root).replace(os.sep, "/")
    )
    return slug_from_day(day, str(source))


class ArchiveReader(YAMLMetadataReader):
    """The YAML-metadata Markdown reader, filling what Pelican requires."""

    def _load_yaml_metadata(self, text: str, source_path: str) -> dict:
        # pelican-yaml-metadata's own, with libyaml's parser (see
        # scraper.markdown_out): reading the front matter was a third of a build.
        # A front matter that cannot be read leaves the article with its body
        # only, marked `front_matter_error` for plugins/content_check to report.
        try:
            metadata = load_front_matter(text)
        except Exception as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 2}: " if mark is not None else ""  # after the --- line
            return {"front_matter_error": f"{where}malformed YAML front matter: {exc}"}
        if not isinstance(metadata, dict):
            return {"front_matter_error": "the front matter is not a mapping of fields"}
        return self._parse_yaml_metadata(metadata, source_path)

    def read(self, source_path: str) -> tuple[str, dict]:
        content, metadata = super().read(source_path)
        content = join_cjk_lines(content)
        if "url" in metadata:
            metadata["source_url"] = metadata.pop("url")
        if not metadata.get("title"):
            title = derived_title(content)
            if title:
                metadata["title"] = title
                metadata["title_derived"] = True
        if not metadata.get("slug"):
            metadata["slug"] = source_slug(metadata, source_path, self.settings["PATH"])
        if not isinstance(metadata.get("date"), datetime):
            metadata["date"] = UNDATED
            metadata["undated"] = True
        if not metadata.get("summary"):
            metadata["summary"] = cjk_summary(content)
        return content, metadata


def zh_datetime(value: object, timezone: str = "Asia/Shanghai") -> str:
    """Jinja filter: an ISO time (string or datetime) as 2026年12月2日 07:49; else as given."""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(timezone))
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def web_url(value: object) -> str:
    """Jinja filter: `value` if it is an http(s) address to link to, else "".

    Front matter addresses come from scraped pages and editors: a
    `javascript:` or `data:` one must be shown, never followed.
    """
    text = str(value or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    if any(ord(char) < 0x20 or char in "<>\"'`" for char in text):
        return ""
    return text


def practice_names() -> dict[str, str]:
    """{practice id: Chinese name} of taxonomy.toml, in its order ({} if it cannot be read)."""
    try:
        from scraper.taxonomy import load_taxonomy

        return {p.id: p.name_zh for p in load_taxonomy().practices}
    except Exception as exc:  # a broken taxonomy must not break the site build
        log.warning("archive_reader: practice names unavailable: %s", exc)
        return {}


def initialize(pelican: Any) -> None:
    """What every page of the archive uses: the `zh_datetime` filter, in the site's
    time zone, the `web_url` filter, and the practices' Chinese names
    (PRACTICE_NAMES) for labels, the search filter and the feeds' titles."""
    pelican.settings.setdefault("PRACTICE_NAMES", practice_names())
    zone = pelican.settings.get("TIMEZONE") or "Asia/Shanghai"
    filters = dict(pelican.settings.get("JINJA_FILTERS") or {})
    # A partial of a module-level function: Pelican's content cache pickles the settings.
    filters.setdefault("zh_datetime", functools.partial(zh_datetime, timezone=zone))
    filters.setdefault("web_url", web_url)
    pelican.settings["JINJA_FILTERS"] = filters


def add_reader(readers: object) -> None:
    readers.reader_classes["md"] = ArchiveReader  # type: ignore[attr-defined]
    readers.reader_classes["markdown"] = ArchiveReader  # type: ignore[attr-defined]


def register() -> None:
    signals.initialized.connect(initialize)
    signals.readers_init.connect(add_reader)
