"""Publication dates: parsed in Asia/Shanghai, partial dates never completed."""

from hypothesis import given
from hypothesis import strategies as st

from scraper import dates


def test_labelled_date_with_time():
    found = dates.find_date("发布时间：2021-01-28 14:22 作者：某某")
    assert found == dates.FoundDate("2021-01-28T14:22:00+08:00")


def test_chinese_date_format():
    assert dates.parse_full("2023年05月24日18:11") == "2023-05-24T18:11:00+08:00"


def test_date_without_time_stays_a_day():
    assert dates.parse_full("2019年3月5日 星期二") == "2019-03-05"


def test_utc_time_is_converted_to_shanghai():
    assert dates.parse_full("2020-01-15T11:54:00Z") == "2020-01-15T19:54:00+08:00"


def test_impossible_dates_are_rejected():
    assert dates.parse_full("2021-02-30") is None
    assert dates.parse_full("1850-01-01") is None


def test_date_without_year_is_partial():
    assert dates.find_date("时间：09-03") == dates.FoundDate(None, "09-03")


def test_numbers_in_prose_are_not_dates():
    assert dates.find_date("人口2,557人，党员1,000人") is None


def test_title_date_prefix_is_cut_and_kept_partial():
    found, rest = dates.split_title_date("09.03 「快讯」村里开会")
    assert found == dates.FoundDate(None, "09-03")
    assert rest == "「快讯」村里开会"


def test_title_that_starts_with_a_number_keeps_it():
    assert dates.split_title_date("12345名党员参加培训") == (None, "12345名党员参加培训")


@given(st.text())
def test_date_parser_never_raises(text):
    dates.find_date(text)
    dates.split_title_date(text)
