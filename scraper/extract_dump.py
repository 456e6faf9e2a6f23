"""The extract stage for plain-text dumps: a page's text with its layout lost.

A dump is the page read top to bottom: menus and breadcrumbs, the headline,
the info line, photo captions, the body, then the site's trailer.  With no
markup to go by, structure is read from the shape of lines: the body begins
at the first line of real prose, and the headline is the last plain line
above the info line (or the first line, when there is no info line).  The
trailer is left to the clean stage, which ends the body at the first
trailer line for HTML and dumps alike.
"""

from __future__ import annotations

import re

from scraper import byline, chars, chrome, infoline
from scraper.models import Block, Extracted

_PROSE_PUNCT = re.compile(r"[，。；！？]")
_LABELLED = re.compile(
    r"^(内容摘要|内容提要|摘要|关键词|关键字|作者简介|导读|提要)\s*[:：]\s*(?P<value>.*)$"
)
_KEYWORD_SPLIT = re.compile(r"[;；,，、\s]+")
_MIN_PROSE_HAN = 30
_MAX_TITLE = 100
_MAX_CAPTION = 50
_MAX_HEADING = 40
_SENTENCE_END = re.compile(r"[。！？；：，、…]$")


def is_prose(line: str) -> bool:
    """A line of running text: long enough and punctuated like sentences."""
    return chars.han_count(line) >= _MIN_PROSE_HAN and bool(_PROSE_PUNCT.search(line))


def _looks_like_title(line: str) -> bool:
    return chars.han_count(line) >= 4 and len(line) <= _MAX_TITLE and not line.endswith("。")


def _body_kind(line: str) -> str:
    """Short unpunctuated lines inside the body are its subheadings."""
    if len(line) <= _MAX_HEADING and "。" not in line and not _SENTENCE_END.search(line):
        return "heading"
    return "para"


def extract_dump(text: str) -> Extracted:
    """Find headline, info lines, captions and body in a repaired text dump."""
    lines = [line for line in text.split("\n") if line]
    start = next((i for i, line in enumerate(lines) if is_prose(line)), len(lines))

    meta: dict[str, str] = {}
    info: list[str] = []
    plain: list[tuple[int, str]] = []  # header lines that are neither chrome nor info
    credits: list[str] = []  # "记者 张三" above the body: for the clean stage to take
    first_info: int | None = None
    for i, line in enumerate(lines[:start]):
        labelled = _LABELLED.match(line)
        if chrome.is_chrome(line) or chrome.is_end(line):
            site = chrome.site_named_in(line)
            if site:
                meta.setdefault("site", site)
        elif labelled:
            value = labelled["value"].strip()
            if labelled[1] in ("关键词", "关键字") and value:
                meta["keywords"] = "；".join(k for k in _KEYWORD_SPLIT.split(value) if k)
            elif labelled[1] in ("内容摘要", "内容提要", "摘要", "提要") and value:
                meta["description"] = value
        elif byline.byline(line):
            credits.append(line)
        elif infoline.is_info_line(line):
            info.append(line)
            first_info = i if first_info is None else first_info
        else:
            plain.append((i, line))

    title: str | None = None
    captions: list[str] = []
    if first_info is not None:
        above = [(i, line) for i, line in plain if i < first_info and _looks_like_title(line)]
        if above:
            title = above[-1][1]
        captions = [line for i, line in plain if i > first_info]
    elif plain and _looks_like_title(plain[0][1]):
        title = plain[0][1]
        captions = [line for _, line in plain[1:]]

    blocks = [Block("para", line) for line in credits]
    blocks += [Block("caption" if len(line) <= _MAX_CAPTION else "para", line) for line in captions]
    blocks += [Block(_body_kind(line), line) for line in lines[start:]]
    return Extracted(title=title, blocks=blocks, info_lines=info, meta=meta)
