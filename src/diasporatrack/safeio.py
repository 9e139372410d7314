"""Opening the files of a workspace: regular files inside it, read with a bound.

A workspace may come from anyone (a git clone, a zip), so the names in it are
input too. Every file the library reads or writes inside a workspace goes
through here, which promises:

* the file is a regular file: a symbolic link, FIFO, device, socket or
  directory where a file is expected is refused, without opening it where
  the platform allows (a link is never followed, so nothing outside the
  workspace is read, truncated or echoed);
* it is inside the workspace: each folder on the way is opened relative to
  the one before, none followed if it is a link (``openat`` with
  ``O_NOFOLLOW``; elsewhere the resolved path must lie under the root);
* reads stop at the limit of the kind of file (:data:`LIMITS`), the same
  table as in docs/reliability.md.

Anything refused, and any operating-system error (permission denied, a name
too long, a folder where a file should be), is an :class:`UnsafeFile`: a
located one-line problem that never quotes the file's content. A missing
file raises :class:`FileNotFoundError` as usual, for callers to whom absent
is normal.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import DiasporatrackError

TYPE_CHECKING = False  # Problem (attrs) is imported when a file is refused, not to read one
if TYPE_CHECKING:
    from .errors import Problem

__all__ = ["LIMITS", "UnsafeFile", "check_regular", "describe_os_error", "open_append", "read_bytes", "write_bytes"]

MiB = 1024 * 1024
# The most the program reads of each kind of file (docs/reliability.md, "Limits").
LIMITS = {
    "source": 64 * MiB,  # an authored source file: about 80,000 recommendations
    "owners": 16 * MiB,  # owners.yaml
    "actions": 16 * MiB,  # actions.yaml
    "settings": 1 * MiB,  # diasporatrack.yaml
    "journal": 1024 * MiB,  # journal.jsonl, read from where the last read stopped
    "journal line": 1 * MiB,  # one event
    "document": 50 * MiB,  # an archived source text (sources/ID.txt) that quotes are checked against
}
# Files given to `import` are outside the workspace; their limits are the importer's (same table in the docs).

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO must not make open() wait for a writer
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_AT = _NOFOLLOW and _DIRECTORY and os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd


class UnsafeFile(DiasporatrackError):
    """A workspace file that cannot be used as one; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link (links are not followed: the file must be a regular file inside the workspace)"
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    return "not a regular file"


def describe_os_error(err: OSError) -> str:
    """A one-line reason for an operating-system error, without the path (the caller locates it)."""
    if err.errno in (errno.ELOOP, getattr(errno, "EMLINK", None)):
        return "is a symbolic link (links are not followed: the file must be a regular file inside the workspace)"
    if err.errno == errno.ENAMETOOLONG:
        return "cannot be opened: its name is too long for the file system"
    if err.errno == errno.EISDIR:
        return "is a folder, not a file"
    if err.errno == errno.ENOTDIR:
        return "cannot be opened: a part of its path is not a folder"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "cannot be opened: permission denied"
    if err.errno == errno.ENOSPC:
        return "cannot be written: no space left on the device"
    if err.errno == errno.EROFS:
        return "cannot be written: the file system is read-only"
    return f"cannot be used: {err.strerror or type(err).__name__}"


def _refuse(path: Path, reason: str) -> UnsafeFile:
    from .errors import Problem
    from .workspace import display_path

    return UnsafeFile(Problem(message=reason, path=display_path(path)))


