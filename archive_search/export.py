"""The static search index: small content-hashed files the search page fetches on demand.

Researchers open the archive from any web host, with no server to run a
query, so the page (theme/static/js/search.js) evaluates queries itself on
postings exported here.  A plain static host applies no compression and a
10,000-article archive holds tens of megabytes of postings, so the export is
cut into many small files and a query fetches only those it needs.  The
files, the key shard format and the manifest are described in
docs/search_format.md.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import itertools
import json
import logging
import os
import pickle
import re
import shutil
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from archive_search import export_runs
from archive_search.analysis import HAN, normalize, term_positions, tokens
from archive_search.documents import Doc, canonical_order
from archive_search.export_runs import Entry
from archive_search.packing import (
    KIND_POSITIONS,
    encode_grouped_doc_sets,
    encode_grouped_positions,
    varint,
)
from archive_search.query_language import contract as query_contract
from archive_search.segments import writing_procs
from scraper.store import atomic_write_bytes

log = logging.getLogger(__name__)

FORMAT_VERSION = 4
TARGET_SHARD_BYTES = 12_000  # key shards stay ~5–20 KB: a query fetches few small files
META_BLOCK = 50  # articles per metadata shard (~6 KB gzip)
GROUP_SIZE = 100  # files per content-hashed folder
HASH_CHARS = 8
URL_PATTERN = "articles/{slug}.html"

_HAN_CHAR = re.compile(f"[{HAN}]")
_HAN_TRIGRAM = re.compile(f"[{HAN}]{{3}}")  # no token is three Han characters: no clash
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

FAMILIES = ("k", "s", "t", "g")
PREFIXES = (*FAMILIES, "m", "d", "b")  # every folder of content-hashed groups
STAGING_PREFIX = ".new-"  # a group's folder while it is written (see plugins/leftovers)
RUNS_FOLDER = "export-runs"  # in the cache folder: the postings of each chunk (export_runs)


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote, for the build log and the bench."""

    docs: int
    keys: int
    shards: int
    files: int
    bytes: int  # bytes written (the files of folders kept from the last export not counted)
    largest_shard: int  # bytes of the largest key shard
    median_shard: int
    manifest_bytes: int
    out_dir: Path
    skipped: list[str] = field(default_factory=list)
    unchanged: bool = False  # the export in out_dir was of the same articles: kept
    kept: int = 0  # files of folders the last export already held, left as they were

    def summary(self) -> str:
        if self.unchanged:
            return f"search export: {self.docs} articles unchanged, kept {self.out_dir}"
        return (
            f"search export: {self.docs} articles, {self.keys} keys in {self.shards} shards "
            f"(median {self.median_shard / 1000:.1f} KB, "
            f"largest {self.largest_shard / 1000:.1f} KB), "
            f"{self.files} files ({self.kept} kept from the last export), "
            f"{self.bytes / 1e6:.1f} MB written, manifest "
            f"{self.manifest_bytes / 1000:.1f} KB → {self.out_dir}"
        )


# ---------------------------------------------------------------- encoding


