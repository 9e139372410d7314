"""The cache's SQLite file: its tables, writing a whole state, saving rows, opening a snapshot."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from ..labels import label_key
from ..model import Recommendation, Source
from ..serialize import lifecycle_to_list, owner_to_dict, recommendation_to_dict, source_to_dict
from ..workspace import Workspace
from . import fields
from .fingerprints import Scan, changed, is_racy, order_key, settings_blob
from .fresh import FORMAT, SCHEMA, JournalMark  # noqa: F401 - FORMAT and SCHEMA are read from here too


_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS recs (id TEXT PRIMARY KEY, path TEXT NOT NULL, status TEXT NOT NULL, source TEXT NOT NULL,
                   owned INTEGER NOT NULL, response TEXT, body BLOB NOT NULL, json TEXT NOT NULL,
                   shown_status TEXT NOT NULL, shown_owners TEXT NOT NULL, due TEXT NOT NULL, title TEXT NOT NULL,
                   export TEXT NOT NULL, draft INTEGER NOT NULL, review_every INTEGER, updated TEXT);
CREATE TABLE IF NOT EXISTS rec_owner (owner TEXT NOT NULL, rec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rec_theme (theme TEXT NOT NULL, rec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rec_addressee (addressee TEXT NOT NULL, rec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (id TEXT PRIMARY KEY, path TEXT NOT NULL, body BLOB NOT NULL, export TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS findings (id TEXT PRIMARY KEY, path TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, key TEXT NOT NULL, size INTEGER, mtime_ns INTEGER,
                   ctime_ns INTEGER, ino INTEGER, hash TEXT, racy INTEGER NOT NULL, ids TEXT NOT NULL, links BLOB);
"""
# Created after the rows are in: building an index once is cheaper than keeping it up to date. The index
# tables are also indexed by recommendation, so re-reading a file or saving a row deletes its index rows
# without a pass over every row (those passes were a third of a one-file refresh at 100,000).
_INDEXES = """
CREATE INDEX IF NOT EXISTS recs_status ON recs (status);
CREATE INDEX IF NOT EXISTS recs_source ON recs (source);
CREATE INDEX IF NOT EXISTS recs_response ON recs (response);
CREATE INDEX IF NOT EXISTS recs_path ON recs (path);
CREATE INDEX IF NOT EXISTS rec_owner_owner ON rec_owner (owner);
CREATE INDEX IF NOT EXISTS rec_theme_theme ON rec_theme (theme);
CREATE INDEX IF NOT EXISTS rec_addressee_addressee ON rec_addressee (addressee);
CREATE INDEX IF NOT EXISTS rec_owner_rec ON rec_owner (rec);
CREATE INDEX IF NOT EXISTS rec_theme_rec ON rec_theme (rec);
CREATE INDEX IF NOT EXISTS rec_addressee_rec ON rec_addressee (rec);
""" + fields.INDEXES
_INDEX_NAMES = [line.split()[5] for line in _INDEXES.strip().splitlines() if line.strip()]
INDEX_TABLES = (("rec_owner", "owner"), ("rec_theme", "theme"), ("rec_addressee", "addressee"),
                *((name, "rec") for name in fields.NAMES))


@attrs.frozen
class Opened:
    """A fresh cache, read through one snapshot: the workspace's parts, the rows, the journal mark."""

    workspace: tuple  # config, lifecycle, responses, sources, owners, children
    state: Any  # a CachedState
    mark: JournalMark
    token: str


STALE = "stale"  # the cache is there, but some authored file changed since


def encode(rec: Recommendation) -> bytes:
    return pickle.dumps(rec, protocol=pickle.HIGHEST_PROTOCOL)


def row_json(rec: Recommendation) -> str:
    """A recommendation as ``list --format json`` prints it, kept ready in the cache."""
    return json.dumps(recommendation_to_dict(rec), ensure_ascii=False, separators=(",", ":"))


