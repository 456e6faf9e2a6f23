"""Character-level normalisation shared by every text path.

Sites pad Chinese text with NBSP, ideographic spaces and zero-width marks to
fake indentation; they carry no meaning and break matching, so they are
normalised before anything looks at the text.
"""

from __future__ import annotations

import re

# Spaces that are layout, not content: NBSP, en/em/thin spaces, ideographic space.
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\x0b\x0c]")
# Invisible characters: zero-width space/joiners, word joiner, BOM, soft hyphen,
# bidi controls.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# C0/C1 control characters except newline (tab was already made a space).
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_RUNS_OF_SPACES = re.compile(" {2,}")
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{CJK}]) (?=[{CJK}])")


def normalize(text: str) -> str:
    """Return `text` with layout spaces, invisible and control characters normalised.

    Newlines are kept (they separate paragraphs); other whitespace becomes one
    ordinary space and lines are stripped.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _CONTROLS.sub("", text)
    text = _RUNS_OF_SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def join_wrapped(text: str) -> str:
    """Join a paragraph that was hard-wrapped: a break between two Chinese characters
    is no space at all, elsewhere it is one space."""
    text = re.sub(r"\s*\n\s*", " ", text.strip())
    return _SPACE_BETWEEN_CJK.sub("", text)


def han_count(text: str) -> int:
    """Number of Han characters, the measure of how much Chinese a string holds."""
    return len(re.findall(f"[{CJK}]", text))