def fnv1a(key: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes: the shard of a key, computed alike in JavaScript."""
    h = 0x811C9DC5
    for byte in key.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def _content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_CHARS]


def _maybe_gzip(data: bytes) -> bytes:
    """`data` gzip-compressed when that makes it smaller (the page checks the magic number)."""
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    return packed if len(packed) < len(data) else data


def _write_groups(
    writer: _Writer,
    prefix: str,
    raws: Iterable[bytes],
    pack: Callable[[bytes], bytes],
    sizes: bool = False,
) -> tuple[list[str], list[int]]:
    """Write files n = 0, 1, … as <prefix>/<g>-<hash>/<n>.bin, GROUP_SIZE to a folder.

    File n holds `pack(raws[n])`.  The folder's name carries the hash of its
    files' contents (before packing: packing is deterministic, and a folder
    the last export already holds is then kept without compressing its
    files again), so a browser may cache them forever: a changed file makes
    a new folder name.  Returns the folders' hashes and, if `sizes`, the
    files' sizes.
    """
    hashes: list[str] = []
    written: list[int] = []
    pending = iter(raws)  # made a folder at a time: the whole export is never in memory
    for start in itertools.count(0, GROUP_SIZE):
        group = list(itertools.islice(pending, GROUP_SIZE))
        if not group:
            break
        digest = hashlib.sha256()
        for data in group:
            digest.update(len(data).to_bytes(8, "little") + data)
        name = digest.hexdigest()[:HASH_CHARS]
        folder = f"{prefix}/{start // GROUP_SIZE}-{name}"
        names = [f"{n}.bin" for n in range(start, start + len(group))]
        kept = writer.keep(folder, names, sizes)
        if kept is None:
            packed = [pack(data) for data in group]
            writer.write_folder(folder, zip(names, packed, strict=True))
            kept = [len(data) for data in packed] if sizes else []
        written += kept
        hashes.append(name)
    return hashes, written


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _json_bytes(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# ---------------------------------------------------------------- the index


@dataclass
class Rows:
    """Postings rows: one per (key, article) in ordinal order.

    Positions keys: `pos_key`, `pos_ordinal`, `pos_count` and `pos_first`,
    the offset of the row's positions in `flat`; doc-set keys: `set_key`
    and `set_ordinal`.  Key numbers index `keys`.
    """

    keys: list[str]
    pos_key: np.ndarray
    pos_ordinal: np.ndarray
    pos_count: np.ndarray
    pos_first: np.ndarray
    flat: np.ndarray
    set_key: np.ndarray
    set_ordinal: np.ndarray


class _Builder:
    """Postings collected article by article, in ordinal order, encoded at the end.

    Every key gets a number; each article adds rows to flat unsigned 32-bit
    arrays, one row per (key, article): positions keys their ordinal and
    position count (the positions themselves in `flat`), doc-set keys their
    ordinal.  `entries` groups the rows by key with one stable sort and
    encodes all keys in a few numpy passes (`packing.encode_grouped_*`): one
    array per key and one encoding call per key cost more than the work.
    """

    def __init__(self, total: int, body_offset: int) -> None:
        self.total = total
        self.body_offset = body_offset
        self.ids: dict[str, int] = {}
        self.keys: list[str] = []
        self.pos_key, self.pos_ordinal, self.pos_count = array("I"), array("I"), array("I")
        self.flat = array("I")
        self.set_key, self.set_ordinal = array("I"), array("I")

    def _ids(self, keys: list[str]) -> list[int]:
        get = self.ids.get
        found = [get(k) for k in keys]
        if None in found:
            for n, key in enumerate(keys):
                if found[n] is None:
                    number = self.ids.get(key)
                    if number is None:
                        number = self.ids[key] = len(self.keys)
                        self.keys.append(key)
                    found[n] = number
        return found  # type: ignore[return-value]

    def _positions(self, ordinal: int, terms: dict[str, list[int]]) -> None:
        self.pos_key.extend(self._ids(list(terms)))
        self.pos_ordinal.extend(array("I", [ordinal]) * len(terms))
        self.pos_count.extend(map(len, terms.values()))
        self.flat.extend(itertools.chain.from_iterable(terms.values()))

    def add(self, ordinal: int, doc: Doc) -> None:
        title_grams: dict[str, list[int]] = {}
        body_grams: dict[str, list[int]] = {}
        in_title = term_positions(doc.title, title_grams)
        in_body = term_positions(doc.body, body_grams, start=self.body_offset)
        sets: list[str] = []
        for title_terms, body_terms in ((in_title, in_body), (title_grams, body_grams)):
            # Title positions come first and stay below body_offset: sorted per article.
            merged = dict(body_terms)
            for text, positions in title_terms.items():
                merged[text] = positions + merged[text] if text in merged else positions
            self._positions(ordinal, merged)  # its "=" doc set comes from these rows too
        self._positions(ordinal, {"@" + text: p for text, p in in_title.items()})
        title_chars = set(_HAN_CHAR.findall(normalize(doc.title)))
        sets += ["#" + char for char in title_chars | set(_HAN_CHAR.findall(normalize(doc.body)))]
        sets += ["^" + char for char in title_chars]
        sets += ["tag:" + tag for tag in dict.fromkeys(doc.tags)]
        sets += ["place:" + place for place in dict.fromkeys(doc.places)]
        if doc.site:
            sets.append("site:" + doc.site)
        if doc.year and doc.year.isdigit():
            sets.append("year:" + doc.year)
        self.set_key.extend(self._ids(sets))
        self.set_ordinal.extend(array("I", [ordinal]) * len(sets))

    def rows(self) -> Rows:
        """The rows as numpy columns (views of the arrays, no copy)."""

        def column(values: array) -> np.ndarray:
            return np.frombuffer(values, dtype=np.uint32)

        count = column(self.pos_count)
        return Rows(
            keys=self.keys, pos_key=column(self.pos_key), pos_ordinal=column(self.pos_ordinal),
            pos_count=count, pos_first=np.cumsum(count, dtype=np.int64) - count,
            flat=column(self.flat), set_key=column(self.set_key),
            set_ordinal=column(self.set_ordinal),
        )  # fmt: skip


def encode_entries(rows: Rows, total: int) -> dict[str, tuple[int, bytes]]:
    """Every key's (kind, data), from rows in ordinal order."""
    found: dict[str, tuple[int, bytes]] = {}
    keys = rows.keys
    if len(rows.pos_key):
        order = np.argsort(rows.pos_key, kind="stable")  # rows of a key stay in ordinal order
        key, ordinal = rows.pos_key[order], rows.pos_ordinal[order]
        count, firsts = rows.pos_count[order], rows.pos_first[order]
        del order
        for number, data in encode_grouped_positions(key, ordinal, count, rows.flat, firsts):
            found[keys[number]] = (KIND_POSITIONS, data)
        # "=" + a term or trigram: the articles holding it in title or body,
        # the rows of its positions key ("@" keys, title only, have none).
        in_title = np.fromiter((k[0] == "@" for k in keys), dtype=bool, count=len(keys))
        both = ~in_title[key]
        for number, kind_data in encode_grouped_doc_sets(key[both], ordinal[both], total):
            found["=" + keys[number]] = kind_data
    if len(rows.set_key):
        order = np.argsort(rows.set_key, kind="stable")
        grouped = encode_grouped_doc_sets(rows.set_key[order], rows.set_ordinal[order], total)
        for number, kind_data in grouped:
            found[keys[number]] = kind_data
    return found


