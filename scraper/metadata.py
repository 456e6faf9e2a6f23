"""The metadata stage: title, date, authors, source, site and keywords.

Each value is taken from the most explicit evidence the page gives — a
labelled info line before a meta tag before a dateline — and never invented:
a missing value stays None and a partial date stays partial, with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scraper import byline, chrome, dates, infoline
from scraper.models import Cleaned

_NAME_SPLIT = re.compile(r"[\s、，,;；/|]+")
_KEYWORD_SPLIT = re.compile(r"[;；,，、|\s]+")
# Words that name a desk, not a publisher ("本报", "本网").
_NOT_SITES = {"本报", "本网", "本台", "本站", "记者", "通讯员"}
_SITE_SUFFIX = re.compile(r"(网|网站|报|台|社|在线|新闻|客户端|频道|融媒|政府|发布)$")


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


# What a name looks like: a Chinese name (2–4 characters, · for minorities'
# names) or a Latin handle; labelled 作者 fields may also name a unit.
_PERSON = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,8}|[A-Za-z][\w.]{1,30})$"
)
_UNIT = re.compile(r"^[\u4e00-\u9fff·]{2,16}$")
_NOT_NAMES = {
    "整合",
    "编译",
    "综合",
    "整理",
    "报道",
    "供稿",
    "供图",
    "原创",
    "佚名",
    "未知",
    "name",
    "admin",
}


def _names(value: str, pattern: re.Pattern[str], site: str | None) -> list[str]:
    """The names in a field's value: not placeholders, not the site, not its desk
    ("农讯网编辑"), not a button ("我要评论")."""
    return [
        n
        for n in _NAME_SPLIT.split(value)
        if pattern.match(n)
        and n not in _NOT_NAMES
        and n not in (site or "")
        and not _SITE_SUFFIX.search(n)
        and not n.endswith("编辑")
        and not chrome.is_chrome(n)
    ]


def _authors(cleaned: Cleaned, info: dict[str, str], site: str | None) -> list[str]:
    """Writers named by the info line, then bylines, then an author meta tag.

    An info line names writers in its 作者 field or with a role and no colon
    ("2022-11-02 清溪融媒 记者 罗平", "来源：清溪日报 记者 张三"); meta tags on
    portals often hold the portal's own name or a placeholder, so only a
    person-shaped value is taken from one.
    """
    found: list[str] = []
    for value in (info.get("作者"), info.get("撰稿")):
        if value:  # "鲜 雨：西南民族大学…": the name, not the affiliation after it
            value = re.split(r"[:：(（]", byline.join_spaced(value), maxsplit=1)[0]
            found += _names(value, _UNIT, site)
    for line in cleaned.info_lines:
        credits, _ = byline.parse_credits(line)
        found += [
            n
            for n in credits.authors
            if _PERSON.match(n) and n not in _NOT_NAMES and n not in infoline.LABELS
        ]
        found += _name_after_date(line)
    found += cleaned.authors
    if not found and cleaned.meta.get("author"):
        found += _names(cleaned.meta["author"], _PERSON, site)
    return list(dict.fromkeys(found))


_DATE_THEN_NAME = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2})?(?P<name>[\u4e00-\u9fff]{2,4})$|"
    r"\d{4}-\d{1,2}-\d{1,2}(?P<bare>[\u4e00-\u9fff]{2,4})$"
)


def _name_after_date(line: str) -> list[str]:
    """ "2018-06-07 06:24王向阳": journal mirrors glue the author to the date."""
    match = _DATE_THEN_NAME.search(line.strip())
    name = match and (match.group("name") or match.group("bare"))
    return [name] if name and byline.is_person_name(name) else []


# Link labels that trail a 来源 value on portals ("新京报 举报").
_SOURCE_TAIL = re.compile(
    r"\s+(举报|分享|收藏|评论|打印|纠错|字号|作者|编辑|本报记者|记者|通讯员|文/|文／)\b.*$"
)


def _site(cleaned: Cleaned, source: str | None) -> str | None:
    declared = cleaned.meta.get("site", "").strip()
    if declared:
        return declared
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
    source = next(
        (info[k] for k in ("来源", "稿源", "文章来源", "信息来源", "出处") if info.get(k)), None
    )
    source = source or cleaned.meta.get("source")
    result.source = (_SOURCE_TAIL.sub("", source).strip() or None) if source else None
    result.site = _site(cleaned, result.source)
    result.author = " ".join(_authors(cleaned, info, result.site)) or None
    keywords = cleaned.meta.get("keywords", "")
    result.keywords = [k for k in _KEYWORD_SPLIT.split(keywords) if k]
    return result
