"""The static search page in a browser: it finds what archive_search.search() finds, in order.

A small archive of invented county reports is built by Pelican with this
project's settings (theme, archive_reader, search_index, search_export), the
output is served by a plain static file server and opened in headless
Chromium.  The equality tests run the same queries through the page and
through the Whoosh API on the index the same build wrote, and compare the
slugs in order and the totals; the tokenizer and parser tests compare the
JavaScript mirror with the Python definitions on tricky input.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, is_dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from pelican import Pelican
from pelican.settings import read_settings

from archive_search.analysis import tokens
from tests.browser import SCREENSHOTS, chromium, static_server, wait_until
from tests.conftest import ROOT

# (slug, front matter, body): invented reports, written for these tests.
ARTICLES: list[tuple[str, dict, str]] = [
    (
        "2021-03-02-a1",
        {
            "title": "红安县持续整顿软弱涣散村党组织",
            "date": "2021-03-02T09:30:00+08:00",
            "site": "红安网",
            "province": "湖北省",
            "city": "黄冈市",
            "county": "红安县",
            "url": "http://www.hongan.example/news/2021/0302/1.html",
            "tags": ["rectification"],
            "primary_tag": "rectification",
            "evidence": {"rectification": ["全县排查确定软弱涣散村党组织12个，逐村制定整顿方案。"]},
        },
        "全县排查确定软弱涣散村党组织12个，逐村制定整顿方案。\n"
        "县委组织部选派第一书记驻村帮扶，推动后进支部晋位升级。\n"
        "整顿期间召开屋场会36场，收集群众意见建议80余条。\n"
        "会上讨论了党建 建设与村务 务实两件事。",
    ),
    (
        "2021-03-02-a2",
        {
            "title": "村“两委”换届候选人资格联审工作启动",
            "date": "2021-03-02",
            "site": "红安网",
            "province": "湖北省",
            "city": "黄冈市",
            "county": "红安县",
            "tags": ["vetting"],
            "primary_tag": "vetting",
            "evidence": {"vetting": ["纪检、公安、法院等部门对候选人逐一开展资格联审。"]},
        },
        "为做好村“两委”换届工作，纪检、公安、法院等部门对候选人逐一开展资格联审。\n"
        "联审中发现不符合条件人员3名，已全部劝退。张三同志介绍了联审流程。\n"
        "通报的表格排版有误，印成了软弱涣 乙散村党组织。",
    ),
    (
        "2021-11-20-b1",
        {
            "title": "崇阳县发展壮大村级集体经济",
            "date": "2021-11-20T15:00:00+08:00",
            "site": "咸宁网",
            "province": "湖北省",
            "city": "咸宁市",
            "county": "崇阳县",
            "tags": ["collective_economy"],
            "primary_tag": "collective_economy",
            "evidence": {
                "collective_economy": ["村党组织领办合作社，村集体经济年收入突破20万元。"]
            },
        },
        "村党组织领办合作社，村集体经济年收入突破20万元，村民入股分红。\n"
        "合作社开发了农产品销售APP，线上订单增长明显。",
    ),
    (
        "2022-05-08-c1",
        {
            "title": "湾子夜话聊出乡村治理新路子",
            "date": "2022-05-08T20:00:00+08:00",
            "site": "咸宁网",
            "province": "湖北省",
            "city": "咸宁市",
            "county": "崇阳县",
            "tags": ["hamlet_branches"],
            "primary_tag": "hamlet_branches",
            "evidence": {"hamlet_branches": ["把党小组建在湾子上，党员中心户带头召开湾子夜话。"]},
        },
        "把党小组建在湾子上，党员中心户带头召开湾子夜话。\n"
        "自然湾党支部书记李四说，屋场会让群众的事有人管。",
    ),
    (
        "2022-05-08-c2",
        {
            "title": "党员中心户织密基层组织网络",
            "date": "2022-05-08",
            "site": "示例县新闻网",
            "province": "山西省",
            "city": "吕梁市",
            "county": "兴县",
            "tags": ["hamlet_branches", "rectification"],
            "primary_tag": "hamlet_branches",
            "evidence": {
                "hamlet_branches": ["每个村民小组设立党员中心户。"],
                "rectification": ["对软弱涣散党组织实行县领导包联。"],
            },
        },
        "每个村民小组设立党员中心户，联系服务群众。\n"
        "对软弱涣散党组织实行县领导包联，后进村整顿转化。",
    ),
    (
        "2023-01-15-d1",
        {
            "title": "兴县推进O2O便民服务进村",
            "date": "2023-01-15T08:00:00+08:00",
            "site": "示例县新闻网",
            "province": "山西省",
            "city": "吕梁市",
            "county": "兴县",
            "tags": ["collective_economy"],
            "primary_tag": "collective_economy",
            "evidence": {"collective_economy": ["村集体经济通过O2O服务站增加收入。"]},
        },
        "村集体经济通过O2O服务站增加收入，群众下载ＡＰＰ即可预约代办。\n"
        "2021年以来，全县建成服务站45个。",
    ),
    (
        "2023-06-30-e1",
        {
            "title": "基层党建引领乡村振兴",
            "date": "2023-06-30T10:00:00+08:00",
            "site": "荆楚网",
            "province": "湖北省",
            "tags": [],
            "primary_tag": None,
            "evidence": {},
        },
        "基层党建是乡村振兴的“红色引擎”。\n各地党组织因地制宜，探索出多种治理模式。",
    ),
    (
        "2024-02-01-f1",
        {
            "title": None,
            "date": "2024-02-01T09:00:00+08:00",
            "site": "红安网",
            "province": "湖北省",
            "city": "黄冈市",
            "county": "红安县",
            "tags": ["vetting", "rectification"],
            "primary_tag": None,
            "evidence": {
                "vetting": ["开展资格联审“回头看”。"],
                "rectification": ["整顿软弱涣散党组织。"],
            },
        },
        "今年以来，红安县开展资格联审“回头看”，整顿软弱涣散党组织。\n王五表示，将持续巩固成果。",
    ),
    (
        "undated-g1",
        {
            "title": "某村党支部带领群众种植香菇",
            "date": None,
            "date_partial": "09-03",
            "site": "示例县新闻网",
            "province": "山西省",
            "city": "吕梁市",
            "county": "兴县",
            "tags": ["collective_economy"],
            "primary_tag": "collective_economy",
            "evidence": {"collective_economy": ["村集体入股香菇基地，年底分红。"]},
        },
        "村党支部带领群众种植香菇，村集体入股香菇基地，年底分红。",
    ),
    (
        "undated-g2",
        {
            "title": "軟弱渙散黨組織整頓經驗交流",
            "date": None,
            "site": "荆楚网",
            "province": "湖北省",
            "city": "咸宁市",
            "county": "崇阳县",
            "tags": ["rectification"],
            "primary_tag": "rectification",
            "evidence": {"rectification": ["整顿软弱涣散党组织的经验。"]},
        },
        "交流整顿软弱涣散党组织的经验，GDP增长不是唯一标准。",
    ),
    (
        "2020-12-31-h1",
        {
            "title": "年终盘点：村级集体经济空壳村清零",
            "date": "2020-12-31T23:00:00+08:00",
            "site": "咸宁网",
            "province": "湖北省",
            "city": "咸宁市",
            "county": "崇阳县",
            "tags": ["collective_economy"],
            "primary_tag": "collective_economy",
            "evidence": {"collective_economy": ["全市村级集体经济空壳村全部清零。"]},
        },
        "全市村级集体经济空壳村全部清零，村级集体经济收入均达到5万元以上。",
    ),
    (
        "2019-07-01-i1",
        {
            "title": "七一前夕走访老党员",
            "date": "2019-07-01T09:00:00+08:00",
            "site": "荆楚网",
            "province": "湖北省",
            "city": "黄冈市",
            "county": "红安县",
            "tags": [],
            "primary_tag": None,
            "evidence": {},
        },
        "七一前夕，县领导走访慰问老党员。\n老党员讲述了入党故事。",
    ),
]

# Queries of the contract: words, compounds, phrases, names, Latin acronyms,
# single characters, operators, fields, keyword filters, no results.
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("软弱涣散", {}),
    ("集体经济", {}),
    ("村级集体经济", {}),
    ('"党员 中心户"', {}),
    ('"党员中心户"', {}),
    ("屋场会 OR 湾子夜话", {}),
    ("软弱涣散 NOT 第一书记", {}),
    ("NOT 党建", {}),
    ("(合作社 OR 集体经济) 分红", {}),
    ("软弱涣散 OR 后进 整顿", {}),
    ("软弱涣散 AND 整顿", {}),
    ("资格联审 NOT (红安 OR 崇阳)", {}),
    ("湾", {}),
    ("党", {}),
    ("黨", {}),
    ("党 NOT 湾", {}),
    ("app", {}),
    ("ＡＰＰ", {}),
    ("o2o", {}),
    ("GDP", {}),
    ("张三", {}),
    ("2021年", {}),
    ("tag:vetting", {}),
    ("place:红安县", {}),
    ("place:湖北省 NOT place:红安县", {}),
    ("site:示例县新闻网", {}),
    ("year:2022", {}),
    ("title:换届", {}),
    ("title:村", {}),
    ('title:"集体 经济"', {}),
    ("党组织", {"tag": "rectification"}),
    ("党组织", {"place": "湖北省"}),
    ("党组织", {"site": "咸宁网"}),
    ("党组织", {"from": "2021-01-01", "to": "2021-12-31"}),
    ("村", {"from": "2022"}),
    ("村", {"to": "2021-03"}),
    ("不存在的词语", {}),
    ("软弱涣散，。", {}),
    ("方案县委", {}),
    ("2021年以来", {}),
    ("O2O服务站", {}),
    ('"集体 经济"', {}),
    # Punctuation inside a phrase leaves a gap the match keeps; runs apart by a
    # space chain when the characters meet (党建 建设 holds 党建设).
    ('"合作社，村集体"', {}),
    ('"工作，纪检"', {}),
    ("党建设", {}),
    ("村务实", {}),
    ("软弱涣散村党组织", {}),
    ("排查确定软弱涣散", {}),
]

API_FILTERS = {"tag": "tag", "place": "place", "site": "site", "from": "date_from", "to": "date_to"}


def stored_markdown(slug: str, front: dict, body: str) -> str:
    """An article as the scraper stores it in content/scraped (YAML front matter, Markdown)."""
    meta = {"date_partial": None, "author": None, "url": None, **front, "slug": slug}
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"---\n{head}---\n\n" + "\n\n".join(body.split("\n")) + "\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The fixture archive built with the project's settings: output folder and Whoosh index."""
    from archive_search import close_searchers

    work = tmp_path_factory.mktemp("search-site")
    scraped = work / "content" / "scraped"
    scraped.mkdir(parents=True)
    for slug, front, body in ARTICLES:
        (scraped / f"{slug}.md").write_text(stored_markdown(slug, front, body), encoding="utf-8")
    settings = read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "PATH": str(work / "content"),
            "OUTPUT_PATH": str(work / "output"),
            "THEME": str(ROOT / "theme"),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            "SEARCH_INDEX_DIR": str(work / "index"),
            "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False,
        },
    )
    Pelican(settings).run()
    yield {"output": work / "output", "index": work / "index"}
    close_searchers()


