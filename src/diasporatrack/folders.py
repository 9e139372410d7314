"""Writing a whole folder (a static site) so that a reader never sees half of one.

The files are written into a new folder beside the target, which then takes
the target's place; a previous version is removed only after that. The
target must be absent, an empty folder, or a folder this program wrote before
(it holds the marker file): anything else, a symlink, a device or a folder
of other files, is refused rather than overwritten.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import WriteError
from .files import _kind, _umask, target_mode


def check_folder(path: Path, marker: str) -> bool:
    """Raise :class:`WriteError` unless ``path`` may become the folder; say whether it exists."""
    mode = target_mode(path)
    if mode is None:
        return False
    if not stat.S_ISDIR(mode):
        raise WriteError(f"cannot write {path}: it is {_kind(mode)}; give a new or empty folder, or a "
                         "site written before")
    try:
        entries = os.listdir(path)
        marked = stat.S_ISREG(os.lstat(path / marker).st_mode) if marker in entries else False
    except OSError as err:
        raise WriteError(f"cannot write {path}: {err.strerror}") from None
    if entries and not marked:
        raise WriteError(f"cannot write {path}: the folder is not empty and is not a site written by "
                         "diasporatrack; give a new or empty folder")
    return True


def _checked_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if (not name or "\\" in name or "\0" in name or path.is_absolute()
            or any(part in ("", ".", "..") for part in name.split("/"))):
        raise WriteError(f"refused to write {name!r}: not a plain relative file name")
    return path


def _pieces(name: str, data: Any) -> Iterator[bytes]:
    """A file's bytes, or the pieces of a file given as an iterable of bytes (a large one, made as written)."""
    if isinstance(data, (bytes, bytearray)):
        yield data
        return
    if isinstance(data, (str, Mapping)) or not isinstance(data, Iterable):
        raise WriteError(f"refused to write {name!r}: the exporter gave {type(data).__name__}, not bytes")
    for chunk in data:
        if not isinstance(chunk, (bytes, bytearray)):
            raise WriteError(f"refused to write {name!r}: the exporter gave a piece of {type(chunk).__name__}, "
                             "not bytes")
        yield chunk


def write_folder(target: Path, files: Mapping[str, Any], marker: str) -> None:
    """Put ``files`` (relative POSIX names to bytes, or to an iterable of bytes for a large file) in place
    as the folder ``target``."""
    names = {name: _checked_name(name) for name in files}
    existed = check_folder(target, marker)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    except OSError as err:
        raise WriteError(f"cannot write {target}: {err.strerror}") from None
    folder_mode = 0o777 & ~_umask()
    try:
        os.chmod(staging, folder_mode)
        for name, data in files.items():
            path = staging.joinpath(*names[name].parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            # O_EXCL: two names that differ only in case on a case-insensitive disk fail instead of overwriting.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            with os.fdopen(fd, "wb") as out:
                for chunk in _pieces(name, data):
                    out.write(chunk)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise WriteError(f"cannot write {target}: {err.strerror or err}") from None
    except BaseException:  # a file made as it is written failed: nothing half-written stays beside the target
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = None
    try:
        if existed:
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=parent))
            os.rename(target, old / "site")
        os.rename(staging, target)
    except OSError as err:
        if old is not None and (old / "site").exists():
            os.rename(old / "site", target)  # the previous site stays as it was
        shutil.rmtree(staging, ignore_errors=True)
        raise WriteError(f"cannot write {target}: {err.strerror or err}") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
