"""Whether a body belongs to its headline.

Pages carry more than one story: a "next story" block below the article,
endless scrolling that appends the next report, a dump that runs on into the
following item.  An extractor that picks the longest prose can come back
with the page's own headline over another story's body, and an archive that
writes that pair misleads everyone who cites it.

A headline names its subject in words the body repeats: places, units,
the practice.  So the measure is the share of the headline's content
bigrams (two Chinese characters, or a run of Latin letters or digits)
found in a text; bigrams with a function character (的, 了 …) and a few
words every report uses (工作, 推进 …) do not count.  Comparisons are
relative: a body that shares little with its headline is taken for another
story's only when the rest of the page shares much more, so a headline
that the body does not echo (a feature's teaser title, the first of several
pages) is not refused on that alone.
"""

from __future__ import annotations

import re
from functools import cache

_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]{2,}|\d{2,}")
_FUNCTION = frozenset("的了和与及在是为对把被等之其也有这那个中上下一将")
_COMMON = frozenset(
    [
        "工作",
        "推进",
        "开展",
        "加强",
        "全面",
        "建设",
        "发展",
        "持续",
        "扎实",
        "深入",
        "推动",
        "进一步",
        "不断",
        "积极",
        "有效",
        "我们",
        "他们",
        "一个",
        "举行",
        "召开",
        "活动",
        "实现",
        "坚持",
        "提升",
    ]
)
# A body sharing less than LOW of its headline's bigrams, where the rest of the
# page shares at least HIGH and twice as much, is another story's.
LOW = 0.2
HIGH = 0.4
# A candidate body that shares at least this much is taken over one that does not.
GOOD = 0.4
# The warning an extract stage gives a body that fails `belongs`; the pipeline refuses it.
MISMATCH = "body tells another story than the headline"


@cache
def units(title: str) -> frozenset[str]:
    """The headline's content bigrams (and Latin or digit runs)."""
    found: set[str] = set()
    for run in _RUN.findall(title):
        if not "\u4e00" <= run[0] <= "\u9fff":
            found.add(run.lower())
            continue
        for i in range(len(run) - 1):
            pair = run[i : i + 2]
            if pair[0] in _FUNCTION or pair[1] in _FUNCTION or pair in _COMMON:
                continue
            found.add(pair)
    return frozenset(found)


def overlap(title: str | None, text: str) -> float | None:
    """The share of the headline's bigrams found in `text` (None: nothing to compare)."""
    if not title:
        return None
    wanted = units(title)
    if len(wanted) < 2:
        return None
    text = text.lower()
    return sum(1 for unit in wanted if unit in text) / len(wanted)


def belongs(title: str | None, body: str, elsewhere: str) -> bool:
    """False when the body shares little with the headline and the rest of the page much more."""
    mine = overlap(title, body)
    if mine is None or mine >= LOW:
        return True
    theirs = overlap(title, elsewhere) or 0.0
    return not (theirs >= HIGH and theirs >= 2 * mine)
