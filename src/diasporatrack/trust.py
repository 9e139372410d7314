"""Which plugin code may run: the user's trust in plugin files, and the switches.

A workspace may come from anyone (a git clone, a zip), and the files its
``diasporatrack.yaml`` names under ``plugins:`` are code. They run only once
the user trusts them, the way direnv and mise treat a folder's settings:
``diasporatrack trust`` records each file's SHA-256, keyed by its absolute
path, in the user's config directory (never in the workspace, which the
clone could have filled in). A file whose content changed is not trusted
any more until it is trusted again.

The switches, for one process:

- ``DIASPORATRACK_NO_PLUGINS=1`` (or ``--no-plugins``): no installed plugin and
  no plugin file is loaded; the built-ins stay.
- ``DIASPORATRACK_TRUST_LOCAL_PLUGINS=1``: trust every plugin file a workspace
  names, without the store (CI and pre-commit, where a team runs its own
  validators on its own repository).
- ``DIASPORATRACK_LOAD_PLUGINS=a,b``: load only these installed plugins
  (empty: none); plugin files are not affected.

This module imports nothing heavy: the CLI consults it before anything else.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import InputError
from .switches import (  # noqa: F401 - the switches are read through this module too
    LOAD_PLUGINS_ENV, NO_PLUGINS_ENV, TRUST_LOCAL_ENV, flag as _flag, installed_allowed)
STORE_NAME = "trusted.json"
STORE_VERSION = 1
MAX_PLUGIN_FILE = 1_000_000  # bytes: a plugin file is code a person reads before trusting it
MAX_STORE = 10_000_000  # bytes: the store holds one short entry per trusted file

_forced_off = 0  # > 0 while a --no-plugins run is active (see switched_off)


class UntrustedPluginWarning(UserWarning):
    """Plugin files a workspace names were not run: the user has not trusted them as they are now."""


class TrustError(InputError):
    """The trust store cannot be read or written, or a plugin file cannot be read."""


# --- the switches ---------------------------------------------------------------


def plugins_off() -> bool:
    """Whether every installed plugin and plugin file is switched off for this process."""
    return _forced_off > 0 or _flag(NO_PLUGINS_ENV)


def local_trusted_by_environment() -> bool:
    """Whether ``DIASPORATRACK_TRUST_LOCAL_PLUGINS`` trusts every plugin file explicitly."""
    return _flag(TRUST_LOCAL_ENV)


@contextlib.contextmanager
def switched_off(off: bool = True) -> Iterator[None]:
    """Turn plugins off (as ``--no-plugins`` does) until the block ends."""
    global _forced_off
    _forced_off += int(off)
    try:
        yield
    finally:
        _forced_off -= int(off)


def shown(path: Path | str) -> str:
    """A path for a one-line message: quoted with escapes if it holds anything a terminal would act on.

    A workspace chooses its plugin file names, so a name may hold newlines,
    escape sequences or bidi controls meant to forge or hide output.
    """
    text = str(path)
    return text if text.isprintable() else ascii(text)


# --- where trust is kept -------------------------------------------------------------


def config_dir() -> Path:
    """The user's diasporatrack config folder: ``$XDG_CONFIG_HOME/diasporatrack`` or its default."""
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"])
    else:
        given = os.environ.get("XDG_CONFIG_HOME", "")
        # The XDG spec ignores a relative value: it would depend on the cwd (a workspace could plant one).
        base = Path(given) if given and os.path.isabs(given) else Path.home() / ".config"
    return base / "diasporatrack"


