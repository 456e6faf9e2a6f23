"""The servers the project starts (`invoke serve`, `invoke livereload`) serve output/ and nothing else.

The archive offers no query endpoint: searches run in the page on static
files (their query length is bounded there and in the API, see
tests/test_search_page.py).  What remains to hold is that a crafted path
never reaches a file outside the output folder.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT

SECRET = "这一行在输出目录之外"
ESCAPES = [
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "//secret.txt",
    "/site/../../secret.txt",
    "/site/%2e%2e/%2e%2e/secret.txt",
    "/..\\secret.txt",
    f"/{'../' * 12}etc/passwd",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, bytes]:
    """(status, body); status 0 when the server hung up without answering."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)  # the path as written
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    except http.client.RemoteDisconnected:
        return 0, b""
    finally:
        connection.close()


@pytest.fixture
def folders(tmp_path: Path) -> Path:
    """tmp/secret.txt beside tmp/site/output/index.html."""
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    output = tmp_path / "site" / "output"
    output.mkdir(parents=True)
    (tmp_path / "site" / "content").mkdir()
    (output / "index.html").write_text("<p>首页</p>", encoding="utf-8")
    return output


@contextmanager
def serving(command: list[str], port: int) -> Iterator[None]:
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"server did not start: {command}") from None
                time.sleep(0.1)
        yield
    finally:
        process.kill()
        process.wait()


SERVERS = {
    # what `invoke serve` runs
    "pelican --listen": lambda output, port: [
        sys.executable, "-m", "pelican", str(output.parent / "content"), "--listen",
        "--bind", "127.0.0.1", "--port", str(port), "-o", str(output),
        "-s", str(ROOT / "pelicanconf.py"),
    ],
    # what `invoke livereload` serves with
    "livereload": lambda output, port: [
        sys.executable, "-c",
        "import sys; from livereload import Server; "
        "Server().serve(host='127.0.0.1', port=int(sys.argv[1]), root=sys.argv[2], open_url_delay=None)",
        str(port), str(output),
    ],
}  # fmt: skip


@pytest.mark.parametrize("server", list(SERVERS))
def test_no_path_reaches_outside_the_output_folder(folders: Path, server: str) -> None:
    port = free_port()
    with serving(SERVERS[server](folders, port), port):
        status, body = get(port, "/index.html")
        assert status == 200 and "首页" in body.decode("utf-8")
        for path in ESCAPES:
            status, body = get(port, path)
            assert SECRET.encode("utf-8") not in body and b"root:" not in body, (server, path)
            # livereload answers 403 or 404; Pelican's server hangs up (0) on what it cannot find
            assert status in (0, 400, 403, 404), (server, path, status)
        assert get(port, "/index.html")[0] == 200  # still serving after every attempt