PARALLEL_DOCS = 2000  # articles from which the rows are made by one process a core


def _rows(docs: list[Doc], ordinals: list[int], total: int, body_offset: int) -> _Builder:
    """The rows of `docs`, numbered `ordinals` (ascending; run in a worker process)."""
    builder = _Builder(total=total, body_offset=body_offset)
    for ordinal, doc in zip(ordinals, docs, strict=True):
        builder.add(ordinal, doc)
    return builder


@dataclass
class _Runs:
    """The runs of this export's chunks, with their first ordinals, and where they are kept."""

    runs: list[tuple[Path, int]]
    folder: Path
    total: int
    body_offset: int


def _make_runs(ordered: list[Doc], body_offset: int, folder: Path) -> _Runs:
    """The run of every chunk, made where `folder` does not hold it whole already."""
    total = len(ordered)
    runs: list[tuple[Path, int]] = []
    jobs: list[export_runs.RunJob] = []
    for start, end in export_runs.chunks([doc.slug for doc in ordered]):
        part = ordered[start:end]
        name = export_runs.chunk_name([(d.slug, d.fingerprint) for d in part], body_offset)
        path = folder / f"{name}{export_runs.RUN_SUFFIX}"
        runs.append((path, start))
        if not export_runs.is_whole(path):
            if path.exists():  # a damaged cache: the run is made afresh
                log.warning("search export: kept postings %s unusable, made afresh", path)
            jobs.append(export_runs.RunJob(part, path, body_offset))
    procs = writing_procs() if total >= PARALLEL_DOCS else 1
    export_runs.make_runs(jobs, _rows, procs)
    return _Runs(runs, folder, total, body_offset)


# What the last cached export left beside its runs: its runs and its spooled
# entries, so that a rebuild in which no article moved merges only the keys
# whose records changed (`_kept_entries`).
LAST_STATE = "last-export.pickle"
LAST_SPOOL = "last-{family}.spool"


