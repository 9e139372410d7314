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

Concurrency: the file is only ever changed inside SQLite transactions (in
WAL mode), never replaced, so no process reads half of one state and half of
another. A tracker reads through one snapshot for its whole life. Every row
is folded at least as far as the saved journal mark; a writer moves the mark
forward only when the rows it did not touch are known to be as current as it
is, so a row is never behind the mark. Folding skips events a row already has.
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

from .. import __version__
from ..labels import label_key
from ..model import Recommendation
from ..serialize import recommendation_to_dict
from ..workspace import CONFIG_FILE, OWNERS_FILE, Workspace, source_files

CACHE_ENV = "DIASPORATRACK_CACHE_DIR"

# The CLI sets this: a fresh cache is then written by a detached child process
# after the command's answer is out, so a cold command is no slower than reading.
BACKGROUND = False
FORMAT = 8  # 6: events gained the fields of schema 2 (edits); 7: classification, progress, clusters;
# 8: events gained for_owner and public (schema 4)

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS recs (id TEXT PRIMARY KEY, status TEXT NOT NULL, source TEXT NOT NULL, owned INTEGER NOT NULL,
                   response TEXT, body BLOB NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rec_owner (owner TEXT NOT NULL, rec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rec_theme (theme TEXT NOT NULL, rec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rec_addressee (addressee TEXT NOT NULL, rec TEXT NOT NULL);
"""
# Created after the rows are in: building an index once is cheaper than keeping it up to date.
_INDEXES = """
CREATE INDEX IF NOT EXISTS recs_status ON recs (status);
CREATE INDEX IF NOT EXISTS recs_source ON recs (source);
CREATE INDEX IF NOT EXISTS recs_response ON recs (response);
CREATE INDEX IF NOT EXISTS rec_owner_owner ON rec_owner (owner);
CREATE INDEX IF NOT EXISTS rec_theme_theme ON rec_theme (theme);
CREATE INDEX IF NOT EXISTS rec_addressee_addressee ON rec_addressee (addressee);
"""
_INDEX_NAMES = ("recs_status", "recs_source", "recs_response", "rec_owner_owner", "rec_theme_theme",
                "rec_addressee_addressee")


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
        [(t, rec.id) for t in {label_key(t) for t in rec.themes}],
        [(a, rec.id) for a in {label_key(a) for a in rec.addressed_to}],
    )


def _encode(rec: Recommendation) -> bytes:
    return pickle.dumps(rec, protocol=pickle.HIGHEST_PROTOCOL)


def _decode(body: bytes) -> Recommendation:
    return pickle.loads(body)


def row_json(rec: Recommendation) -> str:
    """A recommendation as ``list --format json`` prints it, kept ready in the cache."""
    return json.dumps(recommendation_to_dict(rec), ensure_ascii=False, separators=(",", ":"))


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
    db.execute("PRAGMA journal_mode = WAL")  # readers keep their snapshot while a writer commits
    db.execute("PRAGMA synchronous = NORMAL")  # a cache: losing the last commit in a power cut is fine
    return db


def _discard(path: Path) -> None:
    """Remove a cache file that cannot be read (and its WAL files)."""
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.unlink(f"{path}{suffix}")



def write(root: Path, workspace: Workspace, state: dict[str, Recommendation], mark: JournalMark,
          print_: str) -> dict[str, str]:
    """Replace the cache's content with this state, in one transaction.

    Returns the JSON rows it made, so the command that wrote the cache can
    print them without making them again.
    """
    rows = {rec_id: row_json(rec) for rec_id, rec in state.items()}
    path = cache_path(root)
    for attempt in (1, 2):
        try:
            db = _connect(path)
            try:
                _fill(db, workspace, state, rows, mark, print_)
            finally:
                db.close()
            break
        except sqlite3.DatabaseError:
            if attempt == 2:
                break  # a cache that cannot be written only costs speed
            _discard(path)  # corrupt: start a new one
        except OSError:
            break
    return rows


def _fill(db: sqlite3.Connection, workspace: Workspace, state: dict[str, Recommendation], rows: dict[str, str],
          mark: JournalMark, print_: str) -> None:
    db.executescript(_TABLES)
    db.execute("BEGIN IMMEDIATE")
    try:
        # Indexes are dropped and built again at the end: once is cheaper than keeping them up to date.
        for name in _INDEX_NAMES:
            db.execute(f"DROP INDEX IF EXISTS {name}")
        for table in ("recs", "rec_owner", "rec_theme", "rec_addressee", "meta"):
            db.execute(f"DELETE FROM {table}")
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
        for statement in _INDEXES.strip().split(";"):
            if statement.strip():
                db.execute(statement)
        workspace_blob = pickle.dumps(
            (workspace.config, workspace.lifecycle, workspace.responses, workspace.sources, workspace.owners,
             workspace.children),
            protocol=pickle.HIGHEST_PROTOCOL)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("format", str(FORMAT)), ("fingerprint", print_), ("workspace", workspace_blob),
            ("journal", pickle.dumps(mark)),
        ])
        db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise


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


def save_rows(root: Path, print_: str, recs: Iterable[Recommendation], base: JournalMark,
              new: JournalMark) -> JournalMark | None:
    """Save recommendations folded up to ``new``; rows of others are as of ``base``.

    Caller holds the journal lock. The saved mark moves to ``new`` only when
    the cache's own mark is not behind ``base`` (then every row it did not
    touch is current); otherwise it stays where it is, which is always safe
    because folding skips what a row already has. Returns the mark saved,
    or None if nothing was saved.
    """
    path = cache_path(root)
    if not path.exists():
        return None
    try:
        db = _connect(path)
        try:
            db.execute("BEGIN IMMEDIATE")
            meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('fingerprint', 'format', 'journal')"))
            if meta.get("fingerprint") != print_ or meta.get("format") != str(FORMAT):
                db.execute("ROLLBACK")
                return None
            saved: JournalMark = pickle.loads(meta["journal"])
            if saved.inode not in (None, new.inode) and saved.offset:
                db.execute("ROLLBACK")  # a different journal file: leave it to be rebuilt
                return None
            mark = new if saved.offset >= base.offset else saved
            for rec in recs:
                db.execute("INSERT OR REPLACE INTO recs VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (rec.id, rec.status, rec.source, int(bool(rec.owners)), rec.response, _encode(rec),
                            row_json(rec)))
                owners, themes, addressees = _index_rows(rec)
                for table, rows in (("rec_owner", owners), ("rec_theme", themes), ("rec_addressee", addressees)):
                    db.execute(f"DELETE FROM {table} WHERE rec = ?", (rec.id,))
                    db.executemany(f"INSERT INTO {table} VALUES (?, ?)", rows)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('journal', ?)", (pickle.dumps(mark),))
            db.execute("COMMIT")
            return mark
        finally:
            db.close()
    except sqlite3.DatabaseError:
        _discard(path)
        return None


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

def open_cached(root: Path, print_: str) -> tuple[Any, CachedState, JournalMark] | None:
    """The cached workspace and state if the cache is fresh, else None.

    The connection keeps one read transaction open, so everything this
    tracker reads later comes from the same state as the mark.
    """
    path = cache_path(root)
    if not path.exists():
        return None
    try:
        db = _connect(path)
        db.execute("BEGIN")
        meta = dict(db.execute("SELECT key, value FROM meta"))
        if meta.get("format") != str(FORMAT) or meta.get("fingerprint") != print_:
            db.close()
            return None
        workspace_parts = pickle.loads(meta["workspace"])
        mark = pickle.loads(meta["journal"])
        ids = [r for (r,) in db.execute("SELECT id FROM recs ORDER BY rowid")]
        return workspace_parts, CachedState(db, ids), mark
    except sqlite3.OperationalError:  # busy or locked right now: read the files, keep the cache
        return None
    except Exception:  # corrupt or from another version: ignore it, it will be rebuilt
        _discard(path)
        return None
