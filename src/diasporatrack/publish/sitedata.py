"""The site's machine-readable parts: the search index and the Atom feed of status changes.

Both are built from the public view only, like the pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape, quoteattr

FEED_SIZE = 200  # the newest status changes a feed reader needs; the full history is in data.json


def search_index(site: Any) -> dict[str, Any]:
    """The recommendations as the search script reads them: facets, and one row of fields and text each.

    A row is ``[page, id, title, status, response, source, owners, themes, text]``; owners are rolled up to
    their parent organisations, as on the owners' pages, so a facet finds an expert group's work too.
    """
    from .site import page_name

    rows = []
    for rec in site.recs:
        owners = [o for o in site.owner_keys(rec) if o in site.view.owners]
        notes = [e.note for e in rec.history if e.note]
        translated = [t for texts in rec.translations.values() for t in texts.values()]  # found in any language
        # The actions that implement it and their indicators: "clinic" finds what a clinic implements.
        plan = [t for a in site.plan.of(rec.id) for t in (a.title, a.description, *(i.title for i in a.indicators))]
        text = " ".join(filter(None, [rec.id, rec.title, rec.text, rec.quote, *translated, *rec.addressed_to,
                                      *rec.themes, site.source_title(rec.source),
                                      *(site.owner_name(o) for o in owners), rec.reference, *notes, *plan]))
        rows.append([f"r/{page_name(rec.id)}.html", rec.id, site.rec_title(rec), rec.status, rec.response or "",
                     rec.source, owners, list(rec.themes), text])
    none = site.words["none_recorded"]
    facets = {
        "status": [[s, s] for s in site.colours] + sorted({(r.status, r.status) for r in site.recs
                                                           if r.status not in site.colours}),
        "response": [[r.name, r.name] for r in site.view.responses] + [["", none]],
        "source": sorted(([s, site.source_title(s)] for s in {r.source for r in site.recs}),
                         key=lambda p: site.env.filters["natural"](p[1])),
        "owner": sorted(([o, site.owner_name(o)] for o in {o for row in rows for o in row[6]}),
                        key=lambda p: site.env.filters["natural"](p[1])),
        "theme": sorted(([t, t] for t in site.themes), key=lambda p: site.env.filters["natural"](p[1])),
    }
    return {"facets": facets, "labels": {k: site.words[k] for k in ("status", "response", "source", "owner",
                                                                     "theme", "all", "results")},
            "rows": rows}


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(site: Any, changes: list) -> str:
    """An Atom feed of the newest public status changes, newest first; links are relative to the site."""
    from .site import page_name

    moves = [(e, r) for e, r in changes if e.status is not None][:FEED_SIZE]
    title = site.env.globals["title"]
    updated = _stamp(moves[0][0].at) if moves else f"{site.today.isoformat()}T00:00:00Z"
    entries = []
    for event, rec in moves:
        what = f"{site.rec_title(rec)}: {event.previous_status + ' → ' if event.previous_status else ''}{event.status}"
        summary = site.definition(event.status)
        if event.note:
            summary = f"{summary} — {event.note}" if summary else event.note
        entries.append(
            "<entry>"
            f"<id>urn:diasporatrack:event:{escape(event.id)}</id>"
            f"<title>{escape(what)}</title>"
            f"<updated>{_stamp(event.at)}</updated>"
            f"<author><name>{escape(event.by)}</name></author>"
            f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr('r/' + page_name(rec.id) + '.html')}/>"
            f"<category term={quoteattr(event.status)}/>"
            f"<summary>{escape(summary)}</summary>"
            "</entry>")
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(site.profile.language)}>'
        f"<title>{escape(title)}</title>"
        f"<subtitle>{escape(site.words['feed'])}</subtitle>"
        "<id>urn:diasporatrack:feed:status-changes</id>"
        f"<updated>{updated}</updated>"
        '<link rel="self" type="application/atom+xml" href="feed.xml"/>'
        '<link rel="alternate" type="text/html" href="index.html"/>'
        + (f"<rights>{escape(site.profile.licence)}</rights>" if site.profile.licence else "")
    )
    return head + "".join(entries) + "</feed>\n"
