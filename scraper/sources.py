"""The sites the crawler visits, read from ``sources.toml``.

The list of sites is data that maintainers edit, not code: which county and
city news sites to crawl, where their list pages are, and the few hints a
site needs (a charset that lies, a selector for its article links).  A typo
there must not send the crawler off silently with a wrong setting, so every
table is checked here, before any request is made, and every mistake is
reported at once with the file, the site (its index, name and line) and, for
an unknown key, the valid key it most resembles.

Places are checked against the official gazetteer (``scraper.place``): the
default province / city / county fill articles that name no place, and the
archive is browsed by place, so a misspelt county would file articles under
a place that does not exist.

Format::

    [defaults]            # optional; applies to every site
    delay = 1.0           # seconds between requests to one host
    max_pages = 5         # list pages followed per start URL
    user_agent = "…"

    [[site]]
    name = "红安网"
    start_urls = ["http://www.redhongan.com/"]
    province = "湖北省"
    city = "黄冈市"       # optional
    county = "红安县"     # optional
    # optional hints: encoding, article_links, next_page, body, max_pages,
    # delay, allowed_hosts, enabled
"""

from __future__ import annotations

import codecs
import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scraper.place import Place, lookup

DEFAULT_DELAY = 1.0
DEFAULT_MAX_PAGES = 5

_DEFAULT_PORTS = {"http": 80, "https": 443}


class SourcesError(ValueError):
    """``sources.toml`` cannot be used; the message names the file and every problem."""


@dataclass(frozen=True)
class Site:
    """One site to crawl: where its list pages are and how to read them.

    `province` / `city` / `county` are official names, the place an article
    from this site is about when the article itself names none.  Selectors
    (`article_links`, `next_page`, `body`) are CSS; when given they replace
    the heuristics for that step.  `hosts` are the hosts (with a non-default
    port) the crawler may fetch for this site.
    """

    name: str
    start_urls: tuple[str, ...]
    province: str
    city: str | None = None
    county: str | None = None
    encoding: str | None = None
    article_links: str | None = None
    next_page: str | None = None
    body: str | None = None
    max_pages: int = DEFAULT_MAX_PAGES
    delay: float = DEFAULT_DELAY
    allowed_hosts: tuple[str, ...] = ()
    enabled: bool = True
    user_agent: str | None = None

    @cached_property
    def hosts(self) -> frozenset[str]:
        """Hosts of the start URLs plus `allowed_hosts`, lower-cased, ``host:port`` when
        the port is not the scheme's default."""
        found = {host_of(url) for url in self.start_urls}
        found.update(host.lower() for host in self.allowed_hosts)
        found.discard("")
        return frozenset(found)

    @property
    def place(self) -> Place:
        """The default place as a `Place` with its division code, for the place stage."""
        for name in (self.county, self.city, self.province):
            if name is None:
                continue
            for place in lookup(name):
                if (
                    place.province == self.province
                    and place.city == self.city
                    and place.county == self.county
                ):
                    return place
        return Place(self.province, self.city, self.county, None)


def host_of(url: str) -> str:
    """``host`` or ``host:port`` of an absolute URL, lower-cased, default port dropped;
    ``""`` when the URL has no host or an invalid port."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return ""
    if not host:
        return ""
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        return f"{host}:{port}"
    return host


# ---------------------------------------------------------------- validation

# key -> (check, description used in the error message)
_Check = Callable[[Any], bool]


def _is_str(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_str(item) for item in value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_SITE_KEYS: dict[str, tuple[_Check, str]] = {
    "name": (_is_str, "a non-empty string"),
    "start_urls": (_is_str_list, "a list of URLs"),
    "province": (_is_str, "an official province name (湖北省)"),
    "city": (_is_str, "an official city name (黄冈市)"),
    "county": (_is_str, "an official county name (红安县)"),
    "encoding": (_is_str, "a charset name (gbk)"),
    "article_links": (_is_str, "a CSS selector"),
    "next_page": (_is_str, "a CSS selector"),
    "body": (_is_str, "a CSS selector"),
    "max_pages": (_is_int, "a whole number of list pages"),
    "delay": (_is_number, "a number of seconds"),
    "allowed_hosts": (_is_str_list, "a list of host names"),
    "enabled": (lambda v: isinstance(v, bool), "true or false"),
    "user_agent": (_is_str, "a string"),
}
_DEFAULT_KEYS = ("delay", "max_pages", "user_agent")
_TOP_KEYS = ("defaults", "site")
_REQUIRED = ("name", "start_urls", "province")
_SELECTOR_KEYS = ("article_links", "next_page", "body")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$")


def _unknown_key(key: str, valid: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(valid)}"
    return f"unknown key {key!r}{hint}"


def _site_lines(text: str) -> list[int]:
    """Line number of each ``[[site]]`` header, in order, so errors can point at it."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if re.match(r"\s*\[\[\s*site\s*\]\]", line)
    ]


