"""Save one result of the `search` tool's `pages` corpus into the local copy.

The real-text corpus (bench/realtext/README.md) keeps only URLs, queries and
labels in the repository; the text lives outside it, in the folder REALTEXT
names (default: `realtext/` beside the checkout).  Whoever collects or
rebuilds the corpus runs a query in the search tool and pipes each result
worth keeping, as the JSON object the tool printed, into this script:

    python bench/realtext/save_answer.py --query "自然村 党小组" <<'EOF'
    {"rank": 8, "url": "http://…", "excerpt": "…"}
    EOF

It writes `found/<key>.json` (key: the first 16 hex digits of the URL's SHA-1)
with the query added, and prints the key.  Saving the same URL again keeps
the first copy unless --replace is given.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def corpus_home() -> Path:
    """Where the corpus text is kept: $REALTEXT, else `realtext/` beside the checkout."""
    return Path(os.environ.get("REALTEXT") or ROOT.parent / "realtext")


def url_key(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--query", required=True, help="the query the result answered")
    parser.add_argument("--replace", action="store_true", help="overwrite an earlier copy")
    args = parser.parse_args(argv)
    raw = sys.stdin.read()
    try:
        result = json.loads(raw)
    except json.JSONDecodeError as exc:
        print(f"stdin: not a JSON object ({exc})", file=sys.stderr)
        return 2
    if not isinstance(result, dict) or not {"url", "excerpt"} <= result.keys():
        print("stdin: the object needs at least `url` and `excerpt`", file=sys.stderr)
        return 2
    folder = corpus_home() / "found"
    folder.mkdir(parents=True, exist_ok=True)
    key = url_key(result["url"])
    target = folder / f"{key}.json"
    if target.exists() and not args.replace:
        print(f"{key} (kept the earlier copy)")
        return 0
    record = {
        "url": result["url"],
        "query": args.query,
        "rank": result.get("rank"),
        "excerpt": result["excerpt"],
    }
    target.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    print(key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
