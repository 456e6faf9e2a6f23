"""The seed text dumps against expected.json: one test per seed and per aspect.

The rules are those of shared/tools/check_seeds.py (values compared after
NFKC folding; null means "must not be invented"; author and site may name
several), run in-process so a failure names the seed and the aspect.  On top
of them: the cleaned body uses full-width punctuation between Chinese
characters, holds no pinyin annotations, and the page whose "。”</p>" was
mangled to "?!?/p>" says so in its warnings.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from conftest import SEEDS, expected_seeds
from county_site import fold

from scraper.models import Article, RawPage
from scraper.pipeline import extract_article

EXPECTED = expected_seeds()
NAMES = sorted(EXPECTED)
if not NAMES:
    pytestmark = pytest.mark.skip(reason=f"no seeds at {SEEDS}")

HAN = r"[\u4e00-\u9fff]"
# A pinyin syllable in brackets after a character: 發(fā)布, 鄉(xiāng)村.
PINYIN = re.compile(HAN + r"\s*[(（]\s*[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\s*[)）]")
ASCII_BETWEEN_HAN = re.compile(f"{HAN}[,:;!?()]{HAN}")


@cache
def article(name: str) -> Article:
    return extract_article(RawPage(location=name, content=(SEEDS / name).read_bytes()))


def got(name: str) -> dict:
    return article(name).to_dict()


def paragraphs(body: str | None) -> list[str]:
    return [p.strip() for p in fold(body).split("\n") if p.strip()]


def cases(*keys: str) -> list:
    """(seed, key) pairs for the seeds whose expectations name one of `keys`."""
    return [
        pytest.param(name, key, id=f"{name[:3]}-{key}")
        for name in NAMES
        for key in keys
        if key in EXPECTED[name]
    ]


def seed_params() -> list:
    return [pytest.param(name, id=name[:3]) for name in NAMES]


@pytest.mark.parametrize(("name", "key"), cases("title", "province", "county", "city"))
def test_exact_value(name: str, key: str) -> None:
    want, have = EXPECTED[name][key], got(name)[key]
    if want is None:
        assert have in (None, ""), f"{key} invented: {have!r}"
    else:
        assert fold(have) == fold(want)


@pytest.mark.parametrize(("name", "key"), cases("date"))
def test_date(name: str, key: str) -> None:
    want, have = EXPECTED[name][key], got(name)[key]
    if want is None:
        assert have in (None, ""), f"date invented: {have!r}"
    else:
        assert str(have)[:16] == want


@pytest.mark.parametrize(("name", "key"), cases("date_partial"))
def test_date_partial(name: str, key: str) -> None:
    assert got(name)[key] == EXPECTED[name][key]


@pytest.mark.parametrize(("name", "key"), cases("author", "site"))
def test_names(name: str, key: str) -> None:
    want, have = EXPECTED[name][key], got(name)[key]
    if want is None:
        assert have in (None, ""), f"{key} invented: {have!r}"
    else:
        text = " ".join(have) if isinstance(have, list) else have or ""
        assert fold(want) in fold(text), f"{key}: expected {want!r}, got {have!r}"


@pytest.mark.parametrize(("name", "key"), cases("keywords"))
def test_keywords(name: str, key: str) -> None:
    assert [fold(k) for k in got(name)[key]] == [fold(k) for k in EXPECTED[name][key]]


@pytest.mark.parametrize("name", seed_params())
def test_body_start(name: str) -> None:
    start = fold(EXPECTED[name]["body_starts_with"])
    paras = paragraphs(got(name)["body"])
    assert any(p.startswith(start) for p in paras[:8]), paras[:8]


@pytest.mark.parametrize("name", seed_params())
def test_body_end(name: str) -> None:
    end = fold(EXPECTED[name]["body_ends_with"])
    paras = paragraphs(got(name)["body"])
    assert any(p.endswith(end) for p in paras[-3:]), paras[-3:]


@pytest.mark.parametrize("name", seed_params())
def test_must_contain(name: str) -> None:
    body = fold(got(name)["body"])
    assert [s for s in EXPECTED[name]["must_contain"] if fold(s) not in body] == []


@pytest.mark.parametrize("name", seed_params())
def test_must_not_contain(name: str) -> None:
    whole = fold(got(name)["title"]) + "\n" + fold(got(name)["body"])
    assert [s for s in EXPECTED[name]["must_not_contain"] if fold(s) in whole] == []


@pytest.mark.parametrize("name", seed_params())
def test_tags(name: str) -> None:
    want = EXPECTED[name]
    tags = set(got(name)["tags"] or [])
    need, allowed = set(want["tags"]), set(want["tags"]) | set(want["allowed_tags"])
    assert sorted(need - tags) == [], "missing tags"
    assert sorted(tags - allowed) == [], "wrong tags"


@pytest.mark.parametrize("name", seed_params())
def test_primary_tag(name: str) -> None:
    want = EXPECTED[name]["primary_tag"]
    if want:
        assert got(name)["primary_tag"] == want


@pytest.mark.parametrize("name", seed_params())
def test_body_uses_full_width_punctuation(name: str) -> None:
    body = got(name)["body"]
    assert ASCII_BETWEEN_HAN.findall(body) == []
    assert "，" in body and "。" in body


@pytest.mark.parametrize("name", seed_params())
def test_title_uses_full_width_punctuation(name: str) -> None:
    assert ASCII_BETWEEN_HAN.findall(got(name)["title"] or "") == []


@pytest.mark.parametrize("name", seed_params())
def test_no_pinyin_annotations(name: str) -> None:
    article_text = f"{got(name)['title']}\n{got(name)['body']}"
    assert PINYIN.findall(article_text) == []


def test_pinyin_pattern_catches_what_it_should() -> None:
    assert PINYIN.findall("發(fā)布時間 鄉(xiāng)村 環（huán）境")
    assert not PINYIN.findall("村(社区)“两委” 2021年(第3期)")


@pytest.mark.skipif("004_062ebec78f494d8a.txt" not in EXPECTED, reason="seed 004 missing")
def test_mangled_characters_are_reported() -> None:
    warnings = " ".join(got("004_062ebec78f494d8a.txt")["warnings"])
    assert "?!?" in warnings, warnings


@pytest.mark.parametrize("name", seed_params())
def test_no_invented_values_are_silent(name: str) -> None:
    """A value the dump does not hold is absent and the warnings say so."""
    result = got(name)
    if result["date"] is None:
        assert any("date" in w for w in result["warnings"])
    if result["title"] is None:
        assert any("title" in w for w in result["warnings"])


# Dump shapes the seeds do not show but county pages have; each found by bench/dump_quality.py.
PROSE = (
    "今年以来,某某县以开展基层党组织整体提升年活动为契机,把软弱涣散村整顿转化作为组织工作重中之重,"
    "坚持资源下沉、重心下移,推动村党组织晋位升级。"
)


def dump_article(header: str) -> Article:
    text = f"{header}\n\n{PROSE}\n"
    return extract_article(RawPage(location="dump.txt", content=text.encode()))


def test_dump_reporter_line_after_info_line() -> None:
    article = dump_article(
        "县委组织部开展村党组织书记轮训\n2020-05-01 10:00 来源:某某网\n记者 张三"
    )
    assert article.title == "县委组织部开展村党组织书记轮训"
    assert article.author == "张三"


def test_dump_reporter_line_between_title_and_info_line() -> None:
    article = dump_article(
        "县委组织部开展村党组织书记轮训\n记者 张三\n2020-05-01 10:00 来源:某某网"
    )
    assert article.title == "县委组织部开展村党组织书记轮训"
    assert article.author == "张三"
