"""First-version tagging: weighted terms from taxonomy.toml, with evidence."""

from scraper.tag import load_taxonomy, tag


def test_taxonomy_defines_the_four_practices():
    practices, _ = load_taxonomy()
    assert [p.id for p in practices] == [
        "vetting",
        "rectification",
        "collective_economy",
        "hamlet_branches",
    ]


def test_article_about_rectification_is_tagged_with_evidence():
    body = "全县排查软弱涣散村党组织12个。通过集中整顿，10个村实现晋位升级。村里修了路。"
    result = tag("某县整顿软弱涣散村党组织", body)
    assert result.tags == ["rectification"]
    assert result.primary_tag == "rectification"
    assert "全县排查软弱涣散村党组织12个。" in result.evidence["rectification"]
    assert "村里修了路。" not in result.evidence["rectification"]


def test_single_passing_mention_does_not_tag():
    result = tag("某县召开经济工作会议", "会议总结了全年工作，其中提到了集体经济。")
    assert result.tags == []
    assert result.primary_tag is None


def test_repeated_term_counts_at_most_the_cap():
    result = tag(None, "党小组。" * 50)
    assert result.scores["hamlet_branches"] <= 3
