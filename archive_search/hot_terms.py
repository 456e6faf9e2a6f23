"""The positions of a segment's commonest words, kept beside it ready to use.

A word in a fifth or more of the articles (党建, 组织, 基层 …) has tens of
thousands of postings at 100,000 articles, which Whoosh stores in blocks of
128, each a compressed pickle: reading one such word costs tens of
milliseconds, and a search for a common phrase reads several, the first
time a process meets them.  When a bulk segment is written its postings are
already sorted in memory (`posting_pool.CompactPool`), so the writer also
saves those words' positions, as `postings.term_arrays` returns them, in
one array beside the segment; a search maps it and slices it.

Two files a segment, named after it (so Whoosh deletes them with it when
segments are merged): MAIN_<id>.hot.npy, the `docnum << 32 | position`
of each occurrence of each word (segment-relative, deleted documents
included, as in Whoosh's own postings) one word after another, and
MAIN_<id>.hot.json, {"field:word": [start, end]} into it.  A segment
without them (a small commit's, a merge's) is read from Whoosh's blocks.
"""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from scraper.store import atomic_write_bytes

FIELDS = ("body", "title")  # the fields whose words have positions (BigramPositions)
SHARE = 0.2  # a word is kept if it is in at least this share of the segment's articles
MIN_DOCS = 500  # segments with fewer articles keep nothing: reading them is cheap
ARRAY_SUFFIX = ".hot.npy"
INDEX_SUFFIX = ".hot.json"

_TABLES: dict[tuple[str, str], HotTerms | None] = {}
_LOCK = threading.Lock()


class HotTerms:
    """The kept words of one segment: `positions(field, word)` or None if not kept."""

    def __init__(self, bounds: dict[str, list[int]], flat: np.ndarray) -> None:
        self.bounds = bounds
        self.flat = flat

    def positions(self, fieldname: str, text: str | bytes) -> np.ndarray | None:
        word = text.decode("utf-8") if isinstance(text, bytes) else text
        found = self.bounds.get(f"{fieldname}:{word}")
        if found is None:
            return None
        return self.flat[found[0] : found[1]]


def write(folder: Path, segment_id: str, words: dict[str, np.ndarray]) -> None:
    """Save `words` ({"field:word": sorted positions}) as segment `segment_id`'s kept words.

    Written to temporary names and renamed, the index last: a reader finds
    both files or no index.
    """
    if not words:
        return
    bounds, start = {}, 0
    for key, flat in words.items():
        bounds[key] = [start, start + len(flat)]
        start += len(flat)
    packed = io.BytesIO()
    np.save(packed, np.concatenate(list(words.values())))
    atomic_write_bytes(folder / f"{segment_id}{ARRAY_SUFFIX}", packed.getvalue())
    data = json.dumps(bounds, ensure_ascii=False, separators=(",", ":")).encode()
    atomic_write_bytes(folder / f"{segment_id}{INDEX_SUFFIX}", data)


def table(leaf: Any) -> HotTerms | None:
    """The kept words of a Whoosh segment reader's segment (cached), None if it has none."""
    folder = getattr(getattr(leaf, "_storage", None), "folder", None)
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    if not folder or segment is None:
        return None
    key = (str(folder), segment.segment_id())
    with _LOCK:
        if key not in _TABLES:
            _TABLES[key] = _load(Path(folder), key[1])
        return _TABLES[key]


def _load(folder: Path, segment_id: str) -> HotTerms | None:
    try:
        bounds = json.loads((folder / f"{segment_id}{INDEX_SUFFIX}").read_bytes())
        flat = np.load(folder / f"{segment_id}{ARRAY_SUFFIX}", mmap_mode="r")
    except (OSError, ValueError):
        return None
    if not isinstance(bounds, dict) or flat.dtype != np.int64 or flat.ndim != 1:
        return None
    return HotTerms(bounds, flat)