def _check_url(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"start URL {url!r} is not http(s)"
    if not host_of(url):
        return f"start URL {url!r} has no valid host"
    return None


def _check_selector(selector: str) -> str | None:
    from cssselect import GenericTranslator, SelectorError

    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as error:
        return f"CSS selector {selector!r} is invalid: {error}"
    return None


def _check_place(table: dict[str, Any]) -> list[str]:
    """Province, city and county must be official names that nest in one another."""
    problems: list[str] = []
    province, city, county = (table.get(key) for key in ("province", "city", "county"))
    if not isinstance(province, str):
        return problems

    def suggestion(name: str, level: str) -> str:
        official = sorted({getattr(p, level) for p in lookup(name) if getattr(p, level)})
        return f" (official name: {' or '.join(official)})" if official else ""

    if not any(p.province == province and p.city is None for p in lookup(province)):
        problems.append(
            f"province {province!r} is not an official province name"
            + suggestion(province, "province")
        )
        return problems
    if isinstance(city, str):
        places = [p for p in lookup(city) if p.city == city and p.county is None]
        if not places:
            problems.append(
                f"city {city!r} is not an official city name" + suggestion(city, "city")
            )
            return problems
        if not any(p.province == province for p in places):
            problems.append(f"city {city!r} is not in {province} (it is in {places[0].province})")
            return problems
    if isinstance(county, str):
        places = [p for p in lookup(county) if p.county == county]
        if not places:
            problems.append(
                f"county {county!r} is not an official county name" + suggestion(county, "county")
            )
            return problems
        inside = [p for p in places if p.province == province]
        if isinstance(city, str):
            inside = [p for p in inside if p.city == city]
        if not inside:
            where = " ".join(x for x in (places[0].province, places[0].city) if x)
            within = " ".join(x for x in (province, city if isinstance(city, str) else None) if x)
            problems.append(f"county {county!r} is not in {within} (it is in {where})")
    return problems


def _check_site(table: Any, defaults: dict[str, Any]) -> tuple[Site | None, list[str]]:
    if not isinstance(table, dict):
        return None, ["is not a table"]
    problems: list[str] = []
    good: dict[str, Any] = {}  # keys known and of the right type: safe to check further
    for key, value in table.items():
        if key not in _SITE_KEYS:
            problems.append(_unknown_key(key, list(_SITE_KEYS)))
            continue
        check, wanted = _SITE_KEYS[key]
        if check(value):
            good[key] = value
        else:
            problems.append(f"{key!r} must be {wanted}, not {value!r}")
    for key in _REQUIRED:
        if key not in table:
            problems.append(f"missing {key!r} ({_SITE_KEYS[key][1]})")

    if "start_urls" in good and not good["start_urls"]:
        problems.append("'start_urls' is empty")
    for url in good.get("start_urls", []):
        if problem := _check_url(url.strip()):
            problems.append(problem)
    for host in good.get("allowed_hosts", []):
        if not _HOST.match(host.strip().lower()):
            problems.append(f"allowed host {host!r} must be a bare host name (www.example.cn)")
    delay = good.get("delay", defaults.get("delay", DEFAULT_DELAY))
    if _is_number(delay) and delay < 0:
        problems.append(f"'delay' must not be negative, not {delay!r}")
    max_pages = good.get("max_pages", defaults.get("max_pages", DEFAULT_MAX_PAGES))
    if _is_int(max_pages) and max_pages < 1:
        problems.append(f"'max_pages' must be at least 1, not {max_pages!r}")
    if "encoding" in good:
        try:
            codecs.lookup(good["encoding"])
        except LookupError:
            problems.append(f"unknown encoding {good['encoding']!r}")
    for key in _SELECTOR_KEYS:
        if key in good and (problem := _check_selector(good[key])):
            problems.append(f"{key!r}: {problem}")
    problems.extend(_check_place(good))
    if problems:
        return None, problems

    site = Site(
        name=table["name"].strip(),
        start_urls=tuple(url.strip() for url in table["start_urls"]),
        province=table["province"],
        city=table.get("city"),
        county=table.get("county"),
        encoding=table.get("encoding"),
        article_links=table.get("article_links"),
        next_page=table.get("next_page"),
        body=table.get("body"),
        max_pages=max_pages,
        delay=float(delay),
        allowed_hosts=tuple(host.strip().lower() for host in table.get("allowed_hosts", [])),
        enabled=table.get("enabled", True),
        user_agent=table.get("user_agent", defaults.get("user_agent")),
    )
    return site, []


def _check_defaults(table: Any) -> list[str]:
    if not isinstance(table, dict):
        return ["[defaults] must be a table"]
    problems = []
    for key, value in table.items():
        if key not in _DEFAULT_KEYS:
            problems.append(f"[defaults]: {_unknown_key(key, _DEFAULT_KEYS)}")
            continue
        check, wanted = _SITE_KEYS[key]
        if not check(value):
            problems.append(f"[defaults]: {key!r} must be {wanted}, not {value!r}")
    if _is_number(table.get("delay")) and table["delay"] < 0:
        problems.append(f"[defaults]: 'delay' must not be negative, not {table['delay']!r}")
    if _is_int(table.get("max_pages")) and table["max_pages"] < 1:
        problems.append(f"[defaults]: 'max_pages' must be at least 1, not {table['max_pages']!r}")
    return problems


def load_sources(path: Path) -> list[Site]:
    """Every site of the sources file, disabled ones included (``enabled=False``).

    Raises `SourcesError` naming the file and each problem found: the line
    for malformed TOML, the site's index, name and line for a wrong field.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SourcesError(f"{path}: cannot read the sources file: {error}") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SourcesError(f"{path}: not valid TOML: {error}") from error

    problems: list[str] = []
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(_unknown_key(key, _TOP_KEYS))
    defaults = data.get("defaults", {})
    problems.extend(_check_defaults(defaults))
    if not isinstance(defaults, dict):
        defaults = {}
    tables = data.get("site", [])
    if not isinstance(tables, list):
        problems.append("'site' must be an array of tables: write each site as [[site]]")
        tables = []
    if not tables and not problems:
        problems.append("no [[site]] tables")

    lines = _site_lines(text)
    sites: list[Site] = []
    first_index: dict[str, int] = {}
    for index, table in enumerate(tables, start=1):
        name = table.get("name") if isinstance(table, dict) else None
        label = f"site {index}"
        if isinstance(name, str):
            label += f" ({name})"
        if index <= len(lines):
            label += f" at line {lines[index - 1]}"
        site, site_problems = _check_site(table, defaults)
        problems.extend(f"{label}: {problem}" for problem in site_problems)
        if isinstance(name, str):
            if name.strip() in first_index:
                problems.append(
                    f"{label}: duplicate site name {name.strip()!r}"
                    f" (also site {first_index[name.strip()]})"
                )
            first_index.setdefault(name.strip(), index)
        if site is not None:
            sites.append(site)
    if problems:
        raise SourcesError(f"{path}: " + "\n  ".join(["invalid sources file:", *problems]))
    return sites
