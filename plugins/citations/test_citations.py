"""Citations: the GB/T 7714-2015 string, the .bib and the .ris (unit and end-to-end)."""

from __future__ import annotations

import os
from pathlib import Path

import bibtexparser
import pytest
from pelican import Pelican
from pelican.settings import read_settings

from scraper.taxonomy import load_taxonomy

from .citations import Reference, bibtex, gbt7714, latex_escape, ris, split_authors

ROOT = Path(__file__).resolve().parents[2]

FULL = Reference(
    key="2021-06-30-new",
    title="乙镇联审村干部候选人",
    authors=("李二", "张三"),
    site="示例县网",
    date="2021-06-30",
    accessed="2026-01-05",
    url="http://county.example/new.html",
    keywords=("资格联审",),
)


def test_gbt_with_full_metadata() -> None:
    assert gbt7714(FULL) == (
        "李二, 张三. 乙镇联审村干部候选人[EB/OL]. 示例县网, 2021-06-30[2026-01-05]. "
        "http://county.example/new.html."
    )


def test_gbt_without_author_begins_with_the_title() -> None:
    ref = Reference(key="k", title="甲村清理集体资产", site="示例县网", date="2019-03-02",
                    accessed="2026-01-05", url="http://county.example/old.html")  # fmt: skip
    assert gbt7714(ref) == (
        "甲村清理集体资产[EB/OL]. 示例县网, 2019-03-02[2026-01-05]. http://county.example/old.html."
    )


def test_gbt_undated_gives_no_date_and_marks_a_derived_title() -> None:
    ref = Reference(key="k", title="丙湾成立了党支部", title_derived=True, site="示例县网",
                    accessed="2026-01-05", url="http://county.example/b.html")  # fmt: skip
    assert (
        gbt7714(ref)
        == "[丙湾成立了党支部][EB/OL]. 示例县网[2026-01-05]. http://county.example/b.html."
    )
    bare = Reference(key="k", title="丁村整顿", date="2020-05-01", accessed="2026-01-05", url="u")
    assert gbt7714(bare) == "丁村整顿[EB/OL]. (2020-05-01)[2026-01-05]. u."


def test_gbt_more_than_three_authors_ends_with_deng() -> None:
    ref = Reference(key="k", title="题", authors=("甲", "乙", "丙", "丁"), url="u")
    assert gbt7714(ref).startswith("甲, 乙, 丙, 等. 题[EB/OL].")
    assert split_authors("田一 邓二、邹三") == ("田一", "邓二", "邹三")


def test_bib_parses_back_with_escaped_specials() -> None:
    ref = Reference(key="k1", title="集体收入增长50% & A_B {注} #1", authors=("李二", "张三"),
                    site="示例县网", date="2021-06-30", accessed="2026-01-05",
                    url="http://county.example/a_b.html?x=1%20")  # fmt: skip
    text = bibtex(ref)
    assert "\ttitle = {集体收入增长50\\% \\& A\\_B \\{注\\} \\#1}," in text
    assert "\tauthor = {{李二} and {张三}}," in text
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "online" and entry.key == "k1"
    fields = {k: v.value for k, v in entry.fields_dict.items()}
    assert fields["title"] == r"集体收入增长50\% \& A\_B \{注\} \#1"
    assert fields["author"] == "{李二} and {张三}"
    assert fields["organization"] == "示例县网"
    assert fields["date"] == "2021-06-30" and fields["urldate"] == "2026-01-05"
    assert fields["url"] == "http://county.example/a_b.html?x=1%20"
    assert latex_escape("\\~^") == r"\textbackslash{}\textasciitilde{}\textasciicircum{}"


def test_bib_of_undated_article_has_no_date() -> None:
    ref = Reference(key="k2", title="丁村整顿", url="u")
    (entry,) = bibtexparser.parse_string(bibtex(ref)).entries
    assert "date" not in entry.fields_dict and "author" not in entry.fields_dict


