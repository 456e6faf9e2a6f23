"""Recognising site chrome in a line of text.

Used by both extract paths (HTML blocks and text dumps) once text is
repaired: the patterns live in data/chrome.toml so maintainers can add a
site's trailer without touching code; the shape rules here (menus,
breadcrumbs) are the ones a pattern list cannot express.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "chrome.toml"

_SENTENCE_PUNCT = re.compile(r"[，。；！？,;!?]")
_CRUMB_SEP = re.compile(r"\s*(?:>>?|»|›|＞|→|->)\s*")
_LABELLED_CRUMB_SEP = re.compile(r"\s*(?:>>?|»|›|＞|→|->|/|／|\|)\s*")


@cache
def _patterns() -> dict[str, list[re.Pattern[str]]]:
    with DATA.open("rb") as f:
        data = tomllib.load(f)
    return {
        section: [re.compile(p, re.IGNORECASE) for p in data[section]["patterns"]]
        for section in ("end", "drop", "site")
    }


def is_end(line: str) -> bool:
    """Whether `line` opens the trailer that follows an article's body."""
    return any(p.search(line) for p in _patterns()["end"])


def is_menu(line: str) -> bool:
    """A run of four or more short labels with no sentence punctuation: a menu bar."""
    tokens = line.split()
    if len(tokens) < 4 or _SENTENCE_PUNCT.search(line):
        return False
    return all(len(t) <= 6 for t in tokens)


def is_breadcrumb(line: str) -> bool:
    """Short labels joined by '>' ('首页 >> 县域新闻 >> 正文'), possibly after 当前位置
    (and then '/' joins them too: '您当前的位置： 网站首页 / 市委文件')."""
    rest = re.sub(r"^(当前位置|您的位置|你的位置|您当前的位置|位置)\s*[:：]\s*", "", line)
    parts = (_LABELLED_CRUMB_SEP if rest != line else _CRUMB_SEP).split(rest)
    if len(parts) < 2:
        return False
    return all(len(p) <= 14 and not _SENTENCE_PUNCT.search(p) for p in parts)


def is_chrome(line: str) -> bool:
    """Whether `line` is chrome to drop wherever it stands (not the end of the article)."""
    return is_menu(line) or is_breadcrumb(line) or is_listed(line)


def is_listed(line: str) -> bool:
    """Whether `line` matches a pattern of data/chrome.toml's [drop] list.

    Asked apart from the shape rules because a line of names has the shape of
    a menu: callers ask this first, then whether the line is credits, then
    `is_chrome`.
    """
    return any(p.search(line) for p in _patterns()["drop"])


def site_named_in(line: str) -> str | None:
    """The publisher a chrome line names ('版权为 红安网 …' → 红安网), if any."""
    for pattern in _patterns()["site"]:
        match = pattern.search(line)
        if match:
            return match.group("site")
    return None
