"""The static public site: ``diasporatrack export site -o public/``.

:func:`build_site` turns the public view of a tracker (never the tracker
itself: see :mod:`diasporatrack.publish.view`) into a mapping of relative
file names to bytes: HTML pages rendered by the Jinja2 templates of
``templates/`` (autoescaped), a search index and its script, an Atom feed of
status changes, and the data in JSON, CSV and SQLite. Every page carries a
Content-Security-Policy that allows nothing but the site's own files, so no
page loads anything from another host, and text that slipped past escaping
could still not run.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import re
from collections import Counter
from html import escape
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import jinja2
from markupsafe import Markup

from ..errors import InputError
from ..model import Event, Recommendation
from ..report import UNOWNED, by_owner_rolled_up, by_source, by_theme, group_progress, progress
from ..translations import Localizer, Shown, lang_attributes
from .labels import direction, labels, languages
from .profile import profile_of
from .sitedata import SiteFiles, archived_documents, atom_feed, data_chunks, search_chunks
from .siteplan import SitePlan, build_plan_pages

PAGE_SIZE = 500  # recommendations on one page of a list, so a UPR-sized workspace stays browsable
DEFAULT_TITLE = "Recommendations tracker"
CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"
# Distinct, readable on white, in lifecycle order; text always says the same, so colour is never the only cue.
PALETTE = ("#8c96a3", "#3b7dd8", "#e0a526", "#2e9e5b", "#7fc08f", "#c2571a", "#b3261e", "#6b4fa0", "#1f6f78",
           "#a1487e")
NO_THEME = "(no theme)"
# The magic bytes of the logo formats a browser shows without running anything (an SVG can carry script).
IMAGE_KINDS = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"))
# A 1x1 transparent PNG: without an icon of its own, a browser asks for /favicon.ico and logs the 404.
ICON = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
MARKER = ".diasporatrack-site"  # names a folder as a site this program wrote, so a rebuild may replace it


def natural_key(text: str) -> str:
    """A sort key in which "session 2" comes before "session 10"."""
    return re.sub(r"\d+", lambda m: m.group().zfill(12), text.casefold())


@functools.lru_cache(maxsize=1 << 18)  # each id is asked for by every page that links it
def page_name(key: str) -> str:
    """A file name for an id or a theme: the key itself when it is safe in a URL on every file system."""
    if re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,100}", key) and not key.endswith("."):
        return key
    slug = re.sub(r"[^a-z0-9]+", "-", key.casefold()).strip("-")[:60] or "x"
    return f"{slug}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


def safe_url(url: str | None) -> str | None:
    """An http(s) address may become a link; anything else (javascript:, data:) stays text."""
    return url if url and re.match(r"^https?://[^\s]+\Z", url, re.IGNORECASE) else None


def render_markdown(text: str) -> str:
    """Markdown as HTML, with raw HTML and images left out (an image would be a request to another host)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False})

    def image_as_text(renderer, tokens, idx, options, env):  # its alt text, escaped; never a request
        return escape(renderer.renderInlineAsText(tokens[idx].children or [], options, env))

    md.add_render_rule("image", image_as_text)
    # Only web and mail addresses, and addresses without a scheme, become links (no ftp:, tel:, intent:...).
    md.validateLink = lambda url: (re.match(r"^\s*(https?|mailto):", url, re.IGNORECASE) is not None
                                   or re.match(r"^\s*[a-z][a-z0-9+.-]*:", url, re.IGNORECASE) is None)
    return md.render(text)


def logo_kind(data: bytes) -> str | None:
    """``png``, ``jpg`` or ``webp`` from the file's first bytes, else None."""
    for magic, kind in IMAGE_KINDS:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def read_logo(root: Path, relative: str) -> tuple[str, bytes]:
    """The logo's kind and bytes, read safely inside the workspace; an error names the setting."""
    from ..safeio import UnsafeFile, read_bytes

    where = "diasporatrack.yaml: publish: logo"
    try:
        data = read_bytes(root, root / relative, "settings")
    except FileNotFoundError:
        raise InputError(f"{where}: no file {relative!r} in the workspace") from None
    except UnsafeFile as err:
        raise InputError(f"{where}: {err}") from None
    kind = logo_kind(data)
    if kind is None:
        raise InputError(f"{where}: {relative!r} is not a PNG, JPEG or WebP image (an SVG can carry script)")
    return kind, data


