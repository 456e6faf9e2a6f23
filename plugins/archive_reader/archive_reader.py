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
"""

from __future__ import annotations

import re
from datetime import datetime

from pelican import signals
from pelican.plugins.yaml_metadata.yaml_metadata import YAMLMetadataReader
from pelican.utils import SafeDatetime

UNDATED = SafeDatetime(1900, 1, 1)
_TAGS = re.compile(r"<[^>]+>")
_SENTENCE_END = re.compile(r"[。！？!?]")
_MAX_DERIVED = 40


def derived_title(html: str) -> str | None:
    """The first sentence of the body (up to 40 characters), or None if there is no text."""
    text = _TAGS.sub("", html).strip()
    if not text:
        return None
    first = _SENTENCE_END.split(text, maxsplit=1)[0].strip()
    return first[:_MAX_DERIVED] + ("…" if len(first) > _MAX_DERIVED else "")


class ArchiveReader(YAMLMetadataReader):
    """The YAML-metadata Markdown reader, filling what Pelican requires."""

    def read(self, source_path: str) -> tuple[str, dict]:
        content, metadata = super().read(source_path)
        if "url" in metadata:
            metadata["source_url"] = metadata.pop("url")
        if not metadata.get("title"):
            title = derived_title(content)
            if title:
                metadata["title"] = title
                metadata["title_derived"] = True
        if not isinstance(metadata.get("date"), datetime):
            metadata["date"] = UNDATED
            metadata["undated"] = True
        return content, metadata


def add_reader(readers: object) -> None:
    readers.reader_classes["md"] = ArchiveReader  # type: ignore[attr-defined]
    readers.reader_classes["markdown"] = ArchiveReader  # type: ignore[attr-defined]


def register() -> None:
    signals.readers_init.connect(add_reader)
