"""Text repair: undo what sites did to the characters of an article.

One entry point for every text path so the order of repairs is fixed:
normalise spaces → drop injected pinyin → traditional to simplified →
restore full-width punctuation.  Mangled runs like "?!?" are left alone
here (punctuation repair does not touch them); the clean stage cuts and
reports them in the text it keeps, so chrome dropped anyway raises no
warning.  Every step is idempotent: repairing repaired text changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from scraper import chars, punct, script
from scraper.models import Block, Extracted


@dataclass(frozen=True)
class Repairer:
    """Repairs with one decision about script made for the whole page."""

    simplify: bool

    def __call__(self, text: str) -> str:
        text = chars.normalize(text)
        text, _ = punct.remove_pinyin(text)
        if self.simplify:
            text = script.to_simplified(text)
        return punct.restore_punctuation(text)


def repairer_for(*texts: str) -> Repairer:
    """A repairer that converts script only if the page as a whole is traditional."""
    return Repairer(simplify=script.is_traditional("".join(texts)))


def repair_text(text: str) -> str:
    """Repair a whole text dump."""
    return repairer_for(text)(text)


def repair_extracted(page: Extracted) -> Extracted:
    """Repair every text of an extracted HTML page: title, blocks, info lines, meta."""
    repairer = repairer_for(page.title or "", *(b.text for b in page.blocks))
    blocks = [Block(b.kind, repairer(b.text)) for b in page.blocks]
    return replace(
        page,
        title=repairer(page.title) if page.title else None,
        blocks=[b for b in blocks if b.text],
        info_lines=[repairer(line) for line in page.info_lines],
        meta={key: repairer(value) for key, value in page.meta.items()},
    )
