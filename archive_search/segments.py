"""Writing changes into the Whoosh index: a few articles in one transaction, many in parallel.

Whoosh is pure Python and spends a few microseconds on each posting (one
term in one article, about 1,300 an article here) in three places: the
analyzer, the in-memory pool that sorts postings, and the codec that writes
them.  Two things decide how long a first build of a large archive takes:

* The pool spills to temporary files once it holds `limitmb` of postings
  and merges them back one posting at a time, which halves the speed; an
  article needs about 300 KB of pool, so 1,000 articles fit in Whoosh's
  default budget and not many more.  So `write_changes` writes large
  batches as several segments of `SEGMENT_CHARS` of text each, each sorted
  in memory.
* Whoosh's `MpWriter` runs such writers in parallel processes, one a core.

A bulk build therefore commits in steps, each adding a few complete
segments: a build killed halfway leaves an index holding the articles of the
steps that finished, and the next build, comparing fingerprints, adds only
the rest.  A handful of changed articles is written in one transaction.

Whoosh's default merge policy would, on the next small commit, merge all
those segments into one — rewriting every posting of the archive to add one
article.  `merge_small_segments` merges only the small segments that small
commits leave, ten of a size at a time, so a segment is rewritten at most a
few times in its life and a small commit stays small.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from whoosh.index import FileIndex
from whoosh.reading import SegmentReader
from whoosh.writing import IndexWriter, LockError

BULK_DOCS = 1_000  # at least this many articles to add: written by parallel segment writers
SEGMENT_CHARS = 4_000_000  # text in one bulk segment (about 2,500 articles, 800 MB of pool)
POOL_MB = 1_200  # Whoosh's posting pool per writing process, above a segment's need
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


def _writer(ix: FileIndex, **kwargs: Any) -> IndexWriter:
    # compound=False: Whoosh opens a compound segment by copying it whole into
    # memory (BytesIO over the mapped file), so every reader of a 100,000-article
    # index read 1.5 GB before answering; separate files are read as needed.
    try:
        return ix.writer(timeout=10.0, compound=False, **kwargs)
    except LockError as exc:
        raise IndexLocked(str(exc)) from exc


def _commit(writer: IndexWriter, fill: Callable[[IndexWriter], None], **kwargs: Any) -> None:
    try:
        fill(writer)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(**kwargs)


def chunks(items: Sequence[dict[str, Any]], chars: int) -> Iterator[list[dict[str, Any]]]:
    """Consecutive runs of documents holding about `chars` characters of text each."""
    run: list[dict[str, Any]] = []
    size = 0
    for fields in items:
        run.append(fields)
        size += len(fields.get("body", "")) + len(fields.get("title", ""))
        if size >= chars:
            yield run
            run, size = [], 0
    if run:
        yield run


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
    are written afterwards by `procs` parallel writers, a few segments a
    commit (see the module docstring).
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
        _commit(_writer(ix, limitmb=POOL_MB), deletions, mergetype=merge_small_segments)
    if not bulk:
        return
    for batch in chunks(add, SEGMENT_CHARS * procs):

        def additions(writer: IndexWriter, batch: list[dict[str, Any]] = batch) -> None:
            for fields in batch:
                writer.add_document(**fields)

        # Batches of documents go to whichever process is free; a batch of a
        # tenth of a segment keeps the processes' segments alike in size.
        size = max(1, len(batch) // (procs * 10))
        writer = _writer(ix, procs=procs, multisegment=True, limitmb=POOL_MB, batchsize=size)
        _commit(writer, additions, merge=False)
