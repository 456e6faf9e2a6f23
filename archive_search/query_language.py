"""The query language of the archive's search: words, phrases, fields and operators.

The language itself, and the filters, are described in `archive_search.query`,
whose contract the command line, the Python API and the static search page
(theme/static/js/search.js) share.  This module only reads queries: it knows
nothing of Whoosh (`whoosh_query`), of matching (`matching`) or of snippets.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from .analysis import is_han_run, tokens

FILTER_FIELDS = {"tag": "tags", "place": "place", "site": "site", "year": "year"}
QUERY_FIELDS = (*FILTER_FIELDS, "title")
OPERATORS = ("AND", "OR", "NOT")
_FIELD_WORD = re.compile(rf"({'|'.join(QUERY_FIELDS)}):(.*)", re.DOTALL)
_YEAR = re.compile(r"\d{4}")
_DAY_FILTER = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class SearchError(Exception):
    """Base of the errors a search reports to its user (never a traceback)."""


class QueryError(SearchError, ValueError):
    """The query or a filter cannot be understood; the message says why, in Chinese and English."""


# The parsed query: a small tree, independent of Whoosh.


@dataclass(frozen=True)
class Words:
    """A word or quoted phrase; `scope` is "any" (title or body) or "title"."""

    terms: tuple[str, ...]  # its tokens
    scope: str = "any"
    positions: tuple[int, ...] = ()  # of each token, from 0: gaps where punctuation was


@dataclass(frozen=True)
class FieldIs:
    """An exact `tag:`, `place:`, `site:` or `year:` condition."""

    name: str
    value: str


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class All:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    children: tuple[Node, ...]


Node = Words | FieldIs | Not | All | Any_


# Lexing


@dataclass(frozen=True)
class _Lexeme:
    kind: str  # "word", "op", "(", ")"
    node: Node | None = None
    text: str = ""


def _lex(text: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Lexeme(ch, text=ch))
            i += 1
        elif ch == '"':
            phrase, i = _quoted(text, i)
            _append_words(out, phrase, "any")
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in '()"':
                i += 1
            word = text[start:i]
            if word in OPERATORS:
                out.append(_Lexeme("op", text=word))
                continue
            match = _FIELD_WORD.fullmatch(word)
            if not match:
                _append_words(out, word, "any")
                continue
            name, value = match.groups()
            if not value and i < n and text[i] == '"':
                value, i = _quoted(text, i)
            elif not value:
                raise query_error("field_needs_value", name=name)
            if name == "title":
                _append_words(out, value, "title")
                continue
            value = value.strip()
            if name == "year" and not _YEAR.fullmatch(value):
                raise query_error("year_digits", value=value)
            out.append(_Lexeme("word", FieldIs(name, value), word))
    return out


def _quoted(text: str, start: int) -> tuple[str, int]:
    end = text.find('"', start + 1)
    if end < 0:
        raise query_error("unbalanced_quote")
    return text[start + 1 : end], end + 1


def _append_words(out: list[_Lexeme], text: str, scope: str) -> None:
    found = list(tokens(text))
    if found:  # punctuation alone is ignored, as if not typed
        terms = tuple(term.text for term in found)
        positions = tuple(term.position - found[0].position for term in found)
        out.append(_Lexeme("word", Words(terms, scope, positions), text))


# Parsing: and_expr := or_expr ([AND] or_expr)*; or_expr := unary (OR unary)*;
# unary := NOT unary | "(" and_expr ")" | item


class _Parser:
    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self.lexemes = lexemes
        self.i = 0

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.i] if self.i < len(self.lexemes) else None

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.i]
        self.i += 1
        return lexeme

    def parse(self) -> Node:
        node = self.and_expr()
        extra = self.peek()
        if extra is not None:
            if extra.kind == ")":
                raise query_error("extra_close")
            raise query_error("unexpected", text=extra.text)
        return node

    def and_expr(self) -> Node:
        children = [self.or_expr()]
        while (lexeme := self.peek()) is not None and lexeme.kind != ")":
            if lexeme.kind == "op" and lexeme.text == "AND":
                self.take()
                if self.peek() is None or self.peek().kind == ")":  # type: ignore[union-attr]
                    raise query_error("needs_after", op="AND")
            children.append(self.or_expr())
        return children[0] if len(children) == 1 else All(tuple(children))

    def or_expr(self) -> Node:
        children = [self.unary()]
        while (lexeme := self.peek()) is not None and lexeme.kind == "op" and lexeme.text == "OR":
            self.take()
            children.append(self.unary("OR"))
        return children[0] if len(children) == 1 else Any_(tuple(children))

    def unary(self, after: str = "") -> Node:
        lexeme = self.peek()
        if lexeme is None or lexeme.kind == ")":
            if after:
                raise query_error("needs_after", op=after)
            if lexeme is None:
                raise query_error("nothing_left")
            raise query_error("empty_or_unbalanced")
        self.take()
        if lexeme.kind == "op":
            if lexeme.text == "NOT":
                return Not(self.unary("NOT"))
            raise query_error("needs_before", op=lexeme.text)
        if lexeme.kind == "(":
            if (inner := self.peek()) is not None and inner.kind == ")":
                raise query_error("empty_parentheses")
            node = self.and_expr()
            closing = self.peek()
            if closing is None:
                raise query_error("unclosed")
            self.take()
            return node
        assert lexeme.node is not None
        return lexeme.node


# Longer queries are refused, here and on the search page: a query's cost
# grows with its words, and a link can carry any q=.
MAX_QUERY_CHARS = 200

# Every message a malformed query gets, Chinese then English, with {fields}.
# The search page shows the same: the export writes this table and
# MAX_QUERY_CHARS into the manifest it reads (`contract`).
MESSAGES = {
    "empty": "请输入检索词 / the query is empty",
    "too_long": "检索式过长（最多 {max} 字）/ the query is longer than {max} characters",
    "no_terms": "检索式中没有可检索的字词 / nothing to search for (only punctuation)",
    "unbalanced_quote": '引号不成对 / unbalanced quote: a phrase opened with " is not closed',
    "field_needs_value": "“{name}:” 后面缺少值 / `{name}:` needs a value (no space after :)",
    "year_digits": "year: 需要四位数字的年份，而不是“{value}” / year: needs 4 digits",
    "extra_close": "右括号多余 / unbalanced parenthesis: ) without (",
    "unexpected": "无法理解“{text}” / unexpected “{text}”",
    "needs_after": "{op} 后面缺少检索词 / {op} needs something after it",
    "needs_before": "{op} 前面缺少检索词 / {op} needs something before it",
    "nothing_left": "检索式为空 / empty query",
    "empty_or_unbalanced": "括号内为空或右括号多余 / empty or unbalanced parentheses",
    "empty_parentheses": "括号内为空 / empty parentheses ()",
    "unclosed": "括号不成对 / unbalanced parenthesis: ( is not closed",
    "bad_date": (
        "日期“{value}”无法识别，请用 YYYY-MM-DD / unreadable date “{value}”, use YYYY-MM-DD"
    ),
    "no_such_date": "日期“{value}”不存在 / no such date “{value}”",
}


def query_error(key: str, **fields: object) -> QueryError:
    """The QueryError of MESSAGES[key], its fields filled in."""
    return QueryError(MESSAGES[key].format(**fields))


def contract() -> dict[str, object]:
    """What the search page must know of the query language that is not its grammar."""
    return {
        "max_query_chars": MAX_QUERY_CHARS,
        "fields": list(QUERY_FIELDS),
        "operators": list(OPERATORS),
        "messages": MESSAGES,
    }


def parse(text: str) -> Node:
    """The query tree of `text` (QueryError if it is empty, too long or malformed)."""
    if not text or not text.strip():
        raise query_error("empty")
    if len(text) > MAX_QUERY_CHARS:
        raise query_error("too_long", max=MAX_QUERY_CHARS)
    lexemes = _lex(text)
    if not lexemes:
        raise query_error("no_terms")
    return _Parser(lexemes).parse()


def day_bound(value: str | date | None, *, end: bool) -> str | None:
    """A date filter as the day it means (YYYY-MM-DD): a year or month is its first or last day."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    match = _DAY_FILTER.match(text)
    rest = text[match.end() :] if match else ""
    if not match or (rest and not (match.group(3) and rest[0] in "T ")):
        raise query_error("bad_date", value=value)
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        if day:
            return date(int(year), int(month), int(day)).isoformat()
        if month:
            last = calendar.monthrange(int(year), int(month))[1]
            return date(int(year), int(month), last if end else 1).isoformat()
        return f"{year}-12-31" if end else f"{year}-01-01"
    except ValueError as exc:
        raise query_error("no_such_date", value=value) from exc


