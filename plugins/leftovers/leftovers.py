"""Pelican plugin: remove what a killed build left half-written in the output and the cache.

Every file the archive's plugins write is written under a temporary name
and renamed into place (a killed build never leaves a half file under the
real name), and each folder of the static search export is written under a
temporary name and renamed whole.  A build killed mid-write leaves those
temporary names behind, where a web server would publish them; the next
build removes them first.  The names are the ones these writers use:

  .<name>.<random>.tmp       plugins/citations, plugins/corpus_downloads, scraper.store
                             (which the page records and the kept documents use)
  .raw-<random>              plugins/raw_pages
  .new-<random>/             archive_search.export (a folder of the search index being written)
  .search-<random>/, search.old/  the search export's staging folders before December 2026
  .run.<random>.tmp          archive_search.export_runs (a chunk's postings, in the cache)

Pelican writes its own content cache in place, not under a temporary name:
a build killed while saving it leaves a cut-short file that makes every
later build fail (EOFError) until it is deleted.  So each of Pelican's
cache files is checked to be whole (read to its end, gzip or pickle) and
removed if it is not; Pelican then reads every article again.
"""

from __future__ import annotations

import gzip
import logging
import os
import pickle
import re
import shutil
import zlib
from pathlib import Path
from typing import Any

from pelican import signals

log = logging.getLogger(__name__)

LEFTOVER_FILE = re.compile(r"^\.(?:.+\.[0-9a-z_]{6,}\.tmp|raw-[0-9a-z_]{6,})$")
LEFTOVER_DIR = re.compile(r"^\.(?:search|new)-[0-9a-z_]{6,}$")
REPLACED_DIRS = ("search.old",)


def active(settings: dict[str, Any]) -> bool:
    """Whether this build lists the plugin (signals are process-wide)."""
    names = (getattr(p, "__name__", p) for p in settings.get("PLUGINS") or ())
    return any(str(name).rsplit(".", 1)[-1] == "leftovers" for name in names)


def sweep(folder: Path) -> list[Path]:
    """Remove the leftovers under `folder`; what was removed."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for top, dirs, files in os.walk(folder):
        here = Path(top)
        for name in list(dirs):
            if LEFTOVER_DIR.match(name) or name in REPLACED_DIRS:
                shutil.rmtree(here / name, ignore_errors=True)
                removed.append(here / name)
                dirs.remove(name)
        for name in files:
            if LEFTOVER_FILE.match(name):
                (here / name).unlink(missing_ok=True)
                removed.append(here / name)
    return removed


def whole(path: Path, gzipped: bool) -> bool:
    """Whether a Pelican cache file was written to its end (a whole pickle, gzip or not)."""
    try:
        data = gzip.decompress(path.read_bytes()) if gzipped else path.read_bytes()
    except (OSError, EOFError, zlib.error):
        return False
    return data.endswith(pickle.STOP)


def pelican_caches(folder: Path) -> list[Path]:
    """Pelican's own cache files: one per generator, named after it (ArticlesGenerator-Readers)."""
    if not folder.is_dir():
        return []
    return [
        path for path in folder.iterdir()
        if path.is_file() and path.name.split("-")[0].endswith("Generator")
    ]  # fmt: skip


def clean(pelican: Any) -> None:
    settings = pelican.settings
    if not active(settings):
        return
    for folder in (settings.get("OUTPUT_PATH"), settings.get("CACHE_PATH")):
        if folder:
            removed = sweep(Path(folder))
            if removed:
                log.warning(
                    "leftovers: removed %d temporary files of an interrupted build from %s",
                    len(removed), folder,
                )  # fmt: skip
    cache = settings.get("CACHE_PATH")
    for path in pelican_caches(Path(cache)) if cache else []:
        if not whole(path, bool(settings.get("GZIP_CACHE", True))):
            path.unlink(missing_ok=True)
            log.warning(
                "leftovers: Pelican's cache %s was cut short (a build killed while writing it): "
                "removed, every article is read again", path,
            )  # fmt: skip


def register() -> None:
    signals.initialized.connect(clean)
