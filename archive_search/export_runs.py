"""The static export's postings, made a chunk of articles at a time and merged from disk.

Holding every posting of an archive in memory costs about 40 KB an article
(and three times that while they are sorted): 100,000 articles would need
more memory than the site they belong to.  So the articles, in the canonical
order, are cut into chunks, and each chunk's postings are made alone (in a
worker process, one a core), sorted by key and written to a *run* file; the
runs are then merged key by key, in a single pass that holds one block of
each run at a time.  Memory stays that of a chunk, whatever the archive's
size, and the result is the same bytes as encoding everything at once
(tested against `export.encode_entries`).

Chunks are cut by content, not by count: a chunk ends after an article
whose slug hashes to a boundary (about one in `CHUNK_AVERAGE`), or at
`CHUNK_MAX` articles.  An article added, changed or removed then changes
its own chunk only, and a run stores ordinals relative to its chunk's first
article, so the runs of every other chunk are still good when all ordinals
move.  With a cache folder the runs are kept there, named by a hash of
their chunk, and a rebuild makes runs only for the chunks that changed.

Run file: a pickle stream of blocks, each a tuple of parallel lists for up
to `BLOCK_KEYS` keys in ascending order (Python string order, as the
export sorts them), then None (so a run cut short is known):

    keys, kinds, firsts, lasts, payloads

A positions key (kind 0) has the chunk-relative ordinals of its first and
last article and, as payload, its `encode_positions` bytes without the first
varint (the first ordinal, written again at merge time relative to the key's
previous article in the archive).  A doc-set key (kind 1) has its relative
ordinals as payload (uint32 bytes), `firsts` and `lasts` unused.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import logging
import multiprocessing
import os
import pickle
import tempfile
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

import numpy as np

from archive_search.documents import Doc
from archive_search.packing import (
    KIND_POSITIONS,
    encode_grouped_doc_sets,
    encode_grouped_positions,
    varint,
)

log = logging.getLogger(__name__)

RUNS_VERSION = 1
CHUNK_AVERAGE = 1_000  # articles in a chunk, on average (a boundary is one slug in this many)
CHUNK_MAX = 3_000  # a chunk never holds more
BLOCK_KEYS = 4_096  # keys in a block of a run file
SET_BATCH_RECORDS = 1 << 14  # doc-set records of runs encoded in one call
RUN_SUFFIX = ".run"
_POSITIONS, _SET = 0, 1

Entry = tuple[str, int, bytes]  # key, kind, encoded data: what a shard holds
RowsMaker = Callable[[list[Doc], list[int], int, int], object]


def chunks(slugs: Sequence[str]) -> list[tuple[int, int]]:
    """[start, end) of each chunk of the articles in canonical order, cut after boundary slugs."""
    bounds, start = [], 0
    for n, slug in enumerate(slugs):
        if zlib.crc32(slug.encode("utf-8")) % CHUNK_AVERAGE == 0 or n + 1 - start >= CHUNK_MAX:
            bounds.append((start, n + 1))
            start = n + 1
    if start < len(slugs):
        bounds.append((start, len(slugs)))
    return bounds


def chunk_name(identities: Sequence[tuple[str, str]], body_offset: int) -> str:
    """A run's name: the hash of what its postings are made of (articles, title/body offset)."""
    digest = hashlib.sha1(f"runs {RUNS_VERSION}\x1f{body_offset}".encode())
    for slug, fingerprint in identities:
        digest.update(f"\x1e{slug}\x1f{fingerprint}".encode())
    return digest.hexdigest()[:20]


@dataclass(frozen=True)
class RunJob:
    """One chunk to turn into a run file."""

    docs: list[Doc]
    path: Path
    body_offset: int


