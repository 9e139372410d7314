"""The pages of the web app, drawn by the templates of the static site plus a few of its own.

The URLs are the static site's (``/r/ID.html``, ``/s/ID.html``, ``/o/ID.html``,
``/t/THEME.html``, ``/recommendations/index.html``), so the shared
templates' links work unchanged. A viewer sees the published view (as the
public site shows it); members and above see the tracker itself: private
notes, who did what, owners' contacts and drafts. The web templates are
found first, the publishing ones after them; every template autoescapes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import jinja2

from ..model import Recommendation
from ..publish.labels import direction, labels
from ..publish.profile import profile_of
from ..publish.site import CSP, DEFAULT_TITLE, NO_THEME, Site, natural_key, page_name, safe_url
from ..report import UNOWNED, by_theme, progress
from ..versions import version_of
from .auth import acting_owners, may_act, sees_private

PAGE_SIZE = 100  # rows of a list page: a 10,000-recommendation workspace stays quick to browse
RECENT = 20


class Pages:
    """One Jinja2 environment for the life of the app (templates compile once)."""

    def __init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader([jinja2.PackageLoader("diasporatrack.web", "templates"),
                                        jinja2.PackageLoader("diasporatrack.publish", "templates")]),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.filters["natural"] = natural_key
        self.env.globals.update(page_name=page_name, safe_url=safe_url, csp=CSP, logo=None)

    def render(self, template: str, *, site: Site, account: Mapping[str, Any], notice: str | None = None,
               **context: Any) -> str:
        """A page: the site's words and settings, the account bar and any notice, then the page's own."""
        profile = site.profile
        return self.env.get_template(template).render(
            site=site, words=site.words, lang=profile.language, dir=direction(profile.language),
            title=profile.title or DEFAULT_TITLE, licence=profile.licence, licence_url=safe_url(profile.licence_url),
            root="/", here="", account=account, notice=notice, extra_styles=["web.css"], **context)


def view_for(tracker: Any, user: Any) -> Any:
    """What ``user`` may read: the tracker for members and above, else its published view."""
    return tracker if sees_private(user) else tracker.published()


def find(view: Any, name: str) -> Recommendation | None:
    """The recommendation whose page name is ``name`` (its id, or the safe name of an odd id)."""
    if name in view:
        rec = view.get(name)
        if page_name(rec.id) == name:
            return rec
    return next((r for r in view if page_name(r.id) == name), None)


def paginate(recs: Sequence[Recommendation], page: int) -> tuple[Sequence[Recommendation], int, int]:
    """(the recommendations of page ``page`` (from 0), the page shown, the number of pages)."""
    count = max(1, -(-len(recs) // PAGE_SIZE))
    page = min(max(page, 0), count - 1)
    return recs[page * PAGE_SIZE:(page + 1) * PAGE_SIZE], page, count


def page_links(query: Mapping[str, str], count: int) -> list[str]:
    """The address of each page of a list, keeping its filters."""
    from urllib.parse import urlencode

    kept = {k: v for k, v in query.items() if k != "page"}
    return ["?" + urlencode({**kept, "page": str(n + 1)}) for n in range(count)]


def home(view: Any) -> dict[str, Any]:
    """The home page's context: totals, status and response breakdowns, progress per group, recent changes."""
    recs = list(view)
    site = Site(view, recs)
    words = site.words
    changes = sorted(((e, r) for r in recs for e in r.history), key=lambda p: p[0].sort_key, reverse=True)
    return dict(site=site, intro=None, description=site.profile.description, total=len(recs),
                n_sources=len({r.source for r in recs}), overall=progress(recs, view.lifecycle),
                statuses=site.status_rows(), bar=site.bar(recs), responses=site.response_rows(),
                by_source=site.source_groups(),
                by_owner=site.groups(site.owner_keys, site.owner_name,
                                     lambda k: None if k == UNOWNED else f"o/{page_name(k)}.html"),
                by_theme=site.groups(by_theme, lambda k: words["no_theme"] if k == NO_THEME else k,
                                     lambda k: None if k == NO_THEME else f"t/{site.themes[k]}.html"),
                changes=changes[:RECENT])


def listing(view: Any, recs: list[Recommendation], query: Mapping[str, str], **context: Any) -> dict[str, Any]:
    """A list page's context: one page of ``recs`` in the site's order, with links to the others."""
    site = Site(view, recs)
    try:
        wanted = int(query.get("page", "1")) - 1
    except ValueError:
        wanted = 0
    chunk, number, count = paginate(site.recs, wanted)
    return dict(site=site, recs=chunk, pages=page_links(query, count), number=number, **context)


def theme_named(view: Any, name: str) -> str | None:
    """The theme whose page name is ``name``."""
    return next((t for r in view for t in r.themes if page_name(t) == name), None)


