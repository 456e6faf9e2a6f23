"""Each article's archived record is published beside it, as WARC and as text, never as HTML."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings
from warcio.archiveiterator import ArchiveIterator

from scraper.archive import Archive

ROOT = Path(__file__).resolve().parents[2]
PAGE = (
    "<html><head><meta charset=gbk><script>alert(1)</script></head>"
    "<body><p>某村召开党员大会。</p></body></html>"
).encode("gbk")


def build(tmp_path: Path, articles: dict[str, str]) -> Path:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    for name, archive in articles.items():
        (content / f"{name}.md").write_text(
            f"---\ntitle: 标题{name}\ndate: 2021-05-01\nslug: {name}\narchive: {archive}\n---\n\n正文。\n",
            encoding="utf-8",
        )
    settings = read_settings(
        path=None,
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(tmp_path / "output"),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            "PLUGINS": ["archive_reader", "raw_pages"],
            "RAW_WARC_DIR": str(tmp_path / "warc"),
            "ARTICLE_URL": "articles/{slug}.html",
            "ARTICLE_SAVE_AS": "articles/{slug}.html",
            "FEED_ALL_ATOM": None,
            "CACHE_CONTENT": False,
        },
    )
    Pelican(settings).run()
    return tmp_path / "output"


def test_the_record_is_published_as_warc_and_as_text(tmp_path: Path, caplog) -> None:
    with Archive(tmp_path / "warc") as archive:
        ref = archive.write_response(
            url="http://county.example/1.html",
            status=200,
            headers={"content-type": "text/html; charset=gbk"},
            content=PAGE,
            fetched_at=datetime(2021, 5, 1, tzinfo=UTC),
        )
    output = build(tmp_path, {"kept": f"{ref.file}#{ref.offset}", "lost": "gone.warc.gz#0"})
    raw = output / "raw"
    record = list(ArchiveIterator(io.BytesIO((raw / "kept.warc.gz").read_bytes())))
    assert [r.rec_headers.get_header("WARC-Target-URI") for r in record] == [
        "http://county.example/1.html"
    ]
    text = (raw / "kept.txt").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")  # UTF-8, said by a BOM
    assert "某村召开党员大会" in text.decode("utf-8-sig")  # decoded from GBK
    assert not list(raw.glob("*.html")), "a scraped page is never published as HTML"
    assert not (raw / "lost.txt").exists()
    assert "gone.warc.gz" in caplog.text and "lost" in caplog.text

    # A rebuild skips records already written for the same record.
    (raw / "kept.txt").write_bytes(b"marker")
    build(tmp_path, {"kept": f"{ref.file}#{ref.offset}"})
    assert (raw / "kept.txt").read_bytes() == b"marker"