def _open_at(root: Path, path: Path, flags: int, mode: int) -> int:
    """Open ``path`` (inside ``root``) folder by folder, following no link on the way."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        raise _refuse(path, "is outside the workspace") from None
    if not parts or ".." in parts:
        raise _refuse(path, "is outside the workspace")
    if not _AT:
        return _open_checked_path(root, path, flags, mode)
    fd = os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for i, part in enumerate(parts[:-1]):
            try:
                new = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
            except OSError as err:
                if err.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise _refuse(path, f"cannot be opened: {Path(*parts[: i + 1])} is a symbolic link or "
                                        "not a folder (links are not followed)") from None
                raise
            os.close(fd)
            fd = new
        name = parts[-1]
        try:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            if not flags & os.O_CREAT:
                raise
        else:
            if not stat.S_ISREG(st.st_mode):  # refused before it is opened: opening a device may act
                raise _refuse(path, "is " + _kind_of(st.st_mode))
        return os.open(name, flags | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _BINARY, mode, dir_fd=fd)
    finally:
        os.close(fd)


def _open_checked_path(root: Path, path: Path, flags: int, mode: int) -> int:
    """Where ``openat`` is missing: the resolved path must lie under the resolved root."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        if not flags & os.O_CREAT:
            raise
    else:
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(path, "is " + _kind_of(st.st_mode))
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if os.path.commonpath([real_root, real]) != real_root:
        raise _refuse(path, "is outside the workspace (a folder on its path is a link)")
    return os.open(path, flags | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _BINARY, mode)


def _open(root: Path, path: Path, flags: int, mode: int = 0o666) -> int:
    """An open descriptor of the regular file ``path``; :class:`UnsafeFile` for anything else."""
    try:
        fd = _open_at(Path(root), Path(path), flags, mode)
    except (UnsafeFile, FileNotFoundError):
        raise
    except OSError as err:
        raise _refuse(path, describe_os_error(err)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # replaced between the check and the open
            raise _refuse(path, "is " + _kind_of(st.st_mode))
        if _NONBLOCK and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def check_regular(root: Path, path: Path) -> bool:
    """True if ``path`` is a regular file inside ``root``, False if it is absent; else :class:`UnsafeFile`."""
    try:
        os.close(_open(root, path, os.O_RDONLY))
    except FileNotFoundError:
        return False
    return True


def read_bytes(root: Path, path: Path, kind: str, *, start: int = 0) -> bytes:
    """The bytes of the regular file ``path`` inside ``root`` from ``start`` on.

    Refuses (:class:`UnsafeFile`) a file longer than ``LIMITS[kind]`` bytes
    instead of reading it; raises :class:`FileNotFoundError` if it is absent.
    """
    limit = LIMITS[kind]
    fd = _open(root, path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        if size - start > limit:
            raise _refuse(path, too_large(kind, size - start))
        if start:
            os.lseek(fd, start, os.SEEK_SET)
        chunks = []
        got = 0
        while True:
            try:
                chunk = os.read(fd, min(max(size - start - got, 0) + 65536, limit + 1 - got))
            except OSError as err:
                raise _refuse(path, describe_os_error(err)) from None
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got > limit:  # grew while being read
                raise _refuse(path, too_large(kind, got))
        return b"".join(chunks)
    finally:
        os.close(fd)


def too_large(kind: str, size: int) -> str:
    """The message for a file past its limit."""
    return f"is too large: {_size(size)}, the limit for a {kind} file is {_size(LIMITS[kind])} (see docs/reliability.md)"


def _size(n: int) -> str:
    return f"{n / MiB:,.1f} MiB" if n >= MiB else f"{n:,} bytes"


def open_append(root: Path, path: Path) -> BinaryIO:
    """The regular file ``path`` inside ``root``, created if absent, open for reading and appending."""
    return os.fdopen(_open(root, path, os.O_RDWR | os.O_APPEND | os.O_CREAT), "a+b")


def write_bytes(root: Path, path: Path, data: bytes) -> None:
    """Write ``data`` to the regular file ``path`` inside ``root`` (created, or truncated), following no link.

    Not atomic: for files the program creates (``init``); authored files are
    replaced with :mod:`diasporatrack.files` instead.
    """
    fd = _open(root, path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as err:
        raise _refuse(path, describe_os_error(err)) from None
    finally:
        os.close(fd)
