"""Broken pages in a crawl: each is named in the report with what was wrong, and the crawl goes on.

A fake county site on 127.0.0.1 (tests/fixture_site.py) lists good articles
beside pages that are truncated, binary, empty, 50 MB long, in the wrong
declared charset either way, in two encodings at once, or nested 100,000
elements deep.  The crawl runs in its own process so its peak memory can be
read from the kernel.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixture_site import SEEDS

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds")
ROOT = Path(__file__).resolve().parents[1]

# Run in a child process: python tests/test_broken_pages.py WORKDIR prints the report as JSON.
CRAWL = """
import json, resource, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from tests.fixture_site import CountySite, Fault, serving
from tests.test_crawl import run

site = CountySite(articles=3)
page = site.article_page


def gbk(n):
    return page(n).encode("gb18030")


def cut_inside_a_character(data):  # past 60 %, after the first byte of a Chinese character
    start = len(data) * 6 // 10
    lead = next(i for i in range(start, len(data)) if data[i - 1] < 0x80 and data[i] >= 0x81)
    return data[: lead + 1]


def mixed(n):  # a UTF-8 page with two paragraphs pasted in GBK
    head, *paragraphs = page(n).split("<p>")
    pasted = "".join("<p>" + p for p in paragraphs[:2]).encode("gbk")
    rest = "".join("<p>" + p for p in paragraphs[2:]).encode("utf-8")
    return head.encode("utf-8") + pasted + rest


def nested(n):
    inner = page(n).split("<body>")[1].split("</body>")[0]
    return ("<html><body>" + "<div>" * 100_000 + inner + "</div>" * 100_000).encode("utf-8")


utf8 = "text/html; charset=utf-8"
faults = {
    "truncated": Fault(body=cut_inside_a_character(gbk(4)), content_type="text/html; charset=gbk"),
    "binary": Fault(body=b"\\x89PNG\\r\\n\\x1a\\n" + bytes(range(256)) * 100),
    "empty": Fault(body=b""),
    "huge": Fault(body=b"<html><body>" + ("<p>" + "村党支部" * 2000 + "</p>").encode() * 2200,
                  content_type=utf8),
    "gbk-declared-utf8": Fault(body=page(5).replace("gb2312", "utf-8").encode("gb18030"),
                               content_type=utf8),
    "utf8-declared-gbk": Fault(body=page(6).encode("utf-8"), content_type="text/html; charset=gbk"),
    "mixed": Fault(body=mixed(7), content_type=utf8),
    "nested": Fault(body=nested(8), content_type=utf8),
}
for name, fault in faults.items():
    path = f"/news/2021/0101/{name}.html"
    site.extra_links.append((path, f"一篇{name}的某某县党建工作报道文章标题"))
    site.faults[path] = fault
work = Path(sys.argv[1])
with serving(site) as base:
    report = run(work, base)
result = next(iter(report.sites.values()))
print(json.dumps({
    "counts": dict(result.counts), "failures": result.failures, "notes": result.notes,
    "articles": len(list((work / "content").glob("*.md"))),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("broken")
    done = subprocess.run(
        [sys.executable, "-c", CRAWL, str(work), str(ROOT)], cwd=ROOT,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def reason(crawl: dict, name: str) -> str:
    found = [f["reason"] for f in crawl["failures"] if f["url"].endswith(f"/{name}.html")]
    assert len(found) == 1, crawl["failures"]
    return found[0]


def note(crawl: dict, name: str) -> str:
    found = [n for n in crawl["notes"] if f"/{name}.html" in n]
    assert len(found) == 1, crawl["notes"]
    return found[0]


def test_the_crawl_goes_on_and_writes_every_readable_article(crawl: dict) -> None:
    # 3 good articles, and the truncated, mis-declared, mixed and nested pages
    assert crawl["articles"] == 8 and crawl["counts"]["new"] == 8, crawl
    assert crawl["counts"]["failed"] == 3


def test_unreadable_pages_are_named_with_the_reason(crawl: dict) -> None:
    assert "PNG image" in reason(crawl, "binary")
    assert "empty" in reason(crawl, "empty")
    assert "larger than" in reason(crawl, "huge")  # cut at the fetcher's 20 MB, never all read


def test_pages_read_despite_their_faults_say_how(crawl: dict) -> None:
    assert "declared charset utf-8 is wrong" in note(crawl, "gbk-declared-utf8")
    assert "declared charset gb18030 is wrong; the page is utf-8" in note(
        crawl, "utf8-declared-gbk"
    )
    assert "mixed encodings" in note(crawl, "mixed")
    assert "nested deeper" in note(crawl, "nested")
    assert "ends inside a character" in note(crawl, "truncated")


def test_memory_stays_bounded(crawl: dict) -> None:
    # the 50 MB page is refused at the fetcher's cap; the fixture server lives in the same process
    assert crawl["peak_mb"] < 400, crawl["peak_mb"]


def test_broken_files_in_the_inbox_are_named_and_the_rest_imported(tmp_path: Path) -> None:
    from scraper.crawl import Workspace
    from scraper.run import scrape
    from tests.fixture_site import CountySite

    site = CountySite(articles=2)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.html").write_bytes(site.article_page(1).encode("gb18030"))
    (inbox / "picture.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    (inbox / "empty.txt").write_bytes(b"")
    with open(inbox / "huge.html", "wb") as huge:  # 50 MB, written a piece at a time
        piece = ("<p>" + "村党支部" * 2000 + "</p>").encode()
        for _ in range(50 * 1024 * 1024 // len(piece) + 1):
            huge.write(piece)
    workspace = Workspace(content_dir=tmp_path / "content", archive_dir=tmp_path / "archive")
    report = scrape(sources=None, inbox=inbox, workspace=workspace, show_progress=False)
    result = next(iter(report.sites.values()))
    reasons = {Path(f["url"]).name: f["reason"] for f in result.failures}
    assert "PNG image" in reasons["picture.html"] and "picture.html" in reasons["picture.html"]
    assert "empty" in reasons["empty.txt"]
    assert "larger than" in reasons["huge.html"]
    assert result.counts["new"] == 1 and len(list((tmp_path / "content").glob("*.md"))) == 1
