"""The raw WARC archive: round trips, order, crash damage and standard-tool readability."""

from __future__ import annotations

import contextlib
import io
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.cli import main as warcio_main

from scraper.archive import Archive, ArchiveError, ArchiveRef

WHEN = datetime(2026, 11, 22, 4, 15, 0, tzinfo=UTC)
PAGE = "<html><head><meta charset=gbk></head><body>红安县基层党建</body></html>".encode("gbk")


def _write_page(archive: Archive, n: int, **extra: object) -> ArchiveRef:
    return archive.write_response(
        url=f"http://www.hongan.gov.cn/news/{n}.html?id={n}",
        status=200,
        headers={"content-type": "text/html; charset=gbk", "server": "nginx"},
        content=PAGE + str(n).encode(),
        fetched_at=WHEN + timedelta(seconds=n),
        **extra,  # type: ignore[arg-type]
    )


def test_response_round_trip(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        ref = _write_page(archive, 1, request_headers={"user-agent": "grassroots"})
    url, headers, body = archive.read(ref)
    assert url == "http://www.hongan.gov.cn/news/1.html?id=1"
    assert body == PAGE + b"1"
    assert headers["content-type"] == "text/html; charset=gbk"
    assert headers["server"] == "nginx"
    assert headers["content-length"] == str(len(body))
    record = archive.read_record(ref)
    assert record.status == 200
    assert record.fetched_at == WHEN + timedelta(seconds=1)
    assert record.record_type == "response"


def test_resource_round_trip(tmp_path: Path) -> None:
    text = "夯实基层组织基石\n发布时间:2021-01-28".encode()
    with Archive(tmp_path) as archive:
        ref = archive.write_resource(
            uri="file:///inbox/000.txt",
            content=text,
            content_type="text/plain; charset=utf-8",
            created_at=WHEN,
        )
    assert archive.read(ref) == (
        "file:///inbox/000.txt",
        {"content-type": "text/plain; charset=utf-8"},
        text,
    )
    assert archive.read_record(ref).status is None


def test_transfer_headers_are_renamed_so_replay_does_not_decode_twice(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        ref = archive.write_response(
            url="http://example.cn/",
            status=200,
            headers={
                "content-type": "text/html",
                "content-encoding": "gzip",
                "transfer-encoding": "chunked",
                "content-length": "12",
            },
            content=b"<p>decoded body</p>",
            fetched_at=WHEN,
        )
    _, headers, body = archive.read(ref)
    assert "content-encoding" not in headers
    assert "transfer-encoding" not in headers
    assert headers["x-original-content-encoding"] == "gzip"
    assert headers["x-original-transfer-encoding"] == "chunked"
    assert headers["x-original-content-length"] == "12"
    assert headers["content-length"] == str(len(body))


def test_error_status_is_kept(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        ref = archive.write_response(
            url="http://example.cn/gone", status=404, headers={}, content=b"", fetched_at=WHEN
        )
        odd = archive.write_response(
            url="http://example.cn/odd", status=299, headers={}, content=b"x", fetched_at=WHEN
        )
    assert archive.read_record(ref).status == 404
    assert archive.read_record(ref).body == b""
    assert archive.read_record(odd).status == 299


def test_records_in_order_across_files(tmp_path: Path) -> None:
    refs = []
    with Archive(tmp_path, max_bytes=2_000) as archive:
        for n in range(12):
            refs.append(_write_page(archive, n, request_headers={"user-agent": "g"}))
        refs.append(
            archive.write_resource(
                uri="urn:inbox:x", content=b"abc", content_type="text/plain", created_at=WHEN
            )
        )
    assert len(archive.files()) > 1, "max_bytes must roll over to a new file"
    records = list(archive.records())
    assert [r.ref for r in records] == refs
    assert [r.url for r in records[:3]] == [
        f"http://www.hongan.gov.cn/news/{n}.html?id={n}" for n in range(3)
    ]
    ref, url, headers, body, fetched_at = records[5]
    assert (ref, body, fetched_at) == (refs[5], PAGE + b"5", WHEN + timedelta(seconds=5))
    assert (url, headers["server"]) == ("http://www.hongan.gov.cn/news/5.html?id=5", "nginx")
    assert records[-1].record_type == "resource"


def test_file_name_has_run_time_and_counter(tmp_path: Path) -> None:
    with Archive(tmp_path, prefix="grassroots") as archive:
        ref = _write_page(archive, 1)
    assert ref.file.startswith("grassroots-")
    assert ref.file.endswith("-00000.warc.gz")
    stamp = ref.file.split("-")[1]
    assert datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")


def test_each_file_starts_with_warcinfo(tmp_path: Path) -> None:
    with Archive(tmp_path, max_bytes=1_500) as archive:
        for n in range(6):
            _write_page(archive, n)
    for path in archive.files():
        with open(path, "rb") as handle:
            first = next(iter(ArchiveIterator(handle)))
            assert first.rec_type == "warcinfo"
            info = first.content_stream().read().decode()
        assert "software: grassroots-archive" in info


def test_a_truncated_file_keeps_earlier_records(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A SIGKILL mid-write leaves a cut last gzip member: earlier records must stay readable."""
    with Archive(tmp_path) as archive:
        refs = [_write_page(archive, n) for n in range(4)]
    path = tmp_path / refs[0].file
    data = path.read_bytes()
    for cut in (3, 12, 40, refs[-1].length - 20):
        path.write_bytes(data[:-cut])
        with caplog.at_level(logging.WARNING):
            records = list(archive.records())
        assert [r.ref for r in records[:3]] == refs[:3]
        for n, ref in enumerate(refs[:3]):
            assert archive.read(ref)[2] == PAGE + str(n).encode()
        # Never a cut body: the last record is either whole (digest-checked) or absent.
        assert all(r.body == PAGE + str(n).encode() for n, r in enumerate(records))
        with pytest.raises(ArchiveError):
            archive.read(refs[3])
    assert len(records) == 3
    assert "not a complete record" in caplog.text


def test_a_corrupt_record_is_reported_not_returned(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        refs = [_write_page(archive, n) for n in range(3)]
    path = tmp_path / refs[1].file
    data = bytearray(path.read_bytes())
    # Zero the second half of the record's deflate stream: that half always holds
    # payload, whatever the (timestamp-dependent) compressed layout is.
    start, end = refs[1].offset + refs[1].length // 2, refs[1].offset + refs[1].length - 8
    data[start:end] = bytes(end - start)
    path.write_bytes(bytes(data))
    assert archive.read(refs[0])[2] == PAGE + b"0"
    with pytest.raises(ArchiveError):
        archive.read(refs[1])


def test_next_run_starts_a_new_file(tmp_path: Path) -> None:
    with Archive(tmp_path) as first:
        ref1 = _write_page(first, 1)
    damaged = tmp_path / ref1.file
    size = damaged.stat().st_size
    damaged.write_bytes(damaged.read_bytes()[:-30])
    with Archive(tmp_path) as second:
        ref2 = _write_page(second, 2)
    assert ref2.file != ref1.file
    assert damaged.stat().st_size == size - 30
    assert second.read(ref2)[2] == PAGE + b"2"


def test_nothing_is_written_without_records(tmp_path: Path) -> None:
    with Archive(tmp_path / "warc"):
        pass
    assert not (tmp_path / "warc").exists()


def test_warcio_reads_our_files(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        _write_page(archive, 1, request_headers={"user-agent": "grassroots"})
        archive.write_resource(
            uri="file:///inbox/a.txt", content=b"abc", content_type="text/plain", created_at=WHEN
        )
    (path,) = archive.files()
    with open(path, "rb") as handle:
        seen = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
            for r in ArchiveIterator(handle)
        ]
    assert [s[0] for s in seen] == ["warcinfo", "response", "request", "resource"]
    assert seen[1][2] == PAGE + b"1"
    assert seen[3] == ("resource", "file:///inbox/a.txt", b"abc")
    with open(path, "rb") as handle:
        response = list(ArchiveIterator(handle))[1]
        assert response.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
        assert response.http_headers.get_statuscode() == "200"


def test_warcio_check_passes(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        for n in range(3):
            _write_page(archive, n, request_headers={"user-agent": "grassroots"})
    (path,) = archive.files()
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as done:
        warcio_main(["check", "-v", str(path)])
    assert done.value.code == 0, out.getvalue()
    assert out.getvalue().count("digest pass") == 7  # warcinfo + 3 responses + 3 requests


def test_a_stored_articles_archive_field_locates_its_record(tmp_path: Path) -> None:
    """Articles keep `archive: FILE#OFFSET`; the record's length and bytes come back from it."""
    with Archive(tmp_path) as archive:
        refs = [_write_page(archive, n) for n in range(3)]
    for ref in refs:
        assert archive.locate(f"{ref.file}#{ref.offset}") == ref
        member = archive.member(ref)
        records = list(ArchiveIterator(io.BytesIO(member)))  # a WARC file of its own
        assert len(records) == 1 and records[0].rec_headers.get_header("WARC-Type") == "response"
    inside = f"{refs[1].file}#{refs[1].offset + 5}"
    for spec in (inside, f"missing.warc.gz#{refs[0].offset}", "../x.warc.gz#0", "no-offset"):
        with pytest.raises(ArchiveError, match=r"#|not FILE"):
            archive.locate(spec)
