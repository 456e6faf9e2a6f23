"""The field table of government information-disclosure pages (政府信息公开).

Such pages open with 索引号, 发文字号, 发布机构, 成文日期, 标题 … each label
followed by its value, on the same line or the next.  Read as prose the
table leaks into the body and the headline is lost in it ("发布机构" or an
index number taken for the title).  This module finds the table near the top
of a page's lines and gives its fields, so the extract stage can take the
title, date and publisher from it and leave the rest out.  The labels are
data (the [disclosure] section of data/labels.toml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from scraper import labels

_REACH = 60  # lines from the top where the table may stand
_MIN_LABELS = 3
_MAX_VALUE = 120


@dataclass
class Table:
    """The fields found (kind → value, first one wins) and the lines they used."""

    title: str | None = None
    date: str | None = None
    source: str | None = None
    lines: set[int] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)


@cache
def _kinds() -> dict[str, str]:
    return {
        label: kind
        for kind in ("title", "date", "source", "other")
        for label in labels.words("disclosure", kind)
    }


@cache
def _inline() -> re.Pattern[str]:
    """A label followed by a colon, at a line's start or after a space."""
    words = "|".join(re.escape(w) for w in sorted(_kinds(), key=len, reverse=True))
    return re.compile(rf"(?:^|(?<=\s))(?P<label>{words})\s*[:：]\s*")


def _bare_label(line: str) -> str | None:
    """The label when the line is nothing but one (its value on the next line)."""
    text = line.strip().rstrip(":：").strip()
    return text if text in _kinds() else None


def _pairs(line: str) -> list[tuple[str, str]]:
    """The label: value pairs of one line, each value running to the next label."""
    found = list(_inline().finditer(line))
    pairs = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(line)
        pairs.append((match.group("label"), line[match.end() : end].strip()))
    return pairs


_CELL = re.compile(r"\s*[|｜]\s*")


def _cells(lines: list[str]) -> tuple[list[str], list[int]]:
    """The lines, with a line of cells ("索引号 | 1133… | 文号 | …") cut into its cells,
    and for each cell the line it came from."""
    cells: list[str] = []
    owner: list[int] = []
    for number, line in enumerate(lines):
        parts = (
            [p for p in _CELL.split(line) if p.strip()] if "|" in line or "｜" in line else [line]
        )
        cells += parts
        owner += [number] * len(parts)
    return cells, owner


def read_table(lines: list[str]) -> Table | None:
    """The disclosure table among the first lines, or None when there is none.

    Three different labels make a table, and one of them must be a label
    only such tables have (索引号, 发文字号 …: the "other" kind), so an
    ordinary info line ("发布时间：… 来源：…") is never taken for one.
    """
    table = Table()
    values: dict[str, str] = {}
    cells, owner = _cells(lines[:_REACH])
    i = 0
    reach = len(cells)
    while i < reach:
        line = cells[i]
        bare = _bare_label(line)
        if bare:
            table.lines.add(owner[i])
            table.labels.append(bare)
            following = cells[i + 1] if i + 1 < len(cells) else ""
            if (
                following
                and len(following) <= _MAX_VALUE
                and not _bare_label(following)
                and not _pairs(following)
            ):
                values.setdefault(bare, following.strip())
                table.lines.add(owner[i + 1])
                i += 1
        else:
            pairs = _pairs(line)
            if pairs and line.lstrip().startswith(pairs[0][0]):
                table.lines.add(owner[i])
                for label, value in pairs:
                    table.labels.append(label)
                    if value and len(value) <= _MAX_VALUE:
                        values.setdefault(label, value)
        i += 1
    kinds = _kinds()
    distinct = set(table.labels)
    if len(distinct) < _MIN_LABELS or not any(kinds[label] == "other" for label in distinct):
        return None
    for label, value in values.items():
        kind = kinds[label]
        if kind != "other" and getattr(table, kind) is None:
            setattr(table, kind, value)
    return table
