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
import datetime as dt
import json
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import attrs

from .errors import JournalError, LockTimeout, Problem, WorkspaceError
from .files import write_all
from .model import ID_PATTERN, NAME_PATTERN, Event
from .safeio import LIMITS, UnsafeFile, open_append, read_bytes
from .textsafety import clip, control_character, describe_character, quote
from .workspace import display_path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

JOURNAL_NAME = "journal.jsonl"

_REQUIRED = ("id", "at", "by", "recommendation")
_KNOWN = set(_REQUIRED) | {
    "kind", "status", "previous_status", "response", "previous_response", "owners_added", "owners_removed",
    "due", "due_cleared", "note", "forced", "data", "v", "subject", "field", "old", "new",
    "progress", "previous_progress", "progress_cleared", "for", "public", "on",
    "indicator", "value", "links", "evidence",
}
# The event schema: 1 (no "v" written) up to this one. 2 added edits of the YAML files; 3 added progress;
# 4 added ``for`` (whom a change was done for) and ``public`` (its note may be published); 5 added ``on``
# (the day something happened, when it was recorded on a later day: folds order by it); 6 added the
# subjects ``action`` and ``indicator`` (edits of actions.yaml, an action's status, an indicator's
# reports: ``indicator``, ``value``) and evidence on any event (``links``, ``evidence``).
SCHEMA_VERSION = 6
EDIT_VERSION = 2  # the version an event needs is that of the newest field it uses
PROGRESS_VERSION = 3
ATTRIBUTION_VERSION = 4
HAPPENED_VERSION = 5  # "on": the day something happened, recorded later
ACTION_VERSION = 6  # the plan's subjects, indicator reports and evidence
SUBJECTS = ("source", "owner", "action", "indicator")


MAX_DATA_DEPTH = 16  # nesting of an event's ``data``: deeper is refused, never a RecursionError
_TEXT_FIELDS = ("note",)  # may span lines; every other string is one line


def new_event_id() -> str:
    """A unique, roughly time-ordered event id."""
    return f"{time.time_ns():x}-{secrets.token_hex(6)}"