def test_ris_fields() -> None:
    text = ris(FULL)
    assert text.endswith("ER  - \r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[0] == "TY  - ELEC"
    tags = [(line[:2], line[6:]) for line in lines if line]
    assert ("TI", "乙镇联审村干部候选人") in tags
    assert [v for t, v in tags if t == "AU"] == ["李二", "张三"]
    assert ("PB", "示例县网") in tags and ("PY", "2021") in tags and ("DA", "2021/06/30") in tags
    assert ("Y2", "2026/01/05") in tags and ("UR", "http://county.example/new.html") in tags
    assert ("KW", "资格联审") in tags
    assert all(line[2:6] == "  - " for line in lines if line)
    undated = ris(Reference(key="k", title="丁村整顿", url="u"))
    assert "PY  -" not in undated and "DA  -" not in undated and "AU  -" not in undated


ARTICLES = {
    "new": """---
title: 乙镇联审村干部候选人
date: '2021-06-30T10:15:00+08:00'
author: 李二 张三
site: 示例县网
tags: [vetting]
slug: 2021-06-30-new
url: http://county.example/new.html
retrieved: '2026-01-05T23:30:00+00:00'
---

乙镇对候选人逐一联审。
""",
    "undated": """---
title: null
date: null
tags: [hamlet_branches]
slug: undated-b
site: 示例县网
retrieved: '2026-01-05T08:00:00+08:00'
---

丙湾成立了党支部。第二句。
""",
}


def build(tmp_path: Path, **extra: object) -> tuple[Path, list]:
    content = tmp_path / "content"
    if not content.exists():
        content.mkdir()
        for name, text in ARTICLES.items():
            (content / f"{name}.md").write_text(text, encoding="utf-8")
    output = tmp_path / "output"
    seen: list = []
    settings = read_settings(
        path=str(ROOT / "pelicanconf.py"),
        override={
            "PATH": str(content),
            "ARTICLE_PATHS": [""],
            "OUTPUT_PATH": str(output),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            "PLUGINS": ["archive_reader", "citations"],
            "THEME": str(ROOT / "theme"),
            "AUTHOR": "站点作者",
            "SITEURL": "https://archive.example",
            "CACHE_CONTENT": False,
            # What plugins/search_export sets (left out: these tests are about this plugin).
            "PRACTICE_NAMES": {p.id: p.name_zh for p in load_taxonomy().practices},
            "CACHE_PATH": str(tmp_path / "cache"),
            **extra,
        },
    )
    pelican = Pelican(settings)
    pelican.run()
    return output, seen


def test_build_attaches_citations_and_writes_files(tmp_path: Path) -> None:
    from pelican import signals

    from . import citations

    captured: dict[str, object] = {}

    def keep(generators: list) -> None:
        for generator in generators:
            for article in getattr(generator, "articles", []):
                captured[article.slug] = article

    signals.all_generators_finalized.connect(keep)
    try:
        output, _ = build(tmp_path)
    finally:
        signals.all_generators_finalized.disconnect(keep)
    new, undated = captured["2021-06-30-new"], captured["undated-b"]
    # The retrieval day is Beijing's (23:30 UTC is the next morning there).
    assert new.citation_gbt == (
        "李二, 张三. 乙镇联审村干部候选人[EB/OL]. 示例县网, 2021-06-30[2026-01-06]. "
        "http://county.example/new.html."
    )
    # No author (not the site's AUTHOR), no placeholder date, the page's own address.
    assert undated.citation_gbt == (
        "[丙湾成立了党支部][EB/OL]. 示例县网[2026-01-05]. "
        "https://archive.example/articles/undated-b.html."
    )
    assert new.citation_bib_url == "articles/2021-06-30-new.bib"
    assert undated.citation_ris_url == "articles/undated-b.ris"
    bib = (output / "articles" / "2021-06-30-new.bib").read_text(encoding="utf-8")
    (entry,) = bibtexparser.parse_string(bib).entries
    assert entry.fields_dict["keywords"].value == "资格联审"
    ris_text = (output / "articles" / "undated-b.ris").read_bytes().decode("utf-8")
    assert "1900" not in ris_text and "站点作者" not in ris_text
    assert "N1  - 标题为本档案据正文首句拟定" in ris_text
    assert not list((output / "articles").glob(".*.tmp"))
    assert not citations._files, "state is reset once the build is finalized"


def test_a_file_that_already_holds_the_citation_is_not_written_again(tmp_path: Path) -> None:
    from .citations import write_atomically

    path = tmp_path / "a.bib"
    write_atomically(path, b"@online{a}")
    stamp = path.stat().st_mtime_ns - 1_000_000_000
    os.utime(path, ns=(stamp, stamp))
    write_atomically(path, b"@online{a}")
    assert path.stat().st_mtime_ns == stamp  # left alone
    write_atomically(path, b"@online{b}")
    assert path.read_bytes() == b"@online{b}" and path.stat().st_mtime_ns != stamp


def test_a_rebuild_formats_only_the_references_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from . import citations

    made: list[str] = []
    real = citations.bibtex
    monkeypatch.setattr(citations, "bibtex", lambda ref: made.append(ref.key) or real(ref))
    cache = tmp_path / "cache"
    output, _ = build(tmp_path, CACHE_PATH=str(cache))
    assert len(made) == len(ARTICLES)
    made.clear()
    build(tmp_path, CACHE_PATH=str(cache))
    assert made == []  # nothing changed: nothing formatted or written
    (output / "articles" / "undated-b.ris").unlink()  # a file gone: written again
    first = next(iter(ARTICLES))
    source = tmp_path / "content" / f"{first}.md"
    source.write_text(source.read_text(encoding="utf-8").replace("title: ", "title: 新"), "utf-8")
    build(tmp_path, CACHE_PATH=str(cache))
    assert sorted(made) == sorted(["undated-b", "2021-06-30-new"])
    assert "新" in (output / "articles" / "2021-06-30-new.bib").read_text(encoding="utf-8")
