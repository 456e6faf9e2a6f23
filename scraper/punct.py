"""Repairs of what sites and their script converters broke in running text.

Three defects, each undone without touching legitimate text:

* pinyin injected after characters by a traditional-script converter
  ("發(fā)布"): removed only when the bracket holds one tone-marked pinyin
  syllable directly after a Han character, so "(社区)" or "(记者 田城)" stay;
* Chinese punctuation flattened to ASCII (",", ":", "(" …): restored to the
  full-width forms in Chinese running text, while numbers (3,570), times
  (14:22), URLs and Latin text keep theirs;
* mangled characters ("?!?" where "。”" was, U+FFFD): removed and reported,
  never guessed back.
"""

from __future__ import annotations

import re
import unicodedata

from scraper.chars import CJK

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_INITIALS = "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINALS = (
    "(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|er|in|un|ün|ia|ie|iu|"
    "ua|uo|ui|üe|ue|ve|a|o|e|i|u|ü|v|n|ng|m)"
)
_SYLLABLE = re.compile(f"^{_INITIALS}{_FINALS}$")
# A Han character followed by a bracketed lowercase Latin word with a tone mark.
_PINYIN_CANDIDATE = re.compile(f"(?<=[{CJK}])[(（]([a-z{_TONED}ü]{{1,7}})[)）]")


def _strip_tone(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return plain.replace("u\u0308", "ü")


def _is_pinyin(word: str) -> bool:
    if not any(ch in _TONED for ch in word):
        return False
    return bool(_SYLLABLE.match(_strip_tone(word)))


def remove_pinyin(text: str) -> tuple[str, int]:
    """Drop injected pinyin annotations; return the text and how many were removed."""
    removed = 0

    def drop(match: re.Match[str]) -> str:
        nonlocal removed
        if _is_pinyin(match.group(1)):
            removed += 1
            return ""
        return match.group(0)

    return _PINYIN_CANDIDATE.sub(drop, text), removed


# Characters that make the surroundings "Chinese running text".
_HAN = f"[{CJK}]"
_CN_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】「」『』…—"
_CN = f"[{CJK}{_CN_PUNCT}]"

_COMMA = re.compile(f"(?<={_CN}), *|, *(?={_HAN}|[“‘《（【])")
_COLON = re.compile(f"(?<={_CN}):(?!//)|(?<![0-9]):(?= *(?:{_HAN}|[“‘《（【]))")
_SEMICOLON = re.compile(f"(?<={_CN}); *|; *(?={_HAN})")
_EXCLAIM = re.compile(f"(?<={_CN})! *")
_QUESTION = re.compile(f"(?<={_CN})\\?(?![?!]) *")
_DOT_END = re.compile(f"(?<={_HAN})\\.(?= *$|{_HAN}|[“”])", re.MULTILINE)
_PARENS = re.compile(r"\(([^()\n]{0,80})\)")


def _paren(match: re.Match[str], text: str) -> str:
    inner = match.group(1)
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    chinese = re.search(_HAN, inner) or re.match(_CN, before) or re.match(_CN, after)
    return f"（{inner}）" if chinese else match.group(0)


def _quotes(text: str) -> str:
    """Pair straight double quotes that enclose Chinese into “ ”."""

    def swap(match: re.Match[str]) -> str:
        return f"“{match.group(1)}”"

    return re.sub(f'"([^"\\n]*{_HAN}[^"\\n]*)"', swap, text)


def restore_punctuation(text: str) -> str:
    """Turn ASCII punctuation in Chinese running text back into full-width forms."""
    text = _PARENS.sub(lambda m: _paren(m, text), text) if "(" in text else text
    text = _quotes(text) if '"' in text else text
    text = _COMMA.sub("，", text)
    text = _COLON.sub("：", text)
    text = _SEMICOLON.sub("；", text)
    text = _EXCLAIM.sub("！", text)
    text = _QUESTION.sub("？", text)
    text = _DOT_END.sub("。", text)
    return text


# A run of "?" mixed with "!" or another "?" (what "。”" becomes in a bad
# re-encoding), the replacement character, or "?" standing where "©" was.
_MANGLED = re.compile(r"\?[?!]+\??|\ufffd+|(?<=Copyright )\?")
_TAG_FRAGMENT = re.compile(r"</?[a-zA-Z]{1,10}\s*/?>|(?<![a-zA-Z0-9])/(?:p|div|span|br|td|tr)>")


def remove_mangled(text: str) -> tuple[str, list[str]]:
    """Cut mangled characters and stray tag fragments; describe each cut mangle.

    The description quotes the neighbourhood so an editor can find and repair
    the place by hand; the text itself is never guessed.
    """
    found: list[str] = []

    def cut(match: re.Match[str]) -> str:
        start = max(0, match.start() - 12)
        found.append(
            f"mangled characters {match.group(0)!r} removed after “{text[start : match.start()]}”"
        )
        return ""

    cut_text = _TAG_FRAGMENT.sub("", _MANGLED.sub(cut, text))
    if cut_text != text:  # a cut leaves the spaces around it: one is enough, none at the ends
        cut_text = re.sub(r"[ \t]{2,}", " ", cut_text).strip()
    return cut_text, found
