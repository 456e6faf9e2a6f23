"""A query's first run in a fresh process: what `invoke search` costs a researcher.

    .venv/bin/python bench/search_cold.py INDEX_DIR [--runs 2]

Each query of `bench/search_speed.py`'s mix is run in a process of its own
(`--runs` times over), as `invoke search QUERY` runs it: the interpreter
starts, imports the search package, opens the index and answers (limit 20,
with snippets); then the same process answers the next query of the mix,
as a notebook or a server would (warm: the index open, that query's words
not yet read).  Printed: the import, the first answer (opening the index
included) and the warm answer, each as p50 / p95 / max over the queries;
and the index's segments.  Target (issue 14): first answer p95 under
100 ms and warm under 20 ms at 100,000 articles.

INDEX_DIR is a built index, for instance `bench/build_speed.py --keep DIR`'s
DIR/<size>/search_index.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search_speed import FIXED_QUERIES, percentile  # noqa: E402

CHILD = """
import json, sys, time
started = time.perf_counter()
from archive_search import search
imported = time.perf_counter()
first = search(sys.argv[1], index_dir=sys.argv[3], limit=20)
answered = time.perf_counter()
search(sys.argv[2], index_dir=sys.argv[3], limit=20)
print(json.dumps({"import": imported - started, "first": answered - imported,
                  "warm": time.perf_counter() - answered, "total": first.total}))
"""


def run(query: str, then: str, index: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, query, then, str(index)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def segments(index: Path) -> int:
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(index))
    try:
        return len(ix._segments())
    finally:
        ix.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    mix = FIXED_QUERIES
    results = []
    for _ in range(args.runs):
        for n, query in enumerate(mix):
            results.append(run(query, mix[(n + 1) % len(mix)], args.index))
    print(f"index {args.index}: {segments(args.index)} segments; "
          f"{len(FIXED_QUERIES)} queries x {args.runs} fresh processes")  # fmt: skip
    for part in ("import", "first", "warm"):
        ms = [r[part] * 1000 for r in results]
        print(f"  {part:7} p50 {percentile(ms, 0.5):7.1f} ms  p95 {percentile(ms, 0.95):7.1f} ms"
              f"  max {max(ms):7.1f} ms")  # fmt: skip
    print("  target (issue 14, at 100,000 articles): first p95 < 100 ms, warm p95 < 20 ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
