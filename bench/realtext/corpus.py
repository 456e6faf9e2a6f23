"""The real-text corpus: labels in the repository, text in a local copy outside it.

    python bench/realtext/corpus.py status              # what the local copy holds, what is missing
    python bench/realtext/corpus.py select [--limit N]  # found/ → texts/, deduplicated, with ids
    python bench/realtext/corpus.py sheets --size 40    # numbered-line sheets for labellers
    python bench/realtext/corpus.py merge LABELS.json … # labellers' answers → corpus.toml

How the corpus is made, and rebuilt on a new machine, is in README.md beside
this file.  The repository keeps, per excerpt, only its URL, the query that
found it, the SHA-256 of its text, its split and its labels; the text stays in
$REALTEXT (default `realtext/` beside the checkout).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from save_answer import corpus_home  # noqa: E402

CORPUS = HERE / "corpus.toml"
# The split is fixed once, from the URL alone: about 40 % of excerpts are in
# `test`, never looked at while rules are tuned.
TEST_SHARE = 0.4


@dataclass
class Excerpt:
    """One labelled excerpt as corpus.toml records it, and its text when the copy has it."""

    id: str
    url: str
    query: str
    sha256: str
    split: str
    tags: list[str] = field(default_factory=list)
    primary: str | None = None
    title: str | None = None
    author: list[str] = field(default_factory=list)
    lines: dict[str, object] = field(default_factory=dict)
    notes: str = ""
    labelled_by: list[str] = field(default_factory=list)
    text: str | None = None


def split_of(url: str) -> str:
    digest = hashlib.sha1(url.encode("utf-8")).digest()
    return "test" if digest[0] < 256 * TEST_SHARE else "dev"


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_path(excerpt_id: str) -> Path:
    return corpus_home() / "texts" / f"{excerpt_id}.txt"


def load(path: Path = CORPUS, with_text: bool = True) -> list[Excerpt]:
    """The labelled excerpts; each with its text when the local copy holds it unchanged."""
    if not path.is_file():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for raw in data.get("excerpt", []):
        primary = raw.get("primary") or None
        excerpt = Excerpt(
            id=raw["id"],
            url=raw["url"],
            query=raw["query"],
            sha256=raw["sha256"],
            split=raw["split"],
            tags=list(raw.get("tags", [])),
            primary=None if primary == "none" else primary,
            title=raw.get("title") or None,
            author=list(raw.get("author", [])),
            lines=dict(raw.get("lines", {})),
            notes=raw.get("notes", ""),
            labelled_by=list(raw.get("labelled_by", [])),
        )
        if with_text:
            file = text_path(excerpt.id)
            if file.is_file():
                text = file.read_text(encoding="utf-8")
                if text_sha256(text) == excerpt.sha256:
                    excerpt.text = text
        out.append(excerpt)
    return out


def line_numbers(spec: object) -> list[int]:
    """ "3-7,9" or [3, 4] or 5 → the line numbers (1-based) it names."""
    if spec is None or spec == "":
        return []
    if isinstance(spec, int):
        return [spec]
    if isinstance(spec, list):
        return [n for item in spec for n in line_numbers(item)]
    out: list[int] = []
    for part in str(spec).split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


# ---------------------------------------------------------------- select


def _fingerprint(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\W_a-z]", "", text.lower())


def select(limit: int | None) -> None:
    """Copy found/*.json into texts/<id>.txt, one per article (same text at two URLs: one)."""
    home = corpus_home()
    found = sorted((home / "found").glob("*.json"))
    texts = home / "texts"
    texts.mkdir(parents=True, exist_ok=True)
    index = []
    seen: dict[str, str] = {}
    for file in found:
        record = json.loads(file.read_text(encoding="utf-8"))
        excerpt = record["excerpt"]
        key = _fingerprint(excerpt)[100:400] or _fingerprint(excerpt)
        if key in seen:
            print(f"{file.stem}: same text as {seen[key]}, left out")
            continue
        excerpt_id = file.stem[:10]
        seen[key] = excerpt_id
        (texts / f"{excerpt_id}.txt").write_text(excerpt, encoding="utf-8")
        index.append(
            {
                "id": excerpt_id,
                "url": record["url"],
                "query": record["query"],
                "sha256": text_sha256(excerpt),
                "split": split_of(record["url"]),
            }
        )
        if limit and len(index) >= limit:
            break
    (home / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1), "utf-8")
    tests = sum(1 for row in index if row["split"] == "test")
    print(f"{len(index)} excerpts in {texts} ({tests} test, {len(index) - tests} dev)")


def sheets(size: int) -> None:
    """Labelling sheets: each excerpt's lines numbered, in batches of `size`, ids shuffled
    by hash so a batch mixes queries (a labeller should not guess from the order)."""
    home = corpus_home()
    index = json.loads((home / "index.json").read_text(encoding="utf-8"))
    index.sort(key=lambda row: hashlib.sha1(row["id"].encode()).hexdigest())
    folder = home / "sheets"
    folder.mkdir(exist_ok=True)
    for number, at in enumerate(range(0, len(index), size), start=1):
        parts = []
        for row in index[at : at + size]:
            text = (home / "texts" / f"{row['id']}.txt").read_text(encoding="utf-8")
            lines = [line for line in text.split("\n")]
            numbered = "\n".join(f"{n:>3}| {line}" for n, line in enumerate(lines, start=1))
            parts.append(f"=== {row['id']} ===\n{numbered}\n")
        (folder / f"batch{number:02d}.txt").write_text("\n".join(parts), encoding="utf-8")
        ids = [row["id"] for row in index[at : at + size]]
        (folder / f"batch{number:02d}.ids").write_text("\n".join(ids) + "\n", encoding="utf-8")
    print(f"{folder}: {(len(index) + size - 1) // size} sheets")


# ---------------------------------------------------------------- status


def status() -> int:
    excerpts = load()
    have = sum(e.text is not None for e in excerpts)
    print(f"{CORPUS.relative_to(HERE.parents[1])}: {len(excerpts)} excerpts; "
          f"local copy {corpus_home()}: {have} present and unchanged")  # fmt: skip
    for excerpt in excerpts:
        if excerpt.text is None:
            file = text_path(excerpt.id)
            why = "changed (SHA-256 differs)" if file.is_file() else "missing"
            print(f"  {excerpt.id}: {why} — {excerpt.url} (query: {excerpt.query})")
    return 0 if have == len(excerpts) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="which excerpts the local copy holds")
    chosen = sub.add_parser("select", help="found/ → texts/ with ids and splits")
    chosen.add_argument("--limit", type=int)
    sheet = sub.add_parser("sheets", help="numbered sheets for labellers")
    sheet.add_argument("--size", type=int, default=40)
    args = parser.parse_args(argv)
    if args.command == "status":
        return status()
    if args.command == "select":
        select(args.limit)
    elif args.command == "sheets":
        sheets(args.size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
