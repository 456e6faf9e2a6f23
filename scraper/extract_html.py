"""HTML extract stage: title, body blocks, byline lines and declared metadata, by structure.

The body is found the way GeneralNewsExtractor and readability do it, tuned for
Chinese pages: every block of prose scores by its punctuation (Chinese sentences
are full of ，。、, navigation and link lists have none) and length, link text
scores nothing, and the score flows up to the containers.  The best container
wins, and sibling containers that also hold prose join it, so a body that a CMS
split across several <div>s, or a county page with dozens of <p> straight
under one <td>, comes out whole.

Inside the chosen container, page furniture is cut by what the DOM says it is
(tags such as <nav>, class/id names such as "share" or "breadcrumb", and link
density).  Those names live in data/html_chrome.toml.  Text-level chrome is the
business of the later clean stage; this stage only removes what the structure
reveals, plus the handful of edge lines (打印本页, 责任编辑 …) that county CMSs
put straight into the body container.

Everything uses lxml directly: a typical 100-400 KB portal page takes a few
milliseconds (see bench/extract_quality.py).
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree

from scraper import coherence
from scraper.models import Block, BlockKind, Extracted

RULES_PATH = Path(__file__).parent / "data" / "html_chrome.toml"

# Elements that start a new line of text; everything else is inline.
BLOCK_TAGS = frozenset(
    (
        *("address", "article", "aside", "blockquote", "body", "caption", "center", "dd"),
        *("details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure"),
        *("footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr"),
        *("html", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary"),
        *("table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"),
    )
)
# Paragraph-like blocks: their prose is credited to the container around them.
PARAGRAPH_TAGS = frozenset(
    ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "pre", "blockquote", "figcaption")
)
HEADING_TAGS = frozenset(("h2", "h3", "h4", "h5", "h6"))
TITLE_HEADINGS = HEADING_TAGS | {"h1"}
BOLD_TAGS = frozenset(("b", "strong"))
# Punctuation that marks running prose (Chinese and ASCII).
PUNCTUATION = frozenset("，。！？；：、“”‘’（）《》…—,.!?;:\"'()")
SENTENCE_END = "。！？!?"
# Separators between an article title and the site name in <title>.
TITLE_SEPARATOR = re.compile(r"(\s*(?:_|\||｜|–|—|--|-|·\s)\s*)")
SITE_WORD = re.compile(
    r"(网|網|频道|頻道|新闻|新聞|官网|官網|政府|门户|門戶|首页|首頁|中心|日报|日報|晚报|晚報|在线|"
    r"在線|客户端|客戶端|平台|资讯|資訊|\.com|\.cn|\.net|"
    r"[A-Za-z]{3,})"
)
# A site name leading the <title>: only names that end like one, never a headline.
SITE_PREFIX = re.compile(r"^.{2,18}(网|網|网站|網站|政府|门户|門戶)$")
MAX_INFO_LINE = 120
MIN_UNIT_CHARS = 10


@dataclass(frozen=True)
class Rules:
    """The data file, compiled once per process."""

    drop_tags: tuple[str, ...]
    scan_attributes: tuple[str, ...]
    chrome_tags: frozenset[str]
    chrome_attr: re.Pattern[str]
    keep_attr: re.Pattern[str]
    caption_attr: re.Pattern[str]
    edge_lines: re.Pattern[str]
    edge_paragraphs: re.Pattern[str]
    info_labels: re.Pattern[str]
    info_date: re.Pattern[str]
    meta_keys: dict[str, str]


@lru_cache(maxsize=1)
def load_rules(path: Path = RULES_PATH) -> Rules:
    """Read html_chrome.toml; cached because every page needs the same rules."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)

    def any_of(patterns: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)

    meta_keys: dict[str, str] = {}
    for key, names in data["meta"].items():
        for name in names:
            meta_keys.setdefault(name.lower(), key)
    return Rules(
        drop_tags=tuple(data["tags"]["drop"]),
        scan_attributes=tuple(data["attributes"]["scan"]),
        chrome_tags=frozenset(data["tags"]["chrome"]),
        chrome_attr=any_of(data["attributes"]["chrome"]),
        keep_attr=any_of(data["attributes"]["keep"]),
        caption_attr=any_of(data["attributes"]["caption"]),
        edge_lines=any_of(data["text"]["edge_lines"]),
        edge_paragraphs=any_of(data["text"]["edge_paragraphs"]),
        info_labels=re.compile(data["text"]["info_labels"]),
        info_date=re.compile(data["text"]["info_date"]),
        meta_keys=meta_keys,
    )


