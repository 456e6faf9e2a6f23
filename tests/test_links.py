"""Article links and next list pages found on a list page (scraper/links.py).

Fixture list pages in tests/fixtures/list_pages/ are invented county sites
(table layout, TRS createPageHTML, a dated <ul>, channel blocks).  The real
list pages are read where they live (../shared/pages/lists/); the counts and
URL patterns asserted on them were checked by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.links import article_links, is_on_site, next_pages, normalize_url
from scraper.sources import Site

FIXTURES = Path(__file__).parent / "fixtures" / "list_pages"
LISTS = Path(__file__).resolve().parents[1].parent / "shared" / "pages" / "lists"
needs_lists = pytest.mark.skipif(not LISTS.is_dir(), reason=f"no saved list pages at {LISTS}")

LVSHUI = Site("绿水县人民政府", ("http://www.lvshuixian.gov.cn/",), "湖北省")
LVSHUI_LIST = "http://www.lvshuixian.gov.cn/xwzx/lsyw/index.html"
QINGSHAN = Site("青山市人民政府", ("http://www.qingshanshi.gov.cn/",), "湖北省")
QINGSHAN_LIST = "http://www.qingshanshi.gov.cn/djgz/jcdj/"
YUNXI_NEWS = Site("云溪融媒", ("https://www.yunxi.example.cn/djdt/",), "湖北省")
YUNXI_GOV = Site("云溪县人民政府", ("http://www.yunxi.gov.cn/dj/",), "湖北省")


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def site_page(body: str) -> str:
    return f"<html><body>{body}</body></html>"


# ---------------------------------------------------------------- normalize_url


def test_normalize_drops_fragment_default_port_and_lowercases_host() -> None:
    assert (
        normalize_url("HTTP://WWW.Example.CN:80/a/B.html#top") == "http://www.example.cn/a/B.html"
    )
    assert normalize_url("https://example.cn:443") == "https://example.cn/"
    assert normalize_url("http://example.cn:8080/x") == "http://example.cn:8080/x"


def test_normalize_drops_tracking_params_and_keeps_the_rest_of_the_query() -> None:
    url = "http://x.cn/show.asp?utm_source=wx&id=123&spm=a.b&from=timeline&classid=4"
    assert normalize_url(url) == "http://x.cn/show.asp?id=123&classid=4"


def test_normalize_escapes_spaces_and_chinese_but_not_escapes() -> None:
    assert normalize_url(" http://x.cn/新闻/a b.html?q=%E5%85%9A ") == (
        "http://x.cn/%E6%96%B0%E9%97%BB/a%20b.html?q=%E5%85%9A"
    )


@pytest.mark.parametrize("url", ["/2021/0128/1.html", "javascript:void(0)", "ftp://x.cn/a"])
def test_normalize_rejects_relative_and_non_http_urls(url: str) -> None:
    with pytest.raises(ValueError):
        normalize_url(url)


# ---------------------------------------------------------------- is_on_site


def test_on_site_accepts_start_hosts_with_or_without_www() -> None:
    assert is_on_site("http://www.lvshuixian.gov.cn/html/1.html", LVSHUI)
    assert is_on_site("https://lvshuixian.gov.cn/html/1.html", LVSHUI)


def test_on_site_rejects_other_hosts_ports_and_schemes() -> None:
    assert not is_on_site("http://news.lvshuixian.gov.cn/1.html", LVSHUI)
    assert not is_on_site("http://www.lvshuixian.gov.cn:8080/1.html", LVSHUI)
    assert not is_on_site("mailto:a@lvshuixian.gov.cn", LVSHUI)
    assert not is_on_site("http://[bad", LVSHUI)


def test_on_site_accepts_allowed_hosts() -> None:
    site = Site(
        "荆楚网", ("http://www.cnhubei.com/",), "湖北省", allowed_hosts=("news.cnhubei.com",)
    )
    assert is_on_site("http://news.cnhubei.com/content/2021-01/28/content_1.html", site)


# ---------------------------------------------------------------- article links: fixtures


def test_table_layout_list_gives_its_twenty_articles_and_the_sidebar_hot_articles() -> None:
    found = article_links(fixture("county_table.html"), LVSHUI_LIST, LVSHUI)
    listed = [
        f"http://www.lvshuixian.gov.cn/html/2021/01{28 - i:02d}/{15230 - i * 7}.html"
        for i in range(20)
    ]
    hot = [
        "http://www.lvshuixian.gov.cn/html/2021/0115/15011.html",
        "http://www.lvshuixian.gov.cn/html/2021/0128/15230.html",
        "http://www.lvshuixian.gov.cn/html/2021/0109/14890.html",
    ]
    # Page order: the sidebar comes first in the source; the list's first item is
    # also a hot article and is not repeated.
    assert found == hot + listed[1:]


def test_table_layout_list_leaves_out_menus_footer_attachments_and_other_sites() -> None:
    found = article_links(fixture("county_table.html"), LVSHUI_LIST, LVSHUI)
    assert not [url for url in found if not re.search(r"/html/2021/\d{4}/\d+\.html$", url)]
    assert "http://www.lvshuixian.gov.cn/html/2019/0101/100.html" not in found  # footer


def test_trs_list_gives_every_dated_article() -> None:
    found = article_links(fixture("trs_createpage.html"), QINGSHAN_LIST, QINGSHAN)
    assert len(found) == 15
    assert found[0] == "http://www.qingshanshi.gov.cn/djgz/jcdj/202101/t20210128_3311223.html"
    assert all(re.search(r"/djgz/jcdj/20210[12]/t20210[12]\d\d_\d+\.html$", url) for url in found)


def test_dated_ul_list_gives_its_articles_not_header_nav_or_aside_links() -> None:
    found = article_links(fixture("ul_dates.html"), YUNXI_NEWS.start_urls[0], YUNXI_NEWS)
    assert len(found) == 12
    assert found[0] == "https://www.yunxi.example.cn/news/12871.html"
    assert found[-1] == "https://www.yunxi.example.cn/news/12800.html"
    for chrome in ("12001", "11900", "12500"):  # <header>, <nav>, <aside>
        assert f"https://www.yunxi.example.cn/news/{chrome}.html" not in found


def test_channel_page_gives_articles_and_not_channel_or_more_links() -> None:
    found = article_links(fixture("mixed_channels.html"), YUNXI_GOV.start_urls[0], YUNXI_GOV)
    assert len(found) == 10
    # A headline in a list block counts even with a URL of no recognisable shape.
    assert "http://www.yunxi.gov.cn/dj/jcdj/zhengdun-gongzuo-shouce.html" in found
    assert not [url for url in found if url.endswith("/") or "ztzl" in url or "list_" in url]
    assert "http://www.yunxi.gov.cn/zt/xczx.shtml" not in found


# ---------------------------------------------------------------- article links: rules

BASE = "http://www.lvshuixian.gov.cn/xwzx/"


def test_strong_url_shapes_are_articles_even_without_text() -> None:
    html = site_page(
        '<a href="/art/2021/1/28/art_123_456.html"><img src="a.jpg"></a>'
        '<a href="/content/2021-01/28/content_123.htm"></a>'
        '<a href="/202101/t20210128_123456.html"></a>'
        '<a href="show.asp?id=123"></a><a href="ArticleShow.aspx?ID=77"></a>'
        '<a href="/c/2021-01-28/123.shtml"></a><a href="/news/12345.html"></a>'
    )
    assert len(article_links(html, BASE, LVSHUI)) == 7


def test_menu_texts_and_channel_urls_are_not_articles() -> None:
    html = site_page(
        '<a href="/">首页</a><a href="/xwzx/">新闻中心</a><a href="/dj/index.html">党建</a>'
        '<a href="/list_3.html">通知公告</a><a href="/node_12.htm">图片新闻</a>'
        '<a href="/djgz/">学习贯彻党的二十大精神专栏</a>'
        '<a href="/html/2021/0128/1.html">更多&gt;&gt;</a>'
    )
    assert article_links(html, BASE, LVSHUI) == []


def test_javascript_mailto_images_attachments_and_self_links_are_skipped() -> None:
    html = site_page(
        "<a href=\"javascript:openWin('/html/2021/0128/1.html')\">县委召开基层党建工作推进会议</a>"
        '<a href="mailto:a@lvshuixian.gov.cn">县委召开基层党建工作推进会议</a>'
        '<a href="/uploadfile/2021/0128/1234.jpg">县委召开基层党建工作推进会议</a>'
        '<a href="/uploadfile/2021/0128/1234.doc">县委召开基层党建工作推进会议附件</a>'
        '<a href="/uploadfile/2021/0128/1234.PDF">县委召开基层党建工作推进会议附件</a>'
        '<a href="#top">县委召开基层党建工作推进会议</a>'
        '<a href="index.html">县委召开基层党建工作推进会议</a>'
    )
    assert article_links(html, BASE + "index.html", LVSHUI) == []


def test_off_site_articles_are_skipped_unless_their_host_is_allowed() -> None:
    html = site_page(
        '<a href="http://news.cnhubei.com/2021/0128/1.html">红安县召开村党组织书记培训会议</a>'
    )
    assert article_links(html, BASE, LVSHUI) == []
    site = Site("x", (BASE,), "湖北省", allowed_hosts=("news.cnhubei.com",))
    assert article_links(html, BASE, site) == ["http://news.cnhubei.com/2021/0128/1.html"]


def test_duplicates_are_dropped_and_page_order_kept() -> None:
    html = site_page(
        '<a href="/html/2021/0128/2.html"><img src="t.jpg"></a>'
        '<a href="/html/2021/0128/2.html">县委召开基层党建工作推进会议</a>'
        '<a href="/html/2021/0127/1.html#p2">村级集体经济发展现场会召开</a>'
        '<a href="/html/2021/0127/1.html?utm_source=x">村级集体经济发展现场会召开</a>'
    )
    assert article_links(html, BASE, LVSHUI) == [
        "http://www.lvshuixian.gov.cn/html/2021/0128/2.html",
        "http://www.lvshuixian.gov.cn/html/2021/0127/1.html",
    ]


def test_links_repeated_on_other_list_pages_are_navigation() -> None:
    pinned = "http://www.lvshuixian.gov.cn/zt/dsxx.html"
    html = site_page(f'<a href="{pinned}">中共绿水县委关于开展党史学习教育的通知</a>')
    assert article_links(html, BASE, LVSHUI) == [pinned]
    assert article_links(html, BASE, LVSHUI, common=[pinned]) == []


def test_tag_links_beside_a_headline_in_a_list_row_are_not_articles() -> None:
    rows = "".join(
        f'<li><a href="/p/{n}.html">绿水县第{n}期村干部培训班开班</a>'
        f'<a href="/tag/{n}/1.html">村干部培训班</a></li>'
        for n in range(1, 6)
    )
    found = article_links(site_page(f"<ul>{rows}</ul>"), BASE, LVSHUI)
    assert found == [f"http://www.lvshuixian.gov.cn/p/{n}.html" for n in range(1, 6)]


def test_site_selector_replaces_the_heuristics() -> None:
    html = site_page(
        '<div class="lb"><a href="/a/zz.html">文</a><a href="/a/yy.html">章</a></div>'
        '<a href="/html/2021/0128/1.html">县委召开基层党建工作推进会议</a>'
    )
    site = Site("x", (BASE,), "湖北省", article_links="div.lb a")
    assert article_links(html, BASE, site) == [
        "http://www.lvshuixian.gov.cn/a/zz.html",
        "http://www.lvshuixian.gov.cn/a/yy.html",
    ]


def test_base_href_is_used_to_resolve_links() -> None:
    html = (
        '<html><head><base href="http://www.lvshuixian.gov.cn/html/"></head>'
        '<body><a href="2021/0128/1.html">县委召开基层党建工作推进会议</a></body></html>'
    )
    assert article_links(html, BASE, LVSHUI) == [
        "http://www.lvshuixian.gov.cn/html/2021/0128/1.html"
    ]


# ---------------------------------------------------------------- next pages


def test_next_page_link_of_table_layout_list() -> None:
    assert next_pages(fixture("county_table.html"), LVSHUI_LIST, LVSHUI) == [
        "http://www.lvshuixian.gov.cn/xwzx/lsyw/index_2.html"
    ]


def test_trs_create_page_html_script_gives_index_n_pages() -> None:
    assert next_pages(fixture("trs_createpage.html"), QINGSHAN_LIST, QINGSHAN) == [
        f"http://www.qingshanshi.gov.cn/djgz/jcdj/index_{n}.html" for n in range(1, 5)
    ]


def test_trs_create_page_html_with_element_id_from_a_later_page() -> None:
    html = site_page("<script>createPageHTML('page_div', 5, 2, 'index', 'htm', 20);</script>")
    url = "http://www.lvshuixian.gov.cn/xwzx/index_2.htm"
    assert next_pages(html, url, LVSHUI) == [
        "http://www.lvshuixian.gov.cn/xwzx/index_3.htm",
        "http://www.lvshuixian.gov.cn/xwzx/index_4.htm",
    ]


def test_numbered_pager_after_the_marked_current_page() -> None:
    assert next_pages(fixture("ul_dates.html"), YUNXI_NEWS.start_urls[0], YUNXI_NEWS) == [
        "https://www.yunxi.example.cn/djdt/?page=2",
        "https://www.yunxi.example.cn/djdt/?page=3",
    ]


def test_numbered_pager_on_a_later_page_skips_earlier_and_current_pages() -> None:
    html = site_page(
        '<div class="page"><a href="list_1.html">1</a><a href="list_2.html">2</a>'
        '<a href="list_3.html">3</a><a href="list_4.html">4</a></div>'
    )
    url = "http://www.lvshuixian.gov.cn/xwzx/list_2.html"
    assert next_pages(html, url, LVSHUI) == [
        "http://www.lvshuixian.gov.cn/xwzx/list_3.html",
        "http://www.lvshuixian.gov.cn/xwzx/list_4.html",
    ]


@pytest.mark.parametrize("label", ["下一页", "下页", "&gt;", "»", "下一页&gt;&gt;"])
def test_next_labels(label: str) -> None:
    html = site_page(f'<a href="index_1.html">上一页</a><a href="index_3.html">{label}</a>')
    url = "http://www.lvshuixian.gov.cn/xwzx/index_2.html"
    assert next_pages(html, url, LVSHUI) == ["http://www.lvshuixian.gov.cn/xwzx/index_3.html"]


def test_next_pages_are_on_site_and_never_the_current_page() -> None:
    html = site_page(
        '<a href="http://other.cn/list_2.html">下一页</a><a href="#">下一页</a>'
        '<div><a href="index.html">1</a><a href="index.html#x">1</a></div>'
    )
    assert next_pages(html, LVSHUI_LIST, LVSHUI) == []


def test_list_without_pager_has_no_next_page() -> None:
    assert next_pages(fixture("mixed_channels.html"), YUNXI_GOV.start_urls[0], YUNXI_GOV) == []


def test_site_next_page_selector_replaces_the_heuristics() -> None:
    html = site_page('<a class="nx" href="p2.html">继续</a><a href="index_9.html">下一页</a>')
    site = Site("x", (BASE,), "湖北省", next_page="a.nx")
    assert next_pages(html, BASE, site) == ["http://www.lvshuixian.gov.cn/xwzx/p2.html"]


# ---------------------------------------------------------------- real list pages

NEWS_163 = Site("网易新闻", ("https://news.163.com/",), "北京市")
FORUM = Site("逆水寒论坛", ("https://n.netease.com/forum-9-1.html",), "北京市")
FORUM_URL = "https://n.netease.com/forum-9-1.html"
TIEBA = Site("贴吧", ("https://tieba.baidu.com/",), "北京市")
TIEBA_URL = "https://tieba.baidu.com/f?kw=%E8%B4%B4%E5%90%A7%E7%83%AD%E8%AE%AE&ie=utf-8"
# news.163.com articles (yy/mmdd/hh/ID.html) and photo sets; checked by hand.
NEWS_163_ARTICLE = re.compile(
    r"^https?://news\.163\.com/(?:\d\d/\d{4}/\d\d/[0-9A-Z]{16}\.html|(?:air/)?photoview/\w+/\d+\.html)$"
)


def real(name: str) -> str:
    return (LISTS / name).read_text(encoding="utf-8")


@needs_lists
@pytest.mark.parametrize(("name", "count"), [("163_1.html", 66), ("163_2.html", 92)])
def test_news_portal_list_gives_its_on_site_articles_only(name: str, count: int) -> None:
    # Every news.163.com article and photo set on the page, except a 2016
    # feedback article linked from the sidebar; tag pages (/keywords/…) and
    # other 163 subdomains are left out.
    found = article_links(real(name), "https://news.163.com/", NEWS_163)
    assert len(found) == count
    assert all(NEWS_163_ARTICLE.match(url) for url in found)


@needs_lists
def test_news_portal_home_has_no_next_page() -> None:
    assert next_pages(real("163_1.html"), "https://news.163.com/", NEWS_163) == []


@needs_lists
def test_forum_list_gives_its_threads_not_user_or_last_post_links() -> None:
    found = article_links(real("netease_forum_1.html"), FORUM_URL, FORUM)
    # 44 threads of the list plus 18 pinned in the forum's notice box; the
    # header menu's 14 thread links are navigation.
    assert len(found) == 62
    assert all(re.search(r"thread-\d+-1-1\.html$|mod=viewthread&tid=\d+", url) for url in found)


@needs_lists
def test_forum_list_next_pages_are_its_numbered_pages() -> None:
    assert next_pages(real("netease_forum_1.html"), FORUM_URL, FORUM) == [
        f"https://n.netease.com/forum-9-{n}.html" for n in range(2, 11)
    ]


@needs_lists
def test_tieba_list_gives_its_threads() -> None:
    found = article_links(real("tieba_1.html"), TIEBA_URL, TIEBA)
    assert len(found) == 56
    assert all(re.fullmatch(r"https?://tieba\.baidu\.com/p/\d+", url) for url in found)


@needs_lists
def test_tieba_next_pages_start_with_the_second_page() -> None:
    found = next_pages(real("tieba_1.html"), TIEBA_URL, TIEBA)
    assert found[0] == TIEBA_URL + "&pn=50"
    assert len(found) == 9


# ---------------------------------------------------------------- robustness

_markup = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            [
                "<a href='/html/2021/0128/1.html'>",
                "<a href='index_2.html'>下一页</a>",
                "<a href='javascript:x()'>",
                "<a href='http://[x'>",
                "<a href='//other.cn/2021/0128/1.html'>",
                "<base href='ftp://x'>",
                "<ul><li>",
                "</a>",
                "县委召开基层党建工作推进会议",
                "<script>createPageHTML(3, 0, 'index', 'html')</script>",
                "\x00",
            ]
        ),
    ),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_markup)
def test_never_raises_and_returns_absolute_on_site_urls(html: str) -> None:
    for found in (article_links(html, BASE, LVSHUI), next_pages(html, BASE, LVSHUI)):
        for url in found:
            assert url.startswith(("http://", "https://"))
            assert is_on_site(url, LVSHUI)
            assert normalize_url(url) == url
