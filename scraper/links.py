"""From a list page to its article links and the next list page.

A county site's column page ("栏目页") lists headlines, each a link to an
article, under a menu of channels and above a pager.  The crawler must follow
the headlines and the pager and nothing else: following channel links would
wander the whole site, and following a pager as if it were an article would
archive list pages.

No one signal tells an article link from a navigation link, so several are
weighed (see `_score`):

- the URL's shape: county CMSs put a date or a long numeric id in article
  URLs (``/2021/0128/12345.html``, ``art_123_456.html``, ``t20210128_1.html``,
  ``show.asp?id=123``) and name list pages ``index_1.html``, ``list_2.html``,
  ``node_12.htm`` or a folder ending in ``/``;
- the link text: a headline has six or more Chinese characters, a menu
  entry two to four (首页, 新闻中心, 党建);
- the position: headlines sit in the page's main list, the element with the
  most rows (``li``, ``tr``, ``div``) holding a headline link; links in
  ``nav``, ``header``, ``footer``, ``aside`` or in elements whose class or
  id says so (``class="nav"``, ``id="footer"``) are never articles;
- repetition: a link found on the site's other list pages too is
  navigation (the crawler passes those as `common`).

A site's `article_links` / `next_page` CSS selector, when given, replaces the
heuristics for that step: maintainers fix a site that fools them by data.

Every URL returned is absolute, normalised (`normalize_url`), http(s) and on
the site (`is_on_site`); the functions accept any string as HTML and never
raise on it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterator
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from lxml import etree
from lxml.html import HtmlElement, HTMLParser

from scraper.sources import Site, host_of

__all__ = ["article_links", "is_on_site", "next_pages", "normalize_url"]

# ---------------------------------------------------------------- URLs

_TRACKING_PARAM = re.compile(r"^(?:utm_[a-z0-9_]*|spm|from)$", re.IGNORECASE)
# Characters left as they are when re-quoting a path or query: the reserved
# ones and "%" (already-escaped sequences stay escaped).
_SAFE_PATH = "/%:@!$&'()*+,;=~-._"
_SAFE_QUERY = _SAFE_PATH + "?"


def normalize_url(url: str) -> str:
    """The one spelling of an absolute http(s) URL used to compare and store it.

    Lower-cases scheme and host, drops the default port, the fragment, the
    user info and tracking parameters (``utm_*``, ``spm``, ``from``), writes
    an empty path as ``/`` and percent-escapes spaces and non-ASCII
    characters; the rest of the query is kept in order, since on county CMSs
    it often *is* the article (``show.asp?id=123``).  Two links to one
    article thus compare equal, and the crawler fetches it once.

    Raises ValueError for a relative or non-http(s) URL.
    """
    text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    host = host_of(text)
    if scheme not in ("http", "https") or not host:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    path = quote(parts.path or "/", safe=_SAFE_PATH)
    pairs = [
        pair
        for pair in parts.query.split("&")
        if pair and not _TRACKING_PARAM.match(pair.split("=", 1)[0])
    ]
    query = quote("&".join(pairs), safe=_SAFE_QUERY)
    return urlunsplit((scheme, host, path, query, ""))


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def is_on_site(url: str, site: Site) -> bool:
    """Whether `url` is an http(s) URL on one of the site's hosts.

    ``www.x.cn`` and ``x.cn`` count as one host: county sites link to
    themselves both ways.  Other subdomains must be listed in the site's
    `allowed_hosts`.
    """
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return False
    host = host_of(url)
    if scheme not in ("http", "https") or not host:
        return False
    return _bare(host) in {_bare(h) for h in site.hosts}


# Files that are not pages: images and attachments.
_NOT_A_PAGE = re.compile(
    r"\.(?:jpe?g|png|gif|bmp|webp|svg|ico|tiff?|pdf|docx?|xlsx?|pptx?|wps|et|zip|rar|7z|gz|tar"
    r"|exe|apk|mp3|mp4|avi|wmv|flv|mov|swf|txt|xml|css|js)$",
    re.IGNORECASE,
)

# Article URL shapes.  Strong: a date or a CMS article marker.
_ARTICLE_STRONG = re.compile(
    r"""
      /(?:19|20)\d{2}/[01]?\d/[0-3]?\d/        # /2021/1/28/ (大汉 /art/2021/1/28/)
    | /(?:19|20)\d{2}/[01]\d[0-3]\d/           # /2021/0128/
    | /(?:19|20)\d{2}-[01]\d(?:-[0-3]\d)?/     # /2021-01/28/, /c/2021-01-28/
    | /(?:19|20)\d{2}[01]\d(?:[0-3]\d)?/       # /202101/, /20210128/
    | /\d{2}/[01]\d[0-3]\d/\d{2}/              # /20/0802/14/ (portal yy/mmdd/hh)
    | \bt(?:19|20)\d{6}_\d+                    # TRS t20210128_123456.html
    | \bart_\d+_\d+                            # 大汉 art_123_456.html
    | \bcontent_\d+                            # content_123.htm
    | [?&](?:id|aid|articleid|article_id|newsid|news_id|docid|contentid|infoid|itemid
            |artid|nid|tid|showid|infoid)=\d+  # show.asp?id=123, ArticleShow.aspx?ID=…
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Weak: a long number in the file name (/news/12345.html, /p/6855459062).
_ARTICLE_WEAK = re.compile(r"\d{4,}[^/]*$")
# List and channel pages.
_NAV_FILE = re.compile(
    r"""
      /(?:index|default|main|home)(?:_\d+)?\.[a-z]+$   # index.html, index_1.html
    | /list[^/]*$ | /[^/]*_list[^/]*$                  # list_2.html, news_list.htm
    | /node_\d+                                        # node_12.htm
    | /col/col\d+                                      # 大汉 column folders
    | /(?:forum|channel|column|category|catalog)[-_/]
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Query parameters of pages that are never articles, even with an id beside
# them: searches, tag and user pages, list offsets, "jump to last post".
_NEVER_ARTICLE_QUERY = re.compile(
    r"""
      [?&](?:uid|username|kw|keyword|keywords|q|wd|query|tag|page|pn|pageno|pageindex|goto)=
    | [?&](?:mod|ac)=(?:space|spacecp|redirect|rss|forumdisplay|guide|favorite|logging|register)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _url_shape(url: str) -> str:
    """The URL's kind: "article", "weak" (probably an article), "nav" or "" (no opinion)."""
    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    if parts.query and _NEVER_ARTICLE_QUERY.search("?" + parts.query):
        return "nav"
    if _ARTICLE_STRONG.search(target):
        return "article"
    if _NAV_FILE.search(target) or (parts.path in ("", "/") and not parts.query):
        return "nav"
    if parts.path.endswith("/"):
        # A column folder, unless its last segment is a long id (/news/12345/).
        last = parts.path.rstrip("/").rsplit("/", 1)[-1]
        return "weak" if re.fullmatch(r"\d{5,}", last) else "nav"
    if _ARTICLE_WEAK.search(parts.path):
        return "weak"
    return ""


# ---------------------------------------------------------------- texts

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+")


def _words(text: str) -> frozenset[str]:
    """A word list written as words separated by spaces (easier to edit than quoted items)."""
    return frozenset(text.split())


# Menu entries and link labels that are never headlines.
_MENU_WORDS = _words(
    """首页 网站首页 返回首页 主页 更多 更多信息 查看更多 新闻中心 新闻动态 党建 党建工作 党建动态
    政务公开 信息公开 政府信息公开 联系我们 关于我们 网站地图 网站导航 登录 注册 打印 打印本页
    关闭 关闭窗口 设为首页 加入收藏 返回顶部 返回 详细 详情 全文 阅读全文 more more>>"""
)
_PAGER_NEXT = re.compile(r"^(?:下一?页|下一页\s*[>»›]*|后一?页|next(?:\s*page)?|[>»›]|>>)$", re.I)
_PAGER_OTHER = re.compile(
    r"^(?:上一?页|前一?页|首页|尾页|末页|最后一?页|prev(?:ious)?|[<«‹]|<<)", re.I
)
_PAGE_NUMBER = re.compile(r"^\[?\s*第?\s*(\d{1,5})\s*页?\s*\]?$")
_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside"})
_CHROME_TOKENS = _words(
    """nav navbar navigation menu menus mainnav topnav subnav sitenav footnav header footer
    foot copyright crumb crumbs breadcrumb breadcrumbs sidebar aside topbar toolbar bottom
    friendlink friendlinks hd ft"""
)
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")


def _text(element: HtmlElement) -> str:
    text = " ".join(element.text_content().split())
    title = (element.get("title") or "").strip()
    # A truncated headline ("……", "...") is completed by its title attribute.
    if title and (not text or (text.endswith(("...", "…")) and len(title) > len(text))):
        return title
    return text


def _headline_size(text: str) -> int:
    """Chinese characters plus Latin words: a headline has six or more."""
    return len(_CJK.findall(text)) + len(_LATIN_WORD.findall(text))


def _is_chrome(element: HtmlElement) -> bool:
    if not isinstance(element.tag, str):
        return False
    if element.tag.lower() in _CHROME_TAGS:
        return True
    for attribute in ("id", "class", "role"):
        for word in (element.get(attribute) or "").lower().split():
            # "main-nav", "footer_links" and "topNav" are chrome; "index_foot_imgs"
            # (a photo strip near the foot) is not: only a word's ends count.
            tokens = [token for token in _TOKEN_SPLIT.split(word) if token]
            if word in _CHROME_TOKENS or (tokens and {tokens[0], tokens[-1]} & _CHROME_TOKENS):
                return True
    return False


def _in_chrome(element: HtmlElement, memo: dict[HtmlElement, bool]) -> bool:
    path: list[HtmlElement] = []
    node: HtmlElement | None = element
    found = False
    while node is not None:
        if node in memo:
            found = memo[node]
            break
        path.append(node)
        if _is_chrome(node):
            found = True
            break
        node = node.getparent()
    for seen in path:
        memo[seen] = found
    return found


# ---------------------------------------------------------------- parsing

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _parse(html: str) -> HtmlElement | None:
    """The document's root, or None when there is nothing to parse."""
    if not html or not html.strip():
        return None
    data = _CONTROL.sub("", html).encode("utf-8", "replace")
    try:
        root = etree.fromstring(data, HTMLParser(encoding="utf-8", remove_comments=True))
    except (etree.LxmlError, ValueError):
        return None
    return root if isinstance(root, HtmlElement) else None


def _document_base(root: HtmlElement, base_url: str) -> str:
    """`base_url` as changed by a ``<base href>``, which relative links resolve against."""
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            try:
                joined = urljoin(base_url, href)
            except ValueError:
                continue
            if urlsplit(joined).scheme in ("http", "https"):
                return joined
    return base_url


def _resolve(href: str | None, base: str) -> str | None:
    """The normalised absolute URL a link points to, or None for non-pages."""
    if href is None:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        url = normalize_url(urljoin(base, href))
    except ValueError:
        return None
    if _NOT_A_PAGE.search(urlsplit(url).path):
        return None
    return url


def _links(root: HtmlElement) -> Iterator[HtmlElement]:
    for element in root.iter("a", "area"):
        if element.get("href") is not None:
            yield element


def _select(root: HtmlElement, selector: str) -> list[HtmlElement]:
    """Links matched by a CSS selector, or inside the elements it matches."""
    found: list[HtmlElement] = []
    try:
        matched = root.cssselect(selector)
    except Exception:
        return found
    for element in matched:
        if not isinstance(element, HtmlElement):
            continue
        if element.tag in ("a", "area"):
            found.append(element)
        else:
            found.extend(_links(element))
    return found


def _page_url(base_url: str) -> str | None:
    try:
        return normalize_url(base_url)
    except ValueError:
        return None


# ---------------------------------------------------------------- article links


def _main_lists(candidates: list[HtmlElement]) -> set[HtmlElement]:
    """The page's main list: the element with the most rows holding a candidate
    headline link, plus every element built like it (a list split in blocks).
    """
    rows: dict[HtmlElement, set[HtmlElement]] = defaultdict(set)
    for link in candidates:
        child, parent = link, link.getparent()
        for _ in range(6):
            if parent is None:
                break
            rows[parent].add(child)
            child, parent = parent, parent.getparent()
    if not rows:
        return set()
    best = max(rows, key=lambda element: len(rows[element]))
    if len(rows[best]) < 3:
        return set()
    signature = (best.tag, best.get("class"))
    return {
        element
        for element, held in rows.items()
        if len(held) >= 3 and (element.tag, element.get("class")) == signature
    }


def _row_of(element: HtmlElement, lists: set[HtmlElement]) -> HtmlElement | None:
    """The row (child of a main-list element) holding `element`, if any."""
    child = element
    for parent in element.iterancestors():
        if parent in lists:
            return child
        child = parent
    return None


def _score(url: str, text: str, *, in_list: bool, common: bool) -> float:
    """How much a link looks like an article: 2 or more is an article.

    Each signal is worth about one unit; a strong URL shape (date, CMS
    article marker) is enough alone, a headline text needs the main list or
    a second signal, and a channel-shaped URL needs more than a long text.
    """
    shape = _url_shape(url)
    score = {"article": 3.0, "weak": 2.0, "nav": -3.0, "": 0.0}[shape]
    size = _headline_size(text)
    if size >= 6:
        score += 1.0
    if size >= 10:
        score += 1.0
    bare = text.replace(" ", "").lower()
    if bare in _MENU_WORDS or bare.endswith(("更多", "more", ">>", "»")):
        score -= 2.0
    elif text and len(bare) <= 4:
        score -= 1.0
    if in_list:
        score += 1.0
    if common:
        score -= 2.0
    return score


def _is_pager_text(text: str) -> bool:
    bare = text.strip()
    return bool(_PAGE_NUMBER.match(bare) or _PAGER_NEXT.match(bare) or _PAGER_OTHER.match(bare))


def article_links(
    html: str, base_url: str, site: Site, *, common: Collection[str] = ()
) -> list[str]:
    """The article URLs a list page links to, in page order, without duplicates.

    `base_url` is the list page's own URL (relative links resolve against it
    or the page's ``<base href>``).  `common` holds URLs seen on the site's
    other list pages: links repeated there are navigation, whatever they
    look like.  With ``site.article_links`` set, only links matching that
    selector are taken.  Off-site links, javascript:/mailto:, images,
    attachments and the page itself are never returned.
    """
    page = _page_url(base_url)
    root = _parse(html)
    if page is None or root is None:
        return []
    base = _document_base(root, base_url)
    common_urls = {u for c in common if (u := _page_url(c)) is not None}

    def usable(element: HtmlElement) -> str | None:
        url = _resolve(element.get("href"), base)
        if url is None or url == page or not is_on_site(url, site):
            return None
        return url

    found: list[str] = []
    if site.article_links:
        for element in _select(root, site.article_links):
            url = usable(element)
            if url is not None and url not in found:
                found.append(url)
        return found

    chrome_memo: dict[HtmlElement, bool] = {}
    links: list[tuple[HtmlElement, str, str]] = []
    for element in _links(root):
        url = usable(element)
        if url is None or _in_chrome(element, chrome_memo):
            continue
        text = _text(element)
        if _is_pager_text(text):
            continue
        links.append((element, url, text))

    candidates = [
        element
        for element, url, text in links
        if _url_shape(url) != "nav" and (_headline_size(text) >= 6 or _url_shape(url))
    ]
    lists = _main_lists(candidates)

    # Within a row of the main list only the row's best link is its headline:
    # tag, author and comment links beside it get no credit for the position.
    scored: list[tuple[str, float, HtmlElement | None]] = []
    row_best: dict[HtmlElement, float] = {}
    for element, url, text in links:
        score = _score(url, text, in_list=False, common=url in common_urls)
        row = _row_of(element, lists)
        if row is not None:
            row_best[row] = max(score, row_best.get(row, score))
        scored.append((url, score, row))
    for url, score, row in scored:
        if row is not None and score >= row_best[row]:
            score += 1.0
        if score >= 2.0 and url not in found:
            found.append(url)
    return found


# ---------------------------------------------------------------- pagination

# TRS: createPageHTML(countPage, currentPage, "index", "html"), sometimes with
# the pager's element id first and extra arguments after.
_CREATE_PAGE = re.compile(
    r"""createPageHTML\s*\(\s*(?:(['"])[^'"]*\1\s*,\s*)?([\w.$]+)\s*,\s*([\w.$]+)\s*,"""
    r"""\s*(['"])([^'"]*)\4\s*,\s*(['"])([^'"]*)\6""",
)
_MAX_GENERATED_PAGES = 100
_PAGE_IN_URL = (
    (re.compile(r"/index_(\d+)\.[a-z]+$", re.I), 1),  # TRS: index_1.html is page 2
    (re.compile(r"[/_-](\d+)\.[a-z]+$", re.I), 0),  # list_3.html, forum-9-3.html
    (re.compile(r"[?&](?:page|pageno|pageindex|currentpage|p)=(\d+)", re.I), 0),
)


def _script_number(token: str, html: str) -> int | None:
    if token.isdigit():
        return int(token)
    match = re.search(rf"\b{re.escape(token)}\s*=\s*['\"]?(\d+)", html)
    return int(match.group(1)) if match else None


def _trs_pages(html: str, base: str) -> list[str]:
    """Pages announced by TRS's ``createPageHTML`` script (index_1.html …)."""
    match = _CREATE_PAGE.search(html)
    if not match:
        return []
    count = _script_number(match.group(2), html)
    current = _script_number(match.group(3), html)
    prefix, suffix = match.group(5), match.group(7)
    if count is None or current is None or not prefix or not suffix:
        return []
    last = min(count, current + 1 + _MAX_GENERATED_PAGES)
    pages = []
    for number in range(current + 1, last):
        url = _resolve(f"{prefix}_{number}.{suffix}", base)
        if url is not None:
            pages.append(url)
    return pages


def _current_number(page: str) -> int:
    parts = urlsplit(page)
    target = parts.path + ("?" + parts.query if parts.query else "")
    for pattern, offset in _PAGE_IN_URL:
        if match := pattern.search(target):
            return int(match.group(1)) + offset
    return 1


def _is_next(element: HtmlElement, text: str) -> bool:
    if _PAGER_NEXT.match(text.strip()):
        return True
    if _PAGER_OTHER.match(text.strip()):
        return False
    title = (element.get("title") or "").strip()
    if title and _PAGER_NEXT.match(title):
        return True
    classes = set(_TOKEN_SPLIT.split((element.get("class") or "").lower()))
    return bool(classes & {"next", "nxt", "next-page", "nextpage", "pagenext"})


def next_pages(html: str, base_url: str, site: Site) -> list[str]:
    """The list pages after this one, the nearest first, on-site, never this page.

    Reads, in this order: a "下一页" / "下页" / ">" / "»" link, the pages of a
    TRS ``createPageHTML(…)`` script, and the numbered links of the pager
    beyond the current page (``index_2.html``, ``list_2.html``,
    ``?page=2``).  With ``site.next_page`` set, only links matching that
    selector are taken.  The crawler follows them up to ``site.max_pages``.
    """
    page = _page_url(base_url)
    root = _parse(html)
    if page is None or root is None:
        return []
    base = _document_base(root, base_url)
    found: list[str] = []

    def add(url: str | None) -> None:
        if url is not None and url != page and url not in found and is_on_site(url, site):
            found.append(url)

    if site.next_page:
        for element in _select(root, site.next_page):
            add(_resolve(element.get("href"), base))
        return found

    numbered: list[tuple[HtmlElement, int, str]] = []
    next_links: list[HtmlElement] = []
    for element in _links(root):
        url = _resolve(element.get("href"), base)
        if url is None or not is_on_site(url, site):
            continue
        text = _text(element)
        if _is_next(element, text):
            next_links.append(element)
            add(url)
        elif match := _PAGE_NUMBER.match(text.strip()):
            numbered.append((element, int(match.group(1)), url))

    for url in _trs_pages(html, base):
        add(url)

    for _, _, url in sorted(_pager_numbers(numbered, next_links, page), key=lambda n: n[1]):
        add(url)
    return found


def _pager_numbers(
    numbered: list[tuple[HtmlElement, int, str]], next_links: list[HtmlElement], page: str
) -> list[tuple[HtmlElement, int, str]]:
    """The numbered links of the pager after the current page.

    Numbers appear elsewhere too (a forum thread's own pages, 1 2 3 next to
    its title), so only the pager's are taken: the group around the
    "下一页" link, or else the largest group of numbered links sharing a
    parent, the last one on the page on a tie.
    """
    if not numbered:
        return []
    groups: dict[HtmlElement, list[tuple[HtmlElement, int, str]]] = defaultdict(list)
    for item in numbered:
        parent = item[0].getparent()
        if parent is not None:
            groups[parent].append(item)
    pager: list[tuple[HtmlElement, int, str]] = []
    for link in next_links:
        ancestors = list(link.iterancestors())[:4]
        for ancestor in ancestors:
            inside = [item for item in numbered if ancestor in item[0].iterancestors()]
            if inside:
                pager = inside
                break
        if pager:
            break
    if not pager:
        largest = max((len(items) for items in groups.values()), default=0)
        if largest < 2:
            return []
        pager = [items for items in groups.values() if len(items) == largest][-1]
    current = _current_number(page)
    marked = _marked_current(pager)
    if marked is not None:
        current = marked
    return [item for item in pager if item[1] > current and item[2] != page]


def _marked_current(pager: list[tuple[HtmlElement, int, str]]) -> int | None:
    """The current page's number as the pager shows it: a number that is not a link."""
    parent = pager[0][0].getparent()
    if parent is None:
        return None
    for element in parent.iter():
        if element.tag in ("a", "area") or not isinstance(element.tag, str):
            continue
        if any(child.tag == "a" for child in element.iterdescendants()):
            continue
        match = _PAGE_NUMBER.match((element.text or "").strip())
        if match:
            return int(match.group(1))
    return None
