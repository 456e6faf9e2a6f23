"""The metadata stage: title, date, authors, source, site and keywords.

Each value is taken from the most explicit evidence the page gives — a
labelled info line before a meta tag before a dateline — and never invented:
a missing value stays None and a partial date stays partial, with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scraper import dates, infoline
from scraper.models import Cleaned

_NAME_SPLIT = re.compile(r"[\s、，,;；/|]+")
_KEYWORD_SPLIT = re.compile(r"[;；,，、|\s]+")
# Words that name a desk, not a publisher ("本报", "本网").
_NOT_SITES = {"本报", "本网", "本台", "本站", "记者", "通讯员"}
_SITE_SUFFIX = re.compile(r"(网|报|台|社|在线|新闻|客户端|频道|融媒|政府|发布)$")


@dataclass
class Metadata:
    date: str | None = None
    date_partial: str | None = None
    author: str | None = None
    source: str | None = None
    site: str | None = None
    keywords: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _date(cleaned: Cleaned) -> tuple[str | None, str | None]:
    partial = None
    for line in cleaned.info_lines:
        found = dates.find_date(line)
        if found and found.iso:
            return found.iso, None
        partial = partial or (found.partial if found else None)
    declared = cleaned.meta.get("date")
    if declared:
        iso = dates.parse_full(declared)
        if iso:
            return iso, None
    for hint in cleaned.date_hints:
        iso = dates.parse_full(hint)
        if iso:
            return iso, None
        partial = partial or dates.parse_partial(hint)
    return None, partial


def _info_fields(cleaned: Cleaned) -> dict[str, str]:
    merged: dict[str, str] = {}
    for line in cleaned.info_lines:
        for key, value in infoline.fields(line).items():
            if value and key not in merged:
                merged[key] = value
    return merged


def _authors(cleaned: Cleaned, info: dict[str, str]) -> list[str]:
    names: list[str] = []
    for value in (info.get("作者"), info.get("撰稿"), cleaned.meta.get("author")):
        if value:
            names.extend(n for n in _NAME_SPLIT.split(value) if n and n not in names)
    names.extend(n for n in cleaned.authors if n not in names)
    return names


def _site(cleaned: Cleaned, source: str | None) -> str | None:
    for hint in cleaned.site_hints:
        hint = hint.strip()
        if hint and hint not in _NOT_SITES and _SITE_SUFFIX.search(hint):
            return hint
    if source and _SITE_SUFFIX.search(source) and len(source) <= 20:
        return source
    return None


def metadata(cleaned: Cleaned) -> Metadata:
    """Settle each metadata value from what the clean stage collected."""
    info = _info_fields(cleaned)
    result = Metadata()
    result.date, result.date_partial = _date(cleaned)
    if result.date is None and result.date_partial:
        result.warnings.append(f"partial date: {result.date_partial} (no year on the page)")
    elif result.date is None:
        result.warnings.append("no date")
    authors = _authors(cleaned, info)
    result.author = " ".join(authors) or None
    source = next(
        (info[k] for k in ("来源", "稿源", "文章来源", "信息来源", "出处") if info.get(k)), None
    )
    source = source or cleaned.meta.get("source")
    result.source = source.strip() if source else None
    result.site = _site(cleaned, result.source)
    keywords = cleaned.meta.get("keywords", "")
    result.keywords = [k for k in _KEYWORD_SPLIT.split(keywords) if k]
    return result
