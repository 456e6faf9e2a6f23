"""Frames: a practice described by its parts, recognised in combinations nobody listed.

The sentences are our own; each pair shows a combination of known words that
must count and a look-alike that must not (issue 13: hamlet branches written
in other words than the taxonomy lists, vetting vetoed although it scores).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.tag import tag
from scraper.taxonomy import Frame, TaxonomyError, load_taxonomy

FILLER = "县委组织部有关负责人表示，下一步将继续抓好落实。"


def hits(body: str, practice: str) -> float:
    return tag(None, body).scores[practice]


def tagged(body: str) -> list[str]:
    return tag(None, body).tags


# ---------------------------------------------------------------- hamlet branches


@pytest.mark.parametrize(
    "sentence",
    [
        "全县在每个村民小组都建立了党小组，共设立党小组312个。",
        "该镇以村湾、小区为主体设立地域型党小组731个。",
        "清溪县在各自然村设立党员中心户46户，每户联系五到八名党员。",
        "县里推行“党小组建在湾组上”，全县湾组普遍建起党小组120个。",
        "石门村把党支部延伸到自然寨，8个寨子都有了党小组。",
        "桃源村按照屋场划分设立6个屋场党小组，由老党员担任组长。",
        "全村以村民小队为单位建立党小组9个，小队党小组长带头议事。",
        "该村把党支部建在网格上，全村划分网格7个，村民有事就近找网格支部。",
        "全村划分7个网格，成立网格党支部7个，村民有事找网格党支部。",
        "港东村推行“宅上党小组”建设，全村12个宅上党小组由老党员任组长。",  # 宅: Nantong's hamlet
    ],
)
def test_a_party_unit_below_the_village_is_a_hamlet_branch_in_any_wording(sentence: str) -> None:
    assert tagged(sentence + FILLER) == ["hamlet_branches"]


@pytest.mark.parametrize(
    "sentence",
    [
        "村党支部组织党员到各自然村走访慰问困难群众，共走访120户。",  # the village's branch
        "湾里村党支部现有党员38人，班子团结有力。",  # 湾里村 is a village's name
        "东屯村党支部共有3个党小组，38名党员。",  # so is 东屯村
        "某国有企业推行“党小组建在班组上”，在一线班组设立党小组46个。",  # a work team
        "城东社区在各小区楼栋设立党小组28个，由楼栋长担任组长。",  # an estate
        "抗洪期间，县里在各自然村的堤段成立临时党支部12个。",  # temporary
        "各自然村成立村民理事会38个，由乡贤担任理事长。",  # no Party unit
        "城东社区把党支部建在网格上，每个小区网格设党小组，共设23个。",  # a town's grids
    ],
)
def test_look_alikes_of_hamlet_branches_are_not(sentence: str) -> None:
    assert "hamlet_branches" not in tagged(sentence + FILLER)


def test_one_uncounted_mention_needs_a_second_sentence() -> None:
    assert tagged("党小组建在湾组上，党员离群众更近了。") == []
    assert tagged("党小组建在湾组上，党员离群众更近了。湾组党小组每月开一次会。") == [
        "hamlet_branches"
    ]


@pytest.mark.parametrize(
    ("practice", "mentioned", "reported"),
    [
        # Two core phrases, each an item of a checklist, describe neither; in one clause they do.
        ("collective_economy",
         "巡察前，让被巡察村自查，填写涵盖村基本情况、集体经济状况、困难群众救助等信息的调查表；"
         "再由镇里围绕基层党建、平安建设以及信访举报、“三资”管理等监督重点评价。",
         "该村规范“三资”管理，盘活闲置厂房，村集体经济收入当年增加12万元。"),
        # A practice among semicolon-separated tasks is listed; the same words in a report count.
        ("rectification",
         "会议强调，要强化主业意识，落实党建工作主体责任；要突出工作重点，大力整顿软弱涣散"
         "基层党组织，深入推进党务公开；要加大保障力度，形成党建工作合力。",
         "今年，该县大力整顿软弱涣散基层党组织，逐村制定整改方案，选派第一书记驻村帮扶。"),
    ],
)  # fmt: skip
def test_a_practice_named_in_a_list_is_mentioned_not_reported(
    practice: str, mentioned: str, reported: str
) -> None:
    assert practice not in tagged(mentioned + FILLER)
    assert practice in tagged(reported + FILLER)


# ---------------------------------------------------------------- vetting


def test_examining_candidates_in_a_village_election_is_vetting_in_any_wording() -> None:
    body = (
        "在村“两委”换届中，县纪委监委、公安等12个部门对拟提名人选逐一过筛，"
        "共审查人选2860人。有下列情形之一的，不宜确定为村（社区）“两委”和村务监督委员会成员候选人。"
    )
    assert tagged(body) == ["vetting"]


@pytest.mark.parametrize(
    "body",
    [
        "县人大常委会对人大代表候选人逐一审查，共审查代表候选人320名。对人大代表候选人资格进行审查。",
        "县住建局对施工图进行联合审查，共审查项目36个。项目审查结果在网上公示。",
        "县人社局对报考公务员的人选进行资格审查，共审查1200人。审查合格者参加面试。",
    ],
)
def test_other_reviews_are_not_vetting(body: str) -> None:
    assert "vetting" not in tagged(body)


# ---------------------------------------------------------------- rectification


def test_a_weak_organisation_named_either_way_round() -> None:
    assert hits("全县排查出党组织软弱涣散的村12个。", "rectification") > 0
    assert hits("全县排查出后进党支部12个。", "rectification") > 0
    assert hits("集体经济薄弱村党支部书记参加了培训。", "rectification") == 0


# ---------------------------------------------------------------- the frame rules themselves


def frame(**kwargs: object) -> Frame:
    values: dict[str, object] = {
        "name": "test", "parts": (("甲",), ("乙",)), "weight": 4.0, "within": 10, "near": 4,
    }  # fmt: skip
    values.update(kwargs)
    return Frame(**values)  # type: ignore[arg-type]


def test_a_frame_counts_within_its_span_only() -> None:
    text = "甲一二三乙"
    assert frame(within=5).allows(text, 0, 5, 0, len(text))
    assert not frame(within=4).allows(text, 0, 5, 0, len(text))


def test_not_between_looks_inside_and_not_near_around() -> None:
    text = "丙甲丁乙戊"
    assert not frame(not_between=("丁",)).allows(text, 1, 4, 0, 5)
    assert not frame(not_near=("丙",)).allows(text, 1, 4, 0, 5)
    assert frame(not_near=("丁",)).allows(text, 1, 4, 0, 5)  # the middle is not "near"


def test_requires_looks_anywhere_in_the_sentence() -> None:
    text = "换届时甲和乙见面"
    assert frame(requires=("换届",)).allows(text, 3, 6, 0, len(text))
    assert not frame(requires=("选举",)).allows(text, 3, 6, 0, len(text))


def _taxonomy_with_frame(tmp_path: Path, frame_toml: str) -> Path:
    path = tmp_path / "taxonomy.toml"
    path.write_text(
        f"""
