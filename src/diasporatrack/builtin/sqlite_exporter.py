"""``sqlite``: a SQLite database to publish tracking data, e.g. with Datasette.

Tables: ``sources``, ``findings``, ``owners``, ``statuses``, ``responses``,
``recommendations`` (with the current status, response and progress),
``recommendation_owners``, ``events`` and, for the list fields,
``recommendation_sdgs`` (joined to ``sdg_goals``), ``recommendation_authors``,
``recommendation_affected_persons``, ``recommendation_cites`` (joined to
``findings``) and ``recommendation_extra``; foreign keys between them,
indexes on the columns people filter by, and full-text indexes
(``recommendations_fts`` over title, text and quote, ``findings_fts``) that
Datasette finds by itself. List fields (owners, themes, addressees, links)
are also kept as JSON arrays on each recommendation, which Datasette facets
with ``_facet_array``.

The database is a published artefact: public by default, so its tables have
no e-mail or note column for owners, no member's name for events and only
the notes marked public (see :mod:`diasporatrack.publish`). A private export
(``public=False``) adds those columns.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..hookspecs import hookimpl
from ..progress import measure_for
from ..model import Recommendation
from ..publish import Profile, profile_of

# (column, SQL type, recommendation field it shows or None for always)
_REC_COLUMNS = (
    ("id", "TEXT PRIMARY KEY", None), ("title", "TEXT NOT NULL", None), ("text", "TEXT", "text"),
    ("source", "TEXT NOT NULL REFERENCES sources (id)", None), ("quote", "TEXT", "quote"),
    ("author", "TEXT", "authors"), ("addressed_to", "TEXT", "addressed_to"), ("owners", "TEXT", "owners"),
    ("themes", "TEXT", "themes"), ("status", "TEXT NOT NULL", None), ("progress", "REAL", None),
    ("response", "TEXT", "response"), ("due", "TEXT", "due"), ("review_every", "INTEGER", "review_every"),
    ("impact", "TEXT", "impact"), ("links", "TEXT", "links"), ("reference", "TEXT", "reference"),
    ("sdgs", "TEXT", "sdgs"), ("affected_persons", "TEXT", "affected_persons"),
    ("author_group", "TEXT", "author_group"), ("action_category", "INTEGER", "action_category"),
    ("cycle", "TEXT", "cycle"), ("session", "TEXT", "session"), ("percent", "REAL", "progress"),
    ("parent", "TEXT REFERENCES recommendations (id)", "parent"), ("cites", "TEXT", "cites"),
    ("updated", "TEXT", "history"), ("weight", "REAL", "weight"), ("extra", "TEXT", "extra"),
)
# Tables of the list fields: (table, the field they show, columns after `recommendation`).
_LIST_TABLES = (
    ("recommendation_sdgs", "sdgs", "sdg TEXT NOT NULL, goal TEXT NOT NULL REFERENCES sdg_goals (goal), "
                                    "PRIMARY KEY (recommendation, sdg)"),
    ("recommendation_authors", "authors", "author TEXT NOT NULL, position INTEGER NOT NULL, "
                                          "PRIMARY KEY (recommendation, author)"),
    ("recommendation_affected_persons", "affected_persons", "persons TEXT NOT NULL, "
                                                            "PRIMARY KEY (recommendation, persons)"),
    ("recommendation_cites", "cites", "finding TEXT NOT NULL, finding_source TEXT NOT NULL, "
                                      "PRIMARY KEY (recommendation, finding), "
                                      "FOREIGN KEY (finding_source, finding) REFERENCES findings (source, id)"),
    ("recommendation_extra", "extra", "key TEXT NOT NULL, value, type TEXT NOT NULL, "
                                      "PRIMARY KEY (recommendation, key)"),
)


def _list(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def rec_columns(profile: Profile) -> list[tuple[str, str]]:
    """The columns of the ``recommendations`` table under a profile."""
    return [(name, sql) for name, sql, field in _REC_COLUMNS if field is None or profile.shows(field)]


def schema(profile: Profile) -> str:
    """The tables, indexes and full-text indexes of a database under ``profile``."""
    private = not profile.public
    recs = rec_columns(profile)
    names = [n for n, _ in recs]
    searchable = [c for c in ("title", "text", "quote") if c in names]
    parts = [
        "PRAGMA foreign_keys = ON;",
        "CREATE TABLE statuses (name TEXT PRIMARY KEY, definition TEXT, weight REAL, position INTEGER, next TEXT);",
        "CREATE TABLE responses (name TEXT PRIMARY KEY, definition TEXT, position INTEGER);",
        "CREATE TABLE sources (id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT, kind TEXT, date TEXT, "
        "authors TEXT, url TEXT, language TEXT" + (", note TEXT" if private else "") + ");",
        "CREATE TABLE findings (id TEXT NOT NULL, source TEXT NOT NULL REFERENCES sources (id), text TEXT NOT NULL, "
        "quote TEXT, themes TEXT, PRIMARY KEY (source, id));",
        "CREATE TABLE owners (id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT, parent TEXT REFERENCES owners (id)"
        + (", email TEXT, note TEXT" if private else "") + ");",
        "CREATE TABLE recommendations (" + ", ".join(f"{n} {t}" for n, t in recs) + ");",
        "CREATE TABLE recommendation_owners (recommendation TEXT NOT NULL REFERENCES recommendations (id), "
        "owner TEXT NOT NULL REFERENCES owners (id), PRIMARY KEY (recommendation, owner));",
        "CREATE TABLE events (id TEXT PRIMARY KEY, at TEXT NOT NULL, "
        "recommendation TEXT NOT NULL REFERENCES recommendations (id), kind TEXT NOT NULL, status TEXT, "
        "previous_status TEXT, response TEXT, previous_response TEXT, owners_added TEXT, owners_removed TEXT, "
        "due TEXT, due_cleared INTEGER, forced INTEGER, note TEXT, "
        "done_for TEXT REFERENCES owners (id), attributed_to TEXT"
        + (", by TEXT NOT NULL, public_note INTEGER, data TEXT, field TEXT, old TEXT, new TEXT" if private else "")
        + ");",
        "CREATE INDEX recommendations_status ON recommendations (status);",
        "CREATE INDEX recommendations_source ON recommendations (source);",
        "CREATE INDEX recommendation_owners_owner ON recommendation_owners (owner);",
        "CREATE INDEX events_recommendation ON events (recommendation);",
        "CREATE INDEX events_at ON events (at);",
        "CREATE INDEX findings_source ON findings (source);",
        # content=[table] is the spelling Datasette's detection recognises
        # (it looks for content="table" or content=[table], not 'table').
        f"CREATE VIRTUAL TABLE recommendations_fts USING fts5 ({', '.join(searchable)}, "
        "content=[recommendations], content_rowid=[rowid]);",
        "CREATE VIRTUAL TABLE findings_fts USING fts5 (text, quote, content=[findings], content_rowid=[rowid]);",
    ]
    parts += [f"CREATE INDEX recommendations_{c} ON recommendations ({c});" for c in ("response", "due", "parent")
              if c in names]
    from .sqlite_plan import SCHEMA as PLAN_SCHEMA

    from .sqlite_translations import SCHEMA as TRANSLATIONS_SCHEMA

    parts += PLAN_SCHEMA + TRANSLATIONS_SCHEMA
    if profile.shows("sdgs"):
        parts.append("CREATE TABLE sdg_goals (goal TEXT PRIMARY KEY, title TEXT NOT NULL);")
    for table, field, columns in _LIST_TABLES:
        if profile.shows(field):
            parts.append(f"CREATE TABLE {table} (recommendation TEXT NOT NULL REFERENCES recommendations (id), "
                         f"{columns});")
            parts.append(f"CREATE INDEX {table}_{columns.split()[0]} ON {table} ({columns.split()[0]});")
    return "\n".join(parts)


def write_database(path: Path, tracker, recommendations: Sequence[Recommendation]) -> None:
    """Write the database to ``path`` in one go (a new file renamed into place).

    ``tracker`` is a :class:`~diasporatrack.publish.PublishedView` for a public
    database, or the tracker itself for a private one.
    """
    profile = profile_of(tracker)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    os.unlink(tmp)  # sqlite creates it
    try:
        db = sqlite3.connect(tmp)
        try:
            db.executescript(schema(profile))
            _fill(db, tracker, recommendations, profile)
            db.commit()
        finally:
            db.close()
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _insert(db: sqlite3.Connection, table: str, rows: list[tuple]) -> None:
    if rows:
        db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)


def _fill(db: sqlite3.Connection, tracker, recommendations: Sequence[Recommendation], profile: Profile) -> None:
    private = not profile.public
    lifecycle = tracker.lifecycle
    _insert(db, "statuses", [(s.name, s.definition, s.weight, i, _list(s.next)) for i, s in enumerate(lifecycle)])
    _insert(db, "responses", [(r.name, r.definition, i) for i, r in enumerate(tracker.responses)])
    # The sources of the recommendations, and of the findings they cite: every cited finding is in the database.
    cited = {f for r in recommendations for f in r.cites}
    source_ids = {r.source for r in recommendations} | {
        s.id for s in tracker.sources.values() if any(f.id in cited for f in s.findings)}
    sources = [s for s in tracker.sources.values() if s.id in source_ids or len(recommendations) == len(tracker)]
    _insert(db, "sources", [
        (s.id, s.title, s.publisher, s.kind, _iso(s.date), _list(s.authors), s.url, s.language)
        + ((s.note,) if private else ())
        for s in sources])
    _insert(db, "findings", [(f.id, s.id, f.text, f.quote, _list(f.themes)) for s in sources for f in s.findings])
    owner_ids = set(tracker.owners)
    # Parents first, so every foreign key points at a row already there.
    ordered = sorted(tracker.owners.values(), key=lambda o: _depth(tracker, o.id))
    _insert(db, "owners", [
        (o.id, o.name, o.kind, o.parent if o.parent in owner_ids else None) + ((o.email, o.note) if private else ())
        for o in ordered])
    columns = [n for n, _ in rec_columns(profile)]
    measure = measure_for(tracker)  # set by hand, else a cluster's children's mean, else the status weight
    exported = {r.id for r in recommendations}
    # Parents before children, so every foreign key points at a row already there.
    parents = {r.id: r.parent for r in recommendations}
    depth = {r.id: _rec_depth(r, parents) for r in recommendations}
    _insert(db, "recommendations", [tuple(_rec_value(r, c, measure, exported) for c in columns)
                                    for r in sorted(recommendations, key=lambda r: depth[r.id])])
    _list_tables(db, recommendations, profile, {f.id: s.id for s in sources for f in s.findings})
    _insert(db, "recommendation_owners",
            [(r.id, o) for r in recommendations for o in dict.fromkeys(r.owners) if o in owner_ids])
    attribution = getattr(tracker, "attribution", None)
    rows = []
    for rec in recommendations:
        for e in rec.history:
            row = (e.id, e.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), rec.id, e.kind, e.status, e.previous_status,
                   e.response, e.previous_response, _list(e.owners_added) if e.owners_added else None,
                   _list(e.owners_removed) if e.owners_removed else None, _iso(e.due), int(e.due_cleared),
                   int(e.forced), e.note, e.for_owner if e.for_owner in owner_ids else None,
                   attribution(e) if attribution else _owner_name(tracker, e.for_owner))
            if private:
                row += (e.by, int(e.public), json.dumps(dict(e.data), ensure_ascii=False) if e.data else None,
                        e.field, *(None if x is None else json.dumps(x, ensure_ascii=False) for x in (e.old, e.new)))
            rows.append(row)
    _insert(db, "events", rows)
    from .sqlite_plan import fill as fill_plan

    actions = fill_plan(db, tracker, recommendations)
    from .sqlite_translations import fill as fill_translations

    fill_translations(db, recommendations, sources, actions)
    fts = [c for c in ("title", "text", "quote") if c in columns]
    db.execute(f"INSERT INTO recommendations_fts (rowid, {', '.join(fts)}) "
               f"SELECT rowid, {', '.join(fts)} FROM recommendations")
    db.execute("INSERT INTO findings_fts (rowid, text, quote) SELECT rowid, text, quote FROM findings")



def _rec_depth(rec: Recommendation, parents: dict[str, str | None]) -> int:
    """How many of its ancestors are exported (``parents`` maps each exported id to its parent)."""
    depth, seen, parent = 0, {rec.id}, rec.parent
    while parent in parents and parent not in seen:
        seen.add(parent)
        parent = parents[parent]
        depth += 1
    return depth


def _list_tables(db: sqlite3.Connection, recommendations: Sequence[Recommendation], profile: Profile,
                 finding_sources: dict[str, str]) -> None:
    """One row per item of each list field, for joins: SDGs, authors, groups of persons, citations, extra."""
    from ..fieldcheck import extra_text
    from ..sdgs import goal_of, goals

    if profile.shows("sdgs"):
        _insert(db, "sdg_goals", [(g.number, g.title) for g in goals().values()])
        _insert(db, "recommendation_sdgs", [(r.id, c, goal_of(c)) for r in recommendations for c in r.sdgs])
    if profile.shows("authors"):
        _insert(db, "recommendation_authors", [(r.id, a, i) for r in recommendations
                                               for i, a in enumerate(dict.fromkeys(r.authors), 1)])
    if profile.shows("affected_persons"):
        _insert(db, "recommendation_affected_persons", [(r.id, g) for r in recommendations
                                                        for g in dict.fromkeys(r.affected_persons)])
    if profile.shows("cites"):
        _insert(db, "recommendation_cites", [(r.id, f, finding_sources[f]) for r in recommendations
                                             for f in dict.fromkeys(r.cites) if f in finding_sources])
    if profile.shows("extra"):
        _insert(db, "recommendation_extra", [
            (r.id, key, extra_text(value) if isinstance(value, dt.date) else value, _type(value))
            for r in recommendations for key, value in r.extra.items()])


def _type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "date" if isinstance(value, dt.date) else "text"


def _rec_value(rec: Recommendation, column: str, measure, exported: set[str]) -> Any:
    if column == "progress":
        return measure(rec)
    if column == "percent":  # progress set by hand (update --progress), beside the status weight
        return rec.progress
    if column == "parent":  # a parent that is not exported is not pointed at
        return rec.parent if rec.parent in exported else None
    if column == "extra":
        return json.dumps({k: v.isoformat() if isinstance(v, dt.date) else v for k, v in rec.extra.items()},
                          ensure_ascii=False) if rec.extra else None
    if column == "updated":
        return rec.updated.strftime("%Y-%m-%dT%H:%M:%SZ") if rec.updated else None
    value = getattr(rec, column)
    if isinstance(value, tuple):
        return _list(value)
    return _iso(value) if column == "due" else value


def _owner_name(tracker, owner_id: str | None) -> str | None:
    owner = tracker.owners.get(owner_id) if owner_id else None
    return owner.name if owner is not None else None


def _depth(tracker, owner_id: str) -> int:
    depth, seen = 0, set()
    owner = tracker.owners.get(owner_id)
    while owner is not None and owner.parent and owner.parent not in seen:
        seen.add(owner.parent)
        owner = tracker.owners.get(owner.parent)
        depth += 1
    return depth


def datasette_metadata(profile: Profile, database: str) -> dict[str, Any]:
    """Datasette's ``metadata.json`` for a database written under ``profile``.

    ``database`` is the name Datasette gives it: the file name without ``.db``.
    It sets titles, descriptions, the licence, the facets people use and the
    label columns (so a foreign key shows a name, not an id).
    """
    title = profile.title or "Recommendations tracker"
    about = profile.description or "Policy recommendations, where they stand and their history."
    if profile.public:
        about += " Published data: no contact details, no members' names, only notes marked public."
    else:
        about += " PRIVATE export: contact details, members' names and every note are included."
    rec_names = {n for n, _ in rec_columns(profile)}
    facets: list[Any] = [c for c in ("status", "response", "source", "impact") if c in rec_names]
    facets += [{"array": c} for c in ("owners", "themes", "addressed_to") if c in rec_names]
    columns = {
        "status": "Where it stands; the statuses table has each status's definition.",
        "progress": "The status's progress weight, from 0 (not started) to 1 (implemented).",
        "response": "How the addressee responded; the responses table has the definitions.",
        "quote": "The source's own words.",
        "updated": "When something last happened to it.",
    }
    tables = {
        "recommendations": {
            "title": "Recommendations", "label_column": "title", "facets": facets,
            "fts_table": "recommendations_fts", "fts_pk": "rowid",
            "description": "One row per recommendation, as it stands today.",
            "columns": {k: v for k, v in columns.items() if k in rec_names},
        },
        "sources": {"title": "Sources", "label_column": "title", "facets": ["publisher", "kind"],
                    "description": "The documents the recommendations come from."},
        "findings": {"title": "Findings", "label_column": "text", "facets": ["source"],
                     "fts_table": "findings_fts", "fts_pk": "rowid",
                     "description": "Cited evidence from the sources that makes no recommendation of its own."},
        "owners": {"title": "Owners", "label_column": "name", "facets": ["kind", "parent"],
                   "description": "Who carries recommendations forward."},
        "statuses": {"title": "Statuses", "label_column": "name", "sort": "position",
                     "description": "The published definition of each status."},
        "responses": {"title": "Responses", "label_column": "name", "sort": "position",
                      "description": "The published definition of each response."},
        "events": {"title": "History", "facets": ["kind", "status"], "sort_desc": "at",
                   "description": "Every change, in time order; attributed to the owner it was done for, "
                                  "else to 'a member'.",
                   "columns": {"attributed_to": "Whom the change was done for ('a member' when not said)."}},
        "recommendation_owners": {"title": "Owners of each recommendation", "facets": ["owner"]},
    }
    meta: dict[str, Any] = {"title": title, "description": about, "databases": {database: {"tables": tables}}}
    if profile.licence:
        meta["license"] = profile.licence
    if profile.licence_url:
        meta["license_url"] = profile.licence_url
    return meta


class SqliteExporter:
    name = "sqlite"
    extension = "db"
    description = "SQLite database with full-text search, ready for Datasette (public by default)"
    binary = True  # not for a terminal: the CLI asks for -o FILE
    public = True  # a published artefact: Tracker.export hands it the public view

    def export(self, tracker, recommendations: Sequence[Recommendation]) -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.db"
            write_database(path, tracker, recommendations)
            return path.read_bytes()


@hookimpl
def register_exporters():
    return [SqliteExporter()]
