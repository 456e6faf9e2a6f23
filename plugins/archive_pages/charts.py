"""The archive's charts: SVG drawn at build time with pygal, inlined in the pages.

The site must work offline and from any static host, so a chart is plain SVG
with no script and no outside reference: pygal's tooltip script (fetched from
kozea.github.io by default) is turned off and the inline configuration it
would read is dropped, its comments (which name pygal's
web site and the day of the build) are dropped, and its random chart id is
replaced by a stable one so that two builds of the same articles write the
same pages.  Labels are Chinese, so every text of the chart uses a font stack
that starts with the CJK fonts the machines have (fonts-noto-cjk).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from html import escape

import pygal
from pygal.style import Style

FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", sans-serif'
)
# The theme's accent first, then colours that stay apart in greyscale print.
COLORS = ("#a3131a", "#1a5fb4", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f", "#5c5c66")

_STYLE = Style(
    font_family=FONT_STACK,
    background="transparent",
    plot_background="#ffffff",
    foreground="#1d1d1f",
    foreground_strong="#1d1d1f",
    foreground_subtle="#d8d8de",
    colors=COLORS,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# pygal writes its config into a <script> for its tooltips even when js=[].
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_CHART_ID = re.compile(r'id="(chart-[0-9a-f-]+)"')
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")


def _config(n_labels: int) -> dict[str, object]:
    """Options common to every chart: no script, a responsive size, readable axes."""
    return {
        "js": [],
        "style": _STYLE,
        "disable_xml_declaration": True,
        "explicit_size": False,
        "width": 800,
        "height": 340,
        "truncate_label": -1,
        "truncate_legend": -1,
        "x_label_rotation": 30 if n_labels > 6 else 0,
        # A long archive has hundreds of months: label about a dozen of them.
        "x_labels_major_every": max(1, round(n_labels / 12)),
        "show_minor_x_labels": n_labels <= 12,
        "legend_at_bottom": True,
        "print_values": False,
        "include_x_axis": True,
    }


def render(chart: pygal.graph.graph.Graph, chart_id: str, label: str) -> str:
    """The chart's SVG, ready to inline: stable id, no comments, an accessible name."""
    svg = chart.render(is_unicode=True)
    svg = _SCRIPT.sub("", _COMMENT.sub("", svg))
    found = _CHART_ID.search(svg)
    stable = "chart-" + _UNSAFE_ID.sub("-", chart_id)
    if found:
        svg = svg.replace(found.group(1), stable)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def whole_ticks(top: int, most: int = 6) -> list[int]:
    """Whole-number axis ticks from 0 past `top` (pygal would label 0.1 篇, 0.2 篇 …)."""
    step = max(1, math.ceil(top / (most - 1)))
    return list(range(0, max(top, 1) + step, step))


def monthly_counts(
    chart_id: str, title: str, months: Sequence[str], series: Mapping[str, Sequence[int]]
) -> str:
    """Articles a month, one series per practice (bars for one, lines for several)."""
    cls = pygal.Bar if len(series) == 1 else pygal.Line
    chart = cls(
        **_config(len(months)),
        title=title,
        show_legend=len(series) > 1,
        value_formatter=lambda v: f"{v:g} 篇",
        y_labels=whole_ticks(max((max(v, default=0) for v in series.values()), default=0)),
        y_title="篇数",
    )
    chart.x_labels = list(months)
    for name, values in series.items():
        chart.add(name, list(values))
    return render(chart, chart_id, title)


def monthly_shares(
    chart_id: str,
    title: str,
    months: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
) -> str:
    """Share (0–1) of all articles of each month; None where a month has no article."""
    chart = pygal.Line(
        **_config(len(months)),
        title=title,
        show_legend=len(series) > 1,
        value_formatter=lambda v: f"{v:.0%}",
        range=(0, 1),
        y_title="占当月报道",
        allow_interruptions=True,
    )
    chart.x_labels = list(months)
    for name, values in series.items():
        chart.add(name, list(values))
    return render(chart, chart_id, title)
