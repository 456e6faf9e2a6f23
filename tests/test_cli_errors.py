"""`python -m scraper extract` on bad input, and the shape of its two machine formats.

Bad input must never cost the user a traceback: one line on stderr that names
the input and says what is wrong, a non-zero exit, and the other inputs of
the same call still extracted and printed.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml
from conftest import SEEDS, needs_seeds, run_cli

CONTRACT_KEYS = {
    "title", "date", "date_partial", "author", "site", "source", "url", "province", "city",
    "county", "keywords", "summary", "tags", "primary_tag", "tag_scores", "evidence", "body",
    "warnings",
}  # fmt: skip
GOOD = SEEDS / "000_ebea5dd2f044d068.txt"
OTHER_GOOD = SEEDS / "002_fa47316428ee5cb9.txt"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def _random_with_nuls() -> bytes:
    rng = random.Random(20240601)
    data = bytearray(rng.randbytes(4000))
    data[::37] = b"\x00" * len(data[::37])
    return bytes(data)


# Bytes valid in none of UTF-8, GB18030 and Big5 (0x80 and 0xFF lead no character there).
NOT_CHINESE_TEXT = bytes(range(0x80, 0x100)) * 20

BAD_FILES = {
    "empty": b"",
    "blank": b" \n\t\r\n  \n",
    "png": PNG + bytes(200),
    "random_with_nuls": _random_with_nuls(),
    "unknown_encoding": NOT_CHINESE_TEXT,
}


def assert_clean_error(run, name: str) -> None:
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert name in run.stderr, run.stderr
    assert run.stderr.strip(), "no message"
    for line in run.stderr.strip().splitlines():
        assert line.startswith("error:"), line


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_file_gives_named_error(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.html"
    path.write_bytes(BAD_FILES[kind])
    run = run_cli("extract", str(path), "--json")
    assert_clean_error(run, str(path))
    assert run.stdout == ""


def test_directory_gives_named_error(tmp_path: Path) -> None:
    run = run_cli("extract", str(tmp_path))
    assert_clean_error(run, str(tmp_path))
    assert "directory" in run.stderr


def test_missing_file_gives_named_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-page.html"
    run = run_cli("extract", str(missing), "--json")
    assert_clean_error(run, str(missing))


def test_unreachable_url_gives_named_error() -> None:
    url = "http://127.0.0.1:9/article.html"  # the discard port: refused at once, no internet
    run = run_cli("extract", url, "--json", timeout=60)
    assert_clean_error(run, url)


def test_page_in_unsupported_encoding_is_an_error(tmp_path: Path) -> None:
    page = '<html><head><meta charset="x-ebcdic"></head><body><p>Hello</p></body></html>'
    path = tmp_path / "ebcdic.html"
    path.write_bytes(page.encode("cp500"))
    run = run_cli("extract", str(path), "--json")
    assert_clean_error(run, str(path))


def test_unknown_declared_charset_on_gbk_page_still_reads(tmp_path: Path) -> None:
    text = "县委组织部扎实推进基层党组织建设，全面提升组织力。" * 5
    page = f'<html><head><meta charset="x-klingon"><title>测试</title></head><body><p>{text}</p>'
    path = tmp_path / "klingon.html"
    path.write_bytes(page.encode("gb18030"))
    run = run_cli("extract", str(path), "--json")
    assert run.returncode == 0, run.stderr
    assert "县委组织部扎实推进基层党组织建设" in json.loads(run.stdout)["body"]


@needs_seeds
def test_good_inputs_are_printed_around_bad_ones(tmp_path: Path) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(PNG)
    missing = tmp_path / "gone.txt"
    run = run_cli("extract", str(GOOD), str(bad), str(missing), str(OTHER_GOOD), "--json")
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert str(bad) in run.stderr and str(missing) in run.stderr
    assert str(GOOD) not in run.stderr
    articles = [json.loads(line) for line in run.stdout.splitlines()]
    assert [a["county"] for a in articles] == ["红安县", "崇阳县"]


@needs_seeds
def test_json_is_one_object_per_input_per_line_with_the_contract_keys() -> None:
    run = run_cli("extract", str(GOOD), str(OTHER_GOOD), "--json")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        article = json.loads(line)
        assert isinstance(article, dict)
        assert set(article) == CONTRACT_KEYS
        assert isinstance(article["body"], str) and article["body"]
        assert isinstance(article["warnings"], list)
        assert isinstance(article["tag_scores"], dict)


@needs_seeds
def test_markdown_is_front_matter_then_body() -> None:
    run = run_cli("extract", str(GOOD), "--markdown")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert out.startswith("---\n")
    header, sep, body = out[4:].partition("\n---\n")
    assert sep, "front matter is not closed"
    front = yaml.safe_load(header)
    assert isinstance(front, dict)
    assert front["title"].startswith("夯实基层组织基石")
    assert str(front["date"]).startswith("2021-01-28T14:22")
    assert "body" not in front
    assert body.lstrip().startswith("基层是党的执政之基、力量之源。")


def test_help_works_for_newcomers() -> None:
    run = run_cli("extract", "--help")
    assert run.returncode == 0
    assert "--json" in run.stdout and "--markdown" in run.stdout


@needs_seeds
def test_url_option_with_several_inputs_is_a_usage_error() -> None:
    run = run_cli("extract", str(GOOD), str(OTHER_GOOD), "--url", "http://example.invalid/a")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert run.stdout == ""


def test_no_inputs_is_a_usage_error() -> None:
    run = run_cli("extract")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
