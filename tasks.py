"""invoke tasks: the maintainers' commands (`invoke --list`).

`invoke scrape build` is the main job: crawl the sites of sources.toml,
import the inbox, then build the site.  Pelican's usual tasks (build,
rebuild, serve, livereload, publish, clean) are kept under their usual names.

The archive's data (content/, archive/, output/, search_index/, cache/) lives in the
project folder, or in the folder the environment variable ARCHIVE_HOME
names (a test builds the seed archive that way, leaving the project alone).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from invoke import Context, task

if TYPE_CHECKING:
    from scraper.crawl import Workspace

ROOT = Path(__file__).resolve().parent
HOME = Path(os.environ.get("ARCHIVE_HOME") or ROOT).resolve()
CONTENT = HOME / "content"
OUTPUT = HOME / "output"
SETTINGS = ROOT / "pelicanconf.py"


def workspace() -> Workspace:
    """Where scraping writes: HOME/content/scraped and HOME/archive."""
    from scraper.crawl import Workspace

    return Workspace(content_dir=CONTENT / "scraped", archive_dir=HOME / "archive")


@task(
    help={
        "sources": "site list to crawl (default: sources.toml); 'none' to crawl nothing",
        "inbox": "folder of saved pages or text dumps to import",
        "refresh": "fetch known pages again (conditionally) instead of skipping them",
    }
)
def scrape(
    c: Context, sources: str = "sources.toml", inbox: str = "", refresh: bool = False
) -> None:
    """Crawl the configured sites and import the inbox into content/scraped."""
    from scraper.run import scrape as run_scrape

    source_path = None if sources == "none" else Path(sources)
    where = workspace()
    report = run_scrape(
        sources=source_path,
        inbox=Path(inbox) if inbox else None,
        refresh=refresh,
        workspace=where,
    )
    print(report.table())
    print(f"报告已写入 {where.report_path}")


@task(help={"sources": "site list whose default places apply (default: sources.toml)"})
def reextract(c: Context, sources: str = "sources.toml") -> None:
    """Run extraction again on every archived page, without fetching anything."""
    from scraper.run import reextract as run_reextract

    report = run_reextract(sources=Path(sources), workspace=workspace())
    print(report.table())


@task(help={"content": "folder of articles to re-tag (default: content)"})
def retag(c: Context, content: str = "") -> None:
    """Re-tag every stored article from its text after taxonomy.toml changed."""
    from scraper.retag import retag as run_retag

    print(run_retag(Path(content) if content else CONTENT).summary())


@task
def build(c: Context) -> None:
    """Build the site into output/ (development settings)."""
    c.run(f"{sys.executable} -m pelican {CONTENT} -o {OUTPUT} -s {SETTINGS}")


@task
def rebuild(c: Context) -> None:
    """Build the site from scratch (no cache)."""
    clean(c)
    build(c)


@task
def clean(c: Context) -> None:
    """Remove the built site and the build cache (CACHE_PATH of pelicanconf.py)."""
    shutil.rmtree(OUTPUT, ignore_errors=True)
    shutil.rmtree(HOME / "cache", ignore_errors=True)


@task(help={"port": "port to serve on (default 8000)"})
def livereload(c: Context, port: int = 8000) -> None:
    """Build, serve output/ on http://127.0.0.1:PORT, rebuild and reload the page on every edit."""
    from livereload import Server

    def cached_build() -> None:  # pelicanconf.py keeps Pelican's content cache on
        c.run(f"{sys.executable} -m pelican {CONTENT} -o {OUTPUT} -s {SETTINGS}")

    cached_build()
    server = Server()
    theme = ROOT / "theme"
    for pattern in (
        str(SETTINGS), f"{theme}/templates/**/*.html", f"{theme}/static/**/*.css",
        f"{theme}/static/**/*.js", f"{CONTENT}/**/*.md", str(ROOT / "taxonomy.toml"),
    ):  # fmt: skip
        server.watch(pattern, cached_build)
    server.serve(host="127.0.0.1", port=port, root=str(OUTPUT))


@task(help={"port": "port to serve on (default 8000)"})
def serve(c: Context, port: int = 8000) -> None:
    """Serve output/ on http://127.0.0.1:PORT."""
    c.run(
        f"{sys.executable} -m pelican {CONTENT} --listen --bind 127.0.0.1 --port {port}"
        f" -o {OUTPUT} -s {SETTINGS}"
    )


@task
def publish(c: Context) -> None:
    """Build the site with the publishing settings."""
    c.run(f"{sys.executable} -m pelican {CONTENT} -o {OUTPUT} -s {ROOT / 'publishconf.py'}")


@task
def test(c: Context) -> None:
    """Lint and run every test."""
    c.run("ruff check . && ruff format --check . && python -m pytest -q")


@task(help={"paths": "pages, text dumps or URLs", "form": "json, markdown or text"})
def extract(c: Context, paths: str, form: str = "text") -> None:
    """Show the clean article of saved pages or URLs (space-separated)."""
    flag = "" if form == "text" else f"--{form}"
    c.run(f"{sys.executable} -m scraper extract {paths} {flag}")


@task(
    help={
        "query": 'the query: words, AND / OR / NOT, (…), "phrases", tag: place: site: year: title:',
        "tag": "practice id among the article's tags",
        "place": "province, city or county name (exact)",
        "site": "publishing site name (exact)",
        "from_": "first day, YYYY[-MM[-DD]]",
        "to": "last day, YYYY[-MM[-DD]]",
        "limit": "how many to show (0: all; default 20)",
        "format": "table (default), json or csv",
        "index_dir": "index folder (default search_index/)",
    },
    positional=["query"],
)
def search(
    c: Context,
    query: str,
    tag: str = "",
    place: str = "",
    site: str = "",
    from_: str = "",
    to: str = "",
    limit: int = 20,
    format: str = "table",
    index_dir: str = "",
) -> None:
    """Search the index built by `invoke build`, newest first (same as python -m archive_search)."""
    from archive_search.cli import run_search

    status = run_search(
        query, tag=tag, place=place, site=site, date_from=from_, date_to=to, limit=limit,
        form=format, index_dir=Path(index_dir) if index_dir else HOME / "search_index",
    )  # fmt: skip
    if status:
        sys.exit(status)
