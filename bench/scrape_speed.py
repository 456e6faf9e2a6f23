"""Whole-scrape speed and memory on a fake county site served on 127.0.0.1.

    .venv/bin/python bench/scrape_speed.py [--articles 1000 5000] [--workers 1]

For each size, a fake county site (tests/fixture_site.py: GBK pages, table
layout, TRS pagination, bodies recombined from ../shared/seeds at run time) is
served from a separate process, and one full scrape runs in this process with
no politeness delay: fetch, WARC archive, decode, extract, clean, tag,
deduplicate, write Markdown, record state.  Printed: articles per second
(wall) and the scrape's peak resident memory, measured in a fresh child
process per size so sizes do not inherit each other's peak.
Targets: 50 articles/s or more, peak memory under 300 MB at any size.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _serve(articles: int, ready: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    from tests.fixture_site import CountySite, serving

    site = CountySite(articles=articles)
    with serving(site) as base:
        ready.put(base)
        stop.wait()


def _scrape(base: str, articles: int, folder: Path) -> dict[str, float]:
    """Runs in a child process: one scrape, its own timing and peak memory."""
    from scraper.crawl import Workspace
    from scraper.fetch import Fetcher
    from scraper.run import scrape

    sources = folder / "sources.toml"
    pages = -(-articles // 20) + 1
    sources.write_text(
        f'[[site]]\nname = "基准县新闻网"\nstart_urls = ["{base}/news/index.html"]\n'
        f'province = "湖北省"\ndelay = 0\nmax_pages = {pages}\n',
        encoding="utf-8",
    )
    workspace = Workspace(content_dir=folder / "content", archive_dir=folder / "archive")
    start = time.perf_counter()
    report = scrape(
        sources=sources,
        workspace=workspace,
        fetcher=Fetcher(delay=0, timeout=10, retries=2),
        show_progress=False,
    )
    seconds = time.perf_counter() - start
    counts = next(iter(report.sites.values())).counts
    return {
        "seconds": seconds,
        "handled": counts["new"] + counts["duplicate"] + counts["not_article"],
        "new": counts["new"],
        "failed": counts["failed"],
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "warc_mb": sum(p.stat().st_size for p in (folder / "archive" / "warc").glob("*")) / 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--child", nargs=3, metavar=("BASE", "N", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        base, n, folder = args.child
        print(json.dumps(_scrape(base, int(n), Path(folder))))
        return 0

    print(
        f"machine: {platform.machine()} | cpus: {os.cpu_count()} | "
        f"Python {platform.python_version()}"
    )
    for n in args.articles:
        ready: multiprocessing.Queue = multiprocessing.Queue()
        stop = multiprocessing.Event()
        server = multiprocessing.Process(target=_serve, args=(n, ready, stop), daemon=True)
        server.start()
        base = ready.get(timeout=30)
        with tempfile.TemporaryDirectory() as folder:
            run = subprocess.run(
                [sys.executable, __file__, "--child", base, str(n), folder],
                capture_output=True,
                text=True,
                check=False,
            )
        stop.set()
        server.join(timeout=10)
        if run.returncode != 0:
            print(f"{n} articles: scrape failed\n{run.stderr[-2000:]}")
            return 1
        r = json.loads(run.stdout.strip().splitlines()[-1])
        rate = r["handled"] / r["seconds"]
        print(
            f"{n:>6} articles: {r['handled']} handled ({r['new']} new, {r['failed']} failed) "
            f"in {r['seconds']:.1f} s = {rate:.0f} articles/s; peak memory {r['peak_mb']:.0f} MB; "
            f"WARC {r['warc_mb']:.1f} MB"
        )
    print("targets: >= 50 articles/s, peak memory < 300 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
