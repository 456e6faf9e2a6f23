"""The errors a page can end in: it gives no article the archive may write.

Callers (the crawl, the inbox, `reextract`, `python -m scraper extract`)
catch `PageError`, report its message, which names the page and why, and go
on with the next page.
"""

from __future__ import annotations


class PageError(ValueError):
    """A page that yields no article to write; the message names the page and why."""


class MismatchError(PageError):
    """The body found tells another story than the page's headline (a "next story"
    block, endless scrolling): writing the pair would mislead whoever cites it."""
