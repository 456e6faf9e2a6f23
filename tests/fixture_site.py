"""A fake county news site served on 127.0.0.1, for crawl tests and the scrape bench.

It imitates an old county CMS: GBK pages declared as gb2312, table layout,
TRS-style list pagination (index.html, index_1.html …), a menu, a footer
with ICP and 公网安备 lines.  The page templates are our own writing; the
article paragraphs are recombined at run time from the seed dumps in
../shared/seeds (never stored in the repository), so bodies read like real
county reports.  Faults can be switched on per path: 404, 500, a hang, a
redirect loop, a page that changes between runs.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scraper.script import is_traditional

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PER_PAGE = 20

_MENU = (
    '<table width="980" align="center"><tr><td class="nav">'
    '<a href="/index.html">首页</a> <a href="/news/index.html">新闻中心</a> '
    '<a href="/dangjian/index.html">党建园地</a> <a href="/zwgk/index.html">政务公开</a> '
    '<a href="/hudong/index.html">互动交流</a></td></tr></table>'
)
_FOOTER = (
    '<table width="980" align="center"><tr><td class="footer">'
    "主办：某某县融媒体中心 承办：某某县信息中心<br>"
    "版权所有 某某县新闻网 地址：某某县城关镇人民路1号 电话：0000-1234567<br>"
    "某ICP备00000000号 某公网安备00000000000000号</td></tr></table>"
)
_LIST = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>新闻中心 - 某某县新闻网</title></head><body>{menu}
<table width="980" align="center"><tr><td class="position">当前位置：<a href="/index.html">首页</a> &gt; 新闻中心</td></tr>
<tr><td><ul class="list">{items}</ul>
<div class="page">{pager}</div></td></tr></table>{footer}</body></html>"""
_ITEM = '<li><a href="{href}" target="_blank">{title}</a><span>{day}</span></li>'
_ARTICLE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title} - 某某县新闻网</title></head><body>{menu}
<table width="980" align="center"><tr><td class="position">当前位置：<a href="/index.html">首页</a> &gt; <a href="/news/index.html">新闻中心</a> &gt; 正文</td></tr>
<tr><td class="title" align="center"><font size="5"><b>{title}</b></font></td></tr>
<tr><td class="info" align="center">发布时间：{day} 09:30　来源：某某县新闻网　作者：{author}　浏览次数：128</td></tr>
<tr><td class="content" style="font-size:16px;line-height:2em">{paragraphs}</td></tr>
<tr><td align="right">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</td></tr>
</table>{footer}</body></html>"""
_CHANNEL = """<html><head><meta charset="gb2312"><title>党建园地 - 某某县新闻网</title></head>
<body>{menu}<table><tr><td><a href="/dangjian/index_1.html">组织建设</a> <a href="/dangjian/index_2.html">党员教育</a></td></tr></table>{footer}</body></html>"""
_AUTHORS = ("王明", "李华", "张强", "赵敏", "陈刚")


def seed_sentences() -> list[str]:
    """Sentences of the simplified seeds' body paragraphs, to recombine into new bodies."""
    sentences: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) >= 60 and "。" in line and not is_traditional(line):
                sentences += [s + "。" for s in line.split("。") if len(s) >= 12]
    return sentences


@dataclass
class Fault:
    status: int = 200
    hang: float = 0.0
    location: str | None = None
    body: bytes | None = None  # with status 200: served as the page, with content_type
    content_type: str = "text/html"


