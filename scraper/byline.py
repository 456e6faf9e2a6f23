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

# Roles whose names are the article's authors (correspondents co-write county news).
AUTHOR_ROLES = (
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
# One-character roles (文, 图) are words too (文化, 图书): they need a separator.
_LONG_ROLE = "(?:" + "|".join(r for r in _ROLES if len(r) > 1) + ")"
_SHORT_ROLE = "(?:" + "|".join(r for r in _ROLES if len(r) == 1) + ")"
# Words that follow a role where a name would, but are not names.
_NOT_NAMES = {"供图", "摄", "报道", "整理", "编辑", "提供"}
_HAN_NAME = r"[\u4e00-\u9fff][\u4e00-\u9fff·]{1,4}"
_LATIN_NAME = r"[A-Za-z][\w.]{1,30}"
_NAME = rf"(?!{_ROLE}(?![\u4e00-\u9fff]))(?:{_HAN_NAME}|{_LATIN_NAME})"
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
    r"[\u4e00-\u9fff]{2,10}?(?=(?:本报|特约|见习|实习|首席|全媒体|融媒体)?"
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


@dataclass
class Dateline:
    org: str | None
    credits: Credits
    rest: str


def split_dateline(paragraph: str) -> Dateline | None:
    """Cut the dateline from the front of a lead paragraph, if it has one."""
    match = _DATELINE.match(paragraph)
    if match:
        credits, rest = parse_credits(match.group("credits"))
        if credits.roles and not _FILLER.sub("", rest):
            org = match.group("org")
            if org and match.group("kind") and org.endswith(("讯", "电")):
                org = org[:-1]
            return Dateline(org or None, credits, paragraph[match.end() :])
    match = _BARE_DATELINE.match(paragraph)
    if match and match.group("org") in ("本报", "本网", "本台"):
        return Dateline(None, Credits(), paragraph[match.end() :])
    return None
