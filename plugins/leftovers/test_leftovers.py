"""What a killed build leaves under temporary names is removed; nothing else is."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .leftovers import sweep


def test_temporary_names_of_the_writers_are_removed_and_real_files_kept(tmp_path: Path) -> None:
    output = tmp_path / "output"
    (output / "articles").mkdir(parents=True)
    (output / "downloads").mkdir()
    kept = [output / "articles" / "a.html", output / "articles" / "a.bib",
            output / "raw" / ".a.record", output / "notes.tmp"]  # fmt: skip
    for path in kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    # names made the way the writers make them
    _, bib = tempfile.mkstemp(prefix=".a.bib.", suffix=".tmp", dir=output / "articles")
    _, csv = tempfile.mkstemp(prefix=".archive.csv.", suffix=".tmp", dir=output / "downloads")
    _, raw = tempfile.mkstemp(prefix=".raw-", dir=output / "raw")
    staging = Path(tempfile.mkdtemp(prefix=".search-", dir=output))
    (staging / "manifest.json").write_text("{}", encoding="utf-8")
    (output / "search.old").mkdir()
    removed = sweep(output)
    assert sorted(map(str, removed)) == sorted(
        map(str, [bib, csv, raw, staging, output / "search.old"])
    )
    assert all(path.exists() for path in kept)
    assert sweep(output) == []
