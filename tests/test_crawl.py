"""The whole crawl against a fake county site on 127.0.0.1 (tests/fixture_site.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from scraper.archive import Archive
from scraper.crawl import Workspace
from scraper.fetch import Fetcher
from scraper.markdown_out import parse
from scraper.run import reextract, scrape
from scraper.state import CrawlState
from tests.fixture_site import SEEDS, CountySite, Fault, serving

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds")
ROOT = Path(__file__).resolve().parents[1]


def sources_file(tmp_path: Path, base: str, **extra: object) -> Path:
    lines = "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in extra.items())
    path = tmp_path / "sources.toml"
    path.write_text(
        textwrap.dedent(
            f"""\
            [[site]]
            name = "某某县新闻网"
            start_urls = ["{base}/news/index.html"]
            province = "湖北省"
            city = "黄冈市"
            county = "红安县"
            delay = 0
            max_pages = 10
            """
        )
        + lines,
        encoding="utf-8",
    )
    return path


def workspace(tmp_path: Path) -> Workspace:
    return Workspace(content_dir=tmp_path / "content", archive_dir=tmp_path / "archive")


def fast_fetcher() -> Fetcher:
    return Fetcher(delay=0, timeout=1.0, retries=1, backoff=0, sleep=lambda s: None)


def run(tmp_path: Path, base: str, **kw: object):
    return scrape(
        sources=sources_file(tmp_path, base),
        workspace=workspace(tmp_path),
        fetcher=fast_fetcher(),
        show_progress=False,
        **kw,
    )


def articles(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "content").glob("*.md"))


def front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def counts(report) -> dict[str, int]:
    return dict(next(iter(report.sites.values())).counts)


def test_crawl_follows_pagination_and_writes_every_article(tmp_path: Path) -> None:
    site = CountySite(articles=45)
    with serving(site) as base:
        report = run(tmp_path, base)
    assert counts(report)["list_pages"] == 3
    assert counts(report)["new"] == 45
    stored = articles(tmp_path)
    assert len(stored) == 45
    meta = front(stored[0])
    assert meta["title"].startswith("某某县扎实推进基层党组织建设工作动态")
    assert meta["county"] == "红安县"
    assert meta["url"].startswith(base)
    assert meta["archive"].split("#")[0].endswith(".warc.gz")


def test_gbk_pages_are_read_and_chrome_is_gone(tmp_path: Path) -> None:
    site = CountySite(articles=3)
    with serving(site) as base:
        run(tmp_path, base)
    text = articles(tmp_path)[0].read_text(encoding="utf-8")
    body = text.split("---\n", 2)[2]
    assert "某某县" in text
    for chrome in ("打印本页", "关闭窗口", "ICP备", "公网安备", "当前位置", "浏览次数", "新闻中心"):
        assert chrome not in body


def test_second_run_skips_known_pages(tmp_path: Path) -> None:
    site = CountySite(articles=5)
    with serving(site) as base:
        run(tmp_path, base)
        site.log.clear()
        report = run(tmp_path, base)
    assert counts(report)["known"] == 5
    assert counts(report).get("new", 0) == 0
    assert not any(path.startswith("/news/2021/") for _, path, _ in site.log)


def test_refresh_sends_conditional_requests_and_keeps_unchanged_pages(tmp_path: Path) -> None:
    site = CountySite(articles=4)
    with serving(site) as base:
        run(tmp_path, base)
        site.log.clear()
        report = run(tmp_path, base, refresh=True)
    assert counts(report)["unchanged"] == 4
    article_requests = [h for _, p, h in site.log if p.startswith("/news/2021/")]
    assert article_requests and all("If-None-Match" in h for h in article_requests)


def test_page_that_changed_between_runs_is_updated(tmp_path: Path) -> None:
    site = CountySite(articles=3)
    with serving(site) as base:
        run(tmp_path, base)
        site.edition = 1
        report = run(tmp_path, base, refresh=True)
    assert counts(report)["updated"] == 3
    assert all("第1次修订" in p.read_text(encoding="utf-8") for p in articles(tmp_path))


def test_article_edited_by_hand_survives_a_rescrape(tmp_path: Path) -> None:
    site = CountySite(articles=3)
    with serving(site) as base:
        run(tmp_path, base)
        edited = articles(tmp_path)[0]
        text = edited.read_text(encoding="utf-8").replace(
            "某某县扎实推进", "某某县（编辑改正）扎实推进", 1
        )
        edited.write_text(text, encoding="utf-8")
        site.edition = 2
        report = run(tmp_path, base, refresh=True)
    assert edited.read_text(encoding="utf-8") == text
    assert counts(report)["edited"] == 1
    assert counts(report)["updated"] == 2
    assert any("人工修改" in note for note in next(iter(report.sites.values())).notes)


def test_faults_are_reported_and_the_crawl_goes_on(tmp_path: Path) -> None:
    site = CountySite(
        articles=4,
        extra_links=[
            ("/news/2021/0101/missing.html", "一篇已经删除的某某县党建工作报道"),
            ("/news/2021/0101/broken.html", "一篇服务器出错的某某县党建工作报道"),
            ("/news/2021/0101/slow.html", "一篇响应超时的某某县党建工作报道文章"),
            ("/news/2021/0101/loop.html", "一篇重定向循环的某某县党建工作报道"),
            ("/private/2021/0101/10001.html", "一篇禁止抓取的某某县党建工作报道文章"),
            ("/dangjian/2021/0101/channel.html", "党建园地栏目首页的各类栏目链接汇总页面"),
        ],
        faults={
            "/news/2021/0101/broken.html": Fault(status=500),
            "/news/2021/0101/slow.html": Fault(hang=3.0),
            "/news/2021/0101/loop.html": Fault(status=302, location="/news/2021/0101/loop.html"),
        },
    )
    with serving(site) as base:
        report = run(tmp_path, base)
    result = next(iter(report.sites.values()))
    assert result.counts["new"] == 4
    assert result.counts["not_article"] == 1  # the channel page: fetched, archived, not written
    reasons = {f["url"].rsplit("/", 1)[1]: f["reason"] for f in result.failures}
    assert "404" in reasons["missing.html"]
    assert "500" in reasons["broken.html"]
    assert "timeout" in reasons["slow.html"].lower() or "timed out" in reasons["slow.html"]
    assert "redirect" in reasons["loop.html"].lower()
    assert "robots" in reasons["10001.html"].lower()
    assert not any(path.startswith("/private/") for _, path, _ in site.log)


def test_same_article_at_two_urls_becomes_one_article(tmp_path: Path) -> None:
    site = CountySite(
        articles=2, extra_links=[("/news/2021/0101/alias.html", "同一篇文章的另一个地址某某县")]
    )
    copy = site.article_page(1).encode("gb18030")
    site.faults["/news/2021/0101/alias.html"] = Fault(status=200)
    original = site.respond

    def respond(path: str):
        if path == "/news/2021/0101/alias.html":
            return 200, {"Content-Type": "text/html; charset=gb2312"}, copy
        return original(path)

    site.respond = respond  # type: ignore[method-assign]
    del site.faults["/news/2021/0101/alias.html"]
    with serving(site) as base:
        report = run(tmp_path, base)
    assert counts(report)["duplicate"] == 1
    assert len(articles(tmp_path)) == 2
    also = [front(p).get("also_at") for p in articles(tmp_path)]
    assert [f"{base}/news/2021/0101/alias.html"] in also


def test_inbox_imports_the_seeds(tmp_path: Path) -> None:
    report = scrape(sources=None, inbox=SEEDS, workspace=workspace(tmp_path), show_progress=False)
    stored = articles(tmp_path)
    assert len(stored) == 5
    assert counts(report)["new"] == 5
    titles = {front(p)["title"] for p in stored}
    assert "崇阳县全力推进基层党组织建设纪实" in titles
    again = scrape(sources=None, inbox=SEEDS, workspace=workspace(tmp_path), show_progress=False)
    assert counts(again)["unchanged"] == 5


def test_reextract_rebuilds_articles_from_the_archive_without_network(tmp_path: Path) -> None:
    site = CountySite(articles=3)
    with serving(site) as base:
        run(tmp_path, base)
    for path in articles(tmp_path):
        path.unlink()
    report = reextract(sources=sources_file(tmp_path, base), workspace=workspace(tmp_path))
    assert sum(r.counts["new"] for r in report.sites.values()) == 3
    assert len(articles(tmp_path)) == 3


def test_crawl_killed_halfway_resumes_and_loses_nothing(tmp_path: Path) -> None:
    site = CountySite(articles=60)
    with serving(site) as base:
        sources = sources_file(tmp_path, base)
        script = textwrap.dedent(
            f"""
            import sys; sys.path.insert(0, {str(ROOT)!r})
            from pathlib import Path
            from scraper.crawl import Workspace
            from scraper.fetch import Fetcher
            from scraper.run import scrape
            scrape(sources=Path({str(sources)!r}),
                   workspace=Workspace(Path({str(tmp_path / "content")!r}), Path({str(tmp_path / "archive")!r})),
                   fetcher=Fetcher(delay=0.05, timeout=2, retries=1), show_progress=False)
            """
        )
        child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
        deadline = time.monotonic() + 60
        while len(articles(tmp_path)) < 10 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        written = len(articles(tmp_path))
        assert 0 < written < 60, "the kill should land mid-crawl"
        # A kill can land inside a write: its temporary dot-file stays (Pelican
        # ignores dot-files), but every article under its own name is whole.
        left = [p for p in (tmp_path / "content").iterdir() if not p.name.endswith(".md")]
        assert all(p.name.startswith(".") and p.name.endswith(".tmp") for p in left), left
        for stored in (tmp_path / "content").glob("*.md"):
            parse(stored.read_text(encoding="utf-8"))  # raises on a half-written file
        report = run(tmp_path, base)
    assert len(articles(tmp_path)) == 60
    assert counts(report)["new"] + counts(report)["known"] >= 60 - 1
    with CrawlState(tmp_path / "archive" / "state.sqlite") as state:
        done = [r for r in state.rows("article") if r.done]
    assert len(done) == 60
    with Archive(tmp_path / "archive" / "warc") as archive:
        urls = {uri for _, uri, _, _, _ in archive.records()}
    assert len([u for u in urls if "/news/2021/" in u]) == 60


def test_extract_markdown_is_the_stored_article(tmp_path: Path) -> None:
    """`python -m scraper extract --markdown` prints what the inbox import stores, but for
    the retrieval time and archive record, which only a fetch or an import knows."""
    seed = sorted(SEEDS.glob("*.txt"))[2]
    scrape(sources=None, inbox=SEEDS, workspace=workspace(tmp_path), show_progress=False)
    run = subprocess.run(
        [sys.executable, "-m", "scraper", "extract", str(seed), "--markdown"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    printed_front, printed_body = parse(run.stdout)
    stored_front, stored_body = parse(
        (tmp_path / "content" / f"{printed_front['slug']}.md").read_text(encoding="utf-8")
    )
    volatile = {"retrieved", "archive", "generated_sha256"}
    assert printed_body == stored_body
    assert {k: v for k, v in printed_front.items() if k not in volatile} == {
        k: v for k, v in stored_front.items() if k not in volatile
    }