def paginate(items: Sequence[Any], stem: str) -> list[tuple[str, Sequence[Any]]]:
    """(file name, items) of each page: ``stem.html``, ``stem-2.html``, ... at most :data:`PAGE_SIZE` each."""
    chunks = [items[i:i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)] or [items]
    return [(f"{stem}.html" if n == 0 else f"{stem}-{n + 1}.html", chunk) for n, chunk in enumerate(chunks)]


@attrs.frozen
class Bar:
    """A stacked bar: (label, count, colour) parts and their total."""

    parts: tuple[tuple[str, int, str], ...]
    total: int

    def segments(self) -> list[tuple[str, int, str, float, float]]:
        """(label, count, colour, x, width) in percent of the bar, zero counts left out."""
        out, x = [], 0.0
        for label, n, colour in self.parts:
            if n and self.total:
                width = 100 * n / self.total
                out.append((label, n, colour, round(x, 3), round(width, 3)))
                x += width
        return out

    def said(self) -> str:
        return ", ".join(f"{label} {n}" for label, n, _ in self.parts if n) or "0"


class Site:
    """Everything one build needs: the view, its recommendations, the settings and the templates."""

    def __init__(self, view: Any, recommendations: Sequence[Recommendation], today: dt.date | None = None) -> None:
        self.view = view
        self.profile = profile_of(view)
        # export --lang: the content in that language where translated, the site's own words too when a label
        # file has them; each text is marked with the language it is in where the page's is not it.
        self.loc = Localizer.for_tracker(view)
        self.lang = self.loc.lang if self.loc.lang in languages() else self.profile.language
        self.words = labels(self.lang)
        self.recs = sorted(recommendations, key=lambda r: (natural_key(view.sources[r.source].title
                                                                       if r.source in view.sources else r.source),
                                                           natural_key(r.id)))
        self.today = today or dt.date.today()
        self.colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(view.lifecycle.names)}
        self.owner_keys = by_owner_rolled_up(view.owners)
        self.themes = {t: page_name(t) for r in self.recs for t in r.themes}
        self.by_id = {r.id: r for r in self.recs}
        self.palette = PALETTE
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("diasporatrack.publish", "templates"),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            auto_reload=False)  # the templates of one build never change: no file check per page
        self.env.filters["natural"] = natural_key
        self.env.globals.update(site=self, words=self.words, page_name=page_name, safe_url=safe_url, csp=CSP,
                                lang=self.lang, dir=direction(self.lang))
        self.files = SiteFiles()
        self._rows: dict[tuple[str, str], Markup] = {}
        # Every owner is a link, until a build knows which owners have a page (the web app has one for each).
        self.owner_pages: set[str] = set(view.owners)
        self.plan_pages = False  # the static build links the plan's pages when it writes them

    @functools.cached_property
    def plan(self) -> SitePlan:
        """The published plan, read when a page first asks for it (a web app's page may never)."""
        return SitePlan(self)

    # --- names and groups ------------------------------------------------------

    def source_title(self, source_id: str) -> str:
        source = self.view.sources.get(source_id)
        return self.loc.source(source).text if source is not None else source_id

    # --- text in its language -------------------------------------------------------

    def mark(self, shown: Shown | None, tag: str = "span") -> Markup:
        """``shown`` in a ``tag`` element, with its own ``lang`` and ``dir`` when the page's are not its."""
        if shown is None:
            return Markup("")
        marks = lang_attributes(shown, self.lang)
        if not marks and tag == "span":  # inline text in the page's own language needs no element
            return Markup(escape(shown.text))
        return Markup(f"<{tag}{marks}>{escape(shown.text)}</{tag}>")

    def rec_text(self, rec: Recommendation, field: str, tag: str = "span") -> Markup:
        """A recommendation's title, text or (always verbatim) quote, marked with its language."""
        return self.mark(self.loc.rec(rec, field), tag)

    def rec_title(self, rec: Recommendation) -> str:
        return self.loc.rec(rec, "title").text

    def source_text(self, source_id: str, tag: str = "span") -> Markup:
        source = self.view.sources.get(source_id)
        return self.mark(self.loc.source(source), tag) if source is not None else Markup(escape(source_id))

    def finding_text(self, finding: Any, source: Any, field: str = "text", tag: str = "p") -> Markup:
        return self.mark(self.loc.finding(finding, source, field), tag)

    def quote_translation(self, record: Any) -> Shown | None:
        return self.loc.quote_translation(record)

    def owner_name(self, owner_id: str) -> str:
        if owner_id == UNOWNED:
            return self.words["unowned"]
        owner = self.view.owners.get(owner_id)
        return owner.name if owner is not None else owner_id

    def row(self, rec: Recommendation, root: str) -> Markup:
        """The row of ``rec`` in a table of recommendations, rendered once: a recommendation is in several lists."""
        key = (rec.id, root)
        html = self._rows.get(key)
        if html is None:
            html = self._rows[key] = Markup(self.env.get_template("row.html").render(rec=rec, root=root))
        return html

    def bar(self, recs: Iterable[Recommendation]) -> Bar:
        counts = Counter(r.status for r in recs)
        parts = [(s, counts.get(s, 0), c) for s, c in self.colours.items()]
        parts += [(s, n, "#555555") for s, n in sorted(counts.items()) if s not in self.colours]
        return Bar(tuple(parts), sum(counts.values()))

    def groups(self, keys: Callable[[Recommendation], Iterable[str]], name: Callable[[str], str],
               link: Callable[[str], str | None]) -> list[dict[str, Any]]:
        """Progress of each group, in natural order of the names, with a link and a stacked bar."""
        members: dict[str, list[Recommendation]] = {}
        for rec in self.recs:
            for key in keys(rec):
                members.setdefault(key, []).append(rec)
        rows = [{"name": name(g.group), "href": link(g.group), "count": g.count, "progress": g.progress,
                 "bar": self.bar(members[g.group])}
                for g in group_progress(self.recs, self.view.lifecycle, keys)]
        return sorted(rows, key=lambda row: natural_key(row["name"]))

    def source_groups(self) -> list[dict[str, Any]]:
        """Progress per source, the sources without recommendations (findings only) included."""
        rows = self.groups(by_source, self.source_title, lambda k: f"s/{page_name(k)}.html")
        seen = {r.source for r in self.recs}
        rows += [{"name": s.title, "href": f"s/{page_name(s.id)}.html", "count": 0, "progress": 0.0,
                  "bar": self.bar(())} for s in self.view.sources.values() if s.id not in seen]
        return sorted(rows, key=lambda row: natural_key(row["name"]))

    def status_rows(self) -> list[tuple[str, str, int, str]]:
        counts = Counter(r.status for r in self.recs)
        rows = [(s.name, s.definition, counts.get(s.name, 0), self.colours[s.name]) for s in self.view.lifecycle]
        rows += [(n, self.words["not_in_lifecycle"], c, "#555555") for n, c in sorted(counts.items())
                 if n not in self.colours]
        return rows

    def response_rows(self) -> list[tuple[str, str, int]]:
        none = self.words["none_recorded"]
        counts = Counter(r.response or none for r in self.recs)
        rows = [(r.name, r.definition, counts.get(r.name, 0)) for r in self.view.responses]
        rows += [(n, "" if n == none else self.words["not_in_responses"], c) for n, c in sorted(counts.items())
                 if n not in self.view.responses]
        return rows

    def definition(self, status: str) -> str:
        return self.view.lifecycle[status].definition if status in self.view.lifecycle else ""

    def response_definition(self, response: str | None) -> str:
        if response is None or response not in self.view.responses:
            return ""
        return self.view.responses[response].definition

    def events(self, rec: Recommendation) -> list[Event]:
        return sorted(rec.history, key=lambda e: e.sort_key)

    def describe(self, event: Event) -> str:
        """What changed, without the note, whom it was for and the evidence (the page shows those apart)."""
        return attrs.evolve(event, note=None, for_owner=None, links=(), evidence=None).describe()

    # --- writing ------------------------------------------------------------------

    def page(self, name: str, template: str, **context: Any) -> None:
        """Add a page, rendered when it is written (see :class:`SiteFiles`)."""
        root = "../" * name.count("/")
        self.files.later(name, lambda: self.env.get_template(template).render(root=root, here=name, **context)
                         .encode("utf-8"))

    def listing(self, stem: str, template: str, recs: Sequence[Recommendation], **context: Any) -> None:
        pages = paginate(recs, stem)
        names = [n.rsplit("/", 1)[-1] for n, _ in pages]
        for number, (name, chunk) in enumerate(pages):
            self.page(name, template, recs=chunk, pages=names, number=number, **context)

    def build(self) -> SiteFiles:
        view, recs, words = self.view, self.recs, self.words
        self.plan_pages = bool(self.plan)  # every page links the plan's pages when there are any
        logo = None
        if self.profile.logo:
            kind, data = read_logo(Path(view.root), self.profile.logo)
            logo = f"assets/logo.{kind}"
            self.files[logo] = data
        self.env.globals.update(
            title=self.profile.title or DEFAULT_TITLE, logo=logo,
            licence=self.profile.licence, licence_url=safe_url(self.profile.licence_url))
        intro = render_markdown(self.profile.introduction) if self.profile.introduction else None
        owned: dict[str, list[Recommendation]] = {}
        for rec in recs:
            for key in self.owner_keys(rec):
                owned.setdefault(key, []).append(rec)
        self.owner_pages = {o for o in owned if o != UNOWNED}  # an action's owner is a link only if it has a page
        changes = sorted(((e, r) for r in recs for e in r.history), key=lambda p: p[0].sort_key, reverse=True)
        self.page("index.html", "home.html", intro=intro, description=self.profile.description,
                  total=len(recs), n_sources=len({r.source for r in recs}),
                  overall=progress(recs, view.lifecycle), statuses=self.status_rows(), bar=self.bar(recs),
                  responses=self.response_rows(),
                  by_source=self.source_groups(),
                  by_owner=self.groups(self.owner_keys, self.owner_name,
                                       lambda k: None if k == UNOWNED else f"o/{page_name(k)}.html"),
                  by_theme=self.groups(by_theme, lambda k: words["no_theme"] if k == NO_THEME else k,
                                       lambda k: None if k == NO_THEME else f"t/{self.themes[k]}.html"),
                  changes=changes[:20])
        self.listing("recommendations/index", "list.html", recs, heading=words["recommendations"])
        for rec in recs:
            self.page(f"r/{page_name(rec.id)}.html", "recommendation.html", rec=rec,
                      source=view.sources.get(rec.source))
        # Every published source has its page, one with findings only (no recommendation) too.
        # Grouped in one pass each: a UPR-sized workspace has hundreds of themes and 100,000 recommendations.
        by_source_id: dict[str, list[Recommendation]] = {s: [] for s in view.sources}
        by_theme_name: dict[str, list[Recommendation]] = {}
        for rec in recs:
            by_source_id.setdefault(rec.source, []).append(rec)
            for theme in rec.themes:
                by_theme_name.setdefault(theme, []).append(rec)
        archived = archived_documents(self)
        for source_id in sorted(by_source_id, key=lambda s: natural_key(self.source_title(s))):
            self.listing(f"s/{page_name(source_id)}", "source.html", by_source_id[source_id],
                         heading=self.source_title(source_id), source=view.sources.get(source_id),
                         archived=archived.get(source_id, ()))
        for owner_id, chosen in owned.items():
            if owner_id != UNOWNED:
                owner = view.owners.get(owner_id)
                self.listing(f"o/{page_name(owner_id)}", "list.html", chosen, heading=self.owner_name(owner_id),
                             kind=words["owner"], parent=owner.parent if owner is not None else None)
        for theme, name in self.themes.items():
            self.listing(f"t/{name}", "list.html", by_theme_name[theme], heading=theme,
                         kind=words["theme"])
        build_plan_pages(self)
        self.page("search.html", "search.html")
        self.files.later("search.json", self._search)
        self.files["feed.xml"] = atom_feed(self, changes).encode("utf-8")
        self._data()
        self._assets()
        return self.files

    def _search(self) -> Iterator[bytes]:
        self._rows.clear()  # the pages are written: the rows they shared are not needed any more
        return search_chunks(self)

    def _data(self) -> None:
        """The published data beside the pages, as the json, csv and sqlite exports of the same public view
        give it, each made when it is written (one after the other: each is as large as the workspace)."""
        for name in ("data.json", "data.csv", "data.db"):
            self.files.later(name, functools.partial(data_chunks, self, name))

    def _assets(self) -> None:
        static = resources.files(__package__).joinpath("static")
        for name in ("site.css", "search.js"):
            self.files[f"assets/{name}"] = static.joinpath(name).read_bytes()
        # The accent colour was checked as #rrggbb when the settings were read; checked again, it is the only
        # setting that reaches CSS.
        accent = self.profile.accent if re.fullmatch(r"#[0-9a-fA-F]{6}", self.profile.accent or "") else "#1f6f78"
        self.files["assets/theme.css"] = f":root {{ --accent: {accent}; }}\n".encode()
        self.files["assets/icon.png"] = ICON
        self.files[MARKER] = b"A site written by diasporatrack export site; rebuilding replaces this folder.\n"


def build_site(view: Any, recommendations: Sequence[Recommendation], today: dt.date | None = None
               ) -> Mapping[str, Any]:
    """The files of the static site of ``view`` (a published view), by relative name; pages are rendered as
    they are read."""
    return Site(view, recommendations, today).build()
