"""Writing articles into content/ without ever losing an editor's work.

Editors correct stored articles by hand (a title, a date, a paragraph the
cleaner got wrong); the crawler regenerates articles on every run.  The rule
that keeps both: a file is only ever overwritten when it is provably exactly
what the pipeline wrote last time.  The proof lives in the file itself, so no
database is needed and anyone can check it:

    generated_sha256: <64 lower-case hex digits>

is the last line of the YAML front matter (just before the closing `---`).
Its value is the SHA-256 of the file's bytes, as UTF-8, with that one line
(including its newline) left out; for a file as written that is exactly the
Markdown `scraper.markdown_out.to_markdown` produced.  To verify by hand:

    grep -v '^generated_sha256: ' FILE | sha256sum

(equivalent as long as no other line starts with that field name).  Any change
an editor makes, one character of the body or the front matter, line endings
included, breaks the match and the file is left alone from then on; deleting
the line makes the file the editor's outright.

Writes are atomic (temporary file in the same folder, fsync, os.replace), so a
crash leaves either the old file or the new one under the final name, never a
mix.  Temporary files are dot-files ending in `.tmp`, which Pelican ignores.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from scraper.markdown_out import StoredArticleError, parse, render

STAMP_FIELD = "generated_sha256"
ALSO_AT_FIELD = "also_at"
_STAMP_LINE = re.compile(r"^generated_sha256: ([0-9a-f]{64})\n", re.MULTILINE)
_ANY_STAMP_LINE = re.compile(r"^generated_sha256:.*\n?", re.MULTILINE)
# A leftover temporary file older than this is a crashed write, not a running one.
STALE_TEMP_SECONDS = 60.0
# How Python text round-trips through the file system without decode errors:
# bytes that are not UTF-8 (an editor's GBK save) survive reading and hashing.
_ERRORS = "surrogateescape"


class WriteOutcome(Enum):
    """What happened to a stored article; the crawler counts and reports these."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    EDITED_BY_HAND = "edited by hand"  # generated, then changed by an editor: left alone
    EDITOR_FILE = "editor file"  # never generated (no stamp line): left alone


class _State(Enum):
    UNTOUCHED = "untouched"
    EDITED = "edited"
    NOT_GENERATED = "not generated"


def _front_matter_end(text: str) -> int | None:
    """Index of the closing `---` line of the front matter, None if there is none."""
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    if end == -1:
        end = text.find("\n---", 3)
        if end == -1 or end + 4 != len(text):
            return None
    return end + 1


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", _ERRORS)).hexdigest()


def stamp(text: str) -> str:
    """`text` (to_markdown output) with its generated_sha256 line added.

    A stamp line already in `text` is dropped first, so stamping is idempotent.
    Raises ValueError for text without YAML front matter.
    """
    end = _front_matter_end(text)
    if end is None:
        raise ValueError("generated article has no YAML front matter")
    front = _ANY_STAMP_LINE.sub("", text[:end])
    canonical = front + text[end:]
    end = len(front)
    return f"{canonical[:end]}{STAMP_FIELD}: {_digest(canonical)}\n{canonical[end:]}"


def _check(text: str) -> tuple[_State, str]:
    """The file's state and its text without the stamp line (its canonical form)."""
    end = _front_matter_end(text)
    if end is None:
        # Front matter no longer recognisable (CRLF line endings, a BOM, a cut
        # `---`): a stamp line anywhere still says "generated, then changed".
        if _ANY_STAMP_LINE.search(text.replace("\r\n", "\n")):
            return _State.EDITED, text
        return _State.NOT_GENERATED, text
    front = text[:end]
    stamps = _STAMP_LINE.findall(front)
    if not stamps:
        if _ANY_STAMP_LINE.search(front):
            return _State.EDITED, text  # the stamp line itself was altered
        return _State.NOT_GENERATED, text
    if len(stamps) > 1:
        return _State.EDITED, text
    canonical = _STAMP_LINE.sub("", front, count=1) + text[end:]
    if _digest(canonical) != stamps[0]:
        return _State.EDITED, text
    return _State.UNTOUCHED, canonical


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", errors=_ERRORS, newline="") as handle:
        return handle.read()


def read_front_matter(path: Path) -> dict[str, Any]:
    """The YAML front matter of a stored article; {} if it has none or it is malformed.

    Never raises for bad content (the caller decides whether to warn): a file
    that an editor broke must not stop a crawl.
    """
    try:
        text = _read(path).removeprefix("\ufeff").replace("\r\n", "\n")
    except OSError:
        return {}
    end = _front_matter_end(text)
    if end is None:
        return {}
    try:
        data = yaml.safe_load(text[4:end])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def is_generated_untouched(path: Path) -> bool:
    """True when `path` is exactly what the pipeline wrote (its stamp verifies)."""
    try:
        return _check(_read(path))[0] is _State.UNTOUCHED
    except OSError:
        return False