def row_texts(rec: Recommendation) -> tuple[str, str]:
    """:func:`row_json`, and the recommendation as ``export json`` writes it (with its history), from one dict."""
    data = recommendation_to_dict(rec, history=True)
    export = json.dumps(data, ensure_ascii=False)
    del data["history"]  # the last key: what is left is the row of ``list``
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")), export


def source_row(source: Source, rel: str) -> tuple[str, str, bytes, str]:
    """A source's row: id, file, pickle, and its part of ``export json`` (see :mod:`..builtin.json_layout`)."""
    return (source.id, rel, pickle.dumps(source, protocol=pickle.HIGHEST_PROTOCOL),
            json.dumps(source_to_dict(source), ensure_ascii=False, indent=2))


def list_cells(rec: Recommendation) -> tuple[str, str, str, str]:
    """The cells of ``list``'s table for one recommendation (the title before it is shortened to the terminal)."""
    return (rec.status + (" (draft)" if rec.draft else ""), ", ".join(rec.owners) or "-",
            rec.due.isoformat() if rec.due else "", rec.title)


def names_blob(workspace: Workspace) -> str:
    """What checking a filter needs, as JSON: status and response names, each owner's parent; and whether the
    settings name plugin files or disable a plugin (then only the full command knows what the plugins do)."""
    config = workspace.config
    return json.dumps({"statuses": list(workspace.lifecycle.names), "responses": list(workspace.responses.names),
                       "owners": {o.id: o.parent for o in workspace.owners.values()},
                       "plugins": bool(config.get("plugins") or config.get("disable"))})


def export_parts(workspace: Workspace) -> list[tuple[str, str]]:
    """The parts of ``export json`` that come from the settings and owners (meta rows), dumped at the top level."""
    return [("export_statuses", json.dumps(lifecycle_to_list(workspace.lifecycle), ensure_ascii=False, indent=2)),
            ("export_owners", json.dumps([owner_to_dict(o) for o in workspace.owners.values()], ensure_ascii=False,
                                         indent=2))]


def new_token() -> str:
    """Names one content of the authored files; rows are saved only into the content they came from."""
    return os.urandom(12).hex()


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
    db.execute("PRAGMA journal_mode = WAL")  # readers keep their snapshot while a writer commits
    db.execute("PRAGMA synchronous = NORMAL")  # a cache: losing the last commit in a power cut is fine
    return db


def discard(path: Path) -> None:
    """Remove a cache file that cannot be read (and its WAL files)."""
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.unlink(f"{path}{suffix}")


def reminder_columns(rec: Recommendation) -> tuple[int, int | None, str | None]:
    """What reminder rules declare they need (see :mod:`diasporatrack.reminders.candidates`), beside the due date:
    draft, review cadence, the day of the last event."""
    updated = rec.updated
    return int(rec.draft), rec.review_every, updated.date().isoformat() if updated is not None else None