# --------------------------------------------------------------------------- parsing


def _parse(html: str) -> etree._Element | None:
    """Parse leniently into plain lxml elements.

    Plain etree elements, not lxml.html's HtmlElement: the per-element class
    lookup of lxml.html costs more than the whole extraction on a portal page.
    lxml refuses str input that still declares an encoding, so that goes first.
    """
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    if not html.strip():
        return None
    try:
        return etree.fromstring(html, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
# libxml2 stops building the tree 256 elements deep and drops what is below:
# a page nested deeper (a broken template repeating <div> or <font>) would
# lose its text.  Such a page is read again without its layout wrappers.
MAX_DEPTH = 250
_WRAPPERS = re.compile(r"</?(?:div|span|font|center|section|article|b|i|u|strong|em)\b[^>]*>", re.I)


def _deepest(root: etree._Element) -> int:
    """The depth of the deepest element (iteratively: the tree may be absurdly deep)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    return deepest


def _parse_flat_if_deep(html: str) -> tuple[etree._Element | None, str | None]:
    """The parsed page, and a warning when it had to be flattened to keep its text."""
    root = _parse(html)
    if root is None or _deepest(root) < MAX_DEPTH:
        return root, None
    flat = _parse(_WRAPPERS.sub("", html))
    return flat, f"elements nested deeper than {MAX_DEPTH} levels: read without layout tags"


def _text(el: etree._Element) -> str:
    return "".join(el.itertext())


def _drop(el: etree._Element) -> None:
    """Remove an element but keep its tail text, like lxml.html's drop_tree."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style) and re.search(r"display\s*:\s*none", style, re.IGNORECASE) is not None


def _clean(doc: etree._Element, rules: Rules) -> None:
    """Remove what is never text: scripts, widgets, comments, hidden elements, small forms."""
    etree.strip_elements(doc, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    etree.strip_elements(doc, *rules.drop_tags, with_tail=False)
    doomed = [el for el in doc.xpath("//*[@hidden or @style]") if _is_hidden(el)]
    doomed += [form for form in doc.iter("form") if len(_squash(_text(form))) < 200]
    for el in doomed:
        _drop(el)


def _squash(text: str) -> str:
    return "".join(text.split())


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


_NO_PUNCTUATION = str.maketrans("", "", "".join(PUNCTUATION))


def _punctuation(text: str) -> int:
    return len(text) - len(text.translate(_NO_PUNCTUATION))


# --------------------------------------------------------------------------- measuring


@dataclass
class _Stats:
    """Per-block text measures; `own_*` are for the block's inline text only."""

    own_chars: int = 0
    own_link: int = 0
    own_punct: int = 0
    chars: int = 0
    link: int = 0
    punct: int = 0


@dataclass
class _Page:
    """The measured DOM of one page."""

    body: etree._Element
    order: dict[etree._Element, int]
    block_of: dict[etree._Element, etree._Element]
    stats: dict[etree._Element, _Stats]
    chrome_memo: dict[etree._Element, bool] = field(default_factory=dict)


def _measure(body: etree._Element) -> _Page:
    """Credit every text node to its nearest block ancestor, then total per subtree.

    This loop visits every element of the page, so it is written for speed:
    whitespace-only text is skipped before any work, and counts are inlined.
    """
    order: dict[etree._Element, int] = {}
    block_of: dict[etree._Element, etree._Element] = {}
    in_link: dict[etree._Element, bool] = {}
    stats: dict[etree._Element, _Stats] = {}
    block_tags = BLOCK_TAGS
    no_punct = _NO_PUNCTUATION
    for index, el in enumerate(body.iter(etree.Element)):
        order[el] = index
        parent = el.getparent()
        tag = el.tag
        if tag in block_tags or el is body:
            block = el
            stats[el] = _Stats()
        else:
            block = block_of[parent]
        block_of[el] = block
        link = tag == "a" or (parent is not None and in_link.get(parent, False))
        in_link[el] = link
        for text, target, is_link in (
            (el.text, block, link),
            (el.tail, block_of.get(parent) if parent is not None else None, in_link.get(parent)),
        ):
            if not text or target is None or text.isspace():
                continue
            text = "".join(text.split())
            st = stats[target]
            st.own_chars += len(text)
            if is_link:
                st.own_link += len(text)
            else:
                st.own_punct += len(text) - len(text.translate(no_punct))
    for el in reversed(list(stats)):
        st = stats[el]
        st.chars += st.own_chars
        st.link += st.own_link
        st.punct += st.own_punct
        parent = el.getparent()
        if el is not body and parent is not None:
            up = stats[block_of[parent]]
            up.chars += st.chars
            up.link += st.link
            up.punct += st.punct
    return _Page(body=body, order=order, block_of=block_of, stats=stats)


def _attr_text(el: etree._Element) -> str:
    """The attribute values that name an element's role (class, id, and a few more)."""
    get = el.get
    return " ".join(value for name in load_rules().scan_attributes if (value := get(name)))


@lru_cache(maxsize=4096)
def _names_are_chrome(names: str) -> bool:
    """Class/id strings repeat a lot within and across pages, so the answer is cached."""
    rules = load_rules()
    return rules.chrome_attr.search(names) is not None and not rules.keep_attr.search(names)


def _is_chrome(page: _Page, el: etree._Element) -> bool:
    """Furniture by tag or class/id, unless it holds most of the page's prose.

    The guard matters: 163.com wraps the whole article in div.post_header, some
    county CMSs in <header>; cutting those would cut the body.  Decided lazily
    and memoised: only the ancestors of prose and the chosen body are ever asked,
    a small part of a portal page's thousands of elements.
    """
    known = page.chrome_memo.get(el)
    if known is not None:
        return known
    rules = load_rules()
    answer = False
    if el is not page.body:
        names = _attr_text(el)
        by_tag = el.tag in rules.chrome_tags
        if (names and _names_are_chrome(names)) or (
            by_tag and not (names and rules.keep_attr.search(names))
        ):
            st = page.stats.get(el)
            total = max(page.stats[page.body].punct, 1)
            answer = st is None or st.punct <= 0.4 * total
    page.chrome_memo[el] = answer
    return answer


def _in_chrome(page: _Page, el: etree._Element, cache: dict[etree._Element, bool]) -> bool:
    """True when el or an ancestor is flagged; memoised over the walk up."""
    path = []
    node: etree._Element | None = el
    answer = False
    while node is not None:
        if node in cache:
            answer = cache[node]
            break
        if _is_chrome(page, node):
            answer = True
            break
        path.append(node)
        node = node.getparent()
    for visited in path:
        cache[visited] = answer
    return answer


# --------------------------------------------------------------------------- body choice


def _link_density(st: _Stats) -> float:
    return st.link / st.chars if st.chars else 0.0


def _score_candidates(page: _Page) -> dict[etree._Element, float]:
    """Readability-style credit: each prose block feeds its container and two ancestors."""
    scores: dict[etree._Element, float] = {}
    chrome_cache: dict[etree._Element, bool] = {}
    for el, st in page.stats.items():
        prose = st.own_chars - st.own_link
        if prose < MIN_UNIT_CHARS or st.own_link > st.own_chars * 0.5:
            continue
        if _in_chrome(page, el, chrome_cache):
            continue
        unit = st.own_punct + min(prose / 100, 3.0)
        node = el.getparent() if el.tag in PARAGRAPH_TAGS else el
        for weight in (1.0, 0.5, 0.25):
            if node is None:
                break
            scores[node] = scores.get(node, 0.0) + unit * weight
            node = node.getparent()
    for node in scores:
        st = page.stats.get(node)
        if st is not None:
            scores[node] *= 1.0 - _link_density(st)
    return scores


def _prose(el: etree._Element, skip: etree._Element | None) -> str:
    """An element's text without the headline element inside it (if any)."""
    if skip is None or (skip is not el and el not in skip.iterancestors()):
        return _text(el)
    return "".join(
        text
        for node in el.iter()
        if skip is not node and skip not in node.iterancestors()
        for text in (node.text, None if node is el else node.tail)
        if text
    )


def _top_for_title(
    page: _Page,
    scores: dict[etree._Element, float],
    title: str | None,
    title_el: etree._Element | None,
) -> etree._Element:
    """The best-scored container, unless it tells another story than the headline's.

    Pages append the next story (a "下一篇" block, endless scrolling), often
    longer than the page's own: when the top container shares little with
    the headline and another well-scored container, not inside it nor around
    it, shares much more, that one is the article.
    """
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    top = ranked[0]
    mine = coherence.overlap(title, _prose(top, title_el))
    if mine is None or mine >= coherence.LOW:
        return top
    floor = scores[top] * _ALTERNATIVE_SHARE
    for other in ranked[1:_ALTERNATIVES]:
        if scores[other] < floor:
            break
        if other in top.iterancestors() or top in other.iterancestors():
            continue
        theirs = coherence.overlap(title, _prose(other, title_el)) or 0.0
        if theirs >= coherence.GOOD and theirs >= 2 * mine:
            return other
    return top


_ALTERNATIVES = 12
_ALTERNATIVE_SHARE = 0.05
_STORY_HEADINGS = ("h1", "h2")
_MIN_STORY_HEADING = 6


def _is_other_story(el: etree._Element, title: str | None, rules: Rules) -> bool:
    """A sibling that opens with a headline of its own (an h1/h2 that is not ours, and
    for an h2 a dated line beside it): the next story of an endless page."""
    for heading in el.iter(*_STORY_HEADINGS):
        text = _collapse(_text(heading))
        if len(_squash(text)) < _MIN_STORY_HEADING or _same_title(text, title):
            continue
        if heading.tag == "h1":
            return True
        return any(
            rules.info_date.search(_collapse(_text(node)))
            for node in el.iter()
            if node is not heading and len(_squash(_text(node))) <= MAX_INFO_LINE
        )
    return False


def _choose_body(
    page: _Page,
    scores: dict[etree._Element, float],
    title: str | None = None,
    title_el: etree._Element | None = None,
) -> list[etree._Element]:
    """The best container for the headline plus its siblings that also carry prose, in order."""
    if not scores:
        return []
    top = _top_for_title(page, scores, title, title_el)
    best = scores[top]
    parent = top.getparent()
    if parent is None or top is page.body:
        return [top]
    threshold = max(3.0, best * 0.2)
    rules = load_rules()
    siblings = [el for el in parent if isinstance(el.tag, str)]
    at = siblings.index(top)
    # Stories of their own before or after ours end the stretch that may join it.
    first_ok = next(
        (i + 1 for i in range(at - 1, -1, -1) if _is_other_story(siblings[i], title, rules)), 0
    )
    last_ok = next(
        (i for i in range(at + 1, len(siblings)) if _is_other_story(siblings[i], title, rules)),
        len(siblings),
    )
    siblings = siblings[first_ok:last_ok]
    chosen = []
    for sib in siblings:
        if sib is top:
            chosen.append(sib)
            continue
        st = page.stats.get(page.block_of.get(sib, sib))
        if st is None or _is_chrome(page, sib) or sib.tag not in BLOCK_TAGS:
            continue
        if _link_density(st) > 0.3:
            continue
        if scores.get(sib, 0.0) >= threshold or (
            sib.tag in PARAGRAPH_TAGS and st.chars - st.link >= 60 and st.punct >= 3
        ):
            chosen.append(sib)
    # Fill gaps: short paragraphs and subheadings between two chosen siblings belong too.
    first, last = siblings.index(chosen[0]), siblings.index(chosen[-1])
    filled = []
    for sib in siblings[first : last + 1]:
        st = page.stats.get(sib)
        if sib in chosen or (
            st is not None
            and not _is_chrome(page, sib)
            and st.chars > 0
            and _link_density(st) <= 0.5
        ):
            filled.append(sib)
    return filled


# --------------------------------------------------------------------------- emitting lines


@dataclass
class _Line:
    text: str
    heading: bool = False
    bold: bool = False
    centered: bool = False
    caption: bool = False
    after_image: bool = False


@dataclass
class _Emitter:
    """Walks chosen containers and turns inline runs into lines (<br> and blocks break)."""

    page: _Page
    rules: Rules
    lines: list[_Line] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    bold_chars: int = 0
    bold_depth: int = 0
    context: list[tuple[bool, bool, bool]] = field(default_factory=list)
    image_pending: bool = False

    def flush(self) -> None:
        text = _collapse("".join(self.parts))
        if text:
            heading = any(c[0] for c in self.context)
            centered = any(c[1] for c in self.context)
            caption = any(c[2] for c in self.context)
            bold = self.bold_chars >= len(_squash(text)) > 0
            self.lines.append(
                _Line(text, heading, bold, centered, caption, after_image=self.image_pending)
            )
            self.image_pending = False
        self.parts = []
        self.bold_chars = 0

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)
            if self.bold_depth:
                self.bold_chars += len(_squash(text))

    def walk(self, el: etree._Element) -> None:
        tag = el.tag
        if not isinstance(tag, str) or _is_chrome(self.page, el):
            return
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            self.flush()
            self.image_pending = True
            return
        st = self.page.stats.get(el)
        is_block = st is not None
        if is_block:
            if st.chars and st.link > 0.5 * st.chars:
                return  # a block that is mostly links is navigation
            self.flush()
            style = (el.get("style") or "").replace(" ", "").lower()
            centered = (
                "text-align:center" in style
                or (el.get("align") or "").lower() == "center"
                or tag == "center"
            )
            names = _attr_text(el)
            caption = tag == "figcaption" or bool(names and self.rules.caption_attr.search(names))
            self.context.append((tag in HEADING_TAGS, centered, caption))
        bold = tag in BOLD_TAGS or re.search(
            r"font-weight\s*:\s*(bold|[6-9]00)", el.get("style") or ""
        )
        if bold:
            self.bold_depth += 1
        self.add(el.text)
        for child in el:
            self.walk(child)
            self.add(child.tail)
        if bold:
            self.bold_depth -= 1
        if is_block:
            self.flush()
            self.context.pop()


def _classify(line: _Line) -> BlockKind:
    text = line.text
    length = len(_squash(text))
    if line.caption and length <= 120:
        return "caption"
    if line.after_image and (
        (line.centered and length <= 80) or (length <= 40 and not text.endswith(("。", "；")))
    ):
        return "caption"
    if (line.heading or line.bold) and length <= 40 and not text.endswith(("。", "，", "；")):
        return "heading"
    return "para"


# --------------------------------------------------------------------------- info lines


def _is_info_line(text: str, rules: Rules) -> bool:
    """A byline/date/source line: labelled or dated, short, and not a sentence."""
    if len(text) > MAX_INFO_LINE or any(ch in text for ch in SENTENCE_END):
        return False
    if text.count("，") > 1:
        return False
    return bool(rules.info_labels.search(text) or rules.info_date.search(text))


def _same_title(text: str, title: str | None) -> bool:
    """The line repeats the title (or most of it), and adds nothing like "原标题："."""
    if not title:
        return False
    a, b = _squash(text), _squash(title)
    if not a:
        return False
    return a == b or (a in b and len(a) >= 0.6 * len(b)) or (b in a and len(a) - len(b) <= 2)


EDITOR_LINE = re.compile(r"^[（(【\[]?\s*(责任编辑|责编|编辑)\s*[:：]")
TAIL_WINDOW = 6


def _split_edges(
    lines: list[_Line], title: str | None, rules: Rules
) -> tuple[list[_Line], list[str], list[str]]:
    """Peel title repeats, byline lines and edge chrome off the start and end of the body.

    A 责任编辑 line near the end closes the article: whatever few lines follow it
    inside the container are widgets (a related story, a "back" link).
    """
    head_info: list[str] = []
    tail_info: list[str] = []
    start, end = 0, len(lines)
    while start < end:
        text = lines[start].text
        if start < 4 and _same_title(text, title):
            start += 1
        elif _is_info_line(text, rules):
            head_info.append(text)
            start += 1
        elif (rules.edge_lines.search(text) and len(text) <= 40) or rules.edge_paragraphs.search(
            text
        ):
            start += 1
        else:
            break
    for index in range(end - 1, max(start, end - TAIL_WINDOW) - 1, -1):
        if EDITOR_LINE.search(lines[index].text) and len(lines[index].text) <= 60:
            end = index + 1
            break
    while end > start:
        text = lines[end - 1].text
        if (rules.edge_lines.search(text) and len(text) <= 60) or rules.edge_paragraphs.search(
            text
        ):
            if rules.info_labels.search(text) and len(text) <= MAX_INFO_LINE:
                tail_info.insert(0, text)
            end -= 1
        elif _is_info_line(text, rules):
            tail_info.insert(0, text)
            end -= 1
        else:
            break
    return lines[start:end], head_info, tail_info


def _info_above(
    page: _Page, title_el: etree._Element | None, body_start: etree._Element, rules: Rules
) -> list[str]:
    """Byline lines in the leaf blocks between the title element and the body."""
    end = page.order[body_start]
    begin = page.order[title_el] + 1 if title_el is not None else max(0, end - 60)
    if end - begin > 400:
        begin = end - 400
    found: list[str] = []
    for el, index in page.order.items():
        if index < begin or index >= end or el not in page.stats or _is_chrome(page, el):
            continue
        if any(d is not el and d in page.stats for d in el.iter(etree.Element)):
            continue  # only leaf blocks, so a line is not reported twice
        if body_start in el.iterancestors():
            continue
        text = _collapse(_text(el))
        if text and _is_info_line(text, rules):
            found.append(text)
    return found


_DATED_TEXT = etree.XPath(
    r"//body//text()[re:test(., '(19|20)\d\d\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}')]",
    namespaces={"re": "http://exslt.org/regular-expressions"},
)
DATE_CLASS = re.compile(
    r"(^|[-_\s])(pub|publish|post|release|art|article|news)?[-_]?(time|date)", re.I
)
MAX_DATE_LINE = 80


def _dates_elsewhere(doc: etree._Element, rules: Rules) -> list[str]:
    """Date lines outside the byline area: "发布日期：…" in a footer table, a span.pub-time.

    Asked only when the page gave no dated line near its title, so related
    lists' dates cannot outrank the article's own.  A line must be labelled
    (发布日期：) or sit in an element whose class or id says it holds a date.
    """
    labelled: list[str] = []
    classed: list[str] = []
    for node in _DATED_TEXT(doc):
        parent = node.getparent()
        if parent is None:
            continue
        text = _collapse(_text(parent))
        if not text or len(text) > MAX_DATE_LINE:
            continue
        if rules.info_labels.search(text):
            labelled.append(text)
        elif any(DATE_CLASS.search(_attr_text(el)) for el in (parent, *parent.iterancestors())
                 if el.tag not in ("body", "html")):  # fmt: skip
            classed.append(text)
    return list(dict.fromkeys(labelled + classed))[:3]


# --------------------------------------------------------------------------- title and meta


def _declared_meta(doc: etree._Element, rules: Rules) -> dict[str, str]:
    """Values the page states outright: meta tags, itemprop, JSON-LD."""
    meta: dict[str, str] = {}
    for el in doc.iter("meta"):
        name = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = _collapse(el.get("content") or "")
        key = rules.meta_keys.get(name)
        if key and content and key not in meta:
            meta[key] = content
    for el in doc.xpath('//*[@itemprop="datePublished"]'):
        value = el.get("content") or el.get("datetime") or _collapse(_text(el))
        if value and "date" not in meta:
            meta["date"] = value
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        _json_ld(script.text or "", meta)
    return meta


def _json_ld(text: str, meta: dict[str, str]) -> None:
    try:
        data = json.loads(text, strict=False)
    except ValueError:
        match = re.search(r'"(?:datePublished|pubDate)"\s*:\s*"([^"]+)"', text)
        if match and "date" not in meta:
            meta["date"] = match.group(1).strip()
        return
    items = data if isinstance(data, list) else [data]
    for item in items:
        if not isinstance(item, dict):
            continue
        for field_name, key in (("datePublished", "date"), ("pubDate", "date")):
            value = item.get(field_name)
            if isinstance(value, str) and value.strip() and key not in meta:
                meta[key] = value.strip()
        author = item.get("author")
        if isinstance(author, dict):
            author = author.get("name")
        if isinstance(author, str) and author.strip() and "author" not in meta:
            meta["author"] = author.strip()


def _strip_site_suffix(raw: str) -> tuple[str, str | None]:
    """'标题_频道_新浪网' → ('标题', '新浪网'): trailing parts that look like site names go.

    A bare hyphen only separates when what follows looks like a site name, so
    "1-10月德清县…" keeps its hyphen while "…交通-新华网" loses the suffix.
    """
    pieces = TITLE_SEPARATOR.split(raw)
    # pieces alternates text, separator, text, ...
    texts, seps = pieces[0::2], pieces[1::2]
    site: str | None = None
    if len(texts) > 1 and seps[0].strip() != "-" and SITE_PREFIX.search(texts[0].strip()):
        site = texts[0].strip()  # "某县人民政府门户网站--标题"
        texts, seps = texts[1:], seps[1:]
    keep = len(texts)
    while keep > 1:
        tail = texts[keep - 1].strip()
        sep = seps[keep - 2].strip()
        site_like = len(tail) <= 20 and bool(SITE_WORD.search(tail))
        short = len(tail) <= (4 if sep == "-" else 8) and not re.match(r"\d", tail)
        if not tail or site_like or short:
            site = site or tail or None  # the outermost suffix names the site
            keep -= 1
        else:
            break
    head = "".join(
        p for pair in zip(texts[:keep], [*seps[: keep - 1], ""], strict=True) for p in pair
    )
    return head.strip(), site


def _title_elements(doc: etree._Element) -> list[etree._Element]:
    found = list(doc.iter("h1"))
    found += doc.xpath(
        "//*[self::h2 or self::h3 or self::div or self::td or self::p or self::span]"
        "[contains(@class,'title') or contains(@class,'Title') or contains(@id,'title')"
        " or contains(@id,'Title')]"
    )
    return found


def _choose_title(
    doc: etree._Element, meta: dict[str, str]
) -> tuple[str | None, etree._Element | None, str | None]:
    """Pick the title the h1, og:title and <title> agree on; return it, its element, the site."""
    head_title = doc.find(".//title")
    raw = _collapse(_text(head_title)) if head_title is not None else ""
    stripped, site = _strip_site_suffix(raw) if raw else ("", None)
    declared = _strip_site_suffix(meta["title"])[0] if meta.get("title") else ""
    reference = _squash(raw) + _squash(meta.get("title", ""))
    best: tuple[float, str, etree._Element | None] | None = None
    for el in _title_elements(doc):
        text = _collapse(_text(el))
        squashed = _squash(text)
        if not (4 <= len(squashed) <= 120) or (site and squashed == _squash(site)):
            continue
        score = 0.0
        if reference and squashed in reference:
            score = 2.0 + len(squashed) / 100
        elif stripped and _squash(stripped) in squashed and len(squashed) <= len(stripped) + 10:
            score = 1.5
        if el.tag == "h1":
            score += 0.5
        if score >= 2.0 and (best is None or score > best[0]):
            best = (score, text, el)
    if best is not None:
        return best[1], best[2], site
    for candidate in (declared, stripped):
        if len(_squash(candidate)) >= 4:
            return candidate, _find_title_element(doc, candidate), site
    h1 = next((el for el in doc.iter("h1") if _squash(_text(el))), None)
    if h1 is not None:
        return _collapse(_text(h1)), h1, site
    return (stripped or None), None, site


def _heading_before(
    page: _Page, body_start: etree._Element, title: str | None
) -> tuple[str | None, etree._Element | None]:
    """When h1, og:title and <title> agree on nothing, the heading just above the body wins.

    County CMSs often put only the column name in <title> ("新闻动态--某某网")
    and the real title in an h3/h5 right above the text, or at the top of the
    very cell that holds it.
    """
    end = page.order.get(body_start)
    if end is None:
        return title, None
    before: list[etree._Element] = []
    inside: list[etree._Element] = []
    for el, index in page.order.items():
        if (
            end - 40 <= index < end + 15
            and el.tag in TITLE_HEADINGS
            and 6 <= len(_squash(_text(el))) <= 80
        ):
            (before if index < end else inside).append(el)
    for el in before[-1:] or inside[:1]:
        return _collapse(_text(el)), el
    return title, None


def _find_title_element(doc: etree._Element, title: str) -> etree._Element | None:
    """The element that shows the title: a title-like element or any heading."""
    headings = doc.xpath("//h1|//h2|//h3|//h4|//h5|//h6")
    for el in [*_title_elements(doc), *headings]:
        if _same_title(_collapse(_text(el)), title):
            return el
    return None


def _outside(page: _Page, chosen: list[etree._Element], skip: etree._Element | None) -> str:
    """The prose of the page outside the chosen body and the headline element.

    Only blocks with text of their own outside links count: menus and link
    lists name the site's sections, which headlines share, and are not
    another story.
    """
    inside = set(chosen) | ({skip} if skip is not None else set())
    parts = []
    for el, st in page.stats.items():
        if st.own_chars - st.own_link < MIN_UNIT_CHARS or el is page.body:
            continue
        if el in inside or any(a in inside for a in el.iterancestors()):
            continue
        parts.append(
            "".join(
                text
                for node in (el, *el)
                for text in ((node.text if node is el else node.tail),)
                if text
            )
        )
    return "\n".join(parts)


# --------------------------------------------------------------------------- entry point


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Find title, body blocks, byline lines and declared metadata in one article page.

    `url` is accepted so callers can pass it uniformly; the structure alone decides.
    """
    rules = load_rules()
    doc, deep = _parse_flat_if_deep(html)
    if doc is None:
        return Extracted(title=None, blocks=[], warnings=["empty or unparsable HTML"])
    meta = _declared_meta(doc, rules)
    _clean(doc, rules)
    title, title_el, site = _choose_title(doc, meta)
    if title:
        meta.setdefault("title", title)
    if site and "site" not in meta:
        meta["site"] = site
    body = doc.find("body")
    if body is None:
        body = doc
    page = _measure(body)
    chosen = _choose_body(page, _score_candidates(page), title, title_el)
    warnings: list[str] = [deep] if deep else []
    if not chosen:
        return Extracted(title=title, blocks=[], meta=meta, warnings=[*warnings, "no body found"])
    if title_el is None:
        title, title_el = _heading_before(page, chosen[0], title)
    emitter = _Emitter(page, rules)
    for el in chosen:
        emitter.walk(el)
        emitter.flush()
    lines, head_info, tail_info = _split_edges(emitter.lines, title, rules)
    if title_el is not None and title_el in page.order and chosen[0] in page.order:
        if page.order[title_el] < page.order[chosen[0]]:
            above = _info_above(page, title_el, chosen[0], rules)
        else:
            above = []
    else:
        above = _info_above(page, None, chosen[0], rules) if chosen[0] in page.order else []
    blocks = [Block(_classify(line), line.text) for line in lines]
    if not blocks:
        warnings.append("no body found")
    elif not coherence.belongs(
        title, "\n".join(b.text for b in blocks), _outside(page, chosen, title_el)
    ):
        warnings.append(coherence.MISMATCH)
    info = list(dict.fromkeys(above + head_info + tail_info))
    if not any(rules.info_date.search(line) for line in info) and not (
        "date" in meta and rules.info_date.search(meta["date"])
    ):
        info += [line for line in _dates_elsewhere(doc, rules) if line not in info]
    return Extracted(title=title, blocks=blocks, info_lines=info, meta=meta, warnings=warnings)
