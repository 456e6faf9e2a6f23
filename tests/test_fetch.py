"""The polite fetcher against a real HTTP server on 127.0.0.1: one test per behaviour.

Backoff waits go through the fetcher's injectable `sleep`, recorded instead of
slept, so retry tests take no time; politeness tests use real time with small
delays and measure the gaps with the server's own arrival times.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from itertools import count, pairwise

import pytest
from http_fixture import FixtureServer, LoggedRequest, Reply

from scraper.fetch import USER_AGENT, Fetcher, FetchResult
from scraper.robots import origin, policy_from_response

# Arrival times on the server can be a little closer than the client's starts
# (the first request also pays for the connection); allow for that much.
SLACK = 0.03
PAGE = "<html><head><title>红安县</title></head><body><p>资格联审</p></body></html>".encode()


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


@pytest.fixture
def other_server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


class Waits(list[float]):
    """A `sleep` that records how long it was asked to wait and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(round(seconds, 3))


def quick_fetcher(**options: object) -> tuple[Fetcher, Waits]:
    """A fetcher that never really sleeps: for tests about what happens, not when."""
    waits = Waits()
    settings: dict[str, object] = {"delay": 0.0, "timeout": 2.0, "backoff": 0.5, "sleep": waits}
    settings.update(options)
    return Fetcher(**settings), waits  # type: ignore[arg-type]


def gaps(requests: list[LoggedRequest]) -> list[float]:
    times = [r.time for r in requests]
    return [later - earlier for earlier, later in pairwise(times)]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- answers ---------------------------------------------------------------------


def test_ok_page_comes_back_with_its_headers(server: FixtureServer) -> None:
    server.route(
        "/news/1.html",
        PAGE,
        content_type="text/html; charset=utf-8",
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT"},
    )
    fetcher, _ = quick_fetcher()
    result = fetcher.get(server.url("/news/1.html"))
    assert result.ok and result.error is None and not result.not_modified
    assert (result.status, result.content, result.url) == (200, PAGE, server.url("/news/1.html"))
    assert result.headers["content-type"] == "text/html; charset=utf-8"
    assert result.headers["etag"] == '"v1"'
    assert result.request_headers["user-agent"] == USER_AGENT
    assert server.requests_for("/news/1.html")[0].headers["user-agent"] == USER_AGENT
    assert result.fetched_at.utcoffset() == timedelta(hours=8)
    assert result.redirects == []
    assert result.to_raw_page().content == PAGE


def test_gzip_body_is_decompressed_but_not_decoded(server: FixtureServer) -> None:
    gbk = "村级集体经济".encode("gbk")
    server.route("/gbk.html", gzip.compress(gbk), headers={"Content-Encoding": "gzip"})
    fetcher, _ = quick_fetcher()
    result = fetcher.get(server.url("/gbk.html"))
    assert result.ok and result.content == gbk
    assert "gzip" in server.requests_for("/gbk.html")[0].headers["accept-encoding"]


def test_404_is_not_retried(server: FixtureServer) -> None:
    fetcher, waits = quick_fetcher()
    result = fetcher.get(server.url("/gone.html"))
    assert (result.status, result.error, result.content) == (404, "HTTP 404", b"")
    assert not result.ok
    assert server.count("/gone.html") == 1
    assert waits == []


def test_500_is_retried_with_backoff_then_given_up(server: FixtureServer) -> None:
    server.route("/broken.html", "oops", status=500)
    fetcher, waits = quick_fetcher(retries=3, backoff=0.5)
    result = fetcher.get(server.url("/broken.html"))
    assert result.error == "HTTP 500 after 3 tries"
    assert result.status == 500 and result.content == b""
    assert server.count("/broken.html") == 3
    assert waits == [0.5, 1.0]


def test_503_then_200_succeeds_after_retry_after(server: FixtureServer) -> None:
    answers = iter([Reply(503, {"Retry-After": "2"}, b"busy"), Reply(200, {}, PAGE)])
    server.handle("/busy.html", lambda _request: next(answers))
    fetcher, waits = quick_fetcher(backoff=0.5)
    result = fetcher.get(server.url("/busy.html"))
    assert result.ok and result.content == PAGE
    assert server.count("/busy.html") == 2
    assert waits == [2.0]  # Retry-After beat the 0.5 s backoff


def test_retry_after_longer_than_the_cap_gives_up_at_once(server: FixtureServer) -> None:
    server.route("/later.html", "", status=429, headers={"Retry-After": "3600"})
    fetcher, waits = quick_fetcher(max_retry_after=60)
    result = fetcher.get(server.url("/later.html"))
    assert result.error is not None and result.error.startswith("HTTP 429")
    assert "Retry-After 3600" in result.error
    assert server.count("/later.html") == 1 and waits == []


