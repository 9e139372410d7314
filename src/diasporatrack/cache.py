"""A cache of the folded workspace, so warm commands need not read every file.

The cache is a SQLite file per workspace in the user's cache directory
(``$DIASPORATRACK_CACHE_DIR``, else ``$XDG_CACHE_HOME/diasporatrack``, else
``~/.cache/diasporatrack``), never inside the workspace: rows are stored as
pickles for speed, and a pickle must never come from a folder someone else
could have written (a cloned repository). It is never a source of truth: it holds what reading the YAML files and
folding the journal gave, keyed by a fingerprint of every authored file
(path, size, modification time) and by how far into the journal it has
folded. Any change to an authored file, an added or removed file, or a
journal that did not simply grow makes it stale, and it is rebuilt; a
journal that grew is folded in from where the cache stopped. Deleting the
cache loses nothing; a corrupt one is ignored and rebuilt.

Rows are indexed by status, source, owner, theme and addressee, so a
filtered ``list`` loads only the recommendations it shows.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import attrs

from . import __version__
from .model import Recommendation
from .serialize import recommendation_to_dict
from .workspace import CONFIG_FILE, OWNERS_FILE, Workspace, source_files

CACHE_ENV = "DIASPORATRACK_CACHE_DIR"

# The CLI sets this: a fresh cache is then written by a detached child process
# after the command's answer is out, so a cold command is no slower than reading.
BACKGROUND = False
FORMAT = 4

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE recs (id TEXT PRIMARY KEY, status TEXT NOT NULL, source TEXT NOT NULL, owned INTEGER NOT NULL,
                   response TEXT, body BLOB NOT NULL, json TEXT NOT NULL);
CREATE TABLE rec_owner (owner TEXT NOT NULL, rec TEXT NOT NULL);
CREATE TABLE rec_theme (theme TEXT NOT NULL, rec TEXT NOT NULL);
CREATE TABLE rec_addressee (addressee TEXT NOT NULL, rec TEXT NOT NULL);
"""
# Created after the rows are in: building an index once is cheaper than keeping it up to date.
_INDEXES = """
CREATE INDEX recs_status ON recs (status);
CREATE INDEX recs_source ON recs (source);
CREATE INDEX recs_response ON recs (response);
CREATE INDEX rec_owner_owner ON rec_owner (owner);
CREATE INDEX rec_theme_theme ON rec_theme (theme);
CREATE INDEX rec_addressee_addressee ON rec_addressee (addressee);
"""


def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "diasporatrack"


def cache_path(root: Path) -> Path:
    """One cache file per workspace directory."""
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:20]
    return cache_dir() / f"{key}.sqlite3"


def fingerprint(root: Path) -> str:
    """Changes whenever an authored file is changed, added or removed."""
    digest = hashlib.sha256(f"{__version__}:{FORMAT}".encode())
    paths = [root / CONFIG_FILE, root / OWNERS_FILE, *source_files(root)]
    for path in paths:
        try:
            st = path.stat()
        except FileNotFoundError:
            digest.update(f"{path.name}:absent;".encode())
            continue
        digest.update(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino};".encode())
    return digest.hexdigest()


@attrs.frozen
class JournalMark:
    """How far the cache folded the journal, and how to tell the file is the same one."""

    offset: int
    inode: int | None
    tail: str  # hash of the bytes just before offset
    last_key: tuple[str, str] | None  # (time, id) of the last event folded
    events: int

    @staticmethod
    def tail_of(path: Path, offset: int) -> str:
        if offset == 0:
            return ""
        with open(path, "rb") as fh:
            fh.seek(max(0, offset - 256))
            return hashlib.sha256(fh.read(min(256, offset))).hexdigest()

    def still_valid(self, path: Path) -> bool:
        """The journal is the same file, only grown (or untouched) since."""
        try:
            st = path.stat()
        except FileNotFoundError:
            return self.offset == 0
        if self.offset == 0:
            return True
        return st.st_ino == self.inode and st.st_size >= self.offset and self.tail_of(path, self.offset) == self.tail


def _index_rows(rec: Recommendation) -> tuple[list, list, list]:
    return (
        [(o, rec.id) for o in rec.owners],
        [(t.casefold(), rec.id) for t in set(rec.themes)],
        [(a.casefold(), rec.id) for a in set(rec.addressed_to)],
    )


