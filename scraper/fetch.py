"""The crawler's polite fetcher: one page's bytes, or a short reason why not.

County news sites run on small, old government servers.  The archive may
only read them if it never makes a nuisance of itself, and it has to keep
going when a site misbehaves, so this module is about those two things:

* politeness: one request at a time per host, at least `delay` seconds
  between their starts (raised by the site's Crawl-delay), robots.txt obeyed
  on every hop, a User-Agent that says who we are;
* robustness: every failure (refused connection, a server that accepts and
  never answers, 5xx, redirect loops, a 2 GB "page") ends as a `FetchResult`
  with `error` set, never as an exception, so one broken site cannot stop
  the crawl of the others.

Why requests (over httpx): it sits on urllib3 and http.client, which are
lenient with the slightly malformed responses old county CMS servers send
(stray bytes in headers, GBK in Location), where httpx's h11 is strict; its
only new dependency here is itself (urllib3, idna, certifi and
charset-normalizer are already installed); and urllib3's `read1` streams the
decompressed body in bounded pieces (it caps how much one read may inflate,
so a gzip bomb is cut at the size cap too).  A Session is not documented as
thread-safe, so each thread gets its own; the crawler runs one thread per
site, so cookies stay per site.

Redirects are followed by hand rather than by requests so that each hop is
checked against robots.txt and waits its turn at its host, and so that loops
are told apart from long chains.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
import urllib3.exceptions

from scraper.dates import SHANGHAI
from scraper.models import RawPage
from scraper.robots import RobotsCache, RobotsPolicy, agent_token, origin, policy_from_response
from scraper.robots import robots_url as robots_url_of

USER_AGENT = "grassroots-archive/0.1 (+research archive of county news)"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"
ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9,en;q=0.5"
CHUNK_BYTES = 64 * 1024
# A body must arrive within this many `timeout`s in all: a read timeout alone
# would let a server that trickles one byte every few seconds hold a thread forever.
BODY_DEADLINE_TIMEOUTS = 6
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_AFTER_STATUSES = frozenset({429, 503})


@dataclass
class FetchResult:
    """What one `Fetcher.get` came back with, success or not.

    `redirects` lists the URLs that answered with a redirect, in order (the
    first is `requested_url`); it is empty when there was none, and `url` is
    where the chain ended.  `headers` and `request_headers` have lower-case
    keys.  `status` is the last HTTP status seen (None when no response came
    at all); `content` is b"" unless the fetch succeeded.
    """

    requested_url: str
    url: str
    status: int | None
    headers: dict[str, str]
    content: bytes
    fetched_at: datetime
    error: str | None
    request_headers: dict[str, str] = field(default_factory=dict)
    redirects: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """A page to keep: HTTP 200 with a body."""
        return self.error is None and self.status == 200 and bool(self.content)

    @property
    def not_modified(self) -> bool:
        """The server says the copy we hold (our If-None-Match / If-Modified-Since) is current."""
        return self.error is None and self.status == 304

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    def to_raw_page(self) -> RawPage:
        """The bytes for the decode stage, named by the URL asked for (what the crawler reports)."""
        return RawPage(
            location=self.requested_url,
            content=self.content,
            url=self.url,
            content_type=self.content_type,
            fetched_at=self.fetched_at,
        )


@dataclass
class _Answer:
    """One request's outcome after its retries: a response's parts, or an error."""

    url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    error: str | None = None
    request_headers: dict[str, str] = field(default_factory=dict)
    location: str | None = None
    set_cookie: bool = False


class _Retry(Exception):
    """Raised inside one try when trying again may help; `wait` is a floor on the pause."""

    def __init__(self, reason: str, wait: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class _HostGate:
    """When the next request to one host may start; its lock queues that host's requests."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_start: float | None = None


