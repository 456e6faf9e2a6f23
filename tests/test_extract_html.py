"""The HTML extract stage, one behaviour per test, on small invented county pages.

Every fixture text here is made up for the test; the real development pages
are only read from ../shared/pages (see the last test), never copied.
"""

from __future__ import annotations

import pytest

from bench import truth as bench_truth
from scraper.extract_html import extract_html

PROSE = (
    "今年以来，红石镇党委坚持把抓基层、打基础作为长远之计，"
    "以党建引领乡村振兴，推动各项工作落地见效。"
)


def para(n: int) -> str:
    """An invented paragraph, numbered so tests can find it."""
    return f"第{n}段：{PROSE}群众满意度持续提升，村集体经济收入稳步增长。"


def page(body: str, title: str = "红石镇推进基层党建工作 - 红安网", head: str = "") -> str:
    """A county CMS page: table layout, breadcrumb, footer, the body in a <td>."""
    return f"""<html><head><meta charset="gbk"><title>{title}</title>{head}</head>
<body>
<table width="1000"><tr><td class="nav"><a href="/">首页</a> | <a href="/xw">新闻中心</a>
 | <a href="/dj">党建工作</a> | <a href="/zw">政务公开</a></td></tr></table>
<table width="1000"><tr>
<td width="250" class="left"><ul><li><a href="/a1">红石镇召开党员大会部署年度工作</a></li>
<li><a href="/a2">县委组织部调研红石镇党建工作情况</a></li></ul></td>
<td width="750">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/dj">党建工作</a></div>
{body}
</td></tr></table>
<div class="footer">版权所有：红安县人民政府 ICP备12345678号 技术支持：某某网络</div>
</body></html>"""


def texts(result, kind: str | None = None) -> list[str]:
    return [b.text for b in result.blocks if kind is None or b.kind == kind]


def test_paragraphs_directly_under_a_td_come_out_whole():
    body = "".join(f"<p>{para(n)}</p>" for n in range(1, 9))
    result = extract_html(page(body))
    assert texts(result) == [para(n) for n in range(1, 9)]


def test_title_drops_the_site_suffix():
    result = extract_html(page(f"<p>{para(1)}</p>", title="红石镇推进基层党建工作 - 红安网"))
    assert result.title == "红石镇推进基层党建工作"
    assert result.meta["site"] == "红安网"


@pytest.mark.parametrize(
    "raw",
    ["红石镇推进基层党建工作_红安新闻网", "红石镇推进基层党建工作|红安县人民政府门户网站"],
)
def test_title_suffix_after_underscore_or_bar_is_dropped(raw):
    assert extract_html(page(f"<p>{para(1)}</p>", title=raw)).title == "红石镇推进基层党建工作"


def test_hyphen_inside_a_title_is_kept():
    result = extract_html(page(f"<p>{para(1)}</p>", title="1-10月全县党员发展工作稳步推进"))
    assert result.title == "1-10月全县党员发展工作稳步推进"


def test_title_prefers_the_heading_that_agrees_with_the_title_tag():
    body = f"<h1>红安网</h1><h2 class='title'>红石镇推进基层党建工作</h2><p>{para(1)}</p>"
    result = extract_html(page(body, title="红石镇推进基层党建工作 - 红安网"))
    assert result.title == "红石镇推进基层党建工作"


def test_heading_above_the_body_is_the_title_when_title_tag_is_only_a_column_name():
    body = f"<h5>红石镇召开党建工作推进会</h5><p>{para(1)}</p><p>{para(2)}</p>"
    result = extract_html(page(body, title="新闻动态--红安网"))
    assert result.title == "红石镇召开党建工作推进会"


def test_no_title_gives_none():
    assert extract_html("<html><body><p>你好</p></body></html>").title is None


def test_byline_above_the_body_is_an_info_line_not_a_paragraph():
    body = (
        "<h1>红石镇推进基层党建工作</h1>"
        "<div class='info'>发布时间：2021-01-28 14:22 作者：李文 来源：红安县委组织部</div>"
        + "".join(f"<p>{para(n)}</p>" for n in range(1, 4))
    )
    result = extract_html(page(body))
    assert "发布时间：2021-01-28 14:22 作者：李文 来源：红安县委组织部" in result.info_lines
    assert all("发布时间" not in t for t in texts(result))


def test_editor_line_at_the_end_goes_to_info_lines():
    body = "".join(f"<p>{para(n)}</p>" for n in range(1, 4)) + "<p>责任编辑：王芳</p>"
    result = extract_html(page(body))
    assert "责任编辑：王芳" in result.info_lines
    assert texts(result)[-1] == para(3)


def test_print_and_close_footer_is_dropped():
    body = "".join(f"<p>{para(n)}</p>" for n in range(1, 4))
    body += "<p align='center'>【<a href='#'>打印本页</a>】 【<a href='#'>关闭窗口</a>】</p>"
    result = extract_html(page(body))
    assert not any("打印" in t or "关闭" in t for t in texts(result))


def test_share_bar_and_related_list_are_dropped():
    body = (
        "".join(f"<p>{para(n)}</p>" for n in range(1, 4))
        + "<div class='bdshare'>分享到：微信 微博 QQ空间</div>"
        + "<div class='related'><h3>相关新闻</h3><ul>"
        + "<li><a href='/b1'>黄土村开展主题党日活动，党员志愿者走进农户</a></li>"
        + "<li><a href='/b2'>县委书记到红石镇督导基层党建工作，强调压实责任</a></li></ul></div>"
    )
    result = extract_html(page(body))
    joined = "".join(texts(result))
    assert "分享到" not in joined and "主题党日" not in joined and "相关新闻" not in joined


