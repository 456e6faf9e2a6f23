"""Articles of one date come in slug order whatever order they were read in."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from . import stable_order

DAY = dt.datetime(2021, 5, 4, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def generator(
    slugs_and_days: list[tuple[str, int]], order_by: str = "reversed-date"
) -> SimpleNamespace:
    articles = [SimpleNamespace(slug=s, date=DAY + dt.timedelta(days=d)) for s, d in slugs_and_days]
    settings = {"PLUGINS": ["stable_order"], "ARTICLE_ORDER_BY": order_by}
    return SimpleNamespace(settings=settings, articles=articles, hidden_articles=[], drafts=None)


def test_ties_are_broken_by_slug_and_dates_keep_pelicans_order() -> None:
    read_in = [("c", 0), ("z-new", 3), ("a", 0), ("m-old", -2), ("b", 0)]
    made = generator(read_in)
    stable_order.order(made)
    assert [a.slug for a in made.articles] == ["z-new", "a", "b", "c", "m-old"]
    again = generator(list(reversed(read_in)))
    stable_order.order(again)
    assert [a.slug for a in again.articles] == [a.slug for a in made.articles]


def test_another_order_setting_is_followed() -> None:
    made = generator([("c", 0), ("a", 1), ("b", 0)], order_by="date")
    stable_order.order(made)
    assert [a.slug for a in made.articles] == ["b", "c", "a"]


def test_a_build_without_the_plugin_is_left_alone() -> None:
    made = generator([("c", 0), ("a", 0)])
    made.settings["PLUGINS"] = []
    stable_order.order(made)
    assert [a.slug for a in made.articles] == ["c", "a"]
