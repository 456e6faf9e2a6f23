"""Re-tagging stored articles after the taxonomy changed, from their stored text.

Nothing is fetched or re-extracted: the tag stage runs again on the title and
body each article file holds.  Editors win: a file an editor wrote or changed
(scraper.store tells) keeps the tags it has, so hand-set tags survive every
re-tag and every re-scrape.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from scraper.markdown_out import StoredArticleError, parse, plain_text, render
from scraper.store import STAMP_FIELD, WriteOutcome, is_generated_untouched, write_article
from scraper.tag import tag, with_summary

TAG_FIELDS = ("tags", "primary_tag", "tag_scores", "evidence")


@dataclass
class RetagReport:
    added: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    changed: list[tuple[Path, list[str], list[str]]] = field(default_factory=list)
    kept_by_editor: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    seen: int = 0

    def summary(self) -> str:
        lines = [f"重新标注 {self.seen} 篇：{len(self.changed)} 篇标签有变化"]
        for practice in sorted(set(self.added) | set(self.removed)):
            lines.append(f"  {practice}: +{self.added[practice]} −{self.removed[practice]}")
        for path, before, after in self.changed[:50]:
            lines.append(f"  {path.name}: {', '.join(before) or '—'} → {', '.join(after) or '—'}")
        if self.kept_by_editor:
            lines.append(f"  编辑改过或编写的 {len(self.kept_by_editor)} 篇保留原标签")
        lines.extend(f"  无法读取 {path}: {reason}" for path, reason in self.failed)
        return "\n".join(lines)


def retag(content_dir: Path) -> RetagReport:
    """Re-tag every generated, untouched article under `content_dir`."""
    report = RetagReport()
    for path in sorted(content_dir.rglob("*.md")):
        report.seen += 1
        try:
            front, body = parse(path.read_text(encoding="utf-8"))
        except (StoredArticleError, UnicodeDecodeError) as exc:
            report.failed.append((path, str(exc)))
            continue
        if not is_generated_untouched(path):
            report.kept_by_editor.append(path)
            continue
        summary = front.get("summary") if isinstance(front.get("summary"), str) else None
        tagging = tag(front.get("title"), with_summary(summary, plain_text(body)))
        new = {k: v for k, v in front.items() if k != STAMP_FIELD}
        new.update(
            tags=tagging.tags,
            primary_tag=tagging.primary_tag,
            tag_scores=tagging.scores,
            evidence=tagging.evidence,
        )
        if all(new.get(k) == front.get(k) for k in TAG_FIELDS):
            continue
        outcome = write_article(path, render(new, body))
        if outcome is not WriteOutcome.UPDATED:
            continue
        before, after = list(front.get("tags") or []), tagging.tags
        report.added.update(set(after) - set(before))
        report.removed.update(set(before) - set(after))
        report.changed.append((path, before, after))
    return report
