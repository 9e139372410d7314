"""A cache of the folded workspace, so warm commands need not read every file.

The cache is a SQLite file per workspace in the user's cache directory
(``$DIASPORATRACK_CACHE_DIR``, else ``$XDG_CACHE_HOME/diasporatrack``, else
``~/.cache/diasporatrack``), never inside the workspace: rows are stored as
pickles for speed, and a pickle must never come from a folder someone else
could have written (a cloned repository). It is never a source of truth: it
holds what reading the YAML files and folding the journal gave, with a
fingerprint per authored file (:mod:`.scan`) and how far into the journal it
has folded. A command re-reads only the files that changed, were added or
were removed (:mod:`.refresh`), and folds in what the journal gained; a
change of the settings or owners, or a journal that did not simply grow,
makes it read everything. Deleting the cache loses nothing; a corrupt one
is ignored and rebuilt.

Rows are indexed by status, source, owner, theme and addressee, and by
SDG, ``extra`` field and search words (:mod:`.fields`), so a filtered
``list`` loads only the recommendations it shows.

Concurrency: the file is only ever changed inside SQLite transactions (in
WAL mode), never replaced, so no process reads half of one state and half of
another. A tracker reads through one snapshot for its whole life. Every row
is folded at least as far as the saved journal mark; a writer moves the mark
forward only when the rows it did not touch are known to be as current as it
is, so a row is never behind the mark. Folding skips events a row already
has. Only one process at a time reads files to write the cache
(:mod:`.lock`); the others wait for it instead of parsing the same files.
"""

from __future__ import annotations

import os
import sys

from .fingerprints import Scan, scan
from .fresh import JournalMark

TYPE_CHECKING = False  # typing itself is not imported: it costs start-up
if TYPE_CHECKING:
    from pathlib import Path

    from .lock import WriterLock

    from ..model import Recommendation
    from ..workspace import Workspace
    from .rows import CachedState
    from .store import STALE, Opened, new_token, open_cached, row_json, save_rows, write

__all__ = ["CachedState", "JournalMark", "Opened", "STALE", "Scan", "WriterLock", "cache_dir", "cache_path", "fingerprint",
           "new_token", "open_cached", "refresh", "refresh_files", "refresh_now", "row_json", "save_rows", "scan", "write", "write_detached"]

CACHE_ENV = "DIASPORATRACK_CACHE_DIR"

# Imported when first used: the store needs the model, which a command answered from the cache never loads.
_LATER = {"CachedState": "rows", "WriterLock": "lock", **dict.fromkeys(("STALE", "Opened", "new_token", "open_cached", "row_json",
                                                     "save_rows", "write"), "store")}


def __getattr__(name: str):
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value

# The CLI sets this: a fresh cache is then written by a detached child process
# after the command's answer is out, so a cold command is no slower than reading.
BACKGROUND = False


def cache_dir() -> Path:
    from pathlib import Path

    return Path(cache_folder())


def cache_folder() -> str:
    if os.environ.get(CACHE_ENV):
        return os.environ[CACHE_ENV]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "diasporatrack")


def cache_path(root: Path | str) -> Path:
    """One cache file per workspace directory."""
    from pathlib import Path

    return Path(cache_file(root))


def cache_file(root: Path | str) -> str:
    """:func:`cache_path` as a string, computed without pathlib (a command answered from the cache needs no more)."""
    from ..digests import sha256

    key = sha256(os.path.realpath(os.fspath(root)).encode()).hexdigest()[:20]
    return os.path.join(cache_folder(), f"{key}.sqlite3")


def refresh(path: Path, root: Path, files: Scan) -> bool:
    """See :func:`.incremental.refresh` (imported only when a file changed: warm commands skip it)."""
    from .incremental import refresh as run

    return run(path, root, files)


def fingerprint(root: Path) -> tuple:
    """Every authored file's fingerprint at once: equal values mean no file was changed, added or removed
    (an edit that kept the size and put the modification time back included)."""
    files = scan(root)
    return files.settings, tuple(sorted(files.files.items()))


def write_detached(lock: WriterLock, workspace: Workspace, state: dict[str, Recommendation], mark: JournalMark,
                   files: Scan, token: str) -> dict[str, str]:
    """Write the cache (holding ``lock``), in a forked child when ``BACKGROUND`` is set (and fork exists).

    The child inherits the lock and keeps it until the cache is written, so
    a command started meanwhile waits for the cache instead of reading every
    file again. Returns the JSON rows made, when they were made here.
    """
    from .store import write

    path = cache_path(workspace.root)
    if not BACKGROUND or not hasattr(os, "fork"):
        try:
            return write(path, workspace, state, mark, files, token)
        finally:
            lock.release()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001, S110 - a closed or broken stream: nothing to flush
            pass
    if os.fork() != 0:
        lock.hand_over()
        return {}
    # The child: let go of the terminal and of any pipe the caller reads to its end.
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.setsid()
        write(path, workspace, state, mark, files, token)
    finally:
        os._exit(0)


def refresh_files(root: Path | str, files: Scan, changed: bool = True) -> Scan | None:
    """Bring the cache up to date with the authored files by reading only those that changed since it was written.

    ``files`` are fingerprints just taken; ``changed`` says they differ from
    the cache's (False: the cache is missing or otherwise not usable). As
    the tracker does, this is done by the one writer: if another process is
    writing the cache, this waits for it (bounded) and fingerprints the
    files again. Returns the fingerprints the cache now matches, or None if
    only a full read can bring it up to date (or there is no cache).
    """
    from pathlib import Path

    from .lock import WAIT_S, WriterLock

    lock = WriterLock(cache_path(root))
    if not lock.acquire():
        if not lock.acquire(WAIT_S):
            return None
        files = scan(root)  # the other writer may have seen newer files than these
    elif not changed:
        lock.release()
        return None  # nobody is writing a cache, and there is none to bring up to date: a full read
    try:
        if not lock.db_path.is_file():
            return None
        return files if refresh(lock.db_path, Path(root), files) else None
    finally:
        lock.release()


def refresh_now(root: Path) -> None:
    """Bring the cache up to date with the files right away (after the program wrote some), unless busy."""
    from .lock import WriterLock

    lock = WriterLock(cache_path(root))
    if not lock.acquire(wait=1.0):
        return  # another writer is at work; the next command looks at the files again anyway
    try:
        refresh(lock.db_path, root, scan(root))  # if it cannot, the next command reads everything
    finally:
        lock.release()
