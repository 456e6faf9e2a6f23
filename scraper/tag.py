"""The tag stage: which practices an article reports, and the sentences that say so.

Rules are data (taxonomy.toml at the project root, documented at its top):
weighted phrases per practice, each with context rules that keep look-alikes
out (湾 in 港湾, 联审 of projects, 党小组 in an office).  Researchers count and
compare articles by practice, so every tag comes with its evidence, the
sentences that made it, and every rule that decided it can be read and
changed in the taxonomy without touching code.

The taxonomy is compiled once (one trie-shaped regular expression per
practice, context lists expanded) and cached, so tagging an article is one
regex pass per practice plus a few substring checks per hit.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import product
from pathlib import Path
from typing import Any

from scraper.script import is_traditional, to_simplified

TAXONOMY = Path(__file__).resolve().parent.parent / "taxonomy.toml"
_MAX_EVIDENCE = 3
# A sentence ends at 。！？ (with any closing quotes after it) or a line break.
_SENTENCE = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+[”’」』）)]*)?")
_WORD_REF = re.compile(r"\{([^{}]*)\}")

_SETTINGS_DEFAULTS: dict[str, float] = {
    "max_hits": 3,
    "title_weight": 2,
    "early_weight": 1,
    "min_sentences": 2,
    "one_sentence_terms": 3,
    "one_sentence_cores": 2,
    "core_weight": 3,
    "near": 30,
    "primary_focus": 0.1,
    "primary_margin": 1.5,
}
_PRACTICE_KEYS = {
    "id",
    "name_zh",
    "name_en",
    "definition",
    "threshold",
    "terms",
    "skip_sentences_with",
}
_TERM_KEYS = {
    "phrases",
    "weight",
    "requires_nearby",
    "not_near",
    "near",
    "not_preceded_by",
    "not_followed_by",
    "not_part_of",
}


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used; the message names the file and the place."""


@dataclass(frozen=True)
class Settings:
    """The few numbers that turn hits into tags (see the top of taxonomy.toml)."""

    max_hits: int = 3
    title_weight: float = 2
    early_weight: float = 1
    min_sentences: int = 2
    one_sentence_terms: int = 3
    one_sentence_cores: int = 2
    core_weight: float = 3
    near: int = 30
    primary_focus: float = 0.1
    primary_margin: float = 1.5


@dataclass(frozen=True)
class TermRule:
    """A group of phrases sharing a weight and the context rules that gate them."""

    phrases: tuple[str, ...]
    weight: float
    near: int
    requires_nearby: tuple[str, ...] = ()
    not_near: tuple[str, ...] = ()
    not_preceded_by: tuple[str, ...] = ()
    not_followed_by: tuple[str, ...] = ()
    not_part_of: tuple[str, ...] = ()

    def allows(self, text: str, start: int, end: int, lo: int, hi: int) -> bool:
        """Whether a match of one of our phrases at text[start:end] counts.

        `lo`..`hi` is the sentence holding it: nearby means within `near`
        characters and within the sentence; the match itself is not its own
        context.
        """
        if any(text.startswith(p, start - len(p)) for p in self.not_preceded_by if start >= len(p)):
            return False
        if any(text.startswith(p, end) for p in self.not_followed_by):
            return False
        phrase = text[start:end]
        for longer in self.not_part_of:
            offset = longer.find(phrase)
            while offset >= 0:
                if start - offset >= 0 and text.startswith(longer, start - offset):
                    return False
                offset = longer.find(phrase, offset + 1)
        if not (self.requires_nearby or self.not_near):
            return True
        around = (
            text[max(lo, start - self.near) : start] + "\0" + text[end : min(hi, end + self.near)]
        )
        if self.requires_nearby and not any(p in around for p in self.requires_nearby):
            return False
        return not any(p in around for p in self.not_near)


@dataclass(frozen=True)
class Practice:
    """One practice as the taxonomy defines it."""

    id: str
    name_zh: str
    name_en: str
    definition: str
    threshold: float
    rules: tuple[TermRule, ...]
    skip_sentences_with: tuple[str, ...] = ()

    @property
    def terms(self) -> dict[str, float]:
        """Every phrase with its weight (the longest-listed rule wins on duplicates)."""
        return {phrase: rule.weight for rule in self.rules for phrase in rule.phrases}


