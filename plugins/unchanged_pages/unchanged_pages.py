"""Pelican plugin: do not render again a page whose inputs have not changed.

Pelican's content cache saves reading the sources, but every build still
renders every page, so with one article changed a 10,000-article rebuild
renders 10,000 article pages to write one.  This plugin gives Pelican a
writer (`get_writer`) that, before rendering, computes a digest of all a page
can read:

* the template and every template it extends, includes or imports, and
  the source files of the filters, tests and globals of its environment;
* the value of each variable those templates name (Jinja's
  `meta.find_undeclared_variables`), from the page's own context: the
  article, SITENAME, `articles` on a listing page …; an article counts with
  its rendered content, its metadata and every attribute plugins gave it,
  and with each other article it refers to;
* the arguments of the write (output name, pagination, relative URLs) and
  the settings that govern pagination.

When the digest equals the one recorded for the same output file, and the
files the page wrote are still there as written (same size and mtime), the
write is skipped: Pelican's duplicate-write checks still run and
`content_written` is still sent (pelican-sitemap lists the page), so the
build is the same as one that rendered everything, which the tests check
byte for byte.  Anything the digest cannot vouch for (an object whose only
description is its memory address, a template chosen at run time) is
rendered as usual.

Records live in CACHE_PATH, one file per output folder, written at the end
of the build: a build killed half-way leaves the old records, whose stats no
longer match what it rewrote.  Set UNCHANGED_PAGES = False to render all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import pelican
from jinja2 import meta
from pelican import signals
from pelican.contents import Content
from pelican.urlwrappers import URLWrapper
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from scraper.store import atomic_write_bytes

log = logging.getLogger(__name__)

RECORDS_VERSION = 1
# Settings the writer itself reads when it paginates or makes URLs relative.
WRITER_SETTINGS = (
    "PAGINATED_TEMPLATES", "DEFAULT_PAGINATION", "PAGINATION_PATTERNS",
    "DEFAULT_ORPHANS", "RELATIVE_URLS",
)  # fmt: skip
# Content attributes left out of an article's digest: the settings and the
# whole build's context (every other article) are not what one page shows;
# the settings a template reads are digested as the variables it names.
SKIPPED_ATTRIBUTES = frozenset({"settings", "_context", "_content"})


class Uncacheable(Exception):
    """The page's inputs cannot be described by a digest: render it."""


