"""The corpus downloads (end-to-end Pelican builds into a temporary folder)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings

from scraper.taxonomy import load_taxonomy

from . import corpus_downloads

ROOT = Path(__file__).resolve().parents[2]

# Invented articles: a dated one with every field, an older one, two undated.
ARTICLES = {
    "old": """---
title: 甲村清理集体资产
date: '2019-03-02'
author: 王一
site: 示例县网
province: 湖北省
county: 示例县
tags: [collective_economy]
primary_tag: collective_economy
slug: 2019-03-02-old
url: http://county.example/old.html
retrieved: '2026-01-05T08:00:00+08:00'
---

甲村清点了集体资产。

## 第二段

账目逐项公开。
""",
    "new": """---
title: 乙镇联审村干部候选人, "合格"
date: '2021-06-30T10:15:00+08:00'
author: 李二 张三
site: 示例县网
source: 示例县委组织部
province: 湖北省
city: 示例市
county: 示例县
tags: [vetting, rectification]
primary_tag: vetting
evidence:
  vetting: [乙镇对候选人逐一联审。]
also_at: [http://mirror.example/new.html]
slug: 2021-06-30-new
url: http://county.example/new.html
retrieved: '2026-01-05T08:01:00+08:00'
---

乙镇对候选人逐一联审。

审查结果张榜公布。
""",
    "undated-b": """---
title: null
date: null
date_partial: 09-03
tags: [hamlet_branches]
slug: undated-b
---

丙湾成立了党支部。第二句。
""",
    "undated-a": """---
title: 丁村整顿
date: null
tags: [rectification]
slug: undated-a
---

丁村整顿软弱涣散党组织。
""",
}


def build(tmp_path: Path, articles: dict[str, str] = ARTICLES, **extra: object) -> Path:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    for old in content.glob("*.md"):
        old.unlink()
    for name, text in articles.items():
        (content / f"{name}.md").write_text(text, encoding="utf-8")
    output = tmp_path / "output"
    override = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "PLUGIN_PATHS": [str(ROOT / "plugins")],
        "PLUGINS": ["archive_reader", "corpus_downloads"],
        "ARTICLE_PATHS": [""],
        "THEME": str(ROOT / "theme"),
        "TIMEZONE": "Asia/Shanghai",
        "AUTHOR": "站点作者",
        "ARTICLE_URL": "articles/{slug}.html",
        "ARTICLE_SAVE_AS": "articles/{slug}.html",
        "FEED_ALL_ATOM": None,
        "CACHE_CONTENT": False,
        # What plugins/search_export sets (left out: these tests are about this plugin).
        "PRACTICE_NAMES": {p.id: p.name_zh for p in load_taxonomy().practices},
    }
    override.update(extra)
    # The project's own settings (the theme's Jinja filters), this site's folders.
    settings = read_settings(path=str(ROOT / "pelicanconf.py"), override=override)
    Pelican(settings).run()
    return output


def read_csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, for Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_one_row_per_article_in_canonical_order(tmp_path: Path) -> None:
    output = build(tmp_path)
    rows = read_csv(output / "downloads" / "archive.csv")
    assert [r["slug"] for r in rows] == [
        "2021-06-30-new",
        "2019-03-02-old",
        "undated-a",
        "undated-b",
    ]
    assert list(rows[0]) == list(corpus_downloads.COLUMNS)
    new, old, undated_a, undated_b = rows
    assert new["title"] == '乙镇联审村干部候选人, "合格"'  # comma and quotes survive quoting
    assert new["tags"] == "vetting;rectification"
    assert new["author"] == "李二 张三" and new["source"] == "示例县委组织部"
    assert new["date"] == "2021-06-30T10:15:00+08:00"
    assert new["source_url"] == "http://county.example/new.html"
    assert new["url"] == "articles/2021-06-30-new.html"
    assert new["text"] == "乙镇对候选人逐一联审。\n审查结果张榜公布。"
    assert old["text"] == "甲村清点了集体资产。\n第二段\n账目逐项公开。"
    assert old["retrieved"] == "2026-01-05T08:00:00+08:00"
    # The placeholder date of undated articles is never exported, nor the site's AUTHOR.
    assert undated_a["date"] == "" and undated_b["date"] == ""
    assert undated_b["date_partial"] == "09-03"
    assert undated_b["author"] == "" and undated_b["title_derived"] == "true"
    assert undated_b["title"] == "丙湾成立了党支部"
    assert "1900" not in (output / "downloads" / "archive.csv").read_text(encoding="utf-8-sig")


def test_jsonl_round_trips_with_lists_and_evidence(tmp_path: Path) -> None:
    output = build(tmp_path)
    lines = (output / "downloads" / "archive.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["slug"] for r in records] == [
        "2021-06-30-new",
        "2019-03-02-old",
        "undated-a",
        "undated-b",
    ]
    new = records[0]
    assert new["tags"] == ["vetting", "rectification"]
    assert new["evidence"] == {"vetting": ["乙镇对候选人逐一联审。"]}
    assert new["also_at"] == ["http://mirror.example/new.html"]
    assert new["title_derived"] is False
    assert records[3]["date"] is None and records[3]["author"] is None
    assert set(new) == set(corpus_downloads.COLUMNS) | {"evidence", "also_at"}
    csv_rows = read_csv(output / "downloads" / "archive.csv")
    for record, row in zip(records, csv_rows, strict=True):
        assert corpus_downloads.csv_row(record) == [row[c] for c in corpus_downloads.COLUMNS]


def test_downloads_page_gives_sizes_count_and_fields(tmp_path: Path) -> None:
    output = build(tmp_path)
    page = (output / "downloads.html").read_text(encoding="utf-8")
    size = (output / "downloads" / "archive.csv").stat().st_size
    assert corpus_downloads.human_size(size) in page
    assert "全部 4 篇文章" in page and "日期不详 2 篇" in page
    assert "北京时间" in page and "正文纯文本" in page and "<code>evidence</code>" in page
    assert 'downloads/archive.jsonl" download>' in page


def test_files_are_published_whole_and_state_is_reset(tmp_path: Path) -> None:
    output = build(tmp_path)
    assert not list((output / "downloads").glob(".*.tmp")), "no temporary file left"
    assert not corpus_downloads._pending
    first = (output / "downloads" / "archive.jsonl").read_bytes()
    # A second build in the same process (autoreload) writes the same bytes.
    output = build(tmp_path)
    assert (output / "downloads" / "archive.jsonl").read_bytes() == first
    assert (output / "downloads" / "archive.csv").stat().st_mode & 0o044 == 0o044


def test_absolute_page_urls_when_siteurl_is_set(tmp_path: Path) -> None:
    output = build(tmp_path, SITEURL="https://archive.example")
    rows = read_csv(output / "downloads" / "archive.csv")
    assert rows[0]["url"] == "https://archive.example/articles/2021-06-30-new.html"


def test_human_size() -> None:
    assert corpus_downloads.human_size(10) == "10 字节"
    assert corpus_downloads.human_size(2048) == "2.0 KB"
    assert corpus_downloads.human_size(3 * 1024 * 1024) == "3.0 MB"
