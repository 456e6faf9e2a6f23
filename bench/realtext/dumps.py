"""Scoring the cleaner on real page dumps against their labelled lines.

Each excerpt of the real-text corpus is a page's text from its top (a text
dump: menus, headline, info line, body, trailer, one block a line).  Its
labels say which line is the headline, which are metadata, which the body;
every other line is chrome.  The pipeline runs on the excerpt as on any
dump, and the article it makes is held to the labels:

- headline right: the title equals the labelled headline (over excerpts that
  show one); an invented headline (a title where the page shows none) counts
  separately;
- no chrome: no paragraph of the body comes from a chrome or metadata line,
  and no labelled `strip` string (a label, a dateline, a closing signature)
  is left at the start or end of a paragraph;
- author found: every labelled writer is among the article's authors (over
  excerpts that name one); authors said where the labels name others or none
  count as wrong;
- body recall: the share of the labelled body's characters the article keeps.

Texts are compared after the same folding on both sides: traditional to
simplified (OpenCC), pinyin annotations removed, NFKC, letters and digits of
any script kept and everything else dropped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from corpus import fold, line_numbers  # the corpus module sits beside this one

from scraper.errors import PageError
from scraper.models import Article, RawPage
from scraper.pipeline import extract_article

_MARKDOWN = re.compile(r"^(#+\s*|\*+|>\s*)|\*+$")
MIN_LINE = 4  # folded characters a chrome line needs before a leak can be told


def paragraphs(article: Article) -> list[str]:
    out = []
    for line in article.body.split("\n"):
        line = _MARKDOWN.sub("", line.strip()).strip()
        if line:
            out.append(line)
    return out


@dataclass
class DumpResult:
    """One excerpt's outcome; None where a figure does not apply to it."""

    id: str
    title_right: bool | None
    title_invented: bool
    chrome_free: bool
    author_found: bool | None
    author_wrong: bool
    recall: float | None
    leaks: list[str] = field(default_factory=list)
    got_title: str | None = None
    got_author: str | None = None
    refused: str | None = None


def score(excerpt, text: str) -> DumpResult:  # type: ignore[no-untyped-def]
    """Run the pipeline on one excerpt and hold its article to the labels.

    A refused excerpt (a body that is not the headline's) keeps no chrome and
    no text: it counts as refused, and its body as lost.
    """
    try:
        article = extract_article(RawPage(location=f"realtext:{excerpt.id}", content=text.encode()))
    except PageError as exc:
        return DumpResult(
            id=excerpt.id,
            title_right=None if not excerpt.title else False,
            title_invented=False,
            chrome_free=True,
            author_found=None if not excerpt.author else False,
            author_wrong=False,
            recall=0.0 if excerpt.lines.get("B") else None,
            leaks=[],
            refused=str(exc),
        )
    lines = text.split("\n")
    body_at = set(line_numbers(excerpt.lines.get("B")))
    title_at = set(line_numbers(excerpt.lines.get("T")))
    kept = [fold(p) for p in paragraphs(article)]
    body_folded = {fold(lines[n - 1]) for n in body_at if 0 < n <= len(lines)}

    leaks = []
    for n, line in enumerate(lines, start=1):
        if n in body_at or n in title_at:
            continue
        folded = fold(line)
        if len(folded) < MIN_LINE or folded in body_folded:
            continue
        for paragraph in kept:
            if (len(paragraph) >= MIN_LINE and paragraph in folded) or folded in paragraph:
                leaks.append(line.strip()[:40])
                break
    for piece in excerpt.strip:
        if _left_over(piece, kept):
            leaks.append(f"strip: {piece[:30]}")

    want_title = fold(excerpt.title) if excerpt.title else None
    got_title = fold(article.title) if article.title else None
    want_authors = {fold(name) for name in excerpt.author}
    got_authors = {fold(name) for name in (article.author or "").split()}
    found = None
    if want_authors:
        found = all(any(w in g or g in w for g in got_authors if g) for w in want_authors)
    wrong = bool(got_authors) and not any(
        w in g or g in w for g in got_authors for w in want_authors if g and w
    )

    recall = None
    body_lines = [lines[n - 1] for n in sorted(body_at) if 0 < n <= len(lines)]
    if body_lines:
        whole = "".join(kept)
        total = sum(len(fold(line)) for line in body_lines)
        have = sum(len(fold(line)) for line in body_lines if _kept_line(fold(line), whole))
        recall = have / total if total else None
    return DumpResult(
        id=excerpt.id,
        title_right=(got_title == want_title) if want_title else None,
        title_invented=bool(got_title) and not want_title,
        chrome_free=not leaks,
        author_found=found,
        author_wrong=wrong,
        recall=recall,
        leaks=leaks,
        got_title=article.title,
        got_author=article.author,
    )


def _left_over(piece: str, kept: list[str]) -> bool:
    """Whether a string to strip starts or ends a kept paragraph (a long one is kept in the
    corpus as its hash: "sha256:<hex>:<length>")."""
    if piece.startswith("sha256:"):
        _, digest, length = piece.split(":")
        n = int(length)
        ends = [end for p in kept if len(p) >= n for end in (p[:n], p[-n:])]
        return any(hashlib.sha256(end.encode()).hexdigest() == digest for end in ends)
    folded = fold(piece)
    return bool(folded) and any(p.startswith(folded) or p.endswith(folded) for p in kept)


def _kept_line(folded: str, whole: str) -> bool:
    """A body line counts as kept when its middle stretch is in the article (the ends may
    lose a label or a dateline the labels ask to strip)."""
    if not folded:
        return True
    if len(folded) <= 12:
        return folded in whole
    middle = folded[len(folded) // 4 : len(folded) // 4 + max(12, len(folded) // 2)]
    return middle in whole
