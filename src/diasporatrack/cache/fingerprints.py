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

import os
import time

from ..digests import sha256
from ..places import CONFIG_FILE, OWNERS_FILE, source_names

TYPE_CHECKING = False  # typing and pathlib are not imported: a command answered from the cache starts faster
if TYPE_CHECKING:
    from pathlib import Path

RACY_NS = 2_000_000_000

Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def stat_of(path: Path | str) -> Stat | None:
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
    return sha256(text.encode("utf-8")).hexdigest()


def file_hash(path: Path | str, size: int | None = None) -> str | None:
    """The hash of a file's bytes (without a UTF-8 byte-order mark), reading at most ``size`` + 1 bytes."""
    from pathlib import Path

    from ..safeio import UnsafeFile, read_bytes

    path = Path(path)

    try:  # like every read of a workspace file: no link followed, never a FIFO, bounded (a link to /dev/zero)
        raw = read_bytes(path.parent, path, "source")
    except (OSError, UnsafeFile):
        return None
    if size is not None:
        raw = raw[: size + 1]
    return sha256(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw).hexdigest()


def known_size_hash(path: str, size: int) -> str | None:
    """:func:`file_hash` of a file whose fingerprint was just found to say it holds ``size`` bytes, or None.

    Read without pathlib or the safe reader (a command answered from the
    cache imports neither) but as carefully for what it does, which is
    only to compare a hash: no link followed at the end, nothing but a
    regular file (never a FIFO or a device), at most ``size`` + 1 bytes.
    """
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    chunks: list[bytes] = []
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        want = size + 1
        while want > 0:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            want -= len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    return sha256(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw).hexdigest()


def settings_hashes(root: Path | str) -> tuple[str | None, str | None]:
    return file_hash(os.path.join(root, CONFIG_FILE)), file_hash(os.path.join(root, OWNERS_FILE))


def settings_blob(scan: Scan, hashes: tuple | None = None) -> str:
    """The settings files' fingerprints, whether they are racy, and their hashes when known (JSON)."""
    import json

    return json.dumps([scan.settings, scan.settings_racy(), hashes])


def read_settings_blob(blob: str) -> tuple[tuple, bool, tuple | None]:
    """What :func:`settings_blob` wrote: (fingerprints of the two settings files, racy, hashes or None)."""
    from ..jsonread import loads

    stats, racy, hashes = loads(blob)
    return (tuple(None if s is None else tuple(s) for s in stats), racy,
            None if hashes is None else tuple(hashes))


def order_key(rel: str) -> str:
    """Sorts relative paths in the order :func:`source_files` lists them.

    Files of a folder come before its sub-folders, each group by name; NUL
    ends a folder's name so that ``a`` sorts before ``a-b`` as names do.
    """
    *folders, name = rel.split("/")
    return "".join(f"\x01{f}\x00" for f in folders) + "\x00" + name


class Scan:
    """The fingerprints of a workspace's authored files, taken at one moment.

    A plain class (not attrs): a command answered from the cache takes one before importing the model.
    """

    __slots__ = ("files", "settings", "taken_ns")

    def __init__(self, *, settings: tuple[Stat | None, Stat | None], files: dict[str, Stat], taken_ns: int) -> None:
        self.settings = settings  # diasporatrack.yaml, owners.yaml
        self.files = files  # source files by path relative to the root, with "/"
        self.taken_ns = taken_ns

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scan):
            return NotImplemented
        return (self.settings, self.files, self.taken_ns) == (other.settings, other.files, other.taken_ns)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Scan(settings={self.settings!r}, files={self.files!r}, taken_ns={self.taken_ns!r})"

    def settings_racy(self) -> bool:
        return any(is_racy(s, self.taken_ns) for s in self.settings)


def scan(root: Path | str) -> Scan:
    """Fingerprint every authored file of the workspace at ``root``."""
    taken = time.time_ns()
    settings = (stat_of(os.path.join(root, CONFIG_FILE)), stat_of(os.path.join(root, OWNERS_FILE)))
    files: dict[str, Stat] = {}
    for rel in source_names(root):
        stat = stat_of(os.path.join(root, rel))
        if stat is not None:
            files[rel] = stat
    return Scan(settings=settings, files=files, taken_ns=taken)


def settled(scan: Scan, settings: str, files: list[tuple]) -> tuple[str | None, list[tuple]]:
    """What of a cache :func:`changed` just found current has stopped being racy: the settings blob to write
    (or None), and (path, size, mtime_ns, ctime_ns, ino, hash) of each such file.

    Its content was hashed against the cache's just now, and any later
    change will show in its fingerprint: it need not be hashed again.
    """
    stats, racy, hashes = read_settings_blob(settings)
    blob = settings_blob(scan, hashes) if racy and hashes is not None and not scan.settings_racy() else None
    calm = [(rel, size, mtime, ctime, ino, digest) for rel, _, size, mtime, ctime, ino, racy, digest, *_ in files
            if racy and digest is not None and not is_racy((size, mtime, ctime, ino), scan.taken_ns)]
    return blob, calm


def changed(root: Path | str, scan: Scan, settings: str, files: list[tuple]) -> bool:
    """Whether any authored file differs from what the cache saw; racy files are compared by hash.

    ``settings`` is the cache's settings blob, ``files`` its rows of
    (path, key, size, mtime_ns, ctime_ns, ino, racy, hash, ...).
    """
    stats, racy, hashes = read_settings_blob(settings)
    if stats != scan.settings or (racy and (hashes is None or _known_settings_hashes(root, scan) != hashes)):
        return True
    if len(files) != len(scan.files):
        return True
    for rel, _, size, mtime, ctime, ino, racy, digest, *_ in files:
        if scan.files.get(rel) != (size, mtime, ctime, ino):
            return True
        if racy and (digest is None or known_size_hash(os.path.join(root, rel), size) != digest):
            return True
    return False


def _known_settings_hashes(root: Path | str, scan: Scan) -> tuple[str | None, str | None]:
    """:func:`settings_hashes` for settings files whose fingerprints ``scan`` holds."""
    config, owners = (None if stat is None else known_size_hash(os.path.join(root, name), stat[0])
                      for name, stat in zip((CONFIG_FILE, OWNERS_FILE), scan.settings))
    return config, owners