def _blocked(state: _State) -> WriteOutcome | None:
    if state is _State.NOT_GENERATED:
        return WriteOutcome.EDITOR_FILE
    if state is _State.EDITED:
        return WriteOutcome.EDITED_BY_HAND
    return None


def write_article(path: Path, text: str, *, keep: Iterable[str] = ()) -> WriteOutcome:
    """Store generated Markdown at `path` unless an editor owns the file there.

    NEW when there was no file; EDITOR_FILE / EDITED_BY_HAND when the file
    there has no stamp or no longer matches it (nothing is written);
    UNCHANGED when the stamped text equals the file (not rewritten, mtime
    kept); UPDATED otherwise (atomically replaced).

    URLs the old file listed in `also_at` (added by merge_also_at) are carried
    over into the new text, so regenerating an article does not forget where
    else it appeared.  Front-matter fields named in `keep` (the retrieval
    time, the archive record) do not count as a change on their own: a re-run
    that changes only those reports UNCHANGED and leaves the file alone; when
    anything else changed, the file is UPDATED with the new values of all.
    """
    path = Path(path)
    try:
        old = _read(path)
    except FileNotFoundError:
        atomic_write(path, stamp(text))
        return WriteOutcome.NEW
    state, canonical = _check(old)
    blocked = _blocked(state)
    if blocked is not None:
        return blocked
    if stamp(_carry_over(canonical, text, tuple(keep))) == old:
        return WriteOutcome.UNCHANGED
    atomic_write(path, stamp(_carry_over(canonical, text, ())))
    return WriteOutcome.UPDATED


def _carry_over(old: str, new: str, keep: tuple[str, ...]) -> str:
    """`new` with the old file's `also_at` merged in and its `keep` fields restored."""
    try:
        old_front = parse(old)[0]
    except StoredArticleError:
        return new
    previous = old_front.get(ALSO_AT_FIELD)
    if isinstance(previous, list) and previous:
        new = _merge_list(new, ALSO_AT_FIELD, [str(v) for v in previous])
    kept = {key: old_front[key] for key in keep if key in old_front}
    if not kept:
        return new
    data, body = parse(new)
    if all(key in data and data[key] == value for key, value in kept.items()):
        return new
    data.update(kept)
    return render(data, body)


def merge_also_at(path: Path, urls: list[str]) -> WriteOutcome:
    """Add `urls` to the `also_at` list of a generated, untouched article.

    Used when a near-duplicate of a stored article is found elsewhere.  The
    article's own `url` and URLs already listed are skipped (UNCHANGED if
    nothing is left).  Files an editor owns or changed are not touched and
    reported as EDITOR_FILE / EDITED_BY_HAND; a missing file raises
    FileNotFoundError.
    """
    path = Path(path)
    old = _read(path)
    state, canonical = _check(old)
    blocked = _blocked(state)
    if blocked is not None:
        return blocked
    merged = _merge_list(canonical, ALSO_AT_FIELD, urls)
    if merged == canonical:
        return WriteOutcome.UNCHANGED
    atomic_write(path, stamp(merged))
    return WriteOutcome.UPDATED


def _merge_list(text: str, key: str, values: list[str]) -> str:
    """`text` with `values` appended to the front-matter list `key` (no duplicates).

    Rendered by markdown_out.render, the layout to_markdown writes, so the
    fields that did not change keep their exact form.
    """
    data, body = parse(text)
    current = data.get(key)
    listed = [str(v) for v in current] if isinstance(current, list) else []
    own = data.get("url")
    added = [v for v in dict.fromkeys(values) if v not in listed and v != own]
    if not added:
        return text
    data[key] = listed + added
    return render(data, body)


def atomic_write(path: Path, text: str) -> None:
    """Write `text` (UTF-8, newlines as given) to `path` so a crash never leaves a half file."""
    atomic_write_bytes(path, text.encode("utf-8", _ERRORS))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Temp file in the same folder + fsync + os.replace + fsync of the folder.

    Leftover temporary files of earlier crashed writes to the same name are
    removed first (only stale ones, so a concurrent writer is not disturbed).
    """
    path = Path(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(path)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    fsync_dir(folder)


def _remove_stale_temps(path: Path) -> None:
    cutoff = time.time() - STALE_TEMP_SECONDS
    for temp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            if temp.stat().st_mtime < cutoff:
                temp.unlink()
        except OSError:
            pass


def fsync_dir(folder: Path) -> None:
    """Make a new or replaced file's name durable, where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