def _kept_entries(made: _Runs) -> Iterator[Entry] | None:
    """Every key's entry, from the last export's spools and the keys that changed since.

    None unless the last export left whole spools and every chunk is where it
    was (same count, same first ordinals, same body offset): then each key's
    entry is the last one's unless one of the chunks that changed holds it
    differently (`export_runs.changed_keys`), and only those keys are merged
    again.  Entries come family by family, each in key order.
    """
    try:
        with (made.folder / LAST_STATE).open("rb") as handle:
            state = pickle.load(handle)
        if state["version"] != export_runs.RUNS_VERSION:
            return None
        old_runs = [(made.folder / name, base) for name, base in state["runs"]]
        if (state["total"], state["body_offset"]) != (made.total, made.body_offset) or [
            base for _, base in old_runs
        ] != [base for _, base in made.runs]:
            return None
        pairs = [(o, n) for (o, _), (n, _) in zip(old_runs, made.runs, strict=True) if o != n]
        if not all(export_runs.is_whole(old) for old, _ in pairs):
            return None
        indexes = {name: state["families"][name] for name in FAMILIES}
    except (OSError, EOFError, pickle.UnpicklingError, KeyError, TypeError, ValueError):
        return None
    spools: dict[str, _Spool] = {}
    try:
        for name, index in indexes.items():
            spools[name] = _Spool.kept(made.folder, name, index)
    except (OSError, KeyError, ValueError):
        for spool in spools.values():
            spool.close()
        return None
    changed: set[str] = set()
    for old, new in pairs:
        changed |= export_runs.changed_keys(old, new)
    fresh = {key: (kind, data) for key, kind, data in
             export_runs.merged_entries(made.runs, made.total, only=changed)}  # fmt: skip

    def entries() -> Iterator[Entry]:
        for name in FAMILIES:
            waiting = sorted(key for key in changed if family(key) == name)
            at = 0
            for key, kind, data in spools[name].entries():
                while at < len(waiting) and waiting[at] < key:
                    if waiting[at] in fresh:
                        yield waiting[at], *fresh[waiting[at]]
                    at += 1
                if key in changed:
                    continue  # given above, or gone
                yield key, kind, data
            for key in waiting[at:]:
                if key in fresh:
                    yield key, *fresh[key]
            spools[name].close()

    return entries()


class _Spool:
    """One family's entries, written to a file as they come, indexed by small arrays.

    Shards are cut by a key's hash modulo a count that depends on the size
    of the whole family, known only at the end: the entries wait on disk
    (about 20 bytes of index each in memory), in key order, as each shard
    lists them.
    """

    COLUMNS = ("hash", "keylen", "datalen", "offset", "kind")

    def __init__(self, path: Path, mode: str = "w+b") -> None:
        self.path = path
        self.file = path.open(mode)
        self.hash, self.keylen, self.datalen = array("I"), array("I"), array("I")
        self.offset, self.kind = array("Q"), array("B")
        self.at = 0
        self.size = 0  # what `shard_count` weighs

    @classmethod
    def kept(cls, folder: Path, name: str, index: dict[str, bytes]) -> _Spool:
        """The spool the last export left (`index()` of it), to read again."""
        spool = cls(folder / LAST_SPOOL.format(family=name), "rb")
        for column in cls.COLUMNS:
            getattr(spool, column).frombytes(index[column])
        lengths = {len(getattr(spool, column)) for column in cls.COLUMNS}
        end = spool.offset[-1] + spool.keylen[-1] + spool.datalen[-1] if spool.offset else 0
        if len(lengths) != 1 or os.fstat(spool.file.fileno()).st_size != end:
            spool.close()
            raise ValueError(f"{spool.path}: not the spool its index describes")
        return spool

    def index(self) -> dict[str, bytes]:
        """The index columns, to keep with the file."""
        return {column: getattr(self, column).tobytes() for column in self.COLUMNS}

    def entry(self, n: int) -> Entry:
        """Entry number `n` (in the order added), read from the file."""
        cut = self.keylen[n]
        raw = os.pread(self.file.fileno(), cut + self.datalen[n], self.offset[n])
        if len(raw) != cut + self.datalen[n]:
            raise ValueError(f"{self.path}: cut short")
        return raw[:cut].decode("utf-8"), self.kind[n], raw[cut:]

    def entries(self) -> Iterator[Entry]:
        """The entries in the order they were added (key order)."""
        return (self.entry(n) for n in range(len(self.offset)))

    def add(self, key: str, kind: int, data: bytes) -> None:
        raw = key.encode("utf-8")
        self.file.write(raw)
        self.file.write(data)
        self.hash.append(fnv1a(key))
        self.keylen.append(len(raw))
        self.datalen.append(len(data))
        self.offset.append(self.at)
        self.kind.append(kind)
        self.at += len(raw) + len(data)
        self.size += len(raw) + len(data) + 4

    def shards(self) -> tuple[int, Iterator[bytes]]:
        """The shard count and each shard's bytes in turn (`encode_shard`)."""
        self.file.flush()
        count = max(1, round(self.size / TARGET_SHARD_BYTES))
        shard = np.frombuffer(self.hash, dtype=np.uint32) % count
        order = np.argsort(shard, kind="stable")  # key order within a shard
        cuts = np.searchsorted(shard[order], np.arange(count + 1))

        def each() -> Iterator[bytes]:
            for number in range(count):
                members = order[cuts[number] : cuts[number + 1]].tolist()
                yield encode_shard([self.entry(n) for n in members])

        return count, each()

    def close(self) -> None:
        self.file.close()


