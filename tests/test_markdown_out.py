"""The stored Markdown form of an article."""

import markdown
import pytest
import yaml

from scraper.markdown_out import body_markdown, escape, to_markdown
from scraper.models import Article, Block


def test_page_text_cannot_inject_markup():
    html = markdown.markdown(escape("<script>alert(1)</script> [链接](javascript:alert(1)) *粗*"))
    assert "<script>" not in html
    assert "<a " not in html
    assert "<em>" not in html


def test_list_like_start_is_escaped():
    assert markdown.markdown(escape("1. 第一条")).startswith("<p>")


def test_blocks_render_as_paragraph_heading_caption():
    text = body_markdown(
        [Block("heading", "小标题"), Block("para", "正文。"), Block("caption", "图片说明")]
    )
    assert text == "## 小标题\n\n正文。\n\n*图片说明*"


def test_front_matter_round_trips():
    article = Article(
        title="标题", date="2021-01-28T14:22:00+08:00", date_partial=None, author="王明",
        site="某某网", source=None, url=None, province="湖北省", city=None, county=None,
        keywords=[], summary=None, tags=["vetting"], primary_tag="vetting", tag_scores={"vetting": 5.0},
        evidence={"vetting": ["资格联审。"]}, body="正文。", warnings=[],
    )  # fmt: skip
    stored = to_markdown(article)
    _, front, body = stored.split("---\n", 2)
    assert yaml.safe_load(front)["evidence"] == {"vetting": ["资格联审。"]}
    assert body.strip() == "正文。"


def test_front_matter_is_read_as_yaml_safe_load_reads_it() -> None:
    from scraper.markdown_out import load_front_matter

    text = (
        "title: 夯实基层组织基石（基层组织建设篇）\ndate: '2021-01-28T14:22:00+08:00'\n"
        "retrieved: 2026-12-02 07:49:02+08:00\ndate_partial: null\ntags:\n- vetting\n- rectification\n"
        "tag_scores:\n  vetting: 60.0\nevidence:\n  vetting:\n  - 实行“两委”候选人资格联审机制。\n"
        "keywords: []\nslug: 2021-01-28-42fd0e5e4c\ncount: 12\nflag: yes\n"
    )
    assert load_front_matter(text) == yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError):
        load_front_matter("title: [unclosed\n")