def insert_recs(db: sqlite3.Connection, recs: Iterable[tuple[Recommendation, str]],
                made: dict[str, str] | None = None) -> None:
    """Insert (or replace) rows, given as (recommendation, its file); index rows go with them.

    Each row's JSON (:func:`row_json`) is put in ``made`` when one is given.
    """
    recs = list(recs)

    def rows():
        for r, path in recs:
            text, export = row_texts(r)
            if made is not None:
                made[r.id] = text
            yield (r.id, path, r.status, r.source, int(bool(r.owners)), r.response, encode(r), text, *list_cells(r),
                   export, *reminder_columns(r))

    db.executemany("INSERT OR REPLACE INTO recs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    db.executemany("INSERT INTO rec_owner VALUES (?, ?)", ((o, r.id) for r, _ in recs for o in r.owners))
    db.executemany("INSERT INTO rec_theme VALUES (?, ?)",
                   ((t, r.id) for r, _ in recs for t in {label_key(t) for t in r.themes}))
    db.executemany("INSERT INTO rec_addressee VALUES (?, ?)",
                   ((a, r.id) for r, _ in recs for a in {label_key(a) for a in r.addressed_to}))
    fields.insert(db, [r for r, _ in recs])


def delete_index_rows(db: sqlite3.Connection, ids: list[str]) -> None:
    """Remove the index rows of these recommendations (one pass per table, not one per id)."""
    if not ids:
        return
    db.execute("CREATE TEMP TABLE IF NOT EXISTS gone (id TEXT PRIMARY KEY)")
    db.execute("DELETE FROM gone")
    db.executemany("INSERT OR IGNORE INTO gone VALUES (?)", ((i,) for i in ids))
    for table, _ in INDEX_TABLES:
        db.execute(f"DELETE FROM {table} WHERE rec IN (SELECT id FROM gone)")


def file_row(rel: str, scan: Scan, text_hash: str | None, ids: list[str], links: list) -> tuple:
    """A file's row: fingerprint, hash, racy, its recommendations in order, its parent and citation links."""
    stat = scan.files.get(rel)
    size, mtime, ctime, ino = stat if stat else (None, None, None, None)
    return (rel, order_key(rel), size, mtime, ctime, ino, text_hash, int(stat is None or is_racy(stat, scan.taken_ns)),
            json.dumps(ids), pickle.dumps(links, protocol=pickle.HIGHEST_PROTOCOL) if links else None)


def write(path: Path, workspace: Workspace, state: dict[str, Recommendation], mark: JournalMark,
          scan: Scan, token: str) -> dict[str, str]:
    """Replace the cache's content with this state, in one transaction.

    ``scan`` are the files' fingerprints taken before they were read.
    Returns the JSON rows it made, so the command that wrote the cache can
    print them without making them again.
    """
    rows: dict[str, str] = {}
    for attempt in (1, 2):
        try:
            db = connect(path)
            # Building the indexes sorts every row: with room for that in memory (64 MiB, this connection only;
            # readers keep SQLite's default) a whole write costs about a tenth less.
            db.execute("PRAGMA cache_size = -65536")
            try:
                _fill(db, workspace, state, rows, mark, scan, token)
            finally:
                db.close()
            break
        except sqlite3.DatabaseError:
            if attempt == 2:
                break  # a cache that cannot be written only costs speed
            discard(path)  # corrupt: start a new one
        except OSError:
            break
    return rows


def _fill(db: sqlite3.Connection, workspace: Workspace, state: dict[str, Recommendation], rows: dict[str, str],
          mark: JournalMark, scan: Scan, token: str) -> None:
    """Write everything in one transaction; ``rows`` gets each recommendation's JSON row."""
    db.executescript(_TABLES + fields.TABLES)
    db.execute("BEGIN IMMEDIATE")
    try:
        # Indexes are dropped and built again at the end: once is cheaper than keeping them up to date.
        for name in _INDEX_NAMES:
            db.execute(f"DROP INDEX IF EXISTS {name}")
        for table in ("recs", "rec_owner", "rec_theme", "rec_addressee", *fields.NAMES, "sources", "findings", "files",
                      "meta"):
            db.execute(f"DELETE FROM {table}")
        root = workspace.root
        where = {sid: p.relative_to(root).as_posix() for sid, p in workspace.source_paths.items()}
        insert_recs(db, ((r, where[r.source]) for r in state.values()), rows)
        db.executemany("INSERT INTO sources VALUES (?, ?, ?, ?)",
                       (source_row(s, where[s.id]) for s in workspace.sources.values()))
        db.executemany("INSERT INTO findings VALUES (?, ?)",
                       ((f.id, where[s.id]) for s in workspace.sources.values() for f in s.findings))
        ids: dict[str, list[str]] = {rel: [] for rel in scan.files}
        for rec in state.values():
            ids.setdefault(where[rec.source], []).append(rec.id)
        links: dict[str, list] = {}
        for link in workspace.links:
            links.setdefault(where[state[link.rec].source], []).append(link)
        # The hash is left unknown: it must be of the very text that was parsed, which only the reader saw.
        db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (file_row(rel, scan, None, rec_ids, links.get(rel, [])) for rel, rec_ids in ids.items()))
        for statement in _INDEXES.strip().split(";"):
            if statement.strip():
                db.execute(statement)
        parts = (workspace.config, workspace.lifecycle, workspace.responses, workspace.owners, workspace.children)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("format", SCHEMA), ("token", token), ("settings", settings_blob(scan)),
            ("workspace", pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)), ("journal", mark.to_json()),
            ("names", names_blob(workspace)), *export_parts(workspace),
        ])
        db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise


