"""The practice taxonomy: taxonomy.toml read, checked and compiled for the tag stage.

Researchers edit taxonomy.toml, not code, so this module's job is to read it
strictly (every mistake named by file, practice and group) and to compile it
once per process into what tagging needs: one trie-shaped regular expression
per practice for its phrases, one for the words of its frames, and a lookup
from each matched string back to its rules.

A practice is described two ways, both data:

- **terms**: weighted phrases with context rules (a phrase counts only near
  certain words, not inside longer look-alikes …);
- **frames**: the practice's parts — which unit, doing what, at which level —
  as word classes that must meet in one stretch of a sentence, in any order
  ("在自然村建立党小组", "党小组建在湾组上", "湾组党小组长"), so that new
  combinations of known words are recognised without listing every compound.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import cache
from itertools import product
from pathlib import Path
from typing import Any

TAXONOMY = Path(__file__).resolve().parent.parent / "taxonomy.toml"
# What decides a tag: the rules and the code that reads them.  Quality figures
# (bench/tag_quality.py, the site's methods page) carry this version.
RULE_FILES = (TAXONOMY, Path(__file__).parent / "tag.py", Path(__file__))
_WORD_REF = re.compile(r"\{([^{}]*)\}")

_PRACTICE_KEYS = {
    "id",
    "name_zh",
    "name_en",
    "definition",
    "threshold",
    "terms",
    "frames",
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
_FRAME_KEYS = {
    "name", "parts", "weight", "within", "not_near", "near", "not_between", "ordered", "requires",
    "requires_in_article", "shadows", "counts_alone",
}  # fmt: skip


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


def _context(text: str, lo: int, hi: int, start: int, end: int, near: int) -> str:
    """The text within `near` characters around text[start:end], inside lo..hi."""
    return text[max(lo, start - near) : start] + "\0" + text[end : min(hi, end + near)]


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
        if self.not_preceded_by and any(
            text.startswith(p, start - len(p)) for p in self.not_preceded_by if start >= len(p)
        ):
            return False
        if self.not_followed_by and text.startswith(self.not_followed_by, end):
            return False
        if self.not_part_of and _inside_longer(text, start, end, self.not_part_of):
            return False
        if not (self.requires_nearby or self.not_near):
            return True
        around = _context(text, lo, hi, start, end, self.near)
        # Each context list as one alternation: a pass over the context, not a
        # substring test per word (the lists run to dozens of words).
        if self.requires_nearby and not _alternation_of(self.requires_nearby).search(around):
            return False
        return not (self.not_near and _alternation_of(self.not_near).search(around))


@cache
def _alternation_of(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, words)))


def _inside_longer(text: str, start: int, end: int, longer_phrases: tuple[str, ...]) -> bool:
    """Whether text[start:end] sits inside one of `longer_phrases` written out in `text`."""
    phrase = text[start:end]
    for longer in longer_phrases:
        offset = longer.find(phrase)
        while offset >= 0:
            if start - offset >= 0 and text.startswith(longer, start - offset):
                return True
            offset = longer.find(phrase, offset + 1)
    return False


@dataclass(frozen=True)
class Frame:
    """A practice described by its parts: one word of each part within `within` characters.

    `parts` are word lists (word classes expanded).  The words come in the
    parts' order when `ordered`, else in any order; nothing in `not_between`
    (a break such as "；") may separate them; none of `not_near` may stand
    within `near` characters of the stretch they cover; one of `requires`
    (when given) must stand somewhere in the same sentence, and one of
    `requires_in_article` somewhere in the article.  `shadows` are longer
    words whose parts are not parts ("村支部" holds 支部 but is the village's
    branch); they apply to every frame of the practice.  With `counts_alone`,
    a hit in a sentence that counts what was done reports the practice by itself.
    """

    name: str
    parts: tuple[tuple[str, ...], ...]
    weight: float
    within: int
    near: int
    not_near: tuple[str, ...] = ()
    not_between: tuple[str, ...] = ()
    ordered: bool = False
    requires: tuple[str, ...] = ()
    requires_in_article: tuple[str, ...] = ()
    shadows: tuple[str, ...] = ()
    counts_alone: bool = False

    def allows(self, text: str, start: int, end: int, lo: int, hi: int) -> bool:
        """Whether the stretch text[start:end] holding all the parts counts.

        `not_near` looks at the `near` characters on either side of the
        stretch, `not_between` inside it: "以村湾、小区为主体设立党小组" names a
        hamlet and an estate, and counts; "小区党小组" next to a hamlet does not.
        """
        if end - start > self.within:
            return False
        if self.not_between and self._alternation("not_between").search(text, start, end):
            return False
        if self.requires and not self._alternation("requires").search(text, lo, hi):
            return False
        if not self.not_near:
            return True
        # The stretch's first and last characters belong to the context, so a word
        # running into it ("班|组上") is seen; its middle does not.
        around = _context(text, lo, hi, start + 1, end - 1, self.near)
        return not self._alternation("not_near").search(around)

    def _alternation(self, field_name: str) -> re.Pattern[str]:
        """One of the word lists as a compiled alternation, made once per frame."""
        return _alternation_of(getattr(self, field_name))


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
    frames: tuple[Frame, ...] = ()

    @property
    def terms(self) -> dict[str, float]:
        """Every phrase with its weight (the longest-listed rule wins on duplicates)."""
        return {phrase: rule.weight for rule in self.rules for phrase in rule.phrases}


@dataclass(frozen=True)
class Compiled:
    """One practice made ready to match: phrase and frame-word matchers with their lookups."""

    terms: re.Pattern[str]
    rule_of: dict[str, TermRule]
    frame_words: re.Pattern[str] | None
    # word → the (frame index, part index) pairs it fills
    parts_of: dict[str, tuple[tuple[int, int], ...]]


@dataclass(frozen=True)
class Taxonomy:
    """The practices, the settings, and each practice's compiled matchers."""

    practices: tuple[Practice, ...]
    settings: Settings
    path: Path
    compiled: tuple[Compiled, ...] = field(repr=False, default=())

    def __iter__(self):  # type: ignore[no-untyped-def]
        """Iterating a taxonomy gives its practices, in file order."""
        return iter(self.practices)

    def practice(self, practice_id: str) -> Practice:
        return next(p for p in self.practices if p.id == practice_id)

    @property
    def matchers(self) -> tuple[re.Pattern[str], ...]:
        """Each practice's phrase matcher (the keyword baselines of bench/ use them)."""
        return tuple(c.terms for c in self.compiled)