class Fetcher:
    """Fetches pages politely from many hosts at once, one thread per site.

    `retries` is the number of tries in all (3: the first and two more), so a
    give-up reads "HTTP 500 after 3 tries".  `delay` is the least time in
    seconds between the starts of two requests to one host (scheme, host and
    port), raised to the site's Crawl-delay up to `max_crawl_delay`.  `sleep`
    does every wait (backoff, politeness), so tests can record the waits
    instead of sitting through them.
    """

    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        timeout: float = 20,
        retries: int = 3,
        backoff: float = 1.0,
        max_bytes: int = 20 * 1024 * 1024,
        max_redirects: int = 5,
        delay: float = 1.0,
        obey_robots: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        max_crawl_delay: float = 60.0,
        max_retry_after: float = 60.0,
        verify_tls: bool = True,
    ) -> None:
        self.user_agent = user_agent
        self.agent = agent_token(user_agent)
        self.timeout = timeout
        self.retries = max(1, retries)
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.delay = delay
        self.obey_robots = obey_robots
        self.max_crawl_delay = max_crawl_delay
        self.max_retry_after = max_retry_after
        self.verify_tls = verify_tls
        self._sleep = sleep
        self._robots = RobotsCache()
        self._gates: dict[str, _HostGate] = {}
        self._sessions: dict[int, requests.Session] = {}
        self._lock = threading.Lock()

    # -- public ---------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        delay: float | None = None,
    ) -> FetchResult:
        """Fetch `url`, following redirects; never raises for network trouble.

        `etag` and `last_modified` are the validators stored with the last
        copy (the ETag and Last-Modified headers it came with); when given, a
        current page answers 304 and the result is `not_modified`.  `delay`
        overrides the constructor's politeness delay for this call.
        """
        headers = {"Accept": ACCEPT, "Accept-Language": ACCEPT_LANGUAGE}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        result = self._follow(url, headers, delay, check_robots=self.obey_robots)
        if result.status == 200 and result.error is None and not result.content:
            result.error = "empty response"  # so that every result not ok says why
        return result

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch `url` (fetching robots.txt the first time per host).

        False also when the host's robots.txt could not be read (5xx, no
        answer): we do not crawl a site whose rules we do not know.
        """
        return self._robots_refusal(url) is None

    def robots_policy(self, url: str) -> RobotsPolicy | None:
        """The robots.txt policy of `url`'s host (loading it), or None for a non-http URL."""
        try:
            key = origin(url)
        except ValueError:
            return None
        return self._robots.get(key, self._load_robots)

    def close(self) -> None:
        """Close every thread's connections; a later `get` opens new ones."""
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for session in sessions:
            session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- redirects and robots -------------------------------------------------

    def _follow(
        self, url: str, headers: dict[str, str], delay: float | None, *, check_robots: bool
    ) -> FetchResult:
        """Fetch `url` and the redirects it leads to, each hop checked and paced."""
        redirects: list[str] = []
        seen = {urldefrag(url).url}
        current = url
        while True:
            problem = _url_problem(current)
            if problem is not None:
                return self._result(url, _Answer(current, error=problem), redirects)
            if check_robots:
                refusal = self._robots_refusal(current)
                if refusal is not None:
                    return self._result(url, _Answer(current, error=refusal), redirects)
            answer = self._request(current, headers, delay)
            if answer.error is not None or answer.location is None:
                return self._result(url, answer, redirects)
            target = urljoin(current, answer.location)
            redirects.append(current)
            if urlsplit(target).scheme.lower() not in ("http", "https"):
                answer.error = "redirect to a non-http(s) URL"
                return self._result(url, answer, redirects)
            key = urldefrag(target).url
            # A page that sets a cookie and sends us back to itself is a cookie
            # check, not a loop: the second visit carries the cookie.
            if key in seen and not answer.set_cookie:
                answer.error = "redirect loop"
                return self._result(url, answer, redirects)
            if len(redirects) > self.max_redirects:
                answer.error = "too many redirects"
                return self._result(url, answer, redirects)
            seen.add(key)
            current = target

    def _robots_refusal(self, url: str) -> str | None:
        """Why robots.txt forbids `url`, or None when it may be fetched."""
        if _url_problem(url) is not None:
            return _url_problem(url)
        if not self.obey_robots:
            return None
        policy = self._robots.get(origin(url), self._load_robots)
        if policy.unreachable is not None:
            return f"robots.txt unreachable: {policy.unreachable}"
        if not policy.allows(url, self.agent):
            return "disallowed by robots.txt"
        return None

    def _load_robots(self, origin_key: str) -> RobotsPolicy:
        """Fetch and read one host's robots.txt, with the same pacing and retries as pages."""
        result = self._follow(
            robots_url_of(origin_key),
            {"Accept": "text/plain,*/*;q=0.5"},
            None,
            check_robots=False,
        )
        return policy_from_response(origin_key, result.status, result.content, result.error)

    # -- one request, with retries -------------------------------------------

    def _request(self, url: str, headers: dict[str, str], delay: float | None) -> _Answer:
        """One URL, retried on 5xx, 429, timeouts and dropped connections with backoff."""
        answer = _Answer(url)
        for attempt in range(self.retries):
            answer = _Answer(url)
            try:
                self._wait_turn(url, delay)
                self._try_once(url, headers, answer)
                return answer
            except _Retry as retry:
                answer.error = retry.reason
                if retry.wait > self.max_retry_after:
                    answer.error = f"{retry.reason} (Retry-After {retry.wait:g} s, too long)"
                    return answer
                if attempt + 1 < self.retries:
                    self._sleep(max(self.backoff * 2**attempt, retry.wait))
        if self.retries > 1:
            answer.error = f"{answer.error} after {self.retries} tries"
        return answer

    def _try_once(self, url: str, headers: dict[str, str], answer: _Answer) -> None:
        """Send one request and fill `answer`; raise `_Retry` when another try may help."""
        session = self._session()
        # What we mean to send, kept even when no response comes; replaced below by
        # what was actually sent (with cookies) when one does.
        answer.request_headers = {k.lower(): str(v) for k, v in session.headers.items()}
        answer.request_headers.update({k.lower(): v for k, v in headers.items()})
        try:
            response = session.get(
                url,
                headers=headers,
                timeout=(self.timeout, self.timeout),
                allow_redirects=False,
                stream=True,
                verify=self.verify_tls,
            )
        except Exception as exc:  # every failure becomes a result
            reason, retry = _describe(exc)
            if retry:
                raise _Retry(reason) from exc
            answer.error = reason
            return
        with response:
            answer.status = response.status_code
            answer.headers = {key.lower(): value for key, value in response.headers.items()}
            answer.request_headers = {
                key.lower(): str(value) for key, value in response.request.headers.items()
            }
            answer.set_cookie = "set-cookie" in answer.headers
            status = response.status_code
            if status != 200:
                _drain(response)
            if status in REDIRECT_STATUSES:
                location = session.get_redirect_target(response)
                if location:
                    answer.location = location
                else:
                    answer.error = f"HTTP {status} without Location"
                return
            if status == 304:
                return
            if status in RETRY_AFTER_STATUSES or status >= 500:
                wait = _retry_after(answer.headers.get("retry-after"))
                raise _Retry(f"HTTP {status}", wait if status in RETRY_AFTER_STATUSES else 0.0)
            if status != 200:
                answer.error = f"HTTP {status}"
                return
            answer.content, answer.error = self._read_body(response)

    def _read_body(self, response: requests.Response) -> tuple[bytes, str | None]:
        """Stream the decompressed body, stopping at the size cap and the body deadline."""
        too_large = f"larger than {self.max_bytes} bytes"
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            return b"", too_large
        body = bytearray()
        deadline = time.monotonic() + self.timeout * BODY_DEADLINE_TIMEOUTS
        try:
            # read1 returns what has arrived (at most one socket read, decompressed
            # at most CHUNK_BYTES), so the deadline is checked even against a
            # server that trickles; iter_content would block until a chunk is full.
            while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
                if len(body) + len(chunk) > self.max_bytes:
                    return b"", too_large
                body += chunk
                if time.monotonic() > deadline:
                    raise _Retry("timeout")
        except _Retry:
            raise
        except Exception as exc:  # a cut-off body is a result too
            reason, retry = _describe(exc)
            if retry:
                raise _Retry(reason) from exc
            return b"", reason
        return bytes(body), None

    # -- politeness and sessions ----------------------------------------------

    def _wait_turn(self, url: str, delay: float | None) -> None:
        """Block until `url`'s host may get another request, then mark the start of ours.

        The host's lock is held while waiting so that threads sharing a host
        queue up; threads on other hosts are not held up at all.
        """
        key = origin(url)
        with self._lock:
            gate = self._gates.setdefault(key, _HostGate())
        spacing = self.delay if delay is None else delay
        policy = self._robots.peek(key) if self.obey_robots else None
        if policy is not None:
            spacing = max(spacing, min(policy.crawl_delay(self.agent) or 0.0, self.max_crawl_delay))
        with gate.lock:
            if gate.last_start is not None:
                wait = gate.last_start + spacing - time.monotonic()
                if wait > 0:
                    self._sleep(wait)
            gate.last_start = time.monotonic()

    def _session(self) -> requests.Session:
        """This thread's Session (requests does not promise one is safe to share)."""
        ident = threading.get_ident()
        with self._lock:
            session = self._sessions.get(ident)
            if session is None:
                session = requests.Session()
                session.headers["User-Agent"] = self.user_agent
                session.headers["Accept-Encoding"] = "gzip, deflate"
                self._sessions[ident] = session
            return session

    def _result(self, requested: str, answer: _Answer, redirects: list[str]) -> FetchResult:
        content = answer.content if answer.error is None else b""
        return FetchResult(
            requested_url=requested,
            url=answer.url,
            status=answer.status,
            headers=answer.headers,
            content=content,
            fetched_at=datetime.now(SHANGHAI),
            error=answer.error,
            request_headers=answer.request_headers,
            redirects=list(redirects),
        )


