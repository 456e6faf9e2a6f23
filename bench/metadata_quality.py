"""Publication day and author found on the development pages, ours against the usual tools.

    .venv/bin/python -m bench.metadata_quality [--verbose]

Truth is bench/truth/pages.toml (`date`: the day a page shows, `author`: the
person it names).  A day counts as found when the extractor's date starts
with it; an author when the recorded name appears in the extractor's author
field.  trafilatura and GeneralNewsExtractor report their own metadata;
readability-lxml has none.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path

from bench import truth as bench_truth

Meta = tuple[str | None, str | None]  # (date, author)


def _ours() -> Callable[[bytes, str], Meta]:
    from scraper.models import RawPage
    from scraper.pipeline import extract_article

    def run(content: bytes, location: str) -> Meta:
        article = extract_article(RawPage(location=location, content=content))
        return article.date, article.author

    return run


def _trafilatura() -> Callable[[bytes, str], Meta] | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(content: bytes, location: str) -> Meta:
        html = bench_truth.decode(content)
        doc = trafilatura.bare_extraction(html, with_metadata=True)
        if doc is None:
            return None, None
        return getattr(doc, "date", None), getattr(doc, "author", None)

    return run


def _gne() -> Callable[[bytes, str], Meta] | None:
    try:
        from gne import GeneralNewsExtractor
    except ImportError:
        return None
    extractor = GeneralNewsExtractor()

    def run(content: bytes, location: str) -> Meta:
        result = extractor.extract(bench_truth.decode(content))
        return result.get("publish_time"), result.get("author")

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args(argv)
    records = bench_truth.load_records()
    tools = {"ours": _ours(), "trafilatura": _trafilatura(), "gne": _gne()}
    print(f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} cpus, "
          f"Python {platform.python_version()}")  # fmt: skip
    dated = [r for r in records if r.date]
    authored = [r for r in records if r.author]
    print(
        f"pages: {len(records)}, with a day shown: {len(dated)}, naming an author: {len(authored)}"
    )
    print(f"{'tool':14} {'days found':>12} {'authors found':>14}")
    for name, tool in tools.items():
        if tool is None:
            print(f"{name:14} {'(not installed)':>12}")
            continue
        days = authors = 0
        for record in records:
            content = (bench_truth.PAGES_DIR / record.file).read_bytes()
            try:
                date, author = tool(content, record.file)
            except Exception as exc:  # a competitor's crash is a miss, not a stop
                date, author = None, None
                if args.verbose:
                    print(f"  {name} {record.file}: {type(exc).__name__}: {exc}")
            if record.date:
                hit = bool(date) and str(date).startswith(record.date)
                days += hit
                if not hit and args.verbose:
                    print(f"  {name} {record.file}: day {record.date!r}, got {date!r}")
            if record.author:
                hit = bool(author) and record.author in str(author)
                authors += hit
                if not hit and args.verbose:
                    print(f"  {name} {record.file}: author {record.author!r}, got {author!r}")
        print(f"{name:14} {days:>6} of {len(dated):<4} {authors:>6} of {len(authored):<4}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
