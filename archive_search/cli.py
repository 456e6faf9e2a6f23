"""`python -m archive_search QUERY …` and `invoke search QUERY …`: search from the command line.

Both take the same options (`--tag --place --site --from --to --limit
--format`) and print the same output, made here: a table for people (CJK
characters counted double width so columns line up), JSON or CSV for
programs.  Errors in the query or a missing index are one line on stderr and
exit status 2 or 1, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from .index import DEFAULT_CONTENT_DIR, DEFAULT_INDEX_DIR, IndexUnavailable, index_content
from .query import ROW_FIELDS, QueryError, SearchResults, search

FORMATS = ("table", "json", "csv")
UNDATED = "日期不详"
TITLE_WIDTH = 50
PLACE_WIDTH = 20


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit(text: str, width: int) -> str:
    """`text` cut to `width` columns (an ellipsis marks the cut) and padded to exactly `width`."""
    if display_width(text) > width:
        out, used = [], 0
        for ch in text:
            w = display_width(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        text = "".join(out) + "…"
    return text + " " * (width - display_width(text))


def render_table(results: SearchResults) -> str:
    """Date (or 日期不详), title, place and tags, one article a line, then the count."""
    lines = []
    if results.hits:
        header = f"{fit('日期', 10)}  {fit('标题', TITLE_WIDTH)}  {fit('地区', PLACE_WIDTH)}  标签"
        lines += [header, "-" * display_width(header)]
    for hit in results.hits:
        day = hit.date[:10] if hit.date else UNDATED
        place = " ".join(hit.places)
        row = f"{fit(day, 10)}  {fit(hit.title, TITLE_WIDTH)}  {fit(place, PLACE_WIDTH)}  "
        lines.append((row + ",".join(hit.tags)).rstrip())
    shown = len(results.hits)
    if results.total == 0:
        lines.append("没有找到结果 / no results")
    elif shown < results.total:
        lines.append(
            f"共 {results.total} 篇，显示前 {shown} 篇 / {results.total} found, {shown} shown"
        )
    else:
        lines.append(f"共 {results.total} 篇 / {results.total} found")
    return "\n".join(lines)


def render_json(results: SearchResults) -> str:
    data = {
        "query": results.query,
        "filters": results.filters,
        "total": results.total,
        "hits": results.to_rows(),
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def render_csv(results: SearchResults) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ROW_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(results.to_rows())
    return out.getvalue().rstrip("\n")


def render(results: SearchResults, form: str) -> str:
    """The results in `form` (table, json or csv)."""
    if form == "json":
        return render_json(results)
    if form == "csv":
        return render_csv(results)
    return render_table(results)


def run_search(
    query: str,
    *,
    tag: str = "",
    place: str = "",
    site: str = "",
    date_from: str = "",
    date_to: str = "",
    limit: int = 20,
    form: str = "table",
    index_dir: Path | None = None,
    reindex: bool = False,
    content_dir: Path = DEFAULT_CONTENT_DIR,
) -> int:
    """Search and print; the exit status (0 found or not, 1 no index, 2 bad query or option)."""
    if form not in FORMATS:
        print(f"未知格式 / unknown format {form!r} (table, json, csv)", file=sys.stderr)
        return 2
    try:
        if reindex:
            report = index_content(content_dir, index_dir or DEFAULT_INDEX_DIR)
            print(report.summary(), file=sys.stderr)
        results = search(
            query,
            tag=tag or None,
            place=place or None,
            site=site or None,
            date_from=date_from or None,
            date_to=date_to or None,
            limit=None if limit == 0 else limit,
            index_dir=index_dir or DEFAULT_INDEX_DIR,
            snippets=form != "table",
        )
    except QueryError as exc:
        print(f"检索式有误 / bad query: {exc}", file=sys.stderr)
        return 2
    except IndexUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(render(results, form))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m archive_search",
        description=(
            "Search the archive's index (built by `invoke build`).  Results come newest "
            "first, undated last.  Query syntax: words (implicit AND), AND / OR / NOT, "
            '(parentheses), "quoted phrases", tag:ID place:NAME site:NAME year:YYYY '
            "title:WORD — see `archive_search.query`."
        ),
        epilog='example: python -m archive_search "软弱涣散 OR 后进" --place 红安县 --from 2020',
    )
    p.add_argument("query", help='the query, e.g. 软弱涣散 or "村级 集体经济" NOT 扶贫')
    p.add_argument("--tag", default="", help="practice id among the article's tags")
    p.add_argument("--place", default="", help="province, city or county name (exact)")
    p.add_argument("--site", default="", help="publishing site name (exact)")
    p.add_argument("--from", dest="date_from", default="", help="first day, YYYY[-MM[-DD]]")
    p.add_argument("--to", dest="date_to", default="", help="last day, YYYY[-MM[-DD]]")
    p.add_argument("--limit", type=int, default=20, help="how many to show (0: all; default 20)")
    p.add_argument("--format", choices=FORMATS, default="table", help="output (default table)")
    p.add_argument("--index-dir", type=Path, default=DEFAULT_INDEX_DIR, help="index folder")
    p.add_argument("--reindex", action="store_true", help="update the index from --content first")
    p.add_argument("--content", type=Path, default=DEFAULT_CONTENT_DIR, help="articles folder")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    return run_search(
        args.query,
        tag=args.tag,
        place=args.place,
        site=args.site,
        date_from=args.date_from,
        date_to=args.date_to,
        limit=args.limit,
        form=args.format,
        index_dir=args.index_dir,
        reindex=args.reindex,
        content_dir=args.content,
    )
