"""The long tail of real pages: every kind of miss issue 13 lists, in text of our own.

Each test is a small dump (or line) shaped like what real county, e-paper,
forum, document-site and journal pages leave in a text dump, written for
this file; the article that comes out must hold the article alone, with
what was metadata moved into its fields.
"""

from __future__ import annotations

import pytest

from scraper import byline, chrome, disclosure, labels
from scraper.clean import clean_title
from scraper.models import Article, RawPage
from scraper.pipeline import extract_article


def article(text: str) -> Article:
    return extract_article(RawPage(location="dump.txt", content=text.encode("utf-8")))


def lines_of(a: Article) -> list[str]:
    return [line.strip("*# ") for line in a.body.split("\n") if line.strip()]


LEAD = "今年以来，清溪县按照地域相邻、便于活动的原则，在全县312个自然村建立党小组，选优配强党小组长，让党的组织覆盖到最小的居住单元。"
SECOND = "各自然村党小组每月召开一次屋场会，由党小组长主持，党员和群众代表围坐一起，商量修路、治水等身边事。"


# ---------------------------------------------------------------- labels in front of text


def test_a_summary_label_moves_its_text_to_the_summary() -> None:
    a = article(
        f"清溪县在自然村建起党小组\n摘要：清溪县把党小组建到自然村，让党员就近参加组织生活。\n{LEAD}\n{SECOND}\n"
    )
    assert a.summary == "清溪县把党小组建到自然村，让党员就近参加组织生活。"
    assert not any(line.startswith("摘要") for line in lines_of(a))
    assert lines_of(a)[0] == LEAD


def test_an_editors_note_keeps_its_words_and_loses_its_label() -> None:
    note = "编者按：基层党组织是党在农村全部工作和战斗力的基础，本报今起推出系列报道，敬请关注。"
    a = article(f"清溪县在自然村建起党小组\n{note}\n{LEAD}\n{SECOND}\n")
    assert lines_of(a)[0] == note.removeprefix("编者按：")


def test_a_source_label_line_is_metadata() -> None:
    a = article(f"清溪县在自然村建起党小组\n稿件来源：清溪县委组织部\n{LEAD}\n{SECOND}\n")
    assert a.source == "清溪县委组织部"
    assert "稿件来源" not in a.body


def test_spaced_and_bracketed_journal_labels_are_front_matter() -> None:
    for line in (
        "摘 要：本文讨论了村级组织。",
        "【关键词】集体经济；村社合一",
        "〔中图分类号〕D267 〔文献标识码〕A",
    ):
        assert labels.paragraph_label(line) is not None, line
    assert labels.paragraph_label("关键词：组织振兴").kind == "keywords"  # type: ignore[union-attr]


def test_journal_front_matter_leaves_the_body() -> None:
    dump = (
        "村级集体经济的路径选择\n清溪学刊 2021年3期\n李明,王芳,欧阳明月\n"
        "(清溪大学 公共管理学院,清溪 410000)\n"
        "摘 要：本文以清溪县为例，讨论了村级集体经济的路径，认为党支部领办合作社是可行的办法。\n"
        "关键词：集体经济；党支部；合作社\n中图分类号：F321 文献标识码：A 文章编号：1000-0000(2021)03\n"
        f"{LEAD}\n"
    )
    a = article(dump)
    assert a.title == "村级集体经济的路径选择"
    assert a.author == "李明 王芳 欧阳明月"
    assert a.keywords == ["集体经济", "党支部", "合作社"]
    assert lines_of(a) == [LEAD]


# ---------------------------------------------------------------- labels in front of headlines


@pytest.mark.parametrize(
    ("raw", "headline"),
    [
        ("原标题：清溪县在自然村建起党小组", "清溪县在自然村建起党小组"),
        ("原题：清溪县在自然村建起党小组", "清溪县在自然村建起党小组"),
        ("软件代码保护：清溪县在自然村建起党小组", "清溪县在自然村建起党小组"),
        ("【乡村行 看振兴】清溪县强村公司初见成效", "清溪县强村公司初见成效"),
        ("您的位置：首页 > 党建 > 清溪县在自然村建起党小组", "清溪县在自然村建起党小组"),
        ("清溪社中旬4月2日电 题：清溪县的屋场会", "清溪县的屋场会"),
        ("李明、王芳 || 村级集体经济的路径选择", "村级集体经济的路径选择"),
        ("乡村振兴系列|清溪县的强村公司", "清溪县的强村公司"),
        ("李强：坚持把党小组建在湾组上", "李强：坚持把党小组建在湾组上"),  # a speaker is kept
    ],
)
def test_labels_in_front_of_headlines_go(raw: str, headline: str) -> None:
    assert clean_title(raw)[0] == headline


