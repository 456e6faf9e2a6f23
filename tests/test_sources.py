"""The crawler's site list, sources.toml, and its checks (scraper/sources.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.place import Place
from scraper.sources import Site, SourcesError, load_sources

SHIPPED = Path(__file__).resolve().parents[1] / "sources.toml"

GOOD = """
[[site]]
name = "红安网"
start_urls = ["http://www.redhongan.com/"]
province = "湖北省"
city = "黄冈市"
county = "红安县"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert str(path) in message
    return message


def site_with(**fields: str) -> str:
    """A [[site]] table: GOOD's fields changed or added (value TOML-written), or
    removed (value "")."""
    base = {
        "name": '"红安网"',
        "start_urls": '["http://www.redhongan.com/"]',
        "province": '"湖北省"',
        "city": '"黄冈市"',
        "county": '"红安县"',
    }
    base.update(fields)
    lines = [f"{key} = {value}" for key, value in base.items() if value]
    return "[[site]]\n" + "\n".join(lines) + "\n"


# ---------------------------------------------------------------- valid files


def test_valid_site_is_read_with_defaults(tmp_path: Path) -> None:
    (site,) = load_sources(write(tmp_path, GOOD))
    assert site == Site(
        name="红安网",
        start_urls=("http://www.redhongan.com/",),
        province="湖北省",
        city="黄冈市",
        county="红安县",
    )
    assert site.delay == 1.0
    assert site.max_pages == 5
    assert site.enabled


def test_defaults_table_applies_to_every_site_and_sites_override_it(tmp_path: Path) -> None:
    text = (
        '[defaults]\ndelay = 0\nmax_pages = 2\nuser_agent = "test"\n'
        + GOOD
        + site_with(name='"咸宁网"', max_pages="9", city='"咸宁市"', county="")
    )
    first, second = load_sources(write(tmp_path, text))
    assert (first.delay, first.max_pages, first.user_agent) == (0.0, 2, "test")
    assert (second.delay, second.max_pages) == (0.0, 9)


def test_disabled_sites_are_returned_marked(tmp_path: Path) -> None:
    (site,) = load_sources(write(tmp_path, site_with(enabled="false")))
    assert site.enabled is False


def test_hosts_are_start_url_hosts_plus_allowed_hosts(tmp_path: Path) -> None:
    text = site_with(
        start_urls='["http://WWW.redhongan.com/xwzx/", "https://www.redhongan.com:8443/dj/"]',
        allowed_hosts='["News.RedHongan.com"]',
    )
    (site,) = load_sources(write(tmp_path, text))
    assert site.hosts == {"www.redhongan.com", "www.redhongan.com:8443", "news.redhongan.com"}


def test_site_place_carries_the_division_code(tmp_path: Path) -> None:
    (site,) = load_sources(write(tmp_path, GOOD))
    assert site.place == Place("湖北省", "黄冈市", "红安县", "421122")


# ---------------------------------------------------------------- errors


def test_malformed_toml_names_the_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD + '\n[[site]]\nname = "咸宁网\n')
    assert "line 10" in message


def test_missing_name_is_reported_with_the_site_index_and_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD + site_with(name=""))
    assert "site 2 at line 8" in message
    assert "missing 'name'" in message


def test_missing_start_urls(tmp_path: Path) -> None:
    assert "missing 'start_urls'" in error_of(tmp_path, site_with(start_urls=""))


def test_empty_start_urls(tmp_path: Path) -> None:
    assert "'start_urls' is empty" in error_of(tmp_path, site_with(start_urls="[]"))


def test_non_http_start_url(tmp_path: Path) -> None:
    message = error_of(tmp_path, site_with(start_urls='["ftp://www.redhongan.com/"]'))
    assert "site 1 (红安网)" in message
    assert "'ftp://www.redhongan.com/' is not http(s)" in message


def test_unknown_key_suggests_the_closest_valid_one(tmp_path: Path) -> None:
    message = error_of(tmp_path, site_with(max_page="3"))
    assert "unknown key 'max_page'; did you mean 'max_pages'?" in message


def test_unknown_top_level_key_suggests_site(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD.replace("[[site]]", "[[sites]]"))
    assert "did you mean 'site'?" in message


