"""How the index is written: the fast term grouping, packed positions, parallel bulk writes.

Each speed-up stands beside the slower definition it replaces and is held
to it: `term_positions` to `tokens()`, `normalize` to per-character NFKC,
and an index
written by parallel processes in many segments to one written by one.
"""

from __future__ import annotations

import itertools
import json
import os
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index

from archive_search import build_index, close_searchers, hot_terms, packing, search
from archive_search import index as index_module
from archive_search import segments as segments_module
from archive_search.analysis import (
    is_han_run,
    normalize,
    term_positions,
    tokens,
)
from archive_search.documents import Doc, canonical_key, canonical_order, doc_from_file
from archive_search.packing import varint, varints
from archive_search.postings import (
    decode_positions,
    encode_positions,
    joined_positions,
    positions_array,
    term_arrays,
)
from tests.test_search import DOCS, QUERIES

# Text drawn from what articles mix: Han (with compatibility ideographs),
# Latin, full-width letters and digits, punctuation, spaces and line breaks.
ARTICLE_TEXT = st.text(
    alphabet=st.sampled_from(
        list("党建引领乡村振兴软弱涣散村级集体经济合作社湾")
        + list("CPUcpu2021 ＣＰＵ２０２１豈更")
        + list("，。、！？“”《》（）—…\n\t ")
        + ["\u00e9", "\u0130", "\u00bd", "\ufb01"]  # é, İ (lower-cases to two), ½, ﬁ
    ),
    max_size=80,
)


@given(ARTICLE_TEXT)
@settings(max_examples=300, deadline=None)
def test_term_positions_are_the_tokens_grouped(text: str) -> None:
    grouped: dict[str, list[int]] = defaultdict(list)
    for term in tokens(text):
        grouped[term.text].append(term.position)
    assert term_positions(text) == dict(grouped)
    shifted: dict[str, list[int]] = {}
    plain: dict[str, list[int]] = {}
    assert term_positions(text, shifted, start=9) == {
        t: [p + 9 for p in ps] for t, ps in term_positions(text, plain).items()
    }
    assert shifted == {t: [p + 9 for p in ps] for t, ps in plain.items()}


@given(ARTICLE_TEXT)
@settings(max_examples=300, deadline=None)
def test_trigrams_stand_where_two_bigram_tokens_chain(text: str) -> None:
    """The reference: consecutive tokens, both Han bigrams, sharing the middle character."""
    found = list(tokens(text))
    expected: dict[str, list[int]] = defaultdict(list)
    for a, b in itertools.pairwise(found):
        if (
            len(a.text) == len(b.text) == 2
            and is_han_run(a.text + b.text)
            and b.position == a.position + 1
            and a.text[1] == b.text[0]
        ):
            expected[a.text + b.text[1]].append(a.position)
    trigrams: dict[str, list[int]] = {}
    term_positions(text, trigrams)
    assert trigrams == dict(expected)