def test_an_unknown_prefix_goes_when_the_page_shows_the_headline_without_it() -> None:
    dump = (
        f"某某平台：清溪县在自然村建起党小组\n原标题：清溪县在自然村建起党小组\n{LEAD}\n{SECOND}\n"
    )
    a = article(dump)
    assert a.title == "清溪县在自然村建起党小组"
    assert "原标题" not in a.body


# ---------------------------------------------------------------- bylines of bare names


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("李明+王芳+赵强", ["李明", "王芳", "赵强"]),
        ("李明 王芳 赵强", ["李明", "王芳", "赵强"]),
        ("（李明 王芳）", ["李明", "王芳"]),
        ("■清溪县委组织部", ["清溪县委组织部"]),
        ("赵颖文,吕火明,李 晓", ["赵颖文", "吕火明", "李晓"]),
    ],
)
def test_lines_of_bare_names_are_bylines(line: str, names: list[str]) -> None:
    credits = byline.names_line(line)
    assert credits is not None and credits.authors == names


@pytest.mark.parametrize("line", ["强基 固本 铸魂", "党建 引领 发展", "首页 新闻 政务 党建"])
def test_lines_of_words_are_not_names(line: str) -> None:
    assert byline.names_line(line) is None


def test_a_signature_closing_the_last_paragraph_is_a_credit() -> None:
    a = article(f"清溪县在自然村建起党小组\n{LEAD}\n{SECOND}（李明 王芳）\n")
    assert a.author == "李明 王芳"
    assert lines_of(a)[-1] == SECOND


def test_a_name_line_under_the_headline_signs_the_article() -> None:
    a = article(f"清溪县在自然村建起党小组\n李明+王芳+赵强\n{LEAD}\n{SECOND}\n")
    assert a.author == "李明 王芳 赵强"
    assert "李明" not in a.body


# ---------------------------------------------------------------- datelines


def test_a_dateline_on_a_line_of_its_own_is_metadata() -> None:
    a = article(f"清溪在线12月13日讯\n{LEAD}\n{SECOND}\n")
    assert a.title is None  # the page shows no headline: none is invented
    assert a.date_partial == "12-13"
    assert a.site == "清溪在线"
    assert lines_of(a)[0] == LEAD


@pytest.mark.parametrize(
    ("lead", "names"),
    [
        ("清溪在线1月12日讯（清溪日报社全媒体记者 何平）", ["何平"]),
        ("清溪网消息（杨远 姚希）", ["杨远", "姚希"]),
        ("【本报综合报道】", []),
    ],
)
def test_datelines_at_the_start_of_the_lead_are_cut(lead: str, names: list[str]) -> None:
    a = article(f"清溪县在自然村建起党小组\n{lead}{LEAD}\n{SECOND}\n")
    assert lines_of(a)[0] == LEAD
    assert (a.author or "").split() == names


# ---------------------------------------------------------------- disclosure tables


def test_a_disclosure_table_gives_title_date_and_publisher() -> None:
    dump = (
        "索引号\n11330000/2023-00123\n发文字号\n清政办发〔2023〕5号\n发布机构\n清溪县人民政府办公室\n"
        "成文日期\n2023-03-01\n标题\n清溪县关于发展壮大村级集体经济的实施意见\n主题分类\n农业、农村\n"
        "为进一步发展壮大村级集体经济，增加村集体收入，经县政府同意，现就有关事项提出如下意见。\n"
        "到2025年，全县所有行政村集体经营性收入达到10万元以上，其中30%的村达到30万元以上。\n"
    )
    a = article(dump)
    assert a.title == "清溪县关于发展壮大村级集体经济的实施意见"
    assert a.date == "2023-03-01"
    assert a.source == "清溪县人民政府办公室"
    assert not any(word in a.body for word in ("索引号", "发文字号", "11330000", "主题分类"))


def test_a_disclosure_table_in_cells_is_read_too() -> None:
    table = disclosure.read_table(
        ["索引号 | 1133/2018-14 | 文号 | 清政办发〔2018〕8号 |", "发布机构 | 清溪县政府 |", "正文"]
    )
    assert table is not None and table.source == "清溪县政府" and table.lines == {0, 1}


def test_an_ordinary_info_line_is_not_a_disclosure_table() -> None:
    assert disclosure.read_table(["发布时间：2023-01-01 来源：清溪网 作者：李明", "正文"]) is None


# ---------------------------------------------------------------- e-paper, forum, documents


