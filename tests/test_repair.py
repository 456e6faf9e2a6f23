"""Text repairs, one rule per test, on minimal inputs written for the test."""

from hypothesis import given
from hypothesis import strategies as st

from scraper import chars, punct, script
from scraper.repair import repair_text


def test_layout_spaces_and_invisible_characters_are_normalised():
    assert chars.normalize("\u3000\u3000村里\u00a0开会\u200b了 \n") == "村里 开会了\n"


def test_control_characters_are_removed_but_newlines_kept():
    assert chars.normalize("第一段\x07\n第二段\x1b") == "第一段\n第二段"


def test_wrapped_paragraph_joins_without_space_between_chinese():
    assert chars.join_wrapped("村党支部\n召开会议 with\nLatin") == "村党支部召开会议 with Latin"


def test_injected_pinyin_is_removed():
    text, removed = punct.remove_pinyin("發(fā)布時間 鄉(xiāng)村 創(chuàng)新")
    assert text == "發布時間 鄉村 創新"
    assert removed == 3


def test_real_parentheses_survive_pinyin_removal():
    text = "村(社区)干部 (记者 王明) 方案(a) 代码(de) 比例(CPU)"
    assert punct.remove_pinyin(text) == (text, 0)


def test_ascii_comma_between_chinese_becomes_full_width():
    assert punct.restore_punctuation("村里开会,大家发言") == "村里开会，大家发言"


def test_thousands_separator_and_times_keep_ascii():
    text = "共有3,570人 会议于14:22开始"
    assert punct.restore_punctuation(text) == text


def test_colon_after_chinese_becomes_full_width_but_url_keeps_it():
    assert punct.restore_punctuation("网址:http://x.cn/a") == "网址：http://x.cn/a"


def test_parentheses_around_chinese_become_full_width():
    assert punct.restore_punctuation("村(社区)两委") == "村（社区）两委"


def test_parentheses_in_latin_text_stay_ascii():
    text = "see f(x) and (a, b)"
    assert punct.restore_punctuation(text) == text


def test_question_and_exclamation_after_chinese():
    assert punct.restore_punctuation("好不好?真好!") == "好不好？真好！"


def test_straight_quotes_around_chinese_become_curly():
    assert punct.restore_punctuation('他说:"干得好"。') == "他说：“干得好”。"


def test_mangled_run_is_removed_and_reported():
    text, found = punct.remove_mangled("变成了‘和美村’?!?/p>")
    assert text == "变成了‘和美村’"
    assert len(found) == 1 and "和美村" in found[0]


def test_replacement_character_is_reported():
    text, found = punct.remove_mangled("村\ufffd\ufffd委")
    assert text == "村委"
    assert found


def test_traditional_text_is_detected_and_converted_with_mainland_vocabulary():
    assert script.is_traditional("著力推動軟弱渙散村黨組織")
    assert script.to_simplified("著力推動") == "着力推动"


def test_simplified_text_is_not_taken_for_traditional():
    assert not script.is_traditional("著名作家在乾隆年间的村里着力推动工作")


def test_repair_of_a_traditional_dump_runs_every_step():
    assert repair_text("發(fā)布時間:2023年 鄉(xiāng)村,振興") == "发布时间：2023年 乡村，振兴"


@given(st.text())
def test_repair_never_raises_and_is_idempotent(text):
    once = repair_text(text)
    assert repair_text(once) == once


@given(st.text())
def test_no_control_characters_survive(text):
    repaired = repair_text(text)
    assert not any(ord(ch) < 32 and ch != "\n" for ch in repaired)
