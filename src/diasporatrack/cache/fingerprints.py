"""What the cache knows about each authored file, and when a file must be looked at again.

A file's fingerprint is its size, modification time, inode change time and
inode, all from one ``stat``: cheap enough to take for every file on every
command. The inode change time (``ctime``) cannot be set by a program, so it
catches an edit that keeps the size and puts the old modification time back
(``cp -p``, ``tar -x``, ``unzip``). A file whose fingerprint changed has its
content hashed; only a different hash means it is read again.

A file changed within :data:`RACY_NS` of the moment it was looked at is
"racy" (git's word): a second change in the same clock tick could leave the
same fingerprint, so such a file is hashed again next time whatever its
fingerprint says.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import attrs

from ..workspace import CONFIG_FILE, OWNERS_FILE, source_files

RACY_NS = 2_000_000_000

Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def stat_of(path: Path) -> Stat | None:
    """The fingerprint of one file, or None if it is not there."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def is_racy(stat: Stat | None, taken_ns: int) -> bool:
    """Changed so recently that another change could hide behind the same fingerprint."""
    return stat is not None and taken_ns - max(stat[1], stat[2]) < RACY_NS


def content_hash(text: str) -> str:
    """The hash of a file's text as the YAML reader decoded it (equal to :func:`file_hash` of its bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_hash(path: Path, size: int | None = None) -> str | None:
    """The hash of a file's bytes (without a UTF-8 byte-order mark), reading at most ``size`` + 1 bytes."""
    from ..safeio import UnsafeFile, read_bytes

    try:  # like every read of a workspace file: no link followed, never a FIFO, bounded (a link to /dev/zero)
        raw = read_bytes(path.parent, path, "source")
    except (OSError, UnsafeFile):
        return None
    if size is not None:
        raw = raw[: size + 1]
    return hashlib.sha256(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw).hexdigest()


def settings_hashes(root: Path) -> tuple[str | None, str | None]:
    return file_hash(root / CONFIG_FILE), file_hash(root / OWNERS_FILE)


def order_key(rel: str) -> str:
    """Sorts relative paths in the order :func:`source_files` lists them.

    Files of a folder come before its sub-folders, each group by name; NUL
    ends a folder's name so that ``a`` sorts before ``a-b`` as names do.
    """
    *folders, name = rel.split("/")
    return "".join(f"\x01{f}\x00" for f in folders) + "\x00" + name


@attrs.frozen
class Scan:
    """The fingerprints of a workspace's authored files, taken at one moment."""

    settings: tuple[Stat | None, Stat | None]  # diasporatrack.yaml, owners.yaml
    files: dict[str, Stat]  # source files by path relative to the root, with "/"
    taken_ns: int

    def settings_racy(self) -> bool:
        return any(is_racy(s, self.taken_ns) for s in self.settings)


def scan(root: Path) -> Scan:
    """Fingerprint every authored file of the workspace at ``root``."""
    taken = time.time_ns()
    settings = (stat_of(root / CONFIG_FILE), stat_of(root / OWNERS_FILE))
    files: dict[str, Stat] = {}
    for path in source_files(root):
        stat = stat_of(path)
        if stat is not None:
            files[path.relative_to(root).as_posix()] = stat
    return Scan(settings=settings, files=files, taken_ns=taken)
