"""How far the cache folded the journal, and how to tell the journal is still the same file.

A plain class (not attrs): a command answered straight from the cache
reads the mark before it imports the model.
"""

from __future__ import annotations

from .. import __version__

TYPE_CHECKING = False  # typing and pathlib are not imported: a command answered from the cache starts faster
if TYPE_CHECKING:
    from pathlib import Path

# 14: index rows for --sdg, --where and --search;
# 13: what reminder rules declare they need (draft, review cadence, day of the last event);
# 12: each recommendation's and source's part of `export json`, and the parts from the settings and owners;
# 11: the table columns of `list` and the names filters need, readable without the model; 10: translations, a
# source's language, progress_from; 9: a fingerprint per file; 8: events of schema 4 (for_owner, public);
# 7: classification, progress, clusters; 6: events of schema 2
FORMAT = 14
SCHEMA = f"{__version__}:{FORMAT}"  # a cache from another version is not read


class JournalMark:
    """The journal folded up to ``offset`` bytes; ``tail`` hashes the bytes just before it."""

    __slots__ = ("events", "inode", "last_key", "offset", "tail")

    def __init__(self, offset: int, inode: int | None, tail: str, last_key: tuple[str, str] | None,
                 events: int) -> None:
        self.offset = offset
        self.inode = inode
        self.tail = tail  # hash of the bytes just before offset
        self.last_key = last_key  # (time, id) of the last event folded
        self.events = events

    def _key(self) -> tuple:
        return (self.offset, self.inode, self.tail, self.last_key, self.events)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JournalMark):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"JournalMark(offset={self.offset!r}, inode={self.inode!r}, tail={self.tail!r}, "
                f"last_key={self.last_key!r}, events={self.events!r})")

    def __reduce__(self):
        return (JournalMark, self._key())

    def to_json(self) -> str:
        import json

        return json.dumps(list(self._key()))

    @classmethod
    def from_json(cls, text: str) -> JournalMark:
        from ..jsonread import loads

        offset, inode, tail, last_key, events = loads(text)
        return cls(offset, inode, tail, None if last_key is None else tuple(last_key), events)

    @staticmethod
    def tail_of(path: Path | str, offset: int) -> str:
        if offset == 0:
            return ""
        from ..digests import sha256

        with open(path, "rb") as fh:
            fh.seek(max(0, offset - 256))
            return sha256(fh.read(min(256, offset))).hexdigest()

    def still_valid(self, path: Path | str) -> bool:
        """The journal is the same file, only grown (or untouched) since."""
        import os

        try:
            st = os.stat(path)
        except FileNotFoundError:
            return self.offset == 0
        if self.offset == 0:
            return True
        return st.st_ino == self.inode and st.st_size >= self.offset and self.tail_of(path, self.offset) == self.tail


# --- reading a fresh cache without the model --------------------------------------


class Fresh:
    """A cache that holds exactly what reading the files and the journal would give now, open in one snapshot.

    What a read-only command (``list``, ``export json``) needs without
    importing the model: the ids matching the indexed filters, the table
    cells, the JSON rows, the parts of an export.
    """

    def __init__(self, db, names: dict, settle: tuple = ()) -> None:
        self.db = db
        self._settle = settle  # what stopped being racy: recorded on close
        self.statuses: list[str] = names["statuses"]
        self.responses: list[str] = names["responses"]
        self.owners: dict[str, str | None] = names["owners"]  # id -> parent
        self.plugin_settings: bool = names.get("plugins", True)  # plugin files named, or a plugin disabled

    def sources(self) -> list[str]:
        return [sid for (sid,) in self.db.execute("SELECT id FROM sources")]

    def count(self) -> int:
        """How many recommendations there are."""
        return self.db.execute("SELECT COUNT(*) FROM recs").fetchone()[0]

    def select(self, columns: str, *, statuses=None, sources=None, owners=None, themes=None, addressees=None,
               responses=None, unowned=False, then: str = " ORDER BY id"):
        """Rows (``columns`` of ``recs``) of the recommendations matching every filter, in id order (or as
        ``then`` says: ``" GROUP BY source"``).

        Each filter is a set of exact values (owners with their descendants,
        themes and addressees as label keys), as the tracker's indexed query
        takes them.
        """
        from .where import rec_filter

        clause, params = rec_filter(statuses=statuses, sources=sources, owners=owners, themes=themes,
                                    addressees=addressees, responses=responses, unowned=unowned)
        return self.db.execute(f"SELECT {columns} FROM recs{clause}{then}", params)

    def export_parts(self) -> tuple[str, str, list[tuple[str, str]]]:
        """The parts of ``export json`` (see :mod:`diasporatrack.builtin.json_layout`): the statuses, the owners,
        and (id, part) of each source in the order of the files."""
        from .fingerprints import order_key

        meta = dict(self.db.execute("SELECT key, value FROM meta WHERE key IN ('export_statuses', 'export_owners')"))
        found = sorted(self.db.execute("SELECT path, id, export FROM sources"), key=lambda row: order_key(row[0]))
        return meta["export_statuses"], meta["export_owners"], [(sid, text) for _, sid, text in found]

    def close(self) -> None:
        """Close, first recording the files that stopped being racy (see :func:`.fingerprints.settled`)."""
        try:
            if self._settle:
                self._record(*self._settle)
        finally:
            self.db.close()

    def _record(self, old: str, blob: str | None, calm: list[tuple]) -> None:
        """Mark files as hashed and quiet, if no other process is writing right now (never waits: next time)."""
        db = self.db
        try:
            db.execute("COMMIT")  # the snapshot ends here
            db.execute("PRAGMA busy_timeout = 0")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("BEGIN IMMEDIATE")
            if blob is not None:
                db.execute("UPDATE meta SET value = ? WHERE key = 'settings' AND value = ?", (blob, old))
            # Only where the row is still the one found current: a writer may have changed it since.
            db.executemany("UPDATE files SET racy = 0 WHERE path = ? AND size = ? AND mtime_ns = ? AND ctime_ns = ? "
                           "AND ino = ? AND hash = ?", calm)
            db.execute("COMMIT")
        except Exception:  # noqa: BLE001 - busy, read-only, full: the files are hashed again next time
            pass


