"""The extract stage for plain-text dumps: a page's text with its layout lost.

A dump is the page read top to bottom: menus and breadcrumbs, the headline,
the info line, photo captions, the body, then the site's trailer.  With no
markup to go by, structure is read from the shape of lines: the body begins
at the first line of real prose, and the headline is the last plain line
above the info line (or the first line, when there is no info line).  The
trailer is left to the clean stage, which ends the body at the first
trailer line for HTML and dumps alike.
"""

from __future__ import annotations

import re

from scraper import byline, chars, chrome, coherence, disclosure, infoline, labels, spam
from scraper.models import Block, Extracted

_PROSE_PUNCT = re.compile(r"[，。；！？]")
_MIN_PROSE_HAN = 30
_LONG_PROSE_HAN = 60
_PROSE_END = re.compile(r"[。！？；：…”’）」』]$")
_MAX_TITLE = 100
_MAX_TITLE_HAN = 45  # longer unpunctuated runs are menus run together
_MIN_TITLE_HAN = 5
_TITLE_SHARE = 0.6  # of the longest candidate: what "nearly as long" means
_TITLE_REACH = 8  # lines above the info line where the headline may stand
_MIN_CAPTION_HAN = 4
_SENTENCE_LINE = re.compile(r"[。！？；…][”’）」』]?$")
_NEUTRAL = re.compile(r"^[（(]?(图|图片|图为)\s*[:：]|.*\.(jpe?g|png|gif)$", re.I)
_TRAILER_RUN = 4  # headline-like lines in a row that make a list, not subheadings
_MAX_CAPTION = 50
_MAX_HEADING = 40
_SENTENCE_END = re.compile(r"[。！？；：，、…]$")


def is_prose(line: str) -> bool:
    """A line of running text: long, punctuated like sentences and ending like one.

    Headlines can be long and hold ，！ too, but they seldom end a sentence.
    """
    han = chars.han_count(line)
    if han < _MIN_PROSE_HAN or not _PROSE_PUNCT.search(line):
        return False
    return han >= _LONG_PROSE_HAN or bool(_PROSE_END.search(line))


# Section headings, subtitles and lead-ins look like headlines but open or follow one.
_NOT_HEADLINE = re.compile(
    r"^\s*([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十\d]+[章节条部分]"
    r"|\d{1,2}(\.\d{1,2})*[、．]|\d{1,2}\.(?!\d)|——|—)|[：:]\s*$"
)


def _looks_like_title(line: str) -> bool:
    han = chars.han_count(line)
    return (
        4 <= han <= _MAX_TITLE_HAN
        and len(line) <= _MAX_TITLE
        and not line.endswith("。")
        and line.count("，") < 2
        and not _NOT_HEADLINE.search(line)
    )


def _body_kind(line: str) -> str:
    """Short unpunctuated lines inside the body are its subheadings."""
    if len(line) <= _MAX_HEADING and "。" not in line and not _SENTENCE_END.search(line):
        return "heading"
    return "para"


def _headline(plain: list[tuple[int, str]], infos: list[int]) -> int | None:
    """Index of the headline among the plain header lines, or None.

    Above an info line, or above the body when there is none, the headline is
    the first line nearly as long as the longest candidate: menu items and
    account names (short) come before it, photo captions after it.  Pages
    may have more than one info-like line (a masthead's date above the
    headline, the edition below it): every line within reach above one of
    them is a candidate.
    """
    if infos:
        window = [
            (i, line)
            for i, line in plain
            if _looks_like_title(line) and any(0 <= info - i <= _TITLE_REACH for info in infos)
        ]
    else:
        window = [(i, line) for i, line in plain if _looks_like_title(line)]
    # "原标题：…" is the headline of the original when the page gave its own.
    own = [(i, line) for i, line in window if not labels.headline_label(line)]
    window = own or window
    if not window:
        return None
    longest = max(chars.han_count(line) for _, line in window)
    floor = max(_MIN_TITLE_HAN, _TITLE_SHARE * longest)
    return next((i for i, line in window if chars.han_count(line) >= floor), None)


def _body_end(lines: list[str], start: int) -> int:
    """Where the body stops: before a run of headline-like lines that no more body follows.

    Below an article, sites list other headlines, one a line and none ending a
    sentence.  A subheading or two does that too, but a run of several with
    less prose after it than before is the trailer, even without a marker
    line like 相关新闻 (those the clean stage catches).
    """
    prose_before = 0
    run_start: int | None = None
    for i in range(start, len(lines)):
        line = lines[i]
        if run_start is None and (byline.byline(line) or _NEUTRAL.match(line)):
            continue  # credits and captions below the body belong to it
        if _SENTENCE_LINE.search(line) or is_prose(line):
            if run_start is not None and i - run_start >= _TRAILER_RUN:
                prose_after = sum(len(x) for x in lines[i:] if _SENTENCE_LINE.search(x))
                if prose_after < prose_before:
                    return run_start
            run_start = None
            prose_before += len(line)
        elif run_start is None:
            run_start = i
    if run_start is not None and len(lines) - run_start >= _TRAILER_RUN:
        return run_start
    return len(lines)