def family(key: str) -> str:
    """The shard family of a key: positions (k), title positions (t), doc sets (s), trigrams (g).

    Families are sharded apart so that a one-word query fetches a doc set, not
    the positions only phrases need.
    """
    if key[0] == "@":
        return "t"
    if key[0] in "=#^" or ":" in key:
        return "s"
    if _HAN_TRIGRAM.fullmatch(key):
        return "g"
    return "k"


def shard_count(entries: Mapping[str, tuple[int, bytes]]) -> int:
    """Enough shards that an average one holds about TARGET_SHARD_BYTES."""
    size = sum(len(key.encode("utf-8")) + len(data) + 4 for key, (_, data) in entries.items())
    return max(1, round(size / TARGET_SHARD_BYTES))


def encode_shard(entries: list[tuple[str, int, bytes]]) -> bytes:
    """One key shard: a header naming each key, its kind and length, then the data."""
    header = bytearray()
    varint(len(entries), header)
    for key, kind, data in entries:
        raw = key.encode("utf-8")
        varint(len(raw), header)
        header += raw
        varint(kind, header)
        varint(len(data), header)
    return bytes(header) + b"".join(data for _, _, data in entries)


def meta_row(doc: Doc, strings: dict[str, int]) -> list[object]:
    """A compact metadata row; sites, places and tags are indexes into the manifest's lists.

    [slug, title, date, site, [province, city, county], tags, primary tag,
     source url, title derived (0/1), url when not the manifest's url pattern]
    """

    def ref(value: str | None) -> int:
        return strings[value] if value else -1

    row: list[object] = [
        doc.slug,
        doc.title,
        doc.date,
        ref(doc.site),
        [ref(doc.province), ref(doc.city), ref(doc.county)],
        [ref(t) for t in doc.tags],
        ref(doc.primary_tag),
        doc.source_url,
        int(doc.title_derived),
    ]
    if doc.url != URL_PATTERN.format(slug=doc.slug):
        row.append(doc.url)
    return row


def _facets(
    docs: list[Doc], practice_names: Mapping[str, str]
) -> tuple[dict[str, object], list[str]]:
    """Filter choices with their article counts, and the string table rows refer to."""
    tags: dict[str, int] = defaultdict(int)
    sites: dict[str, int] = defaultdict(int)
    years: dict[str, int] = defaultdict(int)
    places: dict[tuple[str, str | None, str | None], int] = defaultdict(int)
    for doc in docs:
        for tag in dict.fromkeys(doc.tags):
            tags[tag] += 1
        if doc.site:
            sites[doc.site] += 1
        if doc.year and doc.year.isdigit():
            years[doc.year] += 1
        # Every level of the place hierarchy is a filter value of its own.
        if doc.province:
            places[(doc.province, None, None)] += 1
            if doc.city:
                places[(doc.province, doc.city, None)] += 1
                if doc.county:
                    places[(doc.province, doc.city, doc.county)] += 1
    strings: list[str] = []
    index: dict[str, int] = {}

    def intern(value: str) -> int:
        if value not in index:
            index[value] = len(strings)
            strings.append(value)
        return index[value]

    order = list(practice_names) + sorted(set(tags) - set(practice_names))
    facets: dict[str, object] = {
        "tags": [[intern(t), practice_names.get(t, t), tags[t]] for t in order if t in tags],
        "places": [
            [intern(p), intern(c) if c else -1, intern(k) if k else -1, n]
            for (p, c, k), n in sorted(
                places.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2] or "")
            )
        ],
        "sites": [[intern(s), n] for s, n in sorted(sites.items(), key=lambda kv: (-kv[1], kv[0]))],
        "years": [[y, n] for y, n in sorted(years.items(), reverse=True)],
    }
    for doc in docs:  # places outside the hierarchy above (a county without a city)
        for value in (*doc.places, doc.primary_tag or "", *doc.tags):
            if value:
                intern(value)
    return facets, strings