def test_breadcrumb_is_not_in_the_body():
    result = extract_html(page("".join(f"<p>{para(n)}</p>" for n in range(1, 4))))
    assert not any("当前位置" in t for t in texts(result))


def test_block_made_of_links_is_navigation():
    links = "".join(f"<a href='/x{n}'>第{n}期党建简报合集</a> " for n in range(8))
    body = f"<p>{para(1)}</p><div>{links}</div><p>{para(2)}</p>"
    result = extract_html(page(body))
    assert not any("简报" in t for t in texts(result))
    assert texts(result) == [para(1), para(2)]


def test_br_separates_paragraphs_and_whitespace_collapses():
    body = f"<div class='content'>{para(1)}<br><br>\n  {para(2)}<br/>　　{para(3)}</div>"
    assert texts(extract_html(page(body))) == [para(1), para(2), para(3)]


def test_text_is_kept_raw():
    body = "<p>“两学一做”学习教育，ＡＢＣ全角字母和半角,标点都不改。" + PROSE + "</p>"
    result = extract_html(page(body))
    assert "“两学一做”学习教育，ＡＢＣ全角字母和半角,标点都不改。" in texts(result)[0]


def test_short_bold_line_is_a_heading():
    body = f"<p>{para(1)}</p><p><strong>一、强化组织引领</strong></p><p>{para(2)}</p>"
    result = extract_html(page(body))
    assert texts(result, "heading") == ["一、强化组织引领"]


def test_h3_inside_the_body_is_a_heading():
    body = f"<p>{para(1)}</p><h3>二、夯实基层基础</h3><p>{para(2)}</p>"
    assert texts(extract_html(page(body)), "heading") == ["二、夯实基层基础"]


def test_centred_line_after_an_image_is_a_caption():
    body = (
        f"<p>{para(1)}</p><p align='center'><img src='/u/1.jpg'></p>"
        "<p style='text-align: center'>图为党员志愿者入户走访。</p>"
        f"<p>{para(2)}</p>"
    )
    result = extract_html(page(body))
    assert texts(result, "caption") == ["图为党员志愿者入户走访。"]
    assert not any(".jpg" in t for t in texts(result))


def test_figcaption_is_a_caption():
    body = (
        f"<p>{para(1)}</p><figure><img src='a.png'><figcaption>村民议事会现场</figcaption></figure>"
    )
    assert texts(extract_html(page(body)), "caption") == ["村民议事会现场"]


def test_hidden_elements_scripts_and_forms_are_dropped():
    body = (
        f"<p>{para(1)}</p><div style='display: none'>隐藏的广告文字不应出现在正文里面</div>"
        "<script>var x = '脚本里的文字';</script><p hidden>另一段隐藏的文字也不应出现</p>"
        "<form><input name='q'><button>搜索</button></form>"
        f"<p>{para(2)}</p>"
    )
    result = extract_html(page(body))
    assert texts(result) == [para(1), para(2)]


def test_body_split_across_sibling_divs_comes_out_whole():
    first = "".join(f"<p>{para(n)}</p>" for n in range(1, 5))
    second = "".join(f"<p>{para(n)}</p>" for n in range(5, 9))
    body = f"<div class='part'>{first}</div><div class='part'>{second}</div>"
    assert texts(extract_html(page(body))) == [para(n) for n in range(1, 9)]


def test_meta_declarations_are_collected():
    head = (
        '<meta name="keywords" content="基层党建,乡村振兴">'
        '<meta name="description" content="红石镇党建工作简讯">'
        '<meta name="PubDate" content="2021-01-28 14:22">'
        '<meta name="author" content="李文">'
        '<meta property="og:site_name" content="红安网">'
    )
    meta = extract_html(page(f"<p>{para(1)}</p>", head=head)).meta
    assert meta["keywords"] == "基层党建,乡村振兴"
    assert meta["description"] == "红石镇党建工作简讯"
    assert meta["date"] == "2021-01-28 14:22"
    assert meta["author"] == "李文"
    assert meta["site"] == "红安网"


def test_json_ld_date_published_is_read():
    head = '<script type="application/ld+json">{"datePublished": "2021-02-03T08:00:00"}</script>'
    assert extract_html(page(f"<p>{para(1)}</p>", head=head)).meta["date"] == "2021-02-03T08:00:00"


def test_page_without_prose_warns_no_body():
    result = extract_html("<html><head><title>首页</title></head><body><a href='/'>首页</a></body>")
    assert result.blocks == []
    assert "no body found" in result.warnings


def test_empty_input_does_not_crash():
    assert extract_html("").blocks == []


def test_xml_declaration_does_not_stop_parsing():
    html = '<?xml version="1.0" encoding="gb2312"?>' + page(f"<p>{para(1)}</p>")
    assert texts(extract_html(html)) == [para(1)]


# --------------------------------------------------------------------------- real pages

RECORDS = bench_truth.load_records() if bench_truth.PAGES_DIR.is_dir() else []


@pytest.mark.skipif(not RECORDS, reason=f"no development pages at {bench_truth.PAGES_DIR}")
@pytest.mark.parametrize("record", RECORDS, ids=[r.file for r in RECORDS])
def test_real_page_body_matches_truth_without_chrome(record):
    html = bench_truth.read_page(record)
    truth = bench_truth.build_truth(html, record)
    text = "\n".join(block.text for block in extract_html(html).blocks)
    assert bench_truth.f1(text, truth.body) >= 0.9
    assert bench_truth.leaks(text, truth) == []
