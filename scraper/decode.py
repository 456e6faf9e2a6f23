"""The decode stage: a page's bytes to text, whatever its declared charset claims.

County sites declare gb2312 and serve GBK, declare UTF-8 and serve GBK, or
declare nothing.  Valid UTF-8 is almost never an accident, so it is tried
first; then the declared charset (GB2312/GBK widened to GB18030, Big5 to
Big5-HKSCS, the supersets sites really use); then the usual Chinese
charsets; then charset-normalizer's guess.  Bytes that are not text at all
are refused with an error naming the input.

A page assembled from parts in two encodings (a UTF-8 template around a
GBK paragraph pasted from an old system) is read piece by piece, each
piece between two tags as UTF-8 if it is, else as GB18030, and says so.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes

from scraper.errors import PageError
from scraper.models import RawPage

_WIDER = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
    "cp936": "gb18030", "big5": "big5hkscs", "x-big5": "big5hkscs", "cp950": "big5hkscs",
    "iso-8859-1": "cp1252", "latin-1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8",
}  # fmt: skip
# What Chinese sites really use; a guess outside these is no guess at all.
_CHINESE = ("utf_8", "gb18030", "big5hkscs")
_MAGIC = {
    b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image", b"PK\x03\x04": "a ZIP archive (or Office document)",
    b"\xd0\xcf\x11\xe0": "an old Office document", b"\x1f\x8b": "gzip-compressed data",
}  # fmt: skip
_HTML = re.compile(rb"<\s*(html|head|body|div|p|table|meta|title|!doctype)\b", re.I)


# How the decode stage's warnings begin: what a crawl report repeats for the page.
READING_WARNINGS = (
    "declared charset", "encoding detected", "mixed encodings", "the page ends inside",
    "elements nested deeper",  # scraper.extract_html: a tree too deep for the parser
)  # fmt: skip


def reading_warnings(warnings: list[str]) -> list[str]:
    """The warnings about how a page's bytes were read (not about its content)."""
    return [w for w in warnings if w.startswith(READING_WARNINGS)]


class DecodeError(PageError):
    """The input is not text that can be read as an article."""


@dataclass
class Decoded:
    text: str
    encoding: str
    is_html: bool
    warnings: list[str] = field(default_factory=list)


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    try:
        name = codecs.lookup(_WIDER.get(name, name)).name
    except LookupError:
        return None
    return _WIDER.get(name, name)


def _declared(raw: RawPage) -> str | None:
    if raw.content_type:
        match = re.search(r"charset=[\"']?([\w-]+)", raw.content_type, re.I)
        if match:
            return _canonical(match.group(1))
    found = EncodingDetector.find_declared_encoding(raw.content[:4096], is_html=True)
    return _canonical(found)


def _refuse_binary(raw: RawPage) -> None:
    head = raw.content[:4096]
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise DecodeError(f"{raw.location}: not a text page but {what}")
    if head.count(b"\x00") > len(head) // 100:
        raise DecodeError(f"{raw.location}: binary content (NUL bytes), not a text page")


_PIECES = re.compile(rb"(?<=[>\n])")
_HAN = re.compile("[\u4e00-\u9fff]")
MIXED_MIN_CHINESE = 4  # Chinese characters in UTF-8 pieces before a page counts as mixed
_NON_ASCII = re.compile(rb"[\x80-\xff]")


def _mixed(raw: RawPage) -> Decoded | None:
    """The page read as UTF-8 where it is and GB18030 elsewhere, if it holds both.

    Only when UTF-8 Chinese text and pieces that are not UTF-8 are both
    there: GB18030 accepts almost any bytes, so a page with no UTF-8 text
    at all is left to the detector.
    """
    pieces = _PIECES.split(raw.content)
    texts: list[str] = []
    utf8 = foreign = chinese = 0
    for piece in pieces:
        try:
            text = piece.decode("utf-8")
            texts.append(text)
            if _NON_ASCII.search(piece):
                utf8 += 1
                # GBK bytes are valid UTF-8 now and then, but not as Chinese text
                chinese += len(_HAN.findall(text))
        except UnicodeDecodeError:
            try:
                texts.append(piece.decode("gb18030"))
            except UnicodeDecodeError:
                return None
            foreign += 1
    if chinese < MIXED_MIN_CHINESE or not foreign:
        return None
    warning = (f"mixed encodings: {foreign} of {utf8 + foreign} pieces of non-ASCII text "
               "are not UTF-8 and were read as GB18030")  # fmt: skip
    return Decoded("".join(texts), "utf-8", bool(_HTML.search(raw.content[:4096])), [warning])


def decode(raw: RawPage) -> Decoded:
    """Decode `raw` to text, naming it in any error."""
    if not raw.content.strip():
        raise DecodeError(f"{raw.location}: empty input")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16")):
        if raw.content.startswith(bom):
            text = raw.content.decode(encoding, errors="replace").lstrip("\ufeff")
            return Decoded(text, encoding, bool(_HTML.search(raw.content[:4096])))
    if raw.content[:2] == codecs.BOM_UTF16_BE:
        text = raw.content.decode("utf-16", errors="replace")
        return Decoded(text, "utf-16", "<" in text[:200])
    _refuse_binary(raw)
    is_html = bool(_HTML.search(raw.content[:4096]))
    declared = _declared(raw) if is_html or raw.content_type else None
    for encoding in dict.fromkeys(e for e in ("utf-8", declared) if e):
        warnings = []
        try:
            text = raw.content.decode(encoding)
        except LookupError:
            continue
        except UnicodeDecodeError as exc:
            # A page cut short (a dropped connection, a full disk on the site)
            # ends inside a character: the rest is still this encoding.
            if exc.end != len(raw.content) or exc.start < len(raw.content) - 4:
                continue
            text = raw.content.decode(encoding, errors="replace")
            warnings.append(f"the page ends inside a character ({encoding}): cut short?")
        if declared and encoding != declared:
            warnings.append(f"declared charset {declared} is wrong; the page is {encoding}")
        return Decoded(text, encoding, is_html, warnings)
    mixed = _mixed(raw)
    if mixed is not None:
        return mixed
    # GB18030 accepts almost any bytes, so it is not tried blindly: the
    # detector must find the text coherent in one of the Chinese charsets.
    best = from_bytes(raw.content, cp_isolation=list(_CHINESE)).best()
    if best is None or best.encoding is None:
        raise DecodeError(f"{raw.location}: unknown text encoding (not UTF-8, GB18030 or Big5)")
    encoding = codecs.lookup(best.encoding).name
    text = raw.content.decode(encoding, errors="replace")
    claim = f"declared charset {declared} is wrong; " if declared else ""
    return Decoded(text, encoding, is_html, [f"{claim}encoding detected as {encoding}"])
