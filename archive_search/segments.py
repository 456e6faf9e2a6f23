"""Writing changes into the Whoosh index: a few articles in one transaction, many in parallel.

Whoosh is pure Python and spends a few microseconds on each posting (one
term in one article, about 1,300 an article here) in three places: the
analyzer, the pool that gathers and sorts postings, and the codec that
writes them.  A first build of a large archive is therefore written as
segments of about `SEGMENT_CHARS` of text, each by a process of its own,
one a core, with its postings in a `CompactPool` (a tenth of the memory of
Whoosh's own pool, which spilled to disk and merged back one posting at a
time once it held `limitmb`).  The segments are as many as a multiple of
the processes and alike in size, so that the processes finish together.

This process holds the index's lock meanwhile and lists each segment in a
new table of contents as soon as it is written: a build killed halfway
leaves an index holding the segments that were finished, and the next
build, comparing fingerprints, adds only the rest.  A handful of changed
articles is written in one transaction.

Whoosh's default merge policy would, on the next small commit, merge all
those segments into one — rewriting every posting of the archive to add one
article.  `merge_small_segments` merges only the small segments that small
commits leave, ten of a size at a time, so a segment is rewritten at most a
few times in its life and a small commit stays small.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from whoosh.codec.base import Segment
from whoosh.filedb.filestore import Storage
from whoosh.index import TOC, FileIndex
from whoosh.reading import SegmentReader
from whoosh.writing import IndexWriter, LockError, SegmentWriter

from . import hot_terms
from .posting_pool import CompactPool

log = logging.getLogger(__name__)

BULK_DOCS = 1_000  # at least this many articles to add: written by parallel segment writers
SEGMENT_CHARS = 4_000_000  # text in one bulk segment at most (about 3,000 articles, 250 MB of pool)
SMALL_SEGMENT_DOCS = 1_000  # segments below this are merged, ten of a size at a time
MERGE_FANOUT = 10


class IndexLocked(Exception):
    """Another process is writing the index."""


def writing_procs() -> int:
    """The cores this process may use (the parallel writers' count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def merge_small_segments(writer: IndexWriter, segments: Sequence[Any]) -> list[Any]:
    """Whoosh merge policy: merge the small segments of one size tier once there are ten.

    Segments are tiered by the order of magnitude of their live documents
    (1–9, 10–99, 100–999); bulk segments (SMALL_SEGMENT_DOCS and more) are
    never merged.  A mostly deleted segment counts by what is left of it, so
    it is merged away with the small ones.
    """
    tiers: dict[int, list[Any]] = defaultdict(list)
    for segment in segments:
        live = segment.doc_count()
        if live < SMALL_SEGMENT_DOCS:
            tiers[int(math.log10(live)) if live else 0].append(segment)
    merged: set[int] = set()
    for members in tiers.values():
        if len(members) >= MERGE_FANOUT:
            for segment in members:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                writer.add_reader(reader)
                reader.close()
                merged.add(id(segment))
    return [segment for segment in segments if id(segment) not in merged]


def _writer(ix: FileIndex) -> SegmentWriter:
    # compound=False: Whoosh opens a compound segment by copying it whole into
    # memory (BytesIO over the mapped file), so every reader of a 100,000-article
    # index read 1.5 GB before answering; separate files are read as needed.
    try:
        return PooledSegmentWriter(ix, timeout=10.0, compound=False)
    except LockError as exc:
        raise IndexLocked(str(exc)) from exc


def _commit(writer: IndexWriter, fill: Callable[[IndexWriter], None], **kwargs: Any) -> None:
    try:
        fill(writer)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(**kwargs)


def write_changes(
    ix: FileIndex,
    *,
    delete: Sequence[str],
    add: Sequence[dict[str, Any]],
    procs: int | None = None,
) -> None:
    """Delete the documents of the slugs in `delete`, then add the documents `add`.

    A changed article is deleted and added.  Fewer than BULK_DOCS additions
    (or a single core) go into the same transaction as the deletions; more
    are written afterwards as whole segments by `procs` worker processes,
    each listed in the index as soon as it is written (see the module docstring).
    """
    procs = writing_procs() if procs is None else max(1, procs)
    bulk = procs > 1 and len(add) >= BULK_DOCS

    def deletions(writer: IndexWriter) -> None:
        for slug in delete:
            writer.delete_by_term("slug", slug)
        if not bulk:
            for fields in add:
                writer.add_document(**fields)

    if delete or not bulk:
        _commit(_writer(ix), deletions, mergetype=merge_small_segments)
    if not bulk:
        return
    # The documents' own sizes, if they can tell them without being made.
    sizes = add.text_sizes() if isinstance(add, SizedDocuments) else [text_size(f) for f in add]
    bounds = segment_bounds(sizes, SEGMENT_CHARS, procs)
    _add_segments(ix, [add[start:end] for start, end in bounds], procs)


@runtime_checkable
class SizedDocuments(Protocol):
    """Documents that can tell their text's size (`text_size`) without being made."""

    def text_sizes(self) -> list[int]: ...


def segment_bounds(sizes: Sequence[int], chars: int, procs: int) -> list[tuple[int, int]]:
    """[start, end) of consecutive runs of documents, of about `chars` characters at most each.

    `sizes` are the documents' lengths in characters.  The runs are made
    alike in size and as many as a multiple of `procs`, so that the writing
    processes finish together.
    """
    total = sum(sizes)
    count = procs * max(1, math.ceil(total / (chars * procs)))
    share = total / count
    bounds, start, size = [], 0, 0
    for n, length in enumerate(sizes):
        size += length
        if size >= share * (len(bounds) + 1) and len(bounds) < count - 1:
            bounds.append((start, n + 1))
            start = n + 1
    if start < len(sizes):
        bounds.append((start, len(sizes)))
    return bounds


def text_size(fields: dict[str, Any]) -> int:
    return len(fields.get("body", "")) + len(fields.get("title", ""))


class PooledSegmentWriter(SegmentWriter):
    """Whoosh's segment writer with its postings kept in a `CompactPool`."""

    def __init__(self, ix: FileIndex, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool = CompactPool()

    def add_document(self, **fields: Any) -> None:
        super().add_document(**fields)
        self.pool.pack_if_full()

    def _flush_segment(self) -> None:
        # The commonest words' positions, kept beside the segment (`hot_terms`).
        count = self.doc_count()
        folder = getattr(self.storage, "folder", None)
        if count >= hot_terms.MIN_DOCS and folder:
            least = math.ceil(hot_terms.SHARE * count)
            words = self.pool.positions_of_common_terms(hot_terms.FIELDS, least)
            hot_terms.write(Path(folder), self.newsegment.segment_id(), words)
        super()._flush_segment()


def write_segment(storage: Storage, indexname: str, batch: Sequence[dict[str, Any]]) -> Segment:
    """Write `batch` as one new segment of the index, not yet listed in its table of contents.

    Runs in a worker process while the parent holds the index's lock.  The
    temporary folder is the parent's too, so it is left for the parent to
    delete; so are the files of a segment that fails (no commit lists them).
    """
    writer = PooledSegmentWriter(storage.open_index(indexname), _lk=False, compound=False)
    for fields in batch:
        writer.add_document(**fields)
    return writer._finalize_segment()


def _add_segments(ix: FileIndex, batches: list[Any], procs: int) -> None:
    """Write each batch as a new segment, `procs` at a time in worker processes.

    This process holds the index's lock throughout, and lists each segment
    in a new table of contents as soon as it is written: a build stopped
    halfway keeps the segments that were finished.  Old tables and unlisted
    files are deleted at the end only, since Whoosh's clean-up would take
    the files of the segments still being written for debris.
    """
    writer = _writer(ix)
    written: list[Segment] = []
    try:
        for segment in _written_segments(ix, batches, procs):
            written.append(segment)
            TOC(writer.schema, [*writer.segments, *written], writer.generation).write(
                writer.storage, writer.indexname
            )
            writer.generation += 1
        writer._close_segment()
    except BaseException:
        writer.cancel()
        raise
    writer._commit_toc([*writer.segments, *written])
    writer._finish()


def _written_segments(ix: FileIndex, batches: list[Any], procs: int) -> Iterator[Segment]:
    """Each batch written as a segment by a process of its own, `procs` at once, as they finish.

    A process a segment, not a pool: a process that dies (the kernel's OOM
    killer) loses its own segment only, which is logged and left out (the
    caller, counting what the index holds, writes those articles again).
    An error raised while writing is raised here, once the segments being
    written have been finished.
    """
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    waiting = list(reversed(batches))
    running: dict[Connection, tuple[BaseProcess, int]] = {}
    failure = None
    try:
        while running or (waiting and failure is None):
            while waiting and failure is None and len(running) < procs:
                batch = waiting.pop()
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(
                    target=_write_and_send, args=(sender, ix.storage, ix.indexname, batch)
                )
                process.start()
                sender.close()
                running[receiver] = (process, len(batch))
            for receiver in wait(list(running)):
                process, size = running.pop(receiver)
                try:
                    ok, result = receiver.recv()
                except EOFError:
                    ok, result = None, None
                receiver.close()
                process.join()
                if ok:
                    yield result
                elif ok is None:
                    log.warning(
                        "search index: a segment writer died (exit code %s) with %d articles;"
                        " they are written again",
                        process.exitcode,
                        size,
                    )
                else:  # the segments being written are finished and kept, no more started
                    failure = failure or result
    finally:
        for process, _ in running.values():
            process.kill()
            process.join()
    if failure is not None:
        raise RuntimeError(f"search index: a segment writer failed:\n{failure}")


def _write_and_send(sender: Connection, storage: Storage, indexname: str, batch: Any) -> None:
    try:
        sender.send((True, write_segment(storage, indexname, batch)))
    except Exception:
        sender.send((False, traceback.format_exc()))
    finally:
        sender.close()