@dataclass
class CountySite:
    """The site's content and switchable faults; the handler reads it on every request."""

    articles: int = 30
    robots: str = "User-agent: *\nDisallow: /private/\n"
    extra_links: list[tuple[str, str]] = field(default_factory=list)  # (href, text) on page 0
    faults: dict[str, Fault] = field(default_factory=dict)
    edition: int = 0  # bump to change every article's text (a page that changes between runs)
    log: list[tuple[float, str, dict[str, str]]] = field(default_factory=list)
    _sentences: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sentences = seed_sentences()
        self._lock = threading.Lock()

    @staticmethod
    def article_path(n: int) -> str:
        return f"/news/2021/{1 + n % 12:02d}{1 + n % 28:02d}/{10000 + n}.html"

    def title(self, n: int) -> str:
        return f"某某县扎实推进基层党组织建设工作动态（第{n + 1}期）"

    def day(self, n: int) -> str:
        return f"2021-{1 + n % 12:02d}-{1 + n % 28:02d}"

    def paragraphs(self, n: int) -> list[str]:
        """Five paragraphs of four seed sentences each, the same for the same n and edition."""
        rng = random.Random(n * 7919 + self.edition)
        chosen = ["".join(rng.sample(self._sentences, k=4)) for _ in range(5)]
        if self.edition:
            chosen[0] = f"（第{self.edition}次修订）{chosen[0]}"
        return chosen

    def list_page(self, page: int) -> str:
        pages = max(1, -(-self.articles // PER_PAGE))
        first = page * PER_PAGE
        items = [
            _ITEM.format(href=self.article_path(n), title=self.title(n), day=self.day(n))
            for n in range(first, min(first + PER_PAGE, self.articles))
        ]
        if page == 0:
            items += [_ITEM.format(href=h, title=t, day="2021-01-01") for h, t in self.extra_links]
        pager = f"共{pages}页 "
        if page + 1 < pages:
            pager += f'<a href="index_{page + 1}.html">下一页</a>'
        return _LIST.format(menu=_MENU, items="".join(items), pager=pager, footer=_FOOTER)

    def article_page(self, n: int) -> str:
        body = "".join(f"<p>　　{p}</p>" for p in self.paragraphs(n))
        return _ARTICLE.format(
            title=self.title(n), day=self.day(n), author=_AUTHORS[n % len(_AUTHORS)],
            paragraphs=body, menu=_MENU, footer=_FOOTER,
        )  # fmt: skip

    def respond(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for `path`."""
        html = "text/html; charset=gb2312"
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, self.robots.encode()
        if path in ("/news/index.html", "/news/"):
            return 200, {"Content-Type": html}, self.list_page(0).encode("gb18030")
        if path.startswith("/news/index_") and path.endswith(".html"):
            page = int(path.removeprefix("/news/index_").removesuffix(".html"))
            return 200, {"Content-Type": html}, self.list_page(page).encode("gb18030")
        if path.startswith("/dangjian/"):
            return (
                200,
                {"Content-Type": html},
                _CHANNEL.format(menu=_MENU, footer=_FOOTER).encode("gb18030"),
            )
        name = path.rsplit("/", 1)[-1].removesuffix(".html")
        if path.startswith("/news/2021/") and name.isdigit():
            number = int(name) - 10000
            if 0 <= number < self.articles:
                page = self.article_page(number).encode("gb18030")
                return 200, {"Content-Type": html, "ETag": f'"{number}-{self.edition}"'}, page
        return 404, {"Content-Type": "text/html"}, b"<html><body>404 Not Found</body></html>"


class _Handler(BaseHTTPRequestHandler):
    site: CountySite

    def do_GET(self) -> None:
        site = self.server.site  # type: ignore[attr-defined]
        with site._lock:
            site.log.append((time.monotonic(), self.path, dict(self.headers)))
        fault = site.faults.get(self.path)
        if fault and fault.hang:
            time.sleep(fault.hang)
        if fault and fault.location:
            self.send_response(fault.status or 302)
            self.send_header("Location", fault.location)
            self.end_headers()
            return
        if fault and fault.status == 200 and fault.body is not None:
            self.send_response(200)
            self.send_header("Content-Type", fault.content_type)
            self.send_header("Content-Length", str(len(fault.body)))
            self.end_headers()
            self.wfile.write(fault.body)
            return
        if fault and fault.status != 200:
            self.send_response(fault.status)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(fault.body or b"<html><body>error</body></html>")
            return
        status, headers, body = site.respond(self.path.split("?")[0])
        etag = headers.get("ETag")
        if etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving(site: CountySite) -> Iterator[str]:
    """Serve `site` on 127.0.0.1 on a free port; yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.site = site  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
