"""Build time and memory of the archive's site against plain Pelican on the same content.

    .venv/bin/python bench/build_speed.py [--sizes 1000 10000] [--large] [--keep DIR [--reuse]]

For each size an archive of Markdown articles in the stored layout is written
to a temporary folder (bodies recombined at run time from sentences of real
reports: the local copy of the real-text corpus, ../realtext, when this
machine has it, else the 60 pages of ../shared/pages and the seeds; see
`bench/search_speed.py`'s `bench_sentences`; nothing is kept), then built, each
build in a fresh process, timed from outside.  Peak memory is the whole
process tree's: the proportional set size (PSS) of the build and of every
worker it starts, summed every 50 ms (psutil), so a page a forked worker
shares with its parent counts once; the main process's own peak resident
memory, sampled likewise, is printed beside it.  (The peak `os.wait4`
reports is not the main process's: Linux gives the largest of the process
and the children it waited for, so a worker's counts there; it is only
the tree's floor, for a spike between two samples.)

  plain            Pelican with its default theme and no plugins (bench/plain_pelicanconf.py)
  site             the archive's settings without the two search plugins
  full             the archive's settings: site, Whoosh index, static search export
  plain, 1 changed plain Pelican again after one article changed (its content cache on)
  full, 1 changed  the archive again after the same change (content cache on)

Targets (issue 14): the full build at most 2 x plain Pelican's time and, as
every build here, at most 1.5 x plain Pelican's peak memory; after one change
at most 10 % of the full build at 100,000 and faster than plain Pelican's own
cached rebuild.  `--large` adds 50,000 and 100,000 articles (the 100,000
run takes about an hour on two cores).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from bench.search_speed import bench_sentences, make_archive  # noqa: E402


def cache(work: Path, name: str) -> list[str]:
    """Pelican's content cache on, in a folder of this build's own (not the project's cache/)."""
    folder = work / f"cache-{name}"
    return ["CACHE_CONTENT=true", "LOAD_CONTENT_CACHE=true", f'CACHE_PATH="{folder}"']


def tree_memory(process: psutil.Process) -> int:
    """Bytes of memory a process and all its descendants hold now (those that vanish count 0).

    Each process's proportional set size (PSS): a page shared by n processes
    (a forked worker's copy-on-write pages) counts 1/n in each, so the sum is
    the memory the tree takes from the machine, shared pages counted once.
    """
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += member.memory_full_info().pss
    return total


def run(args: list[str], cwd: Path) -> tuple[float, float, float]:
    """(seconds, peak MB of the process tree, peak MB of the main process) of one build."""
    started = time.perf_counter()
    process = subprocess.Popen(
        args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    watched = psutil.Process(process.pid)
    peak = 0
    done = threading.Event()
    errors: list[str] = []

    def drain() -> None:  # a full stderr pipe would stall the build
        if process.stderr:
            errors.append(process.stderr.read())
        done.set()

    threading.Thread(target=drain, daemon=True).start()
    main_peak = 0
    while not done.wait(0.05):
        peak = max(peak, tree_memory(watched))
        with contextlib.suppress(psutil.Error):
            main_peak = max(main_peak, watched.memory_info().rss)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"build failed ({' '.join(args)}):\n{''.join(errors)[-3000:]}")
    largest = usage.ru_maxrss / 1024  # KB: the largest process of the tree, not the main one
    return seconds, max(peak / 2**20, largest), main_peak / 2**20


def pelican(work: Path, output: str, settings: Path, *extra: str) -> list[str]:
    """One build's command; `extra` settings follow a single -e (a second -e replaces the first)."""
    return [sys.executable, "-m", "pelican", str(work / "content"), "-o", str(work / output),
            "-s", str(settings), "-e", *extra]  # fmt: skip


BUILDS = ("plain", "site", "full")  # each build's output folder; its cache is cache-<name>


def bench(count: int, work: Path, sentences: list[str], reuse: bool = False) -> None:
    scraped = work / "content" / "scraped"
    if reuse and sum(1 for _ in scraped.glob("*.md")) == count:
        print(f"\n{count:,} articles reused from {scraped}")
        for name in (*BUILDS, *(f"cache-{b}" for b in BUILDS), "index"):
            shutil.rmtree(work / name, ignore_errors=True)  # every build starts cold
    else:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        make_archive(scraped, count, sentences, random.Random(count))
    ours, plain = ROOT / "pelicanconf.py", ROOT / "bench" / "plain_pelicanconf.py"
    import json

    import pelicanconf

    site_plugins = [p for p in pelicanconf.PLUGINS if p not in ("search_index", "search_export")]
    no_search = [f"PLUGINS={json.dumps(site_plugins)}"]
    index = [f'SEARCH_INDEX_DIR="{work / "index"}"']
    rows: list[tuple[str, float, float, float]] = []
    rows.append(("plain", *run(pelican(work, "plain", plain, *cache(work, "plain")), ROOT)))
    rows.append(("site", *run(pelican(work, "site", ours, *no_search, *cache(work, "site")), ROOT)))
    rows.append(("full", *run(pelican(work, "full", ours, *index, *cache(work, "full")), ROOT)))
    changed = sorted((work / "content" / "scraped").glob("*.md"))[count // 2]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n新增的一句话。\n", encoding="utf-8")
    plain_again = pelican(work, "plain", plain, *cache(work, "plain"))
    rows.append(("plain, 1 changed", *run(plain_again, ROOT)))
    full_again = pelican(work, "full", ours, *index, *cache(work, "full"))
    rows.append(("full, 1 changed", *run(full_again, ROOT)))
    times = {name: seconds for name, seconds, _, _ in rows}
    peaks = {name: peak for name, _, peak, _ in rows}
    print(f"\n{count:,} articles")
    for name, seconds, peak, main_peak in rows:
        ratio = seconds / times["plain"]
        print(
            f"  {name:18} {seconds:8.1f} s  {ratio:5.2f} x plain  "
            f"peak {peak:7.0f} MB ({peak / peaks['plain']:4.2f} x plain; main {main_peak:5.0f})"
        )
    per_thousand = 1000 / count
    stages = {
        "Pelican (plain)": times["plain"],
        "the site's plugins": times["site"] - times["plain"],
        "search (Whoosh + export)": times["full"] - times["site"],
    }
    print(
        "  per 1,000 articles: "
        + "; ".join(f"{name} {value * per_thousand:.1f} s" for name, value in stages.items())
    )
    print(
        f"  full / plain {times['full'] / times['plain']:.2f} (target <= 2); full peak / plain "
        f"{peaks['full'] / peaks['plain']:.2f} (target <= 1.5); full after one change / full "
        f"{times['full, 1 changed'] / times['full']:.2f} (target <= 0.10 at 100,000), against "
        f"plain after one change {times['plain, 1 changed']:.1f} s"
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--large", action="store_true", help="add 50,000 and 100,000 articles")
    parser.add_argument("--keep", type=Path, help="build in DIR/<size> and keep it")
    parser.add_argument(
        "--reuse", action="store_true",
        help="with --keep: build the archive kept in DIR/<size> again instead of making a new "
        "one (its builds, caches and index are removed first; an article edited by the last "
        "run stays edited)",
    )  # fmt: skip
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )
    sentences, source = bench_sentences()
    print(f"article text: {len(sentences):,} sentences from {source}")
    for count in [*args.sizes, *([50_000, 100_000] if args.large else [])]:
        if args.keep:
            bench(count, args.keep / str(count), sentences, reuse=args.reuse)
        else:
            with tempfile.TemporaryDirectory(prefix="build-bench-") as tmp:
                bench(count, Path(tmp), sentences)


if __name__ == "__main__":
    main()
