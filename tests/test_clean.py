"""The dump extractor and the clean stage, on small dumps written for the test."""

from scraper.clean import clean, clean_title
from scraper.extract_dump import extract_dump
from scraper.metadata import metadata
from scraper.models import Block, Extracted
from scraper.repair import repair_text

LEAD = "今年以来，某县坚持把村党组织建设作为重点，通过多项措施推动工作落实，群众满意度明显提高，全县面貌焕然一新。"
SECOND = "二是加强培训。全县共举办培训班十二期，培训村干部八百余人次，取得了明显成效，受到基层干部群众普遍欢迎。"


def run(dump: str):
    cleaned = clean(extract_dump(repair_text(dump)))
    return cleaned, metadata(cleaned)


def test_title_and_info_line_under_a_menu():
    cleaned, meta = run(
        f"首页 概况 新闻 视频 党建 专题\n某县扎实推进基层党建\n发布时间:2021-01-28 14:22 作者:王明 来源:\n\n{LEAD}"
    )
    assert cleaned.title == "某县扎实推进基层党建"
    assert meta.date == "2021-01-28T14:22:00+08:00"
    assert meta.author == "王明"
    assert meta.source is None
    assert cleaned.blocks[0].text == LEAD


def test_short_lines_between_info_line_and_body_are_captions():
    cleaned, _ = run(
        f"某县扎实推进基层党建\n来源: 时间:2020-01-15 19:54\n村部外景\n文化长廊\n{LEAD}"
    )
    assert [b.kind for b in cleaned.blocks[:3]] == ["caption", "caption", "para"]


def test_trailer_ends_the_body_and_names_the_site():
    cleaned, meta = run(
        f"某县扎实推进基层党建\n{LEAD}\n{SECOND}\n上一篇:别的新闻\n版权为 某某网 所有"
    )
    assert [b.text for b in cleaned.blocks] == [LEAD, SECOND]
    assert meta.site == "某某网"


def test_byline_after_body_becomes_metadata():
    cleaned, meta = run(f"某县扎实推进基层党建\n{LEAD}\n文/王明 图/李华\n编辑:zhangsan")
    assert [b.text for b in cleaned.blocks] == [LEAD]
    assert meta.author == "王明"
    assert cleaned.credits["图"] == ["李华"]


def test_labelled_header_gives_keywords_and_no_title():
    cleaned, meta = run(f"内容摘要:\n关键词:党建;治理\n作者简介:\n某某网(通讯员 王明){LEAD}")
    assert cleaned.title is None
    assert "no title" in cleaned.warnings
    assert meta.keywords == ["党建", "治理"]
    assert meta.author == "王明"
    assert meta.site == "某某网"
    assert cleaned.blocks[0].text == LEAD


def test_image_file_names_dropped_and_picture_lines_are_captions():
    cleaned, _ = run(
        f"某县扎实推进基层党建\n{LEAD}\n村民在清扫垃圾.jpg.jpg\n图:村民清扫垃圾。  通讯员 供图\n{SECOND}"
    )
    kinds = [(b.kind, b.text) for b in cleaned.blocks]
    assert ("caption", "村民清扫垃圾。") in kinds
    assert not any(".jpg" in text for _, text in kinds)


def test_short_unpunctuated_body_lines_are_subheadings():
    cleaned, _ = run(f"某县扎实推进基层党建\n{LEAD}\n突出队伍建设，选好带头人\n{SECOND}")
    assert cleaned.blocks[1] == Block("heading", "突出队伍建设，选好带头人")


def test_title_labels_and_date_prefix_are_stripped():
    assert clean_title("09.03 「快讯」村里开会了") == ("村里开会了", "09-03")
    assert clean_title("【图文】村里开会了（组图）") == ("村里开会了", None)


def test_partial_date_is_kept_partial_with_a_warning():
    _, meta = run(f"09.03 「快讯」某县推动软弱涣散村整顿\n{LEAD}")
    assert meta.date is None and meta.date_partial == "09-03"
    assert any("partial date" in w for w in meta.warnings)


def test_spam_at_the_end_of_a_page_is_dropped():
    cleaned, _ = run(f"某县扎实推进基层党建\n{LEAD}\n成人视频免费观看,国产综合在线,百家乐娱乐城")
    assert [b.text for b in cleaned.blocks] == [LEAD]


def test_mangled_characters_in_kept_text_are_reported():
    page = Extracted(title="标题很长的一篇", blocks=[Block("para", "他说：“变成了和美村?!?/p>")])
    cleaned = clean(page)
    assert cleaned.blocks[0].text == "他说：“变成了和美村"
    assert any("mangled" in w for w in cleaned.warnings)


def test_dump_without_prose_says_so():
    cleaned, _ = run("首页 概况 新闻 视频\n短行")
    assert cleaned.blocks == []
    assert "no body text" in cleaned.warnings
