"""The clean stage: from the blocks a page was read into, the article's text alone.

Runs on repaired text from either extract path.  It ends the body at the
site's trailer, drops chrome and spam wherever they sit, moves bylines,
datelines and info lines out of the text into metadata, turns "图:" lines
into captions and cuts image file names and the headline's labels.
"""

from __future__ import annotations

import re

from scraper import byline, chrome, dates, infoline, labels, punct, spam
from scraper.models import Block, Cleaned, Extracted

_IMAGE_FILE = re.compile(r"\.(jpe?g|png|gif|bmp|webp|tiff?)(\.(jpe?g|png|gif|bmp|webp))*$", re.I)
_CAPTION = re.compile(r"^[（(]?\s*(图片|图为|上图|下图|左图|右图|图\d*)\s*[:：]\s*")
_CAPTION_CREDIT = re.compile(
    r"[\s（(]*(?:(?:记者|通讯员|摄影|图|资料图)\s*[\u4e00-\u9fff·、 ]{0,12}?\s*(?:供图|摄|提供)?"
    r"|[\u4e00-\u9fff]{2,4}\s*(?:供图|摄))[)）]?\s*$"
)
# Labels that sites put before or after headlines.
_TITLE_LABEL = re.compile(
    r"^\s*([「【\[（(〔<《]\s*(快讯|图文|视频|组图|原创|独家|转载|推荐|热点|专题|要闻|头条|最新|更新|"
    r"直播|图|文|荐|新|热|顶|置顶|通知|公告)\s*[」】\]）)〕>》])\s*"
)
# A dateline opens one of the first paragraphs ("（原标题：…）" or "图集" may come first).
_DATELINE_WITHIN = 3
_TITLE_TAIL = re.compile(r"\s*[（(【\[](组图|图|图文|视频|附视频|多图)[)）】\]]\s*$")


# "您的位置：首页 > 新闻 > 标题": a breadcrumb whose last step is the headline.
_CRUMBS = re.compile(r"^(?:当前位置|您的位置|你的位置|位置|您所在的位置)\s*[:：].*[>»›＞]\s*")
# "【乡村行 看振兴】标题": a column's name in brackets before the headline.
_COLUMN = re.compile(r"^\s*【[^【】]{1,12}】\s*(?=\S{4})")
# "第一篇：标题", "篇一：标题": a compilation's numbering before a piece's headline.
_PIECE = re.compile(
    r"^(?:第[一二三四五六七八九十百\d]+篇|篇[一二三四五六七八九十\d]+)\s*[:：]\s*(?=\S)"
)
# "王德刚、孙平 || 标题", "十五五规划系列|标题": names or a series before a bar.
_BAR = re.compile(r"^(?P<left>[^|｜‖]{2,30}?)\s*(?:\|\||｜｜|‖|\||｜)\s*(?P<right>\S.{5,})$")
# "标题 发布时间：2019-… 来源：…": the info line glued to the headline.
_INFO_AFTER = re.compile(r"\s+(发布时间|发布日期|发表时间|来源|作者|时间)\s*[:：].*$")
_SERIES = re.compile(r"(系列|专栏|专题|栏目|频道|观察|聚焦)$")


def clean_title(title: str | None) -> tuple[str | None, str | None]:
    """The headline without date prefix and labels, and the date prefix it had."""
    if not title:
        return None, None
    title = _CRUMBS.sub("", title.strip())
    title = _INFO_AFTER.sub("", title)
    found, title = dates.split_title_date(title)
    hint = (found.iso or found.partial) if found else None
    previous = None
    while previous != title:
        previous = title
        title = _TITLE_LABEL.sub("", title)
        title = _COLUMN.sub("", title)
        title = _PIECE.sub("", title)
        title = _TITLE_TAIL.sub("", title)
        title = _after_dateline(title)
        title = _after_bar(title)
        found_label = labels.headline_label(title)
        if found_label and found_label.rest:
            title = found_label.rest
        if hint is None:
            found, title = dates.split_title_date(title)
            hint = (found.iso or found.partial) if found else None
    return title.strip() or None, hint


def _after_dateline(title: str) -> str:
    """ "中新社张家界12月20日电 题：…": the headline after a wire dateline."""
    dateline = byline.split_dateline(title)
    return dateline.rest if dateline and dateline.rest else title