class _Digester:
    """Stable digests of template inputs, memoised for one build.

    A value is described as JSON (sorted keys; the json module's C encoder
    does most of the work), objects it cannot encode by `_describe`.  Each
    Content object's digest is its own fields (other Content objects it
    refers to named by source path) plus the digests of every Content object
    reachable from it, so a page that shows a neighbour's title changes
    when the neighbour does.
    """

    def __init__(self) -> None:
        self._own: dict[int, bytes] = {}
        self._links: dict[int, list[Content]] = {}
        self._values: dict[int, bytes] = {}
        self._in_progress: set[int] = set()
        self._keep: list[Any] = []  # ids stay valid while memoised
        self._files: dict[str, bytes] = {}

    def file(self, path: str | None) -> bytes:
        """The digest of a source file (of a filter, say); b"" when it has none."""
        if not path:
            return b""
        if path not in self._files:
            try:
                self._files[path] = hashlib.sha1(Path(path).read_bytes()).digest()
            except OSError:
                self._files[path] = b"?"
        return self._files[path]

    def value(self, value: Any, memo: bool = True) -> bytes:
        """The digest of one template variable (and every article it reaches).

        Memoised by identity for containers and objects: the month pages of
        a year all name the same year object, and what pages show is made
        before the first page is written and not changed while they are.
        An object inside another is described by its own (memoised) digest,
        so a province shared by the pages of its counties is digested once.
        A value made for one call only is digested with `memo=False`: kept,
        it would never be asked for again, and never let go.
        """
        if not memo or isinstance(value, str | int | float | bool | bytes | type(None)):
            return self._value(value)
        key = id(value)
        known = self._values.get(key)
        if known is None:
            if key in self._in_progress:  # an object reaching itself: no digest to trust
                raise Uncacheable(f"a cycle through {type(value).__qualname__}")
            self._in_progress.add(key)
            try:
                known = self._value(value)
            finally:
                self._in_progress.discard(key)
            self._values[key] = known
            self._keep.append(value)
        return known

    def _value(self, value: Any) -> bytes:
        contents: list[Content] = []
        out = hashlib.sha1(self._json(value, contents))
        seen: set[int] = set()
        while contents:
            content = contents.pop()
            if id(content) in seen:
                continue
            seen.add(id(content))
            out.update(self._own_digest(content))
            contents.extend(self._links[id(content)])
        return out.digest()

    def _json(self, value: Any, contents: list[Content]) -> bytes:
        top = id(value)
        try:
            text = json.dumps(
                value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                default=lambda item: self._describe(item, contents, expand=id(item) == top),
            )  # fmt: skip
        except (TypeError, ValueError, RecursionError) as exc:  # unsortable keys, a cycle
            raise Uncacheable(f"no JSON description: {exc}") from exc
        return text.encode("utf-8", "surrogatepass")

    def _describe(self, item: Any, contents: list[Content], expand: bool = True) -> Any:
        """What JSON cannot encode, as what it can (`json.dumps` default).

        Containers and objects are spelled out when they are the value being
        digested (`expand`), and stand for their own digest when inside it.
        """
        if isinstance(item, Content):
            contents.append(item)
            return ["content", str(item.source_path)]
        if isinstance(item, dt.datetime | dt.date | dt.time):
            zone = getattr(item, "tzinfo", None)
            return [type(item).__name__, item.isoformat(), str(zone or "")]
        if isinstance(item, URLWrapper):
            return [type(item).__name__, item.name, item.slug, item.url]
        container = isinstance(item, Mapping | set | frozenset | tuple | list)
        plain_object = hasattr(item, "__dict__") and not callable(item)  # classes are callable
        if not expand and (container or plain_object):
            return ["ref", type(item).__qualname__, self.value(item).hex()]
        if isinstance(item, Mapping):
            return ["mapping", dict(item)]
        if isinstance(item, set | frozenset):
            return ["set", sorted(self._json(member, contents).decode() for member in item)]
        if isinstance(item, bytes | bytearray):
            return ["bytes", hashlib.sha1(item).hexdigest()]
        if isinstance(item, tuple | list):  # subclasses json does not take as sequences
            return ["seq", list(item)]
        if callable(item) and hasattr(item, "__qualname__"):
            name = f"{getattr(item, '__module__', '')}.{item.__qualname__}"
            return ["code", name, self.file(_source_file(item)).hex()]
        if hasattr(item, "__dict__") and not isinstance(item, type):
            fields = {k: v for k, v in vars(item).items() if k not in SKIPPED_ATTRIBUTES}
            return ["object", f"{type(item).__module__}.{type(item).__qualname__}", fields]
        text = repr(item)
        if " at 0x" in text:
            raise Uncacheable(f"no stable description of {type(item).__qualname__}")
        return ["repr", type(item).__qualname__, text]

    def _own_digest(self, content: Content) -> bytes:
        key = id(content)
        if key not in self._own:
            links: list[Content] = []
            raw = getattr(content, "_content", None) or ""
            # The body as pages show it: Pelican's `content` resolves {filename}
            # and |filename| links; without either mark it is the body as read.
            body = content.content if ("{" in raw or "|" in raw) else raw
            metadata = content.metadata
            # Most attributes are the metadata's values (Pelican copies them): once is enough.
            attributes = {
                name: value for name, value in vars(content).items()
                if name not in SKIPPED_ATTRIBUTES and metadata.get(name, links) is not value
            }  # fmt: skip
            described = [type(content).__qualname__, str(content.source_path), body, metadata,
                         attributes]  # fmt: skip
            self._own[key] = hashlib.sha1(self._json(described, links)).digest()
            self._links[key] = links
            self._keep.append(content)
        return self._own[key]


def _source_file(value: Any) -> str | None:
    try:
        return inspect.getsourcefile(inspect.unwrap(getattr(value, "func", value)))
    except TypeError:
        return None


