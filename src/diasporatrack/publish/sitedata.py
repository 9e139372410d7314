"""The site's files beside its pages: the search index, the Atom feed of status changes, archived documents.

The index and the feed are built from the public view only, like the pages.
Archived source documents are republished only when ``publish.archive`` is
true (their licence must allow it); otherwise a source's page links the
document at its address.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

FEED_SIZE = 200  # the newest status changes a feed reader needs; the full history is in data.json


class SiteFiles(Mapping[str, Any]):
    """The files of a site by name; a page is rendered only when it is read.

    The folder writer reads each file once, so at most one page is in memory at a time: a site of
    100,000 recommendations is written without holding its gigabyte of pages. The large data files are
    iterables of bytes, written piece by piece (see :func:`diasporatrack.folders.write_folder`).
    """

    def __init__(self) -> None:
        self._files: dict[str, Any] = {}

    def __setitem__(self, name: str, data: bytes) -> None:
        self._files[name] = data

    def later(self, name: str, make: Callable[[], Any]) -> None:
        self._files[name] = make

    def __getitem__(self, name: str) -> Any:
        data = self._files[name]
        return data if isinstance(data, bytes) else data()

    def read(self, name: str) -> bytes:
        """The whole of one file, joined if it is made in pieces."""
        data = self[name]
        return data if isinstance(data, bytes) else b"".join(data)

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


def search_rows(site: Any) -> Iterator[list[Any]]:
    """The recommendations as the search script reads them, one row of fields and text each.

    A row is ``[page, id, title, status, response, source, owners, themes, text]``; owners are rolled up to
    their parent organisations, as on the owners' pages, so a facet finds an expert group's work too.
    """
    from .site import page_name

    for rec in site.recs:
        owners = [o for o in site.owner_keys(rec) if o in site.view.owners]
        notes = [e.note for e in rec.history if e.note]
        translated = [t for texts in rec.translations.values() for t in texts.values()]  # found in any language
        # The actions that implement it and their indicators: "clinic" finds what a clinic implements.
        plan = [t for a in site.plan.of(rec.id) for t in (a.title, a.description, *(i.title for i in a.indicators))]
        text = " ".join(filter(None, [rec.id, rec.title, rec.text, rec.quote, *translated, *rec.addressed_to,
                                      *rec.themes, site.source_title(rec.source),
                                      *(site.owner_name(o) for o in owners), rec.reference, *notes, *plan]))
        yield [f"r/{page_name(rec.id)}.html", rec.id, site.rec_title(rec), rec.status, rec.response or "",
               rec.source, owners, list(rec.themes), text]


def search_chunks(site: Any) -> Iterator[bytes]:
    """``search.json`` in pieces: ``{"facets": ..., "labels": ..., "rows": [...]}``, a row at a time."""
    natural = site.env.filters["natural"]
    none = site.words["none_recorded"]
    owners = {o for rec in site.recs for o in site.owner_keys(rec) if o in site.view.owners}
    facets = {
        "status": [[s, s] for s in site.colours] + sorted({(r.status, r.status) for r in site.recs
                                                           if r.status not in site.colours}),
        "response": [[r.name, r.name] for r in site.view.responses] + [["", none]],
        "source": sorted(([s, site.source_title(s)] for s in {r.source for r in site.recs}),
                         key=lambda p: natural(p[1])),
        "owner": sorted(([o, site.owner_name(o)] for o in owners), key=lambda p: natural(p[1])),
        "theme": sorted(([t, t] for t in site.themes), key=lambda p: natural(p[1])),
    }
    words = {k: site.words[k] for k in ("status", "response", "source", "owner", "theme", "all", "results")}

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    yield f'{{"facets":{dump(facets)},"labels":{dump(words)},"rows":['.encode()
    for n, row in enumerate(search_rows(site)):
        yield (dump(row) if n == 0 else "," + dump(row)).encode()
    yield b"]}"


def data_chunks(site: Any, name: str) -> Iterator[bytes]:
    """``data.json``, ``data.csv`` or ``data.db``, the public exports of the same view, in pieces of at most
    about a megabyte, so that writing a 100,000-recommendation site never holds a whole one in memory."""
    if name == "data.json":
        from ..builtin.json_exporter import JsonExporter

        for piece in JsonExporter().chunks(site.view, site.recs):
            yield piece.encode("utf-8")
    elif name == "data.csv":
        from ..builtin.csv_exporter import to_csv
        from ..serialize import recommendation_to_dict

        yield to_csv(()).encode("utf-8")
        for start in range(0, len(site.recs), 1000):
            batch = site.recs[start:start + 1000]
            yield to_csv((recommendation_to_dict(r) for r in batch), header=False).encode("utf-8")
    else:
        import tempfile
        from pathlib import Path

        from ..builtin.sqlite_exporter import write_database

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "data.db"
            write_database(path, site.view, site.recs)
            with path.open("rb") as db:
                while chunk := db.read(1 << 20):
                    yield chunk


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(site: Any, changes: list) -> str:
    """An Atom feed of the newest public status changes, newest first.

    Links are absolute when ``publish.base_url`` says where the site is, else relative to the feed.
    """
    from .site import page_name

    moves = [(e, r) for e, r in changes if e.status is not None][:FEED_SIZE]
    # Feed readers need absolute links: from publish.base_url (checked as http(s)://host/path/ when read).
    base = site.profile.base_url or ""
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
            f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(base + 'r/' + page_name(rec.id) + '.html')}/>"
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
        f'<link rel="self" type="application/atom+xml" href={quoteattr(base + "feed.xml")}/>'
        f'<link rel="alternate" type="text/html" href={quoteattr(base + "index.html")}/>'
        + (f"<rights>{escape(site.profile.licence)}</rights>" if site.profile.licence else "")
    )
    return head + "".join(entries) + "</feed>\n"


# Originals that are republished beside their text. An HTML page is not: on the site's own origin, and
# without the pages' Content-Security-Policy, its script would run as the site's.
REPUBLISHED_ORIGINALS = (".pdf", ".docx")


def archived_documents(site: Any) -> dict[str, list[tuple[str, str]]]:
    """Copy the archived documents of the published sources into ``archive/``, when ``publish.archive`` is true.

    Returns, by source id, the (kind, file name) pairs its page links. Files are read like every workspace
    file (inside the workspace, no link followed, bounded); one that cannot be read is left out.
    """
    from pathlib import Path

    from ..quotes import ARCHIVE_DIR
    from ..safeio import UnsafeFile, read_bytes
    from .site import page_name

    found: dict[str, list[tuple[str, str]]] = {}
    if not site.profile.archive:
        return found
    root = Path(site.view.root)
    for source_id in site.view.sources:
        for suffix in (".txt", *REPUBLISHED_ORIGINALS):
            try:
                data = read_bytes(root, root / ARCHIVE_DIR / f"{source_id}{suffix}", "document")
            except (FileNotFoundError, NotADirectoryError, UnsafeFile):
                continue
            name = f"archive/{page_name(source_id)}{suffix}"
            site.files[name] = data
            found.setdefault(source_id, []).append((suffix[1:].upper(), name))
    return found
