"""The Whoosh index of the archive: its schema, and an incremental build from `Doc`s.

Rebuilding the whole index takes minutes at archive scale (Whoosh is pure
Python), while an editor or a scrape usually changes a handful of articles,
so `build_index` compares each document's fingerprint with the stored one
and rewrites only what changed.  The canonical result order (newest first,
undated last, then slug) shifts for every article whenever one dated article
arrives, and Whoosh cannot change one field of a stored document without
rewriting it, so the rank of each article lives beside the index in
`order.json` ({slug: rank}) instead of in a field: rewriting a small JSON
file costs milliseconds, rewriting 10,000 documents half a minute.

A damaged index (a crash during a write, a half-copied folder) is not worth
repairing: it is deleted and rebuilt from the documents, which are always at
hand.  So is an index written with another schema or another tokenizer
(`meta.json` records a hash of both), since its terms would no longer match
what queries look for.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import pickle
import re
import shutil
import struct
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import numpy as np
from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import FileIndex

from scraper.store import atomic_write_bytes

from . import analysis
from .analysis import CJKBigramAnalyzer
from .documents import Doc, canonical_order, docs_from_content
from .postings import BigramPositions
from .segments import IndexLocked, write_changes

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INDEX_DIR = ROOT / "search_index"
DEFAULT_CONTENT_DIR = ROOT / "content"
ORDER_FILE = "order.json"
# Each document number's rank, for one generation of the index (see `write_ranks`).
RANKS_FILE = "ranks-{generation}.npy"
UNRANKED = np.iinfo(np.int64).max  # the rank of a deleted document
META_FILE = "meta.json"
# Bump when the schema, the way fields are filled or the posting encoding
# (`postings.encode_positions`) changes: old indexes are rebuilt.
SCHEMA_VERSION = 2
# Files in the index folder that are not Whoosh's own (never deleted on rebuild).
KEEP_FILES = {"README.md"}

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_HAN_CHAR = re.compile(f"[{analysis.HAN}]")

# What Whoosh and the standard library raise on a damaged index: truncated or
# garbled TOC and segment files surface as unpickling, struct, zlib or
# plain lookup errors rather than one Whoosh exception.
DAMAGED_INDEX_ERRORS: tuple[type[BaseException], ...] = (
    whoosh_index.IndexError,  # EmptyIndexError, IndexVersionError, OutOfDateError
    pickle.UnpicklingError,
    EOFError,
    struct.error,
    zlib.error,
    OSError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,
    UnicodeDecodeError,
)


class IndexUnavailable(Exception):
    """No usable index at the given folder (missing, damaged or from another version)."""


def bigram_text() -> TEXT:
    """A stored text field of CJK bigrams with positions packed for bulk reading.

    Not scorable: results come in the canonical order, never by relevance, and
    a scorable field makes Whoosh store each article's field length and look
    it up again for every posting it writes (a fifth of the indexing time).
    Whoosh's own scored searches still work, weighting terms by frequency.
    """
    field = TEXT(analyzer=CJKBigramAnalyzer(), phrase=True, stored=True)
    field.format = BigramPositions(field_boost=field.format.field_boost)
    field.scorable = False
    return field


def schema() -> Schema:
    """The fields of one article in the index (see the module docstring of `query`)."""
    return Schema(
        slug=ID(unique=True, stored=True, sortable=True),
        title=bigram_text(),
        body=bigram_text(),
        # Lone Han characters inside longer runs exist only as parts of
        # bigrams, so a one-character query looks here instead.
        chars=KEYWORD(),
        title_chars=KEYWORD(),
        tags=KEYWORD(commas=True, stored=True),
        primary_tag=ID(stored=True),
        place=KEYWORD(commas=True),
        province=ID(stored=True),
        city=ID(stored=True),
        county=ID(stored=True),
        site=ID(stored=True),
        date=ID(stored=True, sortable=True),
        day=ID(),  # YYYY-MM-DD, absent when undated: what date ranges compare
        year=ID(),
        url=STORED(),
        source_url=STORED(),
        fingerprint=ID(stored=True, sortable=True),
    )


def index_format() -> str:
    """Hash of the schema version and the tokenizer's source: a change means rebuild."""
    source = Path(analysis.__file__).read_bytes()
    return hashlib.sha1(f"schema {SCHEMA_VERSION}\n".encode() + source).hexdigest()[:16]


