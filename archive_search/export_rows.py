"""The static export's postings as numpy rows, and a cache of them between builds.

Turning 10,000 articles into postings is most of a static export (tens of
seconds), while a rebuild usually changes a handful of them.  Each article's
rows depend only on its text and on the export's `body_offset`, so the rows
of the last export are kept beside it (in Pelican's cache folder, never in
the published output) with the slug and fingerprint of each article; the
next export makes rows only for the articles that are new or changed, takes
the rest from the cache under their new ordinals, and encodes the whole.
When no article moved (same count, same ordinals: a text corrected, say),
the keys' encoded data are kept too and only the keys a changed article
holds, before or after, are encoded again.  The result is byte for byte the
export of a fresh start (tested).

Cache file: one uncompressed `.npz`, replaced whole (a killed build leaves
the old one or none); anything unreadable or inconsistent in it is ignored
and the rows are made afresh.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

ROWS_VERSION = 2
CACHE_FILE = "export-rows.npz"
# Rows of deleted or changed articles stay in the arrays until they are this
# share of them: compacting costs a pass over every position.
COMPACT_WASTE = 0.25

Identity = tuple[str, str]  # (slug, fingerprint)
Entries = dict[str, tuple[int, bytes]]  # key: (kind, encoded data), as the shards hold them


@dataclass
class Kept:
    """What the last export left: its rows, its articles, and each key's encoded data."""

    rows: Rows
    identities: list[Identity]
    entries: Entries | None


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

    COLUMNS = ("pos_key", "pos_ordinal", "pos_count", "pos_first", "flat", "set_key", "set_ordinal")

    @classmethod
    def empty(cls) -> Rows:
        none = np.zeros(0, dtype=np.uint32)
        return cls([], none, none, none, np.zeros(0, dtype=np.int64), none, none, none)

    def check(self, docs: int) -> None:
        """Raise ValueError unless the columns fit together (a damaged cache)."""
        n = len(self.pos_key)
        if not (len(self.pos_ordinal) == len(self.pos_count) == len(self.pos_first) == n):
            raise ValueError("positions columns of unequal length")
        if len(self.set_key) != len(self.set_ordinal):
            raise ValueError("doc-set columns of unequal length")
        for key in (self.pos_key, self.set_key):
            if len(key) and int(key.max()) >= len(self.keys):
                raise ValueError("key number out of range")
        for ordinal in (self.pos_ordinal, self.set_ordinal):
            if len(ordinal) and int(ordinal.max()) >= docs:
                raise ValueError("ordinal out of range")
        if n and int((self.pos_first + self.pos_count).max()) > len(self.flat):
            raise ValueError("positions past the end")


def reuse_plan(old: Sequence[Identity], new: Sequence[Identity]) -> tuple[np.ndarray, list[int]]:
    """(new ordinal of each old article or -1, the new ordinals that need fresh rows)."""
    where = {identity: ordinal for ordinal, identity in enumerate(old)}
    mapping = np.full(len(old), -1, dtype=np.int64)
    fresh: list[int] = []
    for ordinal, identity in enumerate(new):
        found = where.pop(identity, None)
        if found is None:
            fresh.append(ordinal)
        else:
            mapping[found] = ordinal
    return mapping, fresh


