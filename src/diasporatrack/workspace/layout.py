"""Where a workspace is and what is in it: its files, the Workspace record, locations for messages."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import attrs

from ..errors import Problem
from ..lifecycle import DEFAULT_LIFECYCLE, DEFAULT_RESPONSES, Lifecycle, Responses
from ..model import Owner, Recommendation, Source
from ..textsafety import quote

OWNERS_FILE = "owners.yaml"
CONFIG_FILE = "diasporatrack.yaml"
DEFAULT_DIR = "recommendations"
ROOT_ENV = "DIASPORATRACK_ROOT"
ACTIONS_FILE = "actions.yaml"  # the plan (see diasporatrack.actions): never a source file
CONFIG_KEYS = ("statuses", "responses", "reminders", "urgency", "plugins", "disable", "publish", "action_statuses",
               "progress_from", "languages", "import")


@attrs.frozen
class Location:
    """Where something was written: a file and a line."""

    path: Path
    line: int | None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)


@attrs.define
class Workspace:
    """The authored content of a workspace, as read from its YAML files."""

    root: Path
    lifecycle: Lifecycle = DEFAULT_LIFECYCLE
    responses: Responses = DEFAULT_RESPONSES
    config: dict[str, Any] = attrs.Factory(dict)
    sources: dict[str, Source] = attrs.Factory(dict)
    owners: dict[str, Owner] = attrs.Factory(dict)
    recommendations: dict[str, Recommendation] = attrs.Factory(dict)
    locations: dict[str, Location] = attrs.Factory(dict)
    problems: list[Problem] = attrs.Factory(list)
    links: list[Any] = attrs.Factory(list)  # parents and citations, checked once every file is read
    children: dict[str, tuple[str, ...]] = attrs.Factory(dict)  # parent id -> children ids (clusters)
    source_paths: dict[str, Path] = attrs.Factory(dict)  # the file each source was read from (for the cache)


def is_workspace(path: Path) -> bool:
    # lexists: a workspace whose settings are a link is still found, and then refused with a located error.
    return os.path.lexists(path / CONFIG_FILE) or os.path.lexists(path / OWNERS_FILE)


def find_root(root: str | os.PathLike[str] | None = None, start: Path | None = None) -> Path:
    """The workspace directory: ``root``, else ``$DIASPORATRACK_ROOT``, else
    the nearest workspace or ``recommendations/`` upward from ``start``."""
    from ..errors import InputError

    given = root if root is not None else os.environ.get(ROOT_ENV) or None
    if given is not None:
        path = Path(given)
        try:
            is_dir = path.is_dir()
        except OSError as err:  # a name too long, a loop of links
            from ..safeio import describe_os_error

            raise InputError(f"workspace {quote(str(path))} {describe_os_error(err)}") from None
        if not is_dir:
            raise InputError(f"workspace {quote(str(path))} is not a directory")
        return path
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if is_workspace(directory):
            return directory
        candidate = directory / DEFAULT_DIR
        if candidate.is_dir():
            return candidate
    raise InputError(
        f"no workspace found in {here} or above: run 'diasporatrack init', or pass --root "
        f"or set {ROOT_ENV}"
    )


def display_path(path: Path) -> Path:
    """A path as short as it can be for messages: relative to the cwd if inside it."""
    try:
        # The folders resolved, never the file itself: a link is named as the link, not as its target.
        return (path.parent.resolve() / path.name).relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return path


def source_files(root: Path) -> list[Path]:
    """Every source YAML file of a workspace, in a stable order.

    A linked folder is listed too (it is not walked into): reading it then
    fails with a located error, so a link cannot hide or import files.
    """
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        linked = [d for d in dirnames if not d.startswith((".", "_")) and os.path.islink(os.path.join(dirpath, d))]
        found.extend(Path(dirpath) / d for d in sorted(linked))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")) and d not in linked)
        top = Path(dirpath) == root
        for name in sorted(filenames):
            if not name.endswith((".yaml", ".yml")) or name.startswith("."):
                continue
            if top and name in (OWNERS_FILE, CONFIG_FILE, ACTIONS_FILE):
                continue
            found.append(Path(dirpath) / name)
    return found
