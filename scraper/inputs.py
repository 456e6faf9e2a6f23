"""Reading what the `extract` command is given: a saved page, a text dump or a URL.

The crawler has its own fetcher (politeness, retries, archiving); this is the
one-shot path for a single page, with errors that name the input.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

from scraper.dates import SHANGHAI
from scraper.models import RawPage

USER_AGENT = "grassroots-archive/0.1 (research archive of county news)"
TIMEOUT = 20
MAX_BYTES = 20 * 1024 * 1024


class InputError(OSError):
    """The input could not be read; the message names it."""


def read_input(target: str, url: str | None = None) -> RawPage:
    """Read `target` (a path or an http(s) URL) into a RawPage."""
    if target.startswith(("http://", "https://")):
        return _fetch(target)
    path = Path(target)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{target}: {size} bytes is larger than the {MAX_BYTES}-byte limit")
        content = path.read_bytes()
    except IsADirectoryError as exc:
        raise InputError(f"{target}: is a directory, not a page") from exc
    except FileNotFoundError as exc:
        raise InputError(f"{target}: no such file") from exc
    except OSError as exc:
        raise InputError(f"{target}: cannot read ({exc.strerror or exc})") from exc
    return RawPage(location=target, content=content, url=url)


def _fetch(url: str) -> RawPage:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            content = response.read(MAX_BYTES + 1)
            if len(content) > MAX_BYTES:
                raise InputError(f"{url}: page larger than {MAX_BYTES} bytes")
            return RawPage(
                location=url,
                content=content,
                url=response.geturl(),
                content_type=response.headers.get("Content-Type"),
                fetched_at=datetime.now(SHANGHAI),
            )
    except urllib.error.HTTPError as exc:
        raise InputError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(f"{url}: cannot fetch ({reason})") from exc
