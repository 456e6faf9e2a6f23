"""The tag stage: which practices an article reports, and the sentences that say so.

Rules are data (taxonomy.toml at the project root): weighted terms per
practice, counted per occurrence with a cap, and a threshold.  Every tag
comes with its evidence, the sentences whose terms made it, so a reader can
check the tagger's reasons.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

TAXONOMY = Path(__file__).resolve().parent.parent / "taxonomy.toml"
_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
_MAX_EVIDENCE = 3


@dataclass(frozen=True)
class Practice:
    id: str
    name_zh: str
    name_en: str
    definition: str
    threshold: float
    terms: dict[str, float]
    exclude: tuple[str, ...]


@dataclass
class Tagging:
    tags: list[str] = field(default_factory=list)
    primary_tag: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, list[str]] = field(default_factory=dict)


@cache
def load_taxonomy(path: Path = TAXONOMY) -> tuple[tuple[Practice, ...], int]:
    """The practices and the per-term hit cap, as the taxonomy file defines them."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    practices = tuple(
        Practice(
            id=p["id"],
            name_zh=p["name_zh"],
            name_en=p["name_en"],
            definition=p["definition"],
            threshold=float(p["threshold"]),
            terms={k: float(v) for k, v in p["terms"].items()},
            exclude=tuple(p.get("exclude", [])),
        )
        for p in data["practice"]
    )
    return practices, int(data.get("max_hits", 3))


def _score(practice: Practice, sentences: list[str], max_hits: int) -> tuple[float, list[str]]:
    hits: dict[str, int] = {}
    weighted: list[tuple[float, int, str]] = []
    ordered = sorted(practice.terms, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(t) for t in ordered))
    excluded = (
        re.compile("|".join(re.escape(e) for e in practice.exclude)) if practice.exclude else None
    )
    for index, sentence in enumerate(sentences):
        text = excluded.sub("", sentence) if excluded else sentence
        weight = 0.0
        for match in pattern.finditer(text):
            term = match.group(0)
            if hits.get(term, 0) < max_hits:
                hits[term] = hits.get(term, 0) + 1
                weight += practice.terms[term]
        if weight:
            weighted.append((weight, index, sentence.strip()))
    score = sum(w for w, _, _ in weighted)
    best = sorted(weighted, key=lambda item: (-item[0], item[1]))[:_MAX_EVIDENCE]
    return score, [s for _, _, s in sorted(best, key=lambda item: item[1])]


def tag(title: str | None, body: str) -> Tagging:
    """Tag an article from its (simplified, cleaned) title and body text."""
    practices, max_hits = load_taxonomy()
    sentences = _SENTENCE.findall(f"{title or ''}\n{body}")
    result = Tagging()
    for practice in practices:
        score, evidence = _score(practice, sentences, max_hits)
        result.scores[practice.id] = round(score, 2)
        if score >= practice.threshold:
            result.tags.append(practice.id)
            result.evidence[practice.id] = evidence
    if result.tags:
        result.primary_tag = max(result.tags, key=lambda t: result.scores[t])
    return result
