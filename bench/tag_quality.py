"""How well the practice tagger does on real reports nobody here wrote, and on our own.

Run from the project root:

    .venv/bin/python bench/tag_quality.py                  # every labelled set
    .venv/bin/python bench/tag_quality.py --split real-dev --errors
    .venv/bin/python bench/tag_quality.py --record         # after a change of the rules

The measure that counts is the real-text corpus (bench/realtext: excerpts of
real pages labelled blind by docs/codebook.md), read through the whole
pipeline as the archive reads a page.  It is split once into `real-dev`, on
which rules may be tuned (its mistakes can be listed), and `real-test`,
held out: its figures are printed, its mistakes never, and `--record`
appends them, with the rules' fingerprint, to bench/realtext/test_runs.tsv
(one row per version of the rules measured) and writes docs/tag_quality.json,
which the site's methods page shows.  `--oracle` tags the labelled headline
and body lines instead of the pipeline's output (tagging alone, with perfect
cleaning).

Our own writing is reported too, as extra: bench/tagging/dev.toml (every third
example held out as `check`), bench/tagging/fresh.toml (written blind) and the
five seeds of ../shared/seeds (a tag in `allowed_tags` is neither right nor
wrong).  Printed: precision, recall and F1 per tag (then right/said/true),
micro-F1, primary-tag accuracy over the examples that have a primary, and
whether "no primary" was said where none dominates; then the machine and the
time per article.

The baselines use every phrase of taxonomy.toml with no context rule:
`any keyword` tags a practice on one hit, `two hits` on two; both call the
practice with the most hits primary.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import opencc  # noqa: E402

from scraper.script import is_traditional, to_simplified  # noqa: E402
from scraper.tag import tag, with_summary  # noqa: E402
from scraper.taxonomy import load_taxonomy, rules_fingerprint  # noqa: E402

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


def _plain_body(markdown: str) -> str:
    return "\n".join(line.lstrip("#").strip().strip("*") for line in markdown.splitlines())


def load_real(oracle: bool = False) -> list[Example]:
    """The labelled real excerpts (bench/realtext) present in the local copy.

    Each is read the way the archive reads a page: through the whole
    pipeline, so the figures are those of what researchers get.  With
    `oracle`, the tagger gets the labelled headline and body lines instead
    (what it would do after perfect cleaning).
    """
    sys.path.insert(0, str(ROOT / "bench" / "realtext"))
    import corpus

    from scraper.errors import PageError
    from scraper.models import RawPage
    from scraper.pipeline import extract_article

    out = []
    for excerpt in corpus.load():
        if excerpt.text is None:
            continue
        if oracle:
            lines = excerpt.text.split("\n")
            body = [lines[n - 1] for n in corpus.line_numbers(excerpt.lines.get("B"))]
            title, text = excerpt.title, "\n".join(body)
        else:
            raw = RawPage(location=f"realtext:{excerpt.id}", content=excerpt.text.encode())
            try:
                article = extract_article(raw)
                title, text = (
                    article.title,
                    with_summary(article.summary, _plain_body(article.body)),
                )
            except PageError:  # refused: the archive writes nothing, so no tag either
                title, text = None, ""
        out.append(
            Example(
                id=excerpt.id,
                title=title,
                text=text,
                tags=set(excerpt.tags),
                primary=excerpt.primary,
                split=f"real-{excerpt.split}",
            )
        )
    return out


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
        body = _plain_body(article.body)
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


def report(
    name: str, examples: list[Example], taggers: dict[str, Tagger], errors: bool
) -> Score | None:
    """Print each tagger's figures on `examples`; give back our tagger's score."""
    ids = [p.id for p in load_taxonomy().practices]
    ours_score = None
    print(f"\n== {name}: {len(examples)} examples")
    header = f"{'tagger':<12}" + "".join(f"{t[:12]:>14}" for t in ids)
    print(header + f"{'micro P/R/F1':>20}{'primary':>10}{'no-primary':>12}")
    for label, tagger in taggers.items():
        s = score(examples, tagger, ids)
        if label == "ours":
            ours_score = s
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
    return ours_score


def timing(examples: list[Example]) -> float:
    """Milliseconds per 5,000-character article, the articles cut from all the examples' text."""
    blob = "\n".join(to_simplified(e.text) for e in examples)
    blob *= 1 + 500_000 // max(len(blob), 1)  # at least 100 articles
    articles = [blob[i : i + 5000] for i in range(0, len(blob) - 4999, 5000)][:300]
    tag("标题", articles[0])  # compile and cache the taxonomy first
    start = time.perf_counter()
    for article in articles:
        tag("某县推进基层党建工作", article)
    return (time.perf_counter() - start) / len(articles) * 1000


SPLITS = ("real-dev", "real-test", "dev", "check", "fresh", "seeds")
TEST_RUNS = ROOT / "bench" / "realtext" / "test_runs.tsv"
FIGURES = ROOT / "docs" / "tag_quality.json"