def _drain(response: requests.Response) -> None:
    """Read away a small error or redirect body, so the connection can be used again.

    A new connection per 404 or redirect costs the server more than the few
    bytes; a large or unsized body is not worth waiting for, and is dropped.
    """
    declared = response.headers.get("Content-Length", "").strip()
    if not declared.isdigit() or int(declared) > CHUNK_BYTES:
        return
    try:
        response.raw.read(int(declared), decode_content=False)
    except Exception:  # the connection is dropped instead; nothing is lost
        return


def _url_problem(url: str) -> str | None:
    """Why `url` cannot be fetched at all (mailto:, javascript:, no host …), or None."""
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return "not an http(s) URL"
        parts.port  # noqa: B018 - raises ValueError for a port like ":abc"
    except ValueError:
        return "invalid URL"
    return None


def _retry_after(value: str | None) -> float:
    """Seconds a Retry-After header asks for (seconds or an HTTP date); 0 if absent or bad."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return 0.0
    if when.tzinfo is None:
        return 0.0
    return max(0.0, when.timestamp() - time.time())


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps: requests hides urllib3's and the socket's errors."""
    todo: list[BaseException] = [exc]
    seen: set[int] = set()
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        linked.extend(current.args)
        todo.extend(item for item in linked if isinstance(item, BaseException))


