"""Fake county news pages: our own HTML templates filled with a seed article's text.

The templates in fixtures/county_pages/ imitate old county CMS sites (table
layouts, <font> tags, menus, breadcrumbs, info lines, share bars, prev/next
links, footers with ICP numbers, injected spam).  They hold no third-party
text: the article's title and paragraphs are read from the shared seeds at
test time, so nothing from the seeds is copied into the repository.

A page is described by a `CountyPage` (which template, which seed, which
bytes the server sends) and `page_bytes()` renders it.
"""

from __future__ import annotations

import html
import json
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from string import Template

import opencc

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "county_pages"
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

# Our own fake spam run, in the style of the keyword runs hacked sites carry.
SPAM_RUN = "午夜成人视频免费观看 澳门百家乐娱乐城开户送彩金 国产精品无码在线播放 六合彩特码资料大全"
SPAM_WORDS = ("成人视频", "百家乐", "娱乐城", "送彩金", "无码", "六合彩", "特码")
# Labels of the templates' menus and side columns (never article text).
MENU_LABELS = ("县情概况", "政务公开", "招商引资", "网上办事", "专题专栏", "互动交流", "栏目导航")
# Chrome the templates put around the article; none of it may reach the body.
CHROME = (
    "上一篇",
    "下一篇",
    "分享到",
    "打印本页",
    "关闭窗口",
    "ICP",
    "公网安备",
    "版权",
    "Copyright",
    "当前位置",
    "您的位置",
    "您现在的位置",
    "浏览次数",
    "点击：",
    "相关链接",
    "相关新闻",
    "相关文章",
    "责任编辑",
    "字体：",
    "技术支持",
    "主办",
    "邮编",
    "电话：",
    "地址：",
    "设为首页",
    "点击排行",
)


def fold(text: str | None) -> str:
    """NFKC, as expected.json is compared: punctuation width does not matter."""
    return unicodedata.normalize("NFKC", text or "")


@cache
def _opencc(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return _opencc("tw2s").convert(text)


def to_traditional(text: str) -> str:
    return _opencc("s2t").convert(text)


def is_traditional(text: str) -> bool:
    return sum(a != b for a, b in zip(text, to_simplified(text), strict=True)) >= 10


@cache
def expected() -> dict[str, dict]:
    data = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))
    return {name: want for name, want in data.items() if not name.startswith("_")}


@dataclass(frozen=True)
class Seed:
    """A seed's article text as the dump has it (script and ASCII punctuation included)."""

    name: str
    title: str | None
    paragraphs: tuple[str, ...]
    traditional: bool
    expected: dict = field(repr=False, hash=False, compare=False)

    def simplified_paragraphs(self) -> list[str]:
        """The paragraphs as the cleaned article must hold them (NFKC-folded)."""
        convert = to_simplified if self.traditional else str
        return [fold(convert(p)) for p in self.paragraphs]


def load_seed(name: str) -> Seed:
    """Title from expected.json; paragraphs between body_starts_with and body_ends_with.

    A dateline before body_starts_with on the first line ("某网(通讯员 某某)今年以来")
    is cut off: the fixture page carries its byline in the info line instead.
    """
    want = expected()[name]
    text = (SEEDS / name).read_text(encoding="utf-8")
    traditional = is_traditional(text)
    lines = [line.strip() for line in text.split("\n")]
    comparable = [fold(to_simplified(line) if traditional else line) for line in lines]
    start_text, end_text = fold(want["body_starts_with"]), fold(want["body_ends_with"])
    start = next(i for i, line in enumerate(comparable) if start_text in line)
    end = next(i for i in range(start, len(lines)) if comparable[i].endswith(end_text))
    paragraphs = [line for line in lines[start : end + 1] if line]
    offset = comparable[start].index(start_text)
    paragraphs[0] = paragraphs[0][offset:]  # folding and tw2s keep lengths here
    return Seed(name, want.get("title"), tuple(paragraphs), traditional, want)


# How each template lays out one paragraph of the body.
PARAGRAPH_MARKUP = {
    "p_indent": '<p style="text-indent:2em">{}</p>',
    "font": '<p><font face="宋体" size="3">&nbsp;&nbsp;&nbsp;&nbsp;{}</font></p>',
    "br": "\u3000\u3000{}<br>\n<br>",
    "div": '<div style="text-indent:2em;margin-bottom:8px">{}</div>',
    "msonormal": (
        '<p class="MsoNormal" style="text-indent:32.0pt;mso-char-indent-count:2.0">'
        '<span style="font-family:仿宋_GB2312;font-size:16.0pt">{}</span></p>'
    ),
}


