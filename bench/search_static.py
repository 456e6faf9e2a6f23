"""Bytes fetched and time to results of the static search page on a 10,000-article archive.

    .venv/bin/python bench/search_static.py [--articles 10000] [--seed 1] [--keep DIR] [--text T]
                                            [--waterfall]

An archive of `--articles` invented reports (bodies recombined at run time
from the sentences of ../shared/seeds, never stored in the repository; dates
over ten years, a few undated; places, sites and practice tags spread over
them) is exported with archive_search.export into the search/ folder of a
site built by Pelican with this project's theme, served by a plain static
file server on 127.0.0.1 (Python's http.server, in its own process), and
queried in headless Chromium.

For each query a fresh browser context (empty cache) opens
search.html?q=…: printed are the bytes of the search index files that query
fetched (manifest, key shards, article files; page, script and stylesheet
counted apart) and the time from the query's start to its first page of
results on screen, as the page measures it.  Then the same queries typed one
after another in one page (warm: manifest and shards already loaded).
Targets: first query < 100 KB of index files, results < 300 ms.

`--keep DIR` builds into DIR and reuses the archive and export there on the
next run with the same arguments (only the browser part runs again);
`--site DIR` queries a site already built with search/ in it instead (for
instance `bench/build_speed.py --keep K`'s K/<size>/output, 100,000 articles);
`--waterfall` prints when each file of each first query was requested and
received, in ms since the page's navigation started.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive_search.documents import Doc  # noqa: E402
from archive_search.export import export  # noqa: E402

QUERIES = [
    "软弱涣散",
    "村级集体经济",
    "资格联审 NOT 换届",
    '"党员中心户"',
    "屋场会 OR 湾子夜话",
    "党",
    "第一书记 tag:rectification",
    "title:整顿",
    "合作社 year:2021",
    "不存在的词语组合",
]

PLACES = [
    ("湖北省", "黄冈市", "红安县"), ("湖北省", "黄冈市", "麻城市"), ("湖北省", "咸宁市", "崇阳县"),
    ("湖北省", "咸宁市", "通城县"), ("湖北省", "恩施土家族苗族自治州", "宣恩县"),
    ("湖北省", "黄石市", "大冶市"), ("山西省", "吕梁市", "兴县"), ("山西省", "吕梁市", "临县"),
    ("湖南省", "岳阳市", "平江县"), ("河南省", "信阳市", "新县"), ("四川省", "巴中市", "通江县"),
    ("贵州省", "遵义市", "湄潭县"), ("江西省", "赣州市", "兴国县"), ("陕西省", "延安市", "延川县"),
]  # fmt: skip
SITES = ["红安网", "咸宁网", "荆楚网", "兴县新闻网", "中国社会科学网", "平江新闻网", "新县融媒",
         "通江县人民政府网", "湄潭网", "兴国网", "延川县融媒体中心", "大冶新闻网"]  # fmt: skip
PRACTICE_WORDS = {
    "vetting": ("资格联审", "联审"),
    "rectification": ("软弱涣散", "整顿"),
    "collective_economy": ("集体经济", "合作社"),
    "hamlet_branches": ("党小组", "屋场会", "湾子夜话", "党员中心户"),
}
NAMES = {
    "vetting": "资格联审",
    "rectification": "软弱涣散整顿",
    "collective_economy": "村级集体经济",
    "hamlet_branches": "村湾（自然村）党组织",
}


def make_docs(count: int, seed: int, text: str = "seeds") -> list[Doc]:
    """`count` invented articles recombined from sentences (deterministic per seed).

    `text`: "seeds" (the seeds' sentences) or "pages" (those of ../shared/pages,
    a vocabulary closer to real reports; see bench/search_speed.py).
    """
    from bench.search_speed import page_sentences
    from tests.fixture_site import seed_sentences

    sentences = seed_sentences() if text == "seeds" else page_sentences()
    if not sentences:
        sys.exit(f"no {text} sentences: ../shared/{text} is missing")
    rng = random.Random(seed)
    docs = []
    for n in range(count):
        paragraphs = ["".join(rng.sample(sentences, k=4)) for _ in range(5)]
        body = "\n".join(paragraphs)
        lead = paragraphs[0].split("，")[0].split("。")[0]
        province, city, county = rng.choice(PLACES)
        title = f"{county}{lead[:24]}"
        undated = rng.random() < 0.03
        date = None
        if not undated:
            year = rng.randint(2015, 2024)
            month, day, hour = rng.randint(1, 12), rng.randint(1, 28), rng.randint(7, 20)
            date = f"{year}-{month:02d}-{day:02d}T{hour:02d}:00:00+08:00"
        tags = tuple(
            t for t, words in PRACTICE_WORDS.items() if sum(body.count(w) for w in words) >= 2
        )
        docs.append(
            Doc(
                slug=f"{date[:10] if date else 'undated'}-{n:05d}",
                title=title,
                body=body,
                date=date,
                tags=tags,
                primary_tag=tags[0] if tags else None,
                province=province,
                city=city,
                county=county,
                site=rng.choice(SITES),
                url=f"articles/{n:05d}.html",
                source_url=f"http://news.example/{n}.html",
            )
        )
    return docs


def build_page(work: Path) -> Path:
    """A one-article site built with the project's settings: search.html, script, stylesheet."""
    content = work / "content" / "scraped"
    content.mkdir(parents=True)
    (content / "a.md").write_text(
        "---\ntitle: 基准\ndate: 2021-01-01\nslug: bench\n---\n\n基准页面。\n", encoding="utf-8"
    )
    output = work / "output"
    subprocess.run(
        [sys.executable, "-m", "pelican", str(work / "content"), "-o", str(output),
         "-s", str(ROOT / "pelicanconf.py"), "-e", f'SEARCH_INDEX_DIR="{work / "index"}"',
         "-q"],
        cwd=ROOT, check=True,
    )  # fmt: skip
    return output


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    chromium = subprocess.run(
        ["chromium", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"machine: {cpu}, {os.cpu_count()} cpus, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {chromium or 'chromium'}"
    )


WATERFALL = """() => {
  return performance.getEntriesByType("resource").map((e) => [
    e.name.replace(location.origin, ""), Math.round(e.startTime), Math.round(e.responseEnd),
  ]);
}"""


def run_queries(output: Path, waterfall: bool = False) -> None:
    from tests.browser import chromium, static_server_process

    done = (
        "['done', 'error'].includes(document.getElementById('search-app').dataset.state)"
        " && document.getElementById('search-app').dataset.q === document.getElementById('q').value"
    )
    print(f"\n{'query':<26} {'results':>7} {'index KB':>9} {'files':>6} {'page KB':>8} {'ms':>6}")
    cold: list[tuple[float, float]] = []
    with static_server_process(output) as base, chromium() as browser:
        for query in QUERIES:
            # The site's Content-Security-Policy forbids eval, which Playwright's
            # wait_for_function uses to test `done`: bypassed for the harness only.
            context = browser.new_context(bypass_csp=True)
            page = context.new_page()
            sizes: dict[str, int] = {}

            def count(response: object, sizes: dict[str, int] = sizes) -> None:
                with contextlib.suppress(Exception):  # a response without a body
                    sizes[response.url] = len(response.body())  # type: ignore[attr-defined]

            page.on("response", count)
            page.goto(f"{base}/search.html?q={quote(query)}")
            page.wait_for_function(done, timeout=60000)
            ms = float(page.get_attribute("#search-app", "data-ms") or "nan")
            total = page.get_attribute("#search-app", "data-total")
            page.wait_for_load_state("networkidle")
            index = {u: s for u, s in sizes.items() if "/search/" in u}
            other = sum(s for u, s in sizes.items() if "/search/" not in u)
            kb = sum(index.values()) / 1000
            cold.append((kb, ms))
            print(
                f"{query:<26} {total:>7} {kb:>9.1f} {len(index):>6} {other / 1000:>8.1f} {ms:>6.0f}"
            )
            if waterfall:  # ms since navigation start: requested, last byte received
                for name, begun, ended in page.evaluate(WATERFALL):
                    print(f"    {begun:5d} → {ended:5d} ms  {name}")
            context.close()
        page = browser.new_page(bypass_csp=True)
        page.goto(f"{base}/search.html")
        page.wait_for_function("document.getElementById('search-app').dataset.state === 'idle'")
        warm = []
        for query in QUERIES:
            page.fill("#q", query)
            page.press("#q", "Enter")
            page.wait_for_function(done, timeout=60000)
            warm.append(float(page.get_attribute("#search-app", "data-ms") or "nan"))
    kbs = [kb for kb, _ in cold]
    times = [ms for _, ms in cold]
    print(
        f"\nfirst query (cold cache): index files median {statistics.median(kbs):.1f} KB, "
        f"max {max(kbs):.1f} KB (target < 100); time to results median "
        f"{statistics.median(times):.0f} ms, max {max(times):.0f} ms (target < 300)"
    )
    print(
        f"later queries in the same page: median {statistics.median(warm):.0f} ms, "
        f"max {max(warm):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="archive size (10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the archive (1)")
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it")
    parser.add_argument(
        "--text", choices=("seeds", "pages"), default="seeds",
        help="recombine the sentences of the seeds (default) or of ../shared/pages",
    )  # fmt: skip
    parser.add_argument(
        "--waterfall", action="store_true",
        help="also print when each file of each first query was requested and received",
    )  # fmt: skip
    parser.add_argument("--site", type=Path, help="query this built site's output folder")
    args = parser.parse_args()
    print(machine())
    if args.site:
        manifest = json.loads((args.site / "search" / "manifest.json").read_text(encoding="utf-8"))
        print(f"site {args.site}: {manifest['docs']:,} articles")
        run_queries(args.site, waterfall=args.waterfall)
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="search-bench-"))
    stamp = work / f"complete-{args.articles}-{args.seed}-{args.text}"
    try:
        if stamp.exists():
            output = work / "output"
            print(f"archive and export reused from {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
            started = time.perf_counter()
            docs = make_docs(args.articles, args.seed, args.text)
            chars = sum(len(d.body) + len(d.title) for d in docs)
            print(f"archive: {len(docs)} articles, {chars / len(docs):.0f} characters on average")
            output = build_page(work)
            made = time.perf_counter()
            report = export(docs, output / "search", practice_names=NAMES)
            print(f"{report.summary()} in {time.perf_counter() - made:.1f} s")
            print(f"(generating the archive and building the page took {made - started:.1f} s)")
            if args.keep:
                stamp.touch()
        run_queries(output, waterfall=args.waterfall)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
