"""Full-text search: what a query finds, in which order, and how the index keeps up.

The fixture archive is a handful of articles written for these tests.  The
central guarantee — a search finds exactly the articles containing what was
typed — is checked by hypothesis on random Chinese substrings and Latin words
of the fixture texts.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index

from archive_search import (
    IndexUnavailable,
    QueryError,
    build_index,
    close_searchers,
    index_content,
    search,
)
from archive_search import query as query_module
from archive_search import snippets as snippets_module
from archive_search.analysis import HAN, tokens
from archive_search.documents import Doc, canonical_key
from archive_search.query import parse, to_whoosh
from scraper.markdown_out import render

ROOT = Path(__file__).resolve().parents[1]

HONGAN = {"province": "湖北省", "city": "黄冈市", "county": "红安县", "site": "红安网"}
DOCS = [
    Doc(
        slug="2021-03-05-a", title="红安县持续推进软弱涣散村党组织整顿",
        body="今年以来，红安县把整顿软弱涣散村党组织作为重点任务。\n"
        "县委组织部派出工作组驻村指导，帮助制定整改方案。\n"
        "全县共排查出后进村十二个，目前已全部完成销号。",
        date="2021-03-05T09:00:00+08:00", tags=("rectification",),
        primary_tag="rectification", **HONGAN,
    ),
    Doc(
        slug="2021-03-05-b", title="红安县召开农村党建工作推进会",
        body="会议要求各乡镇对照问题清单逐项整改。\n"
        "<script>alert(1)</script> 会上通报了十二个后进村的整改进展。",
        date="2021-03-05", tags=("rectification",), primary_tag="rectification", **HONGAN,
    ),
    Doc(
        slug="2021-12-20-c", title="崇阳县村级集体经济收入稳步增长",
        body="崇阳县通过盘活闲置资产、发展特色种植，壮大村级集体经济。\n"
        "二〇二一年全县村集体经营性收入平均超过十万元。\n"
        "村里新建的光伏电站每年可为集体增收三万元。",
        date="2021-12-20", tags=("collective_economy",), primary_tag="collective_economy",
        province="湖北省", city="咸宁市", county="崇阳县", site="咸宁网",
    ),
    Doc(
        slug="undated-d", title="宣恩县在村湾建立党支部",
        body="宣恩县探索在自然村湾设立党支部，让党的组织覆盖到最基层。\n"
        "村湾党支部书记由群众推选的致富能手担任。\n"
        "数据中心新采购的CPU服务器用于党员信息管理。",
        date=None, tags=("hamlet_branches",), primary_tag="hamlet_branches",
        province="湖北省", city="恩施土家族苗族自治州", county="宣恩县", site="中国社会科学网",
    ),
    Doc(
        slug="2021-01-10-e", title="兴县严格落实村干部资格联审",
        body="兴县对村干部候选人开展资格联审，纪检、公安、法院等部门共同把关。\n"
        "联审不合格的人员一律不得列为候选人。\n"
        "2021年，全县换届共审查候选人八百余名。",
        date="2021-01-10", tags=("vetting",), primary_tag="vetting",
        province="山西省", city="吕梁市", county="兴县", site="兴县新闻网",
    ),
    Doc(
        slug="2023-05-24-f", title="咸宁市推行红色根须工程",
        body="咸宁市在全市推行“红色根须工程”，把党小组建在村湾。\n"
        "ＣＰＵ算力平台为网格化管理提供支撑。\n"
        "工程实施一年来，群众满意度明显提升。",
        date="2023-05-24T18:11:00+08:00", tags=("hamlet_branches", "collective_economy"),
        primary_tag="hamlet_branches", province="湖北省", city="咸宁市", site="荆楚网",
    ),
    Doc(
        slug="undated-g", title="关于加强基层党建工作的几点思考",
        body="基层党建是一项系统工程，需要久久为功。\n要坚持问题导向，补齐短板弱项。\n"
        "加强基层党建，建设美丽乡村。",
        date=None,
    ),
    Doc(
        slug="2020-07-01-h", title="Village cooperative report",
        body="The cooperative bought a new CPU for its accounts. Cpus are cheap in 2020.",
        date="2020-07-01",
    ),
]  # fmt: skip
BY_SLUG = {doc.slug: doc for doc in DOCS}
HAN_RUN = re.compile(f"[{HAN}]+")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("index")
    build_index(folder, DOCS)
    yield folder
    close_searchers()


def found(query: str, index_dir: Path, **filters: object) -> list[str]:
    return search(query, index_dir=index_dir, limit=None, **filters).slugs  # type: ignore[arg-type]


def canonical(slugs: object) -> list[str]:
    return [d.slug for d in sorted((BY_SLUG[s] for s in slugs), key=canonical_key)]  # type: ignore[union-attr]


def containing(text: str) -> list[str]:
    return canonical(d.slug for d in DOCS if text in d.title or text in d.body)


# "Contains what they type and nothing else"


HAN_RUNS = sorted({m.group() for d in DOCS for t in (d.title, d.body) for m in HAN_RUN.finditer(t)})
LATIN_WORDS = sorted({t.text for d in DOCS for t in tokens(d.title + " " + d.body)} - set(
    t.text for d in DOCS for t in tokens(d.title + " " + d.body) if HAN_RUN.fullmatch(t.text)
))  # fmt: skip


@st.composite
def han_substrings(draw: st.DrawFn, sizes: tuple[int, int] = (2, 6)) -> str:
    run = draw(st.sampled_from([r for r in HAN_RUNS if len(r) >= sizes[0]]))
    size = draw(st.integers(sizes[0], min(sizes[1], len(run))))
    start = draw(st.integers(0, len(run) - size))
    return run[start : start + size]


@settings(max_examples=300, deadline=None)
@given(text=han_substrings())
def test_a_chinese_string_finds_exactly_the_articles_containing_it(
    index_dir: Path, text: str
) -> None:
    assert found(text, index_dir) == containing(text)
    assert found(f'"{text}"', index_dir) == containing(text)


@settings(max_examples=100, deadline=None)
@given(text=han_substrings((1, 1)))
def test_a_single_character_finds_every_article_containing_it(index_dir: Path, text: str) -> None:
    assert found(text, index_dir) == containing(text)


@settings(max_examples=60, deadline=None)
@given(word=st.sampled_from(LATIN_WORDS))
def test_a_latin_word_finds_the_articles_with_that_whole_word(index_dir: Path, word: str) -> None:
    def has_word(doc: Doc) -> bool:
        return word in {t.text for t in tokens(doc.title + " " + doc.body)}

    assert found(word.upper(), index_dir) == canonical(d.slug for d in DOCS if has_word(d))


def test_single_character_inside_a_longer_run(index_dir: Path) -> None:
    # 党 never stands alone in these texts, so only the chars field can find it.
    assert found("党", index_dir) == containing("党")
    assert found("title:党", index_dir) == canonical(d.slug for d in DOCS if "党" in d.title)


def test_latin_acronym_matches_any_case_and_full_width(index_dir: Path) -> None:
    assert found("CPU", index_dir) == canonical(["undated-d", "2023-05-24-f", "2020-07-01-h"])
    assert found("ｃｐｕ", index_dir) == found("cpu", index_dir)
    assert found("cpus", index_dir) == ["2020-07-01-h"]  # whole words, no stemming


def test_digits_and_han_form_a_phrase(index_dir: Path) -> None:
    # [2021, 年]: 年 must stand alone, as in 2021年，; in 2021年换届 it is part of 年换 换届.
    assert found("2021年", index_dir) == ["2021-01-10-e"]
    assert found("2021年，全县", index_dir) == ["2021-01-10-e"]
    assert found("2020", index_dir) == ["2020-07-01-h"]


def test_phrase_does_not_match_across_punctuation(index_dir: Path) -> None:
    assert found("党建设", index_dir) == []  # undated-g: 加强基层党建，建设美丽乡村
    assert found('"党建，建设"', index_dir) == ["undated-g"]
    assert found('"党建、建设"', index_dir) == ["undated-g"]  # any punctuation
    assert found('"党建 建设"', index_dir) == []  # a space keeps them adjacent
    hit = search('"党建，建设"', index_dir=index_dir).hits[0]
    assert "<mark>党建，建设</mark>" in hit.snippet


# Operators and fields


def test_and_or_not(index_dir: Path) -> None:
    both = set(containing("后进村")) & set(containing("十二个"))
    assert found("后进村 十二个", index_dir) == canonical(both)
    assert found("后进村 AND 十二个", index_dir) == canonical(both)
    assert found("销号 OR 光伏", index_dir) == canonical(["2021-03-05-a", "2021-12-20-c"])
    assert found("后进村 NOT 销号", index_dir) == ["2021-03-05-b"]
    assert set(found("NOT 党", index_dir)) == {d.slug for d in DOCS} - set(containing("党"))


def test_or_binds_tighter_than_and(index_dir: Path) -> None:
    # (销号 OR 光伏) AND 村 — not 销号 OR (光伏 AND 村)
    assert parse("销号 OR 光伏 村") == parse("(销号 OR 光伏) AND 村")
    assert parse("销号 OR 光伏 AND 村") == parse("(销号 OR 光伏) 村")
    assert found("NOT 销号 OR 光伏 整顿", index_dir) == found(
        "((NOT 销号) OR 光伏) 整顿", index_dir
    )


def test_quoted_phrase_and_operator_words(index_dir: Path) -> None:
    assert found('"软弱涣散 村"', index_dir) == []  # 村 alone is a unigram: not in 涣散村
    assert found('"红色根须工程"', index_dir) == ["2023-05-24-f"]
    assert found("and", index_dir) == []  # lower case: an ordinary word


def test_field_queries(index_dir: Path) -> None:
    # Same day: the date without a time sorts first (documents.canonical_key).
    assert found("tag:rectification", index_dir) == ["2021-03-05-b", "2021-03-05-a"]
    assert found("place:咸宁市", index_dir) == ["2023-05-24-f", "2021-12-20-c"]
    assert found("place:咸宁", index_dir) == []  # exact names only
    assert found("site:兴县新闻网", index_dir) == ["2021-01-10-e"]
    assert found("year:2021", index_dir) == ["2021-12-20-c", "2021-03-05-b", "2021-03-05-a",
                                             "2021-01-10-e"]  # fmt: skip
    assert found("title:软弱涣散", index_dir) == ["2021-03-05-a"]
    assert found("title:后进村", index_dir) == []  # only in bodies
    assert found('title:"集体 经济"', index_dir) == []
    assert parse("foo:整改") == parse('"foo:整改"')  # unknown field: an ordinary word


def test_keyword_filters_narrow_the_result(index_dir: Path) -> None:
    assert found("村", index_dir, tag="hamlet_branches") == ["2023-05-24-f", "undated-d"]
    assert found("党", index_dir, place="红安县") == ["2021-03-05-b", "2021-03-05-a"]
    assert found("党", index_dir, place="湖北省", site="荆楚网") == ["2023-05-24-f"]
    assert found("党", index_dir, tag="nonexistent") == []


def test_date_range_is_inclusive_and_excludes_undated(index_dir: Path) -> None:
    everything = "村 OR 党 OR cooperative"
    assert found(everything, index_dir, date_from="2021-03-05", date_to="2021-12-20") == [
        "2021-12-20-c", "2021-03-05-b", "2021-03-05-a",
    ]  # fmt: skip
    assert found(everything, index_dir, date_to="2021-01") == ["2021-01-10-e", "2020-07-01-h"]
    assert found(everything, index_dir, date_from="2023") == ["2023-05-24-f"]
    assert "undated-d" in found(everything, index_dir)


def test_results_come_in_canonical_order_with_total_and_limit(index_dir: Path) -> None:
    everything = canonical(BY_SLUG)
    assert found("NOT 不存在的词", index_dir) == everything
    assert everything[:2] == ["2023-05-24-f", "2021-12-20-c"]
    assert everything[-2:] == ["undated-d", "undated-g"]  # undated last, then by slug
    results = search("NOT 不存在的词", index_dir=index_dir, limit=3)
    assert results.total == len(DOCS)
    assert results.slugs == everything[:3]
    assert search("党", index_dir=index_dir, limit=0).slugs == []


def test_hits_carry_metadata_and_a_marked_escaped_snippet(index_dir: Path) -> None:
    hit = search("十二个", index_dir=index_dir, place="红安县").hits[0]
    assert hit.slug == "2021-03-05-b" and hit.county == "红安县" and hit.tags == ("rectification",)
    assert "<mark>十二个</mark>" in hit.snippet
    assert "&lt;/script&gt;" in hit.snippet and "<script" not in hit.snippet
    assert "</script" not in hit.snippet
    title_only = search("title:推进会", index_dir=index_dir).hits[0]
    assert title_only.snippet.startswith("会议要求")  # the lead, nothing to mark
    row = search("软弱涣散", index_dir=index_dir).to_rows()[0]
    assert row["tags"] == "rectification" and row["date"].startswith("2021-03-05")


@pytest.mark.parametrize(
    "query",
    ["", "   ", "(整改", "整改)", "()", "AND 整改", "整改 OR", "NOT", '"整改', "year:21",
     "tag:", "place: 红安县", "，。"],
)  # fmt: skip
def test_bad_queries_raise_query_error(index_dir: Path, query: str) -> None:
    with pytest.raises(QueryError) as error:
        search(query, index_dir=index_dir)
    assert "/" in str(error.value)  # Chinese / English


@pytest.mark.parametrize("date_from", ["2021-13-01", "2021/03/05", "yesterday"])
def test_bad_dates_raise_query_error(index_dir: Path, date_from: str) -> None:
    with pytest.raises(QueryError):
        search("党", index_dir=index_dir, date_from=date_from)


# Keeping the index up to date


def test_incremental_update_rewrites_only_what_changed(tmp_path: Path) -> None:
    first = build_index(tmp_path, DOCS)
    assert (first.added, first.updated, first.deleted, first.rebuilt) == (len(DOCS), 0, 0, True)
    assert search("光伏", index_dir=tmp_path).slugs == ["2021-12-20-c"]

    again = build_index(tmp_path, DOCS)
    assert (again.added, again.updated, again.deleted, again.unchanged) == (0, 0, 0, len(DOCS))
    assert not again.rebuilt

    edited = [
        Doc(**{**d.__dict__, "body": d.body.replace("光伏电站", "风力电站")})
        if d.slug == "2021-12-20-c" else d
        for d in DOCS if d.slug != "2021-01-10-e"
    ]  # fmt: skip
    edited.append(Doc("2024-01-01-new", "新的文章", "光伏扶贫项目投产。", "2024-01-01"))
    report = build_index(tmp_path, edited)
    assert (report.added, report.updated, report.deleted) == (1, 1, 1)
    assert report.total == len(DOCS)
    assert search("光伏", index_dir=tmp_path).slugs == [
        "2024-01-01-new"
    ]  # cached searcher reopened
    assert search("风力", index_dir=tmp_path).slugs == ["2021-12-20-c"]
    assert search("资格联审", index_dir=tmp_path).total == 0
    assert search("NOT 不存在", index_dir=tmp_path, limit=1).slugs == ["2024-01-01-new"]
    everything = search("NOT 不存在", index_dir=tmp_path, limit=None)  # deleted ones excluded
    assert everything.total == len(DOCS) and "2021-01-10-e" not in everything.slugs
    order = json.loads((tmp_path / "order.json").read_text(encoding="utf-8"))
    assert order["2024-01-01-new"] == 0 and len(order) == len(DOCS)


def test_a_fresh_process_reads_the_ranks_of_the_index_generation_it_opens(tmp_path: Path) -> None:
    build_index(tmp_path, DOCS)
    everything = search("NOT 不存在", index_dir=tmp_path, limit=None).slugs
    assert len(everything) == len(DOCS)
    (kept,) = tmp_path.glob("ranks-*.npy")
    close_searchers()
    # The file is what ranks the results: turned upside down, so are they.
    np.save(kept, (len(DOCS) - 1 - np.load(kept)).astype(np.int64))
    assert search("NOT 不存在", index_dir=tmp_path, limit=None).slugs == everything[::-1]
    close_searchers()
    kept.unlink()  # without it, the ranks come from order.json as before
    assert search("NOT 不存在", index_dir=tmp_path, limit=None).slugs == everything
    close_searchers()
    build_index(tmp_path, DOCS)  # nothing changed: the file is written again
    assert [p.name for p in tmp_path.glob("ranks-*.npy")] == [kept.name]
    build_index(tmp_path, [*DOCS, Doc("2030-01-01-new", "新的文章", "光伏。", "2030-01-01")])
    (newer,) = tmp_path.glob("ranks-*.npy")  # a new generation, the old file gone
    assert newer != kept
    close_searchers()
    np.save(tmp_path / kept.name, np.zeros(len(DOCS), dtype=np.int64))  # a stale file is not read
    assert search("NOT 不存在", index_dir=tmp_path, limit=None).slugs == [
        "2030-01-01-new",
        *everything,
    ]
    close_searchers()


def test_a_damaged_index_is_rebuilt(tmp_path: Path) -> None:
    build_index(tmp_path, DOCS)
    close_searchers()
    for path in tmp_path.iterdir():
        if path.suffix in (".toc", ".seg"):
            path.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(IndexUnavailable):
        search("党", index_dir=tmp_path)
    report = build_index(tmp_path, DOCS)
    assert report.rebuilt and "damaged" in report.reason
    assert search("光伏", index_dir=tmp_path).slugs == ["2021-12-20-c"]


def test_an_index_from_another_version_is_rebuilt(tmp_path: Path) -> None:
    build_index(tmp_path, DOCS[:2])
    (tmp_path / "meta.json").write_text('{"format": "old"}', encoding="utf-8")
    report = build_index(tmp_path, DOCS[:2])
    assert report.rebuilt and report.added == 2


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailable, match="invoke build"):
        search("党", index_dir=tmp_path / "nowhere")


def test_an_empty_archive_gives_no_results(tmp_path: Path) -> None:
    build_index(tmp_path, [])
    assert search("党", index_dir=tmp_path).total == 0


# Command line


@pytest.fixture(scope="module")
def content_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index built the way the CLI's --reindex builds it: from Markdown files."""
    root = tmp_path_factory.mktemp("cli")
    content = root / "content" / "articles"
    content.mkdir(parents=True)
    for doc in DOCS:
        front = {"title": doc.title, "date": doc.date, "slug": doc.slug, "tags": list(doc.tags),
                 "province": doc.province, "city": doc.city, "county": doc.county,
                 "site": doc.site}  # fmt: skip
        body = doc.body.replace("<", "&lt;").replace("\n", "\n\n")
        (content / f"{doc.slug}.md").write_text(render(front, body), encoding="utf-8")
    (content / "broken.md").write_text("no front matter\n", encoding="utf-8")
    report = index_content(root / "content", root / "index")
    assert report.total == len(DOCS)
    return root / "index"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
        timeout=120,
    )  # fmt: skip