def combine(old: Rows, mapping: np.ndarray, new: Rows) -> Rows:
    """The rows of the old articles kept (renumbered by `mapping`) and the new, in ordinal order."""
    keys = list(old.keys)
    number = {key: n for n, key in enumerate(keys)}
    renumber = np.empty(len(new.keys), dtype=np.uint32)
    for n, key in enumerate(new.keys):
        found = number.get(key)
        if found is None:
            found = number[key] = len(keys)
            keys.append(key)
        renumber[n] = found

    def merged(old_ordinal: np.ndarray, new_ordinal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        target = mapping[old_ordinal] if len(old_ordinal) else np.zeros(0, dtype=np.int64)
        keep = target >= 0
        ordinal = np.concatenate((target[keep], new_ordinal.astype(np.int64)))
        return keep, ordinal

    keep, ordinal = merged(old.pos_ordinal, new.pos_ordinal)
    order = np.argsort(ordinal, kind="stable")
    pos_key = np.concatenate((old.pos_key[keep], renumber[new.pos_key]))[order]
    pos_count = np.concatenate((old.pos_count[keep], new.pos_count))[order]
    pos_first = np.concatenate(
        (old.pos_first[keep], new.pos_first.astype(np.int64) + len(old.flat))
    )[order]
    pos_ordinal = ordinal[order].astype(np.uint32)
    flat = np.concatenate((old.flat, new.flat))
    keep, ordinal = merged(old.set_ordinal, new.set_ordinal)
    order = np.argsort(ordinal, kind="stable")
    set_key = np.concatenate((old.set_key[keep], renumber[new.set_key]))[order]
    set_ordinal = ordinal[order].astype(np.uint32)
    return Rows(keys, pos_key, pos_ordinal, pos_count, pos_first, flat, set_key, set_ordinal)


def compacted(rows: Rows) -> Rows:
    """`rows` without the positions and keys no row refers to, when they are many."""
    used_positions = int(rows.pos_count.sum(dtype=np.int64))
    flat, first = rows.flat, rows.pos_first
    if len(flat) and used_positions < (1 - COMPACT_WASTE) * len(flat):
        sizes = rows.pos_count.astype(np.int64)
        starts = np.cumsum(sizes) - sizes
        within = np.arange(used_positions) - np.repeat(starts, sizes)
        flat = flat[np.repeat(first, sizes) + within]
        first = starts
    keys, pos_key, set_key = rows.keys, rows.pos_key, rows.set_key
    used = np.zeros(len(keys), dtype=bool)
    used[pos_key] = True
    used[set_key] = True
    if used.sum() < (1 - COMPACT_WASTE) * len(keys):
        renumber = np.cumsum(used, dtype=np.int64) - 1
        keys = [key for key, kept in zip(keys, used, strict=True) if kept]
        pos_key = renumber[pos_key].astype(np.uint32)
        set_key = renumber[set_key].astype(np.uint32)
    return Rows(keys, pos_key, rows.pos_ordinal, rows.pos_count, first, flat, set_key,
                rows.set_ordinal)  # fmt: skip


def _text(value: object) -> np.ndarray:
    return np.frombuffer(json.dumps(value, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)


def save(
    folder: Path, rows: Rows, identities: Sequence[Identity], body_offset: int,
    entries: Entries | None = None,
) -> None:  # fmt: skip
    """Keep `rows` (and the keys' encoded `entries`) for the next export, replacing the file."""
    rows = compacted(rows)
    items = list((entries or {}).items())
    names = [key for key, _ in items]
    kinds = np.array([kind for _, (kind, _) in items], dtype=np.uint8)
    ends = np.cumsum([len(data) for _, (_, data) in items], dtype=np.int64)
    blob = np.frombuffer(b"".join(data for _, (_, data) in items), dtype=np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"version": ROWS_VERSION, "body_offset": body_offset, "identities": list(identities)}
    fd, name = tempfile.mkstemp(prefix=".export-rows.", suffix=".npz", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, meta=_text(meta), keys=_text(rows.keys),
                     entry_keys=_text(names), entry_kinds=kinds, entry_ends=ends, entry_data=blob,
                     has_entries=np.array([entries is not None]),
                     **{column: getattr(rows, column) for column in Rows.COLUMNS})  # fmt: skip
        os.replace(name, folder / CACHE_FILE)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def load(folder: Path, body_offset: int) -> Kept | None:
    """What the last export kept, if made with the same `body_offset` and intact."""
    path = folder / CACHE_FILE
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(data["meta"].tobytes())
            if meta.get("version") != ROWS_VERSION or meta.get("body_offset") != body_offset:
                return None
            identities = [(str(slug), str(print_)) for slug, print_ in meta["identities"]]
            keys = json.loads(data["keys"].tobytes())
            rows = Rows(keys, *(data[column] for column in Rows.COLUMNS))
            entries = None
            if bool(data["has_entries"][0]):
                names = json.loads(data["entry_keys"].tobytes())
                kinds, ends = data["entry_kinds"].tolist(), data["entry_ends"].tolist()
                blob = data["entry_data"].tobytes()
                if (
                    len(names) != len(kinds)
                    or len(names) != len(ends)
                    or (ends and ends[-1] != len(blob))
                ):
                    raise ValueError("encoded keys of unequal length")
                starts = [0, *ends[:-1]]
                entries = {
                    name: (kind, blob[a:b])
                    for name, kind, a, b in zip(names, kinds, starts, ends, strict=True)
                }
        rows.check(len(identities))
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as exc:
        log.warning("search export: cached rows in %s unusable, made afresh: %s", path, exc)
        return None
    return Kept(rows, identities, entries)


def same_ordinals(kept: Kept, mapping: np.ndarray, total: int) -> bool:
    """Whether every article kept has the ordinal it had (the changed ones replaced in place)."""
    return len(kept.identities) == total and bool(
        np.all((mapping == np.arange(len(mapping))) | (mapping < 0))
    )


def updated_entries(
    kept: Kept, rows: Rows, changed: Sequence[int], total: int,
    encode: Callable[[Rows, int], Entries],
) -> Entries:  # fmt: skip
    """The last export's entries with the keys the `changed` articles touch encoded again.

    Only when ordinals did not move (`same_ordinals`): a key no changed article
    holds, before or after, has the same rows and so the same data.
    """
    assert kept.entries is not None
    old = kept.rows
    is_changed = np.zeros(total, dtype=bool)
    is_changed[np.asarray(changed, dtype=np.int64)] = True
    touched = np.zeros(len(rows.keys), dtype=bool)  # combine() keeps the old key numbers
    for part in (old, rows):  # the changed articles' keys before and after
        touched[part.pos_key[is_changed[part.pos_ordinal]]] = True
        touched[part.set_key[is_changed[part.set_ordinal]]] = True
    pos, sets = touched[rows.pos_key], touched[rows.set_key]
    subset = Rows(
        rows.keys, rows.pos_key[pos], rows.pos_ordinal[pos], rows.pos_count[pos],
        rows.pos_first[pos], rows.flat, rows.set_key[sets], rows.set_ordinal[sets],
    )  # fmt: skip
    entries = dict(kept.entries)
    for number in np.flatnonzero(touched).tolist():
        key = rows.keys[number]
        entries.pop(key, None)
        entries.pop("=" + key, None)  # a positions key's doc set goes with it
    entries.update(encode(subset, total))
    return entries
