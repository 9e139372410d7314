"""The installed plugins (entry points of the group ``diasporatrack``), listed without reading every package.

``importlib.metadata`` finds entry points by reading the metadata of every
installed distribution, which costs a command that loads plugins more than
the rest of its start-up. The answer only changes when what is installed
changes, so it is kept in the cache folder, keyed by a fingerprint of the
places it comes from: every folder on ``sys.path`` (its modification time
changes when a distribution is added or removed) and the
``entry_points.txt`` of every distribution in them. Anything else (an
unreadable folder, a zip file on the path) lists them afresh.
"""

from __future__ import annotations

import os
import sys

from .digests import sha256

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up
if TYPE_CHECKING:
    from typing import Any

FORMAT = 2  # 2: the key hashes the repr of what it depends on
GROUP = "diasporatrack"  # the entry point group of installed plugins


def listed(group: str) -> list[tuple[str, str, str | None, str | None]]:
    """(name, ``module:attribute``, distribution, version) of each entry point of ``group``, in
    ``importlib.metadata``'s order. Raises what it raises for broken metadata."""
    key = _fingerprint(group)
    path = _store(group) if key is not None else None
    if path is not None:
        try:
            from .jsonread import loads

            with open(path, encoding="utf-8") as fh:
                kept = loads(fh.read())
            if kept.get("format") == FORMAT and kept.get("key") == key:
                return [tuple(item) for item in kept["entry_points"]]  # type: ignore[misc]
        except (OSError, ValueError, TypeError, AttributeError, KeyError):
            pass  # not there, or not ours: listed afresh
    from importlib.metadata import entry_points

    found = []
    for ep in entry_points(group=group):
        dist = getattr(ep, "dist", None)
        found.append((ep.name, ep.value, dist.name if dist is not None else None,
                      dist.version if dist is not None else None))
    if path is not None:
        _keep(path, {"format": FORMAT, "key": key, "entry_points": found})
    return found


def load(value: str) -> Any:
    """The object an entry point names (``module`` or ``module:attribute.attribute``), as EntryPoint.load()."""
    module, _, attrs = value.partition(":")
    import importlib

    found = importlib.import_module(module.strip())
    for name in filter(None, attrs.strip().split(".")):
        found = getattr(found, name)
    return found


def _fingerprint(group: str) -> str | None:
    """A hash of everything the listing depends on, or None if a place on the path is not a plain folder."""
    parts: list[Any] = [group, sys.version, list(sys.path)]
    for place in sys.path:
        folder = place or "."
        try:
            st = os.stat(folder)
        except OSError:
            parts.append(None)  # not there: nothing is found in it
            continue
        if not os.path.isdir(folder):
            return None  # a zip file: its listing is not kept
        parts.append((st.st_mtime_ns, st.st_ino))
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return None
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    ep = os.stat(os.path.join(folder, name, "entry_points.txt"))
                    parts.append((name, ep.st_size, ep.st_mtime_ns, ep.st_ino))
                except OSError:
                    parts.append((name, None))
    return sha256(repr(parts).encode()).hexdigest()


def _store(group: str) -> str:
    from .cache import cache_folder

    name = sha256(group.encode()).hexdigest()[:16]
    return os.path.join(cache_folder(), f"entry-points-{name}.json")


def _keep(path: str, data: dict) -> None:
    """Write the listing (atomically); a cache that cannot be written only costs time."""
    import contextlib
    import json

    with contextlib.suppress(OSError):
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(temporary, path)
