"""A small web server on 127.0.0.1 for tests: fixed answers, handler callables, a request log.

The fetcher's and the crawler's tests need real HTTP (timeouts, redirects,
gzip, robots.txt, politeness measured in wall-clock time) without any network
but the loopback.  This is a `ThreadingHTTPServer` on an ephemeral port, run in
a thread, that

* answers registered paths with a fixed `Reply` (`route`, `redirect`), a
  callable (`handle`: it gets the `LoggedRequest` and returns a `Reply`), or a
  file from a folder (`serve_directory`, for whole fixture sites);
* answers anything else 404 (so an unregistered /robots.txt allows all);
* logs every request with its arrival time (`time.monotonic()`, comparable
  with the test's own clock) and lower-cased headers.

    with FixtureServer() as server:
        server.route("/a.html", body="<p>hi</p>", content_type="text/html; charset=utf-8")
        server.redirect("/old", "/a.html")
        server.handle("/slow", lambda request: server.wait(5) or Reply(body=b"late"))
        fetch(server.url("/a.html"))
        assert server.count("/a.html") == 1
"""

from __future__ import annotations

import mimetypes
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Reply:
    """What the server sends: status, headers and a body.

    A `bytes` body is sent with a Content-Length; an iterable of chunks is
    streamed without one and the connection closed after it (so a test can
    send an endless body, or a slow one, by yielding).
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it."""

    method: str
    path: str  # path and query, as sent
    headers: dict[str, str]  # lower-case names
    time: float  # time.monotonic() when the request line was read
    client_port: int = 0  # the client's port: requests on one kept-alive connection share it

    @property
    def bare_path(self) -> str:
        """The path without its query."""
        return urlsplit(self.path).path


Handler = Callable[[LoggedRequest], Reply]


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up (timeouts, size caps, redirects not read) are expected here."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class FixtureServer:
    """A threaded HTTP server on 127.0.0.1 and an ephemeral port; use it as a context manager."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._routes: dict[str, Handler] = {}
        self._folders: list[tuple[str, Path]] = []
        self._log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _QuietServer((host, 0), self._handler_class())
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> FixtureServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; handlers sleeping in `wait` wake up and finish at once."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- addresses --------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:PORT`, without a trailing slash."""
        return f"http://{self._server.server_address[0]}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.origin + path

    # -- what to answer -----------------------------------------------------------

    def route(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str | None = None,
    ) -> None:
        """Answer `path` (with or without its query) with a fixed reply; str bodies go as UTF-8."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        reply_headers = dict(headers or {})
        if content_type:
            reply_headers["Content-Type"] = content_type
        self.handle(path, lambda _request: Reply(status, dict(reply_headers), data))

    def handle(self, path: str, handler: Handler) -> None:
        """Answer `path` by calling `handler(request)`, in the server's thread for that request."""
        with self._lock:
            self._routes[path] = handler

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        """Answer `path` with a redirect to `to` (relative or absolute)."""
        self.route(path, status=status, headers={"Location": to})

    def serve_directory(self, folder: Path | str, prefix: str = "/") -> None:
        """Serve the files under `folder` at `prefix` (e.g. a whole fixture site); index.html for /."""
        with self._lock:
            self._folders.append((prefix.rstrip("/") + "/", Path(folder)))

    def wait(self, seconds: float) -> None:
        """Sleep in a handler, cut short when the server stops (so tests never hang on it)."""
        self._stopping.wait(seconds)

    # -- what was asked ------------------------------------------------------------

    @property
    def log(self) -> list[LoggedRequest]:
        """Every request so far, in order of arrival."""
        with self._lock:
            return list(self._log)

    def requests_for(self, path: str) -> list[LoggedRequest]:
        """The requests for `path` (matched with its query if it has one, else without)."""
        return [r for r in self.log if r.path == path or ("?" not in path and r.bare_path == path)]

    def count(self, path: str) -> int:
        return len(self.requests_for(path))

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    # -- inside the server ------------------------------------------------------------

    def _answer(self, request: LoggedRequest) -> Reply:
        with self._lock:
            self._log.append(request)
            handler = self._routes.get(request.path) or self._routes.get(request.bare_path)
            folders = list(self._folders)
        if handler is not None:
            return handler(request)
        for prefix, folder in folders:
            if request.bare_path.startswith(prefix):
                return _file_reply(folder, request.bare_path[len(prefix) :])
        return Reply(404, {"Content-Type": "text/plain"}, b"not found")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fixture = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            arrived = 0.0

            def do_GET(self) -> None:
                self._serve(send_body=True)

            def do_HEAD(self) -> None:
                self._serve(send_body=False)

            def _serve(self, *, send_body: bool) -> None:
                request = LoggedRequest(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    time=self.arrived,
                    client_port=int(self.client_address[1]),
                )
                reply = fixture._answer(request)
                try:
                    self._send(reply, send_body=send_body)
                except (ConnectionError, TimeoutError):
                    self.close_connection = True  # the client gave up on us: fine

            def _send(self, reply: Reply, *, send_body: bool) -> None:
                self.send_response(reply.status)
                names = {name.lower() for name in reply.headers}
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if isinstance(reply.body, bytes | bytearray):
                    if "content-length" not in names:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if send_body:
                        self.wfile.write(reply.body)
                    return
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                if send_body:
                    for chunk in reply.body:
                        if fixture._stopping.is_set():
                            break
                        self.wfile.write(chunk)
                        self.wfile.flush()

            def parse_request(self) -> bool:
                # Runs right after the request line is read: the request's arrival.
                self.arrived = time.monotonic()
                return super().parse_request()

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep pytest output clean; the log above is what tests read

        return _Handler


def _file_reply(folder: Path, relative: str) -> Reply:
    """A file under `folder`, or 404; never anything outside it."""
    root = folder.resolve()
    target = (root / (relative or "index.html")).resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(root) or not target.is_file():
        return Reply(404, {"Content-Type": "text/plain"}, b"not found")
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return Reply(200, {"Content-Type": content_type}, target.read_bytes())
