"""`python -m scraper`: the pipeline's commands.

Errors on one input are reported with the input's name and the next input
is processed; the exit status says whether all went well.  No traceback
reaches the user unless --debug asks for it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scraper.models import Article

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scraper",
        description="Scrape, clean and tag county news about grassroots Party building.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    extract = commands.add_parser(
        "extract",
        help="clean one or more pages and print the articles",
        description=(
            "Extract, clean and tag saved pages (HTML in any Chinese charset, or text dumps) "
            "or http(s) URLs, and print each article."
        ),
    )
    extract.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
    form = extract.add_mutually_exclusive_group()
    form.add_argument(
        "--json", dest="format", action="store_const", const="json",
        help="one JSON object per input, one per line (the documented contract)",
    )  # fmt: skip
    form.add_argument(
        "--markdown", dest="format", action="store_const", const="markdown",
        help="the article exactly as it is stored in content/",
    )  # fmt: skip
    extract.add_argument("--url", help="the original URL of a saved page (one input only)")
    extract.set_defaults(format="text")
    return parser


def _show(article: Article, form: str, target: str) -> str:
    from scraper.markdown_out import to_markdown
    from scraper.slugs import inbox_source, slug_for
    from scraper.store import stamp

    if form == "json":
        return json.dumps(article.to_dict(), ensure_ascii=False)
    if form == "markdown":
        # As the inbox import or the crawler stores it; the retrieval time and
        # archive record are filled in by those, which fetch and archive.
        source = article.url or inbox_source(Path(target).name)
        extra: dict[str, object] = {
            "slug": slug_for(article, source),
            "retrieved": None,
            "archive": None,
        }
        if not article.url:
            extra["source_file"] = Path(target).name
        return stamp(to_markdown(article, extra))
    lines = [f"# {article.title or '(无标题)'}"]
    for key in ("date", "date_partial", "author", "site", "source", "url", "province", "city",
                "county", "keywords", "tags", "primary_tag", "warnings"):  # fmt: skip
        value = getattr(article, key)
        if value:
            lines.append(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
    return "\n".join(lines) + "\n\n" + article.body + "\n"


def _extract(args: argparse.Namespace) -> int:
    from scraper.errors import PageError
    from scraper.inputs import InputError, read_input
    from scraper.pipeline import extract_article

    if args.url and len(args.inputs) > 1:
        print("error: --url names the original of one input; give one input", file=sys.stderr)
        return EXIT_USAGE
    status = EXIT_OK
    for target in args.inputs:
        try:
            shown = _show(extract_article(read_input(target, url=args.url)), args.format, target)
        except (InputError, PageError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = EXIT_FAILED
            continue
        except Exception as exc:
            if args.debug:
                raise
            print(
                f"error: {target}: could not extract ({type(exc).__name__}: {exc})", file=sys.stderr
            )
            status = EXIT_FAILED
            continue
        print(shown, flush=True)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "extract":
        return _extract(args)
    return EXIT_USAGE
