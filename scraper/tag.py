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
from dataclasses import dataclass, field

from scraper.script import is_traditional, to_simplified
from scraper.taxonomy import (
    TAXONOMY,
    Compiled,
    Frame,
    Practice,
    Settings,
    TaxonomyError,
    load_taxonomy,
)

__all__ = ["TAXONOMY", "Tagging", "TaxonomyError", "load_taxonomy", "tag", "with_summary"]

_MAX_EVIDENCE = 3
# A sentence ends at 。！？ (with any closing quotes after it) or a line break.
_SENTENCE = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+[”’」』）)]*)?")


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


# A sentence of this many tasks between semicolons is a list of them.
_TASK_LIST_ITEMS = 3


@dataclass
class _Found:
    """The counted hits of one practice: sentence index → {phrase: weight}."""

    by_sentence: dict[int, dict[str, float]] = field(default_factory=dict)
    # Every allowed hit, before the per-article cap: what the primary tag weighs.
    weight_in: dict[int, float] = field(default_factory=dict)
    phrases_in: dict[int, set[str]] = field(default_factory=dict)
    # Where each allowed hit starts and ends: sentence index → [(start, end, phrase)].
    spans_in: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)
    # Sentences where the parts of a `counts_alone` frame met (counted, or said
    # already by a listed phrase).
    framed: set[int] = field(default_factory=set)

    def describes(
        self,
        index: int,
        text: str,
        terms: int,
        sentence: _Sentence,
        weights: dict[str, float] | None = None,
    ) -> bool:
        """Whether sentence `index` names `terms` different phrases of the practice (of
        these `weights` only, if given) outside an enumeration.

        Phrases in different items of a 、-list ("促进农民增收、壮大集体经济、改善乡村
        面貌") are a list of results, not a description; and a sentence of three or
        more tasks between semicolons ("要…；要…，大力整顿软弱涣散基层党组织，…；要…")
        lists the practice among the others, whatever one item says.
        """
        spans = sorted(
            span for span in self.spans_in.get(index, []) if weights is None or span[2] in weights
        )
        in_one_item = bool(spans) and "；" not in text[spans[0][0] : spans[-1][1]]
        if in_one_item and text.count("；", sentence.start, sentence.end) >= _TASK_LIST_ITEMS - 1:
            return False
        best = 1 if spans else 0
        for i, (start, _, phrase) in enumerate(spans):
            group = {phrase}
            for _, end_before, other in reversed(spans[:i]):
                if "、" in text[end_before:start]:
                    break
                group.add(other)
            best = max(best, len(group))
        return best >= terms


def _hits(
    practice: Practice,
    compiled: Compiled,
    settings: Settings,
    text: str,
    sentences: list[_Sentence],
) -> _Found:
    """Every counted hit of one practice: its phrases, then its frames."""
    starts = [s.start for s in sentences]
    found = _Found()
    used: dict[str, int] = {}
    skipped: dict[int, bool] = {}

    def sentence_of(start: int, end: int) -> int | None:
        index = bisect.bisect_right(starts, start) - 1
        if index < 0 or end > sentences[index].end:
            return None
        if practice.skip_sentences_with:
            if index not in skipped:
                body = text[sentences[index].start : sentences[index].end]
                skipped[index] = any(p in body for p in practice.skip_sentences_with)
            if skipped[index]:
                return None
        return index

    def count(index: int, start: int, end: int, key: str, weight: float) -> None:
        found.weight_in[index] = found.weight_in.get(index, 0.0) + (
            0.0 if key in found.phrases_in.setdefault(index, set()) else weight
        )
        found.phrases_in[index].add(key)
        found.spans_in.setdefault(index, []).append((start, end, key))
        in_sentence = found.by_sentence.setdefault(index, {})
        if key in in_sentence or used.get(key, 0) >= max_hits:
            return
        used[key] = used.get(key, 0) + 1
        in_sentence[key] = weight

    max_hits = settings.max_hits
    for match in compiled.terms.finditer(text):
        index = sentence_of(match.start(), match.end())
        if index is None:
            continue
        phrase = match.group(0)
        rule = compiled.rule_of[phrase]
        sentence = sentences[index]
        if rule.allows(text, match.start(), match.end(), sentence.start, sentence.end):
            count(index, match.start(), match.end(), phrase, rule.weight)
    if compiled.frame_words is not None:
        for index, start, end, frame in _frame_hits(practice, compiled, text, sentences):
            if sentence_of(start, end) is None:
                continue
            if frame.counts_alone:
                found.framed.add(index)
            covered = any(
                a < end and start < b and compiled.rule_of[key].weight >= frame.weight
                for a, b, key in found.spans_in.get(index, [])
                if key in compiled.rule_of
            )
            if not covered:  # a listed compound already said it: not twice
                count(index, start, end, frame.name, frame.weight)
    found.by_sentence = {i: hits for i, hits in found.by_sentence.items() if hits}
    return found