@dataclass(frozen=True)
class Taxonomy:
    """The practices, the settings, and each practice's compiled phrase matcher."""

    practices: tuple[Practice, ...]
    settings: Settings
    path: Path
    matchers: tuple[re.Pattern[str], ...] = field(repr=False, default=())
    rule_of: tuple[dict[str, TermRule], ...] = field(repr=False, default=())

    def __iter__(self):  # type: ignore[no-untyped-def]
        """Iterating a taxonomy gives its practices, in file order."""
        return iter(self.practices)

    def practice(self, practice_id: str) -> Practice:
        return next(p for p in self.practices if p.id == practice_id)


@dataclass
class Tagging:
    """What the tag stage says about one article.

    `scores` are the summed weights of counted hits (what the threshold is
    compared with), `focus` the share of the article's weighted sentences
    hitting each practice, `prominence` the strength of each tag that the
    primary tag is chosen by, `evidence` up to three sentences per tag in
    article order.
    """

    tags: list[str] = field(default_factory=list)
    primary_tag: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    focus: dict[str, float] = field(default_factory=dict)
    prominence: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------- loading


def _trie_pattern(phrases: Iterable[str]) -> str:
    """One regular expression matching any of `phrases`, longest first at each place.

    Shaped as a trie (common prefixes factored out) so the regex engine tries
    one branch per next character instead of every phrase at every position.
    """
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child) for char, child in node.items() if char]
        if not branches:
            return ""
        alternatives = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # A phrase ends here but longer ones go on: the greedy `?` tries them first.
        return f"(?:{alternatives})?" if "" in node else alternatives

    return build(trie)