# ---------------------------------------------------------------- reading


def trie_pattern(phrases: Iterable[str]) -> str:
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

    def table(self, where: str, raw: object, keys: set[str], required: tuple[str, ...]) -> dict:
        if not isinstance(raw, dict):
            raise self.fail(where, f"must be a table with {', '.join(f'`{k}`' for k in required)}")
        unknown = set(raw) - keys
        if unknown:
            raise self.fail(where, f"unknown key(s) {sorted(unknown)}; known: {sorted(keys)}")
        for key in required:
            if key not in raw:
                raise self.fail(where, f"missing `{key}`")
        return raw

    def term(self, where: str, raw: object, near: int) -> TermRule:
        raw = self.table(where, raw, _TERM_KEYS, ("phrases", "weight"))
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

    def frame(self, where: str, raw: object, near: int) -> Frame:
        raw = self.table(where, raw, _FRAME_KEYS, ("name", "parts", "weight", "within"))
        parts = raw["parts"]
        if not isinstance(parts, list) or len(parts) < 2:
            raise self.fail(where, "`parts` must list at least two word lists")
        if not isinstance(raw["name"], str) or not raw["name"].strip():
            raise self.fail(where, "`name` must be a non-empty string")
        return Frame(
            name=raw["name"],
            parts=tuple(
                self.phrases(f"{where}, part {i + 1}", part, "parts")
                for i, part in enumerate(parts)
            ),
            weight=self.number(where, raw["weight"], "weight"),
            within=int(self.number(where, raw["within"], "within")),
            near=int(self.number(where, raw.get("near", near), "near")),
            not_near=self.phrases(where, raw.get("not_near", []), "not_near"),
            not_between=self.phrases(where, raw.get("not_between", []), "not_between"),
            ordered=self.flag(where, raw.get("ordered", False), "ordered"),
            requires=self.phrases(where, raw.get("requires", []), "requires"),
            requires_in_article=self.phrases(
                where, raw.get("requires_in_article", []), "requires_in_article"
            ),
            shadows=self.phrases(where, raw.get("shadows", []), "shadows"),
            counts_alone=self.flag(where, raw.get("counts_alone", False), "counts_alone"),
        )

    def flag(self, where: str, value: object, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"`{key}` must be true or false, not {value!r}")
        return value

    def practice(self, index: int, raw: object, near: int) -> Practice:
        where = f"practice #{index + 1}"
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            where = f"practice {raw['id']!r}"
        raw = self.table(where, raw, _PRACTICE_KEYS, ("threshold",))
        for key in ("id", "name_zh", "name_en", "definition"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise self.fail(where, f"`{key}` must be a non-empty string")
        terms = raw.get("terms")
        if not isinstance(terms, list) or not terms:
            raise self.fail(where, "needs at least one [[practice.terms]] group")
        frames = raw.get("frames", [])
        if not isinstance(frames, list):
            raise self.fail(where, "`frames` must be [[practice.frames]] tables")
        return Practice(
            id=raw["id"],
            name_zh=raw["name_zh"],
            name_en=raw["name_en"],
            definition=raw["definition"],
            threshold=self.number(where, raw["threshold"], "threshold"),
            rules=tuple(
                self.term(f"{where}, terms #{i + 1}", term, near) for i, term in enumerate(terms)
            ),
            skip_sentences_with=self.phrases(
                where, raw.get("skip_sentences_with", []), "skip_sentences_with"
            ),
            frames=tuple(
                self.frame(f"{where}, frames #{i + 1}", frame, near)
                for i, frame in enumerate(frames)
            ),
        )


def _settings(reader: _Reader, raw: object) -> Settings:
    if not isinstance(raw, dict):
        raise reader.fail("[settings]", "must be a table")
    known = {f.name: f.type for f in fields(Settings)}
    unknown = set(raw) - set(known)
    if unknown:
        raise reader.fail("[settings]", f"unknown key(s) {sorted(unknown)}")
    values = {k: reader.number("[settings]", v, k) for k, v in raw.items()}
    return Settings(**{k: int(v) if known[k] == "int" else v for k, v in values.items()})  # type: ignore[arg-type]


def _words(path: Path, raw: object) -> dict[str, list[str]]:
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and all(isinstance(w, str) and w for w in v) for v in raw.values()
    ):
        raise TaxonomyError(f"{path}: [words]: each entry must be a list of non-empty strings")
    return {name: list(words) for name, words in raw.items()}