def han_chars(text: str) -> str:
    """The distinct Han characters of `text`, folded as `tokens()` folds them, space-separated.

    Folding the few hundred distinct characters instead of the whole text
    keeps this cheap; a character that folds to a Han one (a compatibility
    ideograph, a Kangxi radical) counts as that Han character, as in `tokens()`.
    """
    found = {analysis.normalize(ch) for ch in set(text)}
    return " ".join(sorted(ch for ch in found if _HAN_CHAR.fullmatch(ch)))


def day_of(date: str | None) -> str | None:
    """The calendar day (YYYY-MM-DD) of an ISO 8601 date, None when undated or malformed."""
    if date and _DAY.match(date):
        return date[:10]
    return None


def doc_fields(doc: Doc) -> dict[str, Any]:
    """The Whoosh document of one article."""
    fields: dict[str, Any] = {
        "slug": doc.slug,
        "title": doc.title,
        "body": doc.body,
        "chars": han_chars(doc.title + "\n" + doc.body),
        "title_chars": han_chars(doc.title),
        "tags": ",".join(doc.tags),
        "url": doc.url,
        "source_url": doc.source_url,
        "fingerprint": doc.fingerprint,
    }
    optional = {
        "primary_tag": doc.primary_tag,
        "place": ",".join(doc.places),
        "province": doc.province,
        "city": doc.city,
        "county": doc.county,
        "site": doc.site,
        "date": doc.date,
        "day": day_of(doc.date),
        "year": doc.year if doc.year and doc.year.isdigit() else None,
    }
    fields.update({name: value for name, value in optional.items() if value})
    return fields