def test_timeout_is_retried_and_reported(server: FixtureServer) -> None:
    def never_answers(_request: LoggedRequest) -> Reply:
        server.wait(5)
        return Reply(body=b"too late")

    server.handle("/hang.html", never_answers)
    fetcher, _ = quick_fetcher(timeout=0.3, retries=2)
    started = time.monotonic()
    result = fetcher.get(server.url("/hang.html"))
    assert time.monotonic() - started < 2
    assert result.error == "timeout after 2 tries"
    assert result.status is None and result.content == b""
    assert server.count("/hang.html") == 2


def test_body_trickled_past_the_deadline_is_a_timeout(server: FixtureServer) -> None:
    def trickle(_request: LoggedRequest) -> Reply:
        def chunks() -> Iterator[bytes]:
            for _ in range(100):  # one byte every 0.05 s: each read is quick, the whole is not
                server.wait(0.05)
                yield b"x"

        return Reply(200, {}, chunks())

    server.handle("/drip.html", trickle)
    fetcher, _ = quick_fetcher(timeout=0.1, retries=1)  # the body gets 6 timeouts: 0.6 s
    started = time.monotonic()
    result = fetcher.get(server.url("/drip.html"))
    assert result.error == "timeout" and result.content == b""
    assert time.monotonic() - started < 1.5


def test_request_headers_are_kept_when_no_response_comes() -> None:
    fetcher, _ = quick_fetcher(retries=1, obey_robots=False)
    result = fetcher.get(f"http://127.0.0.1:{closed_port()}/a.html", etag='"v1"')
    assert result.request_headers["user-agent"] == USER_AGENT
    assert result.request_headers["if-none-match"] == '"v1"'


# -- redirects -----------------------------------------------------------------------


def test_redirect_chain_is_followed(server: FixtureServer) -> None:
    server.redirect("/a", "/b", status=301)
    server.redirect("/b", server.url("/c.html"))
    server.route("/c.html", PAGE)
    fetcher, _ = quick_fetcher()
    result = fetcher.get(server.url("/a"))
    assert result.ok and result.content == PAGE
    assert result.requested_url == server.url("/a")
    assert result.url == server.url("/c.html")
    assert result.redirects == [server.url("/a"), server.url("/b")]


def test_redirect_loop_is_stopped(server: FixtureServer) -> None:
    server.redirect("/a", "/b")
    server.redirect("/b", "/a")
    fetcher, _ = quick_fetcher()
    result = fetcher.get(server.url("/a"))
    assert result.error == "redirect loop" and result.content == b""
    assert server.count("/a") == 1 and server.count("/b") == 1


def test_cookie_check_redirect_to_itself_is_not_a_loop(server: FixtureServer) -> None:
    def cookie_wall(request: LoggedRequest) -> Reply:
        if "visited=1" in request.headers.get("cookie", ""):
            return Reply(200, {}, PAGE)
        return Reply(302, {"Location": "/wall.html", "Set-Cookie": "visited=1; Path=/"})

    server.handle("/wall.html", cookie_wall)
    fetcher, _ = quick_fetcher()
    result = fetcher.get(server.url("/wall.html"))
    assert result.ok and result.redirects == [server.url("/wall.html")]
    assert server.count("/wall.html") == 2


def test_too_many_redirects_are_stopped(server: FixtureServer) -> None:
    for hop in range(10):
        server.redirect(f"/hop{hop}", f"/hop{hop + 1}")
    fetcher, _ = quick_fetcher(max_redirects=5)
    result = fetcher.get(server.url("/hop0"))
    assert result.error == "too many redirects"
    assert len([r for r in server.log if r.path.startswith("/hop")]) == 6


