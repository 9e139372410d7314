"""``sqlite``: a SQLite database to publish tracking data, e.g. with Datasette.

Tables: ``sources``, ``owners``, ``recommendations`` (with the current status
and response), ``recommendation_owners`` and ``events``; foreign keys between
them, indexes on the columns people filter by, and a full-text index
(``recommendations_fts``) over title, text and quote. List fields (owners,
themes, addressees, links) are also kept as JSON arrays on each
recommendation, which Datasette facets with ``_facet_array``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..hookspecs import hookimpl
from ..journal import event_to_dict
from ..model import Recommendation

SCHEMA = """
PRAGMA foreign_keys = ON;
CREATE TABLE sources (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT, kind TEXT, date TEXT, authors TEXT, url TEXT,
    note TEXT
);
CREATE TABLE owners (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT, parent TEXT REFERENCES owners (id), email TEXT, note TEXT
);
CREATE TABLE recommendations (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, source TEXT NOT NULL REFERENCES sources (id),
    quote TEXT, author TEXT, addressed_to TEXT, owners TEXT, themes TEXT, status TEXT NOT NULL, progress REAL,
    response TEXT, due TEXT, review_every INTEGER, impact TEXT, links TEXT, updated TEXT
);
CREATE TABLE recommendation_owners (
    recommendation TEXT NOT NULL REFERENCES recommendations (id),
    owner TEXT NOT NULL REFERENCES owners (id),
    PRIMARY KEY (recommendation, owner)
);
CREATE TABLE events (
    id TEXT PRIMARY KEY, at TEXT NOT NULL, by TEXT NOT NULL,
    recommendation TEXT NOT NULL REFERENCES recommendations (id),
    kind TEXT NOT NULL, status TEXT, previous_status TEXT, response TEXT, note TEXT, details TEXT
);
CREATE INDEX recommendations_status ON recommendations (status);
CREATE INDEX recommendations_response ON recommendations (response);
CREATE INDEX recommendations_source ON recommendations (source);
CREATE INDEX recommendations_due ON recommendations (due);
CREATE INDEX recommendation_owners_owner ON recommendation_owners (owner);
CREATE INDEX events_recommendation ON events (recommendation);
CREATE INDEX events_at ON events (at);
CREATE VIRTUAL TABLE recommendations_fts USING fts5 (title, text, quote, content='recommendations',
                                                    content_rowid='rowid');
"""


def _list(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def write_database(path: Path, tracker, recommendations: Sequence[Recommendation]) -> None:
    """Write the database to ``path`` in one go (a new file renamed into place)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    os.unlink(tmp)  # sqlite creates it
    try:
        db = sqlite3.connect(tmp)
        try:
            db.executescript(SCHEMA)
            source_ids = {r.source for r in recommendations}
            db.executemany("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                (s.id, s.title, s.publisher, s.kind, s.date.isoformat() if s.date else None, _list(s.authors),
                 s.url, s.note)
                for s in tracker.sources.values() if s.id in source_ids or len(recommendations) == len(tracker)])
            owner_ids = set(tracker.owners)
            # Parents first, so every foreign key points at a row already there.
            ordered = sorted(tracker.owners.values(), key=lambda o: _depth(tracker, o.id))
            db.executemany("INSERT INTO owners VALUES (?, ?, ?, ?, ?, ?)", [
                (o.id, o.name, o.kind, o.parent if o.parent in owner_ids else None, o.email, o.note)
                for o in ordered])
            lifecycle = tracker.lifecycle
            db.executemany("INSERT INTO recommendations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                (r.id, r.title, r.text, r.source, r.quote, r.author, _list(r.addressed_to), _list(r.owners),
                 _list(r.themes),
                 r.status, lifecycle[r.status].weight if r.status in lifecycle else None, r.response,
                 r.due.isoformat() if r.due else None, r.review_every, r.impact, _list(r.links),
                 r.updated.strftime("%Y-%m-%dT%H:%M:%SZ") if r.updated else None)
                for r in recommendations])
            db.executemany("INSERT INTO recommendation_owners VALUES (?, ?)",
                           [(r.id, o) for r in recommendations for o in r.owners if o in owner_ids])
            rows = []
            for rec in recommendations:
                for event in rec.history:
                    raw = event_to_dict(event)
                    details = {k: v for k, v in raw.items() if k not in
                               ("id", "at", "by", "recommendation", "kind", "status", "previous_status", "response",
                                "note")}
                    rows.append((event.id, raw["at"], event.by, rec.id, event.kind, event.status,
                                 event.previous_status, event.response, event.note,
                                 json.dumps(details, ensure_ascii=False) if details else None))
            db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            db.execute("INSERT INTO recommendations_fts (rowid, title, text, quote) "
                       "SELECT rowid, title, text, quote FROM recommendations")
            db.commit()
        finally:
            db.close()
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _depth(tracker, owner_id: str) -> int:
    depth, seen = 0, set()
    owner = tracker.owners.get(owner_id)
    while owner is not None and owner.parent and owner.parent not in seen:
        seen.add(owner.parent)
        owner = tracker.owners.get(owner.parent)
        depth += 1
    return depth


class SqliteExporter:
    name = "sqlite"
    extension = "db"
    description = "SQLite database with full-text search, ready for Datasette"
    binary = True  # not for a terminal: the CLI asks for -o FILE

    def export(self, tracker, recommendations: Sequence[Recommendation]) -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.db"
            write_database(path, tracker, recommendations)
            return path.read_bytes()


@hookimpl
def register_exporters():
    return [SqliteExporter()]