def write_run(job: RunJob, make_rows: RowsMaker) -> Path:
    """Make the postings of one chunk and write them, sorted by key, to `job.path`.

    Written under a temporary name and renamed: a killed build leaves no
    half run under a run's name.  The records wait for their sort as
    parallel lists (`_Records`), not as a dict of tuples: a chunk of 1,000
    articles has some 400,000 of them, and a tuple, a dict slot and two
    int objects each made a chunk's process four times the size of its run.
    """
    count = len(job.docs)
    builder = make_rows(job.docs, list(range(count)), count, job.body_offset)
    rows = builder.rows()  # type: ignore[attr-defined]
    keys: list[str] = rows.keys
    records = _Records()
    if len(rows.pos_key):
        order = np.argsort(rows.pos_key, kind="stable")
        key, ordinal = rows.pos_key[order], rows.pos_ordinal[order]
        count_, firsts = rows.pos_count[order], rows.pos_first[order]
        del order
        starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        ends = np.concatenate((starts[1:], [len(key)])) - 1
        # Groups come out of encode_grouped_positions in key order, as `starts` are.
        encoded = encode_grouped_positions(key, ordinal, count_, rows.flat, firsts)
        for (number, data), first, last in zip(
            encoded, ordinal[starts].tolist(), ordinal[ends].tolist(), strict=True
        ):
            records.add(keys[number], _POSITIONS, first, last, data[_varint_size(first) :])
        del encoded
        # "=" + a term or trigram: the articles holding it in title or body
        # ("@" keys, title only, have no doc set of their own).
        both = ~np.fromiter((k[0] == "@" for k in keys), dtype=bool, count=len(keys))[key]
        for number, docs in _grouped(key[both], ordinal[both]):
            records.add("=" + keys[number], _SET, 0, 0, docs)
    if len(rows.set_key):
        order = np.argsort(rows.set_key, kind="stable")
        for number, docs in _grouped(rows.set_key[order], rows.set_ordinal[order]):
            records.add(keys[number], _SET, 0, 0, docs)
    del rows, builder
    job.path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".run.", suffix=".tmp", dir=job.path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            for block in records.blocks(BLOCK_KEYS):
                pickle.dump(block, out, protocol=5)
            pickle.dump(None, out, protocol=5)  # the end: a run cut short is told from a whole one
        os.replace(temporary, job.path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return job.path


_Block = tuple[list[str], list[int], list[int], list[int], list[bytes]]


class _Records:
    """A run's records (key, kind, first, last, payload) as parallel lists, read in key order."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.kinds = array("B")
        self.firsts = array("I")
        self.lasts = array("I")
        self.payloads: list[bytes] = []

    def add(self, key: str, kind: int, first: int, last: int, payload: bytes) -> None:
        self.keys.append(key)
        self.kinds.append(kind)
        self.firsts.append(first)
        self.lasts.append(last)
        self.payloads.append(payload)

    def blocks(
        self, size: int
    ) -> Iterator[tuple[list[str], list[int], list[int], list[int], list[bytes]]]:
        """(keys, kinds, firsts, lasts, payloads) of `size` records at a time, keys ascending."""
        keys = self.keys
        if len(set(keys)) != len(keys):
            raise ValueError("a run's keys must be unique")
        order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
        kinds, firsts, lasts = (
            np.frombuffer(a, dtype=a.typecode) for a in (self.kinds, self.firsts, self.lasts)
        )
        for at in range(0, len(order), size):
            part = order[at : at + size]
            block_keys = [keys[i] for i in part.tolist()]
            if any(a == b for a, b in itertools.pairwise(block_keys)) or (
                at and keys[order[at - 1]] == block_keys[0]
            ):
                raise ValueError("a run's keys must be unique")
            yield (
                block_keys,
                kinds[part].tolist(),
                firsts[part].tolist(),
                lasts[part].tolist(),
                [self.payloads[i] for i in part.tolist()],
            )


_END = pickle.dumps(None, protocol=5)


def is_whole(path: Path) -> bool:
    """Whether a kept run file ends as `write_run` ends one (a cut-short file does not)."""
    try:
        with path.open("rb") as handle:
            handle.seek(-len(_END), os.SEEK_END)
            return handle.read() == _END
    except OSError:
        return False


def _varint_size(value: int) -> int:
    size = 1
    while value >= 0x80:
        value >>= 7
        size += 1
    return size


def _grouped(key: np.ndarray, ordinal: np.ndarray) -> Iterator[tuple[int, bytes]]:
    """(key number, its ordinals as uint32 bytes) of rows sorted by key, then ordinal."""
    if not len(key):
        return
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    data = ordinal.astype(np.uint32).tobytes()
    ends = np.concatenate((starts[1:], [len(key)]))
    for number, a, b in zip(key[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
        yield number, data[a * 4 : b * 4]


def read_run(path: Path) -> Iterator[tuple[str, int, int, int, bytes]]:
    """The records of a run file in key order: (key, kind, first, last, payload)."""
    with path.open("rb") as handle:
        while True:
            try:
                block = pickle.load(handle)
            except EOFError:
                raise ValueError(f"{path}: cut short") from None
            if block is None:
                return
            keys, kinds, firsts, lasts, payloads = block
            yield from zip(keys, kinds, firsts, lasts, payloads, strict=True)


def make_runs(jobs: list[RunJob], make_rows: RowsMaker, procs: int) -> None:
    """Write the run of every job, `procs` at a time in worker processes (or here, with one)."""
    if not jobs:
        return
    if procs < 2 or len(jobs) < 2:
        for job in jobs:
            write_run(job, make_rows)
        return
    # Forked workers share the build's pages (copy on write) rather than copy them.
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    with ProcessPoolExecutor(min(procs, len(jobs)), mp_context=context) as pool:
        for _ in pool.map(write_run, jobs, itertools.repeat(make_rows)):
            pass


def merged_entries(
    runs: Sequence[tuple[Path, int]], total: int, only: set[str] | None = None
) -> Iterator[Entry]:
    """Every key's (key, kind, data) in key order, from runs given with their first ordinals
    (of the keys in `only`, if given).

    A key's records come from the runs in ordinal order; positions are
    joined by writing each run's first ordinal relative to the key's last
    article so far, doc sets gathered and encoded a batch of keys at a time
    (`encode_grouped_doc_sets` costs a few numpy passes per batch, not per key).
    """
    streams = [_based(path, number, base, only) for number, (path, base) in enumerate(runs)]
    pending: list[tuple[str, int]] = []  # doc-set keys waiting for their batch, record count
    payloads: list[bytes] = []  # their records' relative ordinals, uint32
    bases: list[int] = []  # and each record's base ordinal
    for key, group in itertools.groupby(heapq.merge(*streams), key=itemgetter(0)):
        records = list(group)
        if records[0][2] == _POSITIONS:
            out = bytearray()
            previous = 0
            for _, _, _, first, last, payload in records:
                varint(first - previous, out)
                out += payload
                previous = last
            if pending:
                yield from _flush(pending, payloads, bases, total)
                pending, payloads, bases = [], [], []
            yield key, KIND_POSITIONS, bytes(out)
        else:  # a doc set's `first` is its run's base ordinal (the payload is relative to it)
            pending.append((key, len(records)))
            for _, _, _, base, _, payload in records:
                payloads.append(payload)
                bases.append(base)
            if len(payloads) >= SET_BATCH_RECORDS:
                yield from _flush(pending, payloads, bases, total)
                pending, payloads, bases = [], [], []
    yield from _flush(pending, payloads, bases, total)


def _based(
    path: Path, number: int, base: int, only: set[str] | None
) -> Iterator[tuple[str, int, int, int, int, bytes]]:
    """A run's records with ordinals made absolute and the run's number to break key ties."""
    for key, kind, first, last, payload in read_run(path):
        if only is None or key in only:
            yield key, number, kind, first + base, last + base, payload


def changed_keys(old: Path, new: Path) -> set[str]:
    """The keys whose records differ between two runs of a chunk (or are in one only).

    Where a chunk's articles changed but none moved (the same count: a text
    corrected, a tag added), only these keys' merged entries can change.
    """
    changed: set[str] = set()
    a, b = read_run(old), read_run(new)
    left, right = next(a, None), next(b, None)
    while left is not None or right is not None:
        if right is None or (left is not None and left[0] < right[0]):
            changed.add(left[0])  # type: ignore[index]
            left = next(a, None)
        elif left is None or right[0] < left[0]:
            changed.add(right[0])
            right = next(b, None)
        else:
            if left != right:
                changed.add(left[0])
            left, right = next(a, None), next(b, None)
    return changed


def _flush(
    pending: list[tuple[str, int]], payloads: list[bytes], bases: list[int], total: int
) -> Iterator[Entry]:
    """Encode the waiting doc sets, in their (key) order: every record's ordinals made
    absolute in one pass (a numpy call per record cost more than the merge itself)."""
    if not pending:
        return
    lengths = np.fromiter((len(p) // 4 for p in payloads), dtype=np.int64, count=len(payloads))
    relative = np.frombuffer(b"".join(payloads), dtype=np.uint32).astype(np.int64)
    ordinals = relative + np.repeat(np.asarray(bases, dtype=np.int64), lengths)
    records_of = np.fromiter((n for _, n in pending), dtype=np.int64, count=len(pending))
    per_key = np.add.reduceat(lengths, np.cumsum(records_of) - records_of)
    group = np.repeat(np.arange(len(pending), dtype=np.int64), per_key)
    for number, (kind, data) in encode_grouped_doc_sets(group, ordinals, total):
        yield pending[number][0], kind, data
