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


def test_a_cut_short_pelican_cache_is_removed_and_a_whole_one_kept(tmp_path: Path) -> None:
    import gzip
    import pickle

    from .leftovers import pelican_caches, whole

    data = gzip.compress(pickle.dumps({"articles/a.md": ("内容", {"title": "甲村"})}))
    whole_file, cut = tmp_path / "ArticlesGenerator-Readers", tmp_path / "PagesGenerator-Readers"
    whole_file.write_bytes(data)
    cut.write_bytes(data[: len(data) // 2])  # a build killed while Pelican saved it
    (tmp_path / "unchanged_pages-abc.json").write_text("{}", encoding="utf-8")
    assert sorted(p.name for p in pelican_caches(tmp_path)) == sorted([cut.name, whole_file.name])
    assert whole(whole_file, gzipped=True) and not whole(cut, gzipped=True)
    plain = tmp_path / "ArticlesGenerator"
    plain.write_bytes(pickle.dumps([1, 2])[:-1])
    assert not whole(plain, gzipped=False)