def _encode(rec: Recommendation) -> bytes:
    return pickle.dumps(rec, protocol=pickle.HIGHEST_PROTOCOL)


def _decode(body: bytes) -> Recommendation:
    return pickle.loads(body)


def row_json(rec: Recommendation) -> str:
    """A recommendation as ``list --format json`` prints it, kept ready in the cache."""
    return json.dumps(recommendation_to_dict(rec), ensure_ascii=False, separators=(",", ":"))


def write(root: Path, workspace: Workspace, state: dict[str, Recommendation], mark: JournalMark,
          print_: str) -> dict[str, str]:
    """Write a fresh cache next to the old one and swap it in atomically.

    Returns the JSON rows it made, so the command that wrote the cache can
    print them without making them again.
    """
    rows = {rec_id: row_json(rec) for rec_id, rec in state.items()}
    path = cache_path(root)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        db = sqlite3.connect(tmp)
        try:
            # A private temporary file, renamed into place when whole: no need for SQLite's own journal.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.executescript(_TABLES)
            db.executemany("INSERT INTO recs VALUES (?, ?, ?, ?, ?, ?, ?)",
                           ((r.id, r.status, r.source, int(bool(r.owners)), r.response, _encode(r), rows[r.id])
                            for r in state.values()))
            owners, themes, addressees = [], [], []
            for rec in state.values():
                o, t, a = _index_rows(rec)
                owners += o
                themes += t
                addressees += a
            db.executemany("INSERT INTO rec_owner VALUES (?, ?)", owners)
            db.executemany("INSERT INTO rec_theme VALUES (?, ?)", themes)
            db.executemany("INSERT INTO rec_addressee VALUES (?, ?)", addressees)
            workspace_blob = pickle.dumps(
                (workspace.config, workspace.lifecycle, workspace.responses, workspace.sources, workspace.owners,
                 workspace.files),
                protocol=pickle.HIGHEST_PROTOCOL)
            db.executescript(_INDEXES)
            db.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("format", str(FORMAT)), ("fingerprint", print_), ("workspace", workspace_blob),
                ("journal", pickle.dumps(mark)),
            ])
            db.commit()
        finally:
            db.close()
        os.replace(tmp, path)
    except (OSError, sqlite3.Error):
        # A cache that cannot be written (read-only folder, full disk) only costs speed.
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return rows


def write_detached(root: Path, workspace: Workspace, state: dict[str, Recommendation], mark: JournalMark,
                   print_: str) -> dict[str, str]:
    """Like :func:`write`, in a forked child when ``BACKGROUND`` is set (and fork exists)."""
    if not BACKGROUND or not hasattr(os, "fork"):
        return write(root, workspace, state, mark, print_)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    if os.fork() != 0:
        return {}
    # The child: let go of the terminal and of any pipe the caller reads to its end.
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.setsid()
        write(root, workspace, state, mark, print_)
    finally:
        os._exit(0)


def update_rows(root: Path, print_: str, recs: Iterable[Recommendation], mark: JournalMark) -> None:
    """Save changed recommendations into the cache file, if it is the one for ``print_``."""
    path = cache_path(root)
    if not path.exists():
        return
    try:
        db = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            found = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            if found is None or found[0] != print_:
                return
            CachedState(db, []).save(list(recs), mark)
        finally:
            db.close()
    except sqlite3.Error:
        invalidate(path)