def figures(examples: list[Example], s: Score) -> dict[str, object]:
    """The held-out figures in the form the methods page and the run log keep."""
    ids = [p.id for p in load_taxonomy().practices]
    p, r, f = prf(sum(s.tp.values()), sum(s.fp.values()), sum(s.fn.values()))
    per = {}
    for t in ids:
        tp, fp, fn = s.tp[t], s.fp[t], s.fn[t]
        pp, rr, ff = prf(tp, fp, fn)
        per[t] = {"found": tp, "labelled": tp + fn, "said": tp + fp, "precision": round(pp, 3),
                  "recall": round(rr, 3), "f1": round(ff, 3)}  # fmt: skip
    return {
        "excerpts": len(examples),
        "without_tags": sum(1 for e in examples if not e.tags),
        "micro": {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)},
        "practices": per,
        "primary": {"right": s.primary_right, "of": s.primary_total},
        "no_primary": {"right": s.none_right, "of": s.none_total},
    }


def record(examples: list[Example], s: Score, speed: float) -> None:
    """Append the held-out figures to the run log and write them for the methods page."""
    found = figures(examples, s)
    fingerprint = rules_fingerprint()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "?"  # fmt: skip
    now = datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds")
    if not TEST_RUNS.exists():
        TEST_RUNS.write_text("measured\tcommit\trules\texcerpts\tP\tR\tF1\tprimary\n", "utf-8")
    micro = found["micro"]
    primary = found["primary"]
    row = (f"{now}\t{commit}\t{fingerprint}\t{found['excerpts']}\t{micro['precision']}\t"
           f"{micro['recall']}\t{micro['f1']}\t{primary['right']}/{primary['of']}\n")  # fmt: skip
    with TEST_RUNS.open("a", encoding="utf-8") as log:
        log.write(row)
    found.update(rules=fingerprint, measured=now, articles_per_second=round(1000 / speed))
    agreement = ROOT / "bench" / "realtext" / "agreement.json"
    if agreement.exists():  # how far two blind readings of the test part agreed
        found["agreement"] = json.loads(agreement.read_text(encoding="utf-8"))
    FIGURES.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"recorded: {TEST_RUNS.relative_to(ROOT)} and {FIGURES.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all",
                        help="which labelled set to score (default: all)")  # fmt: skip
    parser.add_argument("--errors", action="store_true",
                        help="list our tagger's mistakes (never those of real-test)")  # fmt: skip
    parser.add_argument("--oracle", action="store_true",
                        help="tag the real excerpts' labelled lines")  # fmt: skip
    parser.add_argument("--record", action="store_true",
                        help="log real-test's figures, write docs/tag_quality.json")  # fmt: skip
    args = parser.parse_args(argv)
    wanted = SPLITS if args.split == "all" else (args.split,)
    taggers: dict[str, Tagger] = {
        "ours": ours,
        "any keyword": keyword_baseline(1),
        "two hits": keyword_baseline(2),
    }
    print(f"taxonomy {load_taxonomy().path.name}, rules {rules_fingerprint()}")
    real = load_real(args.oracle) if {"real-dev", "real-test"} & set(wanted) else []
    test_score = None
    for split in ("real-dev", "real-test"):
        if split not in wanted:
            continue
        chosen = [e for e in real if e.split == split]
        if not chosen:
            print(f"\n== {split}: no excerpts in the local copy (bench/realtext/README.md)")
            continue
        held_out = split == "real-test"
        note = (" — HELD OUT: never tuned on, mistakes not listed; "
                f"{_runs()} earlier version(s) of the rules measured on it") if held_out else (
                " — development part, rules are tuned on it")  # fmt: skip
        score_of = report(split + note, chosen, taggers, args.errors and not held_out)
        if score_of is not None:
            print("  found/labelled with 95% Wilson intervals (few labelled: wide):",
                  "; ".join(f"{t} {score_of.tp[t]}/{score_of.tp[t] + score_of.fn[t]} "
                            f"[{_wilson(score_of.tp[t], score_of.tp[t] + score_of.fn[t])}]"
                            for t in score_of.tp))  # fmt: skip
        if held_out:
            test_score = (chosen, score_of)
    written = load_examples() + load_fresh()
    if {"dev", "check", "fresh"} & set(wanted):
        print(f"\n-- our own writing (extra, not the measure): {len(written)} examples")
    for split in ("dev", "check", "fresh"):
        if split in wanted:
            report(split, [e for e in written if e.split == split], taggers, args.errors)
    if "seeds" in wanted:
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
    per_article = timing(real or written)
    print(f"speed on {'the real excerpts' if real else 'our written examples'}: "
          f"{per_article:.2f} ms per 5,000-character article "
          f"({1000 / per_article:,.0f} articles a second on one core)")  # fmt: skip
    if real:
        dense = timing(written)
        print(f"speed on our written examples (several practice words a sentence, denser than "
              f"any report): {dense:.2f} ms ({1000 / dense:,.0f} a second)")  # fmt: skip
    if args.record:
        if test_score is None:
            print("--record needs the real-test excerpts in the local copy")
            return 1
        if args.oracle:
            print("--record measures what the archive does: run it without --oracle")
            return 1
        record(*test_score, per_article)
    return 0


def _wilson(hits: int, n: int) -> str:
    """The 95 % Wilson score interval of a proportion, as "lo–hi"."""
    if not n:
        return "–"
    z, p = 1.96, hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return f"{max(0.0, centre - half):.2f}–{min(1.0, centre + half):.2f}"


def _runs() -> int:
    if not TEST_RUNS.exists():
        return 0
    return max(0, len(TEST_RUNS.read_text(encoding="utf-8").splitlines()) - 1)


if __name__ == "__main__":
    sys.exit(main())
