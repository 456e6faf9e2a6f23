"""Labels in front of text: "摘要：…", "编者按：…", "稿件来源：…", "原标题：…".

Sites label a paragraph with what it is, and a text dump keeps the label as
if it were the article's words.  Which labels exist, and what each means
(a summary, an editor's note, metadata, a headline), is data in
data/labels.toml; this module only reads a line's label and says which kind
it is, so the extract and clean stages decide what to do with it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

DATA = Path(__file__).parent / "data" / "labels.toml"

ParagraphKind = Literal["summary", "note", "info"]
_OPEN = "【[〔（(<《"
_CLOSE = "】]〕）)>》"


@dataclass(frozen=True)
class Label:
    """A label found at the start of a line: what kind, which label, the text after it."""

    kind: str
    label: str
    rest: str


@cache
def _data() -> dict[str, dict[str, list[str]]]:
    with DATA.open("rb") as f:
        return tomllib.load(f)


def _alternation(words: list[str]) -> str:
    """The labels as one alternation, each tolerating spaces between its characters."""
    # "摘? ? ? 要": a page's full-width spaces garbled into question marks.
    return "|".join(
        r"[\s?？]*".join(re.escape(ch) for ch in w.replace(" ", ""))
        for w in sorted(words, key=len, reverse=True)
    )


@cache
def _pattern(section: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every label of a section, and each label's kind."""
    kinds = {_key(label): kind for kind, labels in _data()[section].items() for label in labels}
    words = _alternation([label for labels in _data()[section].values() for label in labels])
    pattern = re.compile(
        rf"^\s*(?:[{re.escape(_OPEN)}]\s*(?P<bracketed>{words})\s*[{re.escape(_CLOSE)}]\s*[:：]?"
        rf"|(?P<plain>{words})\s*[:：])\s*",
        re.IGNORECASE,
    )
    return pattern, kinds


def _key(label: str) -> str:
    """A label as looked up: without spaces, lower case ("摘 要" → "摘要")."""
    return re.sub(r"[\s?？]", "", label).lower()


def _find(section: str, line: str) -> Label | None:
    pattern, kinds = _pattern(section)
    match = pattern.match(line)
    if not match:
        return None
    label = _key(match.group("bracketed") or match.group("plain"))
    return Label(kinds[label], label, line[match.end() :].strip())


def paragraph_label(line: str) -> Label | None:
    """The label opening a paragraph ("摘要：…" → kind "summary"), if any."""
    return _find("paragraph", line)


_KEYWORD_SPLIT = re.compile(r"[;；,，、\s]+")


def note_metadata(found: Label, meta: dict[str, str]) -> None:
    """Keep what a summary or keywords label says as the article's metadata.

    (Front-matter lines of the "metadata" kind are dropped with nothing kept.)
    """
    if found.kind == "summary" and found.rest:
        meta.setdefault("description", found.rest)
    elif found.kind == "keywords" and found.rest:
        words = [w for w in _KEYWORD_SPLIT.split(found.rest) if w]
        meta.setdefault("keywords", "；".join(words))


def headline_label(line: str) -> Label | None:
    """The label opening a headline line ("原标题：…"), with the headline after it."""
    return _find("headline", line)


def words(section: str, kind: str) -> list[str]:
    """One list of data/labels.toml, e.g. words("disclosure", "title")."""
    return list(_data()[section][kind])


_PREFIX = re.compile(r"^(?P<prefix>[^：:，。！？\s]{2,12})\s*[:：]\s*(?P<rest>\S.*)$")


def strip_headline_prefix(title: str, elsewhere: list[str]) -> str:
    """The headline without a spam prefix ("软件代码保护：标题" → "标题").

    A prefix goes when it is a headline label or a known spam label
    (data/labels.toml), or when the page shows the
    headline without it too (in `elsewhere`: other lines of the page, such
    as an "原标题：" line or the headline repeated above the body).  Real
    headlines with a colon ("李强：坚持……") are kept: their rest is not
    found standing alone.
    """
    found = headline_label(title)
    if found and found.rest:
        return found.rest
    match = _PREFIX.match(title)
    if not match:
        return title
    rest = match.group("rest").strip()
    squashed = re.sub(r"\s", "", rest)
    for line in elsewhere:
        found = headline_label(line)
        text = found.rest if found else line
        if re.sub(r"\s", "", text) == squashed:
            return rest
    return title


_KEYWORD_ITEM = re.compile(r"[\u4e00-\u9fffA-Za-z0-9“”\-]{2,14}")


def keyword_list(line: str) -> list[str] | None:
    """The items of an unlabelled keyword line ("治理现代化；基层党组织；功能定位"), else None.

    Journals print the keywords below their label, or with the label lost:
    three or more short items separated by semicolons, and nothing else.
    """
    items = [item.strip() for item in re.split(r"[;；]", line.strip())]
    if len(items) < 3 or not all(_KEYWORD_ITEM.fullmatch(item) for item in items):
        return None
    return items
