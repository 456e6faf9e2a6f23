"""Pelican plugin: do not gather the lists of tag and author pages the site does not write.

Pelican makes each tag's and each author's page by first collecting, for
every one of them, its dated articles (`[a for a in self.dates if a in
articles]`: every article of the site tested against a plain list), and only
then asking the writer, which writes nothing when TAG_SAVE_AS or
AUTHOR_SAVE_AS is empty.  The archive writes its own pages by practice and
place instead (plugins/archive_pages), so those scans only cost time: they
grow with the number of articles times the size of each list, and took 340 s
of a 690 s rebuild at 100,000 articles (`bench/build_speed.py`).

When a kind of page has no SAVE_AS, this plugin replaces that generator's
method with one that does nothing; Pelican's tags and authors themselves
(feeds, templates, plugins read them) are left as they are.  Any kind of
page whose SAVE_AS is set is made by Pelican as usual.
"""

from __future__ import annotations

import logging
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator

log = logging.getLogger(__name__)

# ArticlesGenerator method -> the setting naming where its pages go.
LISTINGS = {
    "generate_tags": "TAG_SAVE_AS",
    "generate_categories": "CATEGORY_SAVE_AS",
    "generate_authors": "AUTHOR_SAVE_AS",
}


def _nothing_to_write(write: Any) -> None:
    """The pages' SAVE_AS is empty: Pelican's writer would write none of them."""


def active(settings: dict[str, Any]) -> bool:
    """Whether this build lists the plugin (signals are process-wide)."""
    names = (getattr(p, "__name__", p) for p in settings.get("PLUGINS") or ())
    return any(str(name).rsplit(".", 1)[-1] == "unwritten_listings" for name in names)


def skip_unwritten(generator: Any) -> list[str]:
    """Make the listings whose SAVE_AS is empty cost nothing; the methods skipped."""
    if not isinstance(generator, ArticlesGenerator) or not active(generator.settings):
        return []
    skipped = []
    for method, setting in LISTINGS.items():
        if not generator.settings.get(setting):
            setattr(generator, method, _nothing_to_write)
            skipped.append(method)
    if skipped:
        log.debug("unwritten_listings: %s skipped (no SAVE_AS)", ", ".join(skipped))
    return skipped


def register() -> None:
    signals.article_generator_finalized.connect(skip_unwritten)
