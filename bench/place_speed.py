"""How fast scraper/place.py imports, builds its index and locates an article.

    .venv/bin/python bench/place_speed.py [SEED_DIR]

Prints the machine, the import time (in a fresh interpreter), the one-off
index build, and locate() per seed article and on a 10,000-character text
(the seeds repeated), so anyone can rerun the figures quoted in reviews.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPEAT = 200


def import_ms() -> float:
    """Best of five fresh-interpreter imports, so no cache from this process helps."""
    code = "import time;t=time.perf_counter();import scraper.place;print(time.perf_counter()-t)"
    runs = [
        float(subprocess.check_output([sys.executable, "-c", code], cwd=ROOT, text=True))
        for _ in range(5)
    ]
    return min(runs) * 1000


def per_call_ms(func: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    for _ in range(REPEAT):
        func(*args)
    return (time.perf_counter() - start) / REPEAT * 1000


def main() -> int:
    seeds = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/seeds")
    print(f"machine: {platform.machine()} {platform.processor() or ''} {platform.system()}")
    print(f"python: {platform.python_version()}")
    print(f"import scraper.place: {import_ms():.1f} ms (fresh interpreter, best of 5)")

    import opencc

    from scraper import place

    start = time.perf_counter()
    place._gazetteer()
    print(f"index build (first locate only): {(time.perf_counter() - start) * 1000:.1f} ms")

    expected = json.loads((seeds / "expected.json").read_text(encoding="utf-8"))
    convert = opencc.OpenCC("tw2s").convert
    bodies = []
    for name in sorted(n for n in expected if n.endswith(".txt")):
        body = convert((seeds / name).read_text(encoding="utf-8"))
        bodies.append(body)
        title = expected[name]["title"]
        found = place.locate(title, body)
        ms = per_call_ms(place.locate, title, body)
        where = "/".join(p or "-" for p in (found.province, found.city, found.county))
        print(f"{name}: {len(body):>6} chars  {ms:.3f} ms  {where}")
    long_text = "".join(bodies)
    while len(long_text) < 10_000:
        long_text += long_text
    long_text = long_text[:10_000]
    ms = per_call_ms(place.locate, None, long_text)
    print(f"10,000-character text: {ms:.3f} ms per locate()")
    return 0


if __name__ == "__main__":
    sys.exit(main())
