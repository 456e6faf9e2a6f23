"""Evidence sentences are marked where they stand in the text, and listed with their anchors."""

from __future__ import annotations

import re

from .evidence import mark


def test_sentences_are_marked_in_place_with_anchors() -> None:
    html = "<p>村里开会。县里推行资格联审机制。</p>\n<p>整顿软弱涣散村党组织。</p>"
    marked, marks = mark(
        html,
        {
            "vetting": ["县里推行资格联审机制。"],
            "rectification": ["整顿软弱涣散村党组织。", "县里推行资格联审机制。"],
        },
    )
    assert marked.count("<mark") == 2
    assert '<mark class="evidence" data-practices="vetting rectification" id="evidence-' in marked
    assert "<p>村里开会。<mark" in marked and "</mark></p>" in marked
    assert marks["vetting"][0][1] == marks["rectification"][1][1]  # one place, one anchor
    assert marks["rectification"][0][1] is not None


def test_a_sentence_not_in_one_text_node_is_listed_without_anchor() -> None:
    html = "<p>发展<strong>村级集体经济</strong>。</p>"
    marked, marks = mark(html, {"collective_economy": ["发展村级集体经济。", "不在正文里的句子。"]})
    assert marked == html
    assert marks == {
        "collective_economy": [("发展村级集体经济。", None), ("不在正文里的句子。", None)]
    }


def test_the_html_is_left_as_it_was_but_for_the_marks() -> None:
    html = (
        "<p>A &amp; B 推进整顿。</p><p><a href='x.html' title='推进整顿。'>链接</a>推进整顿。</p>"
    )
    marked, marks = mark(html, {"rectification": ["推进整顿。", "A & B 推进整顿。"]})
    # The longer sentence is marked (searched as it is written, escaped); the
    # shorter one inside it is found next, in text, never in an attribute.
    assert marked.count("<mark") == 2
    assert "title='推进整顿。'" in marked and "<a href='x.html'" in marked
    assert re.sub(r"<mark[^>]*>|</mark>", "", marked) == html
    assert all(anchor for _, anchor in marks["rectification"])