def day_number(date: str | None) -> int:
    """YYYYMMDD of an ISO date as a number (0 when undated or malformed).

    Compared as numbers, these order like the YYYY-MM-DD strings the Whoosh
    index compares for date ranges, malformed days included.
    """
    if date and _DAY.match(date):
        return int(date[:4] + date[5:7] + date[8:10])
    return 0


def encode_days(docs: list[Doc]) -> bytes:
    """The publication day of every ordinal, as runs: count, then (zigzag day delta, length)*.

    Articles of one day are neighbours in the canonical order, so there are
    about as many runs as days, and a date range is a handful of ordinal ranges.
    """
    runs: list[list[int]] = []
    for doc in docs:
        day = day_number(doc.date)
        if runs and runs[-1][0] == day:
            runs[-1][1] += 1
        else:
            runs.append([day, 1])
    out = bytearray()
    varint(len(runs), out)
    previous = 0
    for day, length in runs:
        delta = day - previous
        varint(delta * 2 if delta >= 0 else -delta * 2 - 1, out)
        varint(length, out)
        previous = day
    return bytes(out)


class _Writer:
    """Writes an export into its own folder, each group of files under its content hash.

    A folder's name carries the hash of its files, so a folder of that name
    already there holds the same bytes and is kept as it is: a rebuild after
    one change writes the folders that changed and nothing else.  New folders
    are written under a temporary name and renamed, and no folder the last
    manifest names is touched until the new manifest has replaced it
    (`sweep`), so the site being served stays whole throughout.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = 0
        self.bytes = 0
        self.kept = 0  # files of folders already there (counted in files, not in bytes)
        self.named: set[str] = set()  # what the new manifest names: "<prefix>/<folder>", files

    def keep(self, folder: str, names: list[str], sizes: bool) -> list[int] | None:
        """The files' sizes ([] unless `sizes`) if `folder` is there holding exactly `names`."""
        path = self.root / folder
        try:
            listed = sorted(os.listdir(path))
        except FileNotFoundError:
            return None
        except OSError:
            listed = []
        if listed != sorted(names):  # not what its name promises (damaged by hand): made again
            shutil.rmtree(path, ignore_errors=True)
            return None
        found = [(path / name).stat().st_size for name in names] if sizes else []
        self.named.add(folder)
        self.files += len(names)
        self.kept += len(names)
        return found

    def write_folder(self, folder: str, files: Iterable[tuple[str, bytes]]) -> None:
        """A new folder, written under a temporary name and renamed whole."""
        target = self.root / folder
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target.parent))
        try:
            for name, data in files:
                (staging / name).write_bytes(data)
                self.files += 1
                self.bytes += len(data)
            staging.chmod(0o755)
            os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self.named.add(folder)

    def write(self, relative: str, data: bytes) -> None:
        """A file of its own (the dates, the manifest), replaced whole."""
        atomic_write_bytes(self.root / relative, data)
        self.named.add(relative)
        self.files += 1
        self.bytes += len(data)

    def sweep(self) -> None:
        """Remove what the new manifest does not name: the last exports' folders and files,
        and the half-written folders of an export that was killed."""
        for prefix in PREFIXES:
            folder = self.root / prefix
            if not folder.is_dir():
                continue
            for child in folder.iterdir():
                if f"{prefix}/{child.name}" not in self.named:
                    if child.is_dir():
                        shutil.rmtree(child, ignore_errors=True)
                    else:
                        child.unlink(missing_ok=True)
        for old in self.root.glob("dates-*.bin"):
            if old.name not in self.named:
                old.unlink(missing_ok=True)


def source_digest(ordered: Sequence[Doc], practice_names: Mapping[str, str]) -> str:
    """A hash of all an export is made of: format, names, query contract, each article."""
    digest = hashlib.sha1(f"{FORMAT_VERSION}\x1f{sorted(practice_names.items())}".encode())
    digest.update(json.dumps(query_contract(), sort_keys=True).encode())
    for doc in ordered:
        digest.update(f"\x1e{doc.slug}\x1f{int(doc.title_derived)}\x1f{doc.fingerprint}".encode())
    return digest.hexdigest()


