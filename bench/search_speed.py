"""Search index speed: full and incremental indexing, size on disk, query latency.

    .venv/bin/python bench/search_speed.py [--sizes 1000 10000] [--large] [--keep DIR]

For each size an archive of Markdown articles is written to a temporary
folder, bodies recombined at run time from the sentences of ../shared/seeds
(tests/fixture_site.py's `seed_sentences`; nothing generated is kept), with
dates over ten years (5 % undated), practice tags, places and sites.  Printed
per size: reading the Markdown (docs/s), the full index build (docs/s),
an unchanged re-run, the re-index of one changed article, the index size on
disk, and the warm latency (p50 / p95 / max, limit 20 with snippets) of 30
mixed queries each run `--repeat` times.  The default run takes about 5 minutes
on two cores (the 10,000-article full build dominates); `--large` adds
100,000 articles (an hour or more).
Targets: one changed article re-indexed in under 1 s at 10,000; query p95
under 50 ms at 100,000.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from whoosh import index as whoosh_index

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive_search import build_index, close_searchers, search  # noqa: E402
from archive_search.documents import Doc, docs_from_content  # noqa: E402
from archive_search.query import _searcher  # noqa: E402
from archive_search.segments import writing_procs  # noqa: E402
from scraper.markdown_out import render  # noqa: E402
from tests.fixture_site import seed_sentences  # noqa: E402

TAGS = ("vetting", "rectification", "collective_economy", "hamlet_branches")
PLACES = (
    ("湖北省", "黄冈市", "红安县"), ("湖北省", "咸宁市", "崇阳县"), ("湖北省", "咸宁市", None),
    ("湖北省", "恩施土家族苗族自治州", "宣恩县"), ("山西省", "吕梁市", "兴县"), (None, None, None),
)  # fmt: skip
SITES = ("红安网", "咸宁网", "荆楚网", "中国社会科学网", "兴县新闻网")
FIXED_QUERIES = [
    "党", "村", "党建", "基层党组织", "软弱涣散", "软弱涣散基层党组织整顿", "村级集体经济",
    "资格联审", "村湾党支部", "党建 引领", "集体经济 OR 合作社", "党组织 NOT 扶贫",
    '"基层 治理"', "(整顿 OR 联审) 村", "title:党建", "tag:rectification 党员", "place:红安县 党",
    "year:2020 村", "site:荆楚网 组织", "NOT 党", "cpu", "2021年", "乡村振兴 年",
]  # fmt: skip


def page_sentences() -> list[str]:
    """Sentences of the 60 real news pages in ../shared/pages, cleaned by the scraper.

    A second source of text for the archives: the seeds' 126 sentences make
    archives whose words recur far more than in real reports (see the
    README), these pages' sentences make a vocabulary closer to real news.
    """
    from scraper.inputs import read_input
    from scraper.pipeline import extract_article

    sentences: list[str] = []
    for path in sorted((ROOT.parent / "shared" / "pages" / "articles").glob("*.html")):
        try:
            body = extract_article(read_input(str(path))).body
        except Exception as exc:  # a page the cleaner cannot read is left out, and said
            print(f"  (left out {path.name}: {exc})")
            continue
        for line in body.splitlines():
            sentences += [s + "。" for s in line.split("。") if len(s.strip("#* ")) >= 12]
    return sentences


def realtext_sentences() -> list[str]:
    """Sentences of the real-text corpus's local copy (bench/realtext/README.md), if present.

    Hundreds of real pages on every topic a county site carries: archives
    recombined from them have a vocabulary, and so postings, close to a real
    archive's, which the seeds' 126 sentences do not.  The text stays outside
    the repository; without it the benches fall back on `page_sentences`.
    """
    import opencc

    from bench.realtext.save_answer import corpus_home

    folder = corpus_home() / "texts"
    if not folder.is_dir():
        return []
    to_simplified = opencc.OpenCC("t2s")
    sentences: list[str] = []
    for path in sorted(folder.glob("*.txt")):
        text = to_simplified.convert(path.read_text(encoding="utf-8"))
        for line in text.splitlines():
            sentences += [s.strip() + "。" for s in line.split("。")[:-1] if len(s.strip()) >= 12]
    return list(dict.fromkeys(sentences))


def bench_sentences() -> tuple[list[str], str]:
    """The sentences the benchmark archives are made of, and where they came from."""
    real = realtext_sentences()
    if real:
        return real, "the real-text corpus's local copy (bench/realtext)"
    return page_sentences() + seed_sentences(), "../shared/pages and the seeds"


def make_archive(folder: Path, count: int, sentences: list[str], rng: random.Random) -> None:
    """`count` Markdown articles in the stored layout, bodies of seed sentences."""
    folder.mkdir(parents=True)
    for n in range(count):
        undated = rng.random() < 0.05
        day = f"{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        province, city, county = rng.choice(PLACES)
        paragraphs = ["".join(rng.sample(sentences, 4)) for _ in range(rng.randint(3, 7))]
        front = {
            "title": rng.choice(sentences)[:24],
            "date": None if undated else f"{day}T{rng.randint(8, 18):02d}:00:00+08:00",
            "slug": f"{'undated' if undated else day}-{n:06d}",
            "tags": sorted(rng.sample(TAGS, rng.randint(0, 2))),
            "province": province, "city": city, "county": county,
            "site": rng.choice(SITES),
        }  # fmt: skip
        text = render(front, "\n\n".join(paragraphs))
        (folder / f"{front['slug']}.md").write_text(text, encoding="utf-8")


def read_docs(folder: Path) -> list[Doc]:
    return [doc for doc in docs_from_content(folder) if isinstance(doc, Doc)]


def disk_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.iterdir() if path.is_file())


def queries(sentences: list[str], rng: random.Random) -> list[str]:
    """The fixed mix and seven random Chinese substrings of the seeds (2 to 6 characters)."""
    chosen = list(FIXED_QUERIES)
    while len(chosen) < 30:
        sentence = rng.choice(sentences)
        size = rng.randint(2, 6)
        start = rng.randrange(0, max(1, len(sentence) - size))
        piece = sentence[start : start + size]
        if all("\u4e00" <= ch <= "\u9fff" for ch in piece):
            chosen.append(piece)
    return chosen


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_queries(mix: list[str], index: Path) -> tuple[list[float], list[float], list[tuple]]:
    """Each query's first run in an open searcher, then again with its words' arrays cached.

    The first pass is what a researcher waits for in a notebook: the
    searcher is open, and words shared with earlier queries are already
    read.  The second forgets the results and phrases matched, so it times
    the matching and the snippets, not a dictionary look-up.
    """
    first: list[float] = []
    warm: list[float] = []
    slowest: list[tuple[float, float, str, int]] = []
    for query in mix:
        started = time.perf_counter()
        results = search(query, index_dir=index)
        first.append(time.perf_counter() - started)
    opened = _searcher(index)
    for query, first_s in zip(mix, first, strict=True):
        opened.sets.clear_results()
        started = time.perf_counter()
        results = search(query, index_dir=index)
        warm.append(time.perf_counter() - started)
        slowest.append((first_s, warm[-1], query, results.total))
    return first, warm, slowest


def bench(count: int, sentences: list[str], keep: Path | None, label: str) -> None:
    rng = random.Random(count)
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        root = keep / f"{label}-{count}" if keep else Path(tmp)
        content, index = root / "content", root / "index"
        reuse = keep is not None and (root / "complete").exists()
        if not reuse:
            shutil.rmtree(root, ignore_errors=True)
            make_archive(content, count, sentences, rng)

        start = time.perf_counter()
        docs = read_docs(content)
        read_s = time.perf_counter() - start
        chars = sum(len(d.title) + len(d.body) for d in docs) / len(docs)
        print(f"\n{count:,} articles (mean {chars:,.0f} characters)")
        print(f"  read Markdown          {read_s:7.2f} s   {count / read_s:8,.0f} docs/s")

        if reuse:
            print(f"  full index             reused from {index}")
        else:
            full = build_index(index, docs)
            print(
                f"  full index             {full.seconds:7.2f} s   "
                f"{count / full.seconds:8,.0f} docs/s  ({writing_procs()} processes)"
            )
            same = build_index(index, docs)
            print(f"  re-run, nothing changed{same.seconds:7.2f} s")

            changed = docs[len(docs) // 2]
            docs[len(docs) // 2] = Doc(**{**changed.__dict__, "body": changed.body + "新增一句。"})
            one = build_index(index, docs)
            assert one.updated == 1 and one.added == one.deleted == 0
            print(f"  one article changed    {one.seconds:7.2f} s   (target < 1 s at 10,000)")
            if keep:
                (root / "complete").touch()
        print(
            f"  index on disk          {disk_size(index) / 1e6:7.1f} MB "
            f"in {segment_count(index)} segments"
        )

        close_searchers()
        started = time.perf_counter()
        _searcher(index)
        print(f"  open the searcher      {time.perf_counter() - started:7.2f} s")
        mix = queries(sentences, rng)
        first, warm, slowest = timed_queries(mix, index)
        for label, timings in (("first run", first), ("words cached", warm)):
            ms = [t * 1000 for t in timings]
            print(
                f"  query latency, {label:12} p50 {percentile(ms, 0.5):6.1f} ms, "
                f"p95 {percentile(ms, 0.95):6.1f} ms, max {max(ms):6.1f} ms"
            )
        print(f"    ({len(mix)} queries, limit 20 with snippets; target p95 < 50 ms at 100,000)")
        for first_s, warm_s, query, total in sorted(slowest, reverse=True)[:4]:
            print(
                f"    slowest: {query!r:28} {first_s * 1000:6.1f} ms first, "
                f"{warm_s * 1000:6.1f} ms cached ({total:,} matches)"
            )
        close_searchers()


def segment_count(index: Path) -> int:
    ix = whoosh_index.open_dir(str(index))
    try:
        return len(ix._segments())
    finally:
        ix.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--large", action="store_true", help="add 100,000 articles")
    parser.add_argument(
        "--keep", type=Path, help="keep each archive and index in DIR/<text>-<size>, reuse them"
    )
    parser.add_argument(
        "--text",
        choices=("seeds", "pages"),
        default="seeds",
        help="recombine the sentences of the seeds (default) or of ../shared/pages",
    )
    args = parser.parse_args()
    sizes = [*args.sizes, *([100_000] if args.large else [])]
    import whoosh

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, "
        f"Whoosh {whoosh.versionstring()}"
    )
    sentences = seed_sentences() if args.text == "seeds" else page_sentences()
    print(f"{args.text} sentences: {len(sentences)}; sizes: {', '.join(f'{n:,}' for n in sizes)}")
    for count in sizes:
        bench(count, sentences, args.keep, args.text)


if __name__ == "__main__":
    main()