def format_time(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    if value.tzinfo is None:
        raise ValueError("timestamp has no time zone")
    return value.astimezone(dt.timezone.utc)


def event_to_dict(event: Event) -> dict[str, Any]:
    """The JSON form of an event, leaving out fields at their defaults."""
    out: dict[str, Any] = {
        "id": event.id,
        "at": format_time(event.at),
        "by": event.by,
        "recommendation": event.recommendation,
        "kind": event.kind,
    }
    for name in ("status", "previous_status", "response", "previous_response", "note"):
        if getattr(event, name) is not None:
            out[name] = getattr(event, name)
    for name in ("owners_added", "owners_removed"):
        if getattr(event, name):
            out[name] = list(getattr(event, name))
    if event.due is not None:
        out["due"] = event.due.isoformat()
    if event.due_cleared:
        out["due_cleared"] = True
    for name in ("progress", "previous_progress"):
        if getattr(event, name) is not None:
            out[name] = getattr(event, name)
    if event.progress_cleared:
        out["progress_cleared"] = True
    if event.forced:
        out["forced"] = True
    if event.data:
        out["data"] = dict(event.data)
    if event.v != 1:
        out["v"] = event.v
    for name in ("subject", "field", "old", "new"):
        if getattr(event, name) is not None:
            out[name] = getattr(event, name)
    if event.for_owner is not None:
        out["for"] = event.for_owner
    if event.public:
        out["public"] = True
    if event.on is not None:
        out["on"] = event.on.isoformat()
    for name in ("indicator", "value"):
        if getattr(event, name) is not None:
            out[name] = getattr(event, name)
    if event.links:
        out["links"] = list(event.links)
    if event.evidence is not None:
        out["evidence"] = event.evidence
    return out


def event_from_dict(raw: Any) -> Event:
    """Build an event from its JSON form; ``ValueError`` says what is wrong.

    Every identifier must match whole (an id ending in a newline is not an
    id), no string may hold a control character (newline only in a note),
    and ``data`` may nest at most :data:`MAX_DATA_DEPTH` deep.
    """
    if not isinstance(raw, dict):
        raise ValueError("an event must be a JSON object")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise ValueError(f"event lacks {', '.join(missing)}")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise ValueError(f"unknown event field {quote(unknown[0])}")
    fields = dict(raw)
    _check_strings(fields)
    for name in ("owners_added", "owners_removed"):
        if name in fields and not (isinstance(fields[name], list) and all(isinstance(o, str) for o in fields[name])):
            raise ValueError(f"{name} must be a list of owner ids")
    for name in ("progress", "previous_progress"):
        value = fields.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not 0 <= value <= 100):
            raise ValueError(f"{name} must be a number from 0 to 100")
    if "for" in fields:
        fields["for_owner"] = fields.pop("for")
        if not isinstance(fields["for_owner"], str):
            raise ValueError("for must be an owner id")
    for name in ("due_cleared", "forced", "progress_cleared", "public"):
        if name in fields and not isinstance(fields[name], bool):
            raise ValueError(f"{name} must be true or false")
    if "links" in fields and not (isinstance(fields["links"], list) and all(isinstance(u, str) for u in fields["links"])):
        raise ValueError("links must be a list of text")
    value = fields.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float, str))):
        raise ValueError("value must be a number or text")
    if "data" in fields and not isinstance(fields["data"], dict):
        raise ValueError("data must be a JSON object")
    version = fields.get("v", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError("v must be a whole number from 1")
    if version > SCHEMA_VERSION:
        raise ValueError(f"written by a newer diasporatrack (event schema {version}; this one reads up to "
                         f"{SCHEMA_VERSION}): upgrade to read it")
    if "subject" in fields and fields["subject"] not in SUBJECTS:
        raise ValueError(f"subject must be one of {', '.join(SUBJECTS)}")
    try:
        fields["at"] = parse_time(fields["at"])
        if fields.get("due") is not None:
            fields["due"] = dt.date.fromisoformat(fields["due"])
        if fields.get("on") is not None:
            fields["on"] = dt.date.fromisoformat(fields["on"])
    except (TypeError, ValueError, AttributeError) as err:
        raise ValueError(f"bad date or time: {err}") from None
    try:
        return Event(**fields)
    except (TypeError, ValueError) as err:
        raise ValueError(str(err)) from None


def _check_strings(fields: dict[str, Any]) -> None:
    import re

    for name, pattern in (("id", ID_PATTERN), ("recommendation", ID_PATTERN), ("kind", ID_PATTERN),
                          ("status", NAME_PATTERN), ("previous_status", NAME_PATTERN), ("indicator", ID_PATTERN),
                          ("response", NAME_PATTERN), ("previous_response", NAME_PATTERN)):
        value = fields.get(name)
        if value is not None and not (isinstance(value, str) and re.match(pattern, value)):
            raise ValueError(f"{name} {quote(value)} is not a valid {'name' if pattern is NAME_PATTERN else 'id'}")
    for name in ("owners_added", "owners_removed"):
        for owner in fields.get(name) or () if isinstance(fields.get(name), list) else ():
            if not (isinstance(owner, str) and re.match(ID_PATTERN, owner)):
                raise ValueError(f"{name}: {quote(owner)} is not a valid owner id")
    for name in ("by", "note", "at", "due", "on", "evidence", "value"):
        value = fields.get(name)
        if isinstance(value, str):
            bad = control_character(value, allow_newline=name in _TEXT_FIELDS)
            if bad is not None:
                raise ValueError(f"{name}: control character {describe_character(bad)} is not allowed")
    for link in fields.get("links") or () if isinstance(fields.get("links"), list) else ():
        if isinstance(link, str) and control_character(link) is not None:
            raise ValueError(f"links: control character {describe_character(control_character(link))} is not allowed")
    if "data" in fields:
        _check_data(fields["data"], 1)


def _check_data(value: Any, depth: int) -> None:
    if depth > MAX_DATA_DEPTH:
        raise ValueError(f"data nests deeper than {MAX_DATA_DEPTH} levels")
    if isinstance(value, str):
        bad = control_character(value)
        if bad is not None:
            raise ValueError(f"data: control character {describe_character(bad)} is not allowed")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_data(key, depth)
            _check_data(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_data(item, depth + 1)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def parse_line(chunk: bytes) -> Event:
    """One journal line as an event; ``ValueError`` (never ``RecursionError``) says what is wrong."""
    if len(chunk) > LIMITS["journal line"]:
        raise ValueError(f"the line is longer than the limit of {LIMITS['journal line']:,} bytes")
    try:
        raw = json.loads(chunk, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    return event_from_dict(raw)


def event_to_line(event: Event) -> bytes:
    """The journal line of ``event``; ``JournalError`` if it would not read back as the same event.

    Checked before anything is appended, so a bad event (an id with a
    newline, a plugin's datetime in ``data``) never reaches the journal.
    """
    try:
        line = (json.dumps(event_to_dict(event), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
                + "\n").encode()
        back = parse_line(line[:-1])
    except (TypeError, ValueError) as err:
        raise JournalError(f"event {quote(event.id)} for {quote(event.recommendation)} cannot be recorded: "
                           f"{clip(str(err))}") from None
    if back != event:
        raise JournalError(f"event {quote(event.id)} for {quote(event.recommendation)} cannot be recorded: "
                           "it would not read back as written")
    return line


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
