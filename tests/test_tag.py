"""The tag stage: rules from taxonomy.toml, one test per context rule, evidence, seeds.

Each context rule of the taxonomy has a minimal sentence pair here: the
look-alike that must not count and, where useful, the real thing that must.
Quality figures over the labelled examples are in bench/tag_quality.py; speed
is measured there too, not tested.
"""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest
from conftest import SEEDS, expected_seeds

from bench.tag_quality import load_examples
from scraper.models import RawPage
from scraper.pipeline import extract_article
from scraper.script import to_simplified
from scraper.tag import tag
from scraper.taxonomy import TAXONOMY, TaxonomyError, load_taxonomy

PRACTICES = ["vetting", "rectification", "collective_economy", "hamlet_branches"]

VETTING = (
    "在村“两委”换届中，某县对候选人实行资格联审，县纪委监委、公安、法院等部门共同把关。"
    "全县共审查候选人2860人，对存在“村霸”问题的人员坚决挡在门外。"
)
RECTIFICATION = (
    "全县排查软弱涣散村党组织12个，由县级领导包联。通过集中整顿，10个村实现晋位升级。村里修了路。"
)
COLLECTIVE = (
    "某村党支部领办合作社，村集体以闲置资产入股。去年村集体经济收入突破50万元，群众户均分红3000元。"
)
HAMLET = "某县在自然湾成立村湾党支部326个。湾组党小组每月召开屋场会，党员带头发言。"


def scores(title: str | None, body: str) -> dict[str, float]:
    return tag(title, body).scores


# ---------------------------------------------------------------- the taxonomy file


def test_taxonomy_defines_the_four_practices() -> None:
    assert [p.id for p in load_taxonomy().practices] == PRACTICES


def test_every_practice_has_names_definition_threshold_and_terms() -> None:
    for practice in load_taxonomy().practices:
        assert practice.name_zh and practice.name_en and practice.definition
        assert practice.threshold > 0
        assert practice.rules and all(rule.phrases and rule.weight > 0 for rule in practice.rules)


def test_word_lists_expand_inside_phrases() -> None:
    hamlet = load_taxonomy().practice("hamlet_branches")
    assert {"村湾党支部", "屯党小组", "村民小组党支部"} <= set(hamlet.terms)


def _write(tmp_path: Path, practice_extra: str = "", term_extra: str = "") -> Path:
    path = tmp_path / "taxonomy.toml"
    path.write_text(
        f"""
[words]
hamlet = ["村湾"]

[[practice]]
id = "vetting"
name_zh = "资格联审"
name_en = "Joint vetting"
definition = "定义"
threshold = 4
{practice_extra}

[[practice.terms]]
weight = 4
phrases = ["资格联审"]
{term_extra}
""",
        encoding="utf-8",
    )
    return path


