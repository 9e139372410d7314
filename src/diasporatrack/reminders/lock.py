"""The workspace's reminder lock: one run that delivers and records at a time."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import LockTimeout, Problem, WorkspaceError
from ..workspace import display_path

try:
    import fcntl
except ImportError:  # Windows: no flock; one run at a time is then up to the user
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".remind.lock"
LOCK_TIMEOUT = 60.0  # seconds a run waits for another one to finish; remind(lock_timeout=...) overrides


@contextlib.contextmanager
def reminder_lock(root: Path, timeout: float | None = None,
                  on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the workspace's reminder lock: one run that delivers and records at a time.

    Held from before the journal is read until what was delivered is
    recorded, so a second run (cron and a person, two cron jobs) waits, up to
    ``timeout`` seconds, then sees what the first one sent. ``on_wait`` is told
    once, in words, that another run is active. The lock is ``flock`` on
    ``.remind.lock`` in the workspace, a plain file that is never read.
    """
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    path = root / LOCK_NAME
    shown = display_path(root) / LOCK_NAME  # never the target of a planted link
    # No following a link planted in a cloned workspace, no blocking on a FIFO.
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
        | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as err:
        reason = ("is a symbolic link: the reminder lock must be a plain file; remove the link"
                  if err.errno == errno.ELOOP else f"cannot open the reminder lock: {err.strerror}")
        raise WorkspaceError([Problem(message=reason, path=shown)]) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise WorkspaceError([Problem(message="is not a plain file: the reminder lock must be one; remove it",
                                          path=shown)])
        if fcntl is not None:
            _acquire(fd, shown, timeout, on_wait)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock, also when the process dies


def _acquire(fd: int, shown: Path, timeout: float, on_wait: Callable[[str], None] | None) -> None:
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError as err:  # a file system without locks
            raise LockTimeout(f"{shown}: cannot take the reminder lock: {err.strerror}") from None
        left = deadline - time.monotonic()
        if left <= 0:
            raise LockTimeout(f"another remind run still holds {shown} after {timeout:g} s; nothing was sent "
                              "(run again when it has finished)")
        if not told and on_wait is not None:
            on_wait(f"another remind run is active (it holds {shown}); waiting up to {timeout:g} s for it to finish")
            told = True
        time.sleep(min(0.05, left))