class _Templates:
    """What a template depends on: its sources and the variables they name."""

    def __init__(self, environment: jinja2.Environment, digester: _Digester) -> None:
        self.environment = environment
        self.digester = digester
        self._closure: dict[str, tuple[bytes, tuple[str, ...]]] = {}
        self._env_digest: bytes | None = None

    def environment_digest(self) -> bytes:
        """Filters, tests and globals: their names and source files."""
        if self._env_digest is None:
            out = hashlib.sha1(f"{pelican.__version__}\x1f{jinja2.__version__}".encode())
            for kind in ("filters", "tests", "globals"):
                for name, item in sorted(getattr(self.environment, kind).items()):
                    out.update(f"\x1e{kind}:{name}\x1f".encode())
                    if callable(item):
                        qualname = getattr(item, "__qualname__", type(item).__qualname__)
                        out.update(f"{getattr(item, '__module__', '')}.{qualname}".encode())
                        out.update(self.digester.file(_source_file(item)))
                    else:
                        out.update(self.digester.value(item))
            self._env_digest = out.digest()
        return self._env_digest

    def closure(self, name: str) -> tuple[bytes, tuple[str, ...]]:
        """(digest of the sources, variables named) of `name` and all it references."""
        if name not in self._closure:
            sources = hashlib.sha1(self.environment_digest())
            variables: set[str] = set()
            pending, done = [name], set()
            while pending:
                current = pending.pop()
                if current in done:
                    continue
                done.add(current)
                source, filename, _ = self.environment.loader.get_source(  # type: ignore[union-attr]
                    self.environment, current
                )
                sources.update(f"\x1e{current}\x1f{filename}\x1f".encode() + source.encode())
                tree = self.environment.parse(source)
                variables |= meta.find_undeclared_variables(tree)
                for referenced in meta.find_referenced_templates(tree):
                    if referenced is None:
                        raise Uncacheable(f"{current} chooses a template at run time")
                    pending.append(referenced)
            self._closure[name] = (sources.digest(), tuple(sorted(variables)))
        return self._closure[name]


def records_path(settings: Mapping[str, Any], output_path: str) -> Path:
    """One records file per output folder, in Pelican's cache folder."""
    tag = hashlib.sha1(os.path.abspath(output_path).encode()).hexdigest()[:12]
    return Path(settings.get("CACHE_PATH") or "cache") / f"unchanged_pages-{tag}.json"


def _stat(path: str) -> list[int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns]


