"""Citations of every article: a GB/T 7714-2015 reference string, a BibTeX and a RIS file.

A researcher quoting an archived report needs a reference in the national
standard's form and a file for a reference manager, so each article gets

* `article.citation_gbt`: the GB/T 7714-2015 reference of an electronic
  resource (4.6: 主要责任者. 题名[EB/OL]. 出版者, 出版年(更新或修改日期)[引用日期].
  获取和访问路径.);
* `output/articles/<slug>.bib` (biblatex @online, written with bibtexparser)
  and `output/articles/<slug>.ris` (TY  - ELEC), with their site-relative
  addresses in `article.citation_bib_url` and `article.citation_ris_url`.

How the standard's rules meet the archive's gaps:

* no author: 8.1.3 lets a numbered reference list omit 主要责任者 and begin
  with the title (the form used here; 佚名 is for author-year lists);
* the site is the 出版者; its publication day stands where the year goes, in
  YYYY-MM-DD as the standard writes newspapers' days; without a site the day
  is the bracketed (更新或修改日期) of the standard's own 4.6 examples;
* no date: nothing is invented or estimated, the reference goes straight
  to [引用日期], like the standard's undated OCLC example;
* 引用日期 is the day the archive fetched the page (`retrieved`), in Beijing time;
* a title the archive derived from the first sentence is 自拟的信息 and
  so stands in [] (7).

Attributes are set once every article is read (`all_generators_finalized`,
before the article pages are rendered); the files are written on
`finalized`, after Pelican has cleaned the output folder.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import bibtexparser
from bibtexparser.model import Entry, Field
from pelican import signals

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
_NAME_SEPARATORS = re.compile(r"[\s,，、;；]+")
_LATEX_SPECIAL = re.compile(r"[\\{}#$%&_~^]")
_LATEX_REPLACEMENT = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


@dataclass(frozen=True)
class Reference:
    """What a citation says of one article, whatever the output format."""

    key: str  # the slug: unique, and a valid BibTeX key
    title: str
    title_derived: bool = False
    authors: tuple[str, ...] = ()
    site: str | None = None
    date: str | None = None  # YYYY-MM-DD in Beijing time, None when undated
    accessed: str | None = None  # YYYY-MM-DD the page was fetched
    url: str = ""
    keywords: tuple[str, ...] = ()


# The references of the build under way, written and emptied on finalized.
_files: list[Reference] = []
# In CACHE_PATH, one per output folder: {key: stamp of the reference its files hold}.
STAMPS_FILE = "citations-{folder}.json"


def active(settings: dict[str, Any]) -> bool:
    """Whether this build uses the plugin (signals also reach builds that did not ask for it)."""
    names = (getattr(p, "__name__", p) for p in settings.get("PLUGINS") or ())
    return any(str(name).rsplit(".", 1)[-1] == "citations" for name in names)


def initialize(pelican: Any) -> None:
    if not active(pelican.settings):
        return
    pelican.settings.setdefault("CITATIONS_DIR", "articles")
    _files.clear()


def split_authors(author: str | None) -> tuple[str, ...]:
    """The writers' names: the archive joins them with spaces (scraper.metadata)."""
    if not author:
        return ()
    return tuple(name for name in _NAME_SEPARATORS.split(str(author)) if name)