def test_a_well_formed_file_loads(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(_write(tmp_path))
    assert taxonomy.practice("vetting").terms == {"资格联审": 4.0}


@pytest.mark.parametrize(
    ("practice_extra", "term_extra", "says"),
    [
        ("", 'requires_nearbyy = ["两委"]', "unknown key"),
        ("", 'requires_nearby = "两委"', "requires_nearby"),
        ("", 'not_near = ["{village}"]', "unknown word list {village}"),
        ("colour = 1", "", "unknown key"),
        ("", "weight = -1", "weight"),
    ],
)
def test_a_malformed_rule_names_the_file_and_the_practice(
    tmp_path: Path, practice_extra: str, term_extra: str, says: str
) -> None:
    if term_extra.startswith("weight"):
        path = _write(tmp_path)
        path.write_text(path.read_text(encoding="utf-8").replace("weight = 4", term_extra))
    else:
        path = _write(tmp_path, practice_extra, term_extra)
    with pytest.raises(TaxonomyError) as error:
        load_taxonomy(path)
    message = str(error.value)
    assert str(path) in message
    assert "practice 'vetting'" in message
    assert says in message


def test_a_practice_without_terms_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(
        '[[practice]]\nid = "rectification"\nname_zh = "x"\nname_en = "x"\n'
        'definition = "x"\nthreshold = 4\n',
        encoding="utf-8",
    )
    with pytest.raises(TaxonomyError, match=r"t\.toml: practice 'rectification': needs at least"):
        load_taxonomy(path)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[[practice]\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"broken\.toml"):
        load_taxonomy(path)


def test_the_project_taxonomy_is_the_default() -> None:
    assert load_taxonomy().path == TAXONOMY


# ---------------------------------------------------------------- the four practices


@pytest.mark.parametrize(
    ("text", "practice"),
    [
        (VETTING, "vetting"),
        (RECTIFICATION, "rectification"),
        (COLLECTIVE, "collective_economy"),
        (HAMLET, "hamlet_branches"),
    ],
)
def test_each_practice_is_tagged_and_primary(text: str, practice: str) -> None:
    result = tag(None, text)
    assert result.tags == [practice]
    assert result.primary_tag == practice


def test_article_about_rectification_is_tagged_with_evidence() -> None:
    result = tag("某县整顿软弱涣散村党组织", RECTIFICATION)
    assert result.tags == ["rectification"]
    assert "全县排查软弱涣散村党组织12个，由县级领导包联。" in result.evidence["rectification"]
    assert "村里修了路。" not in result.evidence["rectification"]


@pytest.mark.parametrize(
    "text",
    [
        "党支部建在屯上，全县自然屯成立屯级党支部120个。屯级党支部书记带领群众议屯事。",
        "推行党小组建在寨上，以自然寨为单位设立党小组。寨里的大事先在党小组会上商量。",
        "全县2360个村民小组全部建立党小组。各村民小组党小组每月召开一次会议。",
        "在规模较大的自然村单独设立党支部。自然村党支部牵头制定村规民约。",
    ],
    ids=["guangxi-tun", "guizhou-zhai", "hunan-group", "zhejiang-village"],
)
def test_hamlet_vocabulary_of_other_provinces(text: str) -> None:
    assert "hamlet_branches" in tag(None, text).tags


def test_primary_is_none_when_practices_are_even() -> None:
    body = (
        "某县抓好两件事。一是集中整顿软弱涣散村党组织23个，由县级领导包联，全部实现整顿转化。"
        "二是壮大村级集体经济，村集体经济收入10万元以上的村达到85%，全部消除空壳村。"
    )
    result = tag(None, body)
    assert result.tags == ["rectification", "collective_economy"]
    assert result.primary_tag is None


def test_the_title_decides_between_two_practices() -> None:
    body = (
        "某县推行湾组党小组，新建湾组党小组860个。"
        "村级集体经济收入10万元以上的村达到85%，村集体经济不断壮大。"
    )
    assert tag("某县发展壮大村级集体经济", body).primary_tag == "collective_economy"


# ---------------------------------------------------------------- context rules, one each


@pytest.mark.parametrize(
    "text",
    [
        "某港务集团码头作业队设立党小组。党员保障港湾航道畅通，港湾党支部获评先进。",
        "某区融入粤港澳大湾区建设，成立湾区党支部。湾区党支部开展党建联盟活动。",
        "台湾同胞投资企业协会党支部开展主题党日。台湾党支部党员参观红色基地。",
        "桃花湾村党支部带领村民发展旅游。桃花湾村党支部书记获评优秀党务工作者。",
        "海湾新区党支部、党小组落实三会一课。海湾党支部开展学习。",
    ],
    ids=["港湾", "湾区", "台湾", "X湾村", "海湾"],
)
def test_wan_in_a_place_name_is_not_a_hamlet(text: str) -> None:
    assert scores(None, text)["hamlet_branches"] == 0


def test_hamlet_meeting_by_a_work_team_is_not_a_hamlet_branch() -> None:
    team = "驻村工作队每月召开屋场会，工作队员宣讲扶贫政策。扶贫工作队把院落会开到农户家门口。"
    assert scores(None, team)["hamlet_branches"] == 0
    branch = "湾子里的党员每月召开屋场会。"
    assert scores(None, branch)["hamlet_branches"] > 0


def test_a_passing_mention_in_a_list_of_results_is_not_the_practice() -> None:
    body = (
        "会议指出，一年来，全县地区生产总值增长7.2%，新增规上企业18家，"
        "村集体经济收入均达到5万元以上，农村人居环境明显改善。会议要求奋力开创新局面。"
    )
    result = tag("某县召开年度工作总结大会", body)
    assert result.scores["collective_economy"] > 0
    assert result.tags == []


@pytest.mark.parametrize(
    "text",
    [
        "开展农村人居环境集中整顿，党支部带头清理垃圾。人居环境整顿成效明显。",
        "开展市场秩序专项整顿，局机关党支部参与检查。市场秩序整顿查处案件23起。",
        "机关开展作风纪律集中整顿，党支部对照检查。作风整顿发现的问题进行通报。",
    ],
    ids=["人居环境", "市场秩序", "作风"],
)
def test_other_kinds_of_zhengdun_are_not_rectification(text: str) -> None:
    assert scores(None, text)["rectification"] == 0


@pytest.mark.parametrize(
    "text",
    [
        "建立重大项目联审联批机制，今年共联审项目86个。项目联审时限压缩60%。",
        "开展涉农资金联审，经资金联审有14个项目暂缓。",
        "推行施工图多图联审，建设单位只需提交一次资料。",
        "干部选拔中对拟提拔人选开展联审，3人暂缓使用。",
    ],
    ids=["项目", "资金", "施工图", "机关干部"],
)
def test_lianshen_of_anything_but_village_candidates_is_not_vetting(text: str) -> None:
    assert scores(None, text)["vetting"] == 0


@pytest.mark.parametrize(
    "text",
    [
        "财政局机关党支部下设3个党小组，各党小组每月集中学习。",
        "公司党支部在车间设立党小组，把党小组建在生产线上。",
        "中学党总支按照年级组设立党小组，党小组开展教学研讨。",
        "社区推行楼栋党小组、党员中心户，党员中心户联系小区居民。",
    ],
    ids=["机关", "公司", "学校", "城市社区"],
)
def test_party_groups_outside_hamlets_are_not_hamlet_branches(text: str) -> None:
    assert scores(None, text)["hamlet_branches"] == 0


def test_branches_built_in_army_companies_are_party_history() -> None:
    text = "党员干部赴三湾村重温“三湾改编”，在“支部建在连上”旧址前重温入党誓词。"
    assert scores(None, text)["hamlet_branches"] == 0


def test_collective_economy_of_a_former_village_community_counts() -> None:
    text = "各社区股份经济合作社盘活集体物业。全街道社区集体经济收入增长11%，股民分红6800元。"
    assert tag(None, text).tags == ["collective_economy"]


def test_collective_ownership_is_not_the_village_collective_economy() -> None:
    text = "国有经济和集体经济都是公有制经济的重要组成部分。要巩固和发展公有制经济，城镇集体经济也要发展。"
    assert scores(None, text)["collective_economy"] == 0


def test_anti_mafia_work_without_candidates_is_not_vetting() -> None:
    text = "全县打掉涉黑涉恶犯罪团伙6个，依法严惩“村霸”12人。要建立防范黑恶势力滋生的长效机制。"
    assert scores(None, text)["vetting"] == 0


def test_first_secretaries_in_poverty_work_are_not_rectification() -> None:
    text = "选派186名第一书记驻村开展脱贫攻坚，建立结对帮扶台账。贫困村全部出列。"
    assert scores(None, text)["rectification"] == 0


def test_candidates_of_peoples_congress_elections_are_not_vetting() -> None:
    text = (
        "县人大常委会代表资格审查委员会对新选出的人大代表进行了资格审查。"
        "镇里认真做好人大代表候选人资格审查工作。"
    )
    assert scores(None, text)["vetting"] == 0


def test_a_repeated_phrase_counts_at_most_max_hits_times() -> None:
    settings = load_taxonomy().settings
    result = tag(None, "村湾党支部开会。" * 50)
    assert result.scores["hamlet_branches"] == settings.max_hits * 4


# ---------------------------------------------------------------- evidence and script


def test_evidence_is_up_to_three_real_sentences_in_article_order() -> None:
    body = "\n".join([VETTING, COLLECTIVE, "全县共审查候选人1200人，否决不符合条件人选12人。"])
    result = tag(None, body)
    for sentences in result.evidence.values():
        assert 1 <= len(sentences) <= 3
        positions = [body.index(s) for s in sentences]
        assert positions == sorted(positions)
        assert all(s.endswith("。") for s in sentences)


def test_traditional_input_is_tagged_like_simplified_and_quoted_simplified() -> None:
    traditional = opencc.OpenCC("s2twp").convert(HAMLET + VETTING)
    assert traditional != HAMLET + VETTING
    got, want = tag(None, traditional), tag(None, HAMLET + VETTING)
    assert got.tags == want.tags and got.primary_tag == want.primary_tag
    simplified = to_simplified(traditional)
    for sentences in got.evidence.values():
        assert all(s in simplified for s in sentences)


def test_empty_article_has_no_tags() -> None:
    result = tag(None, "")
    assert result.tags == [] and result.primary_tag is None and result.evidence == {}


# ---------------------------------------------------------------- labelled data


def test_the_labelled_examples_are_well_formed() -> None:
    examples = load_examples()
    assert len(examples) >= 80
    assert len({e.id for e in examples}) == len(examples)
    assert sum(e.split == "check" for e in examples) >= 30
    traditional = sum(to_simplified(e.text) != e.text for e in examples)
    assert traditional * 4 >= len(examples)
    for e in examples:
        assert e.tags <= set(PRACTICES), e.id
        assert e.primary is None or e.primary in e.tags, e.id
        assert 60 <= len(e.text) <= 400, e.id


SEED_EXPECTED = expected_seeds()


@pytest.mark.skipif(not SEED_EXPECTED, reason=f"no seeds at {SEEDS}")
@pytest.mark.parametrize("name", sorted(SEED_EXPECTED))
def test_the_seeds_tags_and_primary(name: str) -> None:
    want = SEED_EXPECTED[name]
    path = SEEDS / name
    article = extract_article(RawPage(location=str(path), content=path.read_bytes()))
    tags = set(article.tags)
    assert set(want["tags"]) <= tags
    assert tags <= set(want["tags"]) | set(want["allowed_tags"])
    assert article.primary_tag == want["primary_tag"]
    for practice in article.tags:
        assert article.evidence[practice]


def test_collective_economy_in_an_enumeration_of_results_is_a_passing_mention() -> None:
    text = (
        "某县乡村旅游今年接待游客30万人次。"
        "旅游业在促进农民增收、壮大集体经济、改善乡村面貌等方面作用明显。"
        "下一步将继续办好桃花节。"
    )
    assert "collective_economy" not in tag(None, text).tags


def test_one_sentence_describing_a_practice_with_two_of_its_phrases_is_enough() -> None:
    text = "换届前排查出的5个村，同步列入软弱涣散村党组织名单，由县级领导挂点整顿。其余工作按计划推进。"
    assert "rectification" in tag(None, text).tags
