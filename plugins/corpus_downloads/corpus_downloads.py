"""Write the whole archive as two downloads, output/downloads/archive.csv and archive.jsonl.

Researchers analyse the corpus in Excel, R or pandas, not article by
article, so every build exports every published article, in the canonical
order of the search interfaces (newest first, undated last, then slug;
archive_search.documents.canonical_key):

* archive.csv: UTF-8 with a byte-order mark (Excel reads BOM-less UTF-8 as
  the local code page and garbles Chinese), tags joined by ";";
* archive.jsonl: one JSON object a line with the same fields, tags as a
  list, plus the evidence sentences of each tag and the other addresses
  (`also_at`) where the article appeared.

An undated article's placeholder date (plugins/archive_reader) is never
exported: its date is empty (null in JSON).

The theme's downloads.html page shows the files' sizes, so the files are
written before Pelican renders the pages: into temporary files beside their
final names once every article is read (`all_generators_finalized`, after
Pelican has cleaned the output folder), and moved into place with
os.replace on `finalized`.  A killed build leaves at most a temporary file,
never a half-written archive.csv.

The records are not held in memory while they are sorted: each is written
to a spool file as its JSON line as soon as it is made, and only its sort
key and place in the spool are kept (at 100,000 articles the records held
whole were about 500 MB of the build, a twentieth of which is left).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from pelican import signals

from archive_search.documents import Doc, canonical_key, published_docs

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")

# (column, what the downloads page says it holds): one list for the CSV
# header, the JSON keys and the page's field table, so they cannot drift apart.
FIELDS: tuple[tuple[str, str], ...] = (
    ("slug", "文章在本站的唯一标识，也是页面文件名"),
    ("title", "标题"),
    ("title_derived", "标题是否由本站据正文首句拟定（原网页无标题时）"),
    ("date", "发布日期，ISO 8601，北京时间；日期不详时为空"),
    ("date_partial", "原网页只给出部分日期时的原文，如 09-03"),
    ("site", "发布网站"),
    ("province", "文章所涉省份"),
    ("city", "文章所涉地市"),
    ("county", "文章所涉区县"),
    ("author", "作者，多人以空格分隔"),
    ("source", "原网页“来源”栏"),
    ("tags", "实践标签（CSV 中以 ; 分隔，JSONL 中为列表）"),
    ("primary_tag", "主要实践"),
    ("source_url", "原文网址"),
    ("retrieved", "本站抓取原网页的时间"),
    ("url", "本站文章页面网址"),
    ("text", "正文纯文本，段落以换行分隔"),
)
JSONL_EXTRA: tuple[tuple[str, str], ...] = (
    ("evidence", "各实践标签的依据句（仅 JSONL）：{标签: [句子]}"),
    ("also_at", "同一文章出现过的其他网址（仅 JSONL）"),
)
COLUMNS = tuple(name for name, _ in FIELDS)


@dataclass
class _Pending:
    """A download written to a temporary file, waiting to be moved into place."""

    temp: Path
    final: Path


class _Spool:
    """Records written as JSON lines to `file` (a temporary one), read back in key order."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file
        # (sort key, offset, length) of each record's line
        self._places: list[tuple[Any, int, int]] = []
        self.undated = 0

    def add(self, key: Any, row: dict[str, Any]) -> None:
        line = json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        self._places.append((key, self._file.tell(), len(line)))
        self._file.write(line)
        self.undated += row["date"] is None

    def __len__(self) -> int:
        return len(self._places)

    def lines(self) -> Iterator[bytes]:
        """Each record's JSON line (newline included), in key order."""
        self._places.sort(key=lambda place: place[0])
        self._file.flush()
        for _, offset, length in self._places:
            self._file.seek(offset)
            yield self._file.read(length)
        self._file.seek(0, os.SEEK_END)

    def rows(self) -> Iterator[dict[str, Any]]:
        return (json.loads(line) for line in self.lines())


# The temporary files of the build under way, published on finalized.
_pending: list[_Pending] = []


def active(settings: dict[str, Any]) -> bool:
    """Whether this build uses the plugin (signals also reach builds that did not ask for it)."""
    names = (getattr(p, "__name__", p) for p in settings.get("PLUGINS") or ())
    return any(str(name).rsplit(".", 1)[-1] == "corpus_downloads" for name in names)


def initialize(pelican: Any) -> None:
    settings = pelican.settings
    if not active(settings):
        return
    settings.setdefault("CORPUS_DOWNLOADS_DIR", "downloads")
    templates = list(settings.get("DIRECT_TEMPLATES", []))
    if "downloads" not in templates:
        templates.append("downloads")
    settings["DIRECT_TEMPLATES"] = templates
    _pending.clear()


def _text(value: Any) -> str | None:
    """A metadata value as plain text (Pelican gives authors as objects), None if empty."""
    if value is None or value == "":
        return None
    return str(value)


