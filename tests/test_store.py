"""Storing articles in content/: every outcome, atomicity, and never losing an editor's work."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from scraper import store
from scraper.markdown_out import to_markdown
from scraper.models import Article
from scraper.store import (
    WriteOutcome,
    atomic_write,
    is_generated_untouched,
    merge_also_at,
    read_front_matter,
    write_article,
)

BODY = "基层是党的执政之基、力量之源。\n\n## 一、加强村干部队伍建设\n\n*图为红安县七里坪镇党员大会*"


def _article(
    title: str = "夯实基层组织基石 铲除黑恶滋生土壤",
    body: str = BODY,
    extra: dict[str, object] | None = None,
) -> str:
    return to_markdown(
        Article(
            title=title,
            date="2021-01-28T14:22:00+08:00",
            date_partial=None,
            author="李文",
            site="红安网",
            source=None,
            url="http://www.hongan.gov.cn/news/1.html",
            province="湖北省",
            city="黄冈市",
            county="红安县",
            keywords=["基层党建"],
            summary=None,
            tags=["软弱涣散整顿"],
            primary_tag="软弱涣散整顿",
            tag_scores={"软弱涣散整顿": 2.5},
            evidence={"软弱涣散整顿": ["持续推进软弱涣散基层党组织整顿。"]},
            body=body,
            warnings=[],
        ),
        extra,
    )


def test_new_file_is_stamped(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    text = _article()
    assert write_article(path, text) is WriteOutcome.NEW
    stored = path.read_text(encoding="utf-8")
    front = read_front_matter(path)
    assert front["title"] == "夯实基层组织基石 铲除黑恶滋生土壤"
    assert front["county"] == "红安县"
    # The documented canonical form: the file without its stamp line is the generated text.
    lines = stored.splitlines(keepends=True)
    stamp_line = next(line for line in lines if line.startswith("generated_sha256: "))
    canonical = "".join(line for line in lines if line is not stamp_line)
    assert canonical == text
    assert front["generated_sha256"] == hashlib.sha256(text.encode()).hexdigest()
    # It is the last line of the front matter.
    assert stored.split("\n---\n", 1)[0].splitlines()[-1] == stamp_line.rstrip("\n")
    assert is_generated_untouched(path)


def test_chinese_text_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "红安县-基层党建.md"
    write_article(path, _article())
    stored = path.read_text(encoding="utf-8")
    assert "夯实基层组织基石" in stored  # stored as characters, not \u escapes
    assert BODY in stored
    assert read_front_matter(path)["evidence"] == {
        "软弱涣散整顿": ["持续推进软弱涣散基层党组织整顿。"]
    }


def test_same_text_is_unchanged_and_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    write_article(path, _article())
    past = time.time() - 1000
    os.utime(path, (past, past))
    assert write_article(path, _article()) is WriteOutcome.UNCHANGED
    assert path.stat().st_mtime == pytest.approx(past)


def test_new_generated_text_updates(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    write_article(path, _article())
    new = _article(body=BODY + "\n\n新增一段。")
    assert write_article(path, new) is WriteOutcome.UPDATED
    assert "新增一段。" in path.read_text(encoding="utf-8")
    assert is_generated_untouched(path)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("力量之源。", "力量之源!"),  # one character of the body
        ("title: 夯实基层组织基石 铲除黑恶滋生土壤", "title: 夯实基层组织基石"),  # fixing the title
        ("author: 李文", "author: 李 文"),
        ("tags:\n- 软弱涣散整顿", "tags:\n- 村级集体经济"),
    ],
)
def test_editor_change_is_detected_and_kept(tmp_path: Path, old: str, new: str) -> None:
    path = tmp_path / "a.md"
    write_article(path, _article())
    edited = path.read_text(encoding="utf-8").replace(old, new)
    assert edited != path.read_text(encoding="utf-8")
    path.write_text(edited, encoding="utf-8")
    assert not is_generated_untouched(path)
    assert write_article(path, _article(body="完全不同的新正文。")) is WriteOutcome.EDITED_BY_HAND
    assert path.read_text(encoding="utf-8") == edited


def test_line_ending_change_counts_as_an_edit(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    write_article(path, _article())
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert write_article(path, _article(body="新正文。")) is WriteOutcome.EDITED_BY_HAND
    assert read_front_matter(path)["title"] == "夯实基层组织基石 铲除黑恶滋生土壤"


def test_deleting_the_stamp_line_makes_it_an_editor_file(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    write_article(path, _article())
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    mine = "".join(line for line in lines if not line.startswith("generated_sha256:"))
    path.write_text(mine, encoding="utf-8")
    assert write_article(path, _article(body="新正文。")) is WriteOutcome.EDITOR_FILE
    assert path.read_text(encoding="utf-8") == mine


def test_an_altered_stamp_line_is_an_edit(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    write_article(path, _article())
    path.write_text(
        path.read_text(encoding="utf-8").replace("generated_sha256: ", "generated_sha256: x")
    )
    assert write_article(path, _article(body="新正文。")) is WriteOutcome.EDITED_BY_HAND


def test_editor_written_file_is_never_touched(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    mine = "---\ntitle: 编辑手写的文章\n---\n\n正文。\n"
    path.write_text(mine, encoding="utf-8")
    assert write_article(path, _article()) is WriteOutcome.EDITOR_FILE
    assert merge_also_at(path, ["http://example.cn/x"]) is WriteOutcome.EDITOR_FILE
    assert path.read_text(encoding="utf-8") == mine
    no_front = tmp_path / "b.md"
    no_front.write_text("只有正文。\n", encoding="utf-8")
    assert write_article(no_front, _article()) is WriteOutcome.EDITOR_FILE
    assert read_front_matter(no_front) == {}


def test_malformed_yaml_is_never_overwritten_and_reads_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    broken = "---\ntitle: [未闭合\n  date: : :\n---\n\n正文。\n"
    path.write_text(broken, encoding="utf-8")
    assert read_front_matter(path) == {}
    assert write_article(path, _article()) is WriteOutcome.EDITOR_FILE
    assert path.read_text(encoding="utf-8") == broken
    # An editor breaking the YAML of a generated file: an edit, also left alone.
    generated = tmp_path / "b.md"
    write_article(generated, _article())
    text = generated.read_text(encoding="utf-8").replace("author: 李文", "author: [李文")
    generated.write_text(text, encoding="utf-8")
    assert read_front_matter(generated) == {}
    assert write_article(generated, _article(body="新正文。")) is WriteOutcome.EDITED_BY_HAND
    assert generated.read_text(encoding="utf-8") == text


def test_non_utf8_editor_save_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    write_article(path, _article())
    saved = path.read_text(encoding="utf-8").encode("gb18030")
    path.write_bytes(saved)
    assert write_article(path, _article(body="新正文。")) is WriteOutcome.EDITED_BY_HAND
    assert path.read_bytes() == saved
    assert read_front_matter(path) == {}  # undecodable: the caller warns


def test_crash_between_temp_write_and_replace_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.md"
    write_article(path, _article())
    before = path.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise KeyboardInterrupt("killed before os.replace")

    monkeypatch.setattr(store.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_article(path, _article(body="新正文。"))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_leftover_temp_files_are_ignored_and_cleaned(tmp_path: Path) -> None:
    """A SIGKILL between temp write and replace leaves a dot-file: the next write removes it."""
    path = tmp_path / "a.md"
    write_article(path, _article())
    leftover = tmp_path / ".a.md.k3j2h1.tmp"
    leftover.write_text("half", encoding="utf-8")
    old = time.time() - 3600
    os.utime(leftover, (old, old))
    fresh = tmp_path / ".a.md.zzzzzz.tmp"  # a write in progress elsewhere: not ours to remove
    fresh.write_text("in progress", encoding="utf-8")
    assert is_generated_untouched(path)
    assert write_article(path, _article(body="新正文。")) is WriteOutcome.UPDATED
    assert not leftover.exists()
    assert fresh.exists()
    # Temporary files are dot-files, which Pelican ignores.
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["a.md"]


def test_atomic_write_keeps_mode_and_text(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "x.md"
    atomic_write(path, "甲\r\n乙\n")
    assert path.read_bytes() == "甲\r\n乙\n".encode()
    assert path.stat().st_mode & 0o777 == 0o644
    os.chmod(path, 0o664)
    atomic_write(path, "丙\n")
    assert path.stat().st_mode & 0o777 == 0o664


def test_merge_also_at(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    write_article(path, _article())
    outcome = merge_also_at(
        path, ["http://www.xianning.gov.cn/2.html", "http://www.hongan.gov.cn/news/1.html"]
    )
    assert outcome is WriteOutcome.UPDATED
    front = read_front_matter(path)
    assert front["also_at"] == ["http://www.xianning.gov.cn/2.html"]  # its own url is skipped
    assert front["title"] == "夯实基层组织基石 铲除黑恶滋生土壤"
    assert is_generated_untouched(path)
    assert merge_also_at(path, ["http://www.xianning.gov.cn/2.html"]) is WriteOutcome.UNCHANGED
    assert merge_also_at(path, ["http://a.cn/3"]) is WriteOutcome.UPDATED
    assert read_front_matter(path)["also_at"] == [
        "http://www.xianning.gov.cn/2.html",
        "http://a.cn/3",
    ]


def test_regenerating_keeps_also_at(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    write_article(path, _article())
    merge_also_at(path, ["http://a.cn/3"])
    assert write_article(path, _article()) is WriteOutcome.UNCHANGED
    assert write_article(path, _article(body="新正文。")) is WriteOutcome.UPDATED
    assert read_front_matter(path)["also_at"] == ["http://a.cn/3"]


def test_merge_also_at_leaves_edited_files_alone(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    write_article(path, _article())
    edited = path.read_text(encoding="utf-8").replace("力量之源", "力量源泉")
    path.write_text(edited, encoding="utf-8")
    assert merge_also_at(path, ["http://a.cn/3"]) is WriteOutcome.EDITED_BY_HAND
    assert path.read_text(encoding="utf-8") == edited
    with pytest.raises(FileNotFoundError):
        merge_also_at(tmp_path / "missing.md", ["http://a.cn/3"])


def test_stamp_is_idempotent() -> None:
    text = _article()
    assert store.stamp(store.stamp(text)) == store.stamp(text)
    with pytest.raises(ValueError):
        store.stamp("no front matter\n")


def test_kept_fields_alone_are_no_change(tmp_path: Path) -> None:
    """A re-run that only changes the retrieval time is UNCHANGED, not a rewrite of everything;
    a real change brings the new retrieval time and archive record with it."""
    path = tmp_path / "a.md"
    first = {"retrieved": "2026-11-01T08:00:00+00:00", "archive": "g-1.warc.gz#400"}
    later = {"retrieved": "2026-11-22T08:00:00+00:00", "archive": "g-2.warc.gz#900"}
    write_article(path, _article(extra=first), keep=["retrieved", "archive"])
    assert write_article(path, _article(extra=later)) is WriteOutcome.UPDATED
    write_article(path, _article(extra=first))
    assert write_article(path, _article(extra=later), keep=["retrieved", "archive"]) is (
        WriteOutcome.UNCHANGED
    )
    outcome = write_article(path, _article(body="新正文。", extra=later), keep=["retrieved"])
    assert outcome is WriteOutcome.UPDATED
    front = read_front_matter(path)
    assert front["retrieved"] == later["retrieved"]
    assert front["archive"] == later["archive"]
    assert is_generated_untouched(path)