def store_path() -> Path:
    """The file that records trusted plugin files."""
    return config_dir() / STORE_NAME


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_store(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Trusted files by absolute path: ``{"sha256": ..., "trusted_at": ...}``; empty if none yet."""
    path = path or store_path()
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_STORE + 1)
    except FileNotFoundError:
        return {}
    except OSError as err:
        raise TrustError(f"{path}: cannot read the trust store: {err.strerror or err}") from err
    if len(raw) > MAX_STORE:
        raise TrustError(f"{path}: the trust store is larger than {MAX_STORE:,} bytes")
    try:
        data = json.loads(raw.decode("utf-8"))
        files = data["files"]
        if not isinstance(files, dict) or not all(
                isinstance(v, dict) and isinstance(v.get("sha256"), str) for v in files.values()):
            raise ValueError("files must map paths to entries with a sha256")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as err:
        raise TrustError(f"{path}: the trust store is damaged ({type(err).__name__}); "
                         "delete it and trust the plugin files again") from err
    return files


@contextlib.contextmanager
def _store_locked(path: Path) -> Iterator[None]:
    """Serialise read-modify-write of the store between two ``trust`` runs."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        import fcntl
    except ImportError:  # no flock here: two simultaneous `trust` runs may lose one's entry
        yield
        return
    with open(path.with_name(path.name + ".lock"), "ab") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """A store that cannot be written (read-only home, full disk) is one line, not a traceback."""
    try:
        yield
    except OSError as err:
        raise TrustError(f"{path}: cannot write the trust store: {err.strerror or err}") from err


def _write_store(path: Path, files: dict[str, dict[str, str]]) -> None:
    from .files import atomic_write

    text = json.dumps({"version": STORE_VERSION, "files": dict(sorted(files.items()))}, indent=2,
                      ensure_ascii=False) + "\n"
    atomic_write(path, text)


# --- plugin files ------------------------------------------------------------------


def read_plugin_file(path: Path) -> tuple[Path, bytes]:
    """The absolute path and the bytes of a plugin file: a regular file, at most MAX_PLUGIN_FILE bytes.

    The bytes returned are the ones that are hashed and then run, so a file
    changed between the check and the import cannot slip through.
    """
    real = Path(os.path.realpath(path))
    try:
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode):
            raise TrustError(f"plugin file {shown(path)} is not a regular file")
        if info.st_size > MAX_PLUGIN_FILE:
            raise TrustError(f"plugin file {shown(path)} is larger than {MAX_PLUGIN_FILE:,} bytes")
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(real, flags)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise TrustError(f"plugin file {shown(path)} is not a regular file")
            data = fh.read(MAX_PLUGIN_FILE + 1)
    except FileNotFoundError as err:
        raise TrustError(f"plugin file {shown(path)} does not exist") from err
    except OSError as err:
        raise TrustError(f"plugin file {shown(path)} cannot be read: {err.strerror or err}") from err
    if len(data) > MAX_PLUGIN_FILE:
        raise TrustError(f"plugin file {shown(path)} is larger than {MAX_PLUGIN_FILE:,} bytes")
    return real, data


def why_untrusted(real: Path, data: bytes, store: dict[str, dict[str, str]]) -> str | None:
    """``None`` if the file with these bytes is trusted, else why not, in a few words."""
    if local_trusted_by_environment():
        return None
    entry = store.get(str(real))
    if entry is None:
        return "not trusted"
    if entry.get("sha256") != digest(data):
        return "changed since it was trusted"
    return None


def trust(paths: Iterable[Path], *, store: Path | None = None) -> list[tuple[Path, str, bool]]:
    """Trust these files as they are now: ``(absolute path, sha256, newly trusted)`` for each."""
    store = store or store_path()
    read = [read_plugin_file(Path(p)) for p in paths]  # every file readable, or nothing is recorded
    with _writing(store), _store_locked(store):
        files = read_store(store)
        done = []
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        for real, data in read:
            sha = digest(data)
            new = files.get(str(real), {}).get("sha256") != sha
            if new:
                files[str(real)] = {"sha256": sha, "trusted_at": now}
            done.append((real, sha, new))
        if any(new for _, _, new in done):
            _write_store(store, files)
    return done


def revoke(paths: Iterable[Path], *, store: Path | None = None) -> list[tuple[Path, bool]]:
    """Stop trusting these files (they need not exist any more): ``(absolute path, was trusted)``."""
    store = store or store_path()
    with _writing(store), _store_locked(store):
        files = read_store(store)
        done = [(Path(os.path.realpath(p)), str(Path(os.path.realpath(p))) in files) for p in paths]
        for real, was in done:
            files.pop(str(real), None)
        if any(was for _, was in done):
            _write_store(store, files)
    return done


def listing(store: Path | None = None) -> list[dict[str, str]]:
    """Every trusted file: path, sha256, when, and its state now (ok, changed, missing)."""
    out = []
    for path, entry in sorted(read_store(store).items()):
        try:
            _, data = read_plugin_file(Path(path))
            state = "ok" if digest(data) == entry["sha256"] else "changed"
        except TrustError:
            state = "missing" if not os.path.lexists(path) else "unreadable"
        out.append({"path": path, "sha256": entry["sha256"], "trusted_at": entry.get("trusted_at", ""),
                    "state": state})
    return out