def _describe(exc: BaseException) -> tuple[str, bool]:
    """A short reason for a failed request, and whether trying again may help."""
    causes = list(_causes(exc))

    def has(*kinds: type[BaseException]) -> bool:
        return any(isinstance(cause, kinds) for cause in causes)

    if has(requests.exceptions.SSLError, urllib3.exceptions.SSLError):
        return "TLS error", False
    # Refusal and DNS first: urllib3's NewConnectionError subclasses its ConnectTimeoutError.
    if has(ConnectionRefusedError):
        return "connection refused", True
    if has(urllib3.exceptions.NameResolutionError):
        return "host not found", True
    if has(requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError):
        return "timeout", True
    if has(ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
        return "connection reset", True
    if has(requests.exceptions.ContentDecodingError, urllib3.exceptions.DecodeError):
        return "body not decompressible", False
    if has(
        requests.exceptions.ChunkedEncodingError,
        urllib3.exceptions.ProtocolError,
        urllib3.exceptions.IncompleteRead,
    ):
        return "incomplete response", True
    if has(
        requests.exceptions.InvalidURL,
        requests.exceptions.InvalidSchema,
        requests.exceptions.MissingSchema,
        urllib3.exceptions.LocationValueError,
        UnicodeError,
    ):
        return "invalid URL", False
    if has(requests.exceptions.ConnectionError, OSError):
        return "connection error", True
    return f"fetch failed ({type(exc).__name__})", False
