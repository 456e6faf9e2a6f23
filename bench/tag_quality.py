"""How well the practice tagger does, against two keyword baselines.

Run from the project root:

    .venv/bin/python bench/tag_quality.py                 # dev, check and seeds
    .venv/bin/python bench/tag_quality.py --split dev --errors

Labelled data: bench/tagging/dev.toml (examples written for it, every third one
held out as `check`) and the five seeds of ../shared/seeds with the labels of
their expected.json (a tag in `allowed_tags` is neither right nor wrong).
Printed: precision, recall and F1 per tag, micro-F1, primary-tag accuracy over
the examples that have a primary, and whether "no primary" was said where none
dominates; then the machine and the time per article.

The baselines use every phrase of taxonomy.toml with no context rule:
`any keyword` tags a practice on one hit, `two hits` on two; both call the
practice with the most hits primary.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import opencc  # noqa: E402

from scraper.script import is_traditional, to_simplified  # noqa: E402
from scraper.tag import tag  # noqa: E402
from scraper.taxonomy import load_taxonomy  # noqa: E402

DEV = ROOT / "bench" / "tagging" / "dev.toml"
# Written by a second annotator who never saw the rules or the dev set: the
# honest measure.  Its texts are written in the script they are in, and an
# empty primary means none dominates.
FRESH = ROOT / "bench" / "tagging" / "fresh.toml"
SEEDS = ROOT.parent / "shared" / "seeds"
NONE = "none"


@dataclass
class Example:
    """One labelled text: `tags` must be found, `allowed` may be, primary or None."""

    id: str
    title: str | None
    text: str
    tags: set[str]
    primary: str | None
    allowed: set[str] = field(default_factory=set)
    split: str = "dev"


def load_examples(path: Path = DEV) -> list[Example]:
    """The written examples, every third one (by position) in `check`.

    Examples marked `script = "traditional"` are converted with OpenCC s2twp
    here, so the file stays easy to read and edit in one script.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    to_traditional = opencc.OpenCC("s2twp")
    out = []
    for position, raw in enumerate(data["example"], start=1):
        title, text = raw.get("title"), raw["text"]
        if raw.get("script") == "traditional":
            text = to_traditional.convert(text)
            title = to_traditional.convert(title) if title else None
        primary = raw["primary"]
        out.append(
            Example(
                id=raw["id"],
                title=title,
                text=text,
                tags=set(raw["tags"]),
                primary=None if primary == NONE else primary,
                split="check" if position % 3 == 0 else "dev",
            )
        )
    return out


def load_fresh(path: Path = FRESH) -> list[Example]:
    """The blind annotator's examples (split "fresh"); [] when the file is absent."""
    if not path.is_file():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Example(
            id=raw["id"],
            title=raw.get("title"),
            text=raw["text"],
            tags=set(raw["tags"]),
            primary=raw["primary"] or None,
            split="fresh",
        )
        for raw in data["example"]
    ]


def load_seeds(path: Path = DEV, seeds: Path = SEEDS) -> list[Example]:
    """The seeds' cleaned title and body, as the pipeline makes them ([] if absent)."""
    if not seeds.is_dir():
        return []
    from scraper.models import RawPage
    from scraper.pipeline import extract_article

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for raw in data["seed"]:
        file = seeds / raw["file"]
        if not file.is_file():
            continue
        article = extract_article(RawPage(location=str(file), content=file.read_bytes()))
        body = "\n".join(line.lstrip("#").strip().strip("*") for line in article.body.splitlines())
        primary = raw["primary"]
        out.append(
            Example(
                id=raw["file"][:3],
                title=article.title,
                text=body,
                tags=set(raw["tags"]),
                allowed=set(raw["allowed_tags"]),
                primary=None if primary == NONE else primary,
                split="seeds",
            )
        )
    return out


# ---------------------------------------------------------------- taggers

Tagger = Callable[[str | None, str], tuple[set[str], str | None]]


def ours(title: str | None, text: str) -> tuple[set[str], str | None]:
    result = tag(title, text)
    return set(result.tags), result.primary_tag


def keyword_baseline(min_hits: int) -> Tagger:
    """Tag on `min_hits` occurrences of any taxonomy phrase; most hits is primary."""
    taxonomy = load_taxonomy()

    def run(title: str | None, text: str) -> tuple[set[str], str | None]:
        whole = f"{title or ''}\n{text}"
        if is_traditional(whole):
            whole = to_simplified(whole)
        counts = {
            practice.id: len(matcher.findall(whole))
            for practice, matcher in zip(taxonomy.practices, taxonomy.matchers, strict=True)
        }
        tags = {t for t, n in counts.items() if n >= min_hits}
        primary = max(tags, key=lambda t: counts[t]) if tags else None
        return tags, primary

    return run


