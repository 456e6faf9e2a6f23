"""Site chrome and injected spam are recognised in a line of text."""

from scraper import chrome, spam


def test_menu_bar():
    assert chrome.is_chrome("首页 本县概况 新闻中心 视频 招商引资 党建")


def test_headline_with_spaces_is_not_a_menu():
    assert not chrome.is_chrome("抓整顿 促提升 某县“三抓”强合力 着力推动村党组织晋位升级")


def test_breadcrumb():
    assert chrome.is_chrome("首页 >> 县域新闻 >> 本县新闻 >> 正文")
    assert chrome.is_chrome("当前位置：首页 > 党建")


def test_trailer_lines_end_the_article():
    for line in ("上一篇：某某", "下一篇:某某", "相关新闻", "分享到：", "Copyright © 2020 某某网"):
        assert chrome.is_end(line), line


def test_footer_lines_are_chrome():
    for line in ("主办：某县融媒体中心", "新闻热线：0000-1234567", "地址：某县某路1号", "关注我们"):
        assert chrome.is_chrome(line), line


def test_site_named_by_footer():
    assert chrome.site_named_in("版权为 某某网 www.example.cn 所有") == "某某网"


def test_prose_is_not_chrome():
    line = "村党支部书记介绍，今年以来全村发展集体经济，收入增加了十万元。"
    assert not chrome.is_chrome(line) and not chrome.is_end(line)


def test_spam_line_is_dropped_whole():
    assert spam.strip_spam("成人视频免费观看,国产综合在线,百家乐娱乐城") == ""


def test_spam_clause_is_cut_from_real_text():
    assert spam.strip_spam("村里召开了大会。百家乐 娱乐城") == "村里召开了大会。"


def test_ordinary_words_of_the_weak_list_are_not_spam():
    line = "国产大飞机在欧美市场受到欢迎，亚洲各国纷纷订购。"
    assert spam.strip_spam(line) == line
