"""Pelican plugin: check the articles before the site is written; name each problem's file and line.

Editors write Markdown by hand, and a mistake there must be seen, not lost:
Pelican itself logs an unreadable file without saying why, keeps one of two
articles with the same slug (the other becomes a "translation" and vanishes
from every list), accepts any tag, and leaves a link to a missing article as
it is.  Once every article is read (`all_generators_finalized`, before any
page is written) this plugin reports, as `path:line: problem`:

errors (the build fails, the site of the last build stays as it was):
* front matter that is not YAML, or not a mapping (the YAML error's line);
* a file Pelican could not read at all;
* a practice tag that is not in taxonomy.toml;
* two or more articles with one slug (every file, each at its `slug:` line);
* an internal link (`{filename}…`, `{static}…`, or to a `.md` file) to
  nothing in the content;

warnings (the build goes on; what the site shows instead is said):
* an editor's article (outside `scraped/`) without a title (a title is
  derived from the first sentence and marked so) or without a date (listed
  as 日期不详).  Scraped articles lack them often; the scrape report lists those.

CONTENT_CHECK = "fail" (the default) or "warn" (report errors as warnings
and build anyway).
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pelican import signals

from scraper.markdown_out import StoredArticleError, parse

log = logging.getLogger(__name__)

POLICIES = ("fail", "warn")
SCRAPED_DIR = "scraped"
_INTERNAL_LINK = re.compile(
    r"""(?:href|src)\s*=\s*["']\s*(\{(?:filename|static|attach)\}[^"'\s]*)"""
)
_MD_LINK = re.compile(
    r"""href\s*=\s*["']\s*(?![a-z][a-z0-9+.-]*:|//|#)([^"'\s]*\.md)(?:[#?][^"']*)?["']""", re.I
)


class ContentProblems(Exception):
    """The content has errors: the site is not written (Pelican exits with status 1)."""


class Report:
    """Problems of one build, each as `path:line: message`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def where(self, path: str | Path, line: int | None) -> str:
        try:
            shown = Path(path).resolve().relative_to(self.root.parent)
        except ValueError:
            shown = Path(path)
        return f"{shown}:{line}" if line else str(shown)

    def error(self, path: str | Path, line: int | None, message: str) -> None:
        self.errors.append(f"{self.where(path, line)}: {message}")

    def warning(self, path: str | Path, line: int | None, message: str) -> None:
        self.warnings.append(f"{self.where(path, line)}: {message}")


def line_of(path: str | Path, needle: str, front_matter_only: bool = False) -> int | None:
    """The first line of the file holding `needle` (1-based), or None."""
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines, 1):
        if number > 1 and front_matter_only and line.strip() == "---":
            return None
        if needle in line:
            return number
    return None


def front_matter_problem(path: str | Path) -> tuple[int | None, str] | None:
    """(line, message) if the file's front matter cannot be read, else None."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    try:
        parse(text)
    except StoredArticleError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        return (int(found.group(1)) if found else 1), str(exc)
    return None


def internal_targets(html: str) -> Iterable[str]:
    for pattern in (_INTERNAL_LINK, _MD_LINK):
        yield from (match.group(1) for match in pattern.finditer(html))