def test_unknown_defaults_key(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[defaults]\ndelays = 2\n" + GOOD)
    assert "[defaults]: unknown key 'delays'; did you mean 'delay'?" in message


@pytest.mark.parametrize(
    ("field", "value", "wanted"),
    [
        ("max_pages", '"5"', "'max_pages' must be a whole number"),
        ("delay", '"1s"', "'delay' must be a number of seconds"),
        ("start_urls", '"http://www.redhongan.com/"', "'start_urls' must be a list of URLs"),
        ("enabled", '"no"', "'enabled' must be true or false"),
        ("county", "7", "'county' must be an official county name"),
    ],
)
def test_wrong_type(tmp_path: Path, field: str, value: str, wanted: str) -> None:
    assert wanted in error_of(tmp_path, site_with(**{field: value}))


def test_negative_delay(tmp_path: Path) -> None:
    assert "'delay' must not be negative" in error_of(tmp_path, site_with(delay="-0.5"))


def test_zero_delay_is_allowed_for_tests(tmp_path: Path) -> None:
    (site,) = load_sources(write(tmp_path, site_with(delay="0")))
    assert site.delay == 0.0


def test_max_pages_below_one(tmp_path: Path) -> None:
    assert "'max_pages' must be at least 1" in error_of(tmp_path, site_with(max_pages="0"))


def test_duplicate_site_names(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD + GOOD)
    assert "site 2 (红安网) at line 9: duplicate site name '红安网' (also site 1)" in message


def test_short_province_name_suggests_the_official_one(tmp_path: Path) -> None:
    message = error_of(tmp_path, site_with(province='"湖北"'))
    assert "province '湖北' is not an official province name (official name: 湖北省)" in message


def test_short_county_name_suggests_the_official_one(tmp_path: Path) -> None:
    message = error_of(tmp_path, site_with(county='"红安"'))
    assert "official name: 红安县" in message


def test_unknown_city(tmp_path: Path) -> None:
    assert "city '黄岗市' is not an official city name" in error_of(
        tmp_path, site_with(city='"黄岗市"')
    )


def test_county_outside_its_city(tmp_path: Path) -> None:
    message = error_of(tmp_path, site_with(city='"咸宁市"'))
    assert "county '红安县' is not in 湖北省 咸宁市 (it is in 湖北省 黄冈市)" in message


def test_city_outside_its_province(tmp_path: Path) -> None:
    message = error_of(tmp_path, site_with(province='"山西省"', county=""))
    assert "city '黄冈市' is not in 山西省 (it is in 湖北省)" in message


def test_invalid_css_selector(tmp_path: Path) -> None:
    message = error_of(tmp_path, site_with(article_links='"ul.list >> a["'))
    assert "'article_links': CSS selector 'ul.list >> a[' is invalid" in message


def test_unknown_encoding(tmp_path: Path) -> None:
    assert "unknown encoding 'gbk2'" in error_of(tmp_path, site_with(encoding='"gbk2"'))


def test_allowed_hosts_must_be_bare_hosts(tmp_path: Path) -> None:
    message = error_of(tmp_path, site_with(allowed_hosts='["http://news.redhongan.com/"]'))
    assert "must be a bare host name" in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    message = error_of(tmp_path, site_with(delay="-1", strat_urls="[]", province='"湖北"'))
    assert "'delay' must not be negative" in message
    assert "did you mean 'start_urls'?" in message
    assert "official name: 湖北省" in message


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(tmp_path / "missing.toml")


# ---------------------------------------------------------------- the shipped file


def test_shipped_sources_load_and_pass_validation() -> None:
    sites = load_sources(SHIPPED)
    assert len(sites) >= 10
    assert all(site.enabled for site in sites)
    for site in sites:
        assert site.start_urls
        assert all(url.startswith(("http://", "https://")) for url in site.start_urls)
        assert site.hosts
        assert site.place.code is not None, site.name


def test_shipped_sources_cover_the_seed_regions() -> None:
    places = {site.name: (site.province, site.city, site.county) for site in load_sources(SHIPPED)}
    assert places["红安网"] == ("湖北省", "黄冈市", "红安县")
    assert places["咸宁网"] == ("湖北省", "咸宁市", None)
    assert places["崇阳县人民政府"] == ("湖北省", "咸宁市", "崇阳县")
    assert places["咸宁市人民政府"] == ("湖北省", "咸宁市", None)
    assert places["荆楚网"] == ("湖北省", None, None)
    assert places["宣恩县人民政府"] == ("湖北省", "恩施土家族苗族自治州", "宣恩县")
    assert places["兴县人民政府"] == ("山西省", "吕梁市", "兴县")
