"""Pages with more than one story: the headline's own body, or nothing.

The fixture pages (tests/fixtures/multi_story, our own writing) carry a
"next story" block longer than the article, two stories of an endless page,
and a dump that runs on into the next item.  The article written must be the
headline's; a body that tells another story must be refused, by name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper import coherence
from scraper.errors import MismatchError, PageError
from scraper.models import RawPage
from scraper.pipeline import extract_article

PAGES = Path(__file__).parent / "fixtures" / "multi_story"


def article_of(name: str):  # type: ignore[no-untyped-def]
    path = PAGES / name
    return extract_article(RawPage(location=str(path), content=path.read_bytes()))


def test_headline_units_leave_out_function_words_and_stock_phrases() -> None:
    units = coherence.units("青石镇把党小组建到湾组上")
    assert {"青石", "湾组", "小组"} <= units
    assert not any("把" in unit for unit in units)
    assert "推进" not in coherence.units("全面推进乡村振兴")


def test_overlap_is_the_share_of_the_headline_found() -> None:
    assert coherence.overlap("白沙村集体经济", "今年白沙村集体经济收入翻番") == 1.0
    assert coherence.overlap("白沙村集体经济", "白沙村的集体经济") == 5 / 6  # 村集 is not there
    assert coherence.overlap("白沙村集体经济", "县医院引进设备") == 0.0
    assert coherence.overlap(None, "任何正文") is None


def test_a_body_that_shares_nothing_is_kept_when_nothing_else_on_the_page_does() -> None:
    # a feature's teaser headline: the body does not echo it, but no other story does either
    assert coherence.belongs("父亲的一盏灯", "诗词选读：冬夜读书示子聿。", "首页 文化 读书")


def test_a_body_is_refused_when_the_rest_of_the_page_tells_the_headlines_story() -> None:
    assert not coherence.belongs(
        "柳溪村湾组建起党小组", "县医院引进磁共振设备。", "柳溪村八个湾组都建起了党小组。"
    )


def test_the_next_story_block_below_the_article_is_not_taken_for_its_body() -> None:
    article = article_of("next_story_below.html")
    assert article.title == "青石镇把党小组建到湾组上"
    assert article.body.startswith("今年以来，青石镇在二十一个湾组建立党小组")
    assert "白沙村" not in article.body
    assert article.tags == ["hamlet_branches"]  # not the next story's collective economy


def test_an_endless_page_gives_only_its_first_story() -> None:
    article = article_of("endless_scroll.html")
    assert article.title == "河口乡后进村党支部完成整顿转化"
    assert "整顿" in article.body
    assert "丰收节" not in article.body
    assert article.tags == ["rectification"]


def test_a_recommended_story_beside_a_short_article_stays_out() -> None:
    article = article_of("teaser_only.html")
    assert article.body.strip() == "柳溪村在八个湾组组建党小组议事会，每月议事一次。"


def test_a_dump_whose_body_is_another_story_is_refused_naming_the_file() -> None:
    with pytest.raises(MismatchError, match=r"dump_runs_into_next_story\.txt") as error:
        article_of("dump_runs_into_next_story.txt")
    assert isinstance(error.value, PageError)
    assert "柳溪村八个湾组建起党小组" in str(error.value)


def test_the_inbox_reports_a_refused_page_and_writes_the_rest(tmp_path: Path) -> None:
    from scraper.crawl import Workspace
    from scraper.run import scrape

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("dump_runs_into_next_story.txt", "next_story_below.html"):
        (inbox / name).write_bytes((PAGES / name).read_bytes())
    workspace = Workspace(content_dir=tmp_path / "content", archive_dir=tmp_path / "archive")
    report = scrape(sources=None, inbox=inbox, workspace=workspace, show_progress=False)
    result = next(iter(report.sites.values()))
    reasons = {Path(f["url"]).name: f["reason"] for f in result.failures}
    assert coherence.MISMATCH in reasons["dump_runs_into_next_story.txt"]
    written = list((tmp_path / "content").rglob("*.md"))
    assert result.counts["new"] == 1 and len(written) == 1
    assert "青石镇把党小组建到湾组上" in written[0].read_text(encoding="utf-8")


def test_a_dump_whose_text_never_forms_a_line_of_prose_is_not_refused() -> None:
    # Some pages cut the lead at every comma: no line is prose, so there is no
    # body to hold against the headline, and the short lines are the article.
    lines = ["清溪网 首页 新闻", "青石镇把党支部建在网格上", "时间：2021-12-06",
             "为进一步整合基层党建资源", "，青石镇立足工作实际", "，推行党支部和网格化管理相结合",
             "，将支部建在网格上", "，以党建引领乡村振兴"]  # fmt: skip
    article = extract_article(RawPage(location="cut.txt", content="\n".join(lines).encode()))
    assert article.title == "青石镇把党支部建在网格上"
    assert "将支部建在网格上" in article.body
