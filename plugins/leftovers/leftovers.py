"""Pelican plugin: remove what a killed build left half-written in the output and the cache.

Every file the archive's plugins write is written under a temporary name
and renamed into place (a killed build never leaves a half file under the
real name), and the static search export is staged in a folder swapped in
whole.  A build killed mid-write leaves those temporary names behind, where
a web server would publish them; the next build removes them first.  The
names are the ones these writers use:

  .<name>.<random>.tmp       plugins/citations, plugins/corpus_downloads, scraper.store
  .raw-<random>              plugins/raw_pages
  .search-<random>/, <dir>.old/   archive_search.export (staging, the export replaced)
  .unchanged_pages.<random>, .export-rows.<random>.npz, .docs.<random>   the caches
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any

from pelican import signals

log = logging.getLogger(__name__)

LEFTOVER_FILE = re.compile(
    r"^\.(?:.+\.[0-9a-z_]{6,}\.tmp|raw-[0-9a-z_]{6,}|unchanged_pages\.[0-9a-z_]{6,}"
    r"|export-rows\.[0-9a-z_]{6,}\.npz|docs\.[0-9a-z_]{6,})$"
)
LEFTOVER_DIR = re.compile(r"^\.search-[0-9a-z_]{6,}$")
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


def register() -> None:
    signals.initialized.connect(clean)
