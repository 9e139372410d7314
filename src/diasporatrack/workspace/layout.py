"""Where a workspace is and what is in it: its files, the Workspace record, locations for messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from ..errors import Problem
from ..lifecycle import DEFAULT_LIFECYCLE, DEFAULT_RESPONSES, Lifecycle, Responses
from ..model import Owner, Recommendation, Source

# Finding the workspace and listing its files needs no model: that part lives in diasporatrack.places
# (a command answered from the cache uses it alone); re-exported, since these names were always imported from here.
from ..places import (
    ACTIONS_FILE, CONFIG_FILE, DEFAULT_DIR, OWNERS_FILE, ROOT_ENV, find_root, is_workspace, source_files,
)

__all__ = ["ACTIONS_FILE", "CONFIG_FILE", "CONFIG_KEYS", "DEFAULT_DIR", "OWNERS_FILE", "ROOT_ENV", "Location",
           "Workspace", "display_path", "find_root", "is_workspace", "source_files"]

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


def display_path(path: Path) -> Path:
    """A path as short as it can be for messages: relative to the cwd if inside it."""
    try:
        # The folders resolved, never the file itself: a link is named as the link, not as its target.
        return (path.parent.resolve() / path.name).relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return path
