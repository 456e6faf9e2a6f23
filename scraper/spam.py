"""Injected spam: keyword runs planted in hacked pages, wherever they sit.

A clause is spam when it holds a `strong` word, or when `weak` words fill most
of it; a line is dropped when spam fills it, and spam clauses are cut from
lines that also hold real text.  The lexicon is data (data/spam.toml).
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "spam.toml"

_CLAUSE_SPLIT = re.compile(r"(?<=[，,、;；|｜/。！？])|\s+")


@cache
def _lexicon() -> tuple[re.Pattern[str], re.Pattern[str]]:
    with DATA.open("rb") as f:
        data = tomllib.load(f)

    def alternation(words: list[str]) -> re.Pattern[str]:
        ordered = sorted(words, key=len, reverse=True)
        return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)

    return alternation(data["strong"]), alternation(data["weak"])


def is_spam_clause(clause: str) -> bool:
    strong, weak = _lexicon()
    text = clause.strip(" ，,、;；|｜/")
    if not text:
        return False
    if strong.search(text):
        return True
    covered = sum(len(m.group(0)) for m in weak.finditer(text))
    return covered >= 4 and covered / len(text) >= 0.4 and "。" not in text


def strip_spam(line: str) -> str:
    """`line` without its spam clauses ('' when the whole line is spam)."""
    strong, weak = _lexicon()
    if not strong.search(line) and not weak.search(line):
        return line
    clauses = [c for c in _CLAUSE_SPLIT.split(line) if c]
    kept = [c for c in clauses if not is_spam_clause(c)]
    if len(kept) == len(clauses):
        return line
    text = "".join(kept) if not re.search(r"\s", line) else " ".join(kept)
    return text.strip(" ，,、;；|｜/")


def is_spam_line(line: str) -> bool:
    """A line that is mostly spam: what `strip_spam` keeps of it is under half of it."""
    kept = strip_spam(line)
    return kept != line and len(kept) * 2 < len(line.strip())
