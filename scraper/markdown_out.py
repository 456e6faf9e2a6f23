"""The article as stored in content/: YAML front matter and a Markdown body.

This is the format editors read and write by hand, so it is plain: one
paragraph a line, `## ` subheadings, captions in emphasis, and every
metadata value in the front matter where an editor can correct it.
"""

from __future__ import annotations

import re

import yaml

from scraper.models import Article, Block

_BLOCK_START = re.compile(r"^(#|>|[-+*]\s|\d+[.)]\s|={3,}|-{3,})")
_INLINE = re.compile(r"([\\`*_\[\]])")
_ENTITY = re.compile(r"&(?=#?\w+;)")


def escape(text: str) -> str:
    """Make page text literal in Markdown: no markup, links or raw HTML from it."""
    text = _INLINE.sub(r"\\\1", text)
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    if _BLOCK_START.match(text):
        text = "\\" + text
    return text


def body_markdown(blocks: list[Block]) -> str:
    """Blocks as Markdown, one paragraph a line, blank lines between."""
    out = []
    for block in blocks:
        text = escape(block.text)
        if block.kind == "heading":
            out.append(f"## {text}")
        elif block.kind == "caption":
            out.append(f"*{text}*")
        else:
            out.append(text)
    return "\n\n".join(out)


def to_markdown(article: Article, extra: dict[str, object] | None = None) -> str:
    """The stored form of `article`: front matter, a blank line, the body."""
    front = {k: v for k, v in article.to_dict().items() if k != "body"}
    front.update(extra or {})
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n\n{article.body}\n"