def extract_dump(text: str) -> Extracted:
    """Find headline, info lines, captions and body in a repaired text dump."""
    # Lines of injected spam go first: a keyword run is long and punctuated like prose.
    lines = _rejoin([line for line in text.split("\n") if line and not spam.is_spam_line(line)])
    meta: dict[str, str] = {}
    table = disclosure.read_table(lines)
    table_info: list[str] = []
    if table:
        lines = [line for i, line in enumerate(lines) if i not in table.lines]
        if table.title:
            meta["title"] = table.title
        table_info += [f"发布日期：{table.date}"] if table.date else []
        table_info += [f"来源：{table.source}"] if table.source else []
    start = next((i for i, line in enumerate(lines) if is_prose(line)), len(lines))

    info: list[str] = list(table_info)
    plain: list[tuple[int, str]] = []  # header lines that are neither chrome nor info
    lead: list[str] = []  # credits and datelines above the body: for the clean stage to take
    infos: list[int] = []
    kinds: dict[int, str] = {}
    for i, line in enumerate(lines[:start]):
        kind = kinds[i] = _header_kind(line, meta)
        if kind == "lead":
            lead.append(line)
        elif kind == "info":
            info.append(line)
            infos.append(i)
            if _headline_before_info(line):  # "标题 发布时间：…": a headline candidate too
                plain.append((i, line))
        elif kind == "plain":
            plain.append((i, line))

    # A name alone on a line signs the article when the info line names it too
    # ("2018-06-07王向阳"), or when it stands beside other front matter (an
    # affiliation, a journal's issue, an abstract): a lone word is not taken
    # for a name among menu items.
    named = [
        (i, line)
        for i, line in plain
        if byline.is_person_name(byline.join_spaced(line.strip()))
        and (
            any(byline.join_spaced(line.strip()) in other for other in info)
            or any(_is_front_matter(lines, kinds, j) for j in (i - 1, i + 1))
        )
    ]
    info += [f"作者：{byline.join_spaced(line.strip())}" for _, line in named]
    plain = [item for item in plain if item not in named]
    title_at = _headline(plain, infos)
    title = lines[title_at] if title_at is not None else None
    if title is not None:
        title = labels.strip_headline_prefix(title, [line for _, line in plain])
    if table and table.title:
        title = table.title
    after = title_at if title_at is not None else (infos[0] if infos else start)
    captions = [
        line
        for i, line in plain
        if i > after
        and chars.han_count(line) >= _MIN_CAPTION_HAN
        and not labels.headline_label(line)
    ]

    blocks = [Block("para", line) for line in lead]
    blocks += [Block("caption" if len(line) <= _MAX_CAPTION else "para", line) for line in captions]
    end = _body_end(lines, start)
    for line in lines[end:]:  # the trailer's footer names the publisher
        site = chrome.site_named_in(line)
        if site:
            meta.setdefault("site", site)
            break
    blocks += [Block(_body_kind(line), line) for line in lines[start:end]]
    # The body's prose against the rest of the page; a page whose text never forms
    # a line of prose (a lead cut into short lines at every comma) has no body to judge.
    warnings = []
    body = "\n".join(lines[start:end])
    elsewhere = [line for i, line in plain if i != title_at] + lines[end:]
    if body and not coherence.belongs(title, body, "\n".join(elsewhere)):
        warnings.append(coherence.MISMATCH)
    return Extracted(title=title, blocks=blocks, info_lines=info, meta=meta, warnings=warnings)


_GLUED_INFO = re.compile(r"\s(发布时间|发布日期|发表时间|来源|作者)\s*[:：]")


def _headline_before_info(line: str) -> bool:
    """An info line that a headline runs into: "【专栏】某镇产业扶贫见成效 发布时间：…"."""
    match = _GLUED_INFO.search(line)
    if not match or infoline.fields(line[: match.start()]):
        return False  # "作者：… 来源：…": the line is all info
    return chars.han_count(line[: match.start()]) >= _MIN_TITLE_HAN * 2


_FRONT_MATTER = re.compile(r"\d{6}|(19|20)\d\d\s*年\s*(第\s*)?\d{1,2}\s*期|学报|学刊")


def _is_front_matter(lines: list[str], kinds: dict[int, str], at: int) -> bool:
    """Whether line `at` is an info line, a labelled abstract or keywords, or a journal's
    issue or an affiliation (with its postcode)."""
    if at not in kinds:
        return False
    return kinds[at] in ("info", "meta") or bool(_FRONT_MATTER.search(lines[at]))


_CONTINUES = re.compile(r"^\s*[，、。；：！？,;:!?）)”’」』]")


def _rejoin(lines: list[str]) -> list[str]:
    """Lines that open with a comma or a closing mark continue the line before: some
    pages break their text before every comma, and each piece is then no sentence."""
    out: list[str] = []
    for line in lines:
        if out and _CONTINUES.match(line):
            out[-1] += line.strip()
        else:
            out.append(line)
    return out


def _header_kind(line: str, meta: dict[str, str]) -> str:
    """What a line above the body is: "lead" (credits, dateline), "info", "plain",
    "meta" (an abstract, keywords, a journal's front matter) or "gone" (chrome),
    noting what it says in `meta`.

    Credits are asked before chrome: a line of names looks like a menu.
    """
    found = labels.paragraph_label(line)
    if found:
        if found.kind == "info":
            return "info"
        if found.kind == "note":
            return "lead"  # the clean stage cuts the label and keeps the note
        labels.note_metadata(found, meta)
        return "meta"
    keywords = labels.keyword_list(line)
    if keywords:
        meta.setdefault("keywords", "；".join(keywords))
        return "meta"
    if chrome.is_listed(line):
        return "gone"
    if byline.byline(line) or byline.names_line(line):
        return "lead"
    dateline = byline.split_dateline(line)
    if dateline and not dateline.rest:
        return "lead"
    if chrome.is_chrome(line) or chrome.is_end(line):
        site = chrome.site_named_in(line)
        if site:
            meta.setdefault("site", site)
        return "gone"
    if infoline.is_info_line(line):
        return "info"
    return "plain"