def transitions(tracker: Any, rec: Recommendation) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(allowed next statuses with their definitions, the other statuses with why each is not offered)."""
    lifecycle = tracker.lifecycle
    current = lifecycle[rec.status] if rec.status in lifecycle else None
    allowed = list(current.next) if current is not None else []
    offered = [(name, lifecycle[name].definition) for name in allowed if name in lifecycle]
    said = ", ".join(allowed) if allowed else None
    refused = []
    for status in lifecycle:
        if status.name == rec.status or status.name in allowed:
            continue
        why = (f"not allowed after {rec.status!r} (allowed: {said})" if said
               else f"{rec.status!r} is final: no status may follow it")
        refused.append((status.name, why))
    return offered, refused


def indicators_for(tracker: Any, user: Any, rec: Recommendation) -> list[dict[str, Any]]:
    """The indicators of the actions implementing ``rec`` that ``user`` may report on."""
    try:
        plan = tracker.plan()
    except Exception:  # a plan with problems: the recommendation page still shows, without indicator forms
        return []
    found = []
    for action in plan.implementing(rec.id):
        for indicator in action.indicators:
            holders = [indicator.owner] if indicator.owner else list(action.owners)
            if may_act(user, holders, tracker):
                found.append({"ref": f"{action.id}/{indicator.id}", "action": action, "indicator": indicator,
                              "last": indicator.last})
    return found


def actions_context(tracker: Any, user: Any, rec: Recommendation, *, read_only: bool = False,
                    error: str | None = None, form: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What the member part of a recommendation page needs: the forms this user may use, and private facts."""
    may = may_act(user, rec.owners, tracker) and not read_only
    offered, refused = transitions(tracker, rec)
    mine = acting_owners(user, tracker) if user is not None else set()
    return {
        "may_act": may,
        "may_assign": may and user.at_least("coordinator"),
        "read_only": read_only,
        "version": version_of(rec),
        "offered": offered,
        "refused": refused,
        "responses": [(r.name, r.definition) for r in tracker.responses if r.name != rec.response],
        "all_owners": sorted(tracker.owners.values(), key=lambda o: natural_key(o.name)),
        "contacts": [tracker.owners[o] for o in rec.owners if o in tracker.owners and (tracker.owners[o].email or tracker.owners[o].note)],
        # an indicator is reported by whoever holds it, who may not hold the recommendation itself
        "indicators": indicators_for(tracker, user, rec) if not read_only and user is not None
        and user.at_least("member") else [],
        "why_not": None if may or read_only else (
            "Your account may read but not change recommendations." if not user.at_least("member") else
            "Only members of the owners that hold it (or of their expert groups) and coordinators may change it."
            + (f" You act for: {', '.join(sorted(mine))}." if mine else "")),
        "error": error,
        "form": dict(form or {}),
        "today": dt.date.today().isoformat(),
    }


# --- pages of their own --------------------------------------------------------------------

DATA_FILES = {"data.json": "application/json", "data.csv": "text/csv; charset=utf-8",
              "data.db": "application/vnd.sqlite3", "feed.xml": "application/atom+xml"}
SEARCH_FIELDS = ("q", "status", "owner", "source", "page")


def labels_of(view: Any) -> dict[str, str]:
    """The words of the workspace's language."""
    return labels(profile_of(view).language)


def bare(web: Any) -> Any:
    """A site-like object for pages about no recommendation (sign-in, accounts)."""
    from .app import _Bare

    with web.lock:
        config = web.tracker().config
    from ..publish.profile import Profile

    return _Bare(Profile.from_config(config))


def search(tracker: Any, view: Any, query: Mapping[str, str]) -> dict[str, Any]:
    """The search page: words and facets answered by :meth:`Tracker.query`, as the account may see them."""
    from ..errors import DiasporatrackError

    asked = {k: (query.get(k) or "").strip()[:500] for k in SEARCH_FIELDS}
    searched = any(asked[k] for k in ("q", "status", "owner", "source"))
    recs: list[Recommendation] = []
    error = None
    if searched:
        try:
            found = tracker.query(search=asked["q"] or None, status=asked["status"] or None,
                                  owner=asked["owner"] or None, source=asked["source"] or None)
        except DiasporatrackError as err:
            found, error = [], str(err)
        recs = view.select(found) if hasattr(view, "select") else found
    context = listing(view, recs, {k: v for k, v in asked.items() if v})
    return dict(context, query=asked, searched=searched, found=len(recs), error=error,
                statuses=list(view.lifecycle.names),
                owners=sorted(view.owners.values(), key=lambda o: natural_key(o.name)),
                sources=sorted(view.sources.values(), key=lambda s: natural_key(s.title)))


def data_file(view: Any, name: str) -> tuple[bytes, str]:
    """One of the site's data files, made from ``view`` by the same exporters as the static site."""
    from ..builtin.csv_exporter import CsvExporter
    from ..builtin.json_exporter import JsonExporter
    from ..builtin.sqlite_exporter import SqliteExporter
    from ..publish.sitedata import atom_feed

    recs = list(view)
    if name == "data.json":
        body: bytes = JsonExporter().export(view, recs).encode("utf-8")
    elif name == "data.csv":
        body = CsvExporter().export(view, recs).encode("utf-8")
    elif name == "data.db":
        body = SqliteExporter().export(view, recs)
    else:
        site = Site(view, recs)
        site.env.globals["title"] = site.profile.title or DEFAULT_TITLE
        changes = sorted(((e, r) for r in recs for e in r.history), key=lambda p: p[0].sort_key, reverse=True)
        body = atom_feed(site, changes).encode("utf-8")
    return body, DATA_FILES[name]
