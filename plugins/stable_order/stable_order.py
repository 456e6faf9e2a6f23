"""Pelican plugin: articles of the same date in slug order, in every build.

Pelican sorts articles by date only (ARTICLE_ORDER_BY), so articles of one
date (all the undated ones, say) keep the order they had before.  That order
used to be the slug's, as a side effect of Pelican pairing translations by
slug; the archive has no translations and turns the pairing off
(ARTICLE_TRANSLATION_ID = None in pelicanconf.py), because it compares every
article with every other (150 s of a rebuild at 100,000 articles).  Without
it the order is the order the files were read in, which a cached or resumed
build does not repeat, and a listing page would change with no article
changed.  This plugin sorts each list by slug, then by Pelican's own order
again, before tags, dates and archives are made from it.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from pelican import signals
from pelican.utils import order_content

LISTS = ("articles", "hidden_articles", "drafts")


def active(settings: dict[str, Any]) -> bool:
    """Whether this build lists the plugin (signals are process-wide)."""
    names = (getattr(p, "__name__", p) for p in settings.get("PLUGINS") or ())
    return any(str(name).rsplit(".", 1)[-1] == "stable_order" for name in names)


def order(generator: Any) -> None:
    if not active(generator.settings):
        return
    for name in LISTS:
        contents = getattr(generator, name, None)
        if not contents:
            continue
        contents.sort(key=attrgetter("slug"))  # stable: the date sort below keeps it for ties
        setattr(generator, name, order_content(contents, generator.settings["ARTICLE_ORDER_BY"]))


def register() -> None:
    signals.article_generator_pretaxonomy.connect(order)