def _compile(practice: Practice) -> Compiled:
    rule_of: dict[str, TermRule] = {}
    for rule in practice.rules:
        for phrase in rule.phrases:
            rule_of.setdefault(phrase, rule)
    parts_of: dict[str, list[tuple[int, int]]] = {}
    for f, frame in enumerate(practice.frames):
        for p, words in enumerate(frame.parts):
            for word in words:
                parts_of.setdefault(word, []).append((f, p))
    for frame in practice.frames:
        for word in frame.shadows:  # matched, so the shorter words inside are not; no part
            parts_of.setdefault(word, [])
    return Compiled(
        terms=re.compile(trie_pattern(rule_of)),
        rule_of=rule_of,
        frame_words=re.compile(trie_pattern(parts_of)) if parts_of else None,
        parts_of={word: tuple(pairs) for word, pairs in parts_of.items()},
    )


@cache
def load_taxonomy(path: Path = TAXONOMY) -> Taxonomy:
    """The practices, settings and compiled matchers the taxonomy file defines.

    Raises TaxonomyError naming the file and the practice (and group) of
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
    return Taxonomy(practices, settings, Path(path), tuple(_compile(p) for p in practices))


def rules_fingerprint() -> str:
    """A short hash of the files that decide tags: a new one is a new version of the rules.

    Figures measured on one version are shown with it, so a researcher can
    tell whether the tags of a build were made by the rules that were measured.
    """
    digest = hashlib.sha256()
    for path in RULE_FILES:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
