"""Ground truth for the HTML extract stage, rebuilt from selectors at run time.

The development pages (../shared/pages/articles) belong to their publishers,
so the repository keeps no copy of their text: bench/truth/pages.toml records,
per page, CSS selectors for the true body nodes and for chrome inside them.
This module turns a page plus its record into the true body text, and into
the text that lies outside the body (to detect chrome leaking into an
extractor's output).  Both the quality bench and the tests use it.

Comparison is on characters after NFKC folding and removing all whitespace, so
neither line breaking nor full/half-width forms count as differences.  The
overlap is difflib.SequenceMatcher's matching blocks (without the autojunk
heuristic): an approximation of the longest common subsequence that is exact
whenever the two texts differ by inserted or deleted runs, which is what body
extraction errors are, and fast enough on 10,000-character bodies where a
quadratic DP is not.
"""

from __future__ import annotations

import os
import tomllib
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from lxml import etree
from lxml.cssselect import CSSSelector

TRUTH_FILE = Path(__file__).parent / "truth" / "pages.toml"
PAGES_DIR = Path(
    os.environ.get(
        "GRASSROOTS_PAGES", Path(__file__).resolve().parents[2] / "shared" / "pages" / "articles"
    )
)
LEAK_MIN_CHARS = 10
INVISIBLE_TAGS = ("script", "style", "noscript", "template", "head", "title")


@dataclass
class Record:
    """One page's truth as written in pages.toml."""

    file: str
    title: str
    body: list[str]
    exclude: list[str] = field(default_factory=list)
    date: str | None = None
    author: str | None = None
    note: str | None = None


@dataclass
class Truth:
    """The true body of one page and the text segments that lie outside it."""

    record: Record
    body: str
    outside: list[str]


def load_records(path: Path = TRUTH_FILE) -> list[Record]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return [Record(**entry) for entry in data["page"]]


def decode(content: bytes) -> str:
    """UTF-8 when it is; otherwise what charset-normalizer finds (GBK pages)."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(content).best()
        return str(best) if best is not None else content.decode("gb18030", errors="replace")


def read_page(record: Record, pages_dir: Path = PAGES_DIR) -> str:
    return decode((pages_dir / record.file).read_bytes())


def normalize(text: str) -> str:
    """NFKC-fold and drop all whitespace: the form every comparison uses."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _visible_tree(html: str) -> etree._Element:
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8")
    root = etree.fromstring(html.encode("utf-8"), parser)
    etree.strip_elements(root, *INVISIBLE_TAGS, with_tail=False)
    for el in root.xpath("//*[@hidden or contains(translate(@style,' ',''),'display:none')]"):
        parent = el.getparent()
        if parent is not None:
            _remove_keep_tail(el)
    return root


def _remove_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _select(root: etree._Element, selectors: list[str]) -> list[etree._Element]:
    found: dict[etree._Element, None] = {}
    for selector in selectors:
        for el in CSSSelector(selector)(root):
            found[el] = None
    return list(found)


def build_truth(html: str, record: Record) -> Truth:
    """Apply the record's selectors; raise if a body selector matches nothing."""
    root = _visible_tree(html)
    body_nodes = _select(root, record.body)
    if not body_nodes:
        raise ValueError(f"{record.file}: body selectors {record.body} match nothing")
    chosen = set(body_nodes)
    # Keep only outermost nodes, in document order.
    body_nodes = [el for el in root.iter() if el in chosen]
    body_nodes = [el for el in body_nodes if not any(a in chosen for a in el.iterancestors())]
    excluded = set(_select(root, record.exclude))

    inside: dict[etree._Element, bool] = {}
    for el in root.iter():
        parent = el.getparent()
        state = inside.get(parent, False) if parent is not None else False
        if el in chosen and not any(a in chosen for a in el.iterancestors()):
            state = True
        if el in excluded:
            state = False
        inside[el] = state

    body_parts: list[str] = []
    outside: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        pieces = [(el.text, inside[el])]
        parent = el.getparent()
        if parent is not None:
            pieces.append((el.tail, inside[parent]))
        for text, is_body in pieces:
            if not text or not text.strip():
                continue
            if is_body:
                body_parts.append(text)
            else:
                outside.append(normalize(text))
    body = normalize("".join(body_parts))
    segments = [s for s in dict.fromkeys(outside) if len(s) > LEAK_MIN_CHARS and s not in body]
    return Truth(record=record, body=body, outside=segments)


def overlap(predicted: str, truth: str) -> int:
    """Characters in common, in order (SequenceMatcher matching blocks; see module doc)."""
    if not predicted or not truth:
        return 0
    matcher = SequenceMatcher(None, predicted, truth, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def f1(predicted: str, truth: str) -> float:
    """Character F1 of two texts after normalize()."""
    a, b = normalize(predicted), normalize(truth)
    common = overlap(a, b)
    if not common:
        return 0.0
    precision, recall = common / len(a), common / len(b)
    return 2 * precision * recall / (precision + recall)


def leaks(predicted: str, truth: Truth) -> list[str]:
    """Outside-the-body segments (over LEAK_MIN_CHARS, absent from the truth) found in output."""
    text = normalize(predicted)
    return [segment for segment in truth.outside if segment in text]