def row_for(doc: Doc, metadata: dict[str, Any], page_url: str) -> dict[str, Any]:
    """One article's exported record, JSON types (CSV flattens it with `csv_row`)."""
    also_at = metadata.get("also_at") or []
    evidence = metadata.get("evidence") or {}
    return {
        "slug": doc.slug,
        "title": doc.title,
        "title_derived": doc.title_derived,
        "date": doc.date,
        "date_partial": _text(metadata.get("date_partial")),
        "site": doc.site,
        "province": doc.province,
        "city": doc.city,
        "county": doc.county,
        # Pelican fills `author` with the site's AUTHOR when the article has
        # none; only the front matter's own value is the article's author.
        "author": _text(metadata.get("author")),
        "source": _text(metadata.get("source")),
        "tags": list(doc.tags),
        "primary_tag": doc.primary_tag,
        "source_url": doc.source_url,
        "retrieved": _text(metadata.get("retrieved")),
        "url": page_url,
        "text": doc.body,
        "evidence": {str(k): [str(s) for s in v or ()] for k, v in dict(evidence).items()},
        "also_at": [str(u) for u in (also_at if isinstance(also_at, list) else [also_at])],
    }


def csv_row(row: dict[str, Any]) -> list[str]:
    """The CSV cells of a record: empty for missing values, tags joined by ';'."""
    cells = []
    for name in COLUMNS:
        value = row[name]
        if name == "tags":
            cells.append(";".join(value))
        elif isinstance(value, bool):
            cells.append("true" if value else "false")
        else:
            cells.append("" if value is None else str(value))
    return cells


def absolute(siteurl: str, url: str) -> str:
    """The page's address as a reader can follow it (site-relative while SITEURL is empty)."""
    return f"{siteurl.rstrip('/')}/{url}" if siteurl else url


def collect(generators: list[Any]) -> None:
    """Make every published article's record and write both files (`stage`)."""
    if not generators or not active(generators[0].settings):
        return
    siteurl = generators[0].settings.get("SITEURL") or ""
    with tempfile.TemporaryFile() as file:
        spool = _Spool(file)
        # Read without being remembered: the search plugins, when the build
        # has them, have read (and remembered) the same documents already.
        for article, doc in published_docs(generators, "corpus_downloads", keep=False):
            doc = replace(doc, url=absolute(siteurl, str(article.url)))
            spool.add(canonical_key(doc), row_for(doc, article.metadata, doc.url))
        stage(generators[0], spool)


def _temp_beside(final: Path) -> tuple[IO[bytes], Path]:
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    return os.fdopen(fd, "wb"), Path(name)


def write_csv(rows: Iterable[dict[str, Any]], out: IO[bytes]) -> None:
    """`rows` as UTF-8 CSV with a BOM (what Excel needs to read Chinese), CRLF lines."""
    out.write("\ufeff".encode())
    text = _Utf8(out)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(csv_row(row))


def write_jsonl(lines: Iterable[bytes], out: IO[bytes]) -> None:
    """Records already encoded as JSON lines (`_Spool`: Chinese kept readable)."""
    out.writelines(lines)


class _Utf8:
    """The file-like `write(str)` csv.writer needs, over a binary file."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, text: str) -> int:
        return self.out.write(text.encode("utf-8"))


def human_size(size: int) -> str:
    """A size as the page shows it: 字节 below 1 KB, then KB / MB with one decimal."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def stage(generator: Any, spool: _Spool) -> None:
    """Write both files to temporary names and tell the downloads page what they hold."""
    settings = generator.settings
    out_dir = Path(generator.output_path) / settings.get("CORPUS_DOWNLOADS_DIR", "downloads")
    rel_dir = settings.get("CORPUS_DOWNLOADS_DIR", "downloads")
    files = []
    for name, write, label in (
        ("archive.csv", lambda out: write_csv(spool.rows(), out),
         "CSV（UTF-8，带 BOM，可直接用 Excel 打开）"),
        ("archive.jsonl", lambda out: write_jsonl(spool.lines(), out),
         "JSON Lines（每行一个 JSON 对象）"),
    ):  # fmt: skip
        final = out_dir / name
        handle, temp = _temp_beside(final)
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)  # mkstemp makes it private; a web server must read it
        _pending.append(_Pending(temp, final))
        size = temp.stat().st_size
        files.append(
            {
                "name": name,
                "url": f"{rel_dir}/{name}",
                "format": label,
                "size": size,
                "size_text": human_size(size),
            }
        )
    built = datetime.now(SHANGHAI)
    generator.context["DOWNLOADS"] = {
        "files": files,
        "count": len(spool),
        "undated": spool.undated,
        "built": f"{built.year}年{built.month}月{built.day}日 {built:%H:%M}",
        "built_iso": built.isoformat(timespec="seconds"),
        "fields": [{"name": n, "description": d} for n, d in FIELDS],
        "jsonl_fields": [{"name": n, "description": d} for n, d in JSONL_EXTRA],
    }


def publish(pelican: Any) -> None:
    """Move the staged files into place (atomic on one file system), then forget the build."""
    pending = list(_pending)
    _pending.clear()
    if not active(pelican.settings):
        for item in pending:
            item.temp.unlink(missing_ok=True)
        return
    for item in pending:
        os.replace(item.temp, item.final)
    if pending:
        log.info("corpus_downloads: written to %s", pending[0].final.parent)


def register() -> None:
    signals.initialized.connect(initialize)
    signals.all_generators_finalized.connect(collect)
    signals.finalized.connect(publish)
