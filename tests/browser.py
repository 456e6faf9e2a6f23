"""Headless Chromium (Debian's package, driven by Playwright) for tests of built pages.

Playwright is told to use /usr/bin/chromium, installed by `make setup`, rather
than a browser of its own download (which this machine could not fetch).
Pages are served from a folder by a plain static file server on 127.0.0.1,
as any web host would serve output/.
"""

from __future__ import annotations

import functools
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach
# Google's hosts, which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"


class _QuietHandler(SimpleHTTPRequestHandler):
    # Keep-alive, as static hosts serve: HTTP/1.0 would open a connection per
    # file.  Without TCP_NODELAY (nginx sets it too) a kept-alive connection
    # sends the body of a small file only after the client's delayed ACK of
    # the headers, some 40 ms later.
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (a free port); yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def static_server_process(folder: Path) -> Iterator[str]:
    """Serve `folder` as `static_server` does, from a process of its own; yield the URL.

    For timings: a server thread in the process driving the browser shares its
    interpreter lock, and its responses wait whenever Playwright is busy.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, __file__, str(folder), str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"http.server did not start on port {port}") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def chromium() -> Iterator[object]:
    """A Playwright browser on Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def local_page(browser: object, base: str, **options: object) -> Iterator[tuple[object, list[str]]]:
    """A page in a new context that may load only from `base` (and data: URLs).

    The second item lists every other address the page tried; those
    requests are aborted, so a test both sees and prevents them.
    """
    context = browser.new_context(**options)  # type: ignore[attr-defined]
    elsewhere: list[str] = []

    def route(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(base) or url.startswith("data:"):
            route.continue_()  # type: ignore[attr-defined]
        else:
            elsewhere.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)
    try:
        yield context.new_page(), elsewhere
    finally:
        context.close()


def wait_until(page: object, expression: str, timeout: float = 15.0) -> object:
    """Poll `expression` in the page until it is truthy (its value), like wait_for_function.

    Playwright's wait_for_function evaluates its predicate with eval, which
    the site's Content-Security-Policy forbids (no 'unsafe-eval'); evaluate
    is not subject to it, so the pages are tested with their policy on.
    """
    deadline = time.monotonic() + timeout
    problem = ""
    while True:
        try:
            value = page.evaluate(expression)  # type: ignore[attr-defined]
        except Exception as exc:  # a navigation under way, or the page not there yet
            value, problem = None, str(exc)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout} s: {expression} {problem}")
        time.sleep(0.05)


if __name__ == "__main__":  # the server of `static_server_process`: FOLDER PORT
    handler = functools.partial(_QuietHandler, directory=sys.argv[1])
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), handler).serve_forever()
