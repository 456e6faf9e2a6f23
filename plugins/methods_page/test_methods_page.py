"""The methods page (end-to-end Pelican builds into a temporary folder)."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import html
from pelican import Pelican
from pelican.settings import read_settings

from scraper.taxonomy import load_taxonomy, rules_fingerprint

ROOT = Path(__file__).resolve().parents[2]

ARTICLE = """---
title: 甲村清理集体资产
date: '2019-03-02'
tags: [collective_economy]
slug: 2019-03-02-a
---

甲村清点了集体资产。
"""

CODEBOOK = """# 标注手册

## 一、总原则

报道了这项实践才标。

## 二、四项实践

| 实践 | 算 |
|---|---|
| 资格联审 | 候选人联审 |
"""


def figures(rules: str) -> dict[str, object]:
    practice = {"found": 9, "labelled": 10, "said": 9, "precision": 1.0, "recall": 0.9, "f1": 0.947}
    return {
        "excerpts": 120,
        "without_tags": 70,
        "micro": {"precision": 0.96, "recall": 0.93, "f1": 0.945},
        "practices": {p.id: practice for p in load_taxonomy().practices},
        "primary": {"right": 35, "of": 37},
        "no_primary": {"right": 80, "of": 83},
        "rules": rules,
        "measured": "2026-12-03T12:00:00+08:00",
        "articles_per_second": 900,
    }


def build(tmp_path: Path, measured: dict[str, object] | None) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(ARTICLE, encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "codebook.md").write_text(CODEBOOK, encoding="utf-8")
    if measured is not None:
        (docs / "figures.json").write_text(json.dumps(measured), encoding="utf-8")
    output = tmp_path / "output"
    override = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "PLUGIN_PATHS": [str(ROOT / "plugins")],
        "PLUGINS": ["archive_reader", "methods_page"],
        "ARTICLE_PATHS": [""],
        "THEME": str(ROOT / "theme"),
        "FEED_ALL_ATOM": None,
        "CACHE_CONTENT": False,
        "METHODS_CODEBOOK": str(docs / "codebook.md"),
        "METHODS_FIGURES": str(docs / "figures.json"),
    }
    Pelican(read_settings(path=str(ROOT / "pelicanconf.py"), override=override)).run()
    return output


def test_the_page_shows_the_codebook_and_the_figures_per_practice(tmp_path: Path) -> None:
    page = html.fromstring(
        (build(tmp_path, figures(rules_fingerprint())) / "methods.html").read_bytes()
    )
    assert page.findtext(".//h1").startswith("方法说明")
    assert [h.text_content() for h in page.iter("h2")] == ["一、总原则", "二、四项实践"]
    assert page.xpath("//td[text()='候选人联审']"), "the codebook's Markdown table is rendered"
    rows = page.xpath("//table[contains(@class,'quality')]/tbody/tr")
    assert len(rows) == len(load_taxonomy().practices)
    assert "资格联审" in rows[0].text_content() and "0.90" in rows[0].text_content()
    text = page.text_content()
    assert "120 个真实网页片段" in text and "35" in text
    assert "本站的标签正是由这一版规则标注的" in text


def test_figures_measured_on_other_rules_are_flagged(tmp_path: Path) -> None:
    page = (build(tmp_path, figures("000000000000")) / "methods.html").read_text("utf-8")
    assert "与测量时的规则不同" in page
    assert rules_fingerprint() in page


def test_without_figures_the_page_says_so(tmp_path: Path) -> None:
    page = (build(tmp_path, None) / "methods.html").read_text("utf-8")
    assert "尚无测量数字" in page
    assert "一、总原则" in page


def test_the_repositorys_figures_were_measured_on_the_rules_it_tags_with() -> None:
    """A change of taxonomy.toml or the tagger must be measured again (bench/tag_quality.py
    --record) before it lands: the methods page cites these figures for these rules."""
    recorded = json.loads((ROOT / "docs" / "tag_quality.json").read_text(encoding="utf-8"))
    assert recorded["rules"] == rules_fingerprint()
    assert set(recorded["practices"]) == {p.id for p in load_taxonomy().practices}