class CachedState(MutableMapping[str, Recommendation]):
    """Recommendations by id, loaded from the cache only when asked for."""

    def __init__(self, db: sqlite3.Connection, ids: list[str]) -> None:
        self._db = db
        self._ids = dict.fromkeys(ids)
        self._loaded: dict[str, Recommendation] = {}
        self.dirty: set[str] = set()

    # Mapping protocol -----------------------------------------------------

    def __getitem__(self, rec_id: str) -> Recommendation:
        if rec_id in self._loaded:
            return self._loaded[rec_id]
        if rec_id not in self._ids:
            raise KeyError(rec_id)
        (body,) = self._db.execute("SELECT body FROM recs WHERE id = ?", (rec_id,)).fetchone()
        rec = self._loaded[rec_id] = _decode(body)
        return rec

    def __setitem__(self, rec_id: str, rec: Recommendation) -> None:
        self._ids.setdefault(rec_id)
        self._loaded[rec_id] = rec
        self.dirty.add(rec_id)

    def __delitem__(self, rec_id: str) -> None:
        raise TypeError("recommendations are removed by editing the YAML files")

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, rec_id: object) -> bool:
        return rec_id in self._ids

    def values(self):  # type: ignore[override]
        self._load_all()
        return [self._loaded[i] for i in self._ids]

    def _load_all(self) -> None:
        if len(self._loaded) == len(self._ids):
            return
        for rec_id, body in self._db.execute("SELECT id, body FROM recs"):
            if rec_id not in self._loaded:
                self._loaded[rec_id] = _decode(body)

    # Filtering in SQL ---------------------------------------------------------

    def select_ids(self, *, statuses=None, sources=None, owners=None, themes=None, addressees=None,
                   responses=None, unowned=False) -> list[str] | None:
        """Ids whose saved rows match every filter, by index; None means "all of them".

        Recommendations changed in this process (``dirty``) are always
        included: their saved rows may be old, so the caller checks them.
        """
        where, params = [], []

        def among(column: str, values: Iterable[str]) -> str:
            values = list(values)
            params.extend(values)
            return f"{column} IN ({', '.join('?' * len(values))})"

        if statuses is not None:
            where.append(among("status", statuses))
        if sources is not None:
            where.append(among("source", sources))
        if responses is not None:
            where.append(among("response", responses))
        if unowned:
            where.append("owned = 0")
        for table, column, values in (("rec_owner", "owner", owners), ("rec_theme", "theme", themes),
                                      ("rec_addressee", "addressee", addressees)):
            if values is not None:
                where.append(f"id IN (SELECT rec FROM {table} WHERE {among(column, values)})")
        if not where:
            return None
        found = [r for (r,) in self._db.execute(f"SELECT id FROM recs WHERE {' AND '.join(where)}", params)]
        return found + [r for r in self.dirty if r not in set(found)]

    def rows_json(self, ids: list[str]) -> list[str]:
        """Each recommendation's JSON text, from the cache where its row is current."""
        saved: dict[str, str] = {}
        wanted = [i for i in ids if i not in self.dirty]
        if len(wanted) > len(self._ids) // 2:
            saved = dict(self._db.execute("SELECT id, json FROM recs"))
        else:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                saved.update(self._db.execute(
                    f"SELECT id, json FROM recs WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        return [saved[i] if i in saved and i not in self.dirty else row_json(self[i]) for i in ids]

    # Writing back ----------------------------------------------------------------

    def persist(self, mark: JournalMark) -> None:
        """Write changed recommendations and the new journal mark (caller holds the journal lock)."""
        self.save([self._loaded[r] for r in self.dirty], mark)
        self.dirty.clear()

    def save(self, recs: list[Recommendation], mark: JournalMark) -> None:
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            for rec in recs:
                rec_id = rec.id
                db.execute("INSERT OR REPLACE INTO recs VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (rec.id, rec.status, rec.source, int(bool(rec.owners)), rec.response, _encode(rec),
                            row_json(rec)))
                owners, themes, addressees = _index_rows(rec)
                for table, rows in (("rec_owner", owners), ("rec_theme", themes), ("rec_addressee", addressees)):
                    db.execute(f"DELETE FROM {table} WHERE rec = ?", (rec_id,))
                    db.executemany(f"INSERT INTO {table} VALUES (?, ?)", rows)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('journal', ?)", (pickle.dumps(mark),))
            db.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            invalidate(self._db_path())

    def _db_path(self) -> Path:
        (_, _, file) = self._db.execute("PRAGMA database_list").fetchone()
        return Path(file)


def invalidate(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def open_cached(root: Path, print_: str) -> tuple[Any, CachedState, JournalMark] | None:
    """The cached workspace and state if the cache is fresh, else None."""
    path = cache_path(root)
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        meta = dict(db.execute("SELECT key, value FROM meta"))
        if meta.get("format") != str(FORMAT) or meta.get("fingerprint") != print_:
            db.close()
            return None
        workspace_parts = pickle.loads(meta["workspace"])
        mark = pickle.loads(meta["journal"])
        ids = [r for (r,) in db.execute("SELECT id FROM recs ORDER BY rowid")]
        return workspace_parts, CachedState(db, ids), mark
    except Exception:  # corrupt or from another version: ignore it, it will be rebuilt
        invalidate(path)
        return None