class _Reader:
    """Reads one taxonomy file, naming the file and the place of every mistake."""

    def __init__(self, path: Path, words: dict[str, list[str]]) -> None:
        self.path = path
        self.words = words

    def fail(self, where: str, message: str) -> TaxonomyError:
        return TaxonomyError(f"{self.path}: {where}: {message}")

    def expand(self, where: str, phrase: str) -> list[str]:
        """A phrase with {name} references replaced by every word of the list `name`."""
        names = _WORD_REF.findall(phrase)
        if not names:
            return [phrase]
        for name in names:
            if name not in self.words:
                known = ", ".join(sorted(self.words)) or "none"
                raise self.fail(
                    where, f"{phrase!r} refers to unknown word list {{{name}}} ({known})"
                )
        parts = _WORD_REF.split(phrase)  # literal, name, literal, name, …, literal
        choices = [[part] if i % 2 == 0 else self.words[part] for i, part in enumerate(parts)]
        return ["".join(combo) for combo in product(*choices)]

    def phrases(self, where: str, value: object, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(where, f"`{key}` must be a list of non-empty strings")
        out: list[str] = []
        for phrase in value:
            out.extend(p for p in self.expand(where, phrase) if p not in out)
        return tuple(out)

    def number(self, where: str, value: object, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(where, f"`{key}` must be a positive number, not {value!r}")
        return float(value)

    def term(self, where: str, raw: object, near: int) -> TermRule:
        if not isinstance(raw, dict):
            raise self.fail(where, "must be a table with `phrases` and `weight`")
        unknown = set(raw) - _TERM_KEYS
        if unknown:
            raise self.fail(where, f"unknown key(s) {sorted(unknown)}; known: {sorted(_TERM_KEYS)}")
        for key in ("phrases", "weight"):
            if key not in raw:
                raise self.fail(where, f"missing `{key}`")
        lists = {
            key: self.phrases(where, raw[key], key)
            for key in _TERM_KEYS - {"weight", "near"}
            if key in raw
        }
        return TermRule(
            weight=self.number(where, raw["weight"], "weight"),
            near=int(self.number(where, raw.get("near", near), "near")),
            **lists,  # type: ignore[arg-type]
        )

    def practice(self, index: int, raw: object, near: int) -> Practice:
        where = f"practice #{index + 1}"
        if not isinstance(raw, dict):
            raise self.fail(where, "must be a table")
        if isinstance(raw.get("id"), str):
            where = f"practice {raw['id']!r}"
        unknown = set(raw) - _PRACTICE_KEYS
        if unknown:
            raise self.fail(
                where, f"unknown key(s) {sorted(unknown)}; known: {sorted(_PRACTICE_KEYS)}"
            )
        for key in ("id", "name_zh", "name_en", "definition"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise self.fail(where, f"`{key}` must be a non-empty string")
        if "threshold" not in raw:
            raise self.fail(where, "missing `threshold`")
        terms = raw.get("terms")
        if not isinstance(terms, list) or not terms:
            raise self.fail(where, "needs at least one [[practice.terms]] group")
        rules = tuple(
            self.term(f"{where}, terms #{i + 1}", term, near) for i, term in enumerate(terms)
        )
        return Practice(
            id=raw["id"],
            name_zh=raw["name_zh"],
            name_en=raw["name_en"],
            definition=raw["definition"],
            threshold=self.number(where, raw["threshold"], "threshold"),
            rules=rules,
            skip_sentences_with=self.phrases(
                where, raw.get("skip_sentences_with", []), "skip_sentences_with"
            ),
        )


def _settings(reader: _Reader, raw: object) -> Settings:
    if not isinstance(raw, dict):
        raise reader.fail("[settings]", "must be a table")
    unknown = set(raw) - set(_SETTINGS_DEFAULTS)
    if unknown:
        raise reader.fail("[settings]", f"unknown key(s) {sorted(unknown)}")
    values = {k: reader.number("[settings]", v, k) for k, v in raw.items()}
    ints = {"max_hits", "min_sentences", "one_sentence_terms", "one_sentence_cores", "near"}
    return Settings(**{k: int(v) if k in ints else v for k, v in values.items()})  # type: ignore[arg-type]


def _words(path: Path, raw: object) -> dict[str, list[str]]:
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and all(isinstance(w, str) and w for w in v) for v in raw.values()
    ):
        raise TaxonomyError(f"{path}: [words]: each entry must be a list of non-empty strings")
    return {name: list(words) for name, words in raw.items()}


@cache
def load_taxonomy(path: Path = TAXONOMY) -> Taxonomy:
    """The practices, settings and compiled matchers the taxonomy file defines.

    Raises TaxonomyError naming the file and the practice (and term group) of
    any mistake, so a researcher editing the file sees where it went wrong.
    """
    try:
        with Path(path).open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"{path}: not valid TOML: {exc}") from exc
    reader = _Reader(Path(path), _words(Path(path), data.get("words", {})))
    settings = _settings(reader, data.get("settings", {}))
    raw_practices = data.get("practice")
    if not isinstance(raw_practices, list) or not raw_practices:
        raise TaxonomyError(f"{path}: defines no [[practice]]")
    practices = tuple(reader.practice(i, raw, settings.near) for i, raw in enumerate(raw_practices))
    seen: set[str] = set()
    for practice in practices:
        if practice.id in seen:
            raise TaxonomyError(f"{path}: practice {practice.id!r}: defined twice")
        seen.add(practice.id)
    rule_of = []
    matchers = []
    for practice in practices:
        lookup: dict[str, TermRule] = {}
        for rule in practice.rules:
            for phrase in rule.phrases:
                lookup.setdefault(phrase, rule)
        rule_of.append(lookup)
        matchers.append(re.compile(_trie_pattern(lookup)))
    return Taxonomy(practices, settings, Path(path), tuple(matchers), tuple(rule_of))


# ---------------------------------------------------------------- tagging


@dataclass
class _Sentence:
    start: int
    end: int
    weight: float  # title and early sentences count more for the primary tag


def _sentences(text: str, title_end: int, settings: Settings) -> list[_Sentence]:
    """The sentences of title + body, with the weight each carries for the primary tag.

    The title counts `title_weight`; body sentences count from 1 + `early_weight`
    (the first) down to 1 (the last): news puts what it is mainly about first.
    """
    spans = [m.span() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    body = [span for span in spans if span[0] >= title_end]
    out = [_Sentence(a, b, settings.title_weight) for a, b in spans if a < title_end]
    for i, (a, b) in enumerate(body):
        out.append(_Sentence(a, b, 1 + settings.early_weight * (1 - i / len(body))))
    return out


@dataclass
class _Found:
    """The counted hits of one practice: sentence index → {phrase: weight}."""

    by_sentence: dict[int, dict[str, float]] = field(default_factory=dict)
    # Every allowed hit, before the per-article cap: what the primary tag weighs.
    weight_in: dict[int, float] = field(default_factory=dict)
    phrases_in: dict[int, set[str]] = field(default_factory=dict)
    # Where each allowed hit starts and ends: sentence index → [(start, end, phrase)].
    spans_in: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)

    def describes(self, index: int, text: str, terms: int) -> bool:
        """Whether sentence `index` names `terms` different phrases of the practice
        outside an enumeration: phrases in different items of a 、-list ("促进农民增收、
        壮大集体经济、改善乡村面貌") are a list of results, not a description."""
        spans = sorted(self.spans_in.get(index, []))
        best = 1 if spans else 0
        for i, (start, _, phrase) in enumerate(spans):
            group = {phrase}
            for _, end_before, other in reversed(spans[:i]):
                if "、" in text[end_before:start]:
                    break
                group.add(other)
            best = max(best, len(group))
        return best >= terms


def _hits(practice_index: int, taxonomy: Taxonomy, text: str, sentences: list[_Sentence]) -> _Found:
    practice = taxonomy.practices[practice_index]
    rules = taxonomy.rule_of[practice_index]
    starts = [s.start for s in sentences]
    found = _Found()
    used: dict[str, int] = {}
    skipped: dict[int, bool] = {}
    for match in taxonomy.matchers[practice_index].finditer(text):
        index = bisect.bisect_right(starts, match.start()) - 1
        if index < 0:
            continue
        sentence = sentences[index]
        if match.end() > sentence.end:
            continue  # straddles a sentence break (cannot, but be safe)
        if practice.skip_sentences_with:
            if index not in skipped:
                body = text[sentence.start : sentence.end]
                skipped[index] = any(p in body for p in practice.skip_sentences_with)
            if skipped[index]:
                continue
        phrase = match.group(0)
        rule = rules[phrase]
        if not rule.allows(text, match.start(), match.end(), sentence.start, sentence.end):
            continue
        found.weight_in[index] = found.weight_in.get(index, 0.0) + (
            0.0 if phrase in found.phrases_in.setdefault(index, set()) else rule.weight
        )
        found.phrases_in[index].add(phrase)
        found.spans_in.setdefault(index, []).append((match.start(), match.end(), phrase))
        in_sentence = found.by_sentence.setdefault(index, {})
        if phrase in in_sentence or used.get(phrase, 0) >= taxonomy.settings.max_hits:
            continue
        used[phrase] = used.get(phrase, 0) + 1
        in_sentence[phrase] = rule.weight
    found.by_sentence = {i: hits for i, hits in found.by_sentence.items() if hits}
    return found


def tag(title: str | None, body: str) -> Tagging:
    """Tag an article from its cleaned title and body text.

    The pipeline passes simplified text; traditional text is converted first
    (scraper.script), so excerpts in either script tag alike and the evidence
    is always quoted in simplified script.
    """
    taxonomy = load_taxonomy()
    settings = taxonomy.settings
    title = (title or "").strip()
    if is_traditional(title + body):
        title, body = to_simplified(title), to_simplified(body)
    title = title.replace("\n", " ")
    text = f"{title}\n{body}" if title else body
    title_end = len(title) if title else 0
    sentences = _sentences(text, title_end, settings)
    total_weight = sum(s.weight for s in sentences) or 1.0

    result = Tagging()
    for index, practice in enumerate(taxonomy.practices):
        found = _hits(index, taxonomy, text, sentences)
        per_sentence = {
            i: sum(hits.values()) * (settings.title_weight if sentences[i].start < title_end else 1)
            for i, hits in found.by_sentence.items()
        }
        score = sum(per_sentence.values())
        result.scores[practice.id] = round(score, 2)
        result.focus[practice.id] = round(
            sum(sentences[i].weight for i in found.weight_in) / total_weight, 3
        )
        broad = len(found.by_sentence) >= settings.min_sentences or any(
            found.describes(i, text, settings.one_sentence_terms)
            or sum(w >= settings.core_weight for w in hits.values()) >= settings.one_sentence_cores
            for i, hits in found.by_sentence.items()
        )
        core = any(
            w >= settings.core_weight for hits in found.by_sentence.values() for w in hits.values()
        )
        if score >= practice.threshold and broad and core:
            result.tags.append(practice.id)
            result.evidence[practice.id] = _evidence(text, sentences, per_sentence, title_end)
            result.prominence[practice.id] = round(
                sum(sentences[i].weight * weight for i, weight in found.weight_in.items()),
                2,
            )
    result.primary_tag = _primary(result, settings)
    return result


def _evidence(
    text: str, sentences: list[_Sentence], per_sentence: dict[int, float], title_end: int
) -> list[str]:
    """The strongest body sentences of a tag (up to three), in article order."""
    body = [i for i in per_sentence if sentences[i].start >= title_end]
    best = sorted(body, key=lambda i: (-per_sentence[i], i))[:_MAX_EVIDENCE]
    return [text[sentences[i].start : sentences[i].end].strip() for i in sorted(best)]


def _primary(result: Tagging, settings: Settings) -> str | None:
    """The practice the article is mainly about, or None when none dominates."""
    strength = result.prominence
    if not strength:
        return None
    ranked = sorted(strength, key=lambda t: (-strength[t], -result.focus[t]))
    best = ranked[0]
    if result.focus[best] < settings.primary_focus:
        return None
    if len(ranked) > 1 and strength[best] < settings.primary_margin * strength[ranked[1]]:
        return None
    return best
