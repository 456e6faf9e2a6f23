"""Decoding pages whatever charset they declare."""

import pytest

from scraper.decode import DecodeError, decode
from scraper.models import RawPage

PAGE = "<html><head><meta charset='{cs}'><title>村里开会</title></head><body><p>村里开会了。</p></body></html>"


def raw(content: bytes, content_type: str | None = None) -> RawPage:
    return RawPage(location="page.html", content=content, content_type=content_type)


def test_gbk_page_declared_gb2312():
    decoded = decode(raw(PAGE.format(cs="gb2312").encode("gbk")))
    assert "村里开会了" in decoded.text
    assert decoded.encoding == "gb18030"


def test_gbk_bytes_declared_utf8_are_still_read_with_a_warning():
    decoded = decode(raw(PAGE.format(cs="utf-8").encode("gbk")))
    assert "村里开会了" in decoded.text
    assert decoded.warnings


def test_utf8_bytes_declared_gbk_are_read_as_utf8():
    decoded = decode(raw(PAGE.format(cs="gbk").encode("utf-8")))
    assert "村里开会了" in decoded.text


def test_big5_page():
    decoded = decode(raw(PAGE.format(cs="big5").replace("村里开会", "鄉村開會").encode("big5")))
    assert "鄉村開會" in decoded.text


def test_http_header_charset_is_used():
    decoded = decode(raw("村里开会了。".encode("gb18030"), "text/plain; charset=GBK"))
    assert decoded.text == "村里开会了。"


def test_text_dump_is_not_html():
    assert not decode(raw("标题\n正文，正文。".encode())).is_html


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"\x00" * 50, "binary"),
    ],
)
def test_unreadable_input_is_refused_naming_it(content, message):
    with pytest.raises(DecodeError, match=message) as error:
        decode(raw(content))
    assert "page.html" in str(error.value)


def test_a_page_of_utf8_and_gbk_pieces_is_read_piece_by_piece_and_says_so():
    template = "<html><head><meta charset='utf-8'><title>村里开会</title></head><body>"
    content = (template.encode("utf-8") + "<p>村党支部召开会议。</p>".encode("gbk")
               + "<p>会议由书记主持。</p></body></html>".encode())  # fmt: skip
    decoded = decode(raw(content))
    assert "村里开会" in decoded.text and "村党支部召开会议。" in decoded.text
    assert "会议由书记主持。" in decoded.text and "\ufffd" not in decoded.text
    assert any("mixed encodings" in w and "GB18030" in w for w in decoded.warnings)


def test_a_gbk_page_is_not_taken_for_a_mixed_one():
    # no charset declared: the mixed reading is tried, and refused
    page = PAGE.format(cs="gbk").replace("<meta charset='gbk'>", "")
    content = page.replace("村里开会了。", "支部会议。支持。").encode("gbk")
    decoded = decode(raw(content))
    assert "支部会议。支持。" in decoded.text and not any("mixed" in w for w in decoded.warnings)
