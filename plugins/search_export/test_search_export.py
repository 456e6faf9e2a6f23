"""The search export plugin and the export format (end-to-end Pelican builds, and a decoder).

The decoder here reads the files as the page's JavaScript does, so the format
described in archive_search/export.py is checked against `tokens()` from Python.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

import pytest
from pelican import Pelican
from pelican.settings import read_settings

from archive_search import documents, query_language
from archive_search.analysis import tokens
from archive_search.documents import Doc, canonical_order
from archive_search.export import export, family, fnv1a
from archive_search.packing import encode_doc_set

ROOT = Path(__file__).resolve().parents[2]

ARTICLE = """---
title: {title}
date: {date}
slug: {slug}
url: http://county.example/{slug}.html
tags: [rectification]
---

{body}
"""


def build(tmp_path: Path, articles: dict[str, tuple[str, str, str]], **extra: object) -> Path:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    for old in content.glob("*.md"):
        old.unlink()
    for slug, (title, date, body) in articles.items():
        text = ARTICLE.format(title=title, date=date, slug=slug, body=body)
        (content / f"{slug}.md").write_text(text, encoding="utf-8")
    output = tmp_path / "output"
    settings = read_settings(
        path=None,
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            "PLUGINS": ["archive_reader", "search_export"],
            "THEME": str(ROOT / "theme"),
            "TIMEZONE": "Asia/Shanghai",
            "ARTICLE_URL": "articles/{slug}.html",
            "ARTICLE_SAVE_AS": "articles/{slug}.html",
            "FEED_ALL_ATOM": None,
            "CACHE_CONTENT": False,
            **extra,
        },
    )
    Pelican(settings).run()
    return output


def read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def varints(data: bytes, i: int = 0):
    while i < len(data):
        value = shift = 0
        while True:
            byte = data[i]
            i += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
        yield value, i


def shard_entries(data: bytes) -> dict[str, tuple[int, bytes]]:
    """Decode one key shard: {key: (kind, data)}."""
    numbers = varints(data)
    count, i = next(numbers)
    header = []
    for _ in range(count):
        length, i = next(numbers)
        key = data[i : i + length].decode("utf-8")
        numbers = varints(data, i + length)
        kind, i = next(numbers)
        size, i = next(numbers)
        header.append((key, kind, size))
    out = {}
    for key, kind, size in header:
        out[key] = (kind, data[i : i + size])
        i += size
    return out


def lookup(search_dir: Path, key: str) -> tuple[int, bytes] | None:
    manifest = json.loads((search_dir / "manifest.json").read_text(encoding="utf-8"))
    fam = family(key)
    n = fnv1a(key) % manifest["shards"][fam]
    g = n // manifest["group_size"]
    width = manifest["hash_chars"]
    digest = manifest["shard_groups"][fam][g * width : (g + 1) * width]
    return shard_entries(read(search_dir / fam / f"{g}-{digest}" / f"{n}.bin")).get(key)


def positions(data: bytes) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    values = [v for v, _ in varints(data)]
    i = ordinal = 0
    first = True
    while i < len(values):
        ordinal = values[i] if first else ordinal + values[i]
        first = False
        count = values[i + 1]
        deltas = values[i + 2 : i + 2 + count]
        out[ordinal] = [sum(deltas[: k + 1]) for k in range(count)]
        i += 2 + count
    return out


def test_build_writes_the_search_page_and_index(tmp_path: Path) -> None:
    output = build(
        tmp_path,
        {
            "new": ("整顿软弱涣散党组织", "2022-05-01", "软弱涣散党组织整顿。村集体经济。"),
            "old": ("资格联审", "2020-01-01", "开展资格联审，软弱涣散村整顿。"),
        },
    )
    assert (output / "search.html").is_file() and (output / "404.html").is_file()
    assert (output / "theme" / "js" / "search.js").is_file()
    manifest = json.loads((output / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["docs"] == 2
    # The front matter's `url` is the original address: the index links to our page.
    meta = next((output / "search" / "d").glob("*/0.bin"))
    row = json.loads(read(meta))
    assert (row[0], row[1]) == ("new", "整顿软弱涣散党组织")
    body = next((output / "search" / "b").glob("*/0.bin"))
    assert "软弱涣散党组织整顿" in read(body).decode("utf-8")
    assert len(row) == 9  # no url column: the page follows the manifest's pattern
    assert not documents._read, "the articles' documents are let go before pages are written"


def test_the_export_outlives_the_clean_of_the_output_folder(tmp_path: Path) -> None:
    """The export is written once Pelican has read the articles; a build that empties
    its output folder first (DELETE_OUTPUT_DIRECTORY, publishconf) must not delete it."""
    articles = {"one": ("资格联审", "2021-01-01", "开展资格联审。")}
    build(tmp_path, articles)
    (tmp_path / "output" / "stale.html").write_text("旧页面", encoding="utf-8")
    output = build(tmp_path, articles, DELETE_OUTPUT_DIRECTORY=True)
    assert not (output / "stale.html").exists(), "the folder was emptied"
    manifest = json.loads((output / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["docs"] == 1
    for name in manifest["shard_groups"]:
        assert (output / "search" / name).is_dir()


def test_a_second_build_replaces_the_index(tmp_path: Path) -> None:
    build(tmp_path, {"a": ("甲", "2021-01-01", "软弱涣散。")})
    output = build(tmp_path, {"b": ("乙", "2021-01-02", "集体经济。")})
    manifest = json.loads((output / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["docs"] == 1
    assert lookup(output / "search", "=软弱") is None
    assert lookup(output / "search", "=集体") is not None
    assert not list(output.glob(".search-*")) and not (output / "search.old").exists()


def test_an_export_of_the_same_articles_is_kept(tmp_path: Path) -> None:
    docs = [
        Doc(slug="a", title="软弱涣散", body="整顿软弱涣散党组织", date="2022-01-01"),
        Doc(slug="b", title="集体经济", body="发展村级集体经济", date=None),
    ]
    first = export(docs, tmp_path / "search")
    files = {p: p.stat().st_mtime_ns for p in (tmp_path / "search").rglob("*") if p.is_file()}
    again = export(list(reversed(docs)), tmp_path / "search")
    assert not first.unchanged and again.unchanged and "unchanged" in again.summary()
    assert {p: p.stat().st_mtime_ns for p in files} == files  # nothing rewritten
    changed = [docs[0], Doc(**{**docs[1].__dict__, "body": "发展村级集体经济，合作社分红"})]
    third = export(changed, tmp_path / "search")
    assert not third.unchanged and lookup(tmp_path / "search", "=分红") is not None
    renamed = export(changed, tmp_path / "search", practice_names={"vetting": "资格联审"})
    assert not renamed.unchanged  # the filter's names are part of the export


def test_the_manifest_carries_the_query_contract_and_a_new_one_is_exported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = [Doc(slug="a", title="软弱涣散", body="整顿软弱涣散党组织", date="2022-01-01")]
    export(docs, tmp_path / "search")
    manifest = json.loads((tmp_path / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["contract"] == query_language.contract()
    assert manifest["contract"]["messages"]["empty"] == str(query_language.query_error("empty"))
    reworded = {**query_language.MESSAGES, "empty": "请先输入检索词 / type a query first"}
    monkeypatch.setattr(query_language, "MESSAGES", reworded)
    assert not export(docs, tmp_path / "search").unchanged  # the page gets the new words
    manifest = json.loads((tmp_path / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["contract"]["messages"]["empty"] == "请先输入检索词 / type a query first"


def many_docs(count: int) -> list[Doc]:
    """Articles whose words recur across many of them (keys span chunks), some undated."""
    return [
        Doc(slug=f"d{n}", title=f"第{n}篇：软弱涣散整顿" if n % 3 else "",
            date=f"2021-01-{n % 28 + 1:02d}" if n % 7 else None,
            body="整顿软弱涣散村党组织，发展村级集体经济。" * (n % 4 + 1) + f"编号{n}，GDP {n}。",
            tags=("rectification",) if n % 2 else (), site="咸宁网" if n % 5 else None)
        for n in range(count)
    ]  # fmt: skip


def test_postings_merged_from_chunks_equal_postings_encoded_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from archive_search import export as export_module
    from archive_search import export_runs

    ordered = canonical_order(many_docs(41))
    total = len(ordered)
    whole = export_module._rows(ordered, list(range(total)), total, 20).rows()
    expected = export_module.encode_entries(whole, total)
    for average in (1, 4, 1000):  # one article a chunk, several, all in one
        monkeypatch.setattr(export_runs, "CHUNK_AVERAGE", average)
        assert len(export_runs.chunks([d.slug for d in ordered])) > (1 if average < 41 else 0)
        with tempfile.TemporaryDirectory() as folder:
            made = export_module._make_runs(ordered, 20, Path(folder))
            merged = list(export_runs.merged_entries(made.runs, made.total))
        assert [key for key, _, _ in merged] == sorted(expected)  # in key order, none twice
        assert {key: (kind, data) for key, kind, data in merged} == expected


def test_an_export_made_by_several_processes_equals_one_made_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive_search import export as export_module
    from archive_search import export_runs

    docs = many_docs(41)
    monkeypatch.setattr(export_runs, "CHUNK_AVERAGE", 5)
    monkeypatch.setattr(export_module, "PARALLEL_DOCS", 6)
    monkeypatch.setattr(export_module, "writing_procs", lambda: 3)
    export(docs, tmp_path / "parallel")
    monkeypatch.setattr(export_module, "writing_procs", lambda: 1)
    export(docs, tmp_path / "single")
    assert tree(tmp_path / "single") == tree(tmp_path / "parallel")


def test_positions_round_trip_to_tokens(tmp_path: Path) -> None:
    docs = [
        Doc(slug="b", title="村级集体经济", body="发展村级集体经济，O2O平台。\n集体经济", date="2021-02-01",
            tags=("collective_economy",), province="湖北省", site="咸宁网"),
        Doc(slug="a", title="软弱涣散", body="整顿软弱涣散党组织", date="2022-01-01"),
        Doc(slug="c", title="无日期", body="集体", date=None),
    ]  # fmt: skip
    report = export(docs, tmp_path / "search")
    assert report.docs == 3
    search = tmp_path / "search"
    manifest = json.loads((search / "manifest.json").read_text(encoding="utf-8"))
    offset = manifest["body_offset"]
    ordinal = {"a": 0, "b": 1, "c": 2}  # canonical order: newest first, undated last
    for doc in docs:
        want: dict[str, list[int]] = {}
        for t in tokens(doc.title):
            want.setdefault(t.text, []).append(t.position)
        for t in tokens(doc.body):
            want.setdefault(t.text, []).append(offset + t.position)
        for term, where in want.items():
            kind, data = lookup(search, term)  # type: ignore[misc]
            assert kind == 0
            assert positions(data)[ordinal[doc.slug]] == where, term
    assert lookup(search, "tag:collective_economy") == encode_doc_set([1], 3)
    assert lookup(search, "#集") == encode_doc_set([1, 2], 3)
    assert lookup(search, "^集") == encode_doc_set([1], 3)
    assert lookup(search, "year:2021") == encode_doc_set([1], 3)
    assert positions(lookup(search, "@经济")[1]) == {1: [4]}  # type: ignore[index]


def test_doc_sets_take_the_smallest_encoding() -> None:
    assert encode_doc_set([5], 1000)[0] == 1  # a list
    assert encode_doc_set(list(range(100, 900)), 1000)[0] == 2  # one run
    assert encode_doc_set(list(range(0, 1000, 2)), 1000)[0] == 3  # a bitmap


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_an_export_from_kept_runs_equals_a_fresh_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive_search import export as export_module
    from archive_search import export_runs

    made: list[str] = []
    rows = export_module._rows

    def counting_rows(docs: list[Doc], *args: object) -> object:
        made.extend(doc.slug for doc in docs)
        return rows(docs, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(export_module, "_rows", counting_rows)
    merges: list[int | None] = []  # keys merged again, None: all of them
    merge = export_runs.merged_entries

    def counting_merge(runs: object, total: int, only: set[str] | None = None) -> object:
        merges.append(None if only is None else len(only))
        return merge(runs, total, only)  # type: ignore[arg-type]

    monkeypatch.setattr(export_runs, "merged_entries", counting_merge)
    monkeypatch.setattr(export_module, "GROUP_SIZE", 2)  # several folders of bodies
    monkeypatch.setattr(export_runs, "CHUNK_AVERAGE", 3)  # several chunks
    docs = [
        Doc(slug=f"d{n:02d}", title=f"第{n}篇软弱涣散", date=f"2021-03-{n % 28 + 1:02d}",
            body="整顿软弱涣散村党组织。" * (n % 3 + 1) + f"村湾{n}组。", tags=("rectification",),
            province="湖北省", site="咸宁网" if n % 2 else "通山县")
        for n in range(30)
    ]  # fmt: skip
    cache = tmp_path / "cache"
    runs = cache / export_module.RUNS_FOLDER

    def chunk_of(slug: str, articles: list[Doc]) -> set[str]:
        ordered = [d.slug for d in canonical_order(articles)]
        for start, end in export_runs.chunks(ordered):
            if slug in ordered[start:end]:
                return set(ordered[start:end])
        raise AssertionError(slug)

    export(docs, tmp_path / "search", cache_dir=cache)
    chunk_count = len(export_runs.chunks([d.slug for d in canonical_order(docs)]))
    assert sorted(made) == sorted(d.slug for d in docs) and chunk_count > 3
    assert len(list(runs.glob("*.run"))) == chunk_count
    inodes = {str(p): p.stat().st_ino for p in (tmp_path / "search" / "b").rglob("*.bin")}

    changed_body = Doc(**{**docs[5].__dict__, "body": "发展村级集体经济，合作社分红。"})
    newer = Doc(slug="new", title="第新篇软弱涣散", body="新的村湾党小组。", date="2022-01-01")
    changes = [
        # one body changed: only its chunk's postings are made again
        ([*docs[:5], changed_body, *docs[6:]], {"d05"}),
        # a newer article arrives (every ordinal moves), one goes away
        ([newer, *docs[:3], *docs[4:]], {"new", "d03", "d05"}),
    ]  # fmt: skip
    for number, (articles, touched) in enumerate(changes):
        made.clear()
        merges.clear()
        report = export(articles, tmp_path / "search", cache_dir=cache)
        keys = report.keys
        merged_again = list(merges)
        remade = set(made)
        export(articles, tmp_path / f"fresh{number}")  # no cache: every run made
        assert tree(tmp_path / "search") == tree(tmp_path / f"fresh{number}")
        # only the chunks holding what changed, before or after, are made again
        expected = set().union(*(chunk_of(s, articles) for s in touched if s in
                                 {d.slug for d in articles}))  # fmt: skip
        assert expected <= remade and len(remade) < len(articles) // 2, (remade, expected)
        assert report.files == len(tree(tmp_path / "search"))
        # runs of chunks gone are deleted
        chunk_count = len(export_runs.chunks([d.slug for d in canonical_order(articles)]))
        assert len(list(runs.glob("*.run"))) == chunk_count
        if number == 0:  # no article moved: only the keys whose records changed are merged
            assert len(merged_again) == 1 and 0 < merged_again[0] < keys / 2  # type: ignore[operator]
        else:  # every ordinal moved: all merged again
            assert merged_again == [None]
        if number == 0:  # ordinals unchanged: bodies in untouched folders are the old files
            now = {str(p): p.stat().st_ino for p in (tmp_path / "search" / "b").rglob("*.bin")}
            same = [path for path in now if inodes.get(path) == now[path]]
            assert len(same) == len(docs) - 2  # all but the changed article's folder of two


def test_damaged_kept_runs_are_made_again(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from archive_search.export import RUNS_FOLDER

    docs = many_docs(12)
    cache = tmp_path / "cache"
    export(docs, tmp_path / "first", cache_dir=cache)
    for run in (cache / RUNS_FOLDER).glob("*.run"):
        run.write_bytes(run.read_bytes()[:40])  # cut short, as by a full disk
    export(docs, tmp_path / "search", cache_dir=cache)
    export(docs, tmp_path / "fresh")
    assert tree(tmp_path / "search") == tree(tmp_path / "fresh")
    assert RUNS_FOLDER in caplog.text and "unusable" in caplog.text
    # The last export's spools, cut short: not used, everything merged again.
    edited = [*docs[:-1], Doc(**{**docs[-1].__dict__, "body": "发展村级集体经济。"})]
    for spool in (cache / RUNS_FOLDER).glob("last-*.spool"):
        spool.write_bytes(spool.read_bytes()[:-3])
    export(edited, tmp_path / "again", cache_dir=cache)
    export(edited, tmp_path / "fresh2")
    assert tree(tmp_path / "again") == tree(tmp_path / "fresh2")


def named_folders(out: Path) -> set[str]:
    """The folders and files the manifest in `out` names, as paths relative to `out`."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    width = manifest["hash_chars"]
    groups = {**manifest["shard_groups"], "m": manifest["meta_groups"],
              "d": manifest["doc_groups"], "b": manifest["body_groups"]}  # fmt: skip
    named = {manifest["dates"]}
    for prefix, hashes in groups.items():
        for g in range(len(hashes) // width):
            named.add(f"{prefix}/{g}-{hashes[g * width : (g + 1) * width]}")
    return named


def test_an_export_killed_half_way_leaves_the_served_one_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive_search import export as export_module

    monkeypatch.setattr(export_module, "GROUP_SIZE", 3)
    docs = many_docs(20)
    out = tmp_path / "search"
    export(docs, out)
    served = named_folders(out)
    before = tree(out)
    edited = [Doc(**{**docs[0].__dict__, "body": "发展村级集体经济，合作社分红。"}), *docs[1:]]

    def killed(*args: object) -> object:
        raise KeyboardInterrupt  # the build stopped after the key shards were written

    monkeypatch.setattr(export_module, "_write_article_files", killed)
    with pytest.raises(KeyboardInterrupt):
        export(edited, out)
    assert {p: d for p, d in tree(out).items() if p in before} == before  # nothing served changed
    assert all((out / name).exists() for name in served)
    assert any(name not in before for name in tree(out))  # the new folders, not yet named
    monkeypatch.undo()
    monkeypatch.setattr(export_module, "GROUP_SIZE", 3)
    (out / "k" / ".new-half0x").mkdir()  # a folder a killed export was writing
    export(edited, out)
    export(edited, tmp_path / "fresh")
    assert tree(out) == tree(tmp_path / "fresh")  # the old folders and the half one are gone
    on_disk = {str(p.relative_to(out)) for p in out.glob("*/*")} | {
        p.name for p in out.glob("dates-*.bin")
    }
    assert on_disk == named_folders(out)