@pytest.mark.parametrize(
    "line",
    [
        "第02版：要闻", "PDF版", "上一版  下一版", "<!-- 正文开始 -->",
        "您需要登录后才可以回帖 登录 | 立即注册", "楼主: 清溪老乡", "查看帖内大图", "回复 举报",
        "文章图片", "清溪学刊 2019年4期", "(清溪大学 马克思主义学院,清溪 410000)",
        "清溪县村规民约.docx", "本篇文章572字，读完约1分钟", "上QQ阅读APP看书，第一时间看更新",
    ],
)  # fmt: skip
def test_chrome_lines_are_dropped(line: str) -> None:
    assert chrome.is_chrome(line)


@pytest.mark.parametrize("line", ["第二版新闻发布会在县里召开", "全县共投入资金100万元。"])
def test_prose_is_not_chrome(line: str) -> None:
    assert not chrome.is_chrome(line)


def test_an_e_paper_dump_keeps_the_article_and_its_reporters() -> None:
    dump = (
        "第02版：要闻\nPDF版\n<!-- 正文开始 -->\n清溪县村级集体经济收入全部过十万\n"
        "本报记者 陈晓 通讯员 刘洋\n"
        "本报讯 去年，清溪县所有行政村集体经营性收入均超过10万元，空壳村全面清零，党支部领办合作社遍地开花。\n"
        "<!-- 正文结束 -->\n上一版  下一版\n"
    )
    a = article(dump)
    assert a.title == "清溪县村级集体经济收入全部过十万"
    assert a.author == "陈晓 刘洋"
    assert lines_of(a) == [
        "去年，清溪县所有行政村集体经营性收入均超过10万元，空壳村全面清零，党支部领办合作社遍地开花。"
    ]


def test_a_forum_dump_keeps_the_post() -> None:
    dump = (
        "您需要登录后才可以回帖 登录 | 立即注册\n楼主: 清溪老乡\n清溪县在湾组建党小组的做法\n"
        "发表于 2022-8-3 10:12\n"
        "今年，清溪县在全县湾组普遍建立党小组，由党小组牵头召开湾子夜话，收集群众意见建议，解决了一大批难事。\n"
        "查看帖内大图\n党小组长由威望高的老党员担任，带领党员为群众办实事，群众纷纷点赞，湾里风气也变好了。\n回复 举报\n"
    )
    a = article(dump)
    assert a.title == "清溪县在湾组建党小组的做法"
    assert a.date == "2022-08-03T10:12:00+08:00"
    assert len(lines_of(a)) == 2 and "查看帖内大图" not in a.body


def test_spam_lines_and_reprint_notices_go() -> None:
    dump = (
        "亚洲免费av电影一区二区三区，日韩爱爱视频，精品视频一区二区三区，中文字幕少妇AV，亚洲电影中文字幕\n"
        f"清溪县在自然村建起党小组\n{LEAD}\n文章图片\n{SECOND}\n版权归原作者所有，如有侵权请联系删除。\n"
    )
    a = article(dump)
    assert a.title == "清溪县在自然村建起党小组"
    assert lines_of(a) == [LEAD, SECOND]


def test_the_lead_repeated_at_the_end_goes_once() -> None:
    a = article(
        f"清溪县在自然村建起党小组\n{LEAD}\n{SECOND}\n县委组织部负责人表示，下一步将继续推动党小组规范化建设。\n{LEAD}\n"
    )
    assert lines_of(a).count(LEAD) == 1


def test_short_repeats_stay() -> None:
    question = "集体经济有泡沫吗？"
    a = article(f"清溪县访谈录\n{LEAD}\n{question}\n{SECOND}\n{question}\n{SECOND}甲说。\n")
    assert lines_of(a).count(question) == 2


# ---------------------------------------------------------------- authors


def test_writer_and_photographer_credits() -> None:
    credits = byline.byline("文/图 李明 王芳")
    assert credits is not None and credits.authors == ["李明", "王芳"]


def test_authors_in_the_info_line_after_the_source() -> None:
    a = article(f"白沙村集体经济收入突破五十万元\n来源：清溪日报 记者 张三 通讯员 李四\n{LEAD}\n")
    assert a.author == "张三 李四"
    assert a.source == "清溪日报"


def test_a_reporter_in_an_unlabelled_info_line() -> None:
    a = article(f"清溪县在自然村建起党小组\n2022-11-02 09:15 清溪融媒 记者 罗平\n{LEAD}\n")
    assert a.author == "罗平"


def test_a_field_label_is_never_a_name() -> None:
    a = article(f"清溪县在自然村建起党小组\n作者：金小亚 点击：次 来源：清溪网\n{LEAD}\n")
    assert a.author == "金小亚"


def test_a_photographers_credit_closing_a_caption_is_cut() -> None:
    a = article(f"清溪县在自然村建起党小组\n{LEAD}\n党小组长主持屋场会。 张德厚 摄\n{SECOND}\n")
    assert "摄" not in a.body and "张德厚" not in (a.author or "")
