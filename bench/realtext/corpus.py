"""The real-text corpus: labels in the repository, text in a local copy outside it.

    python bench/realtext/corpus.py status              # what the local copy holds, what is missing
    python bench/realtext/corpus.py select [--limit N]  # found/ → texts/, deduplicated, with ids
    python bench/realtext/corpus.py sheets --size 40    # numbered-line sheets for labellers
    python bench/realtext/corpus.py merge               # labellers' answers → corpus.toml
    python bench/realtext/corpus.py adjudication        # the test part's disagreements, a sheet
    python bench/realtext/corpus.py show ID …           # a dev excerpt beside its article

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
from functools import cache
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
    strip: list[str] = field(default_factory=list)
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
            strip=list(raw.get("strip", [])),
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
    before = home / "index.json"
    known = (
        {row["id"] for row in json.loads(before.read_text("utf-8"))} if before.exists() else set()
    )
    # Excerpts already indexed first: a new copy of a known article never displaces it.
    found = sorted(
        (home / "found").glob("*.json"), key=lambda f: (f.stem[:10] not in known, f.stem)
    )
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


def sheets(size: int, split: str | None, name: str) -> None:
    """Labelling sheets: each excerpt's lines numbered, in batches of `size`, ids shuffled
    by hash so a batch mixes queries (a labeller should not guess from the order).
    Excerpts already on a sheet of that name are left out: new ones get new sheets."""
    home = corpus_home()
    index = json.loads((home / "index.json").read_text(encoding="utf-8"))
    index = [row for row in index if split is None or row["split"] == split]
    folder = home / "sheets"
    done = {line for f in folder.glob(f"{name}*.ids") for line in f.read_text("utf-8").split()}
    index = [row for row in index if row["id"] not in done]
    first = 1 + len(list(folder.glob(f"{name}*.ids")))
    index.sort(key=lambda row: hashlib.sha1((name + row["id"]).encode()).hexdigest())
    folder.mkdir(exist_ok=True)
    for number, at in enumerate(range(0, len(index), size), start=first):
        parts = []
        for row in index[at : at + size]:
            text = (home / "texts" / f"{row['id']}.txt").read_text(encoding="utf-8")
            lines = [line for line in text.split("\n")]
            numbered = "\n".join(f"{n:>3}| {line}" for n, line in enumerate(lines, start=1))
            parts.append(f"=== {row['id']} ===\n{numbered}\n")
        (folder / f"{name}{number:02d}.txt").write_text("\n".join(parts), encoding="utf-8")
        ids = [row["id"] for row in index[at : at + size]]
        (folder / f"{name}{number:02d}.ids").write_text("\n".join(ids) + "\n", encoding="utf-8")
    print(f"{folder}: {(len(index) + size - 1) // size} sheets")


# ---------------------------------------------------------------- merge

PRACTICES = ("vetting", "rectification", "collective_economy", "hamlet_branches")
_LINE_KEYS = ("T", "I", "B")


def _answers(folder: Path) -> dict[str, dict]:
    """Every labeller answer in folder/*.jsonl by id, each with the sheet it came from."""
    out: dict[str, dict] = {}
    for file in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                answer = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{file}:{number}: not JSON ({exc})") from exc
            answer["_from"] = f"{folder.name}:{file.stem}"
            out[answer["id"]] = answer
    return out


_PINYIN = re.compile(r"[(（][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,8}[)）]")


# Strings to strip that run longer than this are a page's text (a long dateline,
# a headline glued to the lead): the repository keeps their hash, not them.
MAX_KEPT_STRIP = 24


def fold(text: str) -> str:
    """Text as compared: pinyin annotations out, simplified, NFKC, letters and digits only."""
    text = _PINYIN.sub("", text)
    text = unicodedata.normalize("NFKC", _t2s().convert(text))
    return re.sub(r"[\W_]", "", text).lower()


@cache
def _t2s():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def _keepable(piece: str) -> str:
    """A strip string as the repository may keep it: itself when short, else
    "sha256:<hash of its folded text>:<folded length>"."""
    if len(piece) <= MAX_KEPT_STRIP:
        return piece
    folded = fold(piece)
    return f"sha256:{hashlib.sha256(folded.encode()).hexdigest()}:{len(folded)}"


def _squash(text: str) -> str:
    """Letters only: labellers give a headline without the pinyin a site glued in."""
    return re.sub(r"[\W_]", "", _PINYIN.sub("", unicodedata.normalize("NFKC", text)))


def _check(answer: dict, text: str) -> list[str]:
    """What is wrong with one full answer, against the excerpt's text."""
    problems = []
    lines = text.split("\n")
    for tag in answer.get("tags", []):
        if tag not in PRACTICES:
            problems.append(f"unknown tag {tag!r}")
    primary = answer.get("primary") or "none"
    if primary != "none" and primary not in answer.get("tags", []):
        problems.append(f"primary {primary!r} is not among its tags")
    for key in _LINE_KEYS:
        for n in line_numbers(answer.get(key)):
            if not 1 <= n <= len(lines):
                problems.append(f"{key} names line {n}, the excerpt has {len(lines)}")
    title, at = answer.get("title"), answer.get("T")
    if (
        title
        and isinstance(at, int)
        and 1 <= at <= len(lines)
        and _squash(title) not in _squash(lines[at - 1])
    ):
        problems.append(f"title {title!r} is not in line {at}")
    for name in answer.get("author", []):
        if _squash(name) not in _squash(text):
            problems.append(f"author {name!r} is not in the text")
    return problems


# The practice tags come from the latest labelling round of the codebook: the
# first round's labels with the codebook's 总原则 1–2 as first written, the
# second ("_v2") after they were revised.  Headlines, lines and authors come
# from the first round, whose readers labelled those.
TAG_ROUND = "_v2"


def merge() -> int:
    """labels/first (full labels), labels/second (tags of the test part, a second labeller)
    and labels/adjudicated (a third reading where the two differ) → corpus.toml; the tags
    from the latest round (labels/first_v2 …) where it has them."""
    home = corpus_home()
    index = {row["id"]: row for row in json.loads((home / "index.json").read_text("utf-8"))}
    lines_from = _answers(home / "labels" / "first")
    first = {**lines_from, **_answers(home / "labels" / f"first{TAG_ROUND}")}
    second = _answers(home / "labels" / f"second{TAG_ROUND}") or _answers(
        home / "labels" / "second"
    )
    third = _answers(home / "labels" / f"adjudicated{TAG_ROUND}")
    if not third and not _answers(home / "labels" / f"second{TAG_ROUND}"):
        third = _answers(home / "labels" / "adjudicated")
    entries, problems, disagreements = [], [], []
    for excerpt_id in sorted(lines_from):
        row, answer = index[excerpt_id], lines_from[excerpt_id]
        text = (home / "texts" / f"{excerpt_id}.txt").read_text(encoding="utf-8")
        problems += [f"{excerpt_id}: {p}" for p in _check(answer, text)]
        tagged = first[excerpt_id]
        tags = sorted(tagged.get("tags", []))
        primary = tagged.get("primary") or "none"
        by = list(dict.fromkeys([answer["_from"], tagged["_from"]]))
        other = second.get(excerpt_id)
        if other is not None:
            by.append(other["_from"])
            pair = (sorted(other.get("tags", [])), other.get("primary") or "none")
            if pair != (tags, primary):
                decided = third.get(excerpt_id)
                if decided is None:
                    disagreements.append(excerpt_id)
                else:
                    by.append(decided["_from"])
                    tags = sorted(decided.get("tags", []))
                    primary = decided.get("primary") or "none"
        notes = " | ".join(
            n for n in (tagged.get("notes"), (other or {}).get("notes"),
                        (third.get(excerpt_id) or {}).get("notes")) if n
        )  # fmt: skip
        entries.append(
            {
                "id": excerpt_id,
                "url": row["url"],
                "query": row["query"],
                "sha256": row["sha256"],
                "split": row["split"],
                "tags": tags,
                "primary": primary,
                "title": answer.get("title") or "",
                "author": list(answer.get("author", [])),
                "lines": {k: answer[k] for k in _LINE_KEYS if answer.get(k) not in (None, "", [])},
                "strip": [_keepable(piece) for piece in answer.get("strip", [])],
                "labelled_by": by,
                "notes": notes,
            }
        )
    for problem in problems:
        print("label problem:", problem)
    agreement = _agreement(first, second)
    AGREEMENT.write_text(json.dumps(agreement, ensure_ascii=False, indent=1) + "\n", "utf-8")
    kappas = ", ".join(f"{k} κ={v['kappa']}" for k, v in agreement["practices"].items())
    same = f"tags agree on {agreement['same_tags']}, primary on {agreement['same_primary']}"
    print(f"two labellers on {agreement['excerpts']} test excerpts: {same}; {kappas}")
    (home / "disagreements.txt").write_text("".join(f"{i}\n" for i in disagreements), "utf-8")
    if disagreements:
        print(f"{len(disagreements)} test excerpts where the two labellers differ and no third "
              f"reading decided: {home / 'disagreements.txt'}")  # fmt: skip
    _write_corpus(entries)
    print(f"{CORPUS}: {len(entries)} excerpts")
    return 0


AGREEMENT = HERE / "agreement.json"


def _kappa(pairs: list[tuple[bool, bool]]) -> float | None:
    """Cohen's kappa of two readers' yes/no answers (None when chance agreement is total)."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(a == b for a, b in pairs) / n
    yes_a = sum(a for a, _ in pairs) / n
    yes_b = sum(b for _, b in pairs) / n
    chance = yes_a * yes_b + (1 - yes_a) * (1 - yes_b)
    return None if chance == 1 else round((observed - chance) / (1 - chance), 3)


def _agreement(first: dict[str, dict], second: dict[str, dict]) -> dict[str, object]:
    """How far the two independent readings of the test part agree, before adjudication."""
    both = sorted(set(first) & set(second))
    per = {}
    for practice in PRACTICES:
        pairs = [(practice in first[i].get("tags", []), practice in second[i].get("tags", []))
                 for i in both]  # fmt: skip
        per[practice] = {
            "first": sum(a for a, _ in pairs),
            "second": sum(b for _, b in pairs),
            "both": sum(a and b for a, b in pairs),
            "kappa": _kappa(pairs),
        }
    return {
        "excerpts": len(both),
        "same_tags": sum(
            sorted(first[i].get("tags", [])) == sorted(second[i].get("tags", [])) for i in both
        ),
        "same_primary": sum(
            (first[i].get("primary") or "none") == (second[i].get("primary") or "none")
            for i in both
        ),
        "practices": per,
    }


def _toml_value(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def _write_corpus(entries: list[dict]) -> None:
    header = (HERE / "corpus_header.toml").read_text(encoding="utf-8")
    parts = [header.rstrip() + "\n"]
    for entry in entries:
        lines = "\n".join(f"{key} = {_toml_value(value)}" for key, value in entry.items())
        parts.append(f"[[excerpt]]\n{lines}\n")
    CORPUS.write_text("\n".join(parts), encoding="utf-8")


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


def adjudication_sheet(name: str) -> int:
    """A sheet of the test excerpts the two readings disagree on (disagreements.txt, written
    by `merge`), each with both readers' labels and notes, for a third reader."""
    home = corpus_home()
    listed = home / "disagreements.txt"
    ids = listed.read_text(encoding="utf-8").split() if listed.exists() else []
    if not ids:
        print("no disagreements to decide (run merge first)")
        return 0
    first = {**_answers(home / "labels" / "first"),
             **_answers(home / "labels" / f"first{TAG_ROUND}")}  # fmt: skip
    second = _answers(home / "labels" / f"second{TAG_ROUND}") or _answers(
        home / "labels" / "second"
    )
    parts = []
    for excerpt_id in ids:
        text = (home / "texts" / f"{excerpt_id}.txt").read_text(encoding="utf-8")
        numbered = "\n".join(f"{n:>3}| {line}" for n, line in enumerate(text.split("\n"), 1))
        readers = []
        for who, answers in (("A", first), ("B", second)):
            answer = answers[excerpt_id]
            readers.append(f"READER {who}: tags={answer.get('tags')} primary="
                           f"{answer.get('primary')} notes={answer.get('notes', '')}")  # fmt: skip
        parts.append(f"=== {excerpt_id} ===\n" + "\n".join(readers) + f"\n{numbered}\n")
    sheet = home / "sheets" / f"{name}.txt"
    sheet.write_text("\n".join(parts), encoding="utf-8")
    (home / "sheets" / f"{name}.ids").write_text("\n".join(ids) + "\n", encoding="utf-8")
    print(f"{sheet}: {len(ids)} excerpts for a third reader (procedure/adjudicate.md)")
    return 0


def show(ids: list[str]) -> int:
    """A dev excerpt's numbered lines beside its labels and what the pipeline makes of it.

    Test excerpts are never shown: they are held out.
    """
    sys.path.insert(0, str(HERE.parents[1]))
    from scraper.errors import PageError
    from scraper.models import RawPage
    from scraper.pipeline import extract_article

    by_id = {e.id: e for e in load()}
    for excerpt_id in ids:
        excerpt = by_id.get(excerpt_id)
        if excerpt is None or excerpt.text is None:
            print(f"{excerpt_id}: not in the corpus or not in the local copy")
            continue
        if excerpt.split == "test":
            print(f"{excerpt_id}: held out (test); not shown")
            continue
        marks = {n: key for key in ("B", "I", "T") for n in line_numbers(excerpt.lines.get(key))}
        print(f"=== {excerpt.id} tags={excerpt.tags} primary={excerpt.primary} "
              f"title={excerpt.title!r} author={excerpt.author} strip={excerpt.strip}")  # fmt: skip
        for n, line in enumerate(excerpt.text.split("\n"), start=1):
            print(f"{marks.get(n, 'c')} {n:>3}| {line[:160]}")
        try:
            article = extract_article(RawPage(location=excerpt.id, content=excerpt.text.encode()))
        except PageError as exc:
            print(f"--- refused: {exc}")
            continue
        print(f"--- title={article.title!r} author={article.author!r} source={article.source!r} "
              f"tags={article.tags} primary={article.primary_tag}")  # fmt: skip
        for line in article.body.split("\n"):
            if line.strip():
                print(f"    {line[:160]}")
        if excerpt.notes:
            print(f"--- notes: {excerpt.notes}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="which excerpts the local copy holds")
    sub.add_parser("merge", help="labellers' answers → corpus.toml")
    judge = sub.add_parser("adjudication", help="a sheet of the test part's disagreements")
    judge.add_argument("--name", default="adjudicate01")
    shown = sub.add_parser("show", help="a dev excerpt, its labels and the pipeline's article")
    shown.add_argument("ids", nargs="+")
    chosen = sub.add_parser("select", help="found/ → texts/ with ids and splits")
    chosen.add_argument("--limit", type=int)
    sheet = sub.add_parser("sheets", help="numbered sheets for labellers")
    sheet.add_argument("--size", type=int, default=40)
    sheet.add_argument("--split", choices=["dev", "test"], help="only this split's excerpts")
    sheet.add_argument("--name", default="batch", help="sheet file names start with this")
    args = parser.parse_args(argv)
    if args.command == "status":
        return status()
    if args.command == "merge":
        return merge()
    if args.command == "show":
        return show(args.ids)
    if args.command == "adjudication":
        return adjudication_sheet(args.name)
    if args.command == "select":
        select(args.limit)
    elif args.command == "sheets":
        sheets(args.size, args.split, args.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