def open_fresh(root: Path | str, *, catch_up: bool = False) -> Fresh | None:
    """The cache of the workspace at ``root`` if nothing changed since it was written or saved, else None.

    Fresh means: the cache's format, every authored file's fingerprint
    (racy ones hashed), and a journal that is the same regular file, exactly
    as long as the cache folded it (nothing new to fold, nothing set aside).
    Anything else, including any error, is None: the caller then opens a
    :class:`~diasporatrack.tracker.Tracker`, which reads what changed.

    With ``catch_up``, as the tracker would: a cache that only some
    authored files are newer than is first brought up to date by reading
    those files alone, under the writer lock; and a cache another process is
    writing is waited for. The command after an edit, or right after a cold
    one, is then answered from the cache too.
    """
    from .fingerprints import scan

    files = scan(root)
    found = _look(root, files)
    if catch_up and not isinstance(found, Fresh):
        from . import refresh_files

        files = refresh_files(root, files, changed=found == _FILES_CHANGED)
        found = _look(root, files) if files is not None else None
    return found if isinstance(found, Fresh) else None


_FILES_CHANGED = "files"  # the cache is readable, but some authored file differs from what it saw


def _look(root: Path | str, now) -> Fresh | str | None:
    """The cache open in one snapshot if fresh for the fingerprints ``now``; :data:`_FILES_CHANGED`; else None."""
    import os
    import stat

    from ..jsonread import loads
    from ..places import JOURNAL_NAME
    from . import cache_file
    from .fingerprints import changed, settled

    path = cache_file(root)
    if any(c in path for c in "?#%") or not os.path.isfile(path):
        return None
    sqlite = _sqlite()
    try:
        db = sqlite.connect(f"file:{path}?mode=rw", uri=True, isolation_level=None, timeout=30)
    except sqlite.Error:
        return None
    try:
        db.execute("BEGIN")  # one snapshot for everything read from here on
        meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('format', 'settings', 'journal', 'names')"))
        if meta.get("format") != SCHEMA or "names" not in meta:
            raise LookupError
        files = db.execute("SELECT path, key, size, mtime_ns, ctime_ns, ino, racy, hash FROM files").fetchall()
        if changed(root, now, meta["settings"], files):
            db.close()
            return _FILES_CHANGED
        mark = JournalMark.from_json(meta["journal"])
        if not _journal_at(os.path.join(root, JOURNAL_NAME), mark, os, stat):
            raise LookupError
        blob, calm = settled(now, meta["settings"], files)
        return Fresh(db, loads(meta["names"]), (meta["settings"], blob, calm) if blob or calm else ())
    except Exception:  # noqa: BLE001 - stale, busy, corrupt or from another version: the tracker sorts it out
        db.close()
        return None


def _sqlite():
    """SQLite's module: its C part alone where it can be (``sqlite3`` adds datetime and collections.abc to start-up
    for adapters this path never uses)."""
    try:
        import _sqlite3 as sqlite
    except ImportError:
        sqlite = None
    if sqlite is None or not hasattr(sqlite, "connect"):
        import sqlite3 as sqlite
    return sqlite


def _journal_at(path: str, mark: JournalMark, os, stat) -> bool:
    """The journal is the regular file the mark describes, with nothing after the mark."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return mark.offset == 0
    except OSError:
        return False
    try:
        st = os.fstat(fd)
    finally:
        os.close(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_size != mark.offset:
        return False
    return mark.offset == 0 or (st.st_ino == mark.inode and mark.still_valid(path))