def _kept_export(out_dir: Path, source: str) -> int | None:
    """The manifest's size if out_dir holds a whole export of `source`, else None.

    A rebuild that changed no article keeps the export instead of writing
    tens of thousands of files again.  The manifest is written last (replaced
    whole), after every folder it names, so a manifest naming `source` means
    the files it lists are there.
    """
    try:
        data = (out_dir / "manifest.json").read_bytes()
        manifest = json.loads(data)
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("source") != source:
        return None
    return len(data)


def export(
    docs: Iterable[Doc],
    out_dir: Path,
    *,
    practice_names: Mapping[str, str] | None = None,
    cache_dir: Path | None = None,
) -> ExportReport:
    """Write the static search index of `docs` into `out_dir` (replacing what was there).

    `practice_names` maps practice ids to the names the filter shows (taxonomy
    order); without it, tags are shown by id.  With `cache_dir` (a folder not
    published), the postings of this export are kept there, a run per chunk
    of articles, and the next export makes postings only for the chunks
    whose articles changed (`export_runs`).  Folders of files identical to
    the last export's are kept where they are rather than written again; the
    others are written beside them, and the last export's that the new
    manifest does not name are removed once it is in place.
    Memory stays that of a chunk and of one folder of files: postings wait
    in runs and spools on disk, never all at once in memory.
    """
    ordered, skipped = _unique(canonical_order(docs))
    out_dir = Path(out_dir)
    names = practice_names or {}
    source = source_digest(ordered, names)
    kept = _kept_export(out_dir, source)
    if kept is not None:
        return ExportReport(
            docs=len(ordered), keys=0, shards=0, files=0, bytes=0, largest_shard=0,
            median_shard=0, manifest_bytes=kept, out_dir=out_dir, skipped=skipped,
            unchanged=True,
        )  # fmt: skip
    body_offset = _body_offset(ordered)
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out_dir)
    shards = _write_key_shards(writer, ordered, body_offset, cache_dir)
    manifest = {
        "version": FORMAT_VERSION,
        "source": source,
        "docs": len(ordered),
        "body_offset": body_offset,
        "url_pattern": URL_PATTERN,
        "shards": shards.counts,
        "meta_block": META_BLOCK,
        "group_size": GROUP_SIZE,
        "hash_chars": HASH_CHARS,
        # Content hashes of the folders of GROUP_SIZE files each (key shards,
        # metadata shards, articles), concatenated, HASH_CHARS each: one hash
        # per file would make this file, which every search loads first, tens
        # of kilobytes at 10,000 articles.
        "shard_groups": shards.groups,
        **_write_article_files(writer, ordered, names),
        # The query language's limits and messages, so that the page has them once.
        "contract": query_contract(),
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode()
    writer.write("manifest.json", manifest_bytes)  # the new export is served from here on
    writer.sweep()
    sizes = sorted(shards.sizes)
    return ExportReport(
        docs=len(ordered),
        keys=shards.keys,
        shards=sum(shards.counts.values()),
        files=writer.files,
        bytes=writer.bytes,
        kept=writer.kept,
        largest_shard=sizes[-1] if sizes else 0,
        median_shard=sizes[len(sizes) // 2] if sizes else 0,
        manifest_bytes=len(manifest_bytes),
        out_dir=out_dir,
        skipped=skipped,
    )


def _unique(ordered: list[Doc]) -> tuple[list[Doc], list[str]]:
    """The articles with the first of each slug, and what was left out (the Whoosh index,
    keyed by slug, keeps one article a slug too)."""
    seen: set[str] = set()
    unique: list[Doc] = []
    skipped: list[str] = []
    for doc in ordered:
        if doc.slug in seen:
            skipped.append(f"{doc.slug}: slug already exported")
            continue
        seen.add(doc.slug)
        unique.append(doc)
    return unique, skipped


def _body_offset(ordered: list[Doc]) -> int:
    """Where body positions start: two past the last title position, never adjacent to it
    (a phrase must not match across the end of a title and the start of a body)."""
    return 2 + max(
        (max((t.position for t in tokens(d.title)), default=-1) for d in ordered), default=-1
    )


@dataclass
class _KeyShards:
    """What the key shards' writing tells the manifest and the report."""

    counts: dict[str, int] = field(default_factory=dict)  # shards of each family
    groups: dict[str, str] = field(default_factory=dict)  # their folders' hashes
    sizes: list[int] = field(default_factory=list)  # every shard file's size
    keys: int = 0


def _write_key_shards(
    writer: _Writer, ordered: list[Doc], body_offset: int, cache_dir: Path | None
) -> _KeyShards:
    """Every key's postings, merged from the runs, spooled by family, cut into shards.

    With `cache_dir` the runs and this export's spools are kept in its
    `RUNS_FOLDER` for the next export; without it all is temporary.
    """
    shards = _KeyShards()
    with contextlib.ExitStack() as stack:
        if cache_dir is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="export-runs-")))
        else:
            folder = cache_dir / RUNS_FOLDER
            folder.mkdir(parents=True, exist_ok=True)
        made = _make_runs(ordered, body_offset, folder)
        entries = _kept_entries(made) if cache_dir is not None else None
        if entries is None:
            entries = export_runs.merged_entries(made.runs, made.total)
        spool_dir = Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix=".spool-", dir=folder)))  # fmt: skip
        spools = {name: _Spool(spool_dir / f"{name}.spool") for name in FAMILIES}
        try:
            for key, kind, data in entries:
                spools[family(key)].add(key, kind, data)
                shards.keys += 1
            for name, spool in spools.items():
                shards.counts[name], raws = spool.shards()
                hashes, sizes = _write_groups(writer, name, raws, _maybe_gzip, sizes=True)
                shards.groups[name] = "".join(hashes)
                shards.sizes += sizes
        finally:
            for spool in spools.values():
                spool.close()
        if cache_dir is not None:
            _keep(made, spools, spool_dir)
    return shards


