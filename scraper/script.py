"""Traditional to simplified script, with mainland vocabulary.

OpenCC's `tw2s` maps Taiwan-standard characters to mainland ones with its
phrase tables (著力 → 着力, 看著 → 看着), where plain `t2s` keeps 著.  The `tw2sp`
variant also swaps vocabulary (資訊 → 信息), which rewrites what the source
said, so it is not used.  Text that is already simplified is left untouched:
converting it anyway risks changing characters that are correct in both
scripts (乾 in 乾隆, 著 in 著名 are kept by the tables, but a gate is cheaper
than trusting every table entry).
"""

from __future__ import annotations

import re
from functools import cache

import opencc

from scraper.chars import CJK

# How many distinct traditional-only characters make a text "traditional".
_MIN_TRADITIONAL = 2


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("tw2s")


@cache
def _t2s_char() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


_HAN = re.compile(f"[{CJK}]")


def is_traditional(text: str) -> bool:
    """Whether `text` holds enough traditional-only characters to be converted."""
    han = "".join(set(_HAN.findall(text)))
    if not han:
        return False
    converted = _t2s_char().convert(han)
    changed = sum(1 for a, b in zip(han, converted, strict=False) if a != b)
    return changed >= _MIN_TRADITIONAL


def to_simplified(text: str) -> str:
    """Convert `text` to simplified script with mainland vocabulary."""
    return _converter().convert(text)
