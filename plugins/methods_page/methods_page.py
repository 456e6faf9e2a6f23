"""The methods page (方法说明): how the practice tags are made, and how well.

Researchers who count articles by practice have to be able to cite what a
tag means and how often it is right.  The codebook (docs/codebook.md) says
what counts for each practice and what does not; the figures
(docs/tag_quality.json, written by `bench/tag_quality.py --record`) say how
the tagger did on the held-out part of the blind-labelled real-text corpus.
This plugin renders both into methods.html with the theme's `methods`
template, and says whether the figures were measured on the rules this
build tags with (the rules' fingerprint, scraper.taxonomy.rules_fingerprint).

Settings (defaults set on `initialized`):

    METHODS_CODEBOOK  the codebook, Markdown            (docs/codebook.md)
    METHODS_FIGURES   the measured figures, JSON        (docs/tag_quality.json)
    METHODS_SAVE_AS   where the page goes               (methods.html)
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import markdown
from pelican import signals
from pelican.generators import Generator

from scraper.taxonomy import rules_fingerprint

log = logging.getLogger(__name__)
PROJECT = Path(__file__).resolve().parents[2]


def active(settings: dict[str, Any]) -> bool:
    """Whether this build uses the plugin (signals are process-wide)."""
    names = (getattr(p, "__name__", p) for p in settings.get("PLUGINS") or ())
    return any(str(name).rsplit(".", 1)[-1] == "methods_page" for name in names)


def initialize(pelican: Any) -> None:
    if not active(pelican.settings):
        return
    settings = pelican.settings
    settings.setdefault("METHODS_CODEBOOK", str(PROJECT / "docs" / "codebook.md"))
    settings.setdefault("METHODS_FIGURES", str(PROJECT / "docs" / "tag_quality.json"))
    settings.setdefault("METHODS_SAVE_AS", "methods.html")


def read_figures(path: Path) -> dict[str, Any] | None:
    """The recorded figures, or None (with a warning naming the file) when unreadable."""
    try:
        figures = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        log.warning("methods page: no figures at %s (bench/tag_quality.py --record)", path)
        return None
    except (OSError, ValueError) as exc:
        log.warning("methods page: %s: unreadable figures (%s)", path, exc)
        return None
    return figures if isinstance(figures, dict) else None


def render_codebook(path: Path) -> str:
    """The codebook as HTML; its first heading is the page's, so it is left out."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        text = "\n".join(lines[1:])
    return markdown.markdown(text, extensions=["tables", "toc"], output_format="html")


class MethodsPageGenerator(Generator):
    """Writes methods.html once the practices' names are known."""

    def generate_output(self, writer: Any) -> None:
        codebook = Path(self.settings["METHODS_CODEBOOK"])
        if not codebook.is_file():
            log.warning("methods page: no codebook at %s; page not written", codebook)
            return
        figures = read_figures(Path(self.settings["METHODS_FIGURES"]))
        current = rules_fingerprint()
        save_as = self.settings["METHODS_SAVE_AS"]
        writer.write_file(
            save_as,
            self.get_template("methods"),
            self.context,
            relative_urls=self.settings.get("RELATIVE_URLS"),
            template_name="methods",
            url=save_as,
            codebook_html=render_codebook(codebook),
            figures=figures,
            rules_now=current,
            figures_current=bool(figures) and figures.get("rules") == current,
        )


def get_generators(pelican: Any) -> type[Generator] | None:
    return MethodsPageGenerator if active(pelican.settings) else None


def register() -> None:
    signals.initialized.connect(initialize)
    signals.get_generators.connect(get_generators)
