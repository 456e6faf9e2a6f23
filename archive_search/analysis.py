"""Chinese-aware tokens for the full-text index, the same for Whoosh and the static page.

Word segmenters (jieba's Whoosh analyzer) miss compounds they cut differently
and store character offsets as positions, so phrase queries never match.
Lucene's CJKAnalyzer approach finds everything a page contains: each run of
Han characters becomes its overlapping bigrams (a lone character stays a
unigram), Latin letters and digits stay whole words (lower-cased), and
positions count tokens, so a Chinese query searched as a phrase of bigrams
matches exactly the pages that contain it.

`tokens()` is the one definition; `CJKBigramAnalyzer` wraps it for Whoosh
(which pickles the analyzer into the index schema, so this module must stay
importable as `archive_search.analysis`), and the static search page's
JavaScript mirrors it (a test compares the two).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

from whoosh.analysis import Analyzer, Token

# Han ideographs (CJK Unified, extension A, compatibility) form bigram runs;
# letters and digits of other scripts form words.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(f"(?P<han>[{HAN}]+)|(?P<word>[^\\W_{HAN}]+)")


class Term(NamedTuple):
    text: str
    position: int
    start: int  # character offsets in the original text, for highlighting
    end: int


def normalize(text: str) -> str:
    """NFKC-fold (full-width letters and digits become ASCII) and lower-case.

    Length-preserving for the characters that matter here, so offsets found on
    the normalised text are offsets into the original.  Characters are folded
    one at a time (a character whose NFKC form is longer stays as it is);
    `str.translate` over a table filled on first sight of each character does
    that at C speed, which matters when a build folds every article.
    """
    return text.translate(_FOLDED).lower()


def _fold(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


class _FoldTable(dict[int, str]):
    """Code point → its folded character, computed the first time a character is met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold(chr(code))
        return folded


_FOLDED = _FoldTable()


def tokens(text: str) -> Iterator[Term]:
    """The index terms of `text` in order: Han bigrams (lone Han unigrams) and words.

    Runs separated by anything but whitespace (punctuation, symbols) are one
    position further apart, so a phrase never matches across them: 党建，建设
    does not contain 党建设.  Runs that merely touch (2021年) or are separated by
    spaces stay adjacent.
    """
    position = 0
    previous_end = 0
    folded = normalize(text)
    for run in _RUNS.finditer(folded):
        if position and folded[previous_end : run.start()].strip():
            position += 1
        previous_end = run.end()
        if run.lastgroup == "word":
            yield Term(run.group(), position, run.start(), run.end())
            position += 1
            continue
        han, offset = run.group(), run.start()
        if len(han) == 1:
            yield Term(han, position, offset, offset + 1)
            position += 1
            continue
        for i in range(len(han) - 1):
            yield Term(han[i : i + 2], position, offset + i, offset + i + 2)
            position += 1


def term_positions(
    text: str, trigrams: dict[str, list[int]] | None = None, start: int = 0
) -> dict[str, list[int]]:
    """Each term of `text` with its positions, in first-occurrence order: `tokens()` grouped.

    What an index needs of a text, without the character offsets and the
    objects `tokens()` makes for each term: the Whoosh index and the static
    export call this for every article, so it is the one hot loop of a build.
    A test holds it to `tokens()` on arbitrary text.

    Given a dict, `trigrams` also receives the text's three-character terms,
    each at the position of its first bigram.  A trigram stands where two
    bigram tokens follow each other and share the middle character: inside
    every Han run, and across a space where two runs happen to chain (党建
    建设).  That is exactly what a phrase of those two bigrams matches, so the
    static search page may match a Chinese phrase by overlapping trigrams —
    fewer and far rarer terms to fetch — and find what Whoosh finds.

    Positions count from `start` (the static export numbers a body after
    its title).
    """
    found: dict[str, list[int]] = {}
    position = start
    previous_end = 0
    folded = normalize(text)
    last_pair = ""  # the previous run's last bigram, if that run was Han
    for run in _RUNS.finditer(folded):
        if position > start and folded[previous_end : run.start()].strip():
            position += 1
            last_pair = ""
        previous_end = run.end()
        piece = run.group()
        if run.lastgroup == "word" or len(piece) == 1:
            found.setdefault(piece, []).append(position)
            position += 1
            last_pair = ""
            continue
        size = len(piece)
        for i in range(size - 1):
            found.setdefault(piece[i : i + 2], []).append(position + i)
        if trigrams is not None:
            if last_pair and last_pair[1] == piece[0]:
                trigrams.setdefault(last_pair + piece[1], []).append(position - 1)
            for i in range(size - 2):
                trigrams.setdefault(piece[i : i + 3], []).append(position + i)
            last_pair = piece[-2:]
        position += size - 1
    return found


def is_han_run(text: str) -> bool:
    """Whether `text` is Chinese characters only (searched as a phrase of its bigrams)."""
    return bool(text) and re.fullmatch(f"[{HAN}]+", text) is not None


class CJKBigramAnalyzer(Analyzer):
    """Whoosh analyzer over `tokens()`: positions and character offsets as Whoosh wants them.

    `archive_search.postings.BigramPositions` indexes through `term_positions`
    instead, the same terms at the same positions without a Token per term.
    """

    term_positions = staticmethod(term_positions)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CJKBigramAnalyzer)

    def __hash__(self) -> int:
        return hash(CJKBigramAnalyzer)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for term in tokens(value):
            token.text = term.text
            token.boost = 1.0
            if keeporiginal:
                token.original = term.text
            token.stopped = False
            if positions:
                token.pos = start_pos + term.position
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token
