"""One cache writer per workspace at a time: a lock file beside the cache.

A command that finds the cache missing or stale takes this lock before it
reads the files, and keeps it until the cache is written (across the fork of
the detached writer: the child inherits the lock and lets go of it when it
exits). Another command that finds the lock taken waits for it, bounded,
and then reads the fresh cache instead of parsing every file a second time.
Where ``fcntl`` is missing (Windows) there is no lock: two writers then only
cost time, never correctness, because every write is one SQLite transaction.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

# How long a command waits for another's cache write before reading the files itself.
WAIT_S = 120.0


class WriterLock:
    """The exclusive right to write one workspace's cache."""

    def __init__(self, path: Path) -> None:
        self.db_path = Path(path)
        self.path = Path(f"{path}.lock")
        self._fd: int | None = None

    def acquire(self, wait: float = 0.0) -> bool:
        """Take the lock, waiting at most ``wait`` seconds; False if another writer kept it."""
        if fcntl is None:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return False  # a cache that cannot be locked is a cache not written
        deadline = time.monotonic() + wait
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._fd = fd
                return True
            except OSError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(delay)
                delay = min(delay * 2, 0.05)

    def busy(self) -> bool:
        """Another process is writing the cache right now."""
        if self.acquire():
            self.release()
            return False
        return fcntl is not None

    def wait_idle(self, wait: float = WAIT_S) -> None:
        """Wait (bounded) until no other process writes the cache."""
        if self.acquire(wait):
            self.release()

    def release(self) -> None:
        """Let go (an unlock, then the descriptor): for the process that keeps the work."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def hand_over(self) -> None:
        """Close this process's descriptor without unlocking: a forked child that shares it keeps the lock."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None or fcntl is None