class _Fields(Sequence[dict[str, Any]]):
    """The Whoosh documents of `docs`, made as they are read.

    A first build adds every article: their field values (each article's
    distinct characters, its facets) made all at once would be held for the
    whole indexing, while Whoosh's writers take them a batch at a time.
    """

    def __init__(self, docs: list[Doc]) -> None:
        self.docs = docs

    def __len__(self) -> int:
        return len(self.docs)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> _Fields: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | _Fields:
        if isinstance(index, slice):
            return _Fields(self.docs[index])  # what a segment's worker is sent
        return doc_fields(self.docs[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (doc_fields(doc) for doc in self.docs)

    def text_sizes(self) -> list[int]:
        """Each document's `segments.text_size`, without making the document."""
        return [len(doc.title) + len(doc.body) for doc in self.docs]


@dataclass
class IndexReport:
    """What one `build_index` run did."""

    index_dir: Path
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    duplicates: list[str] = field(default_factory=list)  # slugs given twice (first kept)
    rebuilt: bool = False  # the index was created from scratch
    reason: str = ""  # why it was rebuilt
    seconds: float = 0.0

    @property
    def total(self) -> int:
        """Documents in the index after the run."""
        return self.added + self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    def summary(self) -> str:
        line = (
            f"搜索索引 {self.index_dir}: 共 {self.total} 篇 — 新增 {self.added}，"
            f"更新 {self.updated}，删除 {self.deleted}，未变 {self.unchanged}"
            f"（{self.seconds:.2f} 秒）"
        )
        if self.rebuilt:
            line += f"；重建：{self.reason}"
        if self.duplicates:
            line += f"；重复的 slug 已忽略：{', '.join(self.duplicates[:5])}"
        return line


def read_order(index_dir: Path) -> dict[str, int] | None:
    """The {slug: rank} map of `order.json`, None if missing or unreadable."""
    try:
        data = json.loads((index_dir / ORDER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_meta(index_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((index_dir / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json_atomically(path: Path, data: object) -> None:
    """Write JSON so that a reader sees the old file or the new one, never half of one."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    atomic_write_bytes(path, text.encode("utf-8"))


def index_exists(index_dir: Path) -> bool:
    """Whether `index_dir` holds a Whoosh index, usable or damaged."""
    try:
        return whoosh_index.exists_in(str(index_dir))
    except DAMAGED_INDEX_ERRORS:
        return True  # Whoosh opens the index to answer, and a damaged one raises


def open_index(index_dir: Path) -> FileIndex:
    """The index at `index_dir`, or IndexUnavailable saying why it cannot be used."""
    if not index_exists(index_dir):
        raise IndexUnavailable(
            f"没有搜索索引 / no search index at {index_dir} — 请先运行 `invoke build`"
            " (or `python -m archive_search --reindex QUERY`)"
        )
    meta = read_meta(index_dir)
    if meta.get("format") != index_format():
        raise IndexUnavailable(
            f"搜索索引版本过旧 / the index at {index_dir} was built by another version"
            " — 请运行 `invoke build` 重建"
        )
    try:
        return whoosh_index.open_dir(str(index_dir))
    except DAMAGED_INDEX_ERRORS as exc:
        raise IndexUnavailable(
            f"搜索索引已损坏 / the index at {index_dir} is damaged ({exc!r})"
            " — 请运行 `invoke build` 重建"
        ) from exc


def stored_fingerprints(ix: FileIndex) -> dict[str, str]:
    """{slug: fingerprint} of every live document, read from the columns (fast)."""
    with ix.reader() as reader:
        if reader.doc_count_all() == 0:
            return {}
        slugs = reader.column_reader("slug")
        prints = reader.column_reader("fingerprint")
        found = {
            slugs[docnum]: prints[docnum]
            for docnum in range(reader.doc_count_all())
            if not reader.is_deleted(docnum)
        }
        if len(found) != reader.doc_count():
            raise ValueError("slug column disagrees with the document count")
        return found


def live_count(ix: FileIndex) -> int:
    """Documents in the index, deleted ones not counted."""
    with ix.reader() as reader:
        return reader.doc_count()


def clear_index_dir(index_dir: Path) -> None:
    """Delete Whoosh's files (and ours) but keep the folder and its README."""
    if not index_dir.is_dir():
        return
    for path in index_dir.iterdir():
        if path.name in KEEP_FILES:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def build_index(index_dir: Path, docs: Iterable[Doc], *, procs: int | None = None) -> IndexReport:
    """Bring the index at `index_dir` up to date with `docs` (the complete archive).

    New and changed documents (by fingerprint) are written, documents not in
    `docs` are deleted, the rest is left alone; `order.json` is rewritten
    with every document's rank in canonical order.  A missing, damaged or
    outdated index is rebuilt from scratch.  `procs` caps the processes
    writing many articles at once (default: one a core; see `segments`).
    """
    started = time.perf_counter()
    index_dir = Path(index_dir)
    report = IndexReport(index_dir=index_dir)
    wanted: dict[str, Doc] = {}
    for doc in docs:
        if doc.slug in wanted:
            report.duplicates.append(doc.slug)
            log.warning("duplicate slug %s: the first article with it is indexed", doc.slug)
            continue
        wanted[doc.slug] = doc

    ix, stored = _open_for_update(index_dir, report)
    new = [slug for slug in wanted if slug not in stored]
    changed = [s for s in wanted if s in stored and stored[s] != wanted[s].fingerprint]
    gone = [slug for slug in stored if slug not in wanted]
    try:
        if new or changed or gone:
            add = _Fields([wanted[slug] for slug in (*changed, *new)])
            write_changes(ix, delete=[*gone, *changed], add=add, procs=procs)
            # Whoosh's parallel writer drops a worker's segment without a word if
            # the worker dies; what is missing is written again, by this process.
            missing = []
            if live_count(ix) != len(wanted):
                written = stored_fingerprints(ix)
                missing = [slug for slug in wanted if slug not in written]
            if missing:
                log.warning("search index: %d articles were not written, writing them again",
                            len(missing))  # fmt: skip
                write_changes(ix, delete=missing, add=[doc_fields(wanted[s]) for s in missing],
                              procs=1)  # fmt: skip
    except IndexLocked as exc:
        raise IndexUnavailable(
            f"搜索索引正被另一进程写入 / the index at {index_dir} is locked by another writer"
        ) from exc
    finally:
        ix.close()

    ranks = {doc.slug: rank for rank, doc in enumerate(canonical_order(wanted.values()))}
    order_changed = read_order(index_dir) != ranks
    if order_changed:
        write_json_atomically(index_dir / ORDER_FILE, ranks)
    write_ranks(index_dir, ranks, again=order_changed)
    meta = {"format": index_format(), "schema": SCHEMA_VERSION}
    if read_meta(index_dir) != meta:
        write_json_atomically(index_dir / META_FILE, meta)

    report.added, report.updated, report.deleted = len(new), len(changed), len(gone)
    report.unchanged = len(wanted) - len(new) - len(changed)
    report.seconds = time.perf_counter() - started
    log.info("%s", report.summary())
    return report


def write_ranks(index_dir: Path, ranks: dict[str, int], *, again: bool = False) -> None:
    """Write the rank of each document number of the index's current generation.

    A search in a fresh process needs every document's rank (results come in
    canonical order); reading it from order.json means reading every
    document's slug from the index, about a second at 100,000 articles.  Read
    from this file it takes a millisecond.  Document numbers change with
    every commit, so the file is named after the generation it belongs to
    and any other is deleted; `again` rewrites it when the order changed.
    """
    ix = whoosh_index.open_dir(str(index_dir))
    try:
        with ix.reader() as reader:
            path: Path | None = index_dir / RANKS_FILE.format(generation=reader.generation())
            if path.exists() and not again:
                return
            count = reader.doc_count_all()
            by_docnum = np.full(count, UNRANKED, dtype=np.int64)
            slugs = reader.column_reader("slug") if count else []
            for docnum in range(count):
                if not reader.is_deleted(docnum):
                    rank = ranks.get(slugs[docnum])
                    if rank is None:  # another writer's article: searches rank from dates
                        path = None
                        break
                    by_docnum[docnum] = rank
    finally:
        ix.close()
    for old in index_dir.glob(RANKS_FILE.format(generation="*")):
        if old != path:
            old.unlink(missing_ok=True)
    if path is None:
        return
    packed = io.BytesIO()
    np.save(packed, by_docnum)
    atomic_write_bytes(path, packed.getvalue())


def read_ranks(index_dir: Path, generation: int | None, count: int) -> np.ndarray | None:
    """The ranks `write_ranks` wrote for `generation` of the index, None if there are none."""
    if generation is None:
        return None
    try:
        ranks = np.load(index_dir / RANKS_FILE.format(generation=generation))
    except (OSError, ValueError):
        return None
    return ranks if ranks.shape == (count,) and ranks.dtype == np.int64 else None


def _open_for_update(index_dir: Path, report: IndexReport) -> tuple[FileIndex, dict[str, str]]:
    """The existing index and its fingerprints, or a fresh empty index (report says why)."""
    reason = ""
    if index_exists(index_dir):
        if read_meta(index_dir).get("format") != index_format():
            reason = "built by another schema or tokenizer version"
        else:
            try:
                ix = whoosh_index.open_dir(str(index_dir))
                try:
                    return ix, stored_fingerprints(ix)
                except BaseException:
                    ix.close()
                    raise
            except DAMAGED_INDEX_ERRORS as exc:
                reason = f"damaged index ({exc!r})"
                log.warning("search index at %s is damaged, rebuilding: %r", index_dir, exc)
    else:
        reason = "no index yet"
    report.rebuilt, report.reason = True, reason
    clear_index_dir(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(index_dir), schema()), {}


def index_content(
    content_dir: Path = DEFAULT_CONTENT_DIR, index_dir: Path = DEFAULT_INDEX_DIR
) -> IndexReport:
    """Index every readable article under `content_dir` (unreadable ones are logged)."""
    docs: list[Doc] = []
    for item in docs_from_content(content_dir):
        if isinstance(item, Doc):
            docs.append(item)
        else:
            path, reason = item
            log.warning("not indexed: %s: %s", path, reason)
    return build_index(index_dir, docs)
