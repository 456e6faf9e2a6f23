"""Mark in an article's text the sentences its practice tags rest on.

A tag is a claim about the article; the reader should see its grounds where
they stand, not only in a list.  Each evidence sentence of the front matter
(`evidence: {practice: [sentence, …]}`) found in the article's HTML is
wrapped in `<mark class="evidence" id="evidence-N" data-practices="…">`, and
the article gets `evidence_marks`: {practice: [(sentence, anchor or None)]}
for the template to link each listed sentence to its place in the text.

A sentence is looked for inside one run of text (the HTML is searched for
the sentence as it is written there, escaped, and left untouched otherwise:
parsing and re-serialising every article was a tenth of a build): one that
runs across inline markup (a link, bold) stays unmarked and is listed
without an anchor.  The title's own sentences are never in the body and are
listed the same way.
"""

from __future__ import annotations

from html import escape
from typing import Any

from pelican import signals
from pelican.contents import Article


def _in_text(html: str, at: int, end: int, taken: list[tuple[int, int]]) -> bool:
    """Whether html[at:end] lies in text (not in a tag, not in a mark already made)."""
    if html.rfind("<", 0, at) > html.rfind(">", 0, at) or "<" in html[at:end]:
        return False
    return all(end <= a or at >= b for a, b in taken)


def mark(html: str, evidence: dict[str, list[str]]) -> tuple[str, dict[str, list]]:
    """(`html` with the evidence sentences marked, {practice: [(sentence, anchor)]})."""
    wanted: dict[str, list[str]] = {}  # sentence → practices, in first-listed order
    for practice, sentences in evidence.items():
        for sentence in sentences or ():
            sentence = str(sentence).strip()
            if sentence and practice not in wanted.setdefault(sentence, []):
                wanted[sentence].append(practice)
    anchors: dict[str, str] = {}
    inserts: list[tuple[int, int, str]] = []  # (start, end, opening tag) in the original html
    taken: list[tuple[int, int]] = []
    # Longest first, so a sentence inside a longer one does not split it.  The
    # page's HTML is searched as text is written in it (escaped); the first
    # occurrence inside one run of text is marked, the HTML left as it was.
    for sentence in sorted(wanted, key=len, reverse=True):
        needle = escape(sentence, quote=False)
        at = html.find(needle)
        while at >= 0 and not _in_text(html, at, at + len(needle), taken):
            at = html.find(needle, at + 1)
        if at < 0:
            continue
        anchor = f"evidence-{len(anchors) + 1}"
        anchors[sentence] = anchor
        practices = escape(" ".join(wanted[sentence]))
        opening = f'<mark class="evidence" data-practices="{practices}" id="{anchor}">'
        inserts.append((at, at + len(needle), opening))
        taken.append((at, at + len(needle)))
    for at, end, opening in sorted(inserts, reverse=True):
        html = html[:at] + opening + html[at:end] + "</mark>" + html[end:]
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