@dataclass(frozen=True)
class CountyPage:
    """One filled fixture page and what the pipeline must find in it."""

    id: str
    template: str
    seed: str
    encoding: str  # the bytes the server sends
    paragraph: str  # key of PARAGRAPH_MARKUP
    date: str  # as the info line prints it
    date_iso: str  # what the article's date must start with
    author: str  # simplified; printed in traditional on traditional pages
    source: str
    site: str
    county: str
    caption: str  # simplified; the text the *caption* line must hold
    title: str | None = None  # for seeds that have none
    keywords: str = ""

    def article_title(self) -> str:
        return self.title or load_seed(self.seed).title or ""


def render(page: CountyPage) -> str:
    """The page's HTML as text (before encoding)."""
    seed = load_seed(page.seed)
    script = to_traditional if seed.traditional else str
    markup = PARAGRAPH_MARKUP[page.paragraph]
    body = [markup.format(html.escape(p, quote=False)) for p in seed.paragraphs]
    cut = min(2, len(body) - 1)
    template = Template((FIXTURES / page.template).read_text(encoding="utf-8"))
    fields = {
        "title": page.article_title(),
        "date": page.date,
        "author": page.author,
        "source": page.source,
        "site": page.site,
        "county": page.county,
        "caption": page.caption,
        "keywords": page.keywords,
        "spam": SPAM_RUN,
    }
    fields = {key: html.escape(script(value)) for key, value in fields.items()}
    return template.substitute(
        fields, body_head="\n".join(body[:cut]), body_tail="\n".join(body[cut:])
    )


def page_bytes(page: CountyPage) -> bytes:
    """The page as its server sends it (characters the charset lacks as &#…; references)."""
    return render(page).encode(page.encoding, errors="xmlcharrefreplace")


def write_page(page: CountyPage, directory: Path) -> Path:
    path = directory / f"{page.id}.html"
    path.write_bytes(page_bytes(page))
    return path


PAGES = (
    CountyPage(
        id="gov_portal_gb2312",
        template="gov_portal_table.html",
        seed="000_ebea5dd2f044d068.txt",
        encoding="gb18030",
        paragraph="p_indent",
        date="2021-01-28 14:22",
        date_iso="2021-01-28T14:22",
        author="李文",
        source="县委组织部",
        site="红安县人民政府网",
        county="红安县",
        caption="图为党员志愿者在村湾开展环境整治",
    ),
    CountyPage(
        id="rongmei_declares_utf8_sends_gbk",
        template="rongmei_div_declares_utf8.html",
        seed="002_fa47316428ee5cb9.txt",
        encoding="gb18030",
        paragraph="div",
        date="2020-01-15 19:54",
        date_iso="2020-01-15T19:54",
        author="金勋亚",
        source="咸宁网",
        site="咸宁网",
        county="崇阳县",
        caption="乡村振兴讲习所里的夜校课堂",
    ),
    CountyPage(
        id="news_net_declares_gbk_sends_utf8",
        template="news_net_declares_gbk.html",
        seed="003_57091c3e64918d13.txt",
        encoding="utf-8",
        paragraph="p_indent",
        date="2020-09-18",
        date_iso="2020-09-18",
        author="刘友春",
        source="中国社会科学网",
        site="宣恩党建网",
        county="宣恩县",
        caption="驻村第一书记走访脱贫户",
        title="宣恩县以“三能共育”“三网共治”“三题共解”增强基层党组织组织力",
        keywords="基层党组织,脱贫攻坚,基层治理,政治功能",
    ),
    CountyPage(
        id="big5_traditional",
        template="big5_traditional.html",
        seed="001_0b99afe92a465ac2.txt",
        encoding="big5",
        paragraph="font",
        date="2019-09-03 10:15",
        date_iso="2019-09-03T10:15",
        author="王晓东",
        source="兴县组织部",
        site="兴县新闻网",
        county="兴县",
        caption="村级后备干部集中培训现场",
    ),
    CountyPage(
        id="frontpage_br_font",
        template="frontpage_br_font.html",
        seed="002_fa47316428ee5cb9.txt",
        encoding="gb18030",
        paragraph="br",
        date="2020/1/15 19:54:00",
        date_iso="2020-01-15T19:54",
        author="金勋亚",
        source="崇阳县委组织部",
        site="崇阳县人民政府门户网站",
        county="崇阳县",
        caption="党建示范带上的红色文化墙",
    ),
    CountyPage(
        id="trs_editor_msonormal",
        template="trs_editor_msonormal.html",
        seed="000_ebea5dd2f044d068.txt",
        encoding="gb18030",
        paragraph="msonormal",
        date="2021-01-28 14:22",
        date_iso="2021-01-28T14:22",
        author="李文",
        source="红安网",
        site="红安县人民政府",
        county="红安县",
        caption="县委组织部干部在村部听取群众意见",
    ),
)