[words]
unit = ["党小组"]
level = ["自然村"]

[[practice]]
id = "hamlet_branches"
name_zh = "村湾党组织"
name_en = "Hamlet branches"
definition = "定义"
threshold = 4

[[practice.terms]]
weight = 4
phrases = ["村湾党支部"]

[[practice.frames]]
{frame_toml}
""",
        encoding="utf-8",
    )
    return path


def test_a_frame_file_loads_with_its_word_classes_expanded(tmp_path: Path) -> None:
    path = _taxonomy_with_frame(
        tmp_path,
        'name = "f"\nparts = [["{level}"], ["{unit}"]]\nweight = 4\nwithin = 12\nordered = true',
    )
    loaded = load_taxonomy(path).practice("hamlet_branches").frames[0]
    assert loaded.parts == (("自然村",), ("党小组",)) and loaded.ordered


@pytest.mark.parametrize(
    ("frame_toml", "says"),
    [
        ('name = "f"\nparts = [["{level}"]]\nweight = 4\nwithin = 12', "at least two"),
        ('name = "f"\nparts = [["{level}"], ["{unit}"]]\nweight = 4', "missing `within`"),
        ('name = "f"\nparts = [["{level}"], ["{nope}"]]\nweight = 4\nwithin = 9', "{nope}"),
        ('name = "f"\nparts = [["{level}"], ["{unit}"]]\nweight = 4\nwithin = 9\nordered = 1',
         "true or false"),
        ('name = "f"\nparts = [["{level}"], ["{unit}"]]\nweight = 4\nwithin = 9\nnearby = []',
         "unknown key"),
    ],
)  # fmt: skip
def test_a_malformed_frame_names_the_file_practice_and_frame(
    tmp_path: Path, frame_toml: str, says: str
) -> None:
    path = _taxonomy_with_frame(tmp_path, frame_toml)
    with pytest.raises(TaxonomyError) as error:
        load_taxonomy(path)
    message = str(error.value)
    assert str(path) in message and "practice 'hamlet_branches', frames #1" in message
    assert says in message


def test_a_compound_listed_as_a_phrase_is_not_counted_twice_by_a_frame() -> None:
    result = tag(None, "清溪县在全县设立村湾党支部326个。" + FILLER)
    assert result.scores["hamlet_branches"] == 4.0  # the phrase; the frame over it adds nothing