@pytest.fixture(scope="module")
def browser_page(site: dict[str, Path]) -> Iterator[tuple[object, str]]:
    """One Chromium page on the served output, with the search page loaded."""
    with static_server(site["output"]) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/search.html")
        wait_until(page, "!!(window.archiveSearch && window.archiveSearch.index.manifest)")
        yield page, base
        assert not errors, errors


def wait_done(page: object) -> None:
    wait_until(
        page,
        "['done', 'error', 'idle'].includes(document.getElementById('search-app').dataset.state)",
    )


def page_search(page: object, query: str, filters: dict[str, str]) -> dict:
    """All matches of the page's search engine: {'total', 'slugs'} or {'error'}."""
    return page.evaluate(  # type: ignore[attr-defined]
        """async ([q, filters]) => {
            const index = window.archiveSearch.index;
            try {
                const { ordinals } = await index.search(q, filters);
                const records = await index.records(ordinals);
                return { total: ordinals.length, slugs: records.map((r) => r.slug) };
            } catch (error) {
                return { error: error.name + ': ' + error.message };
            }
        }""",
        [query, filters],
    )


def api_search(site: dict[str, Path], query: str, filters: dict[str, str]) -> dict:
    from archive_search import QueryError, search

    kwargs = {API_FILTERS[k]: v for k, v in filters.items()}
    try:
        results = search(query, limit=None, index_dir=site["index"], snippets=False, **kwargs)
    except QueryError as exc:
        return {"error": str(exc)}
    return {"total": results.total, "slugs": results.slugs}