def save_rows(path: Path, token: str, recs: Iterable[Recommendation], base: JournalMark,
              new: JournalMark) -> JournalMark | None:
    """Save recommendations folded up to ``new``; rows of others are as of ``base``.

    Caller holds the journal lock. The saved mark moves to ``new`` only when
    the cache's own mark is not behind ``base`` (then every row it did not
    touch is current); otherwise it stays where it is, which is always safe
    because folding skips what a row already has. Nothing is saved into a
    cache whose authored content is not the one these rows came from
    (``token``). Returns the mark saved, or None if nothing was saved.
    """
    if not path.exists():
        return None
    try:
        db = connect(path)
        try:
            db.execute("BEGIN IMMEDIATE")
            meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('token', 'format', 'journal')"))
            if meta.get("token") != token or meta.get("format") != SCHEMA:
                db.execute("ROLLBACK")
                return None
            saved = JournalMark.from_json(meta["journal"])
            if saved.inode not in (None, new.inode) and saved.offset:
                db.execute("ROLLBACK")  # a different journal file: leave it to be rebuilt
                return None
            mark = new if saved.offset >= base.offset else saved
            files = {}
            for rec in recs:
                found = db.execute("SELECT path FROM recs WHERE id = ?", (rec.id,)).fetchone()
                if found:  # always, with the same token; a row is never added here
                    files[rec.id] = (rec, found[0])
            delete_index_rows(db, list(files))
            insert_recs(db, files.values())
            db.execute("INSERT OR REPLACE INTO meta VALUES ('journal', ?)", (mark.to_json(),))
            db.execute("COMMIT")
            return mark
        finally:
            db.close()
    except sqlite3.DatabaseError:
        discard(path)
        return None


def open_cached(path: Path, root: Path, scan: Scan) -> Opened | str | None:
    """The cached workspace if the cache is fresh, :data:`STALE` if files changed since, else None.

    The connection keeps one read transaction open, so everything the
    tracker reads later comes from the same state as the mark.
    """
    from .rows import CachedState

    if not path.exists():
        return None
    try:
        db = connect(path)
        db.execute("BEGIN")
        meta = dict(db.execute("SELECT key, value FROM meta"))
        if meta.get("format") != SCHEMA:
            db.close()
            return None
        files = db.execute("SELECT path, key, size, mtime_ns, ctime_ns, ino, racy, hash, ids FROM files").fetchall()
        if changed(root, scan, meta["settings"], files):
            db.close()
            return STALE
        config, lifecycle, responses, owners, children = pickle.loads(meta["workspace"])
        sources = {}
        where = {}
        for sid, rel, body in db.execute("SELECT id, path, body FROM sources"):
            where[sid] = order_key(rel)
            sources[sid] = body
        sources = {sid: pickle.loads(sources[sid]) for sid in sorted(sources, key=where.__getitem__)}
        ids = [i for row in sorted(files, key=lambda f: f[1]) for i in json.loads(row[8])]
        return Opened((config, lifecycle, responses, sources, owners, children), CachedState(db, ids),
                      JournalMark.from_json(meta["journal"]), meta["token"])
    except sqlite3.OperationalError:  # busy or locked right now: read the files, keep the cache
        return None
    except Exception:  # corrupt or from another version: ignore it, it will be rebuilt
        discard(path)
        return None