def _after_bar(title: str) -> str:
    match = _BAR.match(title)
    if not match:
        return title
    left = match.group("left").strip()
    if byline.names_line(left) or _SERIES.search(left):
        return match.group("right").strip()
    return title


def _same_text(a: str, b: str) -> bool:
    return re.sub(r"\W", "", a) == re.sub(r"\W", "", b)


# "…丰收节现场。 张德厚 摄", "孙晓媛/摄", "（黄冈日报记者周伟 摄）": a photographer's credit
# closing a line.
_PHOTO_CREDIT = re.compile(
    r"[\s（(]+(?P<who>(?:[\u4e00-\u9fff·]{0,16}?(?:记者|通讯员))?\s*[\u4e00-\u9fff]{2,4}"
    r"(?:\s+[\u4e00-\u9fff]{2,4}){0,3})\s*/?\s*摄[)）]?$"
)


def _cut_photo_credit(text: str, credits: byline.Credits) -> str:
    match = _PHOTO_CREDIT.search(text)
    if not match or match.start() == 0:
        return text
    names = re.sub(r"^.*?(?:记者|通讯员)", "", match.group("who")).split()
    for name in names:
        credits.add("摄影", name)
    return text[: match.start()].rstrip()


def _caption(text: str) -> str:
    text = _CAPTION.sub("", text)
    return _CAPTION_CREDIT.sub("", text).strip()


def clean(page: Extracted) -> Cleaned:
    """Keep the article's own text; collect what is metadata on the way."""
    title, title_date = clean_title(page.title)
    title_warnings: list[str] = []
    if title:
        title, title_warnings = punct.remove_mangled(title)
    result = Cleaned(
        title=title,
        blocks=[],
        info_lines=list(page.info_lines),
        meta=dict(page.meta),
        date_hints=[title_date] if title_date else [],
        site_hints=[page.meta["site"]] if page.meta.get("site") else [],
        warnings=list(page.warnings) + title_warnings,
    )
    credits = byline.Credits()
    started = dated = False
    paragraphs = 0
    blocks = iter(page.blocks)
    for block in blocks:
        text = spam.strip_spam(block.text)
        if not text:
            continue
        if chrome.is_end(text) and started:
            _collect_sites(result, [text] + [b.text for b in blocks])
            break
        # Credits before menus: "本报记者 陈晓 通讯员 刘洋" has the shape of one.
        found = None
        if not chrome.is_listed(text):
            found = byline.byline(text) or (None if started else byline.names_line(text))
        if found:
            credits.merge(found)
            continue
        if chrome.is_chrome(text) or chrome.is_end(text):
            _collect_sites(result, [text])
            continue
        if _IMAGE_FILE.search(text) or (title and _same_text(text, title)):
            continue  # image file names; the headline repeated above the body
        if _is_headline_line(text):
            continue  # "（原标题：…）": the headline again, under another label
        keywords = None if started else labels.keyword_list(text)
        if keywords:  # a journal's keywords with their label lost
            result.meta.setdefault("keywords", "；".join(keywords))
            continue
        label = labels.paragraph_label(text)
        if label and label.kind == "info":
            result.info_lines.append(text)
            continue
        if label and label.kind == "note":  # an editor's note: its words stay, the label goes
            text = label.rest
        elif label:  # a summary, keywords, a journal's front matter: metadata
            labels.note_metadata(label, result.meta)
            continue
        if infoline.is_info_line(text) and not started:
            result.info_lines.append(text)
            continue
        if _CAPTION.match(text) or block.kind == "caption":
            caption = _caption(text)
            if caption:
                result.blocks.append(Block("caption", caption))
            continue
        if paragraphs < _DATELINE_WITHIN and block.kind == "para" and not dated:
            dateline = byline.split_dateline(text)
            if dateline:
                credits.merge(dateline.credits)
                if dateline.org:
                    result.site_hints.append(dateline.org)
                if dateline.date:
                    result.date_hints.append(dateline.date)
                text = dateline.rest
                dated = True
        text = _cut_photo_credit(text, credits)
        text, mangled = punct.remove_mangled(text)
        result.warnings.extend(mangled)
        if text:
            result.blocks.append(Block(block.kind, text))
        if block.kind == "para" and text:
            started, paragraphs = True, paragraphs + 1
    _unglue_headline(result)
    _drop_repeats(result)
    _credits_at_the_end(result, credits)
    while result.blocks and result.blocks[-1].kind == "heading":
        result.blocks.pop()  # a trailing "heading" is an unrecognised trailer label
    result.credits = credits.roles
    result.authors = credits.authors
    if not result.title:
        result.warnings.append("no title")
    if not any(b.kind == "para" for b in result.blocks):
        result.warnings.append("no body text")
    return result


