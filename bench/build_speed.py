"""Build time and memory of the archive's site against plain Pelican on the same content.

    .venv/bin/python bench/build_speed.py [--sizes 1000 10000] [--large] [--keep DIR]

For each size an archive of Markdown articles in the stored layout is written
to a temporary folder (bodies recombined at run time from the sentences of
../shared/seeds, as bench/search_speed.py makes them; nothing is kept), then
built, each build in a fresh process, timed from outside, its peak memory
(maximum resident set) read from the kernel (`os.wait4`):

  plain            Pelican with its default theme and no plugins (bench/plain_pelicanconf.py)
  site             the archive's settings without the two search plugins
  full             the archive's settings: site, Whoosh index, static search export
  plain, 1 changed plain Pelican again after one article changed (its content cache on)
  full, 1 changed  the archive again after the same change (content cache on)

Targets (issue 6): full at most 1.3 x plain; full after one change under a
quarter of the full build at 10,000.  `--large` adds 50,000 articles.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search_speed import make_archive  # noqa: E402
from tests.fixture_site import seed_sentences  # noqa: E402


def cache(work: Path, name: str) -> list[str]:
    """Pelican's content cache on, in a folder of this build's own (not the project's cache/)."""
    folder = work / f"cache-{name}"
    return ["CACHE_CONTENT=true", "LOAD_CONTENT_CACHE=true", f'CACHE_PATH="{folder}"']


def run(args: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak resident MB) of one build in its own process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read() if process.stderr else ""
    if process.returncode:
        raise SystemExit(f"build failed ({' '.join(args)}):\n{errors[-3000:]}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports KB


def pelican(work: Path, output: str, settings: Path, *extra: str) -> list[str]:
    """One build's command; `extra` settings follow a single -e (a second -e replaces the first)."""
    return [sys.executable, "-m", "pelican", str(work / "content"), "-o", str(work / output),
            "-s", str(settings), "-e", *extra]  # fmt: skip


def bench(count: int, work: Path) -> None:
    make_archive(work / "content" / "scraped", count, seed_sentences(), random.Random(count))
    ours, plain = ROOT / "pelicanconf.py", ROOT / "bench" / "plain_pelicanconf.py"
    import json

    import pelicanconf

    site_plugins = [p for p in pelicanconf.PLUGINS if p not in ("search_index", "search_export")]
    no_search = [f"PLUGINS={json.dumps(site_plugins)}"]
    index = [f'SEARCH_INDEX_DIR="{work / "index"}"']
    rows: list[tuple[str, float, float]] = []
    rows.append(("plain", *run(pelican(work, "plain", plain, *cache(work, "plain")), ROOT)))
    rows.append(("site", *run(pelican(work, "site", ours, *no_search, *cache(work, "site")), ROOT)))
    rows.append(("full", *run(pelican(work, "full", ours, *index, *cache(work, "full")), ROOT)))
    changed = sorted((work / "content" / "scraped").glob("*.md"))[count // 2]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n新增的一句话。\n", encoding="utf-8")
    plain_again = pelican(work, "plain", plain, *cache(work, "plain"))
    rows.append(("plain, 1 changed", *run(plain_again, ROOT)))
    full_again = pelican(work, "full", ours, *index, *cache(work, "full"))
    rows.append(("full, 1 changed", *run(full_again, ROOT)))
    times = {name: seconds for name, seconds, _ in rows}
    print(f"\n{count:,} articles")
    for name, seconds, peak in rows:
        ratio = seconds / times["plain"]
        print(f"  {name:18} {seconds:8.1f} s  {ratio:5.2f} x plain  peak {peak:7.0f} MB")
    print(
        f"  full / plain {times['full'] / times['plain']:.2f} (target <= 1.3); "
        f"full after one change / full {times['full, 1 changed'] / times['full']:.2f} "
        f"(target < 0.25 at 10,000); plain after one change / plain "
        f"{times['plain, 1 changed'] / times['plain']:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--large", action="store_true", help="add 50,000 articles")
    parser.add_argument("--keep", type=Path, help="build in DIR/<size> and keep it")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )
    for count in [*args.sizes, *([50_000] if args.large else [])]:
        if args.keep:
            work = args.keep / str(count)
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            bench(count, work)
        else:
            with tempfile.TemporaryDirectory(prefix="build-bench-") as tmp:
                bench(count, Path(tmp))


if __name__ == "__main__":
    main()
