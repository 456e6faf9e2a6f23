"""How well the text-dump path reads real pages whose layout has been lost.

    .venv/bin/python bench/dump_quality.py [--keep-punctuation] [--show N] [--only FILE ...]

The seeds are text dumps: a page read top to bottom, one line per block, menus
above the article and footers below.  There are only five, so this bench makes
more from the saved real pages in ../shared/pages/articles: each page's visible
text, one line per block-level element (<br> breaks a line too; scripts, styles,
<head> and display:none elements are skipped), with Chinese punctuation
flattened to ASCII the way the seeds have it (，：；（）！？ → ,:;()!?; turn that off
with --keep-punctuation).  The full pipeline runs on each dump, and on the
page's HTML for comparison, and the figures are:

- title: the pipeline's title equals the page's real title (bench/truth's
  record; the <h1> text where there is no record), compared after NFKC folding,
  with whitespace removed and curly quotes made straight;
- first paragraph: the first running paragraph of the body (not a caption or
  subheading) starts within the first 200 characters of the true body
  (bench/truth selectors; pages without a record are left out of this one);
- body F1: character F1 of the whole body against the true body (bench/truth.f1);
- pages leaking chrome: the body holds a segment of more than 10 characters
  from outside the true body (bench/truth.leaks).

Rough edges, said plainly: the dump is made by our own simple walker, not by the
tool that made the seeds, so its line breaks differ from theirs in places
(inline <span> runs, tables); the pages are national portals and not county
sites; the true title is what the page shows, which some sites decorate.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT.parent / "shared" / "pages" / "articles"
sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

from scraper.models import Article, RawPage  # noqa: E402
from scraper.pipeline import extract_article  # noqa: E402

try:
    from bench import truth as bench_truth  # written by the HTML helper; optional
except ImportError:  # pragma: no cover - depends on the checkout
    bench_truth = None

BLOCK_TAGS = frozenset(
    ("address", "article", "aside", "blockquote", "body", "center", "dd", "div", "dl", "dt",
     "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
     "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td",
     "tfoot", "th", "thead", "tr", "ul", "caption")
)  # fmt: skip
SKIP_TAGS = frozenset(
    ("head", "script", "style", "noscript", "template", "iframe", "svg", "canvas", "select")
)
FLATTEN = str.maketrans(
    {"，": ",", "：": ":", "；": ";", "（": "(", "）": ")", "！": "!", "？": "?"}
)
QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})
FIRST_PARAGRAPH_SLACK = 200
HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)


def decode(content: bytes) -> str:
    if bench_truth is not None:
        return bench_truth.decode(content)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("gb18030", errors="replace")


def parse(html: str) -> etree._Element | None:
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8")
    try:
        return etree.fromstring(html.encode("utf-8"), parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def text_dump(root: etree._Element, flatten: bool = True) -> str:
    """The page's visible text, one line per block, like the seeds."""
    out: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in SKIP_TAGS or HIDDEN.search(el.get("style") or ""):
            return
        if el.get("hidden") is not None:
            return
        breaks = tag in BLOCK_TAGS or tag == "br"
        if breaks:
            out.append("\n")
        out.append(el.text or "")
        for child in el:
            walk(child)
            out.append(child.tail or "")
        if breaks:
            out.append("\n")

    walk(root)
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    text = "\n".join(line for line in lines if line)
    return text.translate(FLATTEN) if flatten else text


def h1_title(root: etree._Element) -> str | None:
    for h1 in root.iter("h1"):
        text = " ".join("".join(h1.itertext()).split())
        if text:
            return text
    return None


