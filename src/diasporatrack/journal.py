"""The journal: ``journal.jsonl``, one JSON event per line, append-only.

Appends happen under an exclusive lock and are flushed and fsynced before
they are acknowledged, so an acknowledged event survives a crash. A final
line without its newline is what a crash mid-write leaves behind: readers
ignore it unless it is a whole event, and the next writer either completes it
(when it is a whole event) or moves it to ``journal.jsonl.torn`` so that the
new line is never glued to it. A malformed line in the middle is an error
naming the line: it is never skipped silently.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import attrs

from .errors import JournalError, LockTimeout, Problem, WorkspaceError
from .eventlines import (  # the line format lives there; its names are imported from here too
    ACTION_VERSION, ATTRIBUTION_VERSION, EDIT_VERSION, HAPPENED_VERSION, JOURNAL_NAME, PROGRESS_VERSION,
    SCHEMA_VERSION, SUBJECTS, event_from_dict, event_to_dict, event_to_line, new_event_id, parse_line,
)
from .files import write_all
from .model import Event
from .safeio import LIMITS, UnsafeFile, open_append, read_bytes
from .textsafety import clip
from .workspace import display_path

__all__ = [
    "ACTION_VERSION", "ATTRIBUTION_VERSION", "EDIT_VERSION", "HAPPENED_VERSION", "JOURNAL_NAME", "PROGRESS_VERSION",
    "SCHEMA_VERSION", "SUBJECTS", "Journal", "event_from_dict", "event_to_dict", "event_to_line", "new_event_id",
    "parse_line",
]

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_TIMEOUT = 30.0  # seconds a writer waits for another one; DIASPORATRACK_LOCK_TIMEOUT overrides


def _wait_for_lock(fd: int, path: Path) -> None:
    """Take the exclusive lock, waiting a bounded time for another writer to finish."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    try:
        timeout = float(os.environ.get("DIASPORATRACK_LOCK_TIMEOUT") or LOCK_TIMEOUT)
    except ValueError:
        timeout = LOCK_TIMEOUT
    deadline = time.monotonic() + timeout
    while True:
        time.sleep(0.05)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockTimeout(f"{display_path(path)} is locked by another diasporatrack process for more than "
                                  f"{timeout:g} s; nothing was changed (try again when it has finished)") from None


@attrs.define
class Journal:
    """The journal file of one workspace."""

    path: Path

    @property
    def root(self) -> Path:
        """The workspace the journal belongs to: no file of it is read or written outside."""
        return self.path.parent

    def read(self, start: int = 0) -> tuple[list[Event], int, list[Problem]]:
        """Events from byte ``start`` on, the offset after them, and warnings.

        Raises :class:`WorkspaceError` for a malformed line that is not the
        last, and for a journal that is not a regular file of the workspace.
        """
        try:
            data = read_bytes(self.root, self.path, "journal", start=start)
        except FileNotFoundError:
            return [], 0, []
        except UnsafeFile as err:
            raise WorkspaceError([err.problem]) from None
        return self._parse(data, start)

    def _parse(self, data: bytes, start: int) -> tuple[list[Event], int, list[Problem]]:
        events: list[Event] = []
        warnings: list[Problem] = []
        pos = 0
        lineno = 0  # within data; made absolute only for a message (counting costs a read)
        while pos < len(data):
            end = data.find(b"\n", pos)
            whole = end != -1
            chunk = data[pos:end] if whole else data[pos:]
            if chunk.strip():
                try:
                    events.append(parse_line(chunk))
                except (ValueError, UnicodeDecodeError) as err:
                    if not whole:
                        warnings.append(Problem(
                            message="incomplete last line ignored (an interrupted write)",
                            path=display_path(self.path), line=self._line_number(start) + lineno))
                        break
                    raise WorkspaceError([Problem(
                        message=f"corrupt journal line: {clip(str(err))}", path=display_path(self.path),
                        line=self._line_number(start) + lineno)]) from None
            pos = end + 1 if whole else len(data)
            lineno += 1
        return events, start + pos, warnings

    def _line_number(self, offset: int) -> int:
        if offset == 0:
            return 1
        return read_bytes(self.root, self.path, "journal")[:offset].count(b"\n") + 1

    def line_of(self, event_id: str, occurrence: int = 1) -> int | None:
        """The line of the ``occurrence``-th event with this id (for messages: reads the file)."""
        try:
            data = read_bytes(self.root, self.path, "journal")
        except (OSError, UnsafeFile):
            return None
        needle = json.dumps(event_id).encode()
        for number, line in enumerate(data.split(b"\n"), 1):
            if needle in line:
                try:
                    if json.loads(line).get("id") != event_id:
                        continue
                except (ValueError, RecursionError, AttributeError):
                    continue
                occurrence -= 1
                if occurrence == 0:
                    return number
        return None

    @contextlib.contextmanager
    def locked(self) -> Iterator[BinaryIO]:
        """Hold the journal's exclusive lock; yields the file open for appending.

        Raises :class:`WorkspaceError` when the journal is not a regular file
        of the workspace (a link, a folder, a FIFO): nothing is written then.
        """
        try:
            opened = open_append(self.root, self.path)
        except UnsafeFile as err:
            raise WorkspaceError([err.problem]) from None
        with opened as fh:
            if fcntl is not None:
                _wait_for_lock(fh.fileno(), self.path)
            try:
                self._repair_tail(fh)
                yield fh
            finally:
                if fcntl is not None:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _repair_tail(self, fh: BinaryIO) -> None:
        """Make sure the file ends with a newline before anything is appended."""
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return
        start = max(0, size - LIMITS["journal line"] - 1)  # a longer tail is no event anyway
        fh.seek(start)
        data = fh.read()
        cut = start + data.rfind(b"\n") + 1
        tail = data[cut - start:]
        try:
            parse_line(tail)
        except (ValueError, UnicodeDecodeError):
            # Never acknowledged (its writer died before the newline): keep
            # the bytes aside for inspection and cut them from the journal.
            try:
                torn_file = open_append(self.root, self.path.with_name(self.path.name + ".torn"))
            except UnsafeFile as err:
                raise WorkspaceError([err.problem]) from None
            with torn_file as torn:
                torn.write(tail + b"\n")
                torn.flush()
                os.fsync(torn.fileno())
            fh.truncate(cut)
        else:
            fh.write(b"\n")
        fh.flush()
        os.fsync(fh.fileno())

    def append(self, fh: BinaryIO, events: list[Event]) -> int:
        """Append events to a locked journal; durable when this returns.

        Returns the file's size after the write. If the write or the fsync
        fails (a full disk), the file is cut back to its size before, so an
        event reported as not recorded is not in the journal and a retry
        records it once; the failure is a :class:`JournalError`.
        Every event is checked first (:func:`event_to_line`): one that would
        not read back raises :class:`JournalError` and nothing is written.
        """
        payload = b"".join(event_to_line(e) for e in events)
        fh.flush()
        fd = fh.fileno()
        start = os.lseek(fd, 0, os.SEEK_END)
        try:
            # Unbuffered: a failed buffered write would keep its bytes and write them at close.
            write_all(fd, payload)
            os.fsync(fd)
        except BaseException as err:
            try:
                os.ftruncate(fd, start)
                os.fsync(fd)
            except OSError:  # pragma: no cover - the disk refuses even to shrink the file
                pass
            if isinstance(err, OSError):
                raise JournalError(f"cannot write {display_path(self.path)}: {err.strerror or err}; "
                                   "nothing was recorded") from None
            raise
        return start + len(payload)
