"""What a site's robots.txt lets us fetch, and how slowly.

County sites are small government servers; the archive only exists because
they let us read them, so we keep to their robots.txt even where a rule looks
accidental.  The conventions follow RFC 9309:

* a robots.txt that answers 4xx (404, 410, 403 …) means "no rules": all allowed;
* one that answers 5xx or 429, or cannot be reached at all, means "we do not
  know the rules": nothing on that host is fetched for the rest of the run,
  and the reason is reported rather than silently skipping the site;
* `Crawl-delay` (and `Request-rate`) become a floor on the delay between two
  requests to the host.

This module holds the rules and the per-host cache; fetching robots.txt is
the fetcher's job (it has the politeness, timeouts and size cap), so the
cache is given a loader instead of doing network I/O itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> str:
    """The scheme, host and port of `url`: the key of politeness and of robots.txt.

    Two sites on one host but different ports are different servers to
    robots.txt (RFC 9309 §2.3), so the port is part of the key; the default
    port is spelt out so that `http://x/` and `http://x:80/` share one key.
    Raises ValueError for a URL without an http(s) scheme or a host.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    port = parts.port or DEFAULT_PORTS[scheme]
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets in a URL
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def robots_url(origin_key: str) -> str:
    """Where the robots.txt of an origin (as made by `origin`) lives."""
    return f"{origin_key}/robots.txt"


def agent_token(user_agent: str) -> str:
    """The token robots.txt groups name us by: the product name before the first "/"."""
    words = user_agent.split("/", 1)[0].split()
    return words[0].lower() if words else "*"


@dataclass(frozen=True)
class RobotsPolicy:
    """The rules of one origin, as far as we could learn them.

    Exactly one of three states: `parser` set (a robots.txt was read),
    `unreachable` set (we could not learn the rules, so nothing is allowed),
    or neither (no robots.txt: everything is allowed).
    """

    origin: str
    parser: Protego | None = None
    unreachable: str | None = None

    def allows(self, url: str, agent: str) -> bool:
        """Whether `agent` may fetch `url`; always False while the rules are unknown."""
        if self.unreachable is not None:
            return False
        if self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        """Seconds robots.txt asks between two requests, from Crawl-delay or Request-rate."""
        if self.parser is None:
            return None
        delays: list[float] = []
        crawl_delay = self.parser.crawl_delay(agent)
        if crawl_delay is not None and crawl_delay > 0:
            delays.append(float(crawl_delay))
        rate = self.parser.request_rate(agent)
        if rate is not None and rate.requests > 0 and rate.seconds > 0:
            delays.append(rate.seconds / rate.requests)
        return max(delays) if delays else None


def policy_from_response(
    origin_key: str, status: int | None, content: bytes, error: str | None
) -> RobotsPolicy:
    """Turn the answer to a robots.txt request into a policy (RFC 9309 §2.3.1).

    `status`, `content` and `error` are those of the fetch (status None when
    there was no response at all).  Redirect trouble (more than five hops, a
    loop) counts as "no robots.txt", as the RFC allows.
    """
    if error in ("too many redirects", "redirect loop"):
        return RobotsPolicy(origin_key)
    if status == 200:
        if error is not None:  # e.g. larger than the size cap: rules unknown
            return RobotsPolicy(origin_key, unreachable=error)
        text = content.decode("utf-8", errors="replace").lstrip("\ufeff")
        try:
            return RobotsPolicy(origin_key, parser=Protego.parse(text))
        except Exception:  # a parser bug must not open a site whose rules we could not read
            return RobotsPolicy(origin_key, unreachable="could not be parsed")
    if status is None:
        return RobotsPolicy(origin_key, unreachable=error or "no response")
    if status == 429 or status >= 500:
        return RobotsPolicy(origin_key, unreachable=error or f"HTTP {status}")
    # 4xx, and answers with nothing to read (204, a 3xx without Location): no rules.
    return RobotsPolicy(origin_key)


class RobotsCache:
    """robots.txt policies per origin, each loaded once per run, safe across threads.

    Threads crawling different hosts never wait for each other; two threads
    asking for the same origin at once load it only once (the second waits for
    the first), so a host never sees robots.txt requested twice.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._policies: dict[str, RobotsPolicy] = {}
        self._loading: dict[str, threading.Lock] = {}

    def peek(self, origin_key: str) -> RobotsPolicy | None:
        """The policy already loaded for an origin, without loading it."""
        with self._lock:
            return self._policies.get(origin_key)

    def get(self, origin_key: str, load: Callable[[str], RobotsPolicy]) -> RobotsPolicy:
        """The policy of an origin, calling `load(origin_key)` the first time only."""
        with self._lock:
            policy = self._policies.get(origin_key)
            if policy is not None:
                return policy
            loading = self._loading.setdefault(origin_key, threading.Lock())
        with loading:
            with self._lock:
                policy = self._policies.get(origin_key)
            if policy is None:
                policy = load(origin_key)
                with self._lock:
                    self._policies[origin_key] = policy
            return policy
