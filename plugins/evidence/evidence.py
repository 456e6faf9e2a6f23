"""Mark in an article's text the sentences its practice tags rest on.

A tag is a claim about the article; the reader should see its grounds where
they stand, not only in a list.  Each evidence sentence of the front matter
(`evidence: {practice: [sentence, …]}`) found in the article's HTML is
wrapped in `<mark class="evidence" id="evidence-N" data-practices="…">`, and
the article gets `evidence_marks`: {practice: [(sentence, anchor or None)]}
for the template to link each listed sentence to its place in the text.

A sentence is looked for inside one text node: one that runs across inline
markup (a link, bold) stays unmarked and is listed without an anchor.  The
title's own sentences are never in the body and are listed the same way.
"""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, NavigableString
from pelican import signals
from pelican.contents import Article


def mark(html: str, evidence: dict[str, list[str]]) -> tuple[str, dict[str, list]]:
    """(`html` with the evidence sentences marked, {practice: [(sentence, anchor)]})."""
    wanted: dict[str, list[str]] = {}  # sentence → practices, in first-listed order
    for practice, sentences in evidence.items():
        for sentence in sentences or ():
            sentence = str(sentence).strip()
            if sentence and practice not in wanted.setdefault(sentence, []):
                wanted[sentence].append(practice)
    anchors: dict[str, str] = {}
    if wanted:
        soup = BeautifulSoup(html, "lxml")
        body = soup.body or soup
        # Longest first, so a sentence inside a longer one does not split it.
        for sentence in sorted(wanted, key=len, reverse=True):
            for node in list(body.find_all(string=True)):
                if node.parent is not None and node.parent.name == "mark":
                    continue
                text = str(node)
                at = text.find(sentence)
                if at < 0:
                    continue
                anchor = f"evidence-{len(anchors) + 1}"
                tag = soup.new_tag(
                    "mark", attrs={"class": "evidence", "id": anchor,
                                   "data-practices": " ".join(wanted[sentence])},
                )  # fmt: skip
                tag.string = sentence
                node.replace_with(
                    NavigableString(text[:at]), tag, NavigableString(text[at + len(sentence) :])
                )
                anchors[sentence] = anchor
                break
        if anchors:
            html = "".join(str(child) for child in body.children)
    marks = {
        practice: [(str(s).strip(), anchors.get(str(s).strip())) for s in sentences or ()]
        for practice, sentences in evidence.items()
    }
    return html, marks


def annotate(content: Any) -> None:
    if not isinstance(content, Article):
        return
    evidence = content.metadata.get("evidence")
    if not isinstance(evidence, dict) or not evidence:
        content.evidence_marks = {}
        return
    content._content, content.evidence_marks = mark(content._content or "", evidence)


def register() -> None:
    signals.content_object_init.connect(annotate)