# ------------------------------------------------------------------ the page as a user sees it


def test_typing_a_query_shows_the_articles_then_a_filter_narrows_them(
    site: dict[str, Path], browser_page: tuple[object, str]
) -> None:
    page, base = browser_page
    page.goto(f"{base}/index.html")  # type: ignore[attr-defined]
    page.fill("#site-q", "软弱涣散")  # type: ignore[attr-defined]
    page.press("#site-q", "Enter")  # type: ignore[attr-defined]
    page.wait_for_url("**/search.html?q=*")  # type: ignore[attr-defined]
    wait_done(page)
    slugs = page.eval_on_selector_all(".result", "els => els.map(e => e.dataset.slug)")  # type: ignore[attr-defined]
    assert slugs == api_search(site, "软弱涣散", {})["slugs"]
    assert {"2021-03-02-a1", "2022-05-08-c2", "2024-02-01-f1", "undated-g2"} <= set(slugs)
    assert "共找到 4 篇" in page.inner_text("[data-status]")  # type: ignore[attr-defined]
    # Snippets come from the article bodies, fetched as results come into view.
    wait_until(page, "document.querySelectorAll('.result[data-snippet=done]').length === 4")
    marks = page.eval_on_selector_all(".result mark", "els => els.map(e => e.textContent)")  # type: ignore[attr-defined]
    assert marks and set(marks) == {"软弱涣散"}
    snippet = page.inner_text(".result[data-slug='2021-03-02-a1'] .snippet")  # type: ignore[attr-defined]
    assert "全县排查确定软弱涣散村党组织12个" in snippet
    assert "（标题为摘录）" in page.inner_text(".result[data-slug='2024-02-01-f1']")  # type: ignore[attr-defined]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "search-results.png"), full_page=True)  # type: ignore[attr-defined]

    page.select_option("select[name=tag]", "hamlet_branches")  # type: ignore[attr-defined]
    page.wait_for_url("**tag=hamlet_branches*")  # type: ignore[attr-defined]
    wait_done(page)
    slugs = page.eval_on_selector_all(".result", "els => els.map(e => e.dataset.slug)")  # type: ignore[attr-defined]
    assert slugs == ["2022-05-08-c2"]
    assert "共找到 1 篇" in page.inner_text("[data-status]")  # type: ignore[attr-defined]

    page.go_back()  # type: ignore[attr-defined]
    wait_done(page)
    assert page.input_value("select[name=tag]") == ""  # type: ignore[attr-defined]
    assert page.locator(".result").count() == 4  # type: ignore[attr-defined]

    # The result with an original URL in its front matter links to our page, not the original.
    page.click(".result[data-slug='2021-03-02-a1'] h3 a")  # type: ignore[attr-defined]
    page.wait_for_url("**/articles/2021-03-02-a1.html")  # type: ignore[attr-defined]
    assert page.title().startswith("红安县持续整顿软弱涣散村党组织")  # type: ignore[attr-defined]
    body = page.inner_text("main")  # type: ignore[attr-defined]
    assert "全县排查确定软弱涣散村党组织12个" in body
    assert "http://www.hongan.example/news/2021/0302/1.html" in body
    assert "软弱涣散整顿" in body  # the practice, by name, with its evidence


