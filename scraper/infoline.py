"""The info line under a headline: "发布时间:… 作者:… 来源:…".

Both extract paths need to tell it from prose, and the metadata stage needs
its fields, so recognising and parsing it live together here.
"""

from __future__ import annotations

import re

from scraper import chrome, dates

LABELS = (
    "发布时间", "发布日期", "发表时间", "发表日期", "更新时间", "时间", "日期", "作者", "来源",
    "稿源", "出处", "文章来源", "信息来源", "编辑", "责任编辑", "浏览次数", "阅读次数",
    "点击数", "点击量", "点击", "浏览", "阅读", "字号", "字体", "发布者", "发布人", "发布机构",
    "撰稿", "发布于",
)  # fmt: skip
_LABEL = re.compile(r"(?P<label>" + "|".join(sorted(LABELS, key=len, reverse=True)) + r")\s*[:：]")
_MAX_LEN = 160


def fields(line: str) -> dict[str, str]:
    """Labelled fields of an info line, each value running to the next label."""
    found = list(_LABEL.finditer(line))
    result: dict[str, str] = {}
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(line)
        value = line[match.end() : end].strip()
        # "作者：【打印本页】": an empty field followed by the page's buttons.
        value = "" if chrome.is_listed(value) else re.split(r"[】\]]", value, maxsplit=1)[0]
        value = value.strip(" |｜/【[")
        result.setdefault(match["label"], value)
    return result


def is_info_line(line: str) -> bool:
    """Whether `line` is an info line rather than prose that happens to hold a date."""
    if len(line) > _MAX_LEN:
        return False
    labels = fields(line)
    if labels and ({"来源", "作者", "编辑", "责任编辑"} & labels.keys() or dates.find_date(line)):
        return True
    if dates.parse_full(line):
        rest = dates.remove_full_dates(line)
        return len(re.findall(r"[\u4e00-\u9fff]", rest)) <= 12 and len(line) <= 80
    return False
