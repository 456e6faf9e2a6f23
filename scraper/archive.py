"""The raw archive: every response the crawler gets, kept in standard WARC files.

Why WARC: pages are re-extracted later without fetching again (`invoke
reextract` reads them back through `Archive.records()`), and the files replay
in standard tools (pywb, `warcio index`, `warcio check`) long after this code
is gone.

Layout and guarantees:

- One gzipped WARC/1.0 file per crawl run, named
  `{prefix}-{YYYYmmddTHHMMSSZ}-{NNNNN}.warc.gz` (UTC start of the run and a
  counter), rolled over to the next counter at about 1 GB.  Each file starts
  with a `warcinfo` record (software and format; no host name).
- Every record is its own gzip member, built in memory and written with one
  `write` followed by `flush`, so the operating system has it once
  `write_response` returns its `ArchiveRef`; `os.fsync` runs every
  `fsync_every` records and on close, bounding what a power cut can lose.  A
  run killed mid-record leaves at most a truncated last member: reading stops
  there with a warning and every earlier record stays readable.  Files are
  opened with exclusive creation and never appended to by a later run, so a
  damaged file is never extended.
- The fetcher has already undone Content-Encoding, so the stored HTTP headers
  drop Content-Encoding and Transfer-Encoding (kept as
  `X-Original-Content-Encoding` / `X-Original-Transfer-Encoding`) and carry a
  Content-Length of the stored body (the received one is kept as
  `X-Original-Content-Length`): replay tools then neither decode twice nor cut
  the body short.  `WARC-Payload-Digest` is the SHA-1 of that stored body.
"""

from __future__ import annotations

import io
import logging
import os
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import BufferWARCWriter

from scraper.store import fsync_dir

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 1_000_000_000
DEFAULT_FSYNC_EVERY = 50
WARC_SUFFIX = ".warc.gz"

# Headers describing the transfer, not the stored body; see the module docstring.
_RENAMED_HEADERS = {
    "content-encoding": "X-Original-Content-Encoding",
    "transfer-encoding": "X-Original-Transfer-Encoding",
    "content-length": "X-Original-Content-Length",
}
_PAYLOAD_TYPES = ("response", "resource")


class ArchiveError(Exception):
    """A record that cannot be read back: truncated, corrupt or not a payload record."""


@dataclass(frozen=True)
class ArchiveRef:
    """Where one response or resource record lies: enough to read it back alone."""

    file: str  # WARC file name relative to the archive root
    offset: int  # byte offset of the record's gzip member
    length: int  # bytes of that gzip member


@dataclass(frozen=True)
class ArchivedRecord:
    """One response or resource read back from the archive.

    Unpacks as the 5-tuple `(ref, url, headers, body, fetched_at)`; `status`
    (None for resources) and `record_type` are attributes, because re-extraction
    must skip error pages and the tuple alone cannot tell them apart.
    """

    ref: ArchiveRef
    url: str
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    status: int | None
    record_type: str

    def __iter__(self) -> Iterator[object]:
        return iter((self.ref, self.url, self.headers, self.body, self.fetched_at))


