"""Which province / city / county an article is about (scraper/place.py).

The seed articles are read where they live (/work/shared/seeds); every other
test uses sentences invented for the rule it checks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.place import (
    EMPTY,
    Place,
    derive_stopnames,
    locate,
    lookup,
    place_of,
    short_names,
)

SEEDS = Path("/work/shared/seeds")
STOPNAMES = Path(__file__).parent.parent / "scraper" / "data" / "place_stopnames.txt"


def _expected() -> dict:
    return json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))


def _seed_names() -> list[str]:
    if not (SEEDS / "expected.json").exists():
        return []
    return sorted(name for name in _expected() if name.endswith(".txt"))


@pytest.mark.parametrize("name", _seed_names())
def test_seed_article_place_matches_expected(name: str) -> None:
    import opencc

    expected = _expected()[name]
    raw = (SEEDS / name).read_text(encoding="utf-8")
    body = opencc.OpenCC("tw2s").convert(raw)  # two seeds are in traditional script
    place = locate(expected["title"], body)
    assert place.province == expected["province"]
    assert place.county == expected["county"]
    if "city" in expected:
        assert place.city == expected["city"]


def test_full_county_name_in_lead_fills_city_and_province_from_code() -> None:
    place = locate(None, "红安县组织部门结合自身职能，持续推进软弱涣散基层党组织整顿。")
    assert place == Place("湖北省", "黄冈市", "红安县", "421122")


def test_safe_short_name_is_matched() -> None:
    assert locate(None, "近年来，崇阳坚持党建引领，村村建起党员群众服务中心。").county == "崇阳县"


def test_one_character_stem_is_never_a_short_name() -> None:
    assert short_names("兴县") == []
    assert lookup("兴") == []
    assert locate(None, "大兴调查研究之风，兴办民生实事。") == EMPTY


def test_one_character_stem_name_inside_a_word_is_not_matched() -> None:
    assert locate(None, "各地推动振兴县域经济，建设新县城。") == EMPTY


def test_one_character_stem_name_standing_alone_is_matched() -> None:
    assert locate("兴县“三抓”强合力", "今年以来，兴县以整顿为契机。").county == "兴县"


def test_common_word_short_name_is_not_matched() -> None:
    assert locate(None, "坚持和平发展道路，东方红太阳升，解放思想。") == EMPTY


def test_function_word_stem_needs_its_province_or_city_named() -> None:
    assert locate(None, "市委和县委主要负责同志出席会议。") == EMPTY
    assert locate(None, "安徽省马鞍山市和县开展村级换届。").county == "和县"


def test_stopnames_file_holds_every_name_derived_from_jieba() -> None:
    listed = {
        line.split("#", 1)[0].split()[0]
        for line in STOPNAMES.read_text(encoding="utf-8").splitlines()
        if line.split("#", 1)[0].strip()
    }
    derived = {name for name, _ in derive_stopnames()}
    assert derived <= listed, sorted(derived - listed)
    assert {"和平", "东方", "长安", "新华", "城区", "郊区"} <= listed


def test_short_name_followed_by_street_or_town_suffix_is_not_the_county() -> None:
    assert locate(None, "他家住在宣恩路十八号，常去崇阳镇赶集。") == EMPTY


def test_title_mention_outweighs_an_early_body_mention() -> None:
    place = locate("崇阳县：湾子夜话聚民心", "通山县的同志前来交流学习。")
    assert place.county == "崇阳县"


def test_county_mentioned_throughout_beats_counties_listed_once() -> None:
    body = (
        "宣恩县坚持补短板固底板。宣恩县筛查确定软弱涣散村党组织27个。"
        "宣恩县选派第一书记。此前，来凤县、鹤峰县、巴东县也作了交流。"
    )
    assert locate(None, body) == Place("湖北省", "恩施土家族苗族自治州", "宣恩县", "422825")


def test_autonomous_prefecture_short_name_is_matched() -> None:
    place = locate(None, "恩施州委组织部召开全州基层党建工作推进会。恩施州各县市参加。")
    assert place == Place("湖北省", "恩施土家族苗族自治州", None, "422800")


def test_name_qualified_by_its_province_and_city_is_resolved() -> None:
    place = locate(None, "吉林省长春市朝阳区推行网格化管理。")
    assert place == Place("吉林省", "长春市", "朝阳区", "220104")


def test_ambiguous_name_resolved_by_province_named_elsewhere() -> None:
    body = "朝阳区各街道推行“接诉即办”。这是北京市基层治理的一项创新。"
    assert locate(None, body).code == "110105"


def test_ambiguous_name_without_context_is_left_unresolved() -> None:
    assert locate(None, "朝阳区各街道推行网格化管理。").county is None


def test_bare_province_short_name_shared_with_a_county_is_the_province() -> None:
    assert locate(None, "河南各地推进基层党建。").code == "410000"  # not 河南蒙古族自治县


def test_ambiguous_name_resolved_by_default() -> None:
    default = Place("吉林省", "长春市", None, None)
    assert locate(None, "朝阳区各街道推行网格化管理。", default).code == "220104"


def test_municipality_district_has_the_municipality_as_province_and_no_city() -> None:
    assert locate(None, "北京市朝阳区推行接诉即办。") == Place("北京市", None, "朝阳区", "110105")


def test_city_wide_article_keeps_county_none() -> None:
    title = "咸宁市“红色根须工程”结硕果"
    body = (
        "咸宁市从去年起在全市实施“红色根须工程”，咸宁市委组织部介绍，全市已建立村湾党支部。"
        "在嘉鱼县，村湾党支部带头整治环境；在崇阳县，党员认领公益岗位；"
        "赤壁市则把党小组建在产业链上。咸宁市将继续推广这一做法。"
    )
    assert locate(title, body) == Place("湖北省", "咸宁市", None, "421200")


def test_city_wide_article_is_not_narrowed_by_a_county_default() -> None:
    title = "咸宁市“红色根须工程”结硕果"
    body = "咸宁市在全市推广村湾党支部。嘉鱼县、崇阳县、赤壁市、通城县各有做法。"
    default = place_of("421223")  # a 崇阳 site
    assert locate(title, body, default).county is None


def test_city_named_often_beats_one_county_named_once() -> None:
    body = "咸宁市召开全市组织工作会议。咸宁市委书记讲话。会上，崇阳县作了发言。咸宁市要求…"
    assert locate("咸宁市部署基层党建工作", body).county is None


def test_province_alone_gives_province_only() -> None:
    assert locate(None, "湖北省召开全省基层党建工作会议。") == Place("湖北省", None, None, "420000")


def test_default_fills_levels_the_text_does_not_establish() -> None:
    default = place_of("421122")  # 红安网
    assert locate(None, "湖北省部署扫黑除恶专项斗争。", default) == default


def test_default_is_used_when_the_text_names_no_place() -> None:
    default = place_of("421122")
    assert locate("夯实基层组织基石", "基层是党的执政之基、力量之源。", default) == default


def test_default_inconsistent_with_the_text_is_ignored() -> None:
    default = place_of("421122")  # a 红安 site reporting on 兴县
    assert locate("兴县“三抓”强合力", "兴县以整顿为契机。", default).county == "兴县"


def test_default_given_by_names_only_is_resolved() -> None:
    default = Place("湖北省", "咸宁市", "崇阳县", None)
    assert locate(None, "基层是党的执政之基。", default).code == "421223"


def test_place_of_fills_every_level_from_the_code() -> None:
    assert place_of("422825000000") == Place("湖北省", "恩施土家族苗族自治州", "宣恩县", "422825")
    assert place_of("429004") == Place("湖北省", None, "仙桃市", "429004")  # no prefecture
    assert place_of("999999") == EMPTY


def test_lookup_returns_every_division_bearing_the_name() -> None:
    assert {place.code for place in lookup("朝阳区")} == {"110105", "220104"}
    assert [place.county for place in lookup("宣恩")] == ["宣恩县"]