def test_cli_json_output(content_index: Path) -> None:
    done = run("-m", "archive_search", "村 OR 党", "--place", "湖北省", "--from", "2021",
               "--format", "json", "--index-dir", str(content_index))  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["total"] == 4 and data["filters"] == {"place": "湖北省", "date_from": "2021"}
    assert [h["slug"] for h in data["hits"]] == [
        "2023-05-24-f", "2021-12-20-c", "2021-03-05-b", "2021-03-05-a",
    ]  # fmt: skip


def test_invoke_csv_output(content_index: Path) -> None:
    done = run("-m", "invoke", "search", "软弱涣散 OR 光伏", "--format", "csv", "--to",
               "2021-06-30", "--index-dir", str(content_index))  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["slug"] for r in rows] == ["2021-03-05-a"]
    assert "<mark>软弱涣散</mark>" in rows[0]["snippet"]


def test_invoke_table_output_aligns_chinese(content_index: Path) -> None:
    from archive_search.cli import display_width

    done = run("-m", "invoke", "search", "村湾", "--index-dir", str(content_index))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "日期不详" in done.stdout and "共 2 篇" in lines[-1]
    rows = lines[2:-1]
    places = [display_width(line[: line.index("湖北省")]) for line in rows]
    assert len(set(places)) == 1  # the place column starts at the same column