def loose(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").translate(QUOTES).split())


def first_paragraph(article: Article) -> str | None:
    for line in article.body.split("\n"):
        line = line.strip()
        if line and not line.startswith(("*", "## ")):
            return line.replace("\\", "")
    return None


@dataclass
class Result:
    file: str
    title_ok: bool | None  # None: the page's real title is unknown
    first_ok: bool | None  # None: no truth to compare with
    f1: float | None
    html_title_ok: bool | None
    html_first_ok: bool | None
    html_f1: float | None
    leaked: bool | None
    html_leaked: bool | None
    got_title: str | None
    want_title: str | None


def first_ok(article: Article, true_body: str | None) -> bool | None:
    if true_body is None:
        return None
    paragraph = first_paragraph(article)
    if not paragraph:
        return False
    head = loose(paragraph)[:40]
    found = loose(true_body).find(head)
    return 0 <= found <= FIRST_PARAGRAPH_SLACK


def evaluate(path: Path, record, flatten: bool) -> Result | str:
    """Score one page; a string says why it was skipped."""
    html = decode(path.read_bytes())
    root = parse(html)
    if root is None:
        return "unparseable"
    want_title = record.title if record is not None else h1_title(root)
    true_body = truth = None
    if record is not None:
        try:
            truth = bench_truth.build_truth(html, record)
            true_body = truth.body
        except ValueError as exc:
            return f"truth: {exc}"
    dump = text_dump(root, flatten)
    from_dump = extract_article(RawPage(location=f"{path.name}.txt", content=dump.encode()))
    from_html = extract_article(RawPage(location=path.name, content=html.encode()))

    def f1(article: Article) -> float | None:
        return bench_truth.f1(article.body, true_body) if true_body is not None else None

    def leaked(article: Article) -> bool | None:
        return bool(bench_truth.leaks(article.body, truth)) if truth is not None else None

    def title_ok(article: Article) -> bool | None:
        return loose(article.title) == loose(want_title) if want_title else None

    return Result(
        file=path.name,
        title_ok=title_ok(from_dump),
        first_ok=first_ok(from_dump, true_body),
        f1=f1(from_dump),
        html_title_ok=title_ok(from_html),
        html_first_ok=first_ok(from_html, true_body),
        html_f1=f1(from_html),
        leaked=leaked(from_dump),
        html_leaked=leaked(from_html),
        got_title=from_dump.title,
        want_title=want_title,
    )


def rate(values: list[bool | None]) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return "n/a"
    return f"{sum(known)}/{len(known)} ({100 * sum(known) / len(known):.0f}%)"


def mean(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{sum(known) / len(known):.3f}" if known else "n/a"


def real_dumps(show: int, splits: tuple[str, ...] = ("dev", "test")) -> None:
    """The real page dumps of the labelled corpus (bench/realtext), dev then test."""
    sys.path.insert(0, str(ROOT / "bench" / "realtext"))
    import corpus
    from dumps import score

    excerpts = corpus.load()
    present = [e for e in excerpts if e.text is not None]
    print(f"\n== real dumps: {len(present)} of {len(excerpts)} labelled excerpts in the local "
          f"copy ({corpus.corpus_home()}; bench/realtext/README.md rebuilds it)")  # fmt: skip
    if not present:
        return
    heads = {"dev": "dev (tuned on)", "test": "test (held out)"}
    print(f"{'':28}" + "".join(f"{heads[split]:>20}" for split in splits))
    results = {split: [score(e, e.text) for e in present if e.split == split]
               for split in splits}  # fmt: skip
    rows = [
        ("left with no chrome", lambda r: r.chrome_free),
        ("headline right", lambda r: r.title_right),
        ("headline invented", lambda r: r.title_invented if r.title_right is None else None),
        ("author found", lambda r: r.author_found),
        ("author wrong", lambda r: r.author_wrong),
        ("refused (body not the headline's)", lambda r: r.refused is not None),
    ]
    for label, get in rows:
        cells = [rate([get(r) for r in results[split]]) for split in splits]
        print(f"{label:28}" + "".join(f"{cell:>20}" for cell in cells))
    recall = [mean([r.recall for r in results[split]]) for split in splits]
    print(f"{'body kept (mean share)':28}" + "".join(f"{cell:>20}" for cell in recall))
    if show and "dev" in splits:
        print(f"dev misses (first {show} of each kind; the test part's are never listed):")
        dev = results["dev"]
        for r in [r for r in dev if not r.chrome_free][:show]:
            print(f"  chrome  {r.id}: {r.leaks[:3]}")
        for r in [r for r in dev if r.title_right is False][:show]:
            print(f"  title   {r.id}: got {r.got_title!r}")
        for r in [r for r in dev if r.title_invented][:show]:
            print(f"  invented {r.id}: got {r.got_title!r}")
        for r in [r for r in dev if r.author_found is False or r.author_wrong][:show]:
            print(f"  author  {r.id}: got {r.got_author!r}")
        for r in [r for r in dev if r.refused][:show]:
            print(f"  refused {r.id}: {r.refused}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real-only", action="store_true", help="only the labelled real dumps")
    parser.add_argument("--dev-only", action="store_true",
                        help="real dumps: the dev part alone (while tuning)")  # fmt: skip
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("--only", nargs="*", help="page file names to score")
    parser.add_argument("--keep-punctuation", action="store_true", help="do not flatten ，：（）")
    parser.add_argument("--show", type=int, default=10, help="list this many title misses")
    args = parser.parse_args()
    splits = ("dev",) if args.dev_only else ("dev", "test")
    if args.real_only:
        real_dumps(args.show, splits)
        return 0

    paths = sorted(args.pages.glob("*.html"))
    if args.only:
        paths = [p for p in paths if p.name in set(args.only)]
    if not paths:
        print(f"no pages in {args.pages}")
        return 1
    records = {}
    if bench_truth is not None and bench_truth.TRUTH_FILE.is_file():
        records = {r.file: r for r in bench_truth.load_records()}
    size = sum(p.stat().st_size for p in paths)
    print(
        f"machine: {platform.processor() or platform.machine()} | cpus: {os.cpu_count()} | "
        f"Python {platform.python_version()}"
    )
    print(
        f"input: {len(paths)} pages, {size / 1e6:.2f} MB of HTML in {args.pages}; "
        f"truth records: {len(records)}; "
        f"punctuation {'kept' if args.keep_punctuation else 'flattened'}"
    )

    results: list[Result] = []
    skipped: list[str] = []
    start = time.perf_counter()
    for path in paths:
        outcome = evaluate(path, records.get(path.name), not args.keep_punctuation)
        if isinstance(outcome, str):
            skipped.append(f"{path.name} ({outcome})")
        else:
            results.append(outcome)
    seconds = time.perf_counter() - start

    print(f"scored {len(results)} pages in {seconds:.1f} s; skipped {len(skipped)}: {skipped}")
    print(f"{'':22}{'from text dump':>18}{'from HTML':>18}")
    print(
        f"{'title right':22}{rate([r.title_ok for r in results]):>18}"
        f"{rate([r.html_title_ok for r in results]):>18}"
    )
    print(
        f"{'first paragraph right':22}{rate([r.first_ok for r in results]):>18}"
        f"{rate([r.html_first_ok for r in results]):>18}"
    )
    print(
        f"{'body F1 (mean)':22}{mean([r.f1 for r in results]):>18}"
        f"{mean([r.html_f1 for r in results]):>18}"
    )
    print(
        f"{'pages leaking chrome':22}{rate([r.leaked for r in results]):>18}"
        f"{rate([r.html_leaked for r in results]):>18}"
    )
    misses = [r for r in results if r.title_ok is False][: args.show]
    if misses:
        print(f"first {len(misses)} title misses (dump path): file | got | want")
        for r in misses:
            print(f"  {r.file} | {r.got_title!r} | {r.want_title!r}")
    real_dumps(args.show, splits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
