"""Bylines and credits: who wrote, photographed and edited an article.

Chinese news pages credit people in many shapes — "文/金勋亚 图/霍世祥 沈小龙",
"(记者 田城 通讯员 邓昌炉)", "【责任编辑:田城】", "编辑:zhusijia" — inside the
body, in the lead's dateline or after the last paragraph.  Researchers want
them as metadata and not in the text, so a line is a byline only when credits
account for all of it; otherwise it is prose that merely mentions a 记者.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

# Roles whose names are the article's authors (correspondents co-write county news).
AUTHOR_ROLES = (
    "文字/图片", "文/图", "图/文", "文图", "图文",
    "专栏作者", "特约作者", "采写", "实习记者", "作者", "撰文", "撰稿", "文字", "文", "本报记者",
    "本台记者", "特约记者", "见习记者",
    "全媒体记者", "融媒体记者", "首席记者", "记者", "特约通讯员", "通讯员", "实习生",
)  # fmt: skip
CREDIT_ROLES = (
    "责任编辑", "实习编辑", "值班编辑", "编辑", "审核", "审校", "校对", "终审", "二审", "三审",
    "一审", "签发", "监制", "图片", "摄影", "摄像", "视频", "制图", "设计", "图",
)  # fmt: skip
_ROLES = sorted(AUTHOR_ROLES + CREDIT_ROLES, key=len, reverse=True)
_ROLE = "(?:" + "|".join(_ROLES) + ")"
# One-character roles (文, 图) are words too (文化, 图书), and so are 图文, 文图
# (图文并茂): they need a separator before the names.
_NEEDS_SEPARATOR = {"图文", "文图"}
_LONG_ROLE = "(?:" + "|".join(r for r in _ROLES if len(r) > 1 and r not in _NEEDS_SEPARATOR) + ")"
_SHORT_ROLE = "(?:" + "|".join(r for r in _ROLES if len(r) == 1 or r in _NEEDS_SEPARATOR) + ")"
# Words that follow a role where a name would, but are not names.
_NOT_NAMES = {"供图", "摄", "报道", "整理", "编辑", "提供"}
_HAN_NAME = r"[\u4e00-\u9fff][\u4e00-\u9fff·]{1,4}"
_LATIN_NAME = r"[A-Za-z][\w.]{1,30}"
# A name is never a field's label ("作者：金勋亚 点击：…": 点击 is not a second name).
_NAME = rf"(?!{_ROLE}(?![\u4e00-\u9fff]))(?:{_HAN_NAME}|{_LATIN_NAME})(?![\u4e00-\u9fff·]*\s*[:：])"
_CREDIT = re.compile(
    rf"(?:(?P<role>{_LONG_ROLE})\s*[:：/｜|]?|(?P<short>{_SHORT_ROLE})\s*[:：/｜|])"
    rf"\s*(?P<names>{_NAME}(?:[\s、，,]+{_NAME})*)?"
)
_FILLER = re.compile(r"[\s()（）【】\[\]、，,:：/|｜]|供图|摄|报道|整理|提供")
_MAX_BYLINE = 80


@dataclass
class Credits:
    """Names by role, in the order the page gives them."""

    roles: dict[str, list[str]] = field(default_factory=dict)

    def add(self, role: str, name: str) -> None:
        names = self.roles.setdefault(role, [])
        if name not in names:
            names.append(name)

    def merge(self, other: Credits) -> None:
        for role, names in other.roles.items():
            for name in names:
                self.add(role, name)

    @property
    def authors(self) -> list[str]:
        seen: list[str] = []
        for role, names in self.roles.items():
            if role in AUTHOR_ROLES:
                seen.extend(n for n in names if n not in seen)
        return seen


def parse_credits(text: str) -> tuple[Credits, str]:
    """Credits found in `text`, and what is left of it once they are cut out."""
    credits = Credits()
    pieces: list[str] = []
    last = 0
    for match in _CREDIT.finditer(text):
        names = match.group("names") or ""
        found = [n for n in re.split(r"[\s、，,]+", names) if n and n not in _NOT_NAMES]
        for name in found:
            credits.add(match.group("role") or match.group("short"), name)
        pieces.append(text[last : match.start()])
        last = match.end()
    pieces.append(text[last:])
    return credits, "".join(pieces)


# An outlet named before a reporter's role: "新京报记者 陆一夫", "澎湃新闻记者 段彦超".
_OUTLET_BEFORE_ROLE = re.compile(
    r"[\u4e00-\u9fff·]{2,16}?(?=(?:本报|特约|见习|实习|首席|全媒体|融媒体)?"
    r"(?:记者|通讯员|专栏作者|特约作者))"
)

_ROLE_THEN_GAP = re.compile(r"(?:记者|通讯员|专栏作者|特约作者)[\s:：]")


def byline(line: str) -> Credits | None:
    """The credits of `line` if the line is nothing but credits, else None."""
    if len(line) > _MAX_BYLINE:
        return None
    stripped = _OUTLET_BEFORE_ROLE.sub("", line)
    if stripped != line and not _ROLE_THEN_GAP.search(stripped):
        return None  # "村里记者站建好了": an outlet-looking prefix, but no name after a gap
    credits, rest = parse_credits(stripped)
    if not credits.roles or _FILLER.sub("", rest):
        return None
    return credits


# A lead's dateline: "荆楚网(湖北日报网)讯(记者 田城 通讯员 邓昌炉)", "本报讯(记者 张三)",
# "新华社北京5月24日电(记者 李四)", "中国社会科学网(通讯员 刘友春)".
_DATELINE = re.compile(
    r"^(?P<org>[\u4e00-\u9fffA-Za-z0-9]{2,24}?)?"
    r"(?:[(（](?P<alias>[^()（）]{2,20})[)）])?"
    r"(?P<kind>讯|电|消息)?\s*"
    r"[(（](?P<credits>[^()（）]{2,60})[)）]\s*"
)
_BARE_DATELINE = re.compile(r"^(?P<org>本报|本网|本台|[\u4e00-\u9fff]{2,12})讯\s*[:：]?\s*")
# "浙江在线12月13日讯", "新华社北京3月5日电（记者 张三）": a publisher, maybe a
# place, the day, then 讯 or 电; the dump may give it a line of its own.
_DATED_DATELINE = re.compile(
    r"^(?P<org>[\u4e00-\u9fffA-Za-z0-9]{2,20}?)\s*"
    r"(?P<date>(?:(?:19|20)\d\d年)?\d{1,2}月\d{1,2}日)\s*(?:讯|电|消息)(?=[\s（(:：“\"?？]|$)[\s?？]*"
    r"(?:[(（](?P<credits>[^()（）]{2,60})[)）])?\s*[:：]?\s*"
)
# "浙江在线讯", "清溪新闻网讯": a bare 讯 after a name that ends like a publisher's.
_SITE_DATELINE = re.compile(
    r"^(?P<org>[\u4e00-\u9fffA-Za-z0-9]{1,12}(?:网|报|在线|台|新闻|客户端|融媒体?|传媒|发布))"
    r"(?:讯|消息)\s*[:：]?\s*"
)
_DESKS = ("本报", "本网", "本台")


@dataclass
class Dateline:
    org: str | None
    credits: Credits
    rest: str
    date: str | None = None  # as written ("12月13日"); the metadata stage reads it


def _dateline_credits(inside: str | None) -> Credits | None:
    """The credits in a dateline's brackets: roles with names ("湘潭日报社全媒体记者 何兴安"
    as well as "记者 张三"), or bare names ("杨远帆 姚晓希"); None when it holds others."""
    if not inside:
        return Credits()
    credits, rest = parse_credits(_OUTLET_BEFORE_ROLE.sub("", inside))
    if credits.roles and not _FILLER.sub("", rest):
        return credits
    return names_line(f"（{inside}）")


def split_dateline(paragraph: str) -> Dateline | None:
    """Cut the dateline from the front of a lead paragraph, if it has one.

    `rest` is what follows it: empty when the dateline is a line of its own.
    """
    match = _DATED_DATELINE.match(paragraph)
    if match:
        credits = _dateline_credits(match.group("credits"))
        if credits is not None:
            org = match.group("org")
            return Dateline(
                None if org in _DESKS else org, credits, paragraph[match.end() :], match["date"]
            )
    match = _DATELINE.match(paragraph)
    if match:
        credits = _dateline_credits(match.group("credits"))
        # Bare names in brackets make a dateline only after 讯/电 ("宁德网消息（杨远帆）"):
        # "山西品牌丝路行（南美站）正式启动" is a headline.
        if credits is not None and "作者" in credits.roles and not match.group("kind"):
            credits = None
        if credits is not None and credits.roles:
            org = match.group("org")
            if org and match.group("kind") and org.endswith(("讯", "电")):
                org = org[:-1]
            return Dateline(org or None, credits, paragraph[match.end() :])
    match = _SITE_DATELINE.match(paragraph)
    if match:
        return Dateline(match.group("org"), Credits(), paragraph[match.end() :])
    match = _BARE_DATELINE.match(paragraph)
    if match and match.group("org") in _DESKS:
        return Dateline(None, Credits(), paragraph[match.end() :])
    match = _DESK_LABEL.match(paragraph)
    if match:
        return Dateline(None, Credits(), paragraph[match.end() :])
    return None


# "【本报综合报道】", "（新闻调查）：": the desk's label, with nothing to keep.
_DESK_LABEL = re.compile(
    r"^[【\[（(]\s*(?:本报|本网|本台)?(?:综合报道|综合消息|综合|新闻调查|记者调查|特稿|专稿)\s*[】\]）)]\s*[:：]?\s*"
)


# ---------------------------------------------------------------- bare names

SURNAMES = Path(__file__).parent / "data" / "surnames.txt"
# What an organisation's name ends with when it signs an article (■某某区委组织部).
_ORG_END = re.compile(
    r"(部|委|局|办|办公室|中心|镇|乡|街道|县|区|市|站|所|院|室|处|科|团|会|社|报|台|网|队|公司|政府|"
    r"党委|党组|支部|总支|研究会|融媒体中心|人大|政协|法院|检察院)$"
)
_MARKERS = "■□▲△●○◆◇★☆※▌▍"
_NAME_SEPARATORS = re.compile(r"[+＋、，,/|｜\s]+")
_MAX_NAMES = 8


@cache
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    """Single and compound surnames from data/surnames.txt."""
    single, double = set(), set()
    for line in SURNAMES.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            (single if len(word) == 1 else double).add(word)
    return frozenset(single), frozenset(double)


def is_person_name(token: str) -> bool:
    """A Chinese personal name: a known surname and one or two more characters."""
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", token):
        return False
    single, double = _surnames()
    if token[:2] in double and len(token) in (3, 4):
        return True
    return token[0] in single and len(token) in (2, 3)


def _is_org(token: str) -> bool:
    return bool(re.fullmatch(r"[\u4e00-\u9fff（）()]{3,24}", token)) and bool(
        _ORG_END.search(token)
    )


_SPACED_NAME = re.compile(
    r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]) ([\u4e00-\u9fff])(?![\u4e00-\u9fff])"
)
_NOTE_MARK = re.compile(r"(?<=[\u4e00-\u9fff])(?:\d{1,2}|[*∗※])(?=$|[+＋、，,/|｜\s])")
_LIST_SHARE = 0.75  # of a comma-separated list of 2-4 characters each, these must be surnamed


def join_spaced(text: str) -> str:
    """ "李 晓" → "李晓": journals pad two-character names to the width of three."""
    return _SPACED_NAME.sub(r"\1\2", text)


def names_line(line: str) -> Credits | None:
    """Credits of a line that is nothing but names: "李明+王芳", "（李明 王芳）", "■某某区委组织部".

    County sites sign articles with bare names, no 记者 or 文/ before them,
    and journals list their authors ("赵颖文,吕火明,李 晓"; "张三1,李四2").
    A line is taken for such a signature only when every part of it is a
    name that starts with a known surname (data/surnames.txt) or, after a
    marker (■) or inside brackets, the name of an organisation; so a line of
    words ("强基 固本 铸魂") or a subheading is never read as names.  A
    comma-separated list of three or more may hold a rare surname or two.
    """
    text = line.strip()
    marked = bool(text) and text[0] in _MARKERS
    text = text.lstrip(_MARKERS + " ")
    bracketed = len(text) > 2 and text[0] in "（(【[" and text[-1] in "）)】]"
    if bracketed:
        text = text[1:-1].strip()
    if not text or len(text) > 60:
        return None
    text = _NOTE_MARK.sub("", join_spaced(text))
    tokens = [t for t in _NAME_SEPARATORS.split(text) if t]
    if not tokens or len(tokens) > _MAX_NAMES:
        return None
    people = [t for t in tokens if is_person_name(t)]
    orgs = [t for t in tokens if t not in people and _is_org(t)]
    if len(people) + len(orgs) != len(tokens) and not _journal_list(text, tokens, people):
        return None
    if orgs and not (marked or bracketed):
        return None
    if not orgs and len(tokens) < 2 and not (marked or bracketed):
        return None
    credits = Credits()
    for token in tokens:  # an organisation beside people is their unit, not an author
        credits.add("单位" if people and token in orgs else "作者", token)
    return credits


def _journal_list(text: str, tokens: list[str], people: list[str]) -> bool:
    """ "剌美香,周力,刘宗志": comma-separated names, most of them with a known surname."""
    return (
        len(tokens) >= 3
        and bool(re.search(r"[,，]", text))
        and all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", t) for t in tokens)
        and len(people) >= _LIST_SHARE * len(tokens)
    )
