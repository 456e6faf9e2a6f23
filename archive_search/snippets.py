"""Snippets: the passage of a body around its first match, matches marked."""

from __future__ import annotations

import html
import itertools
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from whoosh.analysis import Token
from whoosh.highlight import ContextFragmenter, Formatter

from .analysis import is_han_run, tokens
from .query_language import All, Any_, Node, Not, Words, is_single_han

SNIPPET_CHARS = 80  # the longest snippet, in characters
SNIPPET_SURROUND = 30  # context before and after the first match
SNIPPET_WINDOW = 240  # characters after the scan start tried first (see `snippet`)

# Snippets


def patterns(node: Node, negated: bool = False) -> Iterator[Words]:
    """The words and phrases a matching document contains (those under NOT excluded)."""
    if isinstance(node, Words) and not negated:
        yield node
    elif isinstance(node, Not):
        yield from patterns(node.child, not negated)
    elif isinstance(node, All | Any_):
        for child in node.children:
            yield from patterns(child, negated)


class _MarkFormatter(Formatter):
    """Whoosh formatter: the fragment HTML-escaped, matches in <mark>, line breaks as spaces."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text.replace("\n", " "), quote=False)

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{self._text(text[token.startchar : token.endchar])}</mark>"


_FRAGMENTER = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SNIPPET_SURROUND, charlimit=None)
_FORMATTER = _MarkFormatter()


def _match_spans(
    text: str, phrases: Sequence[Words], chars: set[str]
) -> Iterator[tuple[int, int, int]]:
    """(start, end, safe) for each occurrence of a phrase or character, lazily, in token order.

    Tokens come from `tokens()`, so a phrase is found exactly where the index
    finds it; `safe` is an offset before which no later occurrence can start
    (start -1 when the item only moves `safe` on).
    """
    longest = max((len(p.terms) for p in phrases), default=1)
    window: deque = deque(maxlen=longest)
    for term in tokens(text):
        window.append(term)
        for phrase in phrases:
            size = len(phrase.terms)
            if size > len(window):
                continue
            first = window[len(window) - size]
            positions = phrase.positions or range(size)
            if all(
                window[len(window) - size + k].text == phrase.terms[k]
                and window[len(window) - size + k].position - first.position == positions[k]
                for k in range(size)
            ):
                yield first.start, term.end, window[0].start
        if chars:
            for k, ch in enumerate(term.text):
                if ch in chars:
                    yield term.start + k, term.start + k + 1, window[0].start
        yield -1, -1, window[0].start
    yield -1, -1, len(text) + 1


def _marked_tokens(text: str, phrases: Sequence[Words], chars: set[str]) -> Iterator[Token]:
    """Whoosh tokens over `text`: one per character, each merged match as one matched token."""
    pending: list[list[int]] = []  # matched spans not yet emitted, sorted and merged
    pos = 0
    # One token reused for every unmatched character, as Whoosh's analyzers do:
    # the fragmenter copies only matched tokens and reads the others' offsets.
    plain = Token(startchar=0, endchar=0, matched=False, text="")
    for start, end, safe in _match_spans(text, phrases, chars):
        if start >= 0:
            pending.append([start, end])
            pending.sort()
            merged = [pending[0]]
            for span in pending[1:]:
                if span[0] <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], span[1])
                else:
                    merged.append(span)
            pending = merged
        while pos < min(safe, len(text)):
            if pending and pending[0][0] <= pos:
                if pending[0][1] >= safe:
                    break  # a later match may still extend this one
                span_start, span_end = pending.pop(0)
                yield Token(startchar=span_start, endchar=span_end, matched=True, text="")
                pos = span_end
                continue
            limit = min(safe, len(text), pending[0][0]) if pending else min(safe, len(text))
            while pos < limit:
                plain.startchar, plain.endchar = pos, pos + 1
                yield plain
                pos += 1


def _scan_start(body: str, phrases: Sequence[Words], chars: set[str]) -> int:
    """Where to start looking for the first match: a little before the earliest literal hit.

    Tokenizing a whole long body for every hit is the slow part of a search;
    `str.find` of each pattern's text (a Han phrase as its string, otherwise
    its first token) is a lower bound of where that pattern first matches,
    unless the body spells it with characters `tokens()` folds (full-width
    letters, compatibility ideographs), in which case the snippet shows a
    later match.
    """
    lowered = body.lower()
    if len(lowered) != len(body):
        return 0
    found = []
    for words in phrases:
        phrase = words.terms
        consecutive = not words.positions or words.positions[-1] == len(phrase) - 1
        if (
            consecutive
            and all(len(t) == 2 and is_han_run(t) for t in phrase)
            and all(a[1] == b[0] for a, b in itertools.pairwise(phrase))
        ):
            literal = phrase[0] + "".join(t[1] for t in phrase[1:])
        else:
            literal = phrase[0]
        found.append(lowered.find(literal))
    found += [lowered.find(ch) for ch in chars]
    hits = [at for at in found if at >= 0]
    return max(0, min(hits) - SNIPPET_SURROUND - 2) if hits else 0


def snippet(body: str, node: Node, title: str = "", *, matches: bool = True) -> str:
    """HTML: ~80 characters of `body` around its first match, or its lead when it has none.

    `matches=False` says the body holds none of the query's words (the
    index knows it), and gives the lead without looking.
    """
    found = list(patterns(node))
    phrases = [w for w in found if w.scope == "any" and not is_single_han(w.terms)]
    chars = {w.terms[0] for w in found if w.scope == "any" and is_single_han(w.terms)}
    if matches and (phrases or chars):
        cut = _scan_start(body, phrases, chars)
        rest = len(body) - cut
        # Whoosh's fragmenter reads every token to the end of the text it is
        # given, so it first gets a window after the cut; a fragment ending
        # well inside the window is the one the whole text gives.
        for text in (body[cut : cut + SNIPPET_WINDOW], body[cut:]):
            fragments = _FRAGMENTER.fragment_tokens(text, _marked_tokens(text, phrases, chars))
            first = next(iter(fragments), None)
            if first is not None and (
                len(text) == rest or first.endchar + SNIPPET_CHARS <= len(text)
            ):
                html_text = _FORMATTER.format_fragment(first)
                before = "…" if cut + first.startchar > 0 else ""
                after = "…" if first.endchar < rest else ""
                return before + html_text.strip() + after
            if len(text) == rest:
                break
    lead = body or title
    more = "…" if len(lead) > SNIPPET_CHARS else ""
    return _FORMATTER._text(lead[:SNIPPET_CHARS]).strip() + more