def test_cli_errors_are_one_line_not_a_traceback(content_index: Path) -> None:
    bad = run("-m", "archive_search", "(村", "--index-dir", str(content_index))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "括号" in bad.stderr
    missing = run("-m", "archive_search", "村", "--index-dir", str(content_index.parent / "x"))
    assert missing.returncode == 1 and "invoke build" in missing.stderr


def test_snippet_of_a_match_deep_in_a_long_body(tmp_path: Path) -> None:
    body = (
        "会议强调要压实责任。" * 60 + "全面推行ＣＰＵ村务公开平台。" + "会议强调要压实责任。" * 60
    )
    build_index(tmp_path, [Doc("long", "长文", body, "2021-01-01")])
    for query in ("村务公开", "cpu", "村务 OR 不存在", "务"):
        text = search(query, index_dir=tmp_path).hits[0].snippet
        plain = text.replace("<mark>", "").replace("</mark>", "")
        assert text.startswith("…") and text.endswith("…") and "<mark>" in text
        assert "村务公开" in plain and len(plain) <= 84


@pytest.mark.parametrize(
    "query", ["村务公开", "cpu", "村务 OR 不存在", "务", "压实 公开", "责任。全面"]
)
def test_the_snippet_window_gives_the_snippet_of_the_whole_text(
    query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matches at every distance from the scan start, the window's edge included."""
    filler = "会议强调要压实责任。"
    node = parse(query)
    for before in range(0, 900, 7):
        body = (filler * 90)[:before] + "全面推行ＣＰＵ村务公开平台。" + filler * 20
        windowed = snippets_module.snippet(body, node)
        with monkeypatch.context() as patch:
            patch.setattr(snippets_module, "SNIPPET_WINDOW", 10**9)
            assert snippets_module.snippet(body, node) == windowed, before


QUERIES = [
    "软弱涣散", "党", "村湾 党支部", "整顿 OR 联审", "党支部 NOT 红安县", '"软弱，涣散"',
    "cpu", "2021年", "title:党建", "tag:rectification 后进村", "NOT 党", "集体经济",
    "place:咸宁市", "year:2021 村",
]  # fmt: skip


@pytest.mark.parametrize("query", QUERIES)
def test_whoosh_own_queries_find_what_search_finds(index_dir: Path, query: str) -> None:
    """The index stands on its own: Whoosh's phrase matching reads the packed positions."""
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher() as searcher:
        hits = searcher.search(to_whoosh(parse(query)), limit=None)
        by_whoosh = {hit["slug"] for hit in hits}
    ix.close()
    found = set(search(query, index_dir=index_dir, limit=None).slugs)
    assert found == by_whoosh
    if query not in ("NOT 党", '"软弱，涣散"'):
        assert found, query  # the queries are chosen to find something


@pytest.mark.parametrize(
    "filters",
    [
        {"place": "湖北省"},
        {"tag": "rectification", "date_from": "2021"},
        {"site": "荆楚网", "date_to": "2024"},
        {"date_from": "2021-03-05", "date_to": "2021-12-20"},
    ],
)
def test_filters_find_what_whoosh_finds_with_them(index_dir: Path, filters: dict) -> None:
    """The keyword filters, as one Filters value, mean the same to Whoosh as to search()."""
    from whoosh import query as wq

    from archive_search.query_language import Filters
    from archive_search.whoosh_query import filter_queries

    given = Filters.of(**filters)
    assert given.given() == filters and given == Filters.of(**filters)
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher() as searcher:
        condition = wq.And([to_whoosh(parse("党 OR 村")), *filter_queries(given)])
        by_whoosh = {hit["slug"] for hit in searcher.search(condition, limit=None)}
    ix.close()
    result = search("党 OR 村", index_dir=index_dir, limit=None, **filters)
    assert set(result.slugs) == by_whoosh and result.filters == filters
    assert by_whoosh  # the filters are chosen to leave something


@pytest.mark.parametrize("query", [*QUERIES, "推进会", "title:推进会 OR 十二个", "党建设"])
def test_snippets_are_those_of_the_whole_body(index_dir: Path, query: str) -> None:
    """search() skips the bodies the index says hold no match; each snippet is still the
    one made by reading the body."""
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher() as searcher:
        stored = {fields["slug"]: fields for fields in searcher.all_stored_fields()}
    ix.close()
    node = parse(query)
    for hit in search(query, index_dir=index_dir, limit=None).hits:
        fields = stored[hit.slug]
        assert hit.snippet == query_module.snippet(fields["body"], node, fields["title"]), hit.slug
