"""Properties of the whole cleaner (decode → extract → repair → clean → tag) on any input.

tests/test_repair.py holds the text repairs to the same properties one step
at a time; here the input is a whole page or dump, as a crawl or an inbox
hands it over.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.errors import PageError
from scraper.models import RawPage
from scraper.pipeline import extract_article
from scraper.repair import repair_text
from scraper.script import to_simplified

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Chinese punctuation and the layout whitespace the cleaner may normalise.
PUNCTUATION_OR_SPACE = re.compile(r"[\s\u3000-\u303f\uff00-\uffef“”‘’…—·、，。！？：；（）《》]")

# Common characters, already simplified (OpenCC leaves each of them as it is).
SIMPLIFIED = "".join(
    ch
    for ch in "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实"
    "加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各"
    "重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已"
    "通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组"
    "见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七"
    "海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身"
    "车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记"
    "需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列"
    "习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按"
    "格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞村镇湾支部书记"
    if to_simplified(ch) == ch
)
chinese_text = st.text(
    alphabet=st.sampled_from(list(SIMPLIFIED + "，。！？：；、“”（）《》")),
    min_size=1,
    max_size=300,
)
any_page = st.one_of(
    st.text(max_size=3000).map(lambda text: text.encode("utf-8")),
    st.binary(max_size=3000),
    st.builds(
        lambda title, paragraphs: (
            f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
            + "".join(f"<p>{p}</p>" for p in paragraphs)
            + "</body></html>"
        ).encode("utf-8"),
        chinese_text,
        st.lists(st.one_of(chinese_text, st.text(max_size=200)), max_size=8),
    ),
)


def texts_of(article: object) -> list[str]:
    fields = ("title", "date", "author", "site", "source", "province", "city", "county", "body")
    return [value for name in fields if isinstance(value := getattr(article, name), str)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_page)
def test_the_cleaner_never_raises_but_a_named_page_error_and_leaves_no_control_characters(
    content: bytes,
) -> None:
    try:
        article = extract_article(RawPage(location="page.html", content=content))
    except PageError as exc:  # unreadable, or a body that is not the headline's
        assert str(exc).startswith("page.html: ")  # the input is named
        return
    for text in texts_of(article):
        assert not CONTROL.search(text), repr(text)


@settings(max_examples=150, deadline=None)
@given(any_page)
def test_cleaning_the_cleaned_text_changes_nothing(content: bytes) -> None:
    try:
        article = extract_article(RawPage(location="page.html", content=content))
    except PageError:
        return
    for text in (article.title or "", *article.body.split("\n")):
        assert repair_text(text) == text, repr(text)


@settings(max_examples=200, deadline=None)
@given(chinese_text)
def test_simplified_text_passes_unchanged_apart_from_punctuation(text: str) -> None:
    def letters(value: str) -> str:
        return PUNCTUATION_OR_SPACE.sub("", value)

    assert letters(repair_text(text)) == letters(text)
    assert to_simplified(text) == text