def test_each_redirect_hop_is_checked_against_robots(server: FixtureServer) -> None:
    server.route("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    server.redirect("/go", "/private/page.html")
    server.route("/private/page.html", PAGE)
    fetcher, _ = quick_fetcher()
    result = fetcher.get(server.url("/go"))
    assert result.error == "disallowed by robots.txt"
    assert server.count("/private/page.html") == 0


# -- size ------------------------------------------------------------------------------


def test_page_larger_than_max_bytes_is_cut_and_reported(server: FixtureServer) -> None:
    sent = count()

    def endless(_request: LoggedRequest) -> Reply:
        def chunks() -> Iterator[bytes]:
            for _ in range(10_000):  # 100 MB if nobody stopped reading
                next(sent)
                yield b"x" * 10_000

        return Reply(200, {"Content-Type": "text/html"}, chunks())

    server.handle("/huge.html", endless)
    fetcher, _ = quick_fetcher(max_bytes=50_000)
    result = fetcher.get(server.url("/huge.html"))
    assert result.error == "larger than 50000 bytes"
    assert result.content == b"" and not result.ok
    assert server.count("/huge.html") == 1  # not retried


def test_declared_length_over_the_cap_is_refused_unread(server: FixtureServer) -> None:
    server.route("/big.pdf", b"y" * 60_000)
    fetcher, _ = quick_fetcher(max_bytes=50_000)
    assert fetcher.get(server.url("/big.pdf")).error == "larger than 50000 bytes"


# -- robots.txt -------------------------------------------------------------------------


def test_robots_disallow_is_respected(server: FixtureServer) -> None:
    server.route("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    server.route("/private/a.html", PAGE)
    server.route("/public/a.html", PAGE)
    fetcher, _ = quick_fetcher()
    assert not fetcher.allowed(server.url("/private/a.html"))
    refused = fetcher.get(server.url("/private/a.html"))
    assert refused.error == "disallowed by robots.txt" and refused.status is None
    assert fetcher.get(server.url("/public/a.html")).ok
    assert server.count("/private/a.html") == 0
    assert server.count("/robots.txt") == 1  # read once per host


def test_robots_group_for_our_agent_applies(server: FixtureServer) -> None:
    server.route("/robots.txt", "User-agent: grassroots-archive\nDisallow: /\n\nUser-agent: *\n")
    server.route("/a.html", PAGE)
    fetcher, _ = quick_fetcher()
    assert fetcher.get(server.url("/a.html")).error == "disallowed by robots.txt"
    assert server.count("/a.html") == 0


def test_robots_404_allows_everything(server: FixtureServer) -> None:
    server.route("/a.html", PAGE)
    fetcher, _ = quick_fetcher()
    assert fetcher.allowed(server.url("/anything/at/all"))
    assert fetcher.get(server.url("/a.html")).ok
    assert server.count("/robots.txt") == 1


def test_robots_5xx_keeps_the_host_out_for_the_run(server: FixtureServer) -> None:
    server.route("/robots.txt", "down", status=503)
    server.route("/a.html", PAGE)
    fetcher, _ = quick_fetcher(retries=2)
    result = fetcher.get(server.url("/a.html"))
    assert result.error == "robots.txt unreachable: HTTP 503 after 2 tries"
    assert not fetcher.allowed(server.url("/b.html"))
    assert server.count("/a.html") == 0
    assert server.count("/robots.txt") == 2  # its own retries, then cached


def test_robots_is_read_once_when_threads_start_together(server: FixtureServer) -> None:
    server.route("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    server.route("/a.html", PAGE)
    fetcher, _ = quick_fetcher()
    threads = [
        threading.Thread(target=fetcher.get, args=(server.url("/a.html"),)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.count("/robots.txt") == 1 and server.count("/a.html") == 4


@pytest.mark.parametrize(
    ("status", "body", "error", "allowed"),
    [
        (200, b"", None, True),  # an empty robots.txt has no rules
        (200, b"User-agent: *\nDisallow: /\n", None, False),
        (401, b"", "HTTP 401", True),  # RFC 9309: any 4xx is "no robots.txt" …
        (410, b"", "HTTP 410", True),
        (429, b"", "HTTP 429 after 3 tries", False),  # … except 429, which is "try later"
        (500, b"", "HTTP 500 after 3 tries", False),
        (None, b"", "timeout after 3 tries", False),
        (302, b"", "too many redirects", True),
    ],
)
def test_robots_answers_become_policies(
    status: int | None, body: bytes, error: str | None, allowed: bool
) -> None:
    policy = policy_from_response("http://x.gov.cn:80", status, body, error)
    assert policy.allows("http://x.gov.cn/news/1.html", "grassroots-archive") is allowed


def test_robots_ignored_when_told(server: FixtureServer) -> None:
    server.route("/robots.txt", "User-agent: *\nDisallow: /\n")
    server.route("/a.html", PAGE)
    fetcher, _ = quick_fetcher(obey_robots=False)
    assert fetcher.get(server.url("/a.html")).ok
    assert server.count("/robots.txt") == 0


# -- politeness ----------------------------------------------------------------------------


def test_crawl_delay_is_a_floor_on_the_delay(server: FixtureServer) -> None:
    server.route("/robots.txt", "User-agent: *\nCrawl-delay: 0.3\n")
    server.route("/a.html", PAGE)
    fetcher = Fetcher(delay=0.0, timeout=2)
    for _ in range(2):
        assert fetcher.get(server.url("/a.html")).ok
    assert all(gap >= 0.3 - SLACK for gap in gaps(server.log))


def test_requests_to_one_host_are_spaced_by_delay(server: FixtureServer) -> None:
    server.route("/a.html", PAGE)
    fetcher = Fetcher(delay=0.2, timeout=2)
    for _ in range(3):
        assert fetcher.get(server.url("/a.html")).ok
    assert all(gap >= 0.2 - SLACK for gap in gaps(server.requests_for("/a.html")))
    # robots.txt counts too: the first page waited for it
    assert all(gap >= 0.2 - SLACK for gap in gaps(server.log))


def test_per_call_delay_overrides_the_default(server: FixtureServer) -> None:
    server.route("/a.html", PAGE)
    fetcher = Fetcher(delay=5.0, timeout=2, obey_robots=False)
    started = time.monotonic()
    fetcher.get(server.url("/a.html"), delay=0.1)
    fetcher.get(server.url("/a.html"), delay=0.1)
    assert time.monotonic() - started < 1
    assert gaps(server.log)[0] >= 0.1 - SLACK


def test_two_hosts_are_fetched_in_parallel(
    server: FixtureServer, other_server: FixtureServer
) -> None:
    for each in (server, other_server):
        each.route("/a.html", PAGE)
    fetcher = Fetcher(delay=0.4, timeout=2)
    results: list[FetchResult] = []

    def crawl(site: FixtureServer) -> None:
        for _ in range(2):
            results.append(fetcher.get(site.url("/a.html")))

    threads = [threading.Thread(target=crawl, args=(site,)) for site in (server, other_server)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert len(results) == 4 and all(result.ok for result in results)
    for site in (server, other_server):  # each host: robots, page, page, 0.4 s apart
        assert all(gap >= 0.4 - SLACK for gap in gaps(site.log))
    first, second = server.log[0].time, other_server.log[0].time
    assert abs(first - second) < 0.2  # the hosts did not wait for each other
    assert elapsed < 1.4  # one after the other would take at least 1.6 s


def test_one_connection_serves_pages_errors_and_redirects(server: FixtureServer) -> None:
    server.route("/a.html", PAGE)
    server.redirect("/old.html", "/a.html")
    fetcher, _ = quick_fetcher()
    for path in ("/a.html", "/missing.html", "/old.html"):
        fetcher.get(server.url(path))
    assert len(server.log) == 5  # robots.txt, a, missing, old, a
    assert len({request.client_port for request in server.log}) == 1


# -- conditional requests -----------------------------------------------------------------


def test_conditional_request_and_304(server: FixtureServer) -> None:
    def validators(request: LoggedRequest) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, {"ETag": '"v1"'})
        return Reply(200, {"ETag": '"v1"'}, PAGE)

    server.handle("/a.html", validators)
    fetcher, _ = quick_fetcher()
    result = fetcher.get(
        server.url("/a.html"), etag='"v1"', last_modified="Wed, 21 Oct 2015 07:28:00 GMT"
    )
    assert result.not_modified and not result.ok
    assert (result.status, result.error, result.content) == (304, None, b"")
    sent = server.requests_for("/a.html")[0].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert fetcher.get(server.url("/a.html")).ok  # no validators: the full page


# -- URLs and connections that go nowhere ---------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["mailto:office@hongan.gov.cn", "javascript:void(0)", "ftp://example.org/a", "/news/1.html"],
)
def test_non_http_url_gives_an_error_result(url: str) -> None:
    fetcher, _ = quick_fetcher()
    result = fetcher.get(url)
    assert (result.error, result.status, result.content) == ("not an http(s) URL", None, b"")
    assert result.requested_url == url
    assert not fetcher.allowed(url)


def test_empty_page_is_not_ok_and_says_why(server: FixtureServer) -> None:
    server.route("/empty.html", b"")
    fetcher, _ = quick_fetcher()
    result = fetcher.get(server.url("/empty.html"))
    assert (result.status, result.error, result.ok) == (200, "empty response", False)


def test_politeness_key_is_scheme_host_and_port() -> None:
    assert origin("http://WWW.Hongan.gov.cn/a?b") == "http://www.hongan.gov.cn:80"
    assert origin("http://www.hongan.gov.cn:80/") == origin("http://www.hongan.gov.cn/")
    assert origin("https://www.hongan.gov.cn/") == "https://www.hongan.gov.cn:443"
    assert origin("http://127.0.0.1:8001/") != origin("http://127.0.0.1:8002/")


def test_connection_refused_gives_an_error_result() -> None:
    fetcher, waits = quick_fetcher(retries=2, obey_robots=False)
    result = fetcher.get(f"http://127.0.0.1:{closed_port()}/a.html")
    assert result.error == "connection refused after 2 tries"
    assert result.status is None and result.content == b""
    assert waits == [0.5]


def test_unreachable_host_blocks_its_robots_check() -> None:
    fetcher, _ = quick_fetcher(retries=1)
    result = fetcher.get(f"http://127.0.0.1:{closed_port()}/a.html")
    assert result.error == "robots.txt unreachable: connection refused"