def test_phone_layout_and_shared_link(
    site: dict[str, Path], browser_page: tuple[object, str]
) -> None:
    page, base = browser_page
    page.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    query = urlencode({"q": "集体经济 OR 湾子夜话", "place": "湖北省", "page": "1"})
    page.goto(f"{base}/search.html?{query}")  # type: ignore[attr-defined]
    wait_done(page)
    assert page.input_value("#q") == "集体经济 OR 湾子夜话"  # type: ignore[attr-defined]
    assert page.input_value("select[name=place]") == "湖北省"  # type: ignore[attr-defined]
    slugs = page.eval_on_selector_all(".result", "els => els.map(e => e.dataset.slug)")  # type: ignore[attr-defined]
    assert slugs == api_search(site, "集体经济 OR 湾子夜话", {"place": "湖北省"})["slugs"]
    width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= 390, "the page scrolls sideways on a phone"
    page.screenshot(path=str(SCREENSHOTS / "search-phone.png"), full_page=True)  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 1100, "height": 900})  # type: ignore[attr-defined]


def test_malformed_query_is_explained_not_thrown(browser_page: tuple[object, str]) -> None:
    page, base = browser_page
    page.goto(f"{base}/search.html?q=" + "%28软弱涣散")  # type: ignore[attr-defined]
    wait_done(page)
    assert "括号不成对" in page.inner_text("[data-status]")  # type: ignore[attr-defined]


