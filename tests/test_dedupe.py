"""Near-duplicate detection: reposts found, same-topic articles kept apart, the index a safe cache.

Seed texts are read from shared/ at test time, never copied into the repository.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import PAGES, SEEDS, needs_pages, needs_seeds
from datasketch import MinHash

from scraper.dedupe import MIN_CHARS, Deduper, normalize, shingle_hashes
from scraper.models import RawPage
from scraper.pipeline import extract_article


def _seed_path(number: str) -> Path:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path


def _body(raw: bytes, location: str = "page.txt") -> str:
    return extract_article(RawPage(location=location, content=raw)).body


def _seed_body(number: str) -> str:
    path = _seed_path(number)
    return _body(path.read_bytes(), str(path))


def _repost(number: str) -> str:
    """The seed as another site would carry it: its own nav, headline prefix, dateline and footer."""
    lines = _seed_path(number).read_text(encoding="utf-8").splitlines()
    first_long = next(i for i, line in enumerate(lines) if len(line) > 60)
    lines[first_long] = "本报讯(通讯员 王明 张华)2021年3月5日上午," + lines[first_long]
    reposted = [
        "网站首页 | 时政要闻 | 市县动态 | 理论学习 | 视频新闻",
        "【基层党建】" + lines[1],
        "2021-03-05 09:10:00  来源:黄冈日报  编辑:赵敏",
        "",
        *lines[2:],
        "责任编辑:张三",
        "分享到:微信 微博 QQ空间",
        "版权所有:黄冈日报社 鄂ICP备12345678号",
    ]
    return _body("\n".join(reposted).encode("utf-8"))


@needs_seeds
@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_a_repost_of_a_seed_is_found(number: str) -> None:
    deduper = Deduper()
    for other in ["000", "001", "002", "003", "004"]:
        deduper.add(f"seed-{other}", _seed_body(other))
    repost = _repost(number)
    assert repost != _seed_body(number)
    assert deduper.find(repost) == f"seed-{number}"


@needs_seeds
@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_chrome_the_cleaner_missed_still_matches(number: str) -> None:
    """Reposts whose extra lines survive cleaning: a lead-in, a dateline, footer lines."""
    body = _seed_body(number)
    paragraphs = body.split("\n\n")
    paragraphs[0] = "本报讯(记者 王明 通讯员 李华)3月5日上午," + paragraphs[0]
    reposted = "\n\n".join(
        ["【基层党建】", *paragraphs, "责任编辑:张三", "分享到:微信 微博 QQ空间", "来源:咸宁日报"]
    )
    deduper = Deduper()
    deduper.add("original", body)
    assert deduper.find(reposted) == "original"


@needs_seeds
def test_two_party_building_reports_are_not_duplicates() -> None:
    deduper = Deduper()
    deduper.add("hongan", _seed_body("000"))
    assert deduper.find(_seed_body("002")) is None
    assert deduper.similarity(_seed_body("000"), _seed_body("002")) < 0.1


@needs_seeds
def test_no_seed_matches_another() -> None:
    deduper = Deduper(threshold=0.5)
    for number in ["000", "001", "002", "003", "004"]:
        body = _seed_body(number)
        assert deduper.find(body) is None, number
        deduper.add(number, body)


@needs_pages
def test_a_real_repost_among_the_development_pages_is_found() -> None:
    """thepaper_2 and thepaper_4 are the same article at two URLs; nothing else pairs up."""
    deduper = Deduper()
    found = {}
    for path in sorted(PAGES.glob("*.html")):
        body = _body(path.read_bytes(), str(path))
        match = deduper.find(body)
        if match:
            found[path.stem] = match
        deduper.add(path.stem, body)
    assert found == {"thepaper_4": "thepaper_2"}


def test_short_texts_never_match() -> None:
    deduper = Deduper()
    short = "村党支部召开党员大会。" * 3
    assert len(normalize(short)) < MIN_CHARS
    deduper.add("short", short)
    assert deduper.find(short) is None
    assert "short" in deduper
    assert len(deduper) == 1
    deduper.add("long", short * 3)
    assert deduper.find(short) is None
    assert deduper.find(short * 3) == "long"


def test_punctuation_spacing_and_markup_do_not_matter() -> None:
    text = "基层是党的执政之基、力量之源。自扫黑除恶专项斗争开展以来，红安县组织部门结合自身职能，充分发挥基层党组织作用。"
    other = "## 基层是党的执政之基,力量之源\n\n自扫黑除恶专项斗争开展以来 红安县组织部门结合自身职能*充分发挥基层党组织作用*"
    assert normalize(text) == normalize(other)
    assert normalize("２０２１年ＡＢＣ") == "2021年abc"


def test_replacing_and_removing_a_key() -> None:
    deduper = Deduper()
    body = "红安县持续推进软弱涣散基层党组织整顿，选优配强村党组织书记，" * 4
    deduper.add("a", body)
    deduper.add("a", body)  # re-adding the same key replaces it
    assert len(deduper) == 1
    assert deduper.find(body) == "a"
    deduper.remove("a")
    deduper.remove("a")
    assert deduper.find(body) is None
    assert len(deduper) == 0


@needs_seeds
def test_save_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "dedupe.npz"
    deduper = Deduper(path)
    assert deduper.load_problem  # nothing saved yet: the caller rebuilds
    deduper.add("seed-000", _seed_body("000"))
    deduper.add("seed-002", _seed_body("002"))
    deduper.add("short", "很短。")
    deduper.save()
    loaded = Deduper(path)
    assert loaded.load_problem is None
    assert len(loaded) == 3
    assert "short" in loaded
    assert loaded.find(_repost("000")) == "seed-000"
    assert loaded.find(_repost("002")) == "seed-002"
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a zip file at all", b"PK\x03\x04 truncated zip"],
)
def test_corrupt_index_starts_empty(
    tmp_path: Path, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "dedupe.npz"
    path.write_bytes(damage)
    deduper = Deduper(path)
    assert len(deduper) == 0
    assert deduper.load_problem and "unusable" in deduper.load_problem
    assert "rebuild" in caplog.text
    body = "红安县持续推进软弱涣散基层党组织整顿，选优配强村党组织书记，" * 4
    deduper.rebuild([("a", body), ("b", "短")])
    assert deduper.load_problem is None
    assert deduper.find(body) == "a"
    deduper.save()
    assert len(Deduper(path)) == 2


def test_truncated_index_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "dedupe.npz"
    deduper = Deduper(path)
    deduper.rebuild(
        (f"k{n}", f"第{n}篇文章:村级集体经济发展壮大,合作社带动农户增收。" * 5) for n in range(20)
    )
    deduper.save()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert len(Deduper(path)) == 0


def test_index_made_with_other_settings_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "dedupe.npz"
    deduper = Deduper(path, num_perm=64)
    deduper.add("a", "红安县持续推进软弱涣散基层党组织整顿，选优配强村党组织书记，" * 4)
    deduper.save()
    other = Deduper(path, num_perm=128)
    assert len(other) == 0
    assert other.load_problem
    assert len(Deduper(path, num_perm=64, threshold=0.6)) == 1  # threshold is free to change


def test_save_needs_a_path() -> None:
    with pytest.raises(ValueError):
        Deduper().save()


@needs_seeds
def test_signature_is_datasketch_minhash() -> None:
    """The fast signature is exactly MinHash.update_batch over the same gram hashes."""
    deduper = Deduper()
    for number in ["000", "002", "004"]:
        body = _seed_body(number)
        sketch = MinHash(num_perm=128, scheme="affine32", hashfunc=int)
        sketch.update_batch(shingle_hashes(body).tolist())
        signature = deduper.signature(body)
        assert signature is not None
        assert signature.dtype == sketch.hashvalues.dtype
        assert np.array_equal(signature, sketch.hashvalues)


def test_shingle_hashes_are_stable() -> None:
    """The saved index depends on hashes that do not change between runs or machines."""
    assert shingle_hashes("基层党组织").tolist() == [3262178936]
    assert len(shingle_hashes("基层党组织建设")) == 3


@needs_seeds
def test_a_3000_character_article_is_fast() -> None:
    text = "\n\n".join(_seed_body(n) for n in ["000", "002", "004"])[:3000]
    deduper = Deduper()
    deduper.rebuild((f"k{n}", text[n:] + str(n)) for n in range(0, 2000, 20))
    times = []
    for _ in range(30):
        start = time.perf_counter()
        deduper.find(text)
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.005
