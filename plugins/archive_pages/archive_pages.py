"""Browse the archive by practice, place, site and date: the pages researchers use every day.

A Pelican generator (returned from `get_generators`) builds, from the
articles the ArticlesGenerator read, these pages (templates in the theme):

* `practices/index.html`, `practices/<id>.html`: one per practice of
  taxonomy.toml, even one without articles, with its definition, attention
  over time (articles a month, and their share of all articles of the month),
  the places and sites that report it most, and its articles;
* `places/index.html` and one page per province, city and county, at readable
  paths in Chinese (`places/湖北省/黄冈市/红安县.html`);
* `sites/index.html`, `sites/<site>.html`;
* `years/index.html`, `years/<YYYY>.html`, `years/<YYYY>/<MM>.html` (dated
  articles only: the placeholder date of an undated article is never a
  date) and `undated.html`.

Its `generate_context` runs after the articles are read and before any page
is written, and puts `archive_stats` into the context all generators share,
so the theme's home page (`index.html`, written by the ArticlesGenerator)
shows what the archive holds.  Everything is rebuilt by each build's own
generator, so there is no state to reset between builds.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import Generator

from . import charts

log = logging.getLogger(__name__)

LEVELS = ("province", "city", "county")
# The name a missing upper level gets when a lower one is known (a county whose
# city was not recognised still needs a path, and one that says so).
UNKNOWN_LEVEL = {"province": "省份不详", "city": "市州不详"}
TOP = 10
LATEST = 10
# Characters that cannot stand in a path segment or would change a URL's meaning.
_UNSAFE = str.maketrans({c: "-" for c in "/\\?#%&<>\"'|*:\t\n\r "})


@dataclass(frozen=True)
class PracticeInfo:
    """A practice as the taxonomy defines it (what the pages need of it)."""

    id: str
    name_zh: str
    name_en: str = ""
    definition: str = ""


class _Listing:
    """What every page of a group of articles offers its templates."""

    articles: list[Any]

    @property
    def save_as(self) -> str:
        raise NotImplementedError

    @property
    def url(self) -> str:  # what Pelican's sitemap plugin reads of a written page
        return self.save_as

    @property
    def count(self) -> int:
        return len(self.articles)


@dataclass
class Month(_Listing):
    """One month of the archive: its dated articles."""

    year: int
    month: int
    articles: list[Any] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def save_as(self) -> str:
        return f"years/{self.year}/{self.month:02d}.html"


@dataclass
class Year(_Listing):
    """One year of the archive: its dated articles and its months that have any."""

    year: int
    articles: list[Any] = field(default_factory=list)
    months: list[Month] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.year}年"

    @property
    def save_as(self) -> str:
        return f"years/{self.year}.html"


@dataclass
class Place(_Listing):
    """A province, city or county, with every article placed in it or below it."""

    parts: tuple[str, ...]
    articles: list[Any] = field(default_factory=list)
    children: dict[str, Place] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def level(self) -> str:
        return LEVELS[len(self.parts) - 1]

    @property
    def label(self) -> str:
        return " ".join(self.parts)

    @property
    def save_as(self) -> str:
        return "places/" + "/".join(path_segment(p) for p in self.parts) + ".html"

    @property
    def sorted_children(self) -> list[Place]:
        return by_count(self.children.values())

    def walk(self) -> Iterable[Place]:
        yield self
        for child in self.sorted_children:
            yield from child.walk()


@dataclass
class Source(_Listing):
    """A site the articles came from."""

    name: str
    articles: list[Any] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name

    @property
    def save_as(self) -> str:
        return f"sites/{path_segment(self.name)}.html"


@dataclass
class MonthShare:
    """A practice's articles in one month and their share of all that month's articles."""

    month: Month
    count: int

    @property
    def share(self) -> float | None:
        return self.count / self.month.count if self.month.count else None


@dataclass
class PracticePage(_Listing):
    """Everything the page of one practice shows."""

    practice: PracticeInfo
    articles: list[Any]
    primary: int
    months: list[MonthShare]
    top_places: list[tuple[Place, int]]
    top_sites: list[tuple[Source, int]]
    chart_counts: str = ""
    chart_shares: str = ""

    @property
    def save_as(self) -> str:
        return f"practices/{path_segment(self.practice.id)}.html"

    @property
    def label(self) -> str:
        return self.practice.name_zh


@dataclass
class ArchiveStats:
    """What the home page shows of the archive (`archive_stats` in the context)."""

    total: int
    dated: int
    undated: int
    unplaced: int
    practices: list[PracticePage]
    provinces: list[Place]
    years: list[Year]
    sites: list[Source]
    latest: list[Any]
    chart_counts: str = ""
    chart_shares: str = ""


def path_segment(name: str) -> str:
    """A place or site name as one path segment, in Chinese, kept readable.

    Browsers send UTF-8 paths percent-encoded and static servers decode them,
    so Chinese names need no escaping; only characters that split a path or
    change a URL (/, ?, #, %, spaces …) are replaced.
    """
    segment = name.strip().translate(_UNSAFE).strip(".") or "-"
    if segment != name or segment.lower() == "index":
        # Something was replaced (or the name is the folder's own index page):
        # the name's hash keeps two such names, and the index, apart.
        segment += "-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return segment


def is_dated(article: Any) -> bool:
    return not getattr(article, "undated", False)


def newest_first(articles: Iterable[Any]) -> list[Any]:
    """Dated articles newest first, then the undated ones by title (the archive's order)."""
    items = list(articles)
    dated = sorted((a for a in items if is_dated(a)), key=lambda a: a.date, reverse=True)
    undated = sorted((a for a in items if not is_dated(a)), key=lambda a: str(a.title))
    return dated + undated


def by_count(items: Iterable[Any]) -> list[Any]:
    """Largest first, ties by name, so that the order is the same on every build."""
    return sorted(items, key=lambda item: (-item.count, item.label))


def tag_ids(article: Any) -> list[str]:
    """The practice ids of an article (Pelican makes Tag objects of the front matter's tags)."""
    return [str(getattr(tag, "name", tag)) for tag in getattr(article, "tags", None) or ()]


def place_parts(article: Any) -> tuple[str, ...]:
    """(province, city, county) down to the most specific level known; () if none is."""
    values = [str(getattr(article, level, None) or "").strip() for level in LEVELS]
    known = [i for i, value in enumerate(values) if value]
    if not known:
        return ()
    last = known[-1]
    return tuple(values[i] or UNKNOWN_LEVEL[LEVELS[i]] for i in range(last + 1))


def retrieved_at(article: Any) -> datetime | None:
    """When the article was fetched (front matter `retrieved`), for 'latest additions'."""
    value = getattr(article, "retrieved", None)
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def load_practices(settings: dict[str, Any]) -> list[PracticeInfo]:
    """The practices of taxonomy.toml (or of setting ARCHIVE_TAXONOMY, a path).

    A broken taxonomy must not break the site build: the practices are then
    the names in PRACTICE_NAMES, without definitions.
    """
    try:
        from scraper.taxonomy import TAXONOMY, load_taxonomy

        path = settings.get("ARCHIVE_TAXONOMY") or TAXONOMY
        return [
            PracticeInfo(p.id, p.name_zh, p.name_en, p.definition)
            for p in load_taxonomy(Path(path)).practices
        ]
    except Exception as exc:
        log.warning("archive_pages: taxonomy unavailable: %s", exc)
        names = settings.get("PRACTICE_NAMES") or {}
        return [PracticeInfo(pid, name) for pid, name in names.items()]


def month_span(dated: Sequence[Any]) -> list[tuple[int, int]]:
    """Every month from the first dated article's to the last's (charts show empty months)."""
    if not dated:
        return []
    first = min(a.date for a in dated)
    last = max(a.date for a in dated)
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class Archive:
    """The archive's pages, computed once from the articles of a build."""

    def __init__(self, articles: Sequence[Any], practices: Sequence[PracticeInfo]) -> None:
        self.articles = newest_first(articles)
        self.dated = [a for a in self.articles if is_dated(a)]
        self.undated = [a for a in self.articles if not is_dated(a)]
        self.years = self._years()
        self.months = {(m.year, m.month): m for y in self.years for m in y.months}
        self.span = [self.months.get((y, m)) or Month(y, m) for y, m in month_span(self.dated)]
        self.places, self.unplaced = self._places()
        self.sites = self._sites()
        self.practices = [self._practice(p) for p in practices]
        self.chart_counts = self.chart_shares = ""
        self._draw()

    def _years(self) -> list[Year]:
        years: dict[int, Year] = {}
        for article in self.dated:
            year = years.setdefault(article.date.year, Year(article.date.year))
            year.articles.append(article)
        for year in years.values():
            months: dict[int, Month] = {}
            for article in year.articles:
                months.setdefault(article.date.month, Month(year.year, article.date.month))
                months[article.date.month].articles.append(article)
            year.months = [months[m] for m in sorted(months, reverse=True)]
        return [years[y] for y in sorted(years, reverse=True)]

    def _places(self) -> tuple[list[Place], int]:
        roots: dict[str, Place] = {}
        unplaced = 0
        for article in self.articles:
            parts = place_parts(article)
            if not parts:
                unplaced += 1
                continue
            level = roots
            for depth in range(1, len(parts) + 1):
                node = level.setdefault(parts[depth - 1], Place(parts[:depth]))
                node.articles.append(article)
                level = node.children
        return by_count(roots.values()), unplaced

    def place_at(self, parts: tuple[str, ...]) -> Place:
        """The place node of (province, city, county) parts that an article of the build has."""
        level = {p.name: p for p in self.places}
        node = None
        for part in parts:
            node = level[part]
            level = node.children
        if node is None:
            raise KeyError(parts)
        return node

    def place_of(self, article: Any) -> Place | None:
        """The most specific place page of an article (county, else city, else province)."""
        parts = place_parts(article)
        return self.place_at(parts) if parts else None

    def all_places(self) -> list[Place]:
        return [node for root in self.places for node in root.walk()]

    def _sites(self) -> list[Source]:
        sites: dict[str, Source] = {}
        for article in self.articles:
            name = str(getattr(article, "site", None) or "").strip()
            if name:
                sites.setdefault(name, Source(name)).articles.append(article)
        return by_count(sites.values())

    def _practice(self, practice: PracticeInfo) -> PracticePage:
        articles = [a for a in self.articles if practice.id in tag_ids(a)]
        by_month = Counter((a.date.year, a.date.month) for a in articles if is_dated(a))
        places = Counter(p.save_as for a in articles if (p := self.place_of(a)))
        place_by_path = {p.save_as: p for p in self.all_places()}
        sites = Counter(str(a.site).strip() for a in articles if getattr(a, "site", None))
        site_by_name = {s.name: s for s in self.sites}

        def top(counter: Counter, lookup: dict) -> list:
            ranked = sorted(counter.items(), key=lambda kv: (-kv[1], lookup[kv[0]].label))
            return [(lookup[key], n) for key, n in ranked[:TOP]]

        return PracticePage(
            practice=practice,
            articles=articles,
            primary=sum(1 for a in articles if getattr(a, "primary_tag", None) == practice.id),
            months=[MonthShare(m, by_month[(m.year, m.month)]) for m in self.span],
            top_places=top(places, place_by_path),
            top_sites=top(sites, site_by_name),
        )

    def _draw(self) -> None:
        """The SVG charts of the practice pages and of the home page."""
        if not self.span:
            return
        labels = [m.label for m in self.span]
        for page in self.practices:
            if not page.count or not any(s.count for s in page.months):
                continue
            name = page.practice.name_zh
            page.chart_counts = charts.monthly_counts(
                f"{page.practice.id}-counts",
                f"{name}：每月报道数",
                labels,
                {name: [s.count for s in page.months]},
            )
            page.chart_shares = charts.monthly_shares(
                f"{page.practice.id}-shares",
                f"{name}：占当月全部报道的比例",
                labels,
                {name: [s.share for s in page.months]},
            )
        shown = [p for p in self.practices if p.count]
        if shown:
            self.chart_counts = charts.monthly_counts(
                "all-counts",
                "各项实践每月报道数",
                labels,
                {p.practice.name_zh: [s.count for s in p.months] for p in shown},
            )
            self.chart_shares = charts.monthly_shares(
                "all-shares",
                "各项实践占当月全部报道的比例",
                labels,
                {p.practice.name_zh: [s.share for s in p.months] for p in shown},
            )

    def stats(self) -> ArchiveStats:
        latest = sorted(
            (a for a in self.articles if retrieved_at(a)),
            key=lambda a: retrieved_at(a),  # type: ignore[arg-type, return-value]
            reverse=True,
        )[:LATEST]
        return ArchiveStats(
            total=len(self.articles),
            dated=len(self.dated),
            undated=len(self.undated),
            unplaced=self.unplaced,
            practices=self.practices,
            provinces=self.places,
            years=self.years,
            sites=self.sites,
            latest=latest,
            chart_counts=self.chart_counts,
            chart_shares=self.chart_shares,
        )


class ArchivePagesGenerator(Generator):
    """Writes the practice, place, site and date pages of the archive."""

    archive: Archive | None = None

    def generate_context(self) -> None:
        """Compute the archive once the articles are read (the ArticlesGenerator runs first)."""
        practices = load_practices(self.settings)
        self.archive = Archive(self.context.get("articles") or [], practices)
        self.context["archive_stats"] = self.archive.stats()
        # The article page links its site's page; the path is this plugin's to make.
        for site in self.archive.sites:
            for article in site.articles:
                article.site_page = site.save_as

    def generate_output(self, writer: Any) -> None:
        archive = self.archive
        if archive is None:
            return

        def write(save_as: str, template: str, **kwargs: Any) -> None:
            writer.write_file(
                save_as,
                self.get_template(template),
                self.context,
                relative_urls=self.settings.get("RELATIVE_URLS"),
                template_name=template,
                url=save_as,
                **kwargs,
            )

        write("practices/index.html", "practices", practices=archive.practices)
        for page in archive.practices:
            write(page.save_as, "practice", page=page, articles=page.articles)

        write("places/index.html", "places", provinces=archive.places, unplaced=archive.unplaced)
        for place in archive.all_places():
            write(
                place.save_as,
                "place",
                place=place,
                ancestors=[archive.place_at(place.parts[:i]) for i in range(1, len(place.parts))],
                articles=place.articles,
            )

        write("sites/index.html", "sites", sites=archive.sites)
        for site in archive.sites:
            write(site.save_as, "site", site=site, articles=site.articles)

        write("years/index.html", "years", years=archive.years, undated_count=len(archive.undated))
        for year in archive.years:
            write(year.save_as, "year", year=year, articles=year.articles)
            for month in year.months:
                write(month.save_as, "month", year=year, month=month, articles=month.articles)
        write("undated.html", "undated", articles=archive.undated)


def active(settings: dict[str, Any]) -> bool:
    """Whether this build uses the plugin.

    Signals are process-wide: once any build has registered the plugin, its
    receivers also hear builds that did not ask for it (other tests, say).
    """
    names = (getattr(p, "__name__", p) for p in settings.get("PLUGINS") or ())
    return any(str(name).rsplit(".", 1)[-1] == "archive_pages" for name in names)


PAGINATED = ("practice", "place", "site", "month", "undated")


def initialize(pelican: Any) -> None:
    """Paging: lists of articles are cut into pages of ARCHIVE_PAGE_SIZE (100) by
    Pelican's own paginator: at 10,000 articles a practice lists thousands.
    """
    if not active(pelican.settings):
        return
    size = pelican.settings.setdefault("ARCHIVE_PAGE_SIZE", 100)
    paginated = dict(pelican.settings.get("PAGINATED_TEMPLATES") or {})
    for template in PAGINATED:
        paginated.setdefault(template, size)
    pelican.settings["PAGINATED_TEMPLATES"] = paginated


def get_generators(pelican: Any) -> type[Generator] | None:
    return ArchivePagesGenerator if active(pelican.settings) else None


def register() -> None:
    signals.initialized.connect(initialize)
    signals.get_generators.connect(get_generators)
