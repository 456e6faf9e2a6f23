"""Pelican plugin: only allow-listed HTML from an article reaches the site.

An article's HTML comes from Markdown, and Markdown passes raw HTML through:
an editor's paste from a county site, or a scraped text that held markup,
would put its `<script>`, `<iframe>`, `onerror=` or `javascript:` link into
the page every researcher opens.  The scraper escapes page text when it
writes Markdown (`scraper.markdown_out.escape`); this plugin is the second
wall, on every article and page whatever wrote it: the body's HTML is
cleaned by nh3 (the Rust ammonia sanitiser) to an allow-list of tags,
attributes and URL schemes (http, https, mailto and relative), dropping
script and style elements with their content.

Nothing is removed silently: each article that held something not allowed
is named in a warning with what was removed, so an editor can see it.  The
theme escapes every other field (Jinja's autoescape, pelicanconf.py), and
marks only this cleaned body as safe.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import nh3
from pelican import signals

log = logging.getLogger(__name__)

TAGS = set(nh3.ALLOWED_TAGS)
ATTRIBUTES = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
# Markdown's own output: heading and footnote anchors, code classes, abbr titles.
ATTRIBUTES["*"] = {"id", "class", "title", "lang", "dir"}
# Markdown tables align columns by a style attribute: that one property only
# (a style attribute could otherwise lay a fake page over the real one).
for _cell in ("th", "td"):
    ATTRIBUTES[_cell] = ATTRIBUTES.get(_cell, set()) | {"style"}
STYLE_PROPERTIES = {"text-align"}
URL_SCHEMES = {"http", "https", "mailto"}
REMOVED_WITH_CONTENT = {"script", "style"}

# What is named in the warning (the cleaner itself decides what goes).
_DANGER = {
    "script": re.compile(r"<\s*script\b", re.I),
    "style": re.compile(r"<\s*style\b", re.I),
    "iframe": re.compile(r"<\s*iframe\b", re.I),
    "object or embed": re.compile(r"<\s*(object|embed|applet)\b", re.I),
    "svg or math": re.compile(r"<\s*(svg|math)\b", re.I),
    "form": re.compile(r"<\s*(form|input|button|textarea|select)\b", re.I),
    "on* attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(
        r"""<[^>]*\sstyle\s*=\s*["']?+(?!\s*text-align:[^;"']*;?\s*["'])""", re.I
    ),
    "javascript: URL": re.compile(r"javascript\s*:", re.I),
    "data: URL": re.compile(r"""(href|src)\s*=\s*["']?\s*data:""", re.I),
    "meta, link or base": re.compile(r"<\s*(meta|link|base)\b", re.I),
}


def clean(html: str) -> str:
    """`html` reduced to the allow-list."""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=REMOVED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        strip_comments=True,
        link_rel="noopener noreferrer",
    )


def dangers(html: str) -> list[str]:
    """What in `html` the cleaner will remove that an editor would want named."""
    return [name for name, pattern in _DANGER.items() if pattern.search(html)]


def active(settings: dict[str, Any]) -> bool:
    """Whether this build lists the plugin (signals are process-wide)."""
    names = (getattr(p, "__name__", p) for p in settings.get("PLUGINS") or ())
    return any(str(name).rsplit(".", 1)[-1] == "safe_html" for name in names)


def cleaned_reader(reader_class: type) -> type:
    """`reader_class` returning cleaned HTML, so Pelican's reader cache keeps it cleaned.

    Cleaning in the reader, not after, means a rebuild cleans only the
    articles it reads again; what was removed is kept in the metadata
    (`unsafe_html_removed`) and reported on every build.
    """
    if getattr(reader_class, "cleans_html", False):
        return reader_class

    class CleanedReader(reader_class):  # type: ignore[misc, valid-type]
        cleans_html = True

        def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
            content, metadata = super().read(source_path)
            return clean_read(content, metadata)

    CleanedReader.__name__ = CleanedReader.__qualname__ = f"Cleaned{reader_class.__name__}"
    return CleanedReader


def clean_read(content: str, metadata: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The body and summary cleaned; what was removed noted in the metadata."""
    cleaned = clean(content) if content else content
    if cleaned != content:
        found = dangers(content)
        if found:
            metadata["unsafe_html_removed"] = found
    summary = metadata.get("summary")
    if isinstance(summary, str) and summary:
        metadata["summary"] = clean(summary)
    metadata["html_cleaned"] = True
    return cleaned, metadata


def wrap_readers(readers: Any) -> None:
    """Every reader of the build cleans what it reads (after the other plugins chose theirs)."""
    if not active(readers.settings):
        return
    for extension, reader_class in list(readers.reader_classes.items()):
        if reader_class is not None:
            readers.reader_classes[extension] = cleaned_reader(reader_class)


def report(content: Any) -> None:
    """Say, every build, what was removed from an article; clean one no reader cleaned."""
    if not active(getattr(content, "settings", {}) or {}):
        return
    metadata = getattr(content, "metadata", {})
    if not metadata.get("html_cleaned"):  # read before wrap_readers ran: clean it here
        content._content, metadata = clean_read(getattr(content, "_content", "") or "", metadata)
        if getattr(content, "_summary", None) and metadata.get("summary"):
            content._summary = metadata["summary"]
    found = metadata.get("unsafe_html_removed")
    if found:
        log.warning(
            "safe_html: %s: removed from the article's HTML: %s",
            getattr(content, "source_path", "?"), ", ".join(found),
        )  # fmt: skip


def register() -> None:
    signals.readers_init.connect(wrap_readers)
    signals.content_object_init.connect(report)