class UnchangedPagesWriter(Writer):
    """Pelican's writer, skipping renders whose digest matches the last build's."""

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        self.digester = _Digester()
        self._templates: dict[int, _Templates] = {}
        self._recording: list[str] | None = None
        self.rendered = 0
        self.reused = 0
        self.path = records_path(self.settings, output_path)
        self.old: dict[str, Any] = self._load()
        self.new: dict[str, Any] = {}
        _writers.append(self)

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != RECORDS_VERSION:
            return {}
        pages = data.get("pages")
        return pages if isinstance(pages, dict) else {}

    def save(self) -> None:
        """Write the records of this build (atomically: a killed build keeps the old ones)."""
        data = json.dumps({"version": RECORDS_VERSION, "pages": self.new}, separators=(",", ":"))
        atomic_write_bytes(self.path, data.encode("utf-8"))

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        opened = super()._open_w(filename, encoding, override)
        if self._recording is not None and filename != os.devnull and opened.name == filename:
            self._recording.append(filename)
        return opened

    def _claim(self, filename: str, override: bool) -> None:
        """Pelican's bookkeeping of a write (`Writer._open_w`), without opening the file."""
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" a second time (was previously overwritten)'
                )
        elif filename in self._written_files and not override:
            raise FileOverwriteFailedError(
                f'Failed to overwrite "{filename}" as Pelican has already written to it '
                "previously (set `override=True` if intended)"
            )
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)

    def _digest(
        self,
        name: str,
        template: Any,
        context: dict[str, Any],
        args: dict[str, Any],
        kwargs: dict[str, Any],
    ) -> str:
        environment = template.environment
        templates = self._templates.get(id(environment))
        if templates is None:
            templates = self._templates[id(environment)] = _Templates(environment, self.digester)
        sources, variables = templates.closure(template.name)
        out = hashlib.sha1(sources)
        # Made afresh for this call: digested without being memoised, which would
        # keep two dicts alive for every page of the site until the build ends.
        out.update(self.digester.value({**args, "name": name}, memo=False))
        settings = {key: self.settings.get(key) for key in WRITER_SETTINGS}
        out.update(self.digester.value(settings, memo=False))
        for variable in variables:
            if variable in kwargs:
                value = kwargs[variable]
            elif variable in context:
                value = context[variable]
            elif variable in environment.globals:
                continue  # in the environment digest
            else:
                out.update(f"\x1emissing:{variable}".encode())
                continue
            out.update(f"\x1e{variable}\x1f".encode() + self.digester.value(value))
        return out.hexdigest()

    def _unchanged(self, record: Any, digest: str) -> list[str]:
        """The files the last build wrote for this page, if its digest and they are the same."""
        try:
            if not record or record["digest"] != digest or not record["files"]:
                return []
            files = [(sanitised_join(self.output_path, relative), stat)
                     for relative, stat in record["files"]]  # fmt: skip
        except (KeyError, TypeError, ValueError, RuntimeError):  # not a record this plugin wrote
            return []
        return [path for path, _ in files] if all(_stat(p) == s for p, s in files) else []

    def write_file(
        self,
        name: Any,
        template: Any,
        context: dict[str, Any],
        relative_urls: bool = False,
        paginated: Any = None,
        template_name: Any = None,
        override_output: bool = False,
        url: Any = None,
        **kwargs: Any,
    ) -> None:
        args = {
            "relative_urls": relative_urls,
            "paginated": paginated,
            "template_name": template_name,
            "override_output": override_output,
            "url": url,
        }
        if not name or not self.settings.get("UNCHANGED_PAGES", True):
            return super().write_file(name, template, context, **args, **kwargs)
        if relative_urls:
            # What Writer._write_file sets before rendering: an article's
            # content (digested below) makes its links relative to it.
            context["localsiteurl"] = path_to_url(get_relative_path(str(name)))
        try:
            digest = self._digest(str(name), template, context, args, kwargs)
        except Uncacheable as exc:
            log.debug("unchanged_pages: rendering %s: %s", name, exc)
            return super().write_file(name, template, context, **args, **kwargs)
        old = self.old.get(str(name))
        paths = self._unchanged(old, digest)
        if paths:
            for path in paths:
                self._claim(path, override_output)
                localcontext = {**context, "output_file": name, **kwargs}
                signals.content_written.send(path, context=localcontext)
            self.new[str(name)] = old
            self.reused += 1
            return None
        self._recording = []
        try:
            super().write_file(name, template, context, **args, **kwargs)
            written = [
                [os.path.relpath(path, self.output_path), _stat(path)] for path in self._recording
            ]
        finally:
            self._recording = None
        self.rendered += 1
        if written and all(stat for _, stat in written):
            self.new[str(name)] = {"digest": digest, "files": written}
        return None


# Writers of the builds under way in this process (saved and dropped on `finalized`).
_writers: list[UnchangedPagesWriter] = []


def active(settings: Mapping[str, Any]) -> bool:
    """Whether this build lists the plugin (signals are process-wide)."""
    names = (getattr(p, "__name__", p) for p in settings.get("PLUGINS") or ())
    return any(str(name).rsplit(".", 1)[-1] == "unchanged_pages" for name in names)


def get_writer(pelican_object: Any) -> type[Writer] | None:
    if not active(pelican_object.settings):
        return None
    return UnchangedPagesWriter


def finalized(pelican_object: Any) -> None:
    """Save what this build wrote, so the next one can skip it."""
    while _writers:
        writer = _writers.pop()
        if writer.output_path != pelican_object.output_path:
            continue
        try:
            writer.save()
        except OSError as exc:
            log.warning("unchanged_pages: records not saved to %s: %s", writer.path, exc)
        log.info(
            "unchanged_pages: %d pages rendered, %d unchanged and kept",
            writer.rendered, writer.reused,
        )  # fmt: skip


def register() -> None:
    signals.get_writer.connect(get_writer)
    signals.finalized.connect(finalized)