def trigrams_of(text: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    term_positions(text, found)
    return found


def test_trigrams_chain_across_a_space_as_bigram_phrases_do() -> None:
    assert trigrams_of("党建 建设") == {"党建设": [0]}
    assert trigrams_of("党建，建设") == {}
    assert trigrams_of("软弱涣散") == {"软弱涣": [0], "弱涣散": [1]}
    assert trigrams_of("党 建设 a 设备") == {}


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_normalize_folds_one_character_at_a_time(text: str) -> None:
    def fold(ch: str) -> str:
        folded = unicodedata.normalize("NFKC", ch)
        return folded if len(folded) == 1 else ch

    assert normalize(text) == "".join(fold(ch) for ch in text).lower()


def test_packed_positions_round_trip_and_decode_in_bulk() -> None:
    values = [encode_positions([0, 5, 70000]), encode_positions([3]), encode_positions([])]
    assert [decode_positions(v) for v in values] == [[0, 5, 70000], [3], []]
    want = [2 << 32, (2 << 32) | 5, (2 << 32) | 70000, (7 << 32) | 3]
    assert positions_array([2, 7, 9], values).tolist() == want
    # With the counts (Whoosh's weights) the prefixes are dropped by one mask;
    # counts that do not match the values' prefixes are not trusted.
    assert joined_positions(values, np.array([3, 1, 0])).tolist() == [0, 5, 70000, 3]
    assert positions_array([2, 7, 9], values, np.array([3, 1, 0])).tolist() == want
    for wrong in ([2, 1, 0], [2, 2, 0], [3, 0, 1]):
        assert joined_positions(values, np.array(wrong)) is None
        assert positions_array([2, 7, 9], values, np.array(wrong)).tolist() == want


def many_docs(count: int) -> list[Doc]:
    """`count` articles varying the fixture texts, so each has its own slug and date."""
    out = []
    for n in range(count):
        base = DOCS[n % len(DOCS)]
        day = f"2019-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
        out.append(
            Doc(
                slug=f"{day}-{n:04d}", title=f"{base.title}（{n}）", body=base.body + f"\n第{n}篇。",
                date=day, tags=base.tags, primary_tag=base.primary_tag, province=base.province,
                city=base.city, county=base.county, site=base.site,
            )
        )  # fmt: skip
    return out


def segment_sizes(folder: Path) -> list[int]:
    ix = whoosh_index.open_dir(str(folder))
    try:
        return sorted(segment.doc_count_all() for segment in ix._segments())
    finally:
        ix.close()


def test_a_bulk_build_in_parallel_segments_finds_what_one_writer_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = many_docs(120)
    build_index(tmp_path / "single", docs, procs=1)
    monkeypatch.setattr(segments_module, "BULK_DOCS", 20)
    monkeypatch.setattr(segments_module, "SEGMENT_CHARS", 1_500)  # a few dozen articles
    report = build_index(tmp_path / "parallel", docs, procs=2)
    assert report.added == 120 and report.total == 120
    sizes = segment_sizes(tmp_path / "parallel")
    assert len(sizes) >= 4 and sum(sizes) == 120
    assert segment_sizes(tmp_path / "single") == [120]
    for query in [*QUERIES, "第7篇", "（11）"]:
        one = search(query, index_dir=tmp_path / "single", limit=None)
        two = search(query, index_dir=tmp_path / "parallel", limit=None)
        assert one.slugs == two.slugs, query
        assert [h.snippet for h in one.hits] == [h.snippet for h in two.hits]
    close_searchers()


@given(
    st.lists(st.integers(min_value=1, max_value=5_000), min_size=1, max_size=300),
    st.integers(min_value=1_000, max_value=50_000),
    st.integers(min_value=1, max_value=4),
)
@settings(max_examples=200, deadline=None)
def test_segments_are_alike_in_size_and_a_multiple_of_the_processes(
    sizes: list[int], chars: int, procs: int
) -> None:
    bounds = segments_module.segment_bounds(sizes, chars, procs)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(sizes)
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in itertools.pairwise(bounds))
    wanted = procs * max(1, -(-sum(sizes) // (chars * procs)))
    assert len(bounds) <= wanted
    if len(sizes) >= wanted * 3 and max(sizes) * 3 <= sum(sizes) / wanted:
        assert len(bounds) == wanted  # enough articles: every process gets its share
    share = sum(sizes) / wanted
    for start, end in bounds[:-1]:  # no run much over its share (the last takes the rest)
        assert sum(sizes[start:end]) <= share + max(sizes)


def test_small_commits_are_merged_ten_of_a_size_at_a_time_and_big_segments_never(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segments_module, "SMALL_SEGMENT_DOCS", 20)
    docs = many_docs(60)
    build_index(tmp_path, docs[:40], procs=1)
    assert segment_sizes(tmp_path) == [40]
    for n in range(40, 60):  # twenty builds adding one article each
        build_index(tmp_path, docs[: n + 1], procs=1)
        sizes = segment_sizes(tmp_path)
        assert 40 in sizes  # never rewritten
        assert sizes.count(1) <= segments_module.MERGE_FANOUT
    # The eleventh build merged the ten one-article segments into its own.
    assert segment_sizes(tmp_path) == [1] * 9 + [11, 40]
    assert search("第59篇", index_dir=tmp_path).total == 1
    close_searchers()


def test_articles_a_parallel_writer_lost_are_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever loses articles on the way (a dead writer), the build counts and notices."""
    real = index_module.write_changes
    calls: list[int] = []

    def lossy(ix: object, *, delete: list[str], add: list[dict], procs: int | None) -> None:
        calls.append(len(add))
        real(ix, delete=delete, add=add[:-3] if len(calls) == 1 else add, procs=procs)

    monkeypatch.setattr(index_module, "write_changes", lossy)
    docs = many_docs(30)
    report = build_index(tmp_path, docs, procs=1)
    assert calls == [30, 3]
    assert report.total == 30
    assert search(docs[-1].title, index_dir=tmp_path).slugs == [docs[-1].slug]
    close_searchers()


_real_write_segment = segments_module.write_segment


def writer_that(breaks: Callable[[], object]) -> Callable[..., object]:
    """A segment writer that calls `breaks` on the batch holding article 30."""

    def write(storage: object, indexname: str, batch: list) -> object:
        if any(fields["slug"].endswith("-0030") for fields in batch):
            breaks()
        return _real_write_segment(storage, indexname, batch)

    return write


def cannot_take_a_field() -> None:
    raise ValueError("a field Whoosh cannot take")


def test_a_segment_writer_that_dies_loses_no_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segments_module, "BULK_DOCS", 20)
    monkeypatch.setattr(segments_module, "SEGMENT_CHARS", 2_000)
    # The process dies outright, as when the kernel's OOM killer takes it.
    monkeypatch.setattr(segments_module, "write_segment", writer_that(lambda: os._exit(9)))
    docs = many_docs(80)
    report = build_index(tmp_path, docs, procs=2)
    assert report.total == 80
    assert len(segment_sizes(tmp_path)) >= 3  # the segments that were written are kept
    for doc in docs[::7]:
        assert search(doc.title, index_dir=tmp_path).slugs == [doc.slug]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("_MAIN_"))[-1:] == [
        p.name for p in tmp_path.iterdir() if p.name.endswith(".toc")
    ]  # one table of contents left
    close_searchers()


def test_an_error_in_a_segment_writer_stops_the_build_and_frees_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segments_module, "BULK_DOCS", 20)
    monkeypatch.setattr(segments_module, "SEGMENT_CHARS", 2_000)
    monkeypatch.setattr(segments_module, "write_segment", writer_that(cannot_take_a_field))
    docs = many_docs(80)
    build_index(tmp_path, docs[:5], procs=1)
    with pytest.raises(RuntimeError, match="a field Whoosh cannot take"):
        build_index(tmp_path, docs, procs=2)
    monkeypatch.setattr(segments_module, "write_segment", _real_write_segment)
    report = build_index(tmp_path, docs, procs=2)  # not locked; adds only what is missing
    assert not report.rebuilt and report.total == 80 and report.added < 75
    assert search(docs[30].title, index_dir=tmp_path).slugs == [docs[30].slug]
    close_searchers()


def test_block_reading_agrees_with_whoosh_matchers_on_every_term(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`term_arrays` reads Whoosh's blocks directly; its matchers are the reference."""
    monkeypatch.setattr(segments_module, "BULK_DOCS", 20)
    monkeypatch.setattr(segments_module, "SEGMENT_CHARS", 2_000)
    docs = many_docs(150)
    build_index(tmp_path, docs, procs=2)
    build_index(tmp_path, docs[::2], procs=1)  # deletions in every segment
    ix = whoosh_index.open_dir(str(tmp_path))
    with ix.reader() as reader:
        assert len(reader.leaf_readers()) > 2 and reader.has_deletions()
        live = {n for n in range(reader.doc_count_all()) if not reader.is_deleted(n)}
        checked = 0
        for fieldname, text in reader.all_terms():
            if fieldname not in ("title", "body", "chars", "tags", "slug"):
                continue
            items = list(reader.postings(fieldname, text).all_items())
            docs_found = term_arrays(reader, fieldname, text, positions=False)
            assert [d for d in docs_found.tolist() if d in live] == [d for d, _ in items]
            if fieldname in ("title", "body"):
                flat = term_arrays(reader, fieldname, text, positions=True)
                expected = [(d << 32) | p for d, value in items for p in decode_positions(value)]
                assert [v for v in flat.tolist() if v >> 32 in live] == expected
            checked += 1
    ix.close()
    assert checked > 500


def test_kept_positions_of_common_words_equal_whooshs_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hot_terms` answers for a segment's commonest words; Whoosh's blocks are the reference."""
    monkeypatch.setattr(segments_module, "BULK_DOCS", 20)
    monkeypatch.setattr(segments_module, "SEGMENT_CHARS", 4_000)
    monkeypatch.setattr(hot_terms, "MIN_DOCS", 10)
    docs = many_docs(150)
    build_index(tmp_path, docs, procs=2)
    build_index(tmp_path, docs[::2], procs=1)  # deletions in every segment
    assert len(list(tmp_path.glob("*.hot.npy"))) >= 2

    def every_term(kept: bool) -> dict[tuple[str, str, bool], list[int]]:
        monkeypatch.setattr(hot_terms, "_TABLES", {})
        if not kept:
            monkeypatch.setattr(hot_terms, "table", lambda leaf: None)
        out = {}
        ix = whoosh_index.open_dir(str(tmp_path))
        with ix.reader() as reader:
            live = {n for n in range(reader.doc_count_all()) if not reader.is_deleted(n)}
            for fieldname, text in reader.all_terms():
                if fieldname in ("title", "body"):
                    for positions in (True, False):
                        found = term_arrays(reader, fieldname, text, positions=positions)
                        docs_of = (lambda v: v >> 32) if positions else (lambda v: v)
                        # Deleted documents may or may not be included (the caller's mask)
                        out[fieldname, text, positions] = [
                            v for v in found.tolist() if docs_of(v) in live
                        ]
        ix.close()
        return out

    kept_words = [json.loads(p.read_text(encoding="utf-8")) for p in tmp_path.glob("*.hot.json")]
    assert sum(len(words) for words in kept_words) >= 50
    with_kept = every_term(kept=True)
    assert len(with_kept) > 500
    assert with_kept == every_term(kept=False)
    monkeypatch.undo()
    ix = whoosh_index.open_dir(str(tmp_path))
    ix.optimize()  # one merged segment: the kept files go with the segments they belong to
    ix.close()
    assert list(tmp_path.glob("*.hot.*")) == []
    assert search(docs[4].title, index_dir=tmp_path).slugs == [docs[4].slug]
    close_searchers()


@given(st.lists(st.integers(min_value=0, max_value=2**40), max_size=200))
@settings(max_examples=200, deadline=None)
def test_bulk_varints_equal_one_at_a_time(values: list[int]) -> None:
    one_by_one = bytearray()
    for value in values:
        varint(value, one_by_one)
    assert varints(values) == bytes(one_by_one)
    assert varints(np.asarray(values, dtype=np.int64)) == bytes(one_by_one)


@given(st.lists(st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=9),
                max_size=60))  # fmt: skip
@settings(max_examples=200, deadline=None)
def test_bulk_positions_equal_the_short_path(articles: list[list[int]]) -> None:
    ordinals = [3 * n + 1 for n in range(len(articles))]
    lists = [sorted(set(p)) for p in articles]
    counts = [len(p) for p in lists]
    flat = [p for positions in lists for p in positions]
    expected = bytearray()
    previous_ordinal = 0
    for ordinal, positions in zip(ordinals, lists, strict=True):
        varint(ordinal - previous_ordinal, expected)
        previous_ordinal = ordinal
        varint(len(positions), expected)
        previous = 0
        for p in positions:
            varint(p - previous, expected)
            previous = p
    assert packing.encode_positions(ordinals, counts, flat) == bytes(expected)


@given(st.sets(st.integers(min_value=0, max_value=999)))
@settings(max_examples=200, deadline=None)
def test_doc_sets_decode_to_themselves(ordinals: set[int]) -> None:
    kind, data = packing.encode_doc_set(sorted(ordinals), 1000)
    stream = [*decode_varints(data)]
    if kind == packing.KIND_LIST:
        assert list(itertools.accumulate(stream)) == sorted(ordinals)
    elif kind == packing.KIND_RUNS:
        found, end = [], 0
        for gap, length in zip(stream[::2], stream[1::2], strict=True):
            found += range(end + gap, end + gap + length)
            end += gap + length
        assert found == sorted(ordinals)
    else:
        assert {o for o in range(1000) if data[o >> 3] >> (o & 7) & 1} == ordinals


KEY_POSTINGS = st.lists(  # per key: per article (ordinal gap, its positions)
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=300),
                  st.sets(st.integers(min_value=0, max_value=70000), min_size=1, max_size=8)),
        min_size=1, max_size=12,
    ),
    max_size=30,
)  # fmt: skip


@pytest.mark.parametrize("chunk", [5, 1 << 22])
@given(keys=KEY_POSTINGS)
@settings(max_examples=150, deadline=None)
def test_keys_encoded_together_equal_each_encoded_alone(keys: list, chunk: int) -> None:
    """The export encodes all keys in a few passes, in chunks; each key's bytes are its own."""
    group, ordinals, counts, flat = [], [], [], []
    per_key = {}
    for g, postings in enumerate(keys):
        ords, sizes, positions, ordinal = [], [], [], 0
        for gap, where in postings:
            ordinal += gap + (1 if ords else 0)
            ords.append(ordinal)
            sizes.append(len(where))
            positions += sorted(where)
        group += [g * 3] * len(ords)  # group ids need not be consecutive
        ordinals += ords
        counts += sizes
        flat += positions
        per_key[g * 3] = (ords, sizes, positions)
    total = max(ordinals, default=0) + 8
    alone = {
        g: (packing.encode_positions(*postings), packing.encode_doc_set(postings[0], total))
        for g, postings in per_key.items()
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(packing, "_CHUNK", chunk)
        together = packing.encode_grouped_positions(group, ordinals, counts, flat)
        # The same rows with their positions stored in reverse row order, found by offset.
        blocks, at = [], 0
        for size in counts:
            blocks.append(flat[at : at + size])
            at += size
        reversed_flat = [p for block in reversed(blocks) for p in block]
        firsts = [sum(counts[k + 1 :]) for k in range(len(counts))]  # row k after rows k+1…
        by_offset = packing.encode_grouped_positions(group, ordinals, counts, reversed_flat, firsts)
        sets = packing.encode_grouped_doc_sets(group, ordinals, total)
    assert [g for g, _ in together] == sorted(alone) == [g for g, _ in sets]
    assert {g: data for g, data in together} == {g: pos for g, (pos, _) in alone.items()}
    assert by_offset == together
    assert {g: kind_data for g, kind_data in sets} == {g: ds for g, (_, ds) in alone.items()}


def decode_varints(data: bytes) -> list[int]:
    out, value, shift = [], 0, 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            out.append(value)
            value, shift = 0, 0
    return out


DATES = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "2021-01-28",
            "2021-01-28T14:22:00+08:00",
            "2021-01-28T09:00:00+08:00",
            "2021-01",
            "2021",
            "2020-12-31",
            "2021-01-28T14:22",
        ]
    ),
)


@given(st.lists(st.tuples(st.sampled_from("abcde"), DATES), max_size=30))
@settings(max_examples=300, deadline=None)
def test_canonical_order_is_the_canonical_key_order(items: list[tuple[str, str | None]]) -> None:
    docs = [Doc(slug=f"{slug}{n}", title="", body="", date=date) for n, (slug, date) in
            enumerate(items)]  # fmt: skip
    assert canonical_order(docs) == sorted(docs, key=canonical_key)


def test_fingerprints_tell_every_indexed_field_apart() -> None:
    base = Doc(slug="s", title="标题", body="正文", date="2021-01-01", province="湖北省")
    variants = [
        Doc(slug="s", title="标题", body="正文", date="2021-01-01", city="湖北省"),
        Doc(slug="s", title="标题正文", body="", date="2021-01-01", province="湖北省"),
        Doc(slug="s", title="标题", body="正文", date=None, province="湖北省"),
        Doc(slug="s", title="标题", body="正文", date="2021-01-01", province="湖北省", tags=("a",)),
        Doc(slug="s", title="标题", body="正文", date="2021-01-01", province="湖北省", url="x"),
    ]
    prints = {base.fingerprint, *(v.fingerprint for v in variants)}
    assert len(prints) == 1 + len(variants)
    again = Doc(slug="other", title="标题", body="正文", date="2021-01-01", province="湖北省")
    assert again.fingerprint == base.fingerprint  # the slug is the key, not part of the print


SORTED_SETS = st.sets(st.integers(min_value=0, max_value=2**40), max_size=300).map(
    lambda values: np.asarray(sorted(values), dtype=np.int64)
)


@given(SORTED_SETS, SORTED_SETS)
@settings(max_examples=300, deadline=None)
def test_set_operations_on_sorted_arrays(a: np.ndarray, b: np.ndarray) -> None:
    from archive_search.matching import _dedupe_sorted, _in_sorted, _intersect

    want = sorted(set(a.tolist()) & set(b.tolist()))
    assert _intersect(a, b).tolist() == want
    assert _intersect(a, b[: max(1, len(b) // 20)]).tolist() == sorted(
        set(a.tolist()) & set(b[: max(1, len(b) // 20)].tolist())
    )  # lengths far apart: the search branch
    assert _in_sorted(b, a).tolist() == [v in set(a.tolist()) for v in b.tolist()]
    doubled = np.sort(np.concatenate((a, a[::2])))
    assert _dedupe_sorted(doubled).tolist() == a.tolist()


def test_a_stored_article_is_read_again_only_when_its_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: 甲村整顿\nslug: a\n---\n\n甲村整顿软弱涣散党支部。\n", "utf-8")
    first = doc_from_file(path)
    assert doc_from_file(path) is first  # the three plugins of a build share one read
    # same size, new text: the modification time tells
    path.write_text("---\ntitle: 乙村整顿\nslug: a\n---\n\n甲村整顿软弱涣散党支部。\n", "utf-8")
    stamp = path.stat().st_mtime_ns + 1_000_000
    os.utime(path, ns=(stamp, stamp))
    assert doc_from_file(path).title == "乙村整顿"
    assert doc_from_file(path, url_pattern="a/{slug}/").url == "a/a/"  # another pattern


def test_kept_reads_are_used_only_for_unchanged_files(tmp_path: Path) -> None:
    from archive_search import documents

    a, b = tmp_path / "a.md", tmp_path / "b.md"
    for path, title in ((a, "甲村"), (b, "乙村")):
        path.write_text(f"---\ntitle: {title}\nslug: {path.stem}\n---\n\n{title}整顿。\n", "utf-8")
        doc_from_file(path)
    kept = tmp_path / "cache" / "docs.pickle"
    documents.save_reads(kept, [a])  # b is not an article of this build: not kept
    documents._read.clear()
    assert documents.load_reads(kept) == 1
    b.write_text("---\ntitle: 丙村\nslug: b\n---\n\n丙村。\n", "utf-8")
    assert doc_from_file(a).title == "甲村" and doc_from_file(b).title == "丙村"
    a.write_text("---\ntitle: 丁村\nslug: a\n---\n\n丁村。\n", "utf-8")
    stamp = a.stat().st_mtime_ns + 1_000_000
    os.utime(a, ns=(stamp, stamp))
    assert doc_from_file(a).title == "丁村"  # the kept read is checked against the file
    kept.write_bytes(kept.read_bytes()[:20])  # a build killed while writing it
    assert documents.load_reads(kept) == 0


def test_reads_not_kept_are_not_remembered_and_unreadable_articles_are_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from types import SimpleNamespace

    from archive_search import documents

    documents.forget_reads()
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text("---\ntitle: 甲村\nslug: good\n---\n\n甲村整顿。\n", "utf-8")
    bad.write_bytes(b"---\ntitle: \xff\xfe\n---\n")
    articles = [SimpleNamespace(source_path=str(p)) for p in (good, bad)]
    generators = [SimpleNamespace(articles=articles), SimpleNamespace()]  # one without articles
    with caplog.at_level("WARNING"):
        found = list(documents.published_docs(generators, "downloads", keep=False))
    assert [doc.slug for _, doc in found] == ["good"]
    assert found[0][0] is articles[0]
    assert "downloads" in caplog.text and str(bad) in caplog.text
    assert not documents._read, "keep=False: nothing remembered"
    first = doc_from_file(good)
    assert doc_from_file(good, keep=False) is first, "a remembered read is still used"
    documents.forget_reads()
    assert doc_from_file(good) is not first
