"""The article as stored in content/: YAML front matter and a Markdown body.

This is the format editors read and write by hand, so it is plain: one
paragraph a line, `## ` subheadings, captions in emphasis, and every
metadata value in the front matter where an editor can correct it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from scraper.models import Article, Block

_BLOCK_START = re.compile(r"^(#|>|[-+]\s|-{3,})")
_ORDERED = re.compile(r"^(\d+)([.)]\s)")
_INLINE = re.compile(r"([\\`*_\[\]])")
_ENTITY = re.compile(r"&(?=#?\w+;)")


def escape(text: str) -> str:
    """Make page text literal in Markdown: no markup, links or raw HTML from it."""
    text = _INLINE.sub(r"\\\1", text)
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    if _BLOCK_START.match(text):
        text = "\\" + text
    return _ORDERED.sub(r"\1\\\2", text)


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
    return render(front, article.body)


def render(front: dict[str, Any], body: str) -> str:
    """Front matter and body in the stored layout (the inverse of `parse`)."""
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n\n{body}\n"


class StoredArticleError(ValueError):
    """A stored article whose front matter cannot be read."""


# libyaml's parser when PyYAML was built with it (its wheels are): the same
# documents, an order of magnitude faster than the pure-Python one, and a
# build reads every article's front matter more than once.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_front_matter(text: str) -> Any:
    """YAML text as Python objects, as `yaml.safe_load` reads it."""
    return yaml.load(text, Loader=_LOADER)  # a safe loader, C or Python


def parse(text: str) -> tuple[dict[str, Any], str]:
    """The front matter and Markdown body of a stored article."""
    if not text.startswith("---\n"):
        raise StoredArticleError("no YAML front matter (the file must start with ---)")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise StoredArticleError("front matter is not closed by a --- line")
    try:
        front = load_front_matter(text[4 : end + 1]) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise StoredArticleError(f"malformed YAML front matter{where}: {exc}") from exc
    if not isinstance(front, dict):
        raise StoredArticleError("front matter is not a mapping of fields")
    return front, text[end + 5 :].strip("\n")


_HEADING = re.compile(r"^#{1,6}\s+")
_CAPTION = re.compile(r"^\*(.*)\*$")
_ESCAPED = re.compile(r"\\([\\`*_\[\]#>+\-.=)])")


def plain_text(body: str) -> str:
    """The text of a stored Markdown body, one block a line, markup and escapes removed."""
    lines = []
    for line in body.split("\n"):
        if not line.strip():
            continue
        line = _HEADING.sub("", line)
        line = _CAPTION.sub(r"\1", line)
        line = _ESCAPED.sub(r"\1", line).replace("&lt;", "<").replace("&amp;", "&")
        lines.append(line)
    return "\n".join(lines)
