"""Writing files so that a reader never sees half of one.

Every file the program writes goes through :func:`atomic_write` (or, for a
set of files that must change together, :class:`StagedFile`): the data goes
to a temporary file beside the target, is flushed to disk, and is renamed
over it. Only a regular file (or nothing) is ever replaced: a symlink, a
FIFO, a device or a directory at the target is refused, so ``-o`` cannot
truncate ``/dev/full`` or write through a link. Operating-system failures
(a missing folder, a full disk, a name too long) become one-line
:class:`WriteError` messages, and leave the target as it was.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import weakref
from pathlib import Path

from .errors import WriteError


def target_mode(path: Path) -> int | None:
    """The mode of what ``path`` names now (not following a link), None when it is absent.

    Raises :class:`WriteError` when it cannot be written at all: its folder
    is missing, or the operating system refuses to look.
    """
    try:
        return os.lstat(path).st_mode
    except FileNotFoundError:
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise WriteError(f"cannot write {path}: the folder {parent} does not exist") from None
        return None
    except OSError as err:
        raise WriteError(f"cannot write {path}: {err.strerror}") from None


def check_target(path: Path) -> bool:
    """Raise :class:`WriteError` unless ``path`` is a regular file or absent; say whether it exists."""
    mode = target_mode(path)
    if mode is None:
        return False
    if stat.S_ISREG(mode):
        return True
    raise WriteError(f"cannot write {path}: it is {_kind(mode)}; only a regular file is replaced")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


class StagedFile:
    """A new version of one file, written beside it and not yet in place.

    ``stage`` (or ``open``, ``append``..., ``close``) writes and fsyncs the
    temporary file; ``commit`` puts it in
    place (``exclusive`` refuses to replace a file that appeared meanwhile);
    ``rollback`` undoes a commit (restoring the old file, or removing a new
    one) or drops an uncommitted temporary file.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.existed = check_target(self.path)
        self._tmp: str | None = None
        self._closed = False
        self._cleanup: weakref.finalize | None = None
        self._backup: str | None = None
        self._committed = False

    def stage(self, data: str | bytes) -> None:
        """Write the whole new content (``open``, ``append``, ``close`` in one call)."""
        self.open()
        self.append(data)
        self.close()

    def open(self) -> None:
        """Create the (empty) temporary file; ``append`` then adds to it piece by piece.

        No file descriptor stays open between calls: an import may stage
        thousands of files.
        """
        try:
            fd, self._tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name[:100]}.",
                                             suffix=".tmp")
            os.close(fd)
        except OSError as err:
            raise WriteError(f"cannot write {self.path}: {err.strerror}") from None
        # A plan dropped without commit or discard leaves no temporary file behind.
        self._cleanup = weakref.finalize(self, _unlink, self._tmp)

    def append(self, data: str | bytes) -> None:
        self._write(data.encode("utf-8") if isinstance(data, str) else data, sync=False)

    def close(self) -> None:
        """Flush the temporary file to disk and give it the target's permissions."""
        self._write(b"", sync=True)
        try:
            mode = os.stat(self.path).st_mode & 0o777 if self.existed else 0o666 & ~_umask()
            os.chmod(self._tmp, mode)
        except OSError as err:
            self.discard()
            raise WriteError(f"cannot write {self.path}: {err.strerror}") from None
        self._closed = True

    def _write(self, payload: bytes, *, sync: bool) -> None:
        assert self._tmp is not None, "open() first"
        try:
            fd = os.open(self._tmp, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0))
            try:
                write_all(fd, payload)
                if sync:
                    os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as err:
            self.discard()
            raise WriteError(f"cannot write {self.path}: {err.strerror}") from None

    def commit(self, *, exclusive: bool = False) -> None:
        assert self._tmp is not None and self._closed, "stage() first"
        try:
            if exclusive:
                _link_or_copy(self._tmp, self.path)
                os.unlink(self._tmp)
            else:
                if check_target(self.path):
                    self._backup = self._tmp + ".old"
                    _link_or_copy(str(self.path), Path(self._backup))
                os.replace(self._tmp, self.path)
        except FileExistsError:
            self._drop_backup()
            raise WriteError(f"cannot write {self.path}: a file of that name appeared meanwhile") from None
        except OSError as err:
            self._drop_backup()
            raise WriteError(f"cannot write {self.path}: {err.strerror}") from None
        except BaseException:
            self._drop_backup()
            raise
        self._tmp = None
        if self._cleanup is not None:
            self._cleanup.detach()
        self._committed = True
        _sync_dir(self.path.parent)

    def rollback(self) -> None:
        if self._committed:
            if self._backup is not None:
                os.replace(self._backup, self.path)
            else:
                os.unlink(self.path)
            self._backup = None
            self._committed = False
            _sync_dir(self.path.parent)
        self.discard()

    def finish(self) -> None:
        """Forget the old version once every file of the change is in place."""
        self._drop_backup()

    def _drop_backup(self) -> None:
        if self._backup is not None:
            _unlink(self._backup)
            self._backup = None

    def discard(self) -> None:
        """Drop the temporary file of a change not committed."""
        if self._tmp is not None:
            _unlink(self._tmp)
            self._tmp = None
        if self._cleanup is not None:
            self._cleanup.detach()


def atomic_write(path: Path, data: str | bytes) -> None:
    """Replace ``path`` with ``data`` in one step: the old file or the new, never a mix.

    Refuses (with :class:`WriteError`) a target that is not a regular file.
    """
    staged = StagedFile(Path(path))
    staged.stage(data)
    try:
        staged.commit()
    except BaseException:
        staged.discard()
        raise
    staged.finish()


_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS, errno.EMLINK}


def write_all(fd: int, payload: bytes) -> None:
    """Write every byte with ``os.write`` (unbuffered: nothing is left to be written later)."""
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _link_or_copy(source: str, target: Path) -> None:
    """Make ``target`` a second name of ``source``; where links are not supported, a copy.

    Never replaces an existing ``target`` (``FileExistsError``).
    """
    try:
        os.link(source, target)
        return
    except OSError as err:
        if err.errno not in _NO_LINKS:
            raise
        # A file system without hard links: copy, still refusing to replace.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with open(source, "rb") as src:
        data = src.read()
    fd = os.open(target, flags, os.stat(source).st_mode & 0o777)
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _unlink(str(target))
        raise


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _sync_dir(folder: Path) -> None:
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