@dataclass(frozen=True)
class Filters:
    """The keyword filters of a search, as given and with their date bounds made days.

    One value, hashable, so the result caches key on it; `search` builds it
    once, the matching (`matching`) and the Whoosh translation (`whoosh_query`)
    read it, and `given` is what the results report back.
    """

    tag: str | None = None
    place: str | None = None
    site: str | None = None
    # As given (reported back), not compared: "2021" and "2021-01-01" filter alike.
    date_from: str | date | None = field(default=None, compare=False)
    date_to: str | date | None = field(default=None, compare=False)
    start: str | None = None  # date_from as YYYY-MM-DD (a year or month: its first day)
    end: str | None = None  # date_to as YYYY-MM-DD (a year or month: its last day)

    @classmethod
    def of(
        cls,
        tag: str | None = None,
        place: str | None = None,
        site: str | None = None,
        date_from: str | date | None = None,
        date_to: str | date | None = None,
    ) -> Filters:
        """The filters of these keyword arguments (QueryError for a malformed date)."""
        start, end = day_bound(date_from, end=False), day_bound(date_to, end=True)
        return cls(tag, place, site, date_from, date_to, start, end)

    def terms(self) -> list[tuple[str, str]]:
        """(index field, value) of each keyword filter given, dates apart."""
        pairs = (("tags", self.tag), ("place", self.place), ("site", self.site))
        return [(fieldname, value) for fieldname, value in pairs if value]

    def given(self) -> dict[str, str]:
        """The filters as given, by name (what search results report)."""
        pairs = (("tag", self.tag), ("place", self.place), ("site", self.site),
                 ("date_from", self.date_from), ("date_to", self.date_to))  # fmt: skip
        return {name: str(value) for name, value in pairs if value}


def is_single_han(terms: tuple[str, ...]) -> bool:
    """Whether the words are one Han character: looked up among characters, not bigrams."""
    return len(terms) == 1 and len(terms[0]) == 1 and is_han_run(terms[0])