_MAX_HEADLINE_LINE = 80
_MIN_AFTER_HEADLINE = 10


def _unglue_headline(result: Cleaned) -> None:
    """A first paragraph that opens with the headline itself ("镇党委书记冬训动员报告讲话同志们…",
    a document site's flattened text): the headline is cut from it."""
    if not result.title:
        return
    for block in result.blocks:
        if block.kind != "para":
            continue
        if (
            block.text.startswith(result.title)
            and len(block.text) >= len(result.title) + _MIN_AFTER_HEADLINE
        ):
            block.text = block.text[len(result.title) :].lstrip(" ：:，,")
        return


def _is_headline_line(text: str) -> bool:
    """ "原标题：…" or "（原题：…）": a headline under a label, not body text."""
    if len(text) > _MAX_HEADLINE_LINE:
        return False
    inner = text.strip()
    if len(inner) > 2 and inner[0] in "（(【[" and inner[-1] in "）)】]":
        inner = inner[1:-1]
    found = labels.headline_label(inner)
    return bool(found and found.rest)


def _fingerprint(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


def _drop_repeats(result: Cleaned) -> None:
    """Paragraphs that say the summary or the lead once more, or repeat a long one, go.

    Pages end with the summary or the lead again (a share card, a "more" box
    read as text); researchers counting words or quoting need each paragraph
    once.  Short repeats stay: an interview asks several people the same
    question, code repeats its lines.
    """
    lead = {_fingerprint(b.text) for b in result.blocks[:_LEAD]}
    lead.add(_fingerprint(result.meta.get("description", "")))
    tail_from = len(result.blocks) - _TAIL
    seen: set[str] = set()
    kept = []
    for i, block in enumerate(result.blocks):
        key = _fingerprint(block.text)
        long_repeat = len(key) >= _LONG_REPEAT and key in seen and _mostly_han(key)
        lead_again = i >= max(tail_from, _LEAD) and len(key) >= _MIN_REPEAT and key in lead
        if not (long_repeat or lead_again):
            kept.append(block)
        seen.add(key)
    result.blocks = kept


def _mostly_han(text: str) -> bool:
    """Prose, not code or a table row (which repeat on purpose)."""
    return len(re.findall(r"[\u4e00-\u9fff]", text)) * 2 >= len(text)


_LEAD = 3  # the first paragraphs, which a trailer may repeat
_TAIL = 3  # the last paragraphs, where such repeats stand
_MIN_REPEAT = 12
_LONG_REPEAT = 60
_CLOSING_CREDIT = re.compile(r"[（(](?P<inside>[^（）()]{2,40})[）)]\s*$")


def _credits_at_the_end(result: Cleaned, credits: byline.Credits) -> None:
    """Signatures below the body ("李明 王芳", "■某某区委组织部") or closing its
    last paragraph ("……取得实效。（李明 王芳）") are credits, not text."""
    while result.blocks:
        found = byline.names_line(result.blocks[-1].text)
        if not found:
            break
        credits.merge(found)
        result.blocks.pop()
    if not result.blocks or result.blocks[-1].kind != "para":
        return
    last = result.blocks[-1]
    match = _CLOSING_CREDIT.search(last.text)
    if not match or match.start() == 0:
        return
    inside = match.group("inside")
    found = byline.byline(inside) or byline.names_line(f"（{inside}）")
    if found:
        credits.merge(found)
        last.text = last.text[: match.start()].rstrip()


def _collect_sites(result: Cleaned, lines: list[str]) -> None:
    for line in lines:
        site = chrome.site_named_in(line)
        if site and site not in result.site_hints:
            result.site_hints.append(site)