def day(value: Any) -> str | None:
    """YYYY-MM-DD in Beijing time of an ISO date or datetime (None if it is not one)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(SHANGHAI)
    return moment.strftime("%Y-%m-%d")


def gbt7714(ref: Reference) -> str:
    """The GB/T 7714-2015 reference of an online article ([EB/OL]), as the module says."""
    parts = []
    if ref.authors:
        names = list(ref.authors[:3]) + (["等"] if len(ref.authors) > 3 else [])
        parts.append(", ".join(names) + ". ")
    title = f"[{ref.title}]" if ref.title_derived else ref.title
    parts.append(f"{title}[EB/OL]. ")
    accessed = f"[{ref.accessed}]" if ref.accessed else ""
    if ref.site and ref.date:
        publication = f"{ref.site}, {ref.date}{accessed}"
    elif ref.site:
        publication = f"{ref.site}{accessed}"
    elif ref.date:
        publication = f"({ref.date}){accessed}"
    else:
        publication = accessed
    if publication:
        parts.append(publication + ". ")
    if ref.url:
        parts.append(ref.url + ".")
    return "".join(parts).rstrip()


def latex_escape(text: str) -> str:
    """`text` with the characters TeX gives a meaning printed as themselves."""
    return _LATEX_SPECIAL.sub(lambda m: _LATEX_REPLACEMENT[m.group()], text)


def bibtex(ref: Reference) -> str:
    """A biblatex @online entry; each Chinese name braced so it is never split in two."""
    fields = [Field("title", latex_escape(ref.title))]
    if ref.authors:
        names = " and ".join("{" + latex_escape(name) + "}" for name in ref.authors)
        fields.append(Field("author", names))
    if ref.site:
        fields.append(Field("organization", latex_escape(ref.site)))
    if ref.date:
        fields.append(Field("date", ref.date))
    if ref.accessed:
        fields.append(Field("urldate", ref.accessed))
    if ref.url:
        # url is verbatim in biblatex: only braces would break the entry.
        fields.append(Field("url", ref.url.replace("{", "%7B").replace("}", "%7D")))
    if ref.keywords:
        fields.append(Field("keywords", latex_escape(", ".join(ref.keywords))))
    if ref.title_derived:
        fields.append(Field("note", "标题为本档案据正文首句拟定"))
    fields.append(Field("langid", "chinese"))
    # bibtexparser's writer encloses each value in braces itself.
    library = bibtexparser.Library([Entry("online", ref.key, fields)])
    return bibtexparser.write_string(library)


def _ris_value(text: str) -> str:
    return " ".join(str(text).split())  # one line per tag: no line breaks inside a value


def ris(ref: Reference) -> str:
    """A RIS record (TY  - ELEC … ER  - ), CRLF line ends as the format prescribes."""
    lines = ["TY  - ELEC", f"TI  - {_ris_value(ref.title)}"]
    lines += [f"AU  - {_ris_value(name)}" for name in ref.authors]
    if ref.site:
        lines.append(f"PB  - {_ris_value(ref.site)}")
    if ref.date:
        lines.append(f"PY  - {ref.date[:4]}")
        lines.append(f"DA  - {ref.date.replace('-', '/')}")
    if ref.accessed:
        lines.append(f"Y2  - {ref.accessed.replace('-', '/')}")
    if ref.url:
        lines.append(f"UR  - {ref.url}")
    lines += [f"KW  - {_ris_value(word)}" for word in ref.keywords]
    lines.append("LA  - zh")
    if ref.title_derived:
        lines.append("N1  - 标题为本档案据正文首句拟定")
    lines.append(f"ID  - {ref.key}")
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


def reference_for(article: Any, siteurl: str, practice_names: dict[str, str]) -> Reference:
    """The citation of a Pelican article, from its front matter (not Pelican's defaults)."""
    meta = article.metadata
    # Pelican puts the site's AUTHOR on an article without one, and
    # plugins/archive_reader a placeholder date on an undated one: neither
    # is the article's, so both are read from what the file gave.
    undated = bool(meta.get("undated"))
    page = f"{siteurl.rstrip('/')}/{article.url}" if siteurl else str(article.url)
    tags = [str(tag) for tag in meta.get("tags") or ()]
    return Reference(
        key=str(article.slug),
        title=str(meta.get("title") or article.title),
        title_derived=bool(meta.get("title_derived")),
        authors=split_authors(str(meta["author"]) if meta.get("author") else None),
        site=str(meta["site"]) if meta.get("site") else None,
        date=None if undated else day(meta.get("date")),
        accessed=day(meta.get("retrieved")),
        url=str(meta.get("source_url") or page),
        keywords=tuple(practice_names.get(tag, tag) for tag in tags),
    )


def collect(generators: list[Any]) -> None:
    """Give every article its citation and the addresses of its .bib and .ris."""
    _files.clear()
    if not generators or not active(generators[0].settings):
        return
    settings = generators[0].settings
    folder = settings.get("CITATIONS_DIR", "articles")
    names = settings.get("PRACTICE_NAMES") or {}
    for generator in generators:
        for article in getattr(generator, "articles", []):
            ref = reference_for(article, settings.get("SITEURL") or "", names)
            article.citation_gbt = gbt7714(ref)
            article.citation_bib_url = f"{folder}/{ref.key}.bib"
            article.citation_ris_url = f"{folder}/{ref.key}.ris"
            _files.append(ref)


@functools.cache
def _code_digest() -> str:
    """This module's source: a change to the formatting makes every stamp new."""
    return hashlib.sha1(Path(__file__).read_bytes()).hexdigest()


def stamp(ref: Reference) -> str:
    """Changes when the reference or the code that formats it does."""
    return hashlib.sha1(f"{_code_digest()}\x1f{ref!r}".encode("utf-8", "surrogatepass")).hexdigest()


def load_stamps(path: Path) -> dict[str, str]:
    try:
        stamps = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamps if isinstance(stamps, dict) else {}


def write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file and os.replace: a killed build leaves no half file.

    A file that already holds `data` is left alone (a rebuild rewrites only
    the citations that changed, and keeps their dates for the web server).
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(name, 0o644)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def write(pelican: Any) -> None:
    """Write the .bib and .ris files of the build, then forget them."""
    files = list(_files)
    _files.clear()
    if not active(pelican.settings):
        return
    settings = pelican.settings
    out_dir = Path(pelican.output_path) / settings.get("CITATIONS_DIR", "articles")
    # Formatting 10,000 references costs seconds a build: a reference whose
    # stamp is the one its files were written for, with both files there, is skipped.
    folder = hashlib.sha1(str(out_dir.resolve()).encode()).hexdigest()[:12]
    stamps_path = Path(settings.get("CACHE_PATH") or "cache") / STAMPS_FILE.format(folder=folder)
    old, new = load_stamps(stamps_path), {}
    written = 0
    for ref in files:
        new[ref.key] = stamp(ref)
        bib_path, ris_path = out_dir / f"{ref.key}.bib", out_dir / f"{ref.key}.ris"
        if old.get(ref.key) == new[ref.key] and bib_path.is_file() and ris_path.is_file():
            continue
        write_atomically(bib_path, bibtex(ref).encode("utf-8"))
        # RIS readers take UTF-8 without a BOM best (Zotero, EndNote X9+).
        write_atomically(ris_path, ris(ref).encode("utf-8"))
        written += 1
    try:
        stamps_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(stamps_path, json.dumps(new, separators=(",", ":")).encode())
    except OSError as exc:
        log.warning("citations: stamps not saved to %s: %s", stamps_path, exc)
    log.info("citations: %d of %d articles written in %s", written, len(files), out_dir)


def register() -> None:
    signals.initialized.connect(initialize)
    signals.all_generators_finalized.connect(collect)
    signals.finalized.connect(write)
