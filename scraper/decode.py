"""The decode stage: a page's bytes to text, whatever its declared charset claims.

County sites declare gb2312 and serve GBK, declare UTF-8 and serve GBK, or
declare nothing.  Valid UTF-8 is almost never an accident, so it is tried
first; then the declared charset (GB2312/GBK widened to GB18030, Big5 to
Big5-HKSCS, the supersets sites really use); then the usual Chinese
charsets; then charset-normalizer's guess.  Bytes that are not text at all
are refused with an error naming the input.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes

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


class DecodeError(ValueError):
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
        try:
            text = raw.content.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        warnings = []
        if declared and encoding != declared:
            warnings.append(f"declared charset {declared} is wrong; the page is {encoding}")
        return Decoded(text, encoding, is_html, warnings)
    # GB18030 accepts almost any bytes, so it is not tried blindly: the
    # detector must find the text coherent in one of the Chinese charsets.
    best = from_bytes(raw.content, cp_isolation=list(_CHINESE)).best()
    if best is None or best.encoding is None:
        raise DecodeError(f"{raw.location}: unknown text encoding (not UTF-8, GB18030 or Big5)")
    encoding = codecs.lookup(best.encoding).name
    text = raw.content.decode(encoding, errors="replace")
    claim = f"declared charset {declared} is wrong; " if declared else ""
    return Decoded(text, encoding, is_html, [f"{claim}encoding detected as {encoding}"])