def test_csv_download_holds_every_result(browser_page: tuple[object, str]) -> None:
    page, base = browser_page
    page.goto(f"{base}/search.html?q=村")  # type: ignore[attr-defined]
    wait_done(page)
    total = int(page.get_attribute("#search-app", "data-total"))  # type: ignore[attr-defined]
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.click("[data-csv]")  # type: ignore[attr-defined]
    text = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0].startswith("slug,title,date,site,province,city,county,tags")
    assert len(lines) == total + 1
    assert "articles/2021-03-02-a1.html" in text and "http://www.hongan.example/" in text


def test_pagination_keeps_twenty_a_page(
    site: dict[str, Path], browser_page: tuple[object, str]
) -> None:
    page, _ = browser_page
    pages = page.evaluate(  # type: ignore[attr-defined]
        "async () => { const m = await import('./theme/js/search.js'); return m.PAGE_SIZE; }"
    )
    assert pages == 20


def test_result_articles_from_blocks_equal_the_per_article_files(
    browser_page: tuple[object, str],
) -> None:
    """A result page reads neighbouring articles from one metadata block, lone ones one by one."""
    page, _ = browser_page
    got = page.evaluate(  # type: ignore[attr-defined]
        """async () => {
            const index = window.archiveSearch.index;
            const all = Array.from(index.all());
            index.files.clear();  // what these pages fetch, not what earlier tests did
            const pages = [all, all.slice(0, 2), [all[all.length - 1]]];
            const listed = [];
            for (const ordinals of pages) listed.push(await index.articles(ordinals));
            const files = [...index.files.keys()];
            const single = await Promise.all(all.map((o) => index.article(o)));
            return { listed, single, files };
        }"""
    )
    single = got["single"]
    assert [a["ordinal"] for a in single] == list(range(len(single)))
    assert got["listed"][0] == single  # every article, from the blocks
    assert got["listed"][1] == single[:2] and got["listed"][2] == single[-1:]
    assert all(a["title"] and a["slug"] for a in single)
    fetched = {path.split("/")[0] for path in got["files"]}
    assert fetched == {"m", "d"}, got["files"]  # blocks for the long page, files for the short


# ------------------------------------------------------------------ page = API


@pytest.mark.parametrize(("query", "filters"), QUERIES, ids=[f"{q} {f}" for q, f in QUERIES])
def test_page_finds_what_the_api_finds(
    site: dict[str, Path], browser_page: tuple[object, str], query: str, filters: dict[str, str]
) -> None:
    page, _ = browser_page
    want = api_search(site, query, filters)
    got = page_search(page, query, filters)
    if "error" in want:
        assert "QueryError" in got.get("error", ""), (want, got)
        return
    assert got == want


def test_page_shows_the_api_first_page(
    site: dict[str, Path], browser_page: tuple[object, str]
) -> None:
    """Through the user interface (URL, result list, count) for a few queries."""
    from archive_search import search

    page, base = browser_page
    for query, filters in QUERIES[:8] + QUERIES[30:36]:
        params = {"q": query, **filters}
        page.goto(f"{base}/search.html?{urlencode(params)}")  # type: ignore[attr-defined]
        wait_done(page)
        kwargs = {API_FILTERS[k]: v for k, v in filters.items()}
        want = search(query, limit=20, index_dir=site["index"], **kwargs)
        shown = page.eval_on_selector_all(".result", "els => els.map(e => e.dataset.slug)")  # type: ignore[attr-defined]
        total = int(page.get_attribute("#search-app", "data-total"))  # type: ignore[attr-defined]
        assert (total, shown) == (want.total, want.slugs), query


def test_queries_cover_the_contract(site: dict[str, Path]) -> None:
    """The equality test is only worth something if queries find different things."""
    results = [api_search(site, q, f) for q, f in QUERIES]
    totals = [r.get("total") for r in results]
    assert 0 in totals and max(t or 0 for t in totals) > len(ARTICLES) // 2
    assert len({tuple(r.get("slugs", [])) for r in results}) >= 20
    # The gap and chain cases find something, so the page is held to matching them.
    for query in ('"合作社，村集体"', '"工作，纪检"', "党建设", "村务实"):
        assert api_search(site, query, {})["total"] > 0, query


