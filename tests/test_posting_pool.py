"""The compact posting pool gives Whoosh's codec what Whoosh's own pool would, in its order."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import RamStorage
from whoosh.writing import PostingPool, SegmentWriter

from archive_search import posting_pool
from archive_search.index import _Fields, schema
from archive_search.posting_pool import CompactPool
from archive_search.segments import PooledSegmentWriter
from tests.test_search_index_build import many_docs

POSTINGS = st.dictionaries(
    st.tuples(
        st.sampled_from(["body", "chars", "tags", "title"]),
        st.binary(min_size=1, max_size=4),
        st.integers(min_value=0, max_value=300),
    ),
    st.tuples(
        st.floats(min_value=0, max_value=1e6, allow_nan=False),
        st.one_of(st.none(), st.binary(max_size=12)),
    ),
    max_size=300,
)


@given(POSTINGS, st.randoms(use_true_random=False))
@settings(max_examples=200, deadline=None)
def test_the_pool_sorts_as_whooshs_pool_does(postings: dict, random: object) -> None:
    items = [(f, t, d, w, v) for (f, t, d), (w, v) in postings.items()]
    random.shuffle(items)  # type: ignore[attr-defined]
    theirs = PostingPool(RamStorage().temp_storage(), None)
    ours = CompactPool()
    for n, item in enumerate(items):
        theirs.add(item)
        ours.add(item)
        if n % 7 == 0:
            ours.pack_if_full()
    got = list(ours.iter_postings())
    assert got == list(theirs.iter_postings())
    assert all(isinstance(p[4], bytes) or p[4] is None for p in got)
    assert ours.fieldnames == theirs.fieldnames


def test_postings_packed_in_many_parts_come_back_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(posting_pool, "_FLUSH", 5)
    monkeypatch.setattr(posting_pool, "_YIELD_BLOCK", 3)
    items = [("body", f"{n % 4}".encode(), n, 1.0, bytes([n])) for n in range(40)]
    pool = CompactPool()
    for item in reversed(items):
        pool.add(item)
        pool.pack_if_full()
    assert len(pool) == 40
    assert list(pool.iter_postings()) == sorted(items)
    pool.cleanup()
    assert len(pool) == 0 and list(pool.iter_postings()) == []


def test_a_pooled_segment_is_the_segment_whoosh_writes(tmp_path: Path) -> None:
    """Same terms, postings, stored fields and columns: the same files, byte for byte."""
    documents = _Fields(many_docs(60))
    files: dict[str, dict[str, bytes]] = {}
    for writer_class in (SegmentWriter, PooledSegmentWriter):
        folder = tmp_path / writer_class.__name__
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), schema())
        writer = writer_class(ix, _lk=False, compound=False)
        for fields in documents:
            writer.add_document(**fields)
        segment = writer._finalize_segment()
        assert segment.doc_count() == 60
        files[writer_class.__name__] = {
            path.name.split(".", 1)[1]: path.read_bytes()
            for path in folder.glob(f"MAIN_{segment.segment_id().split('_', 1)[1]}.*")
        }
    theirs, ours = files["SegmentWriter"], files["PooledSegmentWriter"]
    assert {"trm", "pst", "_stored.col", "slug.col"} <= set(theirs)
    assert ours == theirs
