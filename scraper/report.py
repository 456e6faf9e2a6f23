"""The crawl report: what happened on each site, as a table and as JSON.

Maintainers read the table after a run; the JSON (same numbers, plus every
failure with its URL and reason) is for scripts and for comparing runs.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Outcome columns, in the order the table shows them.
COLUMNS = (
    ("list_pages", "列表页"),
    ("found", "发现文章"),
    ("new", "新增"),
    ("updated", "更新"),
    ("unchanged", "未变"),
    ("known", "已有跳过"),
    ("duplicate", "重复"),
    ("edited", "人工修改跳过"),
    ("not_article", "非文章"),
    ("failed", "失败"),
)


@dataclass
class SiteReport:
    name: str
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class CrawlReport:
    """Per-site tallies, safe to update from the crawler's site threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sites: dict[str, SiteReport] = {}

    def site(self, name: str) -> SiteReport:
        with self._lock:
            return self.sites.setdefault(name, SiteReport(name))

    def count(self, site: str, column: str, n: int = 1) -> None:
        report = self.site(site)
        with self._lock:
            report.counts[column] += n

    def fail(self, site: str, url: str, reason: str) -> None:
        report = self.site(site)
        with self._lock:
            report.counts["failed"] += 1
            report.failures.append({"url": url, "reason": reason})

    def note(self, site: str, text: str) -> None:
        report = self.site(site)
        with self._lock:
            report.notes.append(text)

    def table(self) -> str:
        """The report as an aligned text table (CJK characters count double width)."""
        header = ["站点", *(label for _, label in COLUMNS)]
        rows = [header]
        totals: Counter[str] = Counter()
        for report in self.sites.values():
            rows.append([report.name, *(str(report.counts[key]) for key, _ in COLUMNS)])
            totals.update(report.counts)
        rows.append(["合计", *(str(totals[key]) for key, _ in COLUMNS)])
        widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
        lines = [
            "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)) for row in rows
        ]
        for report in self.sites.values():
            for failure in report.failures[:20]:
                lines.append(f"  失败 {report.name}: {failure['url']} — {failure['reason']}")
            if len(report.failures) > 20:
                lines.append(f"  … 另有 {len(report.failures) - 20} 个失败，见 JSON 报告")
            lines.extend(f"  {report.name}: {note}" for note in report.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "sites": [
                {
                    "name": r.name,
                    **{key: r.counts[key] for key, _ in COLUMNS},
                    "failures": r.failures,
                    "notes": r.notes,
                }
                for r in self.sites.values()
            ]
        }

    def write_json(self, path: Path) -> None:
        from scraper.store import atomic_write

        atomic_write(path, json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n")


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