# ------------------------------------------------------------------ JavaScript mirrors Python

TRICKY = [
    "软弱涣散基层党组织整顿",
    "村（社区）“两委”换届，2021年3月。",
    "ＡＢＣ１２３ ａｂｃ",
    "Hello, World! 你好世界 CPU/GPU",
    "İstanbul ΣΑΣ ΟΔΟΣ",
    "a_b c-d e.f",
    "①②③ x² Ⅻ ㍻",
    "ｶﾀｶﾅ ﾊﾟﾝ カタカナ",
    "𝐀𝐁𝐂 𠀀𠀁 丒",
    "軟弱渙散 \uf900\uf901 ⺠",
    "café cafe\u0301 ǅemal ﬁne",
    "中",
    "中a文 中 a",
    "O2O、APP和GDP",
    "   \u3000\t\n",
    "",
    "٣٤٥ हिन्दी ไทย 한국어 にほんご",
    "党建，建设 党建 建设 2021年 a-b a b 方案。\n县委",
    "，开头有标点。结尾也有，",
]


def test_js_tokenizer_equals_python(browser_page: tuple[object, str]) -> None:
    page, _ = browser_page
    got = page.evaluate(  # type: ignore[attr-defined]
        "texts => texts.map(t => window.archiveSearch.tokens(t).map(x => [x.text, x.position]))",
        TRICKY,
    )
    want = [[[t.text, t.position] for t in tokens(text)] for text in TRICKY]
    assert got == want


def _tree(node: object) -> object:
    """A Python query tree in the JavaScript parser's shape."""
    from archive_search import query_language as q

    if isinstance(node, q.Words):
        positions = list(node.positions or range(len(node.terms)))
        return {
            "type": "words",
            "terms": list(node.terms),
            "positions": positions,
            "scope": node.scope,
        }
    if isinstance(node, q.FieldIs):
        return {"type": "field", "name": node.name, "value": node.value}
    if isinstance(node, q.Not):
        return {"type": "not", "item": _tree(node.child)}
    if isinstance(node, q.All | q.Any_):
        kind = "and" if isinstance(node, q.All) else "or"
        return {"type": kind, "items": [_tree(c) for c in node.children]}
    assert is_dataclass(node), node
    return asdict(node)  # type: ignore[arg-type]


PARSER_CASES = [
    *(q for q, _ in QUERIES),
    "a AND b OR c",
    "NOT NOT 党建",
    "NOT (a OR b) c",
    "and or not",
    'x"软弱涣散"y',
    'title:"软弱 涣散" tag:"vetting"',
    "foo:bar 2021:05",
    "place:\u3000湖北省",
    "year:２０２１",
    # malformed: each raises on both sides
    "",
    "   ",
    "，。",
    "(软弱涣散",
    "软弱涣散)",
    "()",
    '"未闭合',
    "AND 软弱",
    "软弱 AND",
    "软弱 OR",
    "NOT",
    "OR 整顿",
    "tag:",
    "year:21",
    "year:2021-05",
    # bounded: 200 characters pass, 201 are refused (astral characters count once)
    "村" * 200,
    "村" * 201,
    "(" * 150 + "村" + ")" * 150,
    "\U00020000" * 199 + "村",
]


def test_js_parser_equals_python(browser_page: tuple[object, str]) -> None:
    from archive_search import QueryError, parse

    page, _ = browser_page
    got = page.evaluate(  # type: ignore[attr-defined]
        """async (queries) => {
            const m = await import('./theme/js/search.js');
            const index = new m.SearchIndex('search/');
            const { contract } = await index.load();  // the limits and messages, from Python
            return queries.map((q) => {
                try { return m.parseQuery(q, contract); }
                catch (error) { return { error: error.name, message: error.message }; }
            });
        }""",
        PARSER_CASES,
    )
    for query, js in zip(PARSER_CASES, got, strict=True):
        try:
            want = _tree(parse(query))
        except QueryError as exc:
            assert js.get("error") == "QueryError", (query, js)
            assert js["message"] == str(exc), (query, js, exc)  # one table of messages
            continue
        assert json.loads(json.dumps(js)) == want, query
