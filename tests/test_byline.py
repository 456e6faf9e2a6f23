"""Bylines, credits and datelines move out of the body into metadata."""

from scraper.byline import byline, split_dateline


def test_text_and_photo_credits():
    credits = byline("文/王小明 图/李大力 赵一")
    assert credits is not None
    assert credits.roles == {"文": ["王小明"], "图": ["李大力", "赵一"]}
    assert credits.authors == ["王小明"]


def test_editor_is_a_credit_not_an_author():
    credits = byline("【责任编辑：张三】")
    assert credits is not None and credits.authors == []
    assert credits.roles == {"责任编辑": ["张三"]}


def test_latin_editor_handle():
    credits = byline("编辑：wangxm")
    assert credits is not None and credits.roles == {"编辑": ["wangxm"]}


def test_reporters_and_correspondents_are_authors():
    credits = byline("（记者 王明 通讯员 李华 赵强）")
    assert credits is not None
    assert credits.authors == ["王明", "李华", "赵强"]


def test_prose_mentioning_a_reporter_is_not_a_byline():
    assert byline("记者在村里采访了通讯员") is None


def test_dateline_is_cut_from_the_lead():
    dateline = split_dateline("某某网（某某日报网）讯（记者 王明 通讯员 李华）村里开会了。")
    assert dateline is not None
    assert dateline.org == "某某网"
    assert dateline.credits.authors == ["王明", "李华"]
    assert dateline.rest == "村里开会了。"


def test_paper_dateline():
    dateline = split_dateline("本报讯（记者 王五）近日，村里开会。")
    assert dateline is not None and dateline.rest == "近日，村里开会。"


def test_parenthesis_in_first_sentence_is_not_a_dateline():
    assert split_dateline("村（社区）干部队伍建设持续加强。") is None