def resolve(link: str, source: str) -> str:
    """The content-relative path a link names, as Pelican resolves `{filename}` links."""
    target = re.sub(r"^\{(?:filename|static|attach)\}", "", link).split("#")[0].split("?")[0]
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def check(generators: list[Any]) -> Report:
    """Every problem of the articles and pages Pelican read."""
    settings = generators[0].settings
    root = Path(settings["PATH"]).resolve()
    report = Report(root)
    known_tags = set(settings.get("PRACTICE_NAMES") or {})
    context = generators[0].context
    generated: dict[str, Any] = context.get("generated_content", {})
    static: dict[str, Any] = context.get("static_content", {})
    by_slug: dict[str, list[Any]] = defaultdict(list)

    for relative, content in sorted(generated.items()):
        if content is None:
            path = root / relative
            problem = front_matter_problem(path)
            line, message = problem or (
                None,
                "Pelican could not read it (pelican --debug says why)",
            )
            report.error(path, line, message)

    for generator in generators:
        contents = [
            *getattr(generator, "articles", []), *getattr(generator, "translations", []),
            *getattr(generator, "drafts", []), *getattr(generator, "hidden_articles", []),
            *getattr(generator, "pages", []), *getattr(generator, "hidden_pages", []),
        ]  # fmt: skip
        for content in contents:
            path = content.source_path
            metadata = content.metadata
            if getattr(content, "slug", None):
                by_slug[content.slug].append(content)
            relative = content.get_relative_source_path()
            scraped = relative.split("/", 1)[0] == SCRAPED_DIR
            # Scraped files are written by the scraper; an editor's are read again
            # (an unclosed front matter reads as body text, without an error).
            if not scraped or metadata.get("front_matter_error"):
                problem = front_matter_problem(path)
                if problem or metadata.get("front_matter_error"):
                    line, message = problem or (None, str(metadata["front_matter_error"]))
                    report.error(path, line, message)
                    continue
            if known_tags:
                for tag in getattr(content, "tags", None) or []:
                    if str(tag) not in known_tags:
                        report.error(
                            path, line_of(path, str(tag), front_matter_only=True),
                            f"unknown practice tag {str(tag)!r} (taxonomy.toml has "
                            f"{', '.join(sorted(known_tags))})",
                        )  # fmt: skip
            for link in dict.fromkeys(internal_targets(getattr(content, "_content", "") or "")):
                target = resolve(link, relative)
                if generated.get(target) is None and target not in static:
                    report.error(path, line_of(path, link.split("}")[-1]),
                                 f"link to {link!r}: no such file in the content")  # fmt: skip
            if not scraped and metadata.get("title_derived"):
                report.warning(path, None, "no title: the site shows the first sentence "
                               f"({content.title!r}), marked as derived")  # fmt: skip
            if not scraped and metadata.get("undated") and hasattr(content, "date"):
                report.warning(path, line_of(path, "date:", front_matter_only=True),
                               "no date: the article is listed as 日期不详")  # fmt: skip

    for slug, same in sorted(by_slug.items()):
        if len(same) > 1:
            files = sorted(str(c.source_path) for c in same)
            for path in files:
                others = ", ".join(report.where(p, None) for p in files if p != path)
                report.error(path, line_of(path, "slug:", front_matter_only=True),
                             f"slug {slug!r} is also the slug of {others}")  # fmt: skip
    return report


def active(settings: dict[str, Any]) -> bool:
    """Whether this build lists the plugin (signals are process-wide)."""
    names = (getattr(p, "__name__", p) for p in settings.get("PLUGINS") or ())
    return any(str(name).rsplit(".", 1)[-1] == "content_check" for name in names)


def run_checks(generators: list[Any]) -> None:
    """Report every problem; with CONTENT_CHECK = "fail", stop the build on errors."""
    if not generators or not active(generators[0].settings):
        return
    settings = generators[0].settings
    policy = settings.get("CONTENT_CHECK", "fail")
    if policy not in POLICIES:
        raise ContentProblems(f"CONTENT_CHECK must be one of {POLICIES}, not {policy!r}")
    report = check(generators)
    for warning in report.warnings:
        log.warning("content_check: %s", warning)
    for error in report.errors:
        (log.error if policy == "fail" else log.warning)("content_check: %s", error)
    if report.errors and policy == "fail":
        raise ContentProblems(
            f"{len(report.errors)} problem(s) in {report.where(report.root, None)}{os.sep} "
            "(listed above); the site was not written. Correct them, or set "
            "CONTENT_CHECK = 'warn' to build anyway."
        )


def register() -> None:
    signals.all_generators_finalized.connect(run_checks)
