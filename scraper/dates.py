"""Publication dates as Chinese news pages write them, never invented.

A date is returned as ISO 8601 in Asia/Shanghai: with its time when the page
gives one ("2021-01-28T14:22:00+08:00"), the day alone when it does not
("2021-01-28").  What lacks a year ("09.03", "9月3日") is kept as a partial
date ("09-03") and never completed with a guessed year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_SEP = r"\s*[-/.年]\s*"
_FULL = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})" + _SEP + r"(?P<m>\d{1,2})" + _SEP.replace("年", "月")
    + r"(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:\s*T?\s*(?P<H>\d{1,2})\s*[:时]\s*(?P<M>\d{1,2})\s*分?(?:\s*[:]\s*(?P<S>\d{1,2})(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)  # fmt: skip
_PARTIAL = re.compile(
    r"(?<![\d.:-])(?P<m>\d{1,2})\s*(?:[-.]|月)\s*(?P<d>\d{1,2})(?:\s*日)?"
    r"(?:(?![\d.:-])|(?=\s*\d{1,2}:\d{2}))"
)
_LABEL = re.compile(r"(发布时间|发布日期|发表时间|发表日期|更新时间|时间|日期|发布于)\s*[:：]?\s*")


@dataclass(frozen=True)
class FoundDate:
    """A date as found: `iso` when the year is known, else `partial` ("MM-DD")."""

    iso: str | None
    partial: str | None = None


def _valid_day(y: int, m: int, d: int) -> date | None:
    try:
        day = date(y, m, d)
    except ValueError:
        return None
    if not (1990 <= y <= datetime.now(SHANGHAI).year + 1):
        return None
    return day


def _tz(value: str | None) -> timezone | ZoneInfo:
    if not value:
        return SHANGHAI
    if value == "Z":
        return UTC
    sign = 1 if value[0] == "+" else -1
    digits = value[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_full(text: str) -> str | None:
    """The first complete date in `text` as ISO 8601 (Asia/Shanghai), or None."""
    for match in _FULL.finditer(text):
        day = _valid_day(int(match["y"]), int(match["m"]), int(match["d"]))
        if day is None:
            continue
        if match["H"] is None:
            return day.isoformat()
        hour, minute, second = int(match["H"]), int(match["M"]), int(match["S"] or 0)
        if hour > 23 or minute > 59 or second > 59:
            return day.isoformat()
        moment = datetime(
            day.year, day.month, day.day, hour, minute, second, tzinfo=_tz(match["tz"])
        )
        return moment.astimezone(SHANGHAI).isoformat()
    return None


def remove_full_dates(text: str) -> str:
    """`text` with its complete dates cut out (to see what else a line holds)."""
    return _FULL.sub("", text)


def parse_partial(text: str) -> str | None:
    """A month and day without a year ("09.03", "9月3日") as "MM-DD", or None."""
    for match in _PARTIAL.finditer(text):
        m, d = int(match["m"]), int(match["d"])
        if 1 <= m <= 12 and _valid_day(2000, m, d):
            return f"{m:02d}-{d:02d}"
    return None


# A labelled date with a two-digit year, as some platforms print it: "18-03-08 23:16".
_SHORT_YEAR = re.compile(r"^(?P<y>\d{2})-(?P<m>\d{1,2})-(?P<d>\d{2})(?P<rest>\s*\d{1,2}:\d{2}.*)?$")


def find_date(text: str) -> FoundDate | None:
    """The publication date a line states, preferring the value after a 时间/日期 label."""
    label = _LABEL.search(text)
    candidates = [text[label.end() :], text] if label else [text]
    for candidate in candidates:
        iso = parse_full(candidate)
        if iso:
            return FoundDate(iso)
    short = _SHORT_YEAR.match(text[label.end() :].strip()) if label else None
    if short:
        iso = parse_full(f"20{short['y']}-{short['m']}-{short['d']} {short['rest'] or ''}")
        if iso:
            return FoundDate(iso)
    if label:
        partial = parse_partial(text[label.end() :][:12])
        if partial:
            return FoundDate(None, partial)
    return None


# A bare date leading a title: "09.03 标题", "2021-01-28 标题", "[09-03]标题".
_TITLE_DATE = re.compile(
    r"^(?:[\[【(（]\s*(?P<boxed>[\d./年月日-]{3,11})\s*[\]】)）]"
    r"|(?P<bare>(?:(?:19|20)\d{2}[-./年])?\d{1,2}[-./月]\d{1,2}日?)(?=\s|[「【\[（(]))\s*"
)


def split_title_date(title: str) -> tuple[FoundDate | None, str]:
    """Cut a bare date prefix off a title; return it (if any) and the rest."""
    match = _TITLE_DATE.match(title)
    if not match or len(title) - match.end() < 4:
        return None, title
    text = match["boxed"] or match["bare"]
    iso = parse_full(text)
    found = FoundDate(iso) if iso else FoundDate(None, parse_partial(text))
    if found.iso is None and found.partial is None:
        return None, title
    return found, title[match.end() :]
