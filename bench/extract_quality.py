"""How well body extraction works on the development pages, ours against the usual tools.

    .venv/bin/python -m bench.extract_quality [--pages DIR] [--only FILE ...] [--quiet]

For every page recorded in bench/truth/pages.toml it runs our HTML extract
stage (scraper.extract_html), the lead's full pipeline when scraper.pipeline
can be imported, readability-lxml, trafilatura and GeneralNewsExtractor (each
skipped when not installed), and prints per page and on average:

- F1: character F1 of the extracted body against the true body (see
  bench/truth.py: NFKC, whitespace removed, SequenceMatcher matching blocks as
  the LCS approximation);
- leaks: pages whose output holds a text segment of more than 10 characters
  that lies outside the true body and is not in it (a related headline, a
  disclaimer, a comment);
- ms/page: mean wall time of the extractor call alone (decoding excluded).

The machine and the input size are printed first, so figures can be compared.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import truth as bench_truth

Extractor = Callable[[str, str], str]


def _ours(html: str, location: str) -> str:
    from scraper.extract_html import extract_html

    return "\n".join(block.text for block in extract_html(html).blocks)


def _pipeline() -> Extractor | None:
    """The lead's whole pipeline, if it exists yet; its API is probed, not assumed."""
    try:
        from scraper import pipeline
        from scraper.models import RawPage
    except ImportError:
        return None
    for name in ("extract_article", "extract", "process_page", "run"):
        func = getattr(pipeline, name, None)
        if callable(func):
            break
    else:
        return None

    def run(html: str, location: str) -> str:
        article = func(RawPage(location=location, content=html.encode("utf-8")))
        return getattr(article, "body", "") or ""

    return run


def _readability() -> Extractor | None:
    try:
        import lxml.html
        from readability import Document
    except ImportError:
        return None

    def run(html: str, location: str) -> str:
        summary = Document(html).summary(html_partial=True)
        return lxml.html.fromstring(summary).text_content() if summary.strip() else ""

    return run


def _trafilatura() -> Extractor | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(html: str, location: str) -> str:
        return trafilatura.extract(html, include_comments=False, include_tables=True) or ""

    return run


def _gne() -> Extractor | None:
    try:
        from gne import GeneralNewsExtractor
    except ImportError:
        return None
    extractor = GeneralNewsExtractor()

    def run(html: str, location: str) -> str:
        return extractor.extract(html).get("content", "") or ""

    return run


def extractors() -> dict[str, Extractor]:
    found: dict[str, Extractor | None] = {
        "ours": _ours,
        "pipeline": _pipeline(),
        "readability": _readability(),
        "trafilatura": _trafilatura(),
        "gne": _gne(),
    }
    return {name: func for name, func in found.items() if func is not None}


@dataclass
class Score:
    f1: list[float] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)
    leaked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def run(pages_dir: Path, only: list[str], quiet: bool) -> dict[str, Score]:
    records = [r for r in bench_truth.load_records() if not only or r.file in only]
    tools = extractors()
    sizes = [(pages_dir / r.file).stat().st_size for r in records]
    print(
        f"machine: {platform.platform()}, {platform.processor() or 'cpu'}, "
        f"{os.cpu_count()} cpus, Python {platform.python_version()}"
    )
    print(
        f"input: {len(records)} pages from {pages_dir}, {sum(sizes) / 1e6:.1f} MB, "
        f"median {statistics.median(sizes) / 1e3:.0f} KB, max {max(sizes) / 1e3:.0f} KB"
    )
    print(f"tools: {', '.join(tools)}\n")
    scores = {name: Score() for name in tools}
    if not quiet:
        print(f"{'page':26s}" + "".join(f"{name:>13s}" for name in tools))
    for record in records:
        html = bench_truth.read_page(record, pages_dir)
        truth = bench_truth.build_truth(html, record)
        cells = []
        for name, func in tools.items():
            score = scores[name]
            start = time.perf_counter()
            try:
                text = func(html, record.file)
            except Exception as error:  # a tool failing on a page is a result, not a crash
                text = ""
                score.failed.append(f"{record.file}: {type(error).__name__}")
            score.ms.append((time.perf_counter() - start) * 1000)
            value = bench_truth.f1(text, truth.body)
            score.f1.append(value)
            leaked = bench_truth.leaks(text, truth)
            if leaked:
                score.leaked.append(record.file)
            cells.append(f"{value:12.3f}{'*' if leaked else ' '}")
        if not quiet:
            print(f"{record.file:26s}" + "".join(cells))
    print("\n(* = chrome leaked into the body)\n")
    print(
        f"{'tool':14s}{'mean F1':>9s}{'min F1':>9s}{'F1<0.9':>8s}{'leaks':>7s}"
        f"{'ms/page':>9s}{'median':>8s}"
    )
    for name, score in scores.items():
        weak = sum(1 for value in score.f1 if value < 0.9)
        print(
            f"{name:14s}{statistics.mean(score.f1):9.3f}{min(score.f1):9.3f}{weak:8d}"
            f"{len(score.leaked):7d}{statistics.mean(score.ms):9.1f}"
            f"{statistics.median(score.ms):8.1f}"
        )
    for name, score in scores.items():
        if score.failed:
            print(f"{name} failed on: {', '.join(score.failed)}")
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages",
        type=Path,
        default=bench_truth.PAGES_DIR,
        help="folder holding the article pages (default: %(default)s)",
    )
    parser.add_argument("--only", nargs="*", default=[], help="page file names to run")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)
    if not args.pages.is_dir():
        print(f"no pages at {args.pages}", file=sys.stderr)
        return 1
    run(args.pages, args.only, args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
