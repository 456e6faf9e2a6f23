"""How fast the pipeline turns a page into an article, and how fast the CLI starts.

    python bench/extract_speed.py [--seconds 3]

Measures, in one process after a warm-up pass (imports done, caches filled),
pages per second of `scraper.pipeline.extract_article` (decode → extract →
repair → clean → metadata → place → tag) on the saved real pages in
../shared/pages/articles and on the seed text dumps.  One process is one
core, so the figure is pages per second per core.  Then the wall time of
`python -m scraper extract --help` and of extracting one seed, median of 5
runs each: what a user waits for.  Targets: >= 50 pages/s per core, start-up
under 1 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from scraper.models import RawPage  # noqa: E402
from scraper.pipeline import extract_article  # noqa: E402

TARGET_PAGES_PER_S = 50
TARGET_STARTUP_S = 1.0


def load(paths: list[Path]) -> list[RawPage]:
    return [RawPage(location=str(p), content=p.read_bytes()) for p in paths]


def run_once(pages: list[RawPage]) -> int:
    """Extract every page; the number that failed."""
    failed = 0
    for page in pages:
        try:
            extract_article(page)
        except Exception:  # a failing page is counted, not fatal, in a benchmark
            failed += 1
    return failed


def pages_per_second(pages: list[RawPage], seconds: float) -> tuple[float, float, int, int]:
    """(pages/s by wall clock, pages/s by CPU time, rounds, failures per round)."""
    failed = run_once(pages)  # warm-up
    rounds, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
    while True:
        run_once(pages)
        rounds += 1
        wall = time.perf_counter() - wall0
        if wall >= seconds:
            break
    cpu = time.process_time() - cpu0
    done = rounds * len(pages)
    return done / wall, done / cpu, rounds, failed


def median_wall(command: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="timed seconds per input set")
    args = parser.parse_args()

    print(
        f"machine: {platform.processor() or platform.machine()} | cpus: {os.cpu_count()} | "
        f"{platform.platform()} | Python {platform.python_version()}"
    )
    sets = {
        "real pages (shared/pages/articles/*.html)": sorted(
            (SHARED / "pages" / "articles").glob("*.html")
        ),
        "seed dumps (shared/seeds/*.txt)": sorted((SHARED / "seeds").glob("*.txt")),
    }
    ok = True
    for label, paths in sets.items():
        if not paths:
            print(f"{label}: not found, skipped")
            continue
        pages = load(paths)
        size = sum(len(p.content) for p in pages)
        wall_rate, cpu_rate, rounds, failed = pages_per_second(pages, args.seconds)
        mb_s = wall_rate * size / len(pages) / 1e6
        mean_kb = size / len(pages) / 1e3
        print(f"{label}: {len(pages)} files, {size / 1e6:.2f} MB (mean {mean_kb:.0f} KB)")
        print(
            f"  {wall_rate:.1f} pages/s per core (wall), {cpu_rate:.1f} by CPU time, "
            f"{mb_s:.2f} MB/s, {rounds} rounds, {failed} pages raised"
        )
        ok &= wall_rate >= TARGET_PAGES_PER_S

    seed = SHARED / "seeds" / "000_ebea5dd2f044d068.txt"
    help_s = median_wall([sys.executable, "-m", "scraper", "extract", "--help"])
    print(f"start-up `python -m scraper extract --help`: {help_s:.3f} s (median of 5, wall)")
    ok &= help_s < TARGET_STARTUP_S
    if seed.is_file():
        one_s = median_wall([sys.executable, "-m", "scraper", "extract", str(seed), "--json"])
        print(f"`python -m scraper extract {seed.name} --json`: {one_s:.3f} s (median of 5, wall)")
        ok &= one_s < TARGET_STARTUP_S
    targets = f">= {TARGET_PAGES_PER_S} pages/s per core, start-up < {TARGET_STARTUP_S:.0f} s"
    print(f"targets ({targets}): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