def _frame_hits(
    practice: Practice, compiled: Compiled, text: str, sentences: list[_Sentence]
) -> list[tuple[int, int, int, Frame]]:
    """(sentence, start, end, frame) for each frame whose parts meet in a sentence.

    The words of all frames are found in one pass and filed by sentence and
    frame; a frame is tried only in sentences holding a word of each of its
    parts, its shortest stretches first, until one passes the frame's rules.
    """
    assert compiled.frame_words is not None
    filed: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    parts_of = compiled.parts_of
    index, count = 0, len(sentences)
    for match in compiled.frame_words.finditer(text):
        start, end = match.span()
        while index < count and sentences[index].end <= start:  # matches come in text order
            index += 1
        if index == count or start < sentences[index].start or end > sentences[index].end:
            continue
        for f, p in parts_of[match.group(0)]:
            key = (index, f)
            if key in filed:
                filed[key].append((start, end, p))
            else:
                filed[key] = [(start, end, p)]
    out = []
    for (index, f), occurrences in filed.items():
        frame = practice.frames[f]
        if len({p for _, _, p in occurrences}) < len(frame.parts):
            continue
        if frame.requires_in_article and not any(w in text for w in frame.requires_in_article):
            continue
        sentence = sentences[index]
        find = _ordered_stretches if frame.ordered else _stretches
        for start, end in find(occurrences, len(frame.parts)):
            if frame.allows(text, start, end, sentence.start, sentence.end):
                out.append((index, start, end, frame))
                break
    return out


def _ordered_stretches(
    occurrences: list[tuple[int, int, int]], parts: int
) -> list[tuple[int, int]]:
    """Stretches holding the parts in order: from each occurrence of the first part,
    the nearest occurrence of each next part after the one before; shortest first."""
    occurrences.sort()
    out = []
    for start, end, part in occurrences:
        if part != 0:
            continue
        last_end, wanted = end, 1
        for other_start, other_end, other_part in occurrences:
            if wanted == parts:
                break
            if other_part == wanted and other_start >= last_end:
                last_end, wanted = other_end, wanted + 1
        if wanted == parts:
            out.append((start, last_end))
    return sorted(set(out), key=lambda span: (span[1] - span[0], span[0]))


def _stretches(occurrences: list[tuple[int, int, int]], parts: int) -> list[tuple[int, int]]:
    """The minimal stretches covering one occurrence of each of `parts` parts, shortest first.

    A sliding window over the occurrences in text order: each time every
    part is inside, the window is shrunk from the left as far as it goes.
    """
    if len({p for _, _, p in occurrences}) < parts:
        return []
    occurrences.sort()
    counts = [0] * parts
    covered = 0
    left = 0
    out: list[tuple[int, int]] = []
    for right in range(len(occurrences)):
        part = occurrences[right][2]
        counts[part] += 1
        covered += counts[part] == 1
        while covered == parts:
            start, _, left_part = occurrences[left]
            end = max(e for _, e, _ in occurrences[left : right + 1])
            out.append((start, end))
            counts[left_part] -= 1
            covered -= counts[left_part] == 0
            left += 1
    return sorted(set(out), key=lambda span: (span[1] - span[0], span[0]))


def with_summary(summary: str | None, body: str) -> str:
    """The text an article is tagged by: its summary (when the page gave one), then its body.

    A summary ("摘要：…", a journal's abstract) leaves the body, but says what
    the article reports; the crawl, `retag` and the benches tag the same text.
    """
    return f"{summary}\n{body}" if summary else body


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
        found = _hits(practice, taxonomy.compiled[index], settings, text, sentences)
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
            found.describes(i, text, settings.one_sentence_terms, sentences[i])
            or found.describes(
                i,
                text,
                settings.one_sentence_cores,
                sentences[i],
                {k: w for k, w in hits.items() if w >= settings.core_weight},
            )
            or (i in found.framed and _counted(text, sentences[i]))
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


# A count of something: "731个", "4126人次", "十二个", "50万元", "30%".
_QUANTITY = re.compile(
    r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十两百千万]+)\s*(?:个|名|人|户|家|项|支|处|村|组|次|万|亿|元|%|％)"
)


def _counted(text: str, sentence: _Sentence) -> bool:
    """Whether a sentence counts what was done ("设立地域型党小组731个", "审查候选人4126人次").

    Asked of sentences where a frame matched: the practice's parts meeting
    beside a count report it, not merely name it.  (A listed phrase beside a
    number alone may be a village profile's passing figure.)
    """
    return _QUANTITY.search(text, sentence.start, sentence.end) is not None


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
