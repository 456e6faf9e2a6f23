"""Plain data passed between the pipeline's stages.

Each stage takes one of these and returns the next; none of them holds behaviour
beyond trivial conversions, so a stage can be tested, replaced or re-run
(re-extracting archived pages, re-tagging stored articles) on its own.

    RawPage --decode--> str --extract--> Extracted --clean--> Cleaned
            --metadata/place/tag--> Article --write--> Markdown in content/
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

BlockKind = Literal["para", "heading", "caption"]


@dataclass
class RawPage:
    """Bytes as fetched or read, with where they came from.

    `location` is what error messages name (a path or the URL fetched);
    `url` is the article's original address, when known.
    """

    location: str
    content: bytes
    url: str | None = None
    content_type: str | None = None
    fetched_at: datetime | None = None


@dataclass
class Block:
    """One unit of body text as the page laid it out, text not yet repaired."""

    kind: BlockKind
    text: str


@dataclass
class Extracted:
    """What a page holds, found by structure alone (DOM or line layout).

    `info_lines` are the short lines near the title that carry the byline,
    date and source ("发布时间:… 作者:… 来源:…"); the metadata stage parses
    them.  `meta` holds values the page declares explicitly (HTML meta tags,
    JSON-LD): keys among title, date, author, source, site, keywords,
    description.
    """

    title: str | None
    blocks: list[Block]
    info_lines: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Article:
    """The clean article: the JSON contract of `python -m scraper extract --json`."""

    title: str | None
    date: str | None
    date_partial: str | None
    author: str | None
    site: str | None
    source: str | None
    url: str | None
    province: str | None
    city: str | None
    county: str | None
    keywords: list[str]
    summary: str | None
    tags: list[str]
    primary_tag: str | None
    tag_scores: dict[str, float]
    evidence: dict[str, list[str]]
    body: str
    warnings: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Cleaned:
    """An article's text with chrome, spam and credits taken out.

    What was taken out but is metadata is kept: `credits` (role → names),
    `info_lines`, `date_hints` (dates cut from the headline) and `site_hints`
    (publishers named by datelines and footers, best first).
    """

    title: str | None
    blocks: list[Block]
    info_lines: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    credits: dict[str, list[str]] = field(default_factory=dict)
    authors: list[str] = field(default_factory=list)
    date_hints: list[str] = field(default_factory=list)
    site_hints: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