# ---------------------------------------------------------------- scoring


@dataclass
class Score:
    tp: dict[str, int] = field(default_factory=dict)
    fp: dict[str, int] = field(default_factory=dict)
    fn: dict[str, int] = field(default_factory=dict)
    primary_right: int = 0
    primary_total: int = 0
    none_right: int = 0
    none_total: int = 0
    errors: list[str] = field(default_factory=list)


def score(examples: list[Example], tagger: Tagger, ids: list[str]) -> Score:
    s = Score({t: 0 for t in ids}, {t: 0 for t in ids}, {t: 0 for t in ids})
    for ex in examples:
        got, primary = tagger(ex.title, ex.text)
        for t in ids:
            if t in ex.tags:
                s.tp[t] += t in got
                s.fn[t] += t not in got
            elif t in got and t not in ex.allowed:
                s.fp[t] += 1
        if ex.primary:
            s.primary_total += 1
            s.primary_right += primary == ex.primary
        else:
            s.none_total += 1
            s.none_right += primary is None
        wrong_tags = (ex.tags - got) or (got - ex.tags - ex.allowed)
        if wrong_tags or primary != ex.primary:
            s.errors.append(
                f"{ex.id}: tags {sorted(got)} want {sorted(ex.tags)}"
                + (f" (+allowed {sorted(ex.allowed)})" if ex.allowed else "")
                + f"; primary {primary} want {ex.primary}"
            )
    return s


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def report(name: str, examples: list[Example], taggers: dict[str, Tagger], errors: bool) -> None:
    ids = [p.id for p in load_taxonomy().practices]
    print(f"\n== {name}: {len(examples)} examples")
    header = f"{'tagger':<12}" + "".join(f"{t[:12]:>14}" for t in ids)
    print(header + f"{'micro P/R/F1':>20}{'primary':>10}{'no-primary':>12}")
    for label, tagger in taggers.items():
        s = score(examples, tagger, ids)
        cells = []
        for t in ids:
            _, _, f = prf(s.tp[t], s.fp[t], s.fn[t])
            cells.append(f"{f:>9.2f} {s.tp[t]}/{s.tp[t] + s.fp[t]}/{s.tp[t] + s.fn[t]}")
        p, r, f = prf(sum(s.tp.values()), sum(s.fp.values()), sum(s.fn.values()))
        primary = f"{s.primary_right}/{s.primary_total}"
        none = f"{s.none_right}/{s.none_total}"
        print(f"{label:<12}" + "".join(f"{c:>14}" for c in cells) + f"{p:>8.2f}/{r:.2f}/{f:.2f}"
              + f"{primary:>10}{none:>12}")  # fmt: skip
        if errors and label == "ours":
            for line in s.errors:
                print("   ", line)
    print("  (per tag: F1 then right/said/true; primary over examples that have one)")


def timing(examples: list[Example]) -> str:
    """Milliseconds per 5,000-character article, built from the examples' text."""
    simplified = [to_simplified(e.text) for e in examples]
    blob = "\n".join(simplified)
    articles = [(blob * 3)[i : i + 5000] for i in range(0, 5000 * 20, 5000)]
    tag("标题", articles[0])  # compile and cache the taxonomy first
    rounds = 5
    start = time.perf_counter()
    for _ in range(rounds):
        for article in articles:
            tag("某县推进基层党建工作", article)
    per = (time.perf_counter() - start) / (rounds * len(articles)) * 1000
    return f"{per:.2f} ms per 5,000-character article ({rounds * len(articles)} runs)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["dev", "check", "fresh", "seeds", "all"], default="all",
                        help="which labelled set to score (default: all three)")  # fmt: skip
    parser.add_argument("--errors", action="store_true", help="list our tagger's mistakes")
    args = parser.parse_args(argv)

    examples = load_examples() + load_fresh()
    taggers: dict[str, Tagger] = {
        "ours": ours,
        "any keyword": keyword_baseline(1),
        "two hits": keyword_baseline(2),
    }
    traditional = sum(is_traditional(e.text) for e in examples)
    print(f"{len(examples)} written examples ({traditional} in traditional script), "
          f"taxonomy {load_taxonomy().path.name}")  # fmt: skip
    for split in ("dev", "check", "fresh"):
        if args.split in (split, "all"):
            chosen = [e for e in examples if e.split == split]
            report(split, chosen, taggers, args.errors)
    if args.split in ("seeds", "all"):
        seeds = load_seeds()
        if seeds:
            report("seeds", seeds, taggers, args.errors)
        else:
            print(f"\n== seeds: none at {SEEDS}")
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or '?'}, "
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
    )
    print(f"\nmachine: {machine}")
    print("speed:", timing(examples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
