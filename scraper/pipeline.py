"""One raw page to one clean article: the stages in order, nothing else.

Kept free of I/O so the crawler, the inbox importer and `reextract` all run
exactly the same steps as `python -m scraper extract`.
"""

from __future__ import annotations

from dataclasses import replace

from scraper import coherence
from scraper.clean import clean
from scraper.decode import decode
from scraper.errors import MismatchError
from scraper.extract_dump import extract_dump
from scraper.extract_html import extract_html
from scraper.markdown_out import body_markdown
from scraper.metadata import metadata
from scraper.models import Article, RawPage
from scraper.place import Place, locate
from scraper.repair import repair_extracted, repair_text
from scraper.tag import tag, with_summary


def extract_article(raw: RawPage, default_place: Place | None = None) -> Article:
    """Run decode → extract → repair → clean → metadata → place → tag on `raw`.

    Raises scraper.errors.PageError for a page that gives no article to write:
    DecodeError when it cannot be read, MismatchError when the body found
    tells another story than the headline.
    """
    decoded = decode(raw)
    if decoded.is_html:
        page = repair_extracted(extract_html(decoded.text, raw.url))
    else:
        page = extract_dump(repair_text(decoded.text))
    page = replace(page, warnings=decoded.warnings + page.warnings)

    if coherence.MISMATCH in page.warnings:
        raise MismatchError(f"{raw.location}: {coherence.MISMATCH} ({page.title!r}); not written")
    cleaned = clean(page)
    meta = metadata(cleaned)
    plain = "\n".join(block.text for block in cleaned.blocks)
    place = locate(cleaned.title, plain, default_place)
    summary = cleaned.meta.get("description") or None
    tagging = tag(cleaned.title, with_summary(summary, plain))
    return Article(
        title=cleaned.title,
        date=meta.date,
        date_partial=meta.date_partial,
        author=meta.author,
        site=meta.site,
        source=meta.source,
        url=raw.url,
        province=place.province,
        city=place.city,
        county=place.county,
        keywords=meta.keywords,
        summary=summary,
        tags=tagging.tags,
        primary_tag=tagging.primary_tag,
        tag_scores=tagging.scores,
        evidence=tagging.evidence,
        body=body_markdown(cleaned.blocks),
        warnings=cleaned.warnings + meta.warnings,
    )
