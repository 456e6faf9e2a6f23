"""Every internal link of a built site leads somewhere: a file of output/, and an id on it.

Reads each HTML file with Beautiful Soup (lxml) and resolves each `href` and
`src` as a browser would (relative to the page, percent-decoded, `dir/` →
`dir/index.html`); links to other hosts, `mailto:` and `data:` are not
followed.  Used by the site tests on the built seed archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

_ATTRIBUTES = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
               ("object", "data"), ("iframe", "src"), ("source", "src"), ("form", "action"))  # fmt: skip


@dataclass(frozen=True)
class BrokenLink:
    page: str  # the page holding the link, relative to the output folder
    link: str  # as written
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.link} ({self.reason})"


def _ids(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        soup = BeautifulSoup(path.read_bytes(), "lxml")
        cache[path] = {str(tag["id"]) for tag in soup.find_all(id=True)}
    return cache[path]


def broken_links(output: Path) -> list[BrokenLink]:
    """The internal links of every page of `output` whose target is missing."""
    output = output.resolve()
    broken: list[BrokenLink] = []
    ids: dict[Path, set[str]] = {}
    for page in sorted(output.rglob("*.html")):
        relative = page.relative_to(output).as_posix()
        soup = BeautifulSoup(page.read_bytes(), "lxml")
        for name, attribute in _ATTRIBUTES:
            for tag in soup.find_all(name):
                link = tag.get(attribute)
                if not link:
                    continue
                parts = urlsplit(str(link))
                if parts.scheme or parts.netloc or str(link).startswith("//"):
                    continue  # another host, mailto:, data:, javascript: (the latter tested elsewhere)
                target = page
                if parts.path:
                    if parts.path.startswith("/"):
                        target = output / unquote(parts.path).lstrip("/")
                    else:
                        joined = PurePosixPath(relative).parent / unquote(parts.path)
                        target = output / joined
                    target = Path(str(target))
                    if parts.path.endswith("/") or target.is_dir():
                        target = target / "index.html"
                try:
                    target = target.resolve()
                    target.relative_to(output)
                except ValueError:
                    broken.append(BrokenLink(relative, str(link), "outside the site"))
                    continue
                if not target.is_file():
                    broken.append(BrokenLink(relative, str(link), "no such file"))
                    continue
                fragment = unquote(parts.fragment)
                if fragment and target.suffix == ".html" and fragment not in _ids(target, ids):
                    broken.append(BrokenLink(relative, str(link), f"no id {fragment!r}"))
    return broken