def _utc(moment: datetime) -> datetime:
    """Aware UTC datetime; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _warc_date(moment: datetime) -> str:
    return datetime_to_iso_date(_utc(moment).replace(tzinfo=None))


def _stored_http_headers(headers: dict[str, str], length: int) -> list[tuple[str, str]]:
    """Headers as received, with the transfer ones renamed and the true length set."""
    out: list[tuple[str, str]] = []
    for name, value in headers.items():
        renamed = _RENAMED_HEADERS.get(name.lower())
        out.append((renamed, value) if renamed else (name, value))
    out.append(("Content-Length", str(length)))
    return out


def _request_line(url: str) -> str:
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return f"GET {target} HTTP/1.1"


class Archive:
    """Append-only WARC writer and reader for one archive folder (e.g. archive/warc).

    Not shared between processes: each `Archive` writes only files it created.
    Thread-safe for writing within one process.
    """

    def __init__(
        self,
        root: Path,
        *,
        prefix: str = "grassroots",
        max_bytes: int = DEFAULT_MAX_BYTES,
        fsync_every: int = DEFAULT_FSYNC_EVERY,
    ) -> None:
        self.root = Path(root)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.fsync_every = max(1, fsync_every)
        self._run_stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self._counter = 0
        self._file: io.BufferedWriter | None = None
        self._name: str | None = None
        self._unsynced = 0
        self._lock = threading.Lock()
        self._builder = RecordBuilder()

    # -- writing ---------------------------------------------------------

    def write_response(
        self,
        *,
        url: str,
        status: int,
        headers: dict[str, str],
        content: bytes,
        fetched_at: datetime,
        request_headers: dict[str, str] | None = None,
    ) -> ArchiveRef:
        """Store one HTTP response (and the request, when its headers are given).

        Returns the reference of the response record, only once it is written.
        """
        date = _warc_date(fetched_at)
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        http_headers = StatusAndHeaders(
            f"{status} {reason}",
            _stored_http_headers(headers, len(content)),
            protocol="HTTP/1.1",
        )
        response = self._builder.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(content),
            length=len(content),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date},
        )
        members = [response]
        if request_headers is not None:
            req_headers = list(request_headers.items())
            if not any(name.lower() == "host" for name, _ in req_headers):
                req_headers.insert(0, ("Host", urlsplit(url).netloc))
            request = self._builder.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(b""),
                length=0,
                http_headers=StatusAndHeaders(_request_line(url), req_headers, protocol=""),
                warc_headers_dict={
                    "WARC-Date": date,
                    "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
                },
            )
            members.append(request)
        return self._write_members(members)

    def write_resource(
        self, *, uri: str, content: bytes, content_type: str, created_at: datetime
    ) -> ArchiveRef:
        """Store a file that was not fetched over HTTP (the local inbox) as a resource record.

        `uri` names where it came from: `file:///…/name.txt` or a `urn:`.
        """
        record = self._builder.create_warc_record(
            uri,
            "resource",
            payload=io.BytesIO(content),
            length=len(content),
            warc_content_type=content_type,
            warc_headers_dict={"WARC-Date": _warc_date(created_at)},
        )
        return self._write_members([record])

    def _write_members(self, records: list) -> ArchiveRef:
        """Write records as gzip members in one go; return the first one's reference."""
        blobs = [self._gzip_member(record) for record in records]
        data = b"".join(blobs)
        with self._lock:
            out = self._current_file(len(data))
            offset = out.tell()
            try:
                out.write(data)
                out.flush()
            except BaseException:
                # Never leave a half record in the middle of the file: cut it off again.
                try:
                    out.truncate(offset)
                    out.seek(offset)
                except OSError:
                    logger.exception("could not cut a failed write from %s", self._name)
                raise
            self._unsynced += 1
            if self._unsynced >= self.fsync_every:
                os.fsync(out.fileno())
                self._unsynced = 0
            assert self._name is not None
            return ArchiveRef(self._name, offset, len(blobs[0]))

    @staticmethod
    def _gzip_member(record) -> bytes:
        writer = BufferWARCWriter(gzip=True)
        writer.write_record(record)
        return writer.get_contents()

    def _current_file(self, incoming: int) -> io.BufferedWriter:
        """The open WARC file, rolled over when `incoming` bytes would pass max_bytes."""
        if self._file is not None and self._file.tell() + incoming > self.max_bytes:
            self._close_file()
            self._counter += 1
        if self._file is None:
            self._open_new_file()
        assert self._file is not None
        return self._file

    def _open_new_file(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        while True:
            name = f"{self.prefix}-{self._run_stamp}-{self._counter:05d}{WARC_SUFFIX}"
            try:
                # Exclusive creation: never append to a file of an earlier (maybe killed) run.
                handle = open(self.root / name, "xb")  # noqa: SIM115 - closed by close()
            except FileExistsError:
                self._counter += 1
                continue
            break
        self._file, self._name = handle, name
        info = {
            "software": "grassroots-archive (warcio)",
            "format": "WARC File Format 1.0",
            "conformsTo": "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/",
            "isPartOf": self.prefix,
            "description": "Chinese county news pages as fetched; bodies stored decoded",
        }
        handle.write(self._gzip_member(self._builder.create_warcinfo_record(name, info)))
        handle.flush()
        os.fsync(handle.fileno())
        fsync_dir(self.root)

    def _close_file(self) -> None:
        if self._file is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        self._unsynced = 0

    def close(self) -> None:
        """Flush, fsync and close the current file; later writes open a new one."""
        with self._lock:
            self._close_file()
            if self._name is not None:
                self._counter += 1

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- reading ---------------------------------------------------------

    def read(self, ref: ArchiveRef) -> tuple[str, dict[str, str], bytes]:
        """(url, headers, body) of the record at `ref`; ArchiveError if it is damaged."""
        record = self.read_record(ref)
        return record.url, record.headers, record.body

    def locate(self, spec: str) -> ArchiveRef:
        """The record a stored article names (`archive: FILE#OFFSET`), with its length.

        Articles keep the file and offset only; the length is where the gzip
        member ends.  ArchiveError if the file is missing or holds no record there.
        """
        name, _, offset_text = spec.rpartition("#")
        if not name or not offset_text.isdigit() or "/" in name or name.startswith("."):
            raise ArchiveError(f"{spec!r}: not FILE#OFFSET of this archive")
        path, offset = self.root / name, int(offset_text)
        try:
            with open(path, "rb") as handle:
                handle.seek(offset)
                if handle.read(2) != b"\x1f\x8b":  # every record is a gzip member
                    raise ArchiveError(f"{spec}: no record starts at this offset")
                handle.seek(offset)
                iterator = ArchiveIterator(handle)
                if next(iterator, None) is None:
                    raise ArchiveError(f"{spec}: no record at this offset")
                iterator.read_to_end()
                start, length = iterator.member_info  # start: the handle's own position
        except OSError as err:
            raise ArchiveError(f"{spec}: {err}") from err
        except (ArchiveLoadFailed, zlib.error, EOFError, ValueError) as err:
            raise ArchiveError(f"{spec}: {err}") from err
        if start != offset:
            raise ArchiveError(f"{spec}: no record starts at this offset")
        return ArchiveRef(file=name, offset=offset, length=length)

    def member(self, ref: ArchiveRef) -> bytes:
        """The record's gzip member as stored: a WARC file of this one record."""
        with open(self.root / ref.file, "rb") as handle:
            handle.seek(ref.offset)
            data = handle.read(ref.length)
        if len(data) != ref.length:
            raise ArchiveError(f"{ref.file}@{ref.offset}: file ends inside the record")
        return data

    def read_record(self, ref: ArchiveRef) -> ArchivedRecord:
        """The record at `ref` with its status and date; ArchiveError if it is damaged."""
        path = self.root / ref.file
        with open(path, "rb") as handle:
            handle.seek(ref.offset)
            data = handle.read(ref.length)
        if len(data) != ref.length:
            raise ArchiveError(f"{ref.file}@{ref.offset}: file ends inside the record")
        try:
            iterator = ArchiveIterator(io.BytesIO(data), check_digests=True)
            for record in iterator:
                parsed = _parse(record, ref)
                if parsed is None:
                    break
                return parsed
        except (ArchiveLoadFailed, zlib.error, EOFError, ValueError) as err:
            raise ArchiveError(f"{ref.file}@{ref.offset}: {err}") from err
        raise ArchiveError(f"{ref.file}@{ref.offset}: not a response or resource record")

    def files(self) -> list[Path]:
        """WARC files of this archive, oldest first (names sort by run time)."""
        if not self.root.is_dir():
            return []
        return sorted(self.root.glob("*" + WARC_SUFFIX))

    def records(self) -> Iterator[ArchivedRecord]:
        """Every response and resource, in order, across files.

        A damaged record (a killed run's truncated tail, a digest mismatch)
        ends the reading of its file with a warning; the other files are read.
        """
        with self._lock:
            if self._file is not None:
                self._file.flush()
        for path in self.files():
            yield from self._file_records(path)

    def _file_records(self, path: Path) -> Iterator[ArchivedRecord]:
        end = 0  # where the last complete record ends
        with open(path, "rb") as handle:
            iterator = ArchiveIterator(handle, check_digests=True)
            try:
                for record in iterator:
                    body = record.content_stream().read()
                    offset = iterator.get_record_offset()
                    length = iterator.get_record_length()
                    if record.rec_type not in _PAYLOAD_TYPES:
                        end = offset + length
                        continue
                    parsed = _parse(record, ArchiveRef(path.name, offset, length), body)
                    if parsed is None:
                        logger.warning(
                            "%s: damaged record at byte %d, rest of file skipped", path, offset
                        )
                        return
                    end = offset + length
                    yield parsed
            except (ArchiveLoadFailed, zlib.error, EOFError, ValueError) as err:
                logger.warning("%s: unreadable from byte %d on (%s)", path, end, err)
                return
        size = path.stat().st_size
        if end < size:
            logger.warning(
                "%s: %d bytes after byte %d are not a complete record (a killed run?)",
                path,
                size - end,
                end,
            )


def _parse(record, ref: ArchiveRef, body: bytes | None = None) -> ArchivedRecord | None:
    """An ArchivedRecord from a warcio record, None if its digests do not match."""
    if record.rec_type not in _PAYLOAD_TYPES:
        return None
    if body is None:
        body = record.content_stream().read()
    # A cut record reads short without failing its digest check (the check
    # then never runs: passed is None), so a record with a digest must pass it.
    warc = record.rec_headers
    has_digest = warc.get_header("WARC-Block-Digest") or warc.get_header("WARC-Payload-Digest")
    passed = record.digest_checker.passed
    if passed is False or (has_digest and passed is not True):
        return None
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    date = iso_date_to_datetime(record.rec_headers.get_header("WARC-Date")).replace(tzinfo=UTC)
    if record.rec_type == "response" and record.http_headers is not None:
        headers = {name.lower(): value for name, value in record.http_headers.headers}
        status = int(record.http_headers.get_statuscode())
    else:
        headers = {"content-type": record.rec_headers.get_header("Content-Type") or ""}
        status = None
    return ArchivedRecord(ref, url, headers, body, date, status, record.rec_type)