def _keep(made: _Runs, spools: dict[str, _Spool], spool_dir: Path) -> None:
    """Keep this export's spools and runs for the next; delete what no longer serves.

    The state file goes last and is replaced whole: a build killed before it
    leaves the last state pointing at spools that no longer match, which
    `_kept_entries` refuses (their sizes), and the next export merges all.
    """
    (made.folder / LAST_STATE).unlink(missing_ok=True)
    for name, spool in spools.items():
        os.replace(spool.path, made.folder / LAST_SPOOL.format(family=name))
    state = {
        "version": export_runs.RUNS_VERSION,
        "total": made.total,
        "body_offset": made.body_offset,
        "runs": [(path.name, base) for path, base in made.runs],
        "families": {name: spool.index() for name, spool in spools.items()},
    }
    atomic_write_bytes(made.folder / LAST_STATE, pickle.dumps(state, protocol=5))
    used = (
        {path.name for path, _ in made.runs}
        | {LAST_STATE}
        | {LAST_SPOOL.format(family=name) for name in FAMILIES}
    )
    for old in made.folder.iterdir():
        if old.name not in used and old.is_file():
            old.unlink(missing_ok=True)
        elif old.name.startswith(".spool-") and old != spool_dir:  # a killed build's
            shutil.rmtree(old, ignore_errors=True)


def _write_article_files(
    writer: _Writer, ordered: list[Doc], practice_names: Mapping[str, str]
) -> dict[str, object]:
    """Metadata blocks, each article's row and body, the dates: the manifest's entries for them."""
    facets, strings = _facets(ordered, practice_names)
    index = {s: i for i, s in enumerate(strings)}
    rows = [meta_row(doc, index) for doc in ordered]
    meta_files = (
        _json_bytes(rows[start : start + META_BLOCK]) for start in range(0, len(rows), META_BLOCK)
    )
    meta_groups, _ = _write_groups(writer, "m", meta_files, _gzip)
    # Titles and bodies apart: a results page lists 20 titles at once but shows
    # the snippets only of the few results on screen, and bodies are most bytes.
    doc_groups, _ = _write_groups(writer, "d", (_json_bytes(row) for row in rows), _maybe_gzip)
    body_files = (doc.body.encode("utf-8") for doc in ordered)
    body_groups, _ = _write_groups(writer, "b", body_files, _maybe_gzip)
    dates = encode_days(ordered)
    dates_name = f"dates-{_content_hash(dates)}.bin"
    writer.write(dates_name, dates)
    return {
        "meta_groups": "".join(meta_groups),
        "doc_groups": "".join(doc_groups),
        "body_groups": "".join(body_groups),
        "dates": dates_name,
        "undated": sum(1 for d in ordered if d.date is None),
        "strings": strings,
        "facets": facets,
    }
